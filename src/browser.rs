//! The few things only a browser can do, kept in one place: where the app is hosted,
//! URL resolution, and `fetch` with a time limit.

use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, Request, RequestCache, RequestCredentials, RequestInit, Response};

/// A weak 4G link can take long, but a driver should not stare at a spinner for ever.
const FETCH_TIMEOUT_MS: i32 = 20_000;

fn window() -> web_sys::Window {
    web_sys::window().expect("the app runs in a window")
}

/// The folder the app is hosted in, as an absolute URL ending in `/`: the `<base>` that
/// `index.html`'s boot script set, or the page's own URL.
pub fn document_base() -> String {
    let document = window().document().expect("a document");
    document.base_uri().ok().flatten().unwrap_or_else(|| window().location().href().unwrap_or_default())
}

/// The router's base: the path of [`document_base`] without its trailing slash, `""` at the root.
pub fn router_base() -> String {
    web_sys::Url::new(&document_base()).map(|url| url.pathname().trim_end_matches('/').to_owned()).unwrap_or_default()
}

/// Loads `url` as a new page (the other entry's). The router has already pushed `url` onto
/// the history, so the page replaces that entry: one Back returns to where the driver was.
pub fn load_page(url: &str) {
    let _ = window().location().replace(url);
}

/// Leaves the app for `url` (WeChat's authorization page), which comes back to the app's own
/// address; Back from there returns here.
pub fn leave_for(url: &str) {
    let _ = window().location().assign(url);
}

thread_local! {
    /// The path this page was served for, as the app started.
    static LOADED_AT: String = window().location().pathname().unwrap_or_default();
}

/// Notes the path this page was served for; called once as the app starts.
pub fn note_loaded_path() {
    LOADED_AT.with(|_| ());
}

/// Whether the browser loaded this page for `path` (rather than the app navigating there).
pub fn loaded_at(path: &str) -> bool {
    LOADED_AT.with(|loaded| loaded == path)
}

/// `relative` resolved against `base`, as the browser does for links; `None` when invalid.
pub fn resolve_url(relative: &str, base: &str) -> Option<String> {
    web_sys::Url::new_with_base(relative, base).ok().map(|url| url.href())
}

/// Why a request got no answer from the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchFailure {
    /// Offline, DNS, refused connection, CORS: the browser does not say which.
    Network,
    /// No answer within [`FETCH_TIMEOUT_MS`].
    Timeout,
}

/// An answer: the HTTP status and the body as text.
pub struct FetchAnswer {
    pub status: u16,
    pub body: String,
}

/// GET `url` with the session cookie, never from the HTTP cache, within the time limit.
pub async fn get(url: &str) -> Result<FetchAnswer, FetchFailure> {
    request("GET", url, None).await
}

/// A state-changing request with a JSON body (or none), the session cookie and the header
/// the server's CSRF guard asks for.
pub async fn send(method: &str, url: &str, json_body: Option<&str>) -> Result<FetchAnswer, FetchFailure> {
    request(method, url, Some(json_body.unwrap_or(""))).await
}

/// [`send`] with extra headers (an idempotency key, say).
pub async fn send_with_headers(
    method: &str,
    url: &str,
    json_body: Option<&str>,
    extra: &[(&str, &str)],
) -> Result<FetchAnswer, FetchFailure> {
    request_with(method, url, Some(json_body.unwrap_or("")), extra, RequestCredentials::Include).await
}

/// GET `url` of another site without cookies (a carrier's token address, say).
pub async fn get_elsewhere(url: &str) -> Result<FetchAnswer, FetchFailure> {
    request_with("GET", url, None, &[], RequestCredentials::Omit).await
}

async fn request(method: &str, url: &str, body: Option<&str>) -> Result<FetchAnswer, FetchFailure> {
    request_with(method, url, body, &[], RequestCredentials::Include).await
}

