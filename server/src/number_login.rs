//! 本机号码一键登录: the phone number of the SIM in use, verified by the operator's carrier
//! number-verification gateway (中国移动/联通/电信 号码认证, or a provider's), so that the
//! driver signs in without an SMS code.
//!
//! An H5 page cannot read the phone number; a carrier can, over the phone's mobile data. The
//! protocol this server speaks (README, 本机号码一键登录) is the adapter every provider's H5
//! SDK fits behind:
//! 1. The app `GET`s `number_token_url` over mobile data (no cookies): `{"token": "…"}`, a
//!    single-use token the carrier ties to the SIM's number.
//! 2. The app posts the token to `POST /auth/number-session`; the server posts
//!    `{"token"}` to `number_verify_url` with `Authorization: Bearer <number_verify_key>` and
//!    gets `{"phone": "138…"}` (2xx), or a 4xx when the token is wrong, used or expired.
//! 3. The number signs in as an SMS code would (the same account, WeChat binding included).

use std::{future::Future, pin::Pin, time::Duration};

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};
use taxicert_api::{domain::PhoneNumber, ErrorBody, Me, NumberLoginRequest};

use crate::{
    audit::{self, Entry, Event},
    auth::{sign_in_phone, ClientIp, Via},
    error::{AppError, AppResult, Body},
    AppState,
};

pub type VerifyFuture<'a> = Pin<Box<dyn Future<Output = Result<PhoneNumber, NumberError>> + Send + 'a>>;

/// Turns a carrier token into the phone number it was issued for.
pub trait NumberVerifier: Send + Sync + 'static {
    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a>;
}

#[derive(Debug, thiserror::Error)]
pub enum NumberError {
    /// The gateway refused the token (wrong, used, expired, or not from mobile data).
    #[error("the gateway refused the token")]
    Token,
    /// The gateway failed or answered outside the protocol.
    #[error("the number gateway failed: {0}")]
    Gateway(String),
}

/// The HTTP adapter of the module docs.
pub struct HttpNumberVerifier {
    client: reqwest::Client,
    url: String,
    key: String,
}

impl HttpNumberVerifier {
    pub fn new(url: String, key: String) -> HttpNumberVerifier {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("the HTTP client builds");
        HttpNumberVerifier { client, url, key }
    }
}

impl NumberVerifier for HttpNumberVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> VerifyFuture<'a> {
        Box::pin(async move {
            let response = self
                .client
                .post(&self.url)
                .bearer_auth(&self.key)
                .json(&serde_json::json!({ "token": token }))
                .send()
                .await
                .map_err(|e| NumberError::Gateway(e.without_url().to_string()))?;
            let status = response.status();
            if status.is_client_error() && status != reqwest::StatusCode::UNAUTHORIZED {
                return Err(NumberError::Token);
            }
            if !status.is_success() {
                return Err(NumberError::Gateway(format!("status {status}")));
            }
            #[derive(serde::Deserialize)]
            struct Verified {
                phone: String,
            }
            let verified: Verified =
                response.json().await.map_err(|_| NumberError::Gateway("an answer without `phone`".into()))?;
            PhoneNumber::parse(&verified.phone).map_err(|_| NumberError::Gateway("a `phone` that is no mainland mobile number".into()))
        })
    }
}

/// Tokens are a few hundred characters; more is not a token.
const MAX_TOKEN_CHARS: usize = 4096;

fn token_refused() -> AppError {
    AppError::bad_request(
        "number_token",
        "未能验证本机号码（请关闭WLAN、使用本机手机卡的移动数据后重试）。也可以输入手机号，点击“获取验证码”用短信验证码登录。",
    )
}

/// 本机号码一键登录: signs in the number the carrier verified for `token` (module docs), as an
/// SMS code would; with `bind_wechat`, binds this browser's pending WeChat too.
#[utoipa::path(
    post,
    path = "/auth/number-session",
    tag = "account",
    operation_id = "number_login",
    request_body = NumberLoginRequest,
    responses(
        (status = 200, description = "Signed in; the session is in an HttpOnly cookie", body = Me),
        (status = 400, description = "`number_token`: the gateway refused the token (or it is empty or too long); `invalid_body`; with `bind_wechat`, `wechat_expired`", body = ErrorBody),
        (status = 403, description = "`csrf`", body = ErrorBody),
        (status = 404, description = "`number_login_unavailable`: no number-verification gateway is configured", body = ErrorBody),
        (status = 409, description = "With `bind_wechat`: `wechat_bound_other` or `wechat_taken`", body = ErrorBody),
        (status = 503, description = "`number_gateway`: the gateway failed; the SMS login still works", body = ErrorBody),
    )
)]
pub async fn number_login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Body(request): Body<NumberLoginRequest>,
) -> AppResult<Response> {
    let Some(verifier) = state.numbers.clone() else {
        return Err(AppError::client(
            StatusCode::NOT_FOUND,
            "number_login_unavailable",
            "本服务未开通本机号码一键登录，请输入手机号，点击“获取验证码”用短信验证码登录。",
        ));
    };
    let token = request.token.trim();
    if token.is_empty() || token.chars().count() > MAX_TOKEN_CHARS {
        return Err(token_refused());
    }
    let pending = if request.bind_wechat { Some(crate::wechat::pending(&state, &headers).await?) } else { None };
    let now = state.clock.now();
    let phone = match verifier.verify(token).await {
        Ok(phone) => phone,
        Err(NumberError::Token) => {
            let entry = Entry { event: Event::LoginFailed, outcome: "number_token", user_id: None, phone_masked: None, client_ip: &ip, staff_id: None, subject: None };
            audit::record(&state.db, now, entry).await?;
            return Err(token_refused());
        }
        Err(NumberError::Gateway(error)) => {
            tracing::warn!(%error, "the number-verification gateway failed");
            return Err(AppError::client(
                StatusCode::SERVICE_UNAVAILABLE,
                "number_gateway",
                "本机号码一键登录暂时不可用，这不是您的问题。请输入手机号，点击“获取验证码”用短信验证码登录。",
            ));
        }
    };
    let tx = crate::db::begin_writing(&state.db).await?;
    sign_in_phone(&state, tx, &phone, pending.as_ref(), &ip, Via::Carrier).await
}
