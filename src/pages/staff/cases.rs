//! The case queue and one case's page with the clerk's actions.

use leptos::prelude::*;

use crate::components::{layout::PageTitle, status::NotYetAvailable};

#[component]
pub fn CaseQueuePage() -> impl IntoView {
    view! {
        <PageTitle title="办件受理" />
        <NotYetAvailable what="办件受理正在建设中。" />
    }
}

#[component]
pub fn StaffCasePage() -> impl IntoView {
    view! {
        <PageTitle title="办件受理" />
        <NotYetAvailable what="办件受理正在建设中。" />
    }
}
