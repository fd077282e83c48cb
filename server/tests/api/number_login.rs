//! 本机号码一键登录 against a fake carrier number-verification gateway on loopback speaking
//! the adapter protocol (README): the token address answers `{"token"}`, the verification
//! `POST {"token"}` with the bearer key answers `{"phone"}` once per token, 400 for a wrong or
//! used token, 500 when told to fail.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{extract::State, http::HeaderMap, http::StatusCode as AxumStatus, routing::{get, post}, Json, Router};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{self, assert_error_body, captured_logs, database, json, log_in, spawn_config, test_config, TestServer};

const KEY: &str = "test-number-key";
const PHONE: &str = "13812345678";

#[derive(Default)]
struct Carrier {
    /// Tokens given and not yet verified: token → number.
    tokens: HashMap<String, String>,
    /// The number of the SIM the next token is for.
    sim: String,
    failing: bool,
    next: u64,
}

struct FakeCarrier {
    base: String,
    inner: Arc<Mutex<Carrier>>,
}

impl FakeCarrier {
    async fn start() -> FakeCarrier {
        let inner = Arc::new(Mutex::new(Carrier::default()));
        let app = Router::new().route("/token", get(token)).route("/verify", post(verify)).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeCarrier { base, inner }
    }

    /// A token for the SIM of `phone`, as the phone would get it over mobile data.
    async fn token_for(&self, phone: &str) -> String {
        self.inner.lock().unwrap().sim = phone.to_owned();
        let answer: Value = reqwest::get(format!("{}/token", self.base)).await.unwrap().json().await.unwrap();
        answer["token"].as_str().unwrap().to_owned()
    }
}

async fn token(State(inner): State<Arc<Mutex<Carrier>>>) -> Json<Value> {
    let mut carrier = inner.lock().unwrap();
    carrier.next += 1;
    let token = format!("STsid{:08}a1b2c3d4e5f6", carrier.next);
    let sim = carrier.sim.clone();
    carrier.tokens.insert(token.clone(), sim);
    Json(json!({ "token": token }))
}

async fn verify(State(inner): State<Arc<Mutex<Carrier>>>, headers: HeaderMap, Json(body): Json<Value>) -> (AxumStatus, Json<Value>) {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {KEY}")) {
        return (AxumStatus::UNAUTHORIZED, Json(json!({ "error": "bad key" })));
    }
    let mut carrier = inner.lock().unwrap();
    if carrier.failing {
        return (AxumStatus::INTERNAL_SERVER_ERROR, Json(json!({ "error": "carrier down" })));
    }
    match carrier.tokens.remove(body["token"].as_str().unwrap_or_default()) {
        Some(phone) => (AxumStatus::OK, Json(json!({ "phone": phone }))),
        None => (AxumStatus::BAD_REQUEST, Json(json!({ "error": "invalid token" }))),
    }
}

async fn spawn_with_carrier(carrier: &FakeCarrier) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    config.number_token_url = Some(format!("{}/token", carrier.base));
    config.number_verify_url = Some(format!("{}/verify", carrier.base));
    config.number_verify_key = Some(KEY.into());
    spawn_config(dir, config).await
}

async fn number_login(server: &TestServer, token: &str) -> reqwest::Response {
    server.send(Method::POST, "/api/v1/auth/number-session").json(&json!({ "token": token })).send().await.unwrap()
}

#[tokio::test]
async fn the_carrier_s_number_signs_in_once_per_token_into_the_number_s_account() {
    let logs = captured_logs();
    let carrier = FakeCarrier::start().await;
    let server = spawn_with_carrier(&carrier).await;
    let session = json(server.get("/api/v1/auth/session").await).await;
    assert_eq!(session["number_token_url"], format!("{}/token", carrier.base));

    // The same account as the SMS login of that number.
    let by_sms = log_in(&server, PHONE).await;
    let token = carrier.token_for(PHONE).await;
    let response = number_login(&server, &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("taxicert_session=") && v.contains("HttpOnly"))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .expect("an HttpOnly session cookie");
    let me = json(response).await;
    assert_eq!(me["phone_masked"], "138****5678");
    let mine = json(server.get_as("/api/v1/auth/session", &cookie).await).await;
    let theirs = json(server.get_as("/api/v1/auth/session", &by_sms).await).await;
    assert_eq!(mine["me"], theirs["me"]);

    // A token is good once.
    let again = number_login(&server, &token).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    let body = json(again).await;
    assert_error_body(&body, "number_token");
    assert!(body["message"].as_str().unwrap().contains("获取验证码"), "names the SMS way: {body}");
    for bad in ["", "   ", &"x".repeat(5000)] {
        let response = number_login(&server, bad).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{}", bad.len());
        assert_error_body(&json(response).await, "number_token");
    }

    // A new number gets an account, as with the SMS login.
    let other = carrier.token_for("13698765432").await;
    let response = number_login(&server, &other).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(response).await["phone_masked"], "136****5432");

    let pool = database(&server).await;
    let events: Vec<(String, String)> = sqlx::query_as("SELECT event, outcome FROM audit_log WHERE event IN ('login', 'login_failed') ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    let events: Vec<(&str, &str)> = events.iter().map(|(e, o)| (e.as_str(), o.as_str())).collect();
    assert_eq!(events[..3], [("login", "ok"), ("login", "number"), ("login_failed", "number_token")]);
    assert_eq!(events.last(), Some(&("login", "number")));
    let log = logs.text();
    assert!(!log.contains(&token), "the log shows a carrier token");
}

#[tokio::test]
async fn a_failing_gateway_is_the_service_s_problem_and_the_sms_login_goes_on() {
    let carrier = FakeCarrier::start().await;
    let server = spawn_with_carrier(&carrier).await;
    let token = carrier.token_for(PHONE).await;
    carrier.inner.lock().unwrap().failing = true;
    let response = number_login(&server, &token).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = json(response).await;
    assert_error_body(&body, "number_gateway");
    assert!(body["message"].as_str().unwrap().contains("不是您的问题"), "{body}");
    // The SMS login is untouched.
    let cookie = log_in(&server, PHONE).await;
    assert_eq!(json(server.get_as("/api/v1/auth/session", &cookie).await).await["me"]["phone_masked"], "138****5678");
}

#[tokio::test]
async fn unconfigured_or_half_configured_there_is_no_number_login() {
    let server = common::spawn().await;
    assert_eq!(json(server.get("/api/v1/auth/session").await).await["number_token_url"], Value::Null);
    let response = number_login(&server, "a-token").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_error_body(&json(response).await, "number_login_unavailable");

    // Without the key, nothing is offered.
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    config.number_token_url = Some("https://carrier.example.cn/token".into());
    config.number_verify_url = Some("https://carrier.example.cn/verify".into());
    let server = spawn_config(dir, config).await;
    assert_eq!(json(server.get("/api/v1/auth/session").await).await["number_token_url"], Value::Null);
}
