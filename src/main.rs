//! The front: `index.html` (首页, 登录, the agreements), the first screen.
fn main() {
    console_error_panic_hook::set_once();
    taxicert::start(taxicert::Entry::Front, |context| leptos::view! { <taxicert::app::FrontApp context /> });
}
