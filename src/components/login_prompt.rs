use leptos::prelude::*;
use leptos_router::components::A;

use crate::routes::Route;

/// Shown where a page needs a signed-in user: the login link brings him back to `next`.
#[component]
pub fn LoginPrompt(next: Route, #[prop(into)] why: String) -> impl IntoView {
    let href = format!(
        "{}?next={}",
        crate::href(Route::Login),
        String::from(js_sys::encode_uri_component(&next.path()))
    );
    view! {
        <div class="weui-msg login-prompt" role="alert">
            <div class="weui-msg__text-area">
                <h2 class="weui-msg__title">"请先登录"</h2>
                <p class="weui-msg__desc">{why}</p>
            </div>
            <div class="weui-msg__opr-area">
                <p class="weui-btn-area">
                    <A href=href>
                        <span class="weui-btn weui-btn_primary">"去登录"</span>
                    </A>
                </p>
            </div>
        </div>
    }
}
