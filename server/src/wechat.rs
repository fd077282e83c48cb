//! 微信登录: WeChat web authorization (公众号网页授权, scope `snsapi_userinfo`) for a page
//! opened inside WeChat, when `wechat_app_id` and `wechat_app_secret` are configured.
//!
//! 1. `POST /auth/wechat/authorize`: a random `state`, kept as a hash (single use, 10 minutes)
//!    and in an HttpOnly cookie of this browser; the answer is WeChat's authorization page.
//! 2. WeChat sends the browser back to the app's `/login/wechat?code&state`; the app posts
//!    both to `POST /auth/wechat/session`. The state must be the cookie's and unused; the
//!    server exchanges the code (`GET {api}/sns/oauth2/access_token`), reads the profile
//!    (`GET {api}/sns/userinfo`) and fetches the avatar into its own copy.
//! 3. A bound WeChat signs in. The first time, the profile waits 15 minutes in
//!    `wechat_pending` (an HttpOnly cookie names it) while the driver logs in with his phone
//!    number and SMS code and `bind_wechat: true` (auth.rs), which binds it to that account.
//!
//! The openid is stored sealed, with an HMAC to find it, and never answered or logged;
//! WeChat's answers are logged by `errcode` only.

use std::{sync::OnceLock, time::Duration};

use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use taxicert_api::{ErrorBody, Me, PhotoRules, WechatAuthorize, WechatIdentity, WechatReturn, WechatSignIn};

use crate::{
    audit::{self, Entry, Event},
    auth::{self, ClientIp, CurrentUser},
    error::{AppError, AppResult, Body},
    AppState,
};

/// An authorization must come back within 10 minutes…
const STATE_TTL_SECONDS: i64 = 600;
/// …and a first-time driver has 15 minutes to bind his phone number.
const PENDING_TTL_SECONDS: i64 = 900;
/// The avatar WeChat links to is fetched up to this size, within this time.
const AVATAR_MAX_BYTES: usize = 2 * 1024 * 1024;
const AVATAR_TIMEOUT: Duration = Duration::from_secs(5);
/// Our copy's long side, in pixels (WeChat's largest is 640; the app shows it at 64).
const AVATAR_SIDE: u32 = 256;
/// The route of the app WeChat sends the browser back to (`routes.rs`: `Route::WechatReturn`).
const RETURN_PATH: &str = "/login/wechat";

fn state_cookie(state: &AppState) -> &'static str {
    if state.config.secure_cookies {
        "__Host-taxicert_wechat_state"
    } else {
        "taxicert_wechat_state"
    }
}

fn pending_cookie(state: &AppState) -> &'static str {
    if state.config.secure_cookies {
        "__Host-taxicert_wechat_pending"
    } else {
        "taxicert_wechat_pending"
    }
}

/// Clears the cookie of a first-time authorization once it is bound.
pub(crate) fn clear_pending_cookie(state: &AppState) -> HeaderValue {
    auth::cookie(state, pending_cookie(state), "", 0)
}

/// One client for WeChat's API and the avatars: 10 s per call, no redirects followed into
/// other hosts' hands beyond reqwest's default limit.
fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("the HTTP client builds"))
}

fn configured(state: &AppState) -> AppResult<(&str, &str)> {
    state.config.wechat().ok_or_else(|| {
        AppError::client(StatusCode::NOT_FOUND, "wechat_unavailable", "暂未开通微信登录，请使用手机号和短信验证码登录。")
    })
}

fn hash(value: &str) -> Vec<u8> {
    Sha256::digest(value.as_bytes()).to_vec()
}

/// The key an openid is found by: an HMAC, so that the database holds no openid in the clear.
fn openid_key(state: &AppState, openid: &str) -> Vec<u8> {
    state.secrets.mac("wechat-openid", &[openid.as_bytes()])
}

fn openid_context(user_id: i64) -> String {
    format!("user:{user_id}:wechat_openid")
}

fn avatar_context(user_id: i64) -> String {
    format!("user:{user_id}:wechat_avatar")
}

fn pending_context(token_hash: &[u8], what: &str) -> String {
    let hex: String = token_hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("wechat_pending:{hex}:{what}")
}

