//! Serving the built SPA and the headers every answer carries: the Content-Security-Policy,
//! the caching rules, and the history fallback that answers deep links with `index.html`.

use std::{convert::Infallible, path::Path, sync::Arc};

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use sha2::{Digest, Sha256};
use taxicert_api::API_PREFIX;
use tower::{service_fn, ServiceExt};
use tower_http::services::ServeDir;

/// `index.html` as built, and the policy that allows exactly its inline scripts.
#[derive(Clone, Debug)]
pub struct Shell {
    /// `None` when `dist/` has not been built: the API still works, pages say how to build.
    pub index_html: Option<Arc<str>>,
    pub csp: Arc<str>,
}

impl Shell {
    /// Reads `dist/index.html` and pins its `<base>` to `base_path`, which this server knows:
    /// the browser's preload scanner then fetches the right files at once, and unknown deep
    /// paths under a sub-path still find the app.
    pub fn load(dist: &Path, base_path: &str, connect_src: &[String]) -> Shell {
        let index_html = std::fs::read_to_string(dist.join("index.html")).ok().map(|html| with_base(&html, base_path));
        if index_html.is_none() {
            tracing::warn!(dist = %dist.display(), "no index.html in the dist folder: run `make run` to build the app");
        }
        let csp = content_security_policy(index_html.as_deref().unwrap_or(""), connect_src);
        Shell { index_html: index_html.map(Into::into), csp: csp.into() }
    }
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
pub fn content_security_policy(index_html: &str, connect_src: &[String]) -> String {
    let script_hashes: String =
        inline_scripts(index_html).map(|s| format!(" 'sha256-{}'", BASE64.encode(Sha256::digest(s)))).collect();
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

/// The SPA under its base path: `index.html` (with its `<base>`) for the folder itself and
/// for any path without a file extension (the history fallback), files from `dist/` for the
/// rest. A missing file with an extension is a plain 404, so that a stale script URL never
/// receives HTML.
pub fn spa_service(
    dist: &Path,
    shell: Shell,
) -> impl tower::Service<Request, Response = Response, Error = Infallible, Future = impl Send> + Clone {
    let files = ServeDir::new(dist).append_index_html_on_directories(false);
    service_fn(move |request: Request| {
        let shell = shell.clone();
        let files = files.clone();
        async move {
            if is_page_path(request.uri().path()) {
                return Ok(shell_page(&shell));
            }
            match files.oneshot(request).await {
                Ok(response) if response.status() == StatusCode::NOT_FOUND => {
                    Ok((StatusCode::NOT_FOUND, "Not Found").into_response())
                }
                Ok(response) => Ok(response.map(Body::new)),
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

/// `index.html` with its `<base>`, or how to build it when it is not built.
fn shell_page(shell: &Shell) -> Response {
    match &shell.index_html {
        Some(html) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .body(Body::from(html.to_string()))
            .expect("static response parts are valid"),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "页面尚未构建:请在项目目录运行 make run。\nThe app has not been built: run `make run`.",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(html, "<html><head><base href=\"/taxicert/\"><meta charset=\"utf-8\"><script>boot()</script></head></html>");
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
        let shell = Shell { index_html: Some("<html>shell</html>".into()), csp: "".into() };
        assert_eq!(shell_page(&shell).status(), StatusCode::OK);
        let unbuilt = Shell { index_html: None, csp: "".into() };
        assert_eq!(shell_page(&unbuilt).status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
