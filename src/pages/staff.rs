use leptos::prelude::*;

use crate::components::{layout::PageTitle, status::NotYetAvailable};

/// The clerks' console (业务办理人员).
#[component]
pub fn StaffPage() -> impl IntoView {
    view! {
        <PageTitle title="业务办理" />
        <NotYetAvailable what="业务办理人员的受理、审核和办结功能正在建设中。" />
    }
}