/// Starts 微信登录: WeChat's authorization page for this browser, with a fresh `state` in an
/// HttpOnly cookie (10 minutes, single use). WeChat sends the browser back to
/// `{public_url or this host}/login/wechat`, which must lie in the 公众号's 授权回调域名.
#[utoipa::path(
    post,
    path = "/auth/wechat/authorize",
    tag = "account",
    operation_id = "wechat_authorize",
    responses(
        (status = 200, description = "Send the browser to `url`; the state is in an HttpOnly cookie", body = WechatAuthorize),
        (status = 404, description = "`wechat_unavailable`: WeChat sign-in is not configured", body = ErrorBody),
    )
)]
pub async fn authorize(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let (app_id, _) = configured(&state)?;
    let now = state.clock.now();
    let value = crate::crypto::random_hex(16);
    // Authorizations never finished go as new ones start.
    sqlx::query("DELETE FROM wechat_states WHERE created_at <= $1").bind(now - STATE_TTL_SECONDS).execute(&state.db).await?;
    sqlx::query("INSERT INTO wechat_states (state_hash, created_at) VALUES ($1, $2)").bind(hash(&value)).bind(now).execute(&state.db).await?;
    let redirect = format!("{}{RETURN_PATH}", crate::vouchers::public_base(&state, &headers));
    let encode = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    let url = format!(
        "{}/connect/oauth2/authorize?appid={}&redirect_uri={}&response_type=code&scope=snsapi_userinfo&state={value}#wechat_redirect",
        state.config.wechat_oauth_base,
        encode(app_id),
        encode(&redirect),
    );
    let cookie = auth::cookie(&state, state_cookie(&state), &value, STATE_TTL_SECONDS as u64);
    Ok(([(header::SET_COOKIE, cookie)], Json(WechatAuthorize { url })).into_response())
}

/// Finishes 微信登录 with what WeChat sent the browser back with. A bound WeChat signs in
/// (the session cookie is set, `me` answered); the first time, `me` is `null` and the driver
/// binds his phone number: `POST /auth/session` with `bind_wechat: true` within 15 minutes.
/// The state cookie is cleared whatever the outcome.
#[utoipa::path(
    post,
    path = "/auth/wechat/session",
    tag = "account",
    operation_id = "wechat_sign_in",
    request_body = WechatReturn,
    responses(
        (status = 200, description = "Signed in (`me`), or a phone number to bind (`me` is `null`, a 15-minute HttpOnly cookie names the authorization)", body = WechatSignIn),
        (status = 400, description = "`wechat_state`: the state is not this browser's, expired or used; `wechat_code`: WeChat refused the code", body = ErrorBody),
        (status = 404, description = "`wechat_unavailable`: WeChat sign-in is not configured", body = ErrorBody),
        (status = 502, description = "`wechat_failed`: WeChat did not answer as documented", body = ErrorBody),
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Body(answer): Body<WechatReturn>,
) -> Response {
    let clear = auth::cookie(&state, state_cookie(&state), "", 0);
    let mut response = match finish(&state, &ip, &headers, answer).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    response.headers_mut().append(header::SET_COOKIE, clear);
    response
}

