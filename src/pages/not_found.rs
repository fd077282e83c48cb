use leptos::prelude::*;
use leptos_router::components::A;

use crate::{components::layout::PageTitle, routes::Route};

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <PageTitle title="页面不存在" />
        <div class="weui-msg" role="alert">
            <div class="weui-msg__icon-area">
                <i class="weui-icon-warn weui-icon_msg" aria-hidden="true"></i>
            </div>
            <div class="weui-msg__text-area">
                <p class="weui-msg__desc">"您访问的页面不存在,可能是链接有误或页面已调整。请返回首页重新选择业务。"</p>
            </div>
            <div class="weui-msg__opr-area">
                <p class="weui-btn-area">
                    <A href=crate::href(Route::Home) exact=true>
                        <span class="weui-btn weui-btn_primary">"返回首页"</span>
                    </A>
                </p>
            </div>
        </div>
    }
}
