use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use crate::{routes::Route, use_app};

/// The frame of every page: the skip link, the header with the app's name (a link to `home`)
/// and the content.
#[component]
fn Frame(home: Route, children: Children) -> impl IntoView {
    let app_name = use_app().config.app_name;
    view! {
        <a class="skip-link" href="#main">"跳到主要内容"</a>
        <header class="app-header">
            <A href=crate::href(home) exact=true>
                <span class="app-header__name">{app_name}</span>
            </A>
        </header>
        <main id="main" class="app-main" tabindex="-1">
            {children()}
        </main>
    }
}

/// The drivers' frame, with the tab bar (首页 / 我的办件 / 消息 / 登录) that WeChat users know.
/// `index.html` paints the same header and tab bar before the wasm runs: keep them alike.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let session = crate::state::session::use_session();
    let badge = crate::state::case_badge::use_case_badge();
    let messages = crate::state::message_badge::use_message_badge();
    let base = use_app().base;
    let location = use_location();
    let form_step = move || {
        let path = location.pathname.get();
        Route::parse(path.strip_prefix(base.as_str()).unwrap_or(&path)).is_some_and(|r| r.is_form_step())
    };
    view! {
        <Frame home=Route::Home>{children()}</Frame>
        <nav class="weui-tabbar app-tabbar" aria-label="主导航" hidden=form_step>
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
            <A href=crate::href(Route::Messages)>
                <span class="weui-tabbar__label">"消息"</span>
                {move || (messages.count() > 0).then(|| view! {
                    <span class="weui-badge app-tabbar__count">
                        {messages.count()}<span class="visually-hidden">"条未读消息"</span>
                    </span>
                })}
            </A>
            <A href=crate::href(Route::Login)>
                <span class="weui-tabbar__label">{move || if session.is_signed_in() { "我的" } else { "登录" }}</span>
            </A>
        </nav>
    }
}

/// The clerks' frame: no tab bar, the header leads to the console's start.
#[component]
pub fn StaffLayout(children: Children) -> impl IntoView {
    view! { <Frame home=Route::Staff>{children()}</Frame> }
}

/// A page's heading, also the document title.
#[component]
pub fn PageTitle(#[prop(into)] title: String) -> impl IntoView {
    let app_name = use_app().config.app_name;
    crate::browser::set_title(&format!("{title} - {app_name}"));
    view! { <h1 class="page-title">{title}</h1> }
}