async fn finish(state: &AppState, ip: &str, headers: &HeaderMap, answer: WechatReturn) -> AppResult<Response> {
    let (app_id, secret) = configured(state)?;
    let now = state.clock.now();
    let failed = |outcome: &'static str, error: AppError| async move {
        let entry = Entry { event: Event::WechatLoginFailed, outcome, user_id: None, phone_masked: None, client_ip: ip, staff_id: None, subject: None };
        audit::record(&state.db, now, entry).await?;
        Err::<Response, _>(error)
    };
    // Bound to this browser, then spent: a state from another browser, or used, never works.
    let ours = auth::session_token(headers, state_cookie(state)).is_some_and(|v| v == answer.state);
    let spent = if ours {
        sqlx::query("DELETE FROM wechat_states WHERE state_hash = $1 AND created_at > $2")
            .bind(hash(&answer.state))
            .bind(now - STATE_TTL_SECONDS)
            .execute(&state.db)
            .await?
            .rows_affected()
            == 1
    } else {
        false
    };
    if !spent {
        let error = AppError::bad_request("wechat_state", "微信授权已失效或不是在本页面发起的，请重新点击“微信登录”。");
        return failed("state", error).await;
    }
    let profile = match fetch_profile(state, app_id, secret, &answer.code).await {
        Ok(profile) => profile,
        Err(WechatError::Code) => {
            let error = AppError::bad_request("wechat_code", "微信授权已过期或已使用，请重新点击“微信登录”。");
            return failed("code", error).await;
        }
        Err(WechatError::Failed) => {
            let error = AppError::client(
                StatusCode::BAD_GATEWAY,
                "wechat_failed",
                "微信暂时无法完成登录，请稍后重新点击“微信登录”，或使用手机号和短信验证码登录。",
            );
            return failed("wechat_error", error).await;
        }
    };
    let key = openid_key(state, &profile.openid);
    let avatar = fetch_avatar(state, &profile.headimgurl).await;
    let bound: Option<(i64,)> =
        sqlx::query_as("SELECT user_id FROM wechat_accounts WHERE openid_key = $1").bind(&key).fetch_optional(&state.db).await?;
    if let Some((user_id,)) = bound {
        let mut tx = crate::db::begin_writing(&state.db).await?;
        store_profile(&mut tx, state, user_id, &profile, avatar.as_deref(), now).await?;
        let token = auth::open_session(&mut tx, user_id, now).await?;
        tx.commit().await?;
        let entry = Entry { event: Event::Login, outcome: "wechat", user_id: Some(user_id), phone_masked: None, client_ip: ip, staff_id: None, subject: None };
        audit::record(&state.db, now, entry).await?;
        let me: Me = auth::me_of(state, user_id).await?;
        let body = WechatSignIn { me: Some(me), nickname: profile.nickname };
        return Ok(([(header::SET_COOKIE, auth::session_cookie(state, &token))], Json(body)).into_response());
    }
    let token = auth::new_token();
    let token_hash = auth::token_hash(&token);
    sqlx::query("DELETE FROM wechat_pending WHERE created_at <= $1").bind(now - PENDING_TTL_SECONDS).execute(&state.db).await?;
    sqlx::query(
        "INSERT INTO wechat_pending (token_hash, openid_sealed, openid_key, nickname, avatar, gender, province, city, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&token_hash)
    .bind(state.vault.seal(profile.openid.as_bytes(), &pending_context(&token_hash, "openid")))
    .bind(&key)
    .bind(&profile.nickname)
    .bind(avatar.map(|a| state.vault.seal(&a, &pending_context(&token_hash, "avatar"))))
    .bind(profile.sex)
    .bind(&profile.province)
    .bind(&profile.city)
    .bind(now)
    .execute(&state.db)
    .await?;
    let cookie = auth::cookie(state, pending_cookie(state), &token, PENDING_TTL_SECONDS as u64);
    Ok(([(header::SET_COOKIE, cookie)], Json(WechatSignIn { me: None, nickname: profile.nickname })).into_response())
}

/// What `/sns/userinfo` answers (the fields this server uses).
#[derive(Deserialize)]
struct Profile {
    openid: String,
    #[serde(default)]
    nickname: String,
    /// 1 male, 2 female, 0 unknown.
    #[serde(default)]
    sex: i64,
    #[serde(default)]
    province: String,
    #[serde(default)]
    city: String,
    /// Empty when the user has no avatar.
    #[serde(default)]
    headimgurl: String,
}

/// What `/sns/oauth2/access_token` answers (the fields this server uses).
#[derive(Deserialize)]
struct AccessToken {
    access_token: String,
    openid: String,
}

enum WechatError {
    /// 40029 invalid code, 40163 code been used: the driver starts again.
    Code,
    /// Anything else: WeChat is down, or answered what its documents do not say.
    Failed,
}

