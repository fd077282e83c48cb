use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::{layout::PageTitle, status::NotYetAvailable};

/// The public page a voucher's QR code opens: is this voucher genuine?
#[component]
pub fn VerifyPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    view! {
        <PageTitle title="凭证核验" />
        <p class="page-lead">"凭证编号:" {code}</p>
        <NotYetAvailable what="凭证真伪核验正在建设中。" />
    }
}
