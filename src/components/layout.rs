use leptos::prelude::*;
use leptos_router::components::A;

use crate::{routes::Route, use_app};

/// The frame of every page: the header with the app's name, the content, and the tab bar
/// (首页 / 我的办件) that WeChat users know.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let app_name = use_app().config.app_name;
    let session = crate::session::use_session();
    view! {
        <a class="skip-link" href="#main">"跳到主要内容"</a>
        <header class="app-header">
            <A href=crate::href(Route::Home) exact=true>
                <span class="app-header__name">{app_name}</span>
            </A>
        </header>
        <main id="main" class="app-main" tabindex="-1">
            {children()}
        </main>
        <nav class="weui-tabbar app-tabbar" aria-label="主导航">
            <A href=crate::href(Route::Home) exact=true>
                <span class="weui-tabbar__label">"首页"</span>
            </A>
            <A href=crate::href(Route::MyCases)>
                <span class="weui-tabbar__label">"我的办件"</span>
            </A>
            <A href=crate::href(Route::Login)>
                <span class="weui-tabbar__label">{move || if session.is_signed_in() { "我的" } else { "登录" }}</span>
            </A>
        </nav>
    }
}

/// A page's heading, also the document title.
#[component]
pub fn PageTitle(#[prop(into)] title: String) -> impl IntoView {
    let app_name = use_app().config.app_name;
    crate::browser::set_title(&format!("{title} - {app_name}"));
    view! { <h1 class="page-title">{title}</h1> }
}