async fn request_with(
    method: &str,
    url: &str,
    body: Option<&str>,
    extra: &[(&str, &str)],
    credentials: RequestCredentials,
) -> Result<FetchAnswer, FetchFailure> {
    let controller = AbortController::new().map_err(|_| FetchFailure::Network)?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(credentials);
    init.set_cache(RequestCache::NoCache);
    init.set_signal(Some(&controller.signal()));
    let headers = Headers::new().map_err(|_| FetchFailure::Network)?;
    headers.set("Accept", "application/json").map_err(|_| FetchFailure::Network)?;
    for (name, value) in extra {
        headers.set(name, value).map_err(|_| FetchFailure::Network)?;
    }
    if let Some(body) = body {
        headers.set("X-Taxicert-Csrf", "1").map_err(|_| FetchFailure::Network)?;
        if !body.is_empty() {
            headers.set("Content-Type", "application/json").map_err(|_| FetchFailure::Network)?;
            init.set_body(&JsValue::from_str(body));
        }
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(url, &init).map_err(|_| FetchFailure::Network)?;

    let abort = controller.clone();
    let on_timeout = Closure::once(move || abort.abort());
    let timer = window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(on_timeout.as_ref().unchecked_ref(), FETCH_TIMEOUT_MS)
        .map_err(|_| FetchFailure::Network)?;
    let result = read(request).await;
    window().clear_timeout_with_handle(timer);
    drop(on_timeout);
    result.map_err(|_| if controller.signal().aborted() { FetchFailure::Timeout } else { FetchFailure::Network })
}

async fn read(request: Request) -> Result<FetchAnswer, JsValue> {
    let response: Response = JsFuture::from(window().fetch_with_request(&request)).await?.dyn_into()?;
    let body = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
    Ok(FetchAnswer { status: response.status(), body })
}

/// A Unix time as the phone's clock shows it: `11月25日 10:05`, with the year when it is not
/// this year.
pub fn date_time(unix_seconds: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(unix_seconds as f64 * 1000.0));
    let this_year = js_sys::Date::new_0().get_full_year();
    let year = if date.get_full_year() == this_year { String::new() } else { format!("{}年", date.get_full_year()) };
    format!("{year}{}月{}日 {:02}:{:02}", date.get_month() + 1, date.get_date(), date.get_hours(), date.get_minutes())
}

/// Sets the document title, so that the tab, the history and screen readers name the page.
pub fn set_title(title: &str) {
    if let Some(document) = window().document() {
        document.set_title(title);
    }
}

/// Where the browser keeps a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Session storage: this tab only, survives a reload; the place for personal details.
    Tab,
    /// Local storage: survives a killed WeChat view; never anything personal or sensitive.
    Phone,
}

impl Keep {
    fn storage(self) -> Option<web_sys::Storage> {
        match self {
            Keep::Tab => window().session_storage(),
            Keep::Phone => window().local_storage(),
        }
        .ok()
        .flatten()
    }

    pub fn get(self, key: &str) -> Option<String> {
        self.storage()?.get_item(key).ok().flatten()
    }

    pub fn set(self, key: &str, value: &str) {
        if let Some(storage) = self.storage() {
            let _ = storage.set_item(key, value);
        }
    }

    pub fn remove(self, key: &str) {
        if let Some(storage) = self.storage() {
            let _ = storage.remove_item(key);
        }
    }
}

/// Runs `on_hidden` whenever the page is hidden (the user switches app, WeChat closes the
/// view): the last moment to keep what was typed.
pub fn on_page_hidden(on_hidden: impl Fn() + 'static) {
    let document = window().document().expect("a document");
    let watched = document.clone();
    let listener = Closure::<dyn Fn()>::new(move || {
        if watched.visibility_state() == web_sys::VisibilityState::Hidden {
            on_hidden();
        }
    });
    let _ = document.add_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
    // Listens for the whole visit.
    listener.forget();
}

/// Asks the user to confirm a destructive action (the browser's own dialog, which WeChat shows too).
pub fn confirm(question: &str) -> bool {
    window().confirm_with_message(question).unwrap_or(false)
}

/// Scrolls the window to the top (a new step starts at its title).
pub fn scroll_to_top() {
    window().scroll_to_with_x_and_y(0.0, 0.0);
}

/// The window's width in CSS pixels; 0 when the browser does not say.
pub fn viewport_width() -> f64 {
    window().inner_width().ok().and_then(|width| width.as_f64()).unwrap_or(0.0)
}

/// Milliseconds since the epoch, by the phone's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Moves keyboard focus to the element with this id (after an error summary link, say).
pub fn focus_by_id(id: &str) {
    if let Some(element) = window().document().and_then(|d| d.get_element_by_id(id)) {
        if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
            let _ = element.focus();
        }
    }
}

