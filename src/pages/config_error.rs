//! Shown instead of the app when `config.json` is missing or broken: never a blank screen.

use leptos::prelude::*;

use crate::config::ConfigError;

#[component]
pub fn ConfigErrorPage(error: ConfigError) -> impl IntoView {
    crate::browser::set_title("无法打开 - 出租汽车驾驶员从业资格证网上办理");
    let reload = |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    };
    view! {
        <main id="main" class="app-main">
            <div class="weui-msg config-error" role="alert">
                <div class="weui-msg__icon-area">
                    <i class="weui-icon-warn weui-icon_msg" aria-hidden="true"></i>
                </div>
                <div class="weui-msg__text-area">
                    <h1 class="weui-msg__title">"暂时无法打开"</h1>
                    <p class="weui-msg__desc">{error.message()}</p>
                </div>
                <div class="weui-msg__opr-area">
                    <p class="weui-btn-area">
                        <button type="button" class="weui-btn weui-btn_primary" on:click=reload>"重新加载"</button>
                    </p>
                </div>
            </div>
        </main>
    }
}
