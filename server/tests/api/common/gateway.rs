//! A fake SMS gateway on loopback speaking the format `HttpGatewaySender` posts (README, SMS
//! gateway): `POST` with `Authorization: Bearer <key>`, a JSON body `{"phone", "template",
//! "params"}` and an `Idempotency-Key` header for messages; it answers 200 `{"ok": true}`, or
//! 500 `{"ok": false, "error"}` as many times as it is told to fail.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use axum::{extract::State, http::HeaderMap, http::StatusCode, routing::post, Json, Router};
use serde_json::{json, Value};

/// The key the tests' servers are configured with.
pub const KEY: &str = "test-gateway-key";

/// One request the gateway received.
#[derive(Clone, Debug)]
pub struct Received {
    pub phone: String,
    pub template: String,
    pub params: Value,
    pub idempotency_key: Option<String>,
    /// Whether it was answered with success.
    pub accepted: bool,
}

#[derive(Default)]
struct Inner {
    received: Mutex<Vec<Received>>,
    failures_left: AtomicUsize,
}

pub struct FakeGateway {
    /// What `sms_gateway_url` is set to.
    pub url: String,
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeGateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(State(inner): State<Arc<Inner>>, headers: HeaderMap, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {KEY}")) {
        return (StatusCode::UNAUTHORIZED, Json(json!({ "ok": false, "error": "bad key" })));
    }
    let fail = inner.failures_left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
    inner.received.lock().unwrap().push(Received {
        phone: body["phone"].as_str().unwrap_or_default().to_owned(),
        template: body["template"].as_str().unwrap_or_default().to_owned(),
        params: body["params"].clone(),
        idempotency_key: headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned),
        accepted: !fail,
    });
    if fail {
        (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "ok": false, "error": "gateway down" })))
    } else {
        (StatusCode::OK, Json(json!({ "ok": true })))
    }
}

impl FakeGateway {
    pub async fn start() -> FakeGateway {
        let inner = Arc::new(Inner::default());
        let app = Router::new().route("/sms", post(receive)).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/sms", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeGateway { url, inner, task }
    }

    /// The next `n` requests are answered 500.
    pub fn fail_next(&self, n: usize) {
        self.inner.failures_left.store(n, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.received.lock().unwrap().clone()
    }

    /// The requests of `template`, accepted or not.
    pub fn of(&self, template: &str) -> Vec<Received> {
        self.received().into_iter().filter(|r| r.template == template).collect()
    }

    /// Waits (up to 15 s) until `count` requests of `template` were accepted: those requests.
    pub async fn wait_accepted(&self, template: &str, count: usize) -> Vec<Received> {
        for _ in 0..150 {
            let accepted: Vec<Received> = self.of(template).into_iter().filter(|r| r.accepted).collect();
            if accepted.len() >= count {
                return accepted;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{template}: {count} accepted expected, received {:?}", self.received());
    }

    /// The newest code sent to `phone`.
    pub fn code_for(&self, phone: &str) -> String {
        let received = self.received();
        let code = received.iter().rev().find(|r| r.phone == phone && r.params["code"].is_string());
        code.unwrap_or_else(|| panic!("no code for {phone}: {received:?}")).params["code"].as_str().unwrap().to_owned()
    }
}