/// The first `n` bytes of a file the user picked, for checking its type by content.
pub async fn file_head(file: &web_sys::File, n: i32) -> Vec<u8> {
    let Ok(blob) = file.slice_with_i32_and_i32(0, n) else {
        return Vec::new();
    };
    match JsFuture::from(blob.array_buffer()).await {
        Ok(buffer) => js_sys::Uint8Array::new(&buffer).to_vec(),
        Err(_) => Vec::new(),
    }
}

/// A 1 MB photo on a weak 4G link (20 KB/s upstream) takes under a minute.
const UPLOAD_TIMEOUT_MS: u32 = 90_000;

/// POSTs `form` with `XMLHttpRequest`, which (unlike `fetch`) reports upload progress:
/// `on_progress` gets the share sent, 0.0 to 1.0. Sends the session cookie, the CSRF header
/// and `headers`.
pub async fn upload_form(
    url: &str,
    form: &web_sys::FormData,
    headers: &[(&str, &str)],
    on_progress: impl Fn(f64) + 'static,
) -> Result<FetchAnswer, FetchFailure> {
    use std::{cell::RefCell, rc::Rc};
    let xhr = web_sys::XmlHttpRequest::new().map_err(|_| FetchFailure::Network)?;
    xhr.open_with_async("POST", url, true).map_err(|_| FetchFailure::Network)?;
    xhr.set_with_credentials(true);
    xhr.set_timeout(UPLOAD_TIMEOUT_MS);
    for (name, value) in [("Accept", "application/json"), ("X-Taxicert-Csrf", "1")].iter().chain(headers) {
        xhr.set_request_header(name, value).map_err(|_| FetchFailure::Network)?;
    }
    let progress = Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
        if event.length_computable() && event.total() > 0.0 {
            on_progress(event.loaded() / event.total());
        }
    });
    xhr.upload().map_err(|_| FetchFailure::Network)?.set_onprogress(Some(progress.as_ref().unchecked_ref()));

    // One promise settles with how the request ended: "load", "timeout" or "error".
    let settle: Rc<RefCell<Option<js_sys::Function>>> = Rc::default();
    let ended = js_sys::Promise::new(&mut |resolve, _| *settle.borrow_mut() = Some(resolve));
    let outcome = |how: &'static str| {
        let settle = settle.clone();
        Closure::<dyn Fn()>::new(move || {
            if let Some(resolve) = settle.borrow_mut().take() {
                let _ = resolve.call1(&JsValue::NULL, &how.into());
            }
        })
    };
    let (on_load, on_error, on_timeout) = (outcome("load"), outcome("error"), outcome("timeout"));
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    xhr.set_onabort(Some(on_error.as_ref().unchecked_ref()));
    xhr.set_ontimeout(Some(on_timeout.as_ref().unchecked_ref()));
    xhr.send_with_opt_form_data(Some(form)).map_err(|_| FetchFailure::Network)?;
    let how = JsFuture::from(ended).await.ok().and_then(|v| v.as_string()).unwrap_or_default();
    // The handlers must outlive the request; they go now that it has ended.
    drop((progress, on_load, on_error, on_timeout));
    match how.as_str() {
        "load" => Ok(FetchAnswer {
            status: xhr.status().unwrap_or(0),
            body: xhr.response_text().ok().flatten().unwrap_or_default(),
        }),
        "timeout" => Err(FetchFailure::Timeout),
        _ => Err(FetchFailure::Network),
    }
}

/// Resolves after `ms` milliseconds.
pub async fn sleep_ms(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
    });
    let _ = JsFuture::from(promise).await;
}

