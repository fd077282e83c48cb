//! Serving the built SPA and the headers every answer carries: the Content-Security-Policy,
//! the caching rules, and the history fallback that answers deep links with `index.html`.

use std::{collections::HashMap, convert::Infallible, io::Write, path::Path, sync::Arc};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use sha2::{Digest, Sha256};
use taxicert_api::{entry_page, API_PREFIX, ENTRY_PAGES};
use tower::{service_fn, ServiceExt};
use tower_http::services::ServeDir;

/// One entry page as built (one of [`ENTRY_PAGES`]), with
/// its `<base>` pinned, and the same bytes compressed once at start-up: the page is small but
/// is fetched on every load, and no answer of this server is compressed on the fly.
#[derive(Clone, Debug)]
pub struct Page {
    pub html: Arc<str>,
    /// Brotli, quality 11.
    br: Bytes,
    /// gzip, level 9.
    gzip: Bytes,
}

impl Page {
    fn new(html: String) -> Page {
        let br = {
            let mut out = Vec::new();
            let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
            writer.write_all(html.as_bytes()).expect("writing to memory");
            drop(writer);
            out
        };
        let gzip = {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            encoder.write_all(html.as_bytes()).expect("writing to memory");
            encoder.finish().expect("writing to memory")
        };
        Page { html: html.into(), br: br.into(), gzip: gzip.into() }
    }
}

/// The built entry pages, and the policy that allows exactly their inline scripts.
#[derive(Clone, Debug)]
pub struct Shell {
    /// Each of [`ENTRY_PAGES`] as built, by its path under `dist/`. A page that is missing
    /// (`dist/` not built) is answered with how to build it; the API works regardless.
    pages: Arc<HashMap<&'static str, Page>>,
    pub csp: Arc<str>,
}

impl Shell {
    /// Reads the entry pages (`index.html`, `driver/index.html`, `staff/index.html`) and pins
    /// their `<base>` to `base_path`, which this server knows: the browser's preload scanner
    /// then fetches the right files at once, and unknown deep paths under a sub-path still
    /// find the app.
    pub fn load(dist: &Path, base_path: &str, connect_src: &[String]) -> Shell {
        let pages: HashMap<&'static str, String> = ENTRY_PAGES
            .iter()
            .filter_map(|(_, page)| {
                let html = std::fs::read_to_string(dist.join(page)).ok()?;
                Some((*page, with_base(&html, base_path)))
            })
            .collect();
        if pages.len() < ENTRY_PAGES.len() {
            tracing::warn!(dist = %dist.display(), "the dist folder lacks an entry page: run `make run` to build the app");
        }
        let all: String = pages.values().map(String::as_str).collect();
        let csp = content_security_policy(&all, connect_src);
        Shell {
            pages: Arc::new(pages.into_iter().map(|(name, html)| (name, Page::new(html))).collect()),
            csp: csp.into(),
        }
    }

    /// The page that answers the app's `path` (relative to the base), by [`entry_page`].
    fn page_for(&self, path: &str) -> Option<&Page> {
        self.pages.get(entry_page(path))
    }
}

/// `scheme://host[:port]` of an `http(s)://` address, as a CSP source; `None` for anything else.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://").filter(|(s, _)| matches!(*s, "http" | "https"))?;
    let host = rest.split(['/', '?', '#']).next().filter(|h| !h.is_empty() && !h.contains(['\'', ';', ' ']))?;
    Some(format!("{scheme}://{host}"))
}

/// `html` with `<base href="{base_path}">` as the first element of its head.
fn with_base(html: &str, base_path: &str) -> String {
    match html.find("<head>") {
        Some(at) => {
            let end = at + "<head>".len();
            format!("{}<base href=\"{}\">{}", &html[..end], base_path.replace(['"', '<', '>', '&'], ""), &html[end..])
        }
        None => html.to_owned(),
    }
}

