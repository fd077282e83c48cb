use leptos::prelude::*;

use crate::components::{layout::PageTitle, status::NotYetAvailable};

#[component]
pub fn UserAgreementPage() -> impl IntoView {
    view! {
        <PageTitle title="用户协议" />
        <NotYetAvailable what="《用户协议》全文将与手机号登录功能同时发布。" />
    }
}

#[component]
pub fn PrivacyPolicyPage() -> impl IntoView {
    view! {
        <PageTitle title="隐私政策" />
        <NotYetAvailable what="《隐私政策》全文将与手机号登录功能同时发布,届时说明收集哪些信息、用途、保存期限和查看范围。" />
    }
}