/// Exchanges `code` for the user's access token, then reads his profile.
async fn fetch_profile(state: &AppState, app_id: &str, secret: &str, code: &str) -> Result<Profile, WechatError> {
    let base = &state.config.wechat_api_base;
    let token: AccessToken = call(
        &format!("{base}/sns/oauth2/access_token"),
        &[("appid", app_id), ("secret", secret), ("code", code), ("grant_type", "authorization_code")],
    )
    .await?;
    let profile: Profile =
        call(&format!("{base}/sns/userinfo"), &[("access_token", &token.access_token), ("openid", &token.openid), ("lang", "zh_CN")]).await?;
    // The profile is the token's user's: anything else is not WeChat speaking.
    if profile.openid != token.openid || profile.openid.is_empty() {
        tracing::error!("WeChat's userinfo named another user than its access token");
        return Err(WechatError::Failed);
    }
    Ok(profile)
}

/// One GET of WeChat's API. Errors come as HTTP 200 with `{errcode, errmsg}`; they are logged
/// by errcode only (the URL holds the secret and the code, the answer the openid).
async fn call<T: serde::de::DeserializeOwned>(url: &str, query: &[(&str, &str)]) -> Result<T, WechatError> {
    let path = url.rsplit_once("/sns/").map_or("", |(_, p)| p);
    let response = client().get(url).query(query).send().await.map_err(|e| {
        tracing::error!(call = path, error = %e.without_url(), "WeChat did not answer");
        WechatError::Failed
    })?;
    let status = response.status();
    let value: serde_json::Value = match response.json().await {
        Ok(value) if status.is_success() => value,
        _ => {
            tracing::error!(call = path, %status, "WeChat answered something else than JSON");
            return Err(WechatError::Failed);
        }
    };
    if let Some(errcode) = value.get("errcode").and_then(serde_json::Value::as_i64).filter(|c| *c != 0) {
        tracing::warn!(call = path, errcode, "WeChat refused");
        return Err(if matches!(errcode, 40029 | 40163) { WechatError::Code } else { WechatError::Failed });
    }
    serde_json::from_value(value).map_err(|_| {
        tracing::error!(call = path, "WeChat's answer lacks a documented field");
        WechatError::Failed
    })
}

/// Our own copy of the avatar: fetched within [`AVATAR_TIMEOUT`] and [`AVATAR_MAX_BYTES`], then
/// re-encoded as the uploads are (a JPEG without metadata). `None` when there is none or it
/// fails: the sign-in goes on without it.
async fn fetch_avatar(state: &AppState, url: &str) -> Option<Vec<u8>> {
    if url.is_empty() {
        return None;
    }
    let fetched = async {
        let mut response = client().get(url).timeout(AVATAR_TIMEOUT).send().await.ok()?.error_for_status().ok()?;
        let mut bytes = Vec::new();
        while let Some(chunk) = tokio::time::timeout(AVATAR_TIMEOUT, response.chunk()).await.ok()?.ok()? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > AVATAR_MAX_BYTES {
                return None;
            }
        }
        Some(bytes)
    };
    let Some(bytes) = fetched.await else {
        tracing::warn!("the WeChat avatar could not be fetched");
        return None;
    };
    // Any picture will do: the smallest WeChat gives is 46 pixels square.
    let rules = PhotoRules::document(32, 32);
    match crate::uploads::process_photo(bytes, rules, AVATAR_SIDE.min(state.config.photo_max_side), "微信头像", "avatar").await {
        Ok(processed) => Some(processed.jpeg),
        Err(_) => {
            tracing::warn!("the WeChat avatar is not a picture the server takes");
            None
        }
    }
}

