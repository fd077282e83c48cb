//! The page's side of the photo worker (`src/bin/photo_worker.rs`): started on the first photo,
//! not with the page, so the first screen does not pay for the image codecs. The main thread
//! only sniffs the first bytes, hands the file over and waits.

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use taxicert_api::{domain::sniff_image, MaterialKind, PhotoRules};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::browser;

const WORKER_FAILED: &str = "手机处理照片时出错,请重新选择照片;如仍不行,请换一张照片或重新打开页面。";

/// Checks and shrinks the photo `file` for a material with `rules`: the JPEG to upload, shrunk
/// and stripped, or the refusal as the message to show. An empty, over-large or non-photo file is refused before the worker is started.
pub async fn check_and_shrink(file: &web_sys::File, rules: PhotoRules, max_side: u32) -> Result<web_sys::Blob, String> {
    let size = file.size() as usize;
    if size == 0 || size > taxicert_api::domain::MAX_UPLOAD_BYTES {
        sniff_image(&[], size)?;
    }
    sniff_image(&browser::file_head(file, 16).await, size)?;
    let bytes = JsFuture::from(file.array_buffer()).await.map_err(|_| "无法读取这张照片,请重新选择。".to_owned())?;
    let worker = PhotoWorker::get().await.ok_or_else(|| WORKER_FAILED.to_owned())?;
    let request = Object::new();
    for (key, value) in [
        ("bytes", Uint8Array::new(&bytes).into()),
        ("kind", JsValue::from_str(if rules.kind == MaterialKind::Portrait { "portrait" } else { "document" })),
        ("min_width", rules.min_width.into()),
        ("min_height", rules.min_height.into()),
        ("max_side", max_side.into()),
        ("max_bytes", JsValue::from(1024 * 1024)),
    ] {
        let _ = Reflect::set(&request, &key.into(), &value);
    }
    let reply = worker.ask(request, Array::of1(&bytes)).await.ok_or_else(|| WORKER_FAILED.to_owned())?;
    let get = |key: &str| Reflect::get(&reply, &key.into()).unwrap_or(JsValue::UNDEFINED);
    if get("ok").as_bool() != Some(true) {
        return Err(get("message").as_string().unwrap_or_else(|| WORKER_FAILED.to_owned()));
    }
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/jpeg");
    web_sys::Blob::new_with_u8_array_sequence_and_options(&Array::of1(&get("jpeg")), &options)
        .map_err(|_| WORKER_FAILED.to_owned())
}

type Pending = Rc<RefCell<HashMap<u32, js_sys::Function>>>;

struct PhotoWorker {
    worker: web_sys::Worker,
    /// Settles `true` once the worker said "ready", `false` if it failed to start.
    ready: Promise,
    pending: Pending,
    next_id: RefCell<u32>,
    _on_message: Closure<dyn Fn(web_sys::MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

thread_local! {
    static WORKER: RefCell<Option<Rc<PhotoWorker>>> = const { RefCell::new(None) };
}

impl PhotoWorker {
    /// The running worker, started on first use; `None` if it cannot start.
    async fn get() -> Option<Rc<PhotoWorker>> {
        let worker = match WORKER.with(|w| w.borrow().clone()) {
            Some(worker) => worker,
            None => {
                let started = Rc::new(PhotoWorker::start()?);
                WORKER.with(|w| *w.borrow_mut() = Some(started.clone()));
                started
            }
        };
        let ready = JsFuture::from(worker.ready.clone()).await.ok().and_then(|v| v.as_bool()).unwrap_or(false);
        ready.then_some(worker)
    }

    fn start() -> Option<PhotoWorker> {
        let url = browser::resolve_url("photo_worker_loader.js", &browser::document_base())?;
        // Trunk's loader shim uses importScripts: a classic worker, not a module worker.
        let worker = web_sys::Worker::new(&url).ok()?;
        let pending: Pending = Rc::default();
        let settle_ready: Rc<RefCell<Option<js_sys::Function>>> = Rc::default();
        let ready = Promise::new(&mut |resolve, _| *settle_ready.borrow_mut() = Some(resolve));
        let on_message = {
            let (pending, settle_ready) = (pending.clone(), settle_ready.clone());
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let data = event.data();
                if data.as_string().as_deref() == Some("ready") {
                    if let Some(resolve) = settle_ready.borrow_mut().take() {
                        let _ = resolve.call1(&JsValue::NULL, &JsValue::TRUE);
                    }
                    return;
                }
                let id = Reflect::get(&data, &"id".into()).ok().and_then(|v| v.as_f64()).unwrap_or(-1.0) as u32;
                if let Some(resolve) = pending.borrow_mut().remove(&id) {
                    let _ = resolve.call1(&JsValue::NULL, &data);
                }
            })
        };
        // A worker that cannot load or that crashed answers nothing more: settle everything
        // as failed and forget it, so that the next photo starts a fresh one.
        let on_error = {
            let (pending, settle_ready) = (pending.clone(), settle_ready.clone());
            Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
                if let Some(resolve) = settle_ready.borrow_mut().take() {
                    let _ = resolve.call1(&JsValue::NULL, &JsValue::FALSE);
                }
                for (_, resolve) in pending.borrow_mut().drain() {
                    let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
                }
                if let Some(old) = WORKER.with(|w| w.borrow_mut().take()) {
                    old.worker.terminate();
                    // Not dropped here: this very handler belongs to it.
                    wasm_bindgen_futures::spawn_local(async move { drop(old) });
                }
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(PhotoWorker { worker, ready, pending, next_id: RefCell::new(0), _on_message: on_message, _on_error: on_error })
    }

    /// Posts `request` (transferring `transfer`) and waits for its answer; `None` if the
    /// worker died first.
    async fn ask(&self, request: Object, transfer: Array) -> Option<JsValue> {
        let id = {
            let mut next = self.next_id.borrow_mut();
            *next += 1;
            *next
        };
        let _ = Reflect::set(&request, &"id".into(), &id.into());
        let answer = Promise::new(&mut |resolve, _| {
            self.pending.borrow_mut().insert(id, resolve);
        });
        self.worker.post_message_with_transfer(&request, &transfer).ok()?;
        let reply = JsFuture::from(answer).await.ok()?;
        (!reply.is_null()).then_some(reply)
    }
}
