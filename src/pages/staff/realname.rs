//! The real-name queue and one submission's review.

use leptos::prelude::*;

use crate::components::{layout::PageTitle, status::NotYetAvailable};

#[component]
pub fn RealNameQueuePage() -> impl IntoView {
    view! {
        <PageTitle title="实名认证审核" />
        <NotYetAvailable what="实名认证审核正在建设中。" />
    }
}

#[component]
pub fn RealNameReviewPage() -> impl IntoView {
    view! {
        <PageTitle title="实名认证审核" />
        <NotYetAvailable what="实名认证审核正在建设中。" />
    }
}
