//! taxicert: 出租汽车驾驶员从业资格证网上办理, the single-page app.
//!
//! Pure logic (routes, configuration, API decoding) has no `web_sys` and is tested natively;
//! [`browser`] holds what only a browser can do.

pub mod api;
pub mod app;
pub mod browser;
pub mod components;
pub mod config;
pub mod correction;
pub mod divisions;
pub mod pages;
pub mod photo_worker;
pub mod retry;
pub mod routes;
pub mod state;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::{
    api::ApiClient,
    config::{AppConfig, ConfigError},
};

/// What every page may need, provided once at the root.
#[derive(Clone, Debug)]
pub struct AppContext {
    pub config: AppConfig,
    pub api: ApiClient,
    /// The path of the folder the app is hosted in, without a trailing slash: `""` at the root.
    pub base: String,
    /// Who was signed in when the app started (the server said so); always `None` in the
    /// clerks' console, which has its own sign-in.
    pub me: Option<taxicert_api::Me>,
    /// Whether the server offers 微信登录 (offered inside WeChat only).
    pub wechat_login: bool,
    /// Where the phone gets its carrier token when the server offers 本机号码一键登录.
    pub number_token_url: Option<String>,
    /// Which app this is: its home page is where 返回首页 leads.
    pub entry: Entry,
}

/// The three apps built from this library, each its own page and wasm (see
/// [`taxicert_api::ENTRY_PAGES`]): the first screen downloads only the front, and drivers
/// never download the clerks' console.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// `index.html`: 首页, 登录, the agreements.
    Front,
    /// `driver/index.html`: 实名认证, the business wizard, 我的办件, 消息, 凭证查验.
    Driver,
    /// `staff/index.html`: the clerks' console.
    Staff,
}

impl Entry {
    /// The page 返回首页 leads to.
    pub fn home(self) -> routes::Route {
        match self {
            Entry::Front | Entry::Driver => routes::Route::Home,
            Entry::Staff => routes::Route::Staff,
        }
    }

    /// The entry's page under `dist/`.
    pub fn page(self) -> &'static str {
        match self {
            Entry::Front => "index.html",
            Entry::Driver => "driver/index.html",
            Entry::Staff => "staff/index.html",
        }
    }
}

/// The app's context; every page is mounted under [`app::App`], which provides it.
pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}

/// The link to a page of the app, with the folder it is hosted in.
pub fn href(route: routes::Route) -> String {
    route.href(&use_app().base)
}

/// Loads `config.json`, then mounts `app` (one of [`app::FrontApp`], [`app::DriverApp`],
/// [`app::StaffApp`]), or the page that says why it cannot start.
pub fn start<V: IntoView + 'static>(entry: Entry, app: fn(AppContext) -> V) {
    browser::note_loaded_path();
    wasm_bindgen_futures::spawn_local(async move {
        let loaded = load_context(entry).await;
        let root = app_root();
        // What index.html painted before the wasm ran goes once the app can draw.
        root.set_inner_html("");
        match loaded {
            Ok(context) => mount_to(root, move || app(context)).forget(),
            Err(error) => mount_to(root, move || view! { <pages::config_error::ConfigErrorPage error /> }).forget(),
        }
    });
}

fn app_root() -> web_sys::HtmlElement {
    let document = web_sys::window().and_then(|w| w.document()).expect("a document");
    document
        .get_element_by_id("app")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        .or_else(|| document.body())
        .expect("index.html has #app")
}

/// `config.json` sits beside `index.html`; a relative `api_base` is relative to it too.
pub async fn load_context(entry: Entry) -> Result<AppContext, ConfigError> {
    let base = browser::document_base();
    let url = browser::resolve_url("config.json", &base).ok_or(ConfigError::Unreachable)?;
    let answer = browser::get(&url).await.map_err(|_| ConfigError::Unreachable)?;
    if answer.status != 200 {
        return Err(ConfigError::Status(answer.status));
    }
    let mut context = context_from(&answer.body, &base)?;
    context.base = browser::router_base();
    context.entry = entry;
    if entry != Entry::Staff {
        // No answer here is no reason not to start: pages say what fails when they need the server.
        if let Ok(info) = context.api.session_info().await {
            context.me = info.me;
            context.wechat_login = info.wechat_login;
            context.number_token_url = info.number_token_url;
        }
    }
    Ok(context)
}

/// The context for a `config.json` text, with the API base resolved against `base`.
pub fn context_from(config_json: &str, base: &str) -> Result<AppContext, ConfigError> {
    let config = AppConfig::parse(config_json)?;
    let api_base = browser::resolve_url(&config.api_base, base)
        .ok_or_else(|| ConfigError::Invalid(format!("api_base “{}” 不是有效的网址", config.api_base)))?;
    Ok(AppContext { api: ApiClient::new(api_base), config, base: String::new(), me: None, wechat_login: false, number_token_url: None, entry: Entry::Front })
}
