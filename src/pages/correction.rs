//! 补正: the driver corrects what the clerk sent back, and submits again.

use leptos::prelude::*;

use crate::components::{layout::PageTitle, status::NotYetAvailable};

#[component]
pub fn CorrectionPage() -> impl IntoView {
    view! {
        <PageTitle title="补正材料" />
        <NotYetAvailable what="补正正在建设中。" />
    }
}