/// Keeps the profile of the driver's bound WeChat as WeChat gave it now (the avatar only when
/// it was fetched: a failed fetch keeps the old one).
async fn store_profile(
    conn: &mut AnyConnection,
    state: &AppState,
    user_id: i64,
    profile: &Profile,
    avatar: Option<&[u8]>,
    now: i64,
) -> AppResult<()> {
    sqlx::query("UPDATE wechat_accounts SET nickname = $1, gender = $2, province = $3, city = $4, updated_at = $5 WHERE user_id = $6")
        .bind(&profile.nickname)
        .bind(profile.sex)
        .bind(&profile.province)
        .bind(&profile.city)
        .bind(now)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    if let Some(avatar) = avatar {
        sqlx::query("UPDATE wechat_accounts SET avatar = $1 WHERE user_id = $2")
            .bind(state.vault.seal(avatar, &avatar_context(user_id)))
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A WeChat identity this browser authorized in the last 15 minutes, not bound yet.
pub struct Pending {
    token_hash: Vec<u8>,
    openid: String,
    openid_key: Vec<u8>,
    nickname: String,
    avatar: Option<Vec<u8>>,
    gender: i64,
    province: String,
    city: String,
}

/// The pending authorization the request's cookie names; 400 `wechat_expired` without one.
pub async fn pending(state: &AppState, headers: &HeaderMap) -> AppResult<Pending> {
    let expired =
        || AppError::bad_request("wechat_expired", "微信授权已过期（15分钟内有效），请重新点击“微信登录”；验证码仍可使用。");
    let token = auth::session_token(headers, pending_cookie(state)).ok_or_else(expired)?;
    let token_hash = auth::token_hash(&token);
    type Row = (Vec<u8>, Vec<u8>, String, Option<Vec<u8>>, i64, String, String);
    let row: Option<Row> = sqlx::query_as(
        "SELECT openid_sealed, openid_key, nickname, avatar, gender, province, city FROM wechat_pending
         WHERE token_hash = $1 AND created_at > $2",
    )
    .bind(&token_hash)
    .bind(state.clock.now() - PENDING_TTL_SECONDS)
    .fetch_optional(&state.db)
    .await?;
    let (openid_sealed, openid_key, nickname, avatar, gender, province, city) = row.ok_or_else(expired)?;
    let openid = state.vault.open(&openid_sealed, &pending_context(&token_hash, "openid"))?;
    let avatar = avatar.map(|a| state.vault.open(&a, &pending_context(&token_hash, "avatar"))).transpose()?;
    Ok(Pending {
        openid: String::from_utf8(openid).map_err(|_| AppError::Internal("a sealed openid is not UTF-8".into()))?,
        token_hash,
        openid_key,
        nickname,
        avatar,
        gender,
        province,
        city,
    })
}

/// Binds the pending WeChat to `user_id` (the account of the phone number just verified), in
/// the login's transaction. 409 `wechat_bound_other` when the account has another WeChat,
/// `wechat_taken` when this WeChat has another account.
pub async fn bind(conn: &mut AnyConnection, state: &AppState, user_id: i64, pending: &Pending, now: i64) -> AppResult<()> {
    let theirs: Option<(i64,)> = sqlx::query_as("SELECT user_id FROM wechat_accounts WHERE openid_key = $1")
        .bind(&pending.openid_key)
        .fetch_optional(&mut *conn)
        .await?;
    let mine: Option<(Vec<u8>,)> =
        sqlx::query_as("SELECT openid_key FROM wechat_accounts WHERE user_id = $1").bind(user_id).fetch_optional(&mut *conn).await?;
    match (theirs, mine) {
        (Some((other,)), _) if other != user_id => {
            return Err(AppError::conflict("wechat_taken", "该微信已绑定其他手机号，请重新点击“微信登录”直接登录。"));
        }
        (_, Some((key,))) if key != pending.openid_key => {
            return Err(AppError::conflict(
                "wechat_bound_other",
                "该手机号已绑定其他微信。请用原来的微信登录，或用手机号登录后在“我的”中点击“解除微信绑定”后再绑定。",
            ));
        }
        (Some(_), _) => {}
        (None, _) => {
            sqlx::query(
                "INSERT INTO wechat_accounts (user_id, openid_sealed, openid_key, nickname, avatar, gender, province, city, bound_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            )
            .bind(user_id)
            .bind(state.vault.seal(pending.openid.as_bytes(), &openid_context(user_id)))
            .bind(&pending.openid_key)
            .bind(&pending.nickname)
            .bind(pending.avatar.as_ref().map(|a| state.vault.seal(a, &avatar_context(user_id))))
            .bind(pending.gender)
            .bind(&pending.province)
            .bind(&pending.city)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
    }
    sqlx::query("DELETE FROM wechat_pending WHERE token_hash = $1").bind(&pending.token_hash).execute(&mut *conn).await?;
    Ok(())
}

/// The WeChat bound to `user_id`, as [`Me`] shows it.
pub async fn identity_of(state: &AppState, user_id: i64) -> AppResult<Option<WechatIdentity>> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT nickname, CASE WHEN avatar IS NULL THEN 0 ELSE 1 END FROM wechat_accounts WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&state.db)
    .await?;
    Ok(row.map(|(nickname, avatar)| WechatIdentity { nickname, has_avatar: avatar == 1 }))
}

/// The avatar of the driver's own WeChat: our re-encoded JPEG copy, to him only.
#[utoipa::path(
    get,
    path = "/account/wechat/avatar",
    tag = "account",
    operation_id = "wechat_avatar",
    responses(
        (status = 200, description = "The avatar, a JPEG without metadata", content_type = "image/jpeg", body = Vec<u8>),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "`not_found`: no WeChat bound, or it has no avatar", body = ErrorBody),
    )
)]
pub async fn avatar(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    let row: Option<(Option<Vec<u8>>,)> =
        sqlx::query_as("SELECT avatar FROM wechat_accounts WHERE user_id = $1").bind(user.user_id).fetch_optional(&state.db).await?;
    let sealed = row.and_then(|(avatar,)| avatar).ok_or(AppError::NotFound)?;
    let jpeg = state.vault.open(&sealed, &avatar_context(user.user_id))?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, no-cache")], jpeg).into_response())
}

