//! The driver's work: `driver/index.html` (实名认证, the wizard, 我的办件, 消息, and the public 凭证查验).
fn main() {
    console_error_panic_hook::set_once();
    taxicert::start(taxicert::Entry::Driver, |context| leptos::view! { <taxicert::app::DriverApp context /> });
}
