//! The driver's work once signed in: `driver/index.html` (实名认证, the wizard, 我的办件).
fn main() {
    console_error_panic_hook::set_once();
    taxicert::start(taxicert::Entry::Driver, |context| leptos::view! { <taxicert::app::DriverApp context /> });
}
