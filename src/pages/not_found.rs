use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use crate::{
    components::{layout::PageTitle, status::Loading},
    routes::Route,
    use_app,
};

/// A path this app has no page for. A page of the other app (a driver's page seen from the
/// console, or the console seen from the drivers' app: each is its own page and wasm) is
/// loaded by the browser instead, unless this very page was served for that path, which
/// would only load it again.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let app = use_app();
    let location = use_location();
    let path = location.pathname.get_untracked();
    let inside = path.strip_prefix(app.base.as_str()).unwrap_or(&path);
    let elsewhere = Route::parse(inside).is_some_and(|route| route.entry() != app.entry);
    if elsewhere && !crate::browser::loaded_at(&path) {
        let search = location.search.get_untracked();
        let query = if search.is_empty() || search.starts_with('?') { search } else { format!("?{search}") };
        let hash = location.hash.get_untracked();
        let fragment = if hash.is_empty() || hash.starts_with('#') { hash } else { format!("#{hash}") };
        crate::browser::load_page(&format!("{path}{query}{fragment}"));
        return Loading().into_any();
    }
    let home = crate::href(app.entry.home());
    view! {
        <PageTitle title="页面不存在" />
        <div class="weui-msg" role="alert">
            <div class="weui-msg__icon-area">
                <i class="weui-icon-warn weui-icon_msg" aria-hidden="true"></i>
            </div>
            <div class="weui-msg__text-area">
                <p class="weui-msg__desc">"您访问的页面不存在，可能是链接有误或页面已调整。请返回首页重新选择业务。"</p>
            </div>
            <div class="weui-msg__opr-area">
                <p class="weui-btn-area">
                    <A href=home exact=true>
                        <span class="weui-btn weui-btn_primary">"返回首页"</span>
                    </A>
                </p>
            </div>
        </div>
    }
    .into_any()
}
