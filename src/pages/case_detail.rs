use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::{layout::PageTitle, status::NotYetAvailable};

/// One case: its timeline, due dates and voucher.
#[component]
pub fn CaseDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    view! {
        <PageTitle title="办件详情" />
        <p class="page-lead">"办件编号:" {id}</p>
        <NotYetAvailable what="办件详情(办理进度、办理时限和凭证下载)正在建设中。" />
    }
}
