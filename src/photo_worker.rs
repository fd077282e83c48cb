//! The page's side of the photo worker (`worker/src/main.rs`): started when a page that takes
//! photos shows ([`prefetch`]: the materials step, 补正, the real-name upload), not with the
//! app, so the first screen does not pay for the image codecs and the first photo does not
//! wait for them. The main thread
//! only sniffs the first bytes, hands the file over and waits. Where the browser runs wasm
//! SIMD, the worker built with it (`photo_worker_simd_loader.js`, about a third faster) is
//! started, and the plain one if that fails to start.

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use taxicert_api::{
    domain::{is_heif, sniff_image, HEIF_REFUSAL, MAX_ORIGINAL_BYTES},
    MaterialKind, PhotoRules, PhotoWarning,
};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::browser;

/// How long a worker may take to download and start its wasm on a weak link (2 × 200 KB).
const WORKER_START_MS: u32 = 45_000;

const WORKER_FAILED: &str = "手机处理照片时出错，请重新选择照片；如仍不行，请换一张照片或重新打开页面。";

/// A photo that passed the rules, shrunk and stripped, with the quality checks' advice.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The JPEG to upload (at most 1 MB, no metadata).
    pub jpeg: web_sys::Blob,
    /// Empty when the photo is good; otherwise the driver chooses 重新拍摄 or 仍然使用这张.
    pub warnings: Vec<PhotoWarning>,
}

/// Checks and shrinks the photo `file` for a material with `rules`: the JPEG to upload with the
/// advice, or the refusal as the message to show. The type goes by content, never by the name
/// or the browser's type (Android WeChat gives neither). An empty, over-large or non-photo file
/// is refused before the worker is started; a HEIC photo is converted by the browser where it
/// can (Safari, iOS WebViews) and refused with the way to avoid it where it cannot.
pub async fn check_and_shrink(file: &web_sys::File, rules: PhotoRules, max_side: u32) -> Result<Checked, String> {
    let size = file.size() as usize;
    let head = browser::file_head(file, 16).await;
    let converted;
    let source: &web_sys::Blob = if size > 0 && size <= MAX_ORIGINAL_BYTES && is_heif(&head) {
        converted = browser::convert_to_jpeg(file).await.ok_or_else(|| HEIF_REFUSAL.to_owned())?;
        &converted
    } else {
        sniff_image(&head, size, MAX_ORIGINAL_BYTES)?;
        file
    };
    let bytes = JsFuture::from(source.array_buffer()).await.map_err(|_| "无法读取这张照片，请重新选择。".to_owned())?;
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
    let get = |target: &JsValue, key: &str| Reflect::get(target, &key.into()).unwrap_or(JsValue::UNDEFINED);
    if get(&reply, "ok").as_bool() != Some(true) {
        return Err(get(&reply, "message").as_string().unwrap_or_else(|| WORKER_FAILED.to_owned()));
    }
    let warnings = Array::from(&get(&reply, "warnings"))
        .iter()
        .filter_map(|w| {
            Some(PhotoWarning { code: get(&w, "code").as_string()?, message: get(&w, "message").as_string()? })
        })
        .collect();
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/jpeg");
    let jpeg = web_sys::Blob::new_with_u8_array_sequence_and_options(&Array::of1(&get(&reply, "jpeg")), &options)
        .map_err(|_| WORKER_FAILED.to_owned())?;
    Ok(Checked { jpeg, warnings })
}

/// Starts the worker in the background, so that its wasm is downloaded and compiled while
/// the driver reads the page and finds his photos; nothing when it runs already. A worker
/// that fails to start here is started again by the first photo.
pub fn prefetch() {
    if WORKER.with(|w| w.borrow().is_none()) {
        wasm_bindgen_futures::spawn_local(async {
            let _ = PhotoWorker::get().await;
        });
    }
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
    /// Whether the SIMD worker is still worth trying: false once it failed to start.
    static SIMD_WORKS: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// The smallest module that uses a SIMD instruction (`i8x16.popcnt` on a splat), as the
/// wasm-feature-detect project tests for it: valid only where the engine has wasm SIMD.
const SIMD_PROBE: [u8; 31] =
    [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11];

fn simd_supported() -> bool {
    js_sys::WebAssembly::validate(&Uint8Array::from(SIMD_PROBE.as_slice()).into()).unwrap_or(false)
}

impl PhotoWorker {
    /// The running worker, started on first use; `None` if it cannot start. The SIMD build
    /// is tried first where the engine has SIMD; if it does not start (a host that lacks the
    /// file, an engine that validates SIMD but fails on it), the plain one is.
    async fn get() -> Option<Rc<PhotoWorker>> {
        loop {
            let simd = SIMD_WORKS.with(|s| s.get()) && simd_supported();
            let worker = match WORKER.with(|w| w.borrow().clone()) {
                Some(worker) => worker,
                None => {
                    // Built beside the driver's entry page (driver/index.html), which alone takes photos.
                    let loader =
                        if simd { "driver/photo_worker_simd_loader.js" } else { "driver/photo_worker_loader.js" };
                    let started = Rc::new(PhotoWorker::start(loader)?);
                    WORKER.with(|w| *w.borrow_mut() = Some(started.clone()));
                    started
                }
            };
            // A worker whose wasm fails to load rejects a promise inside the worker, which never
            // reaches the page's onerror: it would never say "ready". A worker that has not
            // started in this time (its wasm is some hundred KB) is taken as failed.
            let ready = JsFuture::from(worker.ready.clone());
            let timeout = browser::sleep_ms(WORKER_START_MS);
            let ready = match futures::future::select(std::pin::pin!(ready), std::pin::pin!(timeout)).await {
                futures::future::Either::Left((answer, _)) => answer.ok().and_then(|v| v.as_bool()).unwrap_or(false),
                futures::future::Either::Right(_) => false,
            };
            if ready {
                return Some(worker);
            }
            if let Some(stuck) = WORKER.with(|w| w.borrow_mut().take()) {
                stuck.worker.terminate();
            }
            if !simd {
                return None;
            }
            SIMD_WORKS.with(|s| s.set(false));
        }
    }

    fn start(loader: &str) -> Option<PhotoWorker> {
        let url = browser::resolve_url(loader, &browser::document_base())?;
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
        Some(PhotoWorker {
            worker,
            ready,
            pending,
            next_id: RefCell::new(0),
            _on_message: on_message,
            _on_error: on_error,
        })
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
