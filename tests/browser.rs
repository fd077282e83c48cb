//! What only a browser can show: URL resolution by the browser's own `URL`, `fetch`
//! failures, and components rendered into a real DOM. Run by `make test` in headless
//! Chromium through wasm-bindgen-test-runner.

#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use taxicert::{
    browser::{self, FetchFailure},
    components::step_indicator::StepIndicator,
    config::ConfigError,
    context_from,
    pages::config_error::ConfigErrorPage,
    routes::WizardStep,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn a_root_relative_api_base_stays_on_the_hosting_origin() {
    let context = context_from(r#"{"api_base": "/api/v1"}"#, "https://yzt.example.gov.cn/taxicert/").unwrap();
    assert_eq!(context.api.endpoint("/businesses"), "https://yzt.example.gov.cn/api/v1/businesses");
}

#[wasm_bindgen_test]
fn a_relative_api_base_is_relative_to_the_hosting_folder() {
    let context = context_from(r#"{"api_base": "api/v1"}"#, "https://yzt.example.gov.cn/taxicert/").unwrap();
    assert_eq!(context.api.endpoint("/businesses"), "https://yzt.example.gov.cn/taxicert/api/v1/businesses");
}

#[wasm_bindgen_test]
fn an_api_on_another_origin_is_used_as_written() {
    let context =
        context_from(r#"{"api_base": "https://api.example.cn/taxi/v1/"}"#, "https://cdn.example.cn/").unwrap();
    assert_eq!(context.api.endpoint("/health"), "https://api.example.cn/taxi/v1/health");
}

#[wasm_bindgen_test]
fn an_api_base_the_browser_cannot_parse_is_a_config_error() {
    let err = context_from(r#"{"api_base": "http://[::1"}"#, "https://cdn.example.cn/").unwrap_err();
    assert!(matches!(err, ConfigError::Invalid(ref detail) if detail.contains("api_base")), "{err:?}");
}

#[wasm_bindgen_test]
async fn a_refused_connection_is_a_network_failure() {
    // Port 9 (discard) has no listener here: the browser's fetch rejects.
    let result = browser::get("http://127.0.0.1:9/api/v1/health").await;
    assert_eq!(result.err(), Some(FetchFailure::Network));
}

fn mount_in_new_div<F, N>(view: F) -> web_sys::HtmlElement
where
    F: FnOnce() -> N + 'static,
    N: IntoView,
{
    let document = web_sys::window().unwrap().document().unwrap();
    let div: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&div).unwrap();
    leptos::mount::mount_to(div.clone(), view).forget();
    div
}

#[wasm_bindgen_test]
fn the_config_error_page_says_what_is_wrong_and_offers_a_reload() {
    let div = mount_in_new_div(|| view! { <ConfigErrorPage error=ConfigError::Status(404) /> });
    let text = div.text_content().unwrap();
    assert!(text.contains("config.json 无法读取（HTTP 404）"), "{text}");
    let button = div.query_selector("button").unwrap().expect("a reload button");
    assert_eq!(button.text_content().unwrap(), "重新加载");
    assert_eq!(div.query_selector("[role=alert]").unwrap().is_some(), true);
}

#[wasm_bindgen_test]
fn the_step_indicator_names_the_step_for_screen_readers() {
    let div = mount_in_new_div(|| view! { <StepIndicator step=WizardStep::PersonalInfo /> });
    let visible = div.query_selector("[aria-hidden=true]").unwrap().unwrap().text_content().unwrap();
    assert_eq!(visible, "第 3 步 / 共 6 步");
    let spoken = div.query_selector(".visually-hidden").unwrap().unwrap().text_content().unwrap();
    assert_eq!(spoken, "第 3 步，共 6 步：填写申请信息");
}
