use leptos::prelude::*;
use leptos_router::components::A;

use crate::{routes::Route, use_app};

/// The frame of every page: the header with the app's name, the content, and the tab bar
/// (首页 / 我的办件) that WeChat users know.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let app_name = use_app().config.app_name;
    let session = crate::session::use_session();
    let badge = crate::case_badge::use_case_badge();
    // The clerks' console is not the driver's app: no driver tab bar there.
    let location = leptos_router::hooks::use_location();
    let base = use_app().base;
    let for_drivers = move || {
        let path = location.pathname.get();
        let inside = path.strip_prefix(base.as_str()).unwrap_or(&path);
        !(inside == "/staff" || inside.starts_with("/staff/"))
    };
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
        <nav class="weui-tabbar app-tabbar" aria-label="主导航" class:app-tabbar_hidden=move || !for_drivers()>
            <A href=crate::href(Route::Home) exact=true>
                <span class="weui-tabbar__label">"首页"</span>
            </A>
            <A href=crate::href(Route::MyCases)>
                <span class="weui-tabbar__label">"我的办件"</span>
                {move || (badge.count() > 0).then(|| view! {
                    <span class="weui-badge app-tabbar__badge">
                        {badge.count()}<span class="visually-hidden">"项办件有新进展"</span>
                    </span>
                })}
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
