//! Health, the catalogue, the entry pages and the basics every answer shares.

use crate::common;

use common::{assert_error_body, json, spawn, spawn_with, TestServer};
use reqwest::{header, StatusCode};
use taxicert_server::Config;

#[tokio::test]
async fn health_answers_ok_with_the_database() {
    let server = spawn().await;
    let response = server.get("/api/v1/health").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json(response).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    if let Some(file) = server.database.sqlite_path() {
        assert!(file.exists(), "the SQLite file is created under data/");
    }
}

#[tokio::test]
async fn the_service_list_has_the_five_businesses_in_order() {
    let server = spawn().await;
    let body = json(server.get("/api/v1/businesses").await).await;
    let codes: Vec<&str> = body.as_array().unwrap().iter().map(|b| b["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["reissue", "renewal", "change", "cancellation", "credit_assessment"]);
    let names: Vec<&str> = body.as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["从业资格证补发", "从业资格证换发", "从业资格证变更", "从业资格证注销", "服务质量信誉考核"]);
    for business in body.as_array().unwrap() {
        assert!(!business["description"].as_str().unwrap().is_empty());
    }
    // The app and index.html draw the shipped list before this answer arrives.
    let served: Vec<taxicert_api::BusinessSummary> = serde_json::from_value(body).unwrap();
    assert_eq!(served, taxicert_api::BusinessSummary::shipped());
}

#[tokio::test]
async fn renewal_asks_for_the_four_materials_of_the_public_guide() {
    let server = spawn().await;
    let body = json(server.get("/api/v1/businesses/renewal").await).await;
    assert_eq!(body["name"], "从业资格证换发");
    let materials: Vec<&str> =
        body["materials"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(
        materials,
        ["近期二寸正面免冠彩色证件照", "机动车驾驶证", "从业资格证个人信息页", "从业资格证违章记录页"]
    );
    assert!(body["materials"].as_array().unwrap().iter().all(|m| m["required"] == true));
    let notice = body["notice"].as_array().unwrap();
    assert!(notice.len() >= 3);
    assert!(notice.iter().any(|p| p.as_str().unwrap().contains("2个工作日内受理")));
}

#[tokio::test]
async fn every_business_has_a_notice_and_a_required_material() {
    let server = spawn().await;
    for code in ["reissue", "renewal", "change", "cancellation", "credit_assessment"] {
        let response = server.get(&format!("/api/v1/businesses/{code}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{code}");
        let body = json(response).await;
        assert_eq!(body["code"], code);
        assert!(!body["notice"].as_array().unwrap().is_empty(), "{code}");
        assert!(body["materials"].as_array().unwrap().iter().any(|m| m["required"] == true), "{code}");
    }
}

/// Every string in `value`, with where it is, e.g. `reissue.notice[3]`.
fn strings<'a>(value: &'a serde_json::Value, at: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        serde_json::Value::String(s) => out.push((at, s)),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                strings(item, format!("{at}[{i}]"), out);
            }
        }
        serde_json::Value::Object(fields) => {
            for (key, field) in fields {
                strings(field, format!("{at}.{key}"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn the_catalogue_as_served_uses_chinese_punctuation() {
    // A fresh database: the catalogue as the migrations leave it, 0011 included.
    let server = spawn().await;
    let mut served = vec![("businesses".to_owned(), json(server.get("/api/v1/businesses").await).await)];
    for code in ["reissue", "renewal", "change", "cancellation", "credit_assessment"] {
        served.push((code.to_owned(), json(server.get(&format!("/api/v1/businesses/{code}")).await).await));
    }
    served.push(("service-halls".to_owned(), json(server.get("/api/v1/service-halls").await).await));
    served.push(("not_found".to_owned(), json(server.get("/api/v1/businesses/renew").await).await));
    let mut texts = Vec::new();
    for (name, body) in &served {
        strings(body, name.clone(), &mut texts);
    }
    assert!(texts.iter().filter(|(_, t)| t.chars().any(taxicert_testkit::punctuation::is_chinese)).count() > 50);
    // The notices, hints and halls: full-width marks (GB/T 15834-2011), sizes as `10 MB`.
    let slips: Vec<String> = texts
        .iter()
        .filter(|(_, text)| !taxicert_testkit::punctuation::slips(text).is_empty())
        .map(|(at, text)| format!("{at}: {text}"))
        .collect();
    assert!(slips.is_empty(), "half-width punctuation in Chinese text:\n{}", slips.join("\n"));
    let notice = served[2].1["notice"].as_array().unwrap();
    assert!(notice.iter().any(|p| p.as_str().unwrap().contains("单张不超过10 MB，")), "{notice:?}");
}

#[tokio::test]
async fn an_unknown_business_is_a_json_404_in_chinese() {
    let server = spawn().await;
    let response = server.get("/api/v1/businesses/renew").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert_error_body(&json(response).await, "not_found");
}

#[tokio::test]
async fn unknown_api_paths_are_json_404s_not_the_spa_shell() {
    let server = spawn().await;
    for path in ["/api/v1/nothing-here", "/api/v2/businesses", "/api"] {
        let response = server.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_error_body(&json(response).await, "not_found");
    }
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405() {
    let server = spawn().await;
    let response = server.send(reqwest::Method::POST, "/api/v1/businesses").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_error_body(&json(response).await, "method_not_allowed");
}

#[tokio::test]
async fn materials_follow_the_answers_of_each_business() {
    let server = spawn().await;
    let materials = |body: &serde_json::Value| {
        body["materials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["code"].as_str().unwrap().to_owned(), m["required"].as_bool().unwrap(), m["condition"].clone()))
            .collect::<Vec<_>>()
    };
    let reissue = json(server.get("/api/v1/businesses/reissue").await).await;
    let reissue = materials(&reissue);
    let damaged = reissue.iter().find(|m| m.0 == "damaged_certificate").unwrap();
    assert_eq!((damaged.1, &damaged.2), (true, &serde_json::json!({ "when": "reissue_reason", "reason": "damaged" })));
    let statement = reissue.iter().find(|m| m.0 == "loss_statement").unwrap();
    assert_eq!(
        (statement.1, &statement.2),
        (false, &serde_json::json!({ "when": "reissue_reason", "reason": "lost" }))
    );
    let change = materials(&json(server.get("/api/v1/businesses/change").await).await);
    let change: Vec<(&str, bool, serde_json::Value)> =
        change.iter().map(|(c, r, w)| (c.as_str(), *r, w.clone())).collect();
    assert_eq!(
        change,
        [
            ("cert_info_page", true, serde_json::Value::Null),
            ("change_proof", true, serde_json::json!({ "when": "change", "item": "address" })),
            ("driving_licence", true, serde_json::json!({ "when": "change", "item": "licence_class" })),
            ("employment_proof", true, serde_json::json!({ "when": "change", "item": "employer" })),
        ]
    );
    for code in ["renewal", "cancellation", "credit_assessment"] {
        let body = json(server.get(&format!("/api/v1/businesses/{code}")).await).await;
        assert!(materials(&body).iter().all(|m| m.2.is_null()), "{code}");
    }
    // One photo slot for the driving licence: its hint asks for both pages in that one photo.
    let renewal = json(server.get("/api/v1/businesses/renewal").await).await;
    let licence = renewal["materials"].as_array().unwrap().iter().find(|m| m["code"] == "driving_licence").unwrap();
    assert!(licence["hint"].as_str().unwrap().contains("拍在同一张照片里"), "{licence}");
}

#[tokio::test]
async fn a_material_condition_the_contract_does_not_know_is_a_server_error() {
    let server = spawn().await;
    let pool = common::database(&server).await;
    sqlx::query("UPDATE business_materials SET condition = 'weather=rain' WHERE material_code = 'change_proof'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let response = server.get("/api/v1/businesses/change").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = json(response).await;
    assert_error_body(&body, "internal");
    assert!(!body.to_string().contains("weather"), "{body}");
    // The other businesses are unaffected.
    assert_eq!(server.get("/api/v1/businesses/renewal").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_database_failure_answers_a_safe_message_without_details() {
    let server = spawn().await;
    // Break the schema behind the server's back.
    let pool = common::database(&server).await;
    if server.database.sqlite_path().is_some() {
        sqlx::query("PRAGMA foreign_keys = OFF").execute(&pool).await.unwrap();
    }
    sqlx::query("DROP TABLE business_materials").execute(&pool).await.unwrap();
    pool.close().await;
    let response = server.get("/api/v1/businesses/renewal").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let text = response.text().await.unwrap();
    assert!(!text.contains("business_materials") && !text.to_lowercase().contains("sql"), "{text}");
    assert_error_body(&serde_json::from_str(&text).unwrap(), "internal");
}

#[tokio::test]
async fn api_answers_are_never_cached_and_carry_the_security_headers() {
    let server = spawn().await;
    let response = server.get("/api/v1/businesses").await;
    let h = response.headers();
    assert_eq!(h[header::CACHE_CONTROL], "no-store");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::REFERRER_POLICY], "same-origin");
    let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
}

#[tokio::test]
async fn deep_links_get_the_shell_with_a_policy_allowing_exactly_its_inline_scripts() {
    let server = spawn().await;
    for (path, page) in [
        ("/", "shell"),
        ("/login", "shell"),
        ("/no/such/page", "shell"),
        ("/cases/42", "driver"),
        ("/apply/renewal/notice", "driver"),
        ("/staff", "console"),
        ("/staff/cases/TC1", "console"),
    ] {
        let response = server.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache", "{path}");
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
        // The boot script the pages share, and each page's loader.
        assert_eq!(csp.matches("'sha256-").count(), 4, "{csp}");
        assert!(!csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"), "{csp}");
        assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
        assert!(response.text().await.unwrap().contains(page), "{path}");
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_missing_ones_are_404() {
    let server = spawn().await;
    let response = server.get("/taxicert-0123456789abcdef.js").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    let response = server.get("/config.json").await;
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
    let response = server.get("/taxicert-fedcba9876543210.js").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_ne!(response.headers()[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
}

async fn get_encoded(server: &TestServer, path: &str, accept: &str) -> reqwest::Response {
    let request = server.client.get(format!("{}{path}", server.base));
    let request = if accept.is_empty() { request } else { request.header(header::ACCEPT_ENCODING, accept) };
    request.send().await.unwrap()
}

#[tokio::test]
async fn files_are_sent_as_the_build_compressed_them() {
    let server = spawn().await;
    let dist = server.dir.path().join("dist");
    std::fs::write(dist.join("app-0123456789abcdef_bg.wasm"), b"the wasm itself").unwrap();
    std::fs::write(dist.join("app-0123456789abcdef_bg.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(dist.join("app-0123456789abcdef_bg.wasm.gz"), b"gzip bytes").unwrap();
    for (accept, encoding, body) in [
        ("gzip, deflate, br", Some("br"), "brotli bytes"),
        ("gzip", Some("gzip"), "gzip bytes"),
        ("", None, "the wasm itself"),
    ] {
        let response = get_encoded(&server, "/app-0123456789abcdef_bg.wasm", accept).await;
        assert_eq!(response.status(), StatusCode::OK, "{accept}");
        let h = response.headers();
        assert_eq!(h.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()), encoding, "{accept}");
        assert_eq!(h[header::CONTENT_TYPE], "application/wasm", "{accept}");
        assert_eq!(h[header::VARY], "accept-encoding", "{accept}");
        assert_eq!(h[header::CACHE_CONTROL], "public, max-age=31536000, immutable", "{accept}");
        assert_eq!(response.bytes().await.unwrap(), body.as_bytes(), "{accept}");
    }
}

#[tokio::test]
async fn files_the_build_did_not_compress_are_not_compressed_on_the_fly() {
    let server = spawn().await;
    std::fs::write(server.dir.path().join("dist/big-0123456789abcdef.wasm"), vec![0u8; 64 * 1024]).unwrap();
    let response = get_encoded(&server, "/big-0123456789abcdef.wasm", "br, gzip").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(response.bytes().await.unwrap().len(), 64 * 1024);
}

#[tokio::test]
async fn pages_and_api_answers_are_compressed_for_clients_that_accept_it() {
    let server = spawn().await;
    for (path, body) in [("/", "shell"), ("/cases", "driver"), ("/staff/cases", "console")] {
        for (accept, encoding) in [("gzip, deflate, br", Some("br")), ("gzip", Some("gzip")), ("", None)] {
            let response = get_encoded(&server, path, accept).await;
            assert_eq!(response.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()), encoding);
            assert_eq!(response.headers()[header::VARY], "accept-encoding");
            let bytes = response.bytes().await.unwrap();
            let text = match encoding {
                Some("br") => {
                    let mut out = Vec::new();
                    brotli::BrotliDecompress(&mut &bytes[..], &mut out).unwrap();
                    String::from_utf8(out).unwrap()
                }
                Some(_) => {
                    let mut out = String::new();
                    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out).unwrap();
                    out
                }
                None => String::from_utf8(bytes.to_vec()).unwrap(),
            };
            assert!(text.contains(body), "{path} {accept}: {text}");
        }
    }
    let response = get_encoded(&server, "/api/v1/businesses", "br").await;
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
}

#[tokio::test]
async fn the_spa_can_live_under_a_sub_path() {
    let server = spawn_with("/taxicert", tempfile::tempdir().unwrap()).await;
    let response = server.get("/taxicert").await;
    assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(response.headers()[header::LOCATION], "/taxicert/");
    for (path, page) in [("/taxicert/", "shell"), ("/taxicert/cases/42", "driver"), ("/taxicert/no/such/page", "shell")] {
        let response = server.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let html = response.text().await.unwrap();
        assert!(html.contains(page), "{path}: {html}");
        assert!(html.starts_with("<!doctype html><html><head><base href=\"/taxicert/\">"), "{html}");
    }
    assert_eq!(server.get("/taxicert/taxicert-0123456789abcdef.js").await.status(), StatusCode::OK);
    assert_eq!(server.get("/elsewhere").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(server.get("/api/v1/health").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_restart_reuses_the_database_and_migrations_run_once() {
    let server = spawn().await;
    let dir = server.stop().await;
    let server = spawn_with("/", dir).await;
    let body = json(server.get("/api/v1/businesses").await).await;
    assert_eq!(body.as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn without_a_built_app_pages_say_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_with("/", dir).await;
    std::fs::remove_file(server.dir.path().join("dist/index.html")).unwrap();
    // The shell is read at start-up: restart to see the unbuilt state.
    let database = server.database.clone();
    let dir = server.stop().await;
    let config = Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        database,
        dist: dir.path().join("dist"),
        key_file: dir.path().join("data/taxicert.key"),
        upload_dir: dir.path().join("data/uploads"),
        dev: true,
        ..Config::default()
    };
    let running = taxicert_server::start(config, std::future::pending()).await.unwrap();
    let response = reqwest::get(format!("http://{}/", running.addr)).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.text().await.unwrap().contains("make run"));
    running.task.abort();
}

#[test]
fn the_committed_openapi_yaml_is_what_the_server_serves() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml"))
        .expect("openapi.yaml at the repository root");
    let generated = taxicert_server::openapi_yaml();
    if committed != generated {
        // For `diff openapi.yaml target/tmp/openapi.generated.yaml`.
        let _ = std::fs::write(concat!(env!("CARGO_TARGET_TMPDIR"), "/openapi.generated.yaml"), &generated);
    }
    assert!(
        committed == generated,
        "openapi.yaml differs from the server's routes: run `make openapi` and commit the result"
    );
    assert!(generated.starts_with("openapi: 3.1"), "OpenAPI 3.1");
}
