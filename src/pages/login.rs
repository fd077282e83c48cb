use leptos::prelude::*;
use leptos_router::components::A;

use crate::{components::{layout::PageTitle, status::NotYetAvailable}, routes::Route};

/// 手机号 + 短信验证码登录.
#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <PageTitle title="登录" />
        <NotYetAvailable what="手机号和短信验证码登录正在建设中,开放后可在手机上登录并完成实名认证。" />
        <p class="page-links">
            <A href=crate::href(Route::UserAgreement)>"《用户协议》"</A>
            <A href=crate::href(Route::PrivacyPolicy)>"《隐私政策》"</A>
        </p>
    }
}