/// The policy: no `unsafe-inline`, no `unsafe-eval`. Inline scripts (Trunk's loader and our
/// base-path boot script) are allowed by their SHA-256, so any change to them changes the policy.
pub fn content_security_policy(pages: &str, connect_src: &[String]) -> String {
    let mut hashes: Vec<String> =
        inline_scripts(pages).map(|s| format!(" 'sha256-{}'", BASE64.encode(Sha256::digest(s)))).collect();
    // Both entry pages carry the same boot script.
    hashes.sort();
    hashes.dedup();
    let script_hashes = hashes.concat();
    let extra_connect: String = connect_src.iter().map(|o| format!(" {o}")).collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{script_hashes}; style-src 'self'; \
         img-src 'self' data: blob:; font-src 'self'; connect-src 'self'{extra_connect}; \
         worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The bodies of `<script>` elements without a `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || loop {
        let start = rest.find("<script")?;
        let after_tag = &rest[start..];
        let tag_end = after_tag.find('>')?;
        let tag = &after_tag[..tag_end];
        let body_and_rest = &after_tag[tag_end + 1..];
        let close = body_and_rest.find("</script>")?;
        let body = &body_and_rest[..close];
        rest = &body_and_rest[close + "</script>".len()..];
        if !tag.contains(" src=") {
            return Some(body);
        }
    })
}

/// Trunk names built assets `name-<16 hex digits>.ext`: those never change and may be cached for a year.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.rsplit_once('.').map_or(file, |(stem, _extension)| stem);
    // Trunk appends `_bg` to the wasm file after the hash.
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        // The hash is a u64 printed in hex without leading zeros: rarely fewer than 16 digits.
        Some((_, hash)) => (10..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        None => false,
    }
}

/// Adds the security headers to every answer and the cache rule that fits the path.
pub async fn headers(State(shell): State<Shell>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let cache = if path.starts_with(API_PREFIX) || path == "/api" || path.starts_with("/api/") {
        "no-store"
    } else if is_hashed_asset(&path) && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        // index.html, config.json and the worker files are revalidated on every load.
        "no-cache"
    };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(csp) = HeaderValue::from_str(&shell.csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("geolocation=(), microphone=(), payment=(), usb=()"),
    );
    h.insert(HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin"));
    response
}

/// The SPA under its base path: the entry page (with its `<base>`) for the folder itself and
/// for any path without a file extension (the history fallback; the page by
/// [`entry_page`]), files from `dist/` for the rest. Files are sent as the build compressed them
/// (`name.br`, `name.gz`, see `scripts/precompress.mjs`) where the browser accepts that, and
/// as they are otherwise. A missing file with an extension is a plain 404, so that a stale
/// script URL never receives HTML.
pub fn spa_service(
    dist: &Path,
    shell: Shell,
) -> impl tower::Service<Request, Response = Response, Error = Infallible, Future = impl Send> + Clone {
    let files = ServeDir::new(dist).append_index_html_on_directories(false).precompressed_br().precompressed_gzip();
    service_fn(move |request: Request| {
        let shell = shell.clone();
        let files = files.clone();
        async move {
            let path = request.uri().path();
            if is_page_path(path) {
                let encoding = Encoding::preferred(request.headers().get(header::ACCEPT_ENCODING));
                return Ok(shell_page(shell.page_for(path), encoding));
            }
            match files.oneshot(request).await {
                Ok(response) if response.status() == StatusCode::NOT_FOUND => {
                    Ok((StatusCode::NOT_FOUND, "Not Found").into_response())
                }
                Ok(mut response) => {
                    // The same URL answers differently by Accept-Encoding: caches must know.
                    response.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
                    Ok(response.map(Body::new))
                }
                Err(never) => match never {},
            }
        }
    })
}

/// A page of the app rather than a file: no extension in the last segment, or `index.html`.
fn is_page_path(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    !last.contains('.') || last == "index.html"
}

/// The content codings this server has ready, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// The best coding an `Accept-Encoding` header allows (RFC 9110 §12.5.3): a coding with
    /// `q=0` is refused, `*` stands for any coding not named.
    fn preferred(header: Option<&HeaderValue>) -> Encoding {
        let Some(value) = header.and_then(|h| h.to_str().ok()) else {
            return Encoding::Identity;
        };
        let weight = |coding: &str| -> Option<f32> {
            let mut any = None;
            for item in value.split(',') {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
                let q = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                if name == coding {
                    return Some(q);
                }
                if name == "*" {
                    any = Some(q);
                }
            }
            any
        };
        [(Encoding::Brotli, "br"), (Encoding::Gzip, "gzip")]
            .into_iter()
            .filter_map(|(encoding, name)| weight(name).filter(|q| *q > 0.0).map(|q| (encoding, q)))
            // The first of equal weights wins: brotli is the smaller.
            .fold(None, |best: Option<(Encoding, f32)>, (encoding, q)| match best {
                Some((_, best_q)) if best_q >= q => best,
                _ => Some((encoding, q)),
            })
            .map_or(Encoding::Identity, |(encoding, _)| encoding)
    }
}

/// The entry page with its `<base>`, in `encoding`, or how to build it when it is not built.
fn shell_page(page: Option<&Page>, encoding: Encoding) -> Response {
    let Some(page) = page else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "页面尚未构建：请在项目目录运行 make run。\nThe app has not been built: run `make run`.",
        )
            .into_response();
    };
    let builder = Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::VARY, "accept-encoding");
    let answer = match encoding {
        Encoding::Brotli => builder.header(header::CONTENT_ENCODING, "br").body(Body::from(page.br.clone())),
        Encoding::Gzip => builder.header(header::CONTENT_ENCODING, "gzip").body(Body::from(page.gzip.clone())),
        Encoding::Identity => builder.body(Body::from(page.html.to_string())),
    };
    answer.expect("static response parts are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_is_the_scheme_and_host_of_an_address() {
        assert_eq!(origin_of("https://carrier.example.cn:8443/h5/token?x=1").as_deref(), Some("https://carrier.example.cn:8443"));
        assert_eq!(origin_of("http://127.0.0.1:9000/token").as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(origin_of("javascript:alert(1)"), None);
        assert_eq!(origin_of("https://"), None);
        assert_eq!(origin_of("https://a.cn; script-src *"), None);
    }

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = r#"<head><script>boot()</script><script src="/a.js"></script>
            <script type="module">import x from './x.js';</script></head>"#;
        let scripts: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(scripts, vec!["boot()", "import x from './x.js';"]);
        let csp = content_security_policy(html, &[]);
        assert_eq!(csp.matches("'sha256-").count(), 2, "{csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"), "{csp}");
    }

    #[test]
    fn the_hash_is_the_base64_sha256_of_the_script_body() {
        // echo -n 'boot()' | openssl dgst -sha256 -binary | base64
        let csp = content_security_policy("<script>boot()</script>", &[]);
        assert!(csp.contains("'sha256-MeZS89WlF0u+o0hCvHTBt4q1WHU+U+sJKgbdRUc36mY='"), "{csp}");
    }

    #[test]
    fn extra_api_origins_are_allowed_to_connect() {
        let csp = content_security_policy("", &["https://api.example.cn".into()]);
        assert!(csp.contains("connect-src 'self' https://api.example.cn;"), "{csp}");
    }

    #[test]
    fn the_base_is_pinned_first_in_the_head() {
        let html = with_base("<html><head><meta charset=\"utf-8\"><script>boot()</script></head></html>", "/taxicert/");
        assert_eq!(
            html,
            "<html><head><base href=\"/taxicert/\"><meta charset=\"utf-8\"><script>boot()</script></head></html>"
        );
    }

    #[test]
    fn trunk_hashed_names_are_recognised() {
        assert!(is_hashed_asset("/taxicert-4f3c2a1b0e9d8c7a.js"));
        assert!(is_hashed_asset("/sub/taxicert-4f3c2a1b0e9d8c7a_bg.wasm"));
        assert!(is_hashed_asset("/weui.min-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/config.json"));
        assert!(!is_hashed_asset("/cases/12"));
        assert!(!is_hashed_asset("/taxicert-xyz.js"));
    }

    #[test]
    fn deep_links_are_pages_and_files_are_not() {
        for page in ["/", "/cases/42", "/apply/renewal/notice", "/taxicert/index.html"] {
            assert!(is_page_path(page), "{page}");
        }
        for file in ["/taxicert-0123456789abcdef.js", "/config.json", "/sub/favicon-0123456789abcdef.svg"] {
            assert!(!is_page_path(file), "{file}");
        }
    }

    #[test]
    fn the_shell_is_served_or_says_how_to_build_it() {
        let page = Page::new("<html>shell</html>".into());
        assert_eq!(shell_page(Some(&page), Encoding::Identity).status(), StatusCode::OK);
        assert_eq!(shell_page(None, Encoding::Brotli).status(), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn each_entry_answers_its_own_pages() {
        let pages = [("index.html", "front"), ("driver/index.html", "driver"), ("staff/index.html", "clerks")];
        let shell = Shell {
            pages: Arc::new(pages.into_iter().map(|(name, html)| (name, Page::new(html.into()))).collect()),
            csp: "".into(),
        };
        for (path, page) in [
            ("/", "front"),
            ("/login", "front"),
            ("/no/such/page", "front"),
            ("/staffing", "front"),
            ("/realname", "driver"),
            ("/apply/renewal/info", "driver"),
            ("/cases/1", "driver"),
            ("/verify/V1", "driver"),
            ("/staff", "clerks"),
            ("/staff/cases/TC1", "clerks"),
        ] {
            assert_eq!(&*shell.page_for(path).unwrap().html, page, "{path}");
        }
    }

    #[test]
    fn the_best_accepted_encoding_is_chosen() {
        let pick = |value: &str| Encoding::preferred(Some(&HeaderValue::from_str(value).unwrap()));
        assert_eq!(Encoding::preferred(None), Encoding::Identity);
        assert_eq!(pick("gzip, deflate, br, zstd"), Encoding::Brotli);
        assert_eq!(pick("gzip, deflate"), Encoding::Gzip);
        assert_eq!(pick("br;q=0, gzip"), Encoding::Gzip);
        assert_eq!(pick("br;q=0.5, gzip;q=0.8"), Encoding::Gzip);
        assert_eq!(pick("*"), Encoding::Brotli);
        assert_eq!(pick("*;q=0"), Encoding::Identity);
        assert_eq!(pick("identity"), Encoding::Identity);
        assert_eq!(pick("BR"), Encoding::Brotli);
    }
}
