//! Phone + SMS code login, sessions and their limits, black-box.

use crate::common;

use std::sync::{Arc, Mutex};

use common::{assert_error_body, json, spawn, spawn_config, test_config, TestServer};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

const PHONE: &str = "13812345678";

async fn ask_code(server: &TestServer, phone: &str) -> reqwest::Response {
    server.post_json("/api/v1/auth/sms-codes", json!({ "phone": phone })).await
}

/// The newest code the dev sender kept for `phone`.
async fn outbox_code(server: &TestServer, phone: &str) -> String {
    let outbox = json(server.get("/api/v1/dev/sms-outbox").await).await;
    outbox
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["phone"] == phone)
        .map(|m| m["code"].as_str().unwrap().to_owned())
        .expect("a code in the outbox")
}

async fn login(server: &TestServer, phone: &str, code: &str) -> reqwest::Response {
    server.post_json("/api/v1/auth/session", json!({ "phone": phone, "code": code })).await
}

/// Logs in and returns the `Cookie` header value for the session.
async fn logged_in(server: &TestServer, phone: &str) -> String {
    assert_eq!(ask_code(server, phone).await.status(), StatusCode::ACCEPTED);
    let code = outbox_code(server, phone).await;
    let response = login(server, phone, &code).await;
    assert_eq!(response.status(), StatusCode::OK);
    cookie_of(&response)
}

