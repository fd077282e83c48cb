use leptos::prelude::*;

use crate::components::{layout::PageTitle, status::NotYetAvailable};

/// 实名认证: ID card photos, the fields read from them, confirmation.
#[component]
pub fn RealNamePage() -> impl IntoView {
    view! {
        <PageTitle title="实名认证" />
        <NotYetAvailable what="上传身份证照片完成实名认证的功能正在建设中。" />
    }
}