/// Puts `text` on the clipboard (`navigator.clipboard.writeText`); false where the browser
/// has no clipboard API or refuses (an insecure page, a WebView without the permission).
pub async fn copy_text(text: &str) -> bool {
    let clipboard = js_sys::Reflect::get(&window().navigator(), &"clipboard".into()).unwrap_or(JsValue::UNDEFINED);
    let write = js_sys::Reflect::get(&clipboard, &"writeText".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(write) = write else { return false };
    match write.call1(&clipboard, &JsValue::from_str(text)) {
        Ok(promise) => JsFuture::from(js_sys::Promise::from(promise)).await.is_ok(),
        Err(_) => false,
    }
}

/// `n` random bytes from the browser's cryptographic generator, as hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    if let Ok(crypto) = window().crypto() {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A URL for showing `blob` in an `<img>`; give it back with [`revoke_object_url`].
pub fn object_url(blob: &web_sys::Blob) -> String {
    web_sys::Url::create_object_url_with_blob(blob).unwrap_or_default()
}

pub fn revoke_object_url(url: &str) {
    if !url.is_empty() {
        let _ = web_sys::Url::revoke_object_url(url);
    }
}

/// Runs `on_online` each time the browser gets its network back (the `online` event), for the
/// whole visit.
pub fn on_online(on_online: impl Fn() + 'static) {
    let listener = Closure::<dyn Fn()>::new(on_online);
    let _ = window().add_event_listener_with_callback("online", listener.as_ref().unchecked_ref());
    listener.forget();
}

/// Whether the page is open in WeChat's own browser (its user agent says `MicroMessenger`),
/// where Android does not download files such as the voucher's PDF.
pub fn in_wechat() -> bool {
    window().navigator().user_agent().is_ok_and(|agent| agent.contains("MicroMessenger"))
}

/// Whether the browser believes it has a network (`navigator.onLine`): `false` is sure, `true`
/// only means "maybe".
pub fn is_online() -> bool {
    window().navigator().on_line()
}

/// iOS Safari refuses canvases over 16,777,216 pixels; a larger photo is drawn smaller.
const CANVAS_MAX_PIXELS: f64 = 16_000_000.0;

/// A photo in a format the browser decodes but the photo pipeline does not (HEIC/HEIF, which
/// Safari and iOS WebViews read), redrawn as a JPEG by the browser itself, upright and at most
/// 16 MP; `None` where the browser cannot decode it (Chromium, most Android WebViews).
pub async fn convert_to_jpeg(file: &web_sys::File) -> Option<web_sys::Blob> {
    let bitmap: web_sys::ImageBitmap =
        JsFuture::from(window().create_image_bitmap_with_blob(file).ok()?).await.ok()?.dyn_into().ok()?;
    let (width, height) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    if width < 1.0 || height < 1.0 {
        return None;
    }
    let scale = (CANVAS_MAX_PIXELS / (width * height)).sqrt().min(1.0);
    let (w, h) = ((width * scale).round().max(1.0), (height * scale).round().max(1.0));
    let canvas: web_sys::HtmlCanvasElement = window().document()?.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(w as u32);
    canvas.set_height(h as u32);
    let context: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    context.draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, w, h).ok()?;
    bitmap.close();
    let settle: std::rc::Rc<std::cell::RefCell<Option<js_sys::Function>>> = Default::default();
    let done = js_sys::Promise::new(&mut |resolve, _| *settle.borrow_mut() = Some(resolve));
    let callback = Closure::<dyn Fn(JsValue)>::new(move |blob: JsValue| {
        if let Some(resolve) = settle.borrow_mut().take() {
            let _ = resolve.call1(&JsValue::NULL, &blob);
        }
    });
    canvas.to_blob_with_type_and_encoder_options(callback.as_ref().unchecked_ref(), "image/jpeg", &0.92.into()).ok()?;
    let blob = JsFuture::from(done).await.ok()?;
    drop(callback);
    blob.dyn_into().ok()
}

/// Whether `<html>` carries `name`.
pub fn root_attribute(name: &str) -> bool {
    window().document().and_then(|d| d.document_element()).is_some_and(|root| root.has_attribute(name))
}

/// Sets (`on`) or removes the attribute `name` on `<html>`.
pub fn set_root_attribute(name: &str, on: bool) {
    if let Some(root) = window().document().and_then(|d| d.document_element()) {
        let _ = if on { root.set_attribute(name, "") } else { root.remove_attribute(name) };
    }
}

/// Makes a text area as tall as its text (borders included), so that a long address is seen
/// whole, not scrolled inside a two-line box. Set through the CSSOM, which the page's CSP
/// (`style-src 'self'`) allows.
pub fn fit_to_text(area: &web_sys::HtmlElement) {
    let style = area.style();
    let _ = style.set_property("height", "auto");
    let borders = area.offset_height() - area.client_height();
    let _ = style.set_property("height", &format!("{}px", area.scroll_height() + borders));
}
