//! Sending SMS codes: the dev sender keeps them in an outbox the tests (and a developer)
//! read; the HTTP gateway sender posts them to the operator's SMS gateway.

use std::{future::Future, pin::Pin, sync::Mutex, time::Duration};

use taxicert_api::{
    domain::{PhoneNumber, SmsCode},
    OutboxMessage,
};

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SmsError>> + Send + 'a>>;

pub trait SmsSender: Send + Sync + 'static {
    /// Sends `sms` to `phone`; an error means the gateway did not take it (the caller decides
    /// whether to try again).
    fn send<'a>(&'a self, phone: &'a PhoneNumber, sms: &'a Sms, now: i64) -> SendFuture<'a>;
}

/// One SMS: a template registered with the operator's SMS provider and its parameters. The
/// parameters never hold an ID number, a full name or a phone number (see README, Messages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sms {
    /// e.g. `taxicert_login_code`, `taxicert_case_returned`.
    pub template: String,
    /// A JSON object of strings (and `valid_minutes`, a number, for codes).
    pub params: serde_json::Value,
    /// The same for every attempt at one message, so that a gateway can drop a repeat (sent as
    /// the `Idempotency-Key` header); `None` for codes, each of which is new.
    pub idempotency_key: Option<String>,
}

impl Sms {
    /// A code valid for `valid_minutes`.
    pub fn code(code: &SmsCode, purpose: SmsPurpose, valid_minutes: u32) -> Sms {
        Sms {
            template: purpose.template().to_owned(),
            params: serde_json::json!({ "code": code.as_str(), "valid_minutes": valid_minutes }),
            idempotency_key: None,
        }
    }
}

/// What a code is for: the gateway's template says so to the phone's owner (a code to move
/// his account must not read like a login code he can pass on without thinking).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmsPurpose {
    Login,
    /// Moving the verified account to another phone number (sent to the old number).
    AccountMove,
}

impl SmsPurpose {
    pub fn template(self) -> &'static str {
        match self {
            SmsPurpose::Login => "taxicert_login_code",
            SmsPurpose::AccountMove => "taxicert_account_move_code",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    #[error("the SMS gateway failed: {0}")]
    Gateway(String),
}

/// Dev mode: logs the code and keeps it for `GET /api/v1/dev/sms-outbox`; other messages are
/// logged (their template only) and can be read in the app's 消息.
#[derive(Default)]
pub struct DevSender {
    outbox: Mutex<Vec<OutboxMessage>>,
}

impl DevSender {
    /// The newest messages first.
    pub fn messages(&self) -> Vec<OutboxMessage> {
        let outbox = self.outbox.lock().expect("outbox lock");
        outbox.iter().rev().cloned().collect()
    }
}

/// Only the newest messages are kept: the outbox is for reading a code just sent.
const OUTBOX_SIZE: usize = 200;

impl SmsSender for DevSender {
    fn send<'a>(&'a self, phone: &'a PhoneNumber, sms: &'a Sms, now: i64) -> SendFuture<'a> {
        Box::pin(async move {
            let template = sms.template.as_str();
            let Some(code) = sms.params["code"].as_str() else {
                tracing::info!(phone = %phone.masked(), template, "dev mode: SMS not sent");
                return Ok(());
            };
            tracing::info!(phone = %phone.masked(), code, template, "dev mode: SMS code not sent, kept in the outbox");
            let mut outbox = self.outbox.lock().expect("outbox lock");
            if outbox.len() >= OUTBOX_SIZE {
                outbox.remove(0);
            }
            outbox.push(OutboxMessage { phone: phone.as_str().into(), code: code.into(), sent_at: now });
            Ok(())
        })
    }
}

/// Posts `{"phone", "template", "params"}` with `Authorization: Bearer <key>` (and
/// `Idempotency-Key` when the message has one) and expects a 2xx answer.
pub struct HttpGatewaySender {
    client: reqwest::Client,
    url: String,
    key: String,
}

impl HttpGatewaySender {
    pub fn new(url: String, key: String) -> HttpGatewaySender {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("the HTTP client builds");
        HttpGatewaySender { client, url, key }
    }
}

impl SmsSender for HttpGatewaySender {
    fn send<'a>(&'a self, phone: &'a PhoneNumber, sms: &'a Sms, _now: i64) -> SendFuture<'a> {
        Box::pin(async move {
            let body = serde_json::json!({ "phone": phone.as_str(), "template": sms.template, "params": sms.params });
            let mut request = self.client.post(&self.url).bearer_auth(&self.key).json(&body);
            if let Some(key) = &sms.idempotency_key {
                request = request.header("Idempotency-Key", key);
            }
            let response = request
                .send()
                .await
                .map_err(|e| SmsError::Gateway(e.without_url().to_string()))?;
            if response.status().is_success() {
                Ok(())
            } else {
                Err(SmsError::Gateway(format!("status {}", response.status())))
            }
        })
    }
}
