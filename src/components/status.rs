//! What a page shows while it loads and when it fails.

use leptos::prelude::*;
use leptos_router::components::A;

use taxicert_api::{CaseStatus, StatusTone};

use crate::api::ApiError;

/// A case's status as the driver's pages show it: its name after a sign, both in its tone's
/// colour (status.css): ✓ 已办结, ! 退回补正, × 不予受理, ⋯ with the office, – 已撤回. The sign
/// is drawn by the stylesheet, for the eye only; the name says it all to a screen reader.
#[component]
pub fn CaseStatusName(status: CaseStatus) -> impl IntoView {
    let class = match status.tone() {
        StatusTone::Pending => "status-tone status-tone_pending",
        StatusTone::ActionNeeded => "status-tone status-tone_action",
        StatusTone::Good => "status-tone status-tone_good",
        StatusTone::Bad => "status-tone status-tone_bad",
        StatusTone::Ended => "status-tone status-tone_ended",
    };
    view! { <span class=class>{status.name()}</span> }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <div class="weui-loadmore" role="status">
            <i class="weui-loading" aria-hidden="true"></i>
            <span class="weui-loadmore__tips">"正在加载…"</span>
        </div>
    }
}

/// A failed request: what went wrong, what to do, and 重试 when trying again may help.
#[component]
pub fn ErrorPanel(error: ApiError, #[prop(into)] on_retry: Callback<()>) -> impl IntoView {
    let retryable = error.is_retryable();
    view! {
        <div class="weui-msg app-error" role="alert">
            <div class="weui-msg__icon-area">
                <i class="weui-icon-warn weui-icon_msg" aria-hidden="true"></i>
            </div>
            <div class="weui-msg__text-area">
                <h2 class="weui-msg__title">"加载失败"</h2>
                <p class="weui-msg__desc">{error.message()}</p>
            </div>
            <div class="weui-msg__opr-area">
                <p class="weui-btn-area">
                    {retryable.then(|| view! {
                        <button type="button" class="weui-btn weui-btn_primary" on:click=move |_| on_retry.run(())>
                            "重试"
                        </button>
                    })}
                    <A href=crate::href(crate::use_app().entry.home()) exact=true>
                        <span class="weui-btn weui-btn_default">"返回首页"</span>
                    </A>
                </p>
            </div>
        </div>
    }
}
