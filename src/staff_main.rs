//! The clerks' console: `staff/index.html`, its own wasm.
fn main() {
    console_error_panic_hook::set_once();
    taxicert::start(taxicert::Entry::Staff, |context| leptos::view! { <taxicert::app::StaffApp context /> });
}