/// 解除微信绑定: the driver's WeChat no longer signs in to his account (the next 微信登录
/// asks for a phone number again). His session stays.
#[utoipa::path(
    delete,
    path = "/account/wechat",
    tag = "account",
    operation_id = "wechat_unbind",
    responses(
        (status = 204, description = "Unbound"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "`no_wechat`: no WeChat is bound", body = ErrorBody),
    )
)]
pub async fn unbind(State(state): State<AppState>, ClientIp(ip): ClientIp, user: CurrentUser) -> AppResult<StatusCode> {
    let deleted = sqlx::query("DELETE FROM wechat_accounts WHERE user_id = $1").bind(user.user_id).execute(&state.db).await?;
    if deleted.rows_affected() == 0 {
        return Err(AppError::client(StatusCode::NOT_FOUND, "no_wechat", "您的账号未绑定微信，无需解除。"));
    }
    let entry = Entry { event: Event::WechatUnbound, outcome: "ok", user_id: Some(user.user_id), phone_masked: None, client_ip: &ip, staff_id: None, subject: None };
    audit::record(&state.db, state.clock.now(), entry).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- 模板消息

/// The openid of the WeChat bound to `user_id` (for WeChat messages to the driver), or `None`
/// when he has bound none. The openid is personal data: never log it or put it in an answer.
/// `Err` (500) when the stored value does not unseal (another server key).
pub async fn openid_of(state: &AppState, user_id: i64) -> AppResult<Option<String>> {
    let row: Option<(Vec<u8>,)> =
        sqlx::query_as("SELECT openid_sealed FROM wechat_accounts WHERE user_id = $1").bind(user_id).fetch_optional(&state.db).await?;
    let Some((sealed,)) = row else {
        return Ok(None);
    };
    let plain = state.vault.open(&sealed, &openid_context(user_id))?;
    String::from_utf8(plain).map(Some).map_err(|_| AppError::Internal("a sealed openid is not UTF-8".into()))
}

/// Why a 模板消息 did not go.
#[derive(Debug)]
pub enum MessageError {
    /// WeChat or the network failed: try again later.
    Retry(String),
    /// It will never go: the driver does not follow the 公众号 (43004) or refused its messages
    /// (43101), or the template is wrong (40037 invalid template_id, 47003 a keyword's value).
    Never(String),
}

/// The 公众号's access token, per (API base, AppID): one per process, shared by its sends.
/// `stable_token` is WeChat's token for servers with several replicas: getting it does not
/// invalidate another replica's.
fn token_cache() -> &'static std::sync::Mutex<std::collections::HashMap<(String, String), (String, i64)>> {
    static CACHE: OnceLock<std::sync::Mutex<std::collections::HashMap<(String, String), (String, i64)>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// A token valid for a minute more at least; `force` asks WeChat for a new one (after WeChat
/// said the cached one is no longer valid).
async fn access_token(state: &AppState, force: bool) -> Result<String, MessageError> {
    let Some((app_id, secret)) = state.config.wechat() else {
        return Err(MessageError::Never("WeChat is not configured".into()));
    };
    let base = &state.config.wechat_api_base;
    let key = (base.clone(), app_id.to_owned());
    let now = state.clock.now();
    if !force {
        if let Some((token, until)) = token_cache().lock().expect("token cache").get(&key) {
            if *until > now + 60 {
                return Ok(token.clone());
            }
        }
    }
    #[derive(Deserialize)]
    struct Stable {
        access_token: String,
        expires_in: i64,
    }
    let body = serde_json::json!({ "grant_type": "client_credential", "appid": app_id, "secret": secret, "force_refresh": force });
    let answer: Stable = post(&format!("{base}/cgi-bin/stable_token"), &[], &body).await.map_err(|(code, why)| match code {
        // A wrong AppID or secret (40013, 40125) or a server not on the IP allow-list (40164)
        // is the operator's to fix; until then each message is tried again.
        Some(code) => MessageError::Retry(format!("stable_token errcode {code}")),
        None => MessageError::Retry(why),
    })?;
    token_cache().lock().expect("token cache").insert(key, (answer.access_token.clone(), now + answer.expires_in));
    Ok(answer.access_token)
}

/// Sends the 模板消息 `template_id` to `openid` (`POST {api}/cgi-bin/message/template/send`),
/// linking to `url` when given; `data` is `{keyword: {"value": text}}`. A token WeChat calls
/// invalid or expired (40001, 40014, 42001) is renewed once at once.
pub async fn send_template(
    state: &AppState,
    openid: &str,
    template_id: &str,
    url: Option<&str>,
    data: serde_json::Value,
) -> Result<(), MessageError> {
    let mut body = serde_json::json!({ "touser": openid, "template_id": template_id, "data": data });
    if let Some(url) = url {
        body["url"] = url.into();
    }
    let base = &state.config.wechat_api_base;
    let mut force = false;
    loop {
        let token = access_token(state, force).await?;
        let sent: Result<serde_json::Value, _> =
            post(&format!("{base}/cgi-bin/message/template/send"), &[("access_token", &token)], &body).await;
        return match sent {
            Ok(_) => Ok(()),
            Err((Some(40001 | 40014 | 42001), _)) if !force => {
                force = true;
                continue;
            }
            Err((Some(code @ (43004 | 43101 | 40037 | 47003 | 40003)), _)) => Err(MessageError::Never(format!("errcode {code}"))),
            Err((Some(code), _)) => Err(MessageError::Retry(format!("errcode {code}"))),
            Err((None, why)) => Err(MessageError::Retry(why)),
        };
    }
}

/// One POST of JSON to WeChat's API: the answer, or the errcode (`None` when WeChat did not
/// answer as documented) and a line for the log. Logged by call and errcode only (the URL holds
/// the token, the body the openid).
async fn post<T: serde::de::DeserializeOwned>(
    url: &str,
    query: &[(&str, &str)],
    body: &serde_json::Value,
) -> Result<T, (Option<i64>, String)> {
    let path = url.rsplit_once("/cgi-bin/").map_or("", |(_, p)| p);
    let response = client().post(url).query(query).json(body).send().await.map_err(|e| {
        let e = e.without_url();
        tracing::warn!(call = path, error = %e, "WeChat did not answer");
        (None, format!("{path}: {e}"))
    })?;
    let status = response.status();
    let value: serde_json::Value = match response.json().await {
        Ok(value) if status.is_success() => value,
        _ => {
            tracing::warn!(call = path, %status, "WeChat answered something else than JSON");
            return Err((None, format!("{path}: status {status}")));
        }
    };
    if let Some(errcode) = value.get("errcode").and_then(serde_json::Value::as_i64).filter(|c| *c != 0) {
        tracing::warn!(call = path, errcode, "WeChat refused");
        return Err((Some(errcode), format!("{path}: errcode {errcode}")));
    }
    serde_json::from_value(value).map_err(|_| (None, format!("{path}: an undocumented answer")))
}
