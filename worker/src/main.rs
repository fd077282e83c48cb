//! The photo pipeline in a Web Worker, with its own wasm, so that decoding a 12 MP photo
//! never freezes the page. Trunk builds it beside the app (`data-type="worker"` in
//! `index.html`); the page starts it when the first photo is picked.
//!
//! Protocol: the worker posts `"ready"` once its wasm runs (a message sent before that is
//! lost). Each request `{id, bytes: Uint8Array, kind, min_width, min_height, max_side,
//! max_bytes}` gets `{id, ok: true, jpeg: Uint8Array, width, height, warnings: [{code,
//! message}], memory_bytes}` or `{id, ok: false, code, message, memory_bytes}`; `memory_bytes` is the worker's
//! wasm memory in bytes after the photo (it only grows, so it is the peak so far, for
//! `make bench`). The byte buffers are transferred, not copied. The input limits are the
//! phone's (`Limits::PHONE`: 50 MB, 200 MP).

#[cfg(target_arch = "wasm32")]
fn main() {
    use js_sys::{Array, Object, Reflect, Uint8Array};
    use taxicert_api::{MaterialKind, PhotoRules};
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let number = |data: &JsValue, key: &str| Reflect::get(data, &key.into()).ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        let id = Reflect::get(&data, &"id".into()).unwrap_or(JsValue::NULL);
        let bytes = Reflect::get(&data, &"bytes".into()).map(|b| Uint8Array::new(&b).to_vec()).unwrap_or_default();
        let kind = match Reflect::get(&data, &"kind".into()).ok().and_then(|k| k.as_string()).as_deref() {
            Some("portrait") => MaterialKind::Portrait,
            _ => MaterialKind::Document,
        };
        let rules = PhotoRules { kind, min_width: number(&data, "min_width") as u32, min_height: number(&data, "min_height") as u32 };
        let options = taxicert_photo::Options {
            max_bytes: number(&data, "max_bytes") as usize,
            ..taxicert_photo::Options::phone(number(&data, "max_side") as u32)
        };
        let reply = Object::new();
        let set = |key: &str, value: &JsValue| {
            let _ = Reflect::set(&reply, &key.into(), value);
        };
        set("id", &id);
        let transfer = Array::new();
        let result = taxicert_photo::process(&bytes, &rules, &options);
        // The original (up to 50 MB) goes before the answer is built.
        drop(bytes);
        match result {
            Ok(photo) => {
                let jpeg = Uint8Array::from(photo.jpeg.as_slice());
                set("ok", &JsValue::TRUE);
                set("width", &photo.width.into());
                set("height", &photo.height.into());
                transfer.push(&jpeg.buffer());
                set("jpeg", &jpeg);
                let warnings = Array::new();
                for warning in photo.warnings {
                    let entry = Object::new();
                    let _ = Reflect::set(&entry, &"code".into(), &warning.code.into());
                    let _ = Reflect::set(&entry, &"message".into(), &warning.message.into());
                    warnings.push(&entry);
                }
                set("warnings", &warnings);
            }
            Err(refusal) => {
                set("ok", &JsValue::FALSE);
                set("code", &refusal.code.into());
                set("message", &refusal.message.into());
            }
        }
        let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
        set("memory_bytes", &memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length().into());
        let _ = reply_scope.post_message_with_transfer(&reply, &transfer);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page: the handler is never dropped.
    on_message.forget();
    let _ = scope.post_message(&"ready".into());
}

/// The worker only makes sense in a browser; a native build (for `cargo test`) does nothing.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