fn cookie_of(response: &reqwest::Response) -> String {
    let set_cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

fn wrong(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

#[tokio::test]
async fn a_driver_logs_in_with_the_code_and_out_again() {
    let server = spawn().await;
    let response = ask_code(&server, PHONE).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let body = json(response).await;
    assert_eq!(body, json!({ "resend_after_seconds": 60, "expires_in_seconds": 300 }));
    let code = outbox_code(&server, PHONE).await;
    assert_eq!(code.len(), 6);

    let response = login(&server, PHONE, &code).await;
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(set_cookie.starts_with("taxicert_session="), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax") && set_cookie.contains("Path=/"));
    let cookie = cookie_of(&response);
    let me = json(response).await;
    assert_eq!(me["phone_masked"], "138****5678");
    assert_eq!(me["realname_status"], "none");

    let me = json(server.get_as("/api/v1/auth/session", &cookie).await).await;
    assert_eq!(me["me"]["phone_masked"], "138****5678");

    let response = server.send(Method::DELETE, "/api/v1/auth/session").header(header::COOKIE, &cookie).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.headers()[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    assert!(!signed_in(&server, &cookie).await);
    // The revoked session cannot log out again.
    let response = server.send(Method::DELETE, "/api/v1/auth/session").header(header::COOKIE, &cookie).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_error_body(&json(response).await, "unauthenticated");
}

/// Whether the cookie still opens a session.
async fn signed_in(server: &TestServer, cookie: &str) -> bool {
    let response = server.get_as("/api/v1/auth/session", cookie).await;
    assert_eq!(response.status(), StatusCode::OK);
    !json(response).await["me"].is_null()
}

#[tokio::test]
async fn without_a_session_nobody_is_signed_in() {
    let server = spawn().await;
    assert_eq!(json(server.get("/api/v1/auth/session").await).await, json!({ "me": null, "wechat_login": false, "number_token_url": null }));
    assert!(!signed_in(&server, "taxicert_session=forged-token").await);
    let response = server.send(Method::DELETE, "/api/v1/auth/session").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn known_and_unknown_numbers_get_identical_answers() {
    let server = spawn().await;
    logged_in(&server, PHONE).await;
    server.clock.advance(61);
    let known = ask_code(&server, PHONE).await;
    let unknown = ask_code(&server, "13900001111").await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(json(known).await, json(unknown).await);
}

#[tokio::test]
async fn bad_numbers_and_codes_are_refused_in_chinese() {
    let server = spawn().await;
    for phone in ["", "1381234567", "23812345678", "abc"] {
        let response = ask_code(&server, phone).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{phone}");
        assert_error_body(&json(response).await, "invalid_phone");
    }
    let response = login(&server, PHONE, "12345").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_error_body(&json(response).await, "invalid_code");
    let response = login(&server, PHONE, "123456").await;
    assert_error_body(&json(response).await, "code_missing");
}

#[tokio::test]
async fn five_wrong_tries_void_the_code() {
    let server = spawn().await;
    ask_code(&server, PHONE).await;
    let code = outbox_code(&server, PHONE).await;
    for left in (1..=4).rev() {
        let response = login(&server, PHONE, &wrong(&code)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body = json(response).await;
        assert_error_body(&body, "code_wrong");
        assert_eq!(body["tries_left"], left);
        assert!(body["message"].as_str().unwrap().contains(&format!("还可以再试{left}次")), "{body}");
    }
    let body = json(login(&server, PHONE, &wrong(&code)).await).await;
    assert_error_body(&body, "code_locked");
    // Even the right code no longer works.
    let body = json(login(&server, PHONE, &code).await).await;
    assert_error_body(&body, "code_locked");
}

#[tokio::test]
async fn a_code_expires_after_five_minutes() {
    let server = spawn().await;
    ask_code(&server, PHONE).await;
    let code = outbox_code(&server, PHONE).await;
    server.clock.advance(300);
    let body = json(login(&server, PHONE, &code).await).await;
    assert_error_body(&body, "code_expired");
}

#[tokio::test]
async fn a_code_works_once_and_only_for_its_number() {
    let server = spawn().await;
    ask_code(&server, PHONE).await;
    let code = outbox_code(&server, PHONE).await;
    let other = json(login(&server, "13900001111", &code).await).await;
    assert_error_body(&other, "code_missing");
    assert_eq!(login(&server, PHONE, &code).await.status(), StatusCode::OK);
    let again = json(login(&server, PHONE, &code).await).await;
    assert_error_body(&again, "code_missing");
}

#[tokio::test]
async fn a_new_code_waits_sixty_seconds_and_replaces_the_old_one() {
    let server = spawn().await;
    ask_code(&server, PHONE).await;
    let first = outbox_code(&server, PHONE).await;
    server.clock.advance(20);
    let response = ask_code(&server, PHONE).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()[header::RETRY_AFTER], "40");
    let body = json(response).await;
    assert_error_body(&body, "resend_too_soon");
    assert_eq!(body["retry_after_seconds"], 40);

    server.clock.advance(40);
    assert_eq!(ask_code(&server, PHONE).await.status(), StatusCode::ACCEPTED);
    let second = outbox_code(&server, PHONE).await;
    if first != second {
        let body = json(login(&server, PHONE, &first).await).await;
        assert!(body["code"] == "code_wrong", "the replaced code fails: {body}");
    }
    assert_eq!(login(&server, PHONE, &second).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_number_gets_at_most_the_daily_cap_of_codes() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    config.sms_daily_cap = 3;
    let server = spawn_config(dir, config).await;
    for _ in 0..3 {
        assert_eq!(ask_code(&server, PHONE).await.status(), StatusCode::ACCEPTED);
        server.clock.advance(61);
    }
    let response = ask_code(&server, PHONE).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let body = json(response).await;
    assert_error_body(&body, "daily_limit");
    // The window rolls: 24 hours after the first code, one more may be sent.
    let waited = body["retry_after_seconds"].as_i64().unwrap();
    assert_eq!(waited, 24 * 3600 - 3 * 61);
    server.clock.advance(waited);
    assert_eq!(ask_code(&server, PHONE).await.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn one_address_gets_at_most_the_hourly_limit_of_codes() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    config.sms_ip_hourly_limit = 2;
    let server = spawn_config(dir, config).await;
    assert_eq!(ask_code(&server, "13800000001").await.status(), StatusCode::ACCEPTED);
    assert_eq!(ask_code(&server, "13800000002").await.status(), StatusCode::ACCEPTED);
    let response = ask_code(&server, "13800000003").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_error_body(&json(response).await, "ip_limit");
    server.clock.advance(3600);
    assert_eq!(ask_code(&server, "13800000003").await.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn a_session_ends_after_thirty_idle_minutes() {
    let server = spawn().await;
    let cookie = logged_in(&server, PHONE).await;
    server.clock.advance(29 * 60);
    assert!(signed_in(&server, &cookie).await);
    server.clock.advance(29 * 60);
    assert!(signed_in(&server, &cookie).await, "each request extends it");
    server.clock.advance(31 * 60);
    assert!(!signed_in(&server, &cookie).await);
}

#[tokio::test]
async fn a_session_is_extended_at_most_once_a_minute() {
    // Reads do not write the session each time (SESSION_TOUCH_SECONDS): a request within the
    // first minute does not move the idle end, one after it does.
    let server = spawn().await;
    let cookie = logged_in(&server, PHONE).await;
    server.clock.advance(59);
    assert!(signed_in(&server, &cookie).await);
    server.clock.advance(30 * 60 - 59 + 1);
    assert!(!signed_in(&server, &cookie).await, "the request at 59 s did not extend it");

    let cookie = logged_in(&server, PHONE).await;
    server.clock.advance(60);
    assert!(signed_in(&server, &cookie).await);
    server.clock.advance(30 * 60);
    assert!(signed_in(&server, &cookie).await, "the request at 60 s extended it");
}

#[tokio::test]
async fn a_session_ends_twelve_hours_after_login_however_active() {
    let server = spawn().await;
    let cookie = logged_in(&server, PHONE).await;
    for _ in 0..(12 * 3) {
        server.clock.advance(20 * 60);
        assert!(signed_in(&server, &cookie).await);
    }
    server.clock.advance(20 * 60);
    assert!(!signed_in(&server, &cookie).await);
}

#[tokio::test]
async fn state_changing_requests_need_the_apps_header_and_origin() {
    let server = spawn().await;
    let url = format!("{}/api/v1/auth/sms-codes", server.base);
    let body = json!({ "phone": PHONE });
    let no_header = server.client.post(&url).json(&body).send().await.unwrap();
    assert_eq!(no_header.status(), StatusCode::FORBIDDEN);
    assert_error_body(&json(no_header).await, "csrf");
    let foreign = server
        .client
        .post(&url)
        .header("x-taxicert-csrf", "1")
        .header(header::ORIGIN, "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert_eq!(server.post_json("/api/v1/auth/sms-codes", body).await.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn an_allowed_origin_may_call_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    config.allowed_origins = vec!["https://cdn.example.cn".into()];
    let server = spawn_config(dir, config).await;
    let response = server
        .client
        .post(format!("{}/api/v1/auth/sms-codes", server.base))
        .header("x-taxicert-csrf", "1")
        .header(header::ORIGIN, "https://cdn.example.cn")
        .json(&json!({ "phone": PHONE }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_with_the_host_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    config.secure_cookies = true;
    let server = spawn_config(dir, config).await;
    ask_code(&server, PHONE).await;
    let code = outbox_code(&server, PHONE).await;
    let response = login(&server, PHONE, &code).await;
    let set_cookie = response.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(set_cookie.starts_with("__Host-taxicert_session=") && set_cookie.contains("; Secure"), "{set_cookie}");
    assert!(signed_in(&server, &cookie_of(&response)).await);
}

/// A stand-in SMS gateway on a free port that records what it receives, or fails.
async fn fake_gateway(fail: bool) -> (String, Arc<Mutex<Vec<(String, Value)>>>) {
    use axum::{http::HeaderMap, routing::post, Json, Router};
    let received = Arc::new(Mutex::new(Vec::new()));
    let seen = received.clone();
    let app = Router::new().route(
        "/send",
        post(move |headers: HeaderMap, Json(body): Json<Value>| {
            let seen = seen.clone();
            async move {
                let auth = headers.get("authorization").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
                seen.lock().unwrap().push((auth, body));
                if fail {
                    StatusCode::BAD_GATEWAY
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

#[tokio::test]
async fn the_gateway_sender_posts_the_code_and_the_outbox_is_gone() {
    let (url, received) = fake_gateway(false).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    config.dev = false;
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(&config.key_file, [7u8; 32]).unwrap();
    config.sms_gateway_url = Some(url);
    config.sms_gateway_key = Some("gateway-key".into());
    let server = spawn_config(dir, config).await;
    assert_eq!(ask_code(&server, PHONE).await.status(), StatusCode::ACCEPTED);
    let (auth, body) = received.lock().unwrap()[0].clone();
    assert_eq!(auth, "Bearer gateway-key");
    assert_eq!(body["phone"], PHONE);
    let code = body["params"]["code"].as_str().unwrap().to_owned();
    assert_eq!(server.get("/api/v1/dev/sms-outbox").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(login(&server, PHONE, &code).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_failing_gateway_is_a_clear_503_and_costs_no_cooldown() {
    let (url, received) = fake_gateway(true).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    config.sms_gateway_url = Some(url);
    config.sms_gateway_key = Some("k".into());
    let server = spawn_config(dir, config).await;
    let response = ask_code(&server, PHONE).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_error_body(&json(response).await, "sms_unavailable");
    assert_eq!(ask_code(&server, PHONE).await.status(), StatusCode::SERVICE_UNAVAILABLE, "no cooldown started");
    assert_eq!(received.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn outside_dev_mode_the_server_needs_a_key_and_a_gateway() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    config.dev = false;
    let err = taxicert_server::start(config.clone(), std::future::pending()).await.err().unwrap();
    assert!(err.to_string().contains("key file"), "{err}");
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(&config.key_file, [7u8; 32]).unwrap();
    let err = taxicert_server::start(config, std::future::pending()).await.err().unwrap();
    assert!(err.to_string().contains("SMS gateway"), "{err}");
}

#[tokio::test]
async fn the_audit_log_records_codes_logins_failures_and_logouts_without_secrets() {
    let server = spawn().await;
    ask_code(&server, PHONE).await;
    let code = outbox_code(&server, PHONE).await;
    login(&server, PHONE, &wrong(&code)).await;
    let response = login(&server, PHONE, &code).await;
    let cookie = cookie_of(&response);
    server.send(Method::DELETE, "/api/v1/auth/session").header(header::COOKIE, &cookie).send().await.unwrap();

    let pool = common::database(&server).await;
    type Row = (String, String, Option<String>, String, Option<i64>);
    let rows: Vec<Row> =
        sqlx::query_as("SELECT event, outcome, phone_masked, client_ip, user_id FROM audit_log ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    let events: Vec<(&str, &str)> = rows.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect();
    assert_eq!(
        events,
        [("sms_code_sent", "ok"), ("login_failed", "code_wrong"), ("login", "ok"), ("logout", "ok")]
    );
    assert!(rows.iter().all(|r| r.3 == "127.0.0.1"));
    assert_eq!(rows[0].2.as_deref(), Some("138****5678"));
    assert!(rows[2].4.is_some() && rows[3].4 == rows[2].4);
    // Neither the code nor the full number is stored in clear anywhere but where it must be.
    let codes: Vec<(Vec<u8>,)> = sqlx::query_as("SELECT code_mac FROM sms_codes").fetch_all(&pool).await.unwrap();
    assert!(codes.iter().all(|(mac,)| mac.len() == 32 && !mac.windows(6).any(|w| w == code.as_bytes())));
}
