//! Phone + SMS code login, sessions, logout, and the guards every request passes: the
//! session extractor ([`CurrentUser`]) and the CSRF check on state-changing requests.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts, Request, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use taxicert_api::{
    domain::{PhoneNumber, SmsCode},
    ErrorBody, LoginRequest, Me, OutboxMessage, RealNameStatus, SessionInfo, SmsCodeRequest, SmsCodeSent,
};

use crate::{
    audit::{self, Entry, Event},
    error::{AppError, AppResult, Body},
    sms::{Sms, SmsPurpose},
    AppState,
};
use crate::db::Flag;

/// A code is valid for 5 minutes, may be asked for again after 60 s, and allows 5 wrong tries.
pub const CODE_TTL_SECONDS: i64 = 300;
pub const RESEND_AFTER_SECONDS: i64 = 60;
pub const MAX_WRONG_TRIES: i64 = 5;
const DAY: i64 = 24 * 3600;
const HOUR: i64 = 3600;

/// The header the SPA sends with every state-changing request; a page on another origin
/// cannot send it without a CORS preflight that this server does not grant.
pub const CSRF_HEADER: &str = "x-taxicert-csrf";

/// The client's address: the socket's peer, or the first `X-Forwarded-For` hop when the
/// server is configured to sit behind a proxy it trusts.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.config.trust_forwarded_for {
            if let Some(first) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(str::trim)
                .filter(|v| !v.is_empty())
            {
                return Ok(ClientIp(first.to_owned()));
            }
        }
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(ClientIp(peer.unwrap_or_else(|| "unknown".into())))
    }
}

/// Sends a login code. The answer is the same whether or not the number has an account.
#[utoipa::path(
    post,
    path = "/auth/sms-codes",
    tag = "account",
    operation_id = "send_sms_code",
    request_body = SmsCodeRequest,
    responses(
        (status = 202, description = "A code was sent", body = SmsCodeSent),
        (status = 400, description = "`invalid_phone`", body = ErrorBody),
        (status = 403, description = "`csrf`: the request did not come from the app", body = ErrorBody),
        (status = 429, description = "`resend_too_soon`, `daily_limit` or `ip_limit`, with `retry_after_seconds`", body = ErrorBody),
        (status = 503, description = "`sms_unavailable`: the SMS gateway failed", body = ErrorBody),
    )
)]
pub async fn send_sms_code(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Body(request): Body<SmsCodeRequest>,
) -> AppResult<(StatusCode, Json<SmsCodeSent>)> {
    let phone = PhoneNumber::parse(&request.phone).map_err(|m| AppError::bad_request("invalid_phone", m))?;
    let sent = send_code(&state, &phone, &ip, SmsPurpose::Login).await?;
    Ok((StatusCode::ACCEPTED, Json(sent)))
}

/// Sends a new code to `phone` under the limits of every code: none within 60 s of the last,
/// the daily cap per number, the hourly limit per client address. The new code replaces any
/// earlier one of the number, whatever it was for. Each send and refusal is audited
/// (`sms_code_sent`, with the masked number). Used by the login and by the account move.
pub async fn send_code(state: &AppState, phone: &PhoneNumber, ip: &str, purpose: SmsPurpose) -> AppResult<SmsCodeSent> {
    let now = state.clock.now();
    // The limits are checked and the code stored under the write lock, so that requests at once,
    // to any replica, cannot all slip under a limit; the lock is released before the gateway call.
    let mut tx = crate::db::begin_write(&state.db).await?;
    let (last_sent, sent_today, first_today): (Option<i64>, i64, Option<i64>) = sqlx::query_as(
        "SELECT MAX(created_at), COUNT(*), MIN(created_at) FROM sms_codes WHERE phone = $1 AND created_at > $2",
    )
    .bind(phone.as_str())
    .bind(now - DAY)
    .fetch_one(&mut *tx)
    .await?;
    if let Some(wait) = last_sent.map(|t| t + RESEND_AFTER_SECONDS - now).filter(|w| *w > 0) {
        let message = format!("验证码已发送，请在{wait}秒后重新获取。");
        tx.rollback().await?;
        return refusal(state, now, Event::SmsCodeSent, "resend_too_soon", phone, ip, AppError::too_many("resend_too_soon", message, wait as u64)).await;
    }
    if sent_today >= i64::from(state.config.sms_daily_cap) {
        let wait = first_today.map_or(DAY, |t| t + DAY - now).max(1) as u64;
        let message = "该手机号今日获取验证码的次数已达上限，请24小时后再试，或到当地道路运输服务窗口办理。";
        tx.rollback().await?;
        return refusal(state, now, Event::SmsCodeSent, "daily_limit", phone, ip, AppError::too_many("daily_limit", message, wait)).await;
    }
    let (from_ip, first_from_ip): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM sms_codes WHERE client_ip = $1 AND created_at > $2")
            .bind(ip)
            .bind(now - HOUR)
            .fetch_one(&mut *tx)
            .await?;
    if from_ip >= i64::from(state.config.sms_ip_hourly_limit) {
        let wait = first_from_ip.map_or(HOUR, |t| t + HOUR - now).max(1) as u64;
        let message = "当前网络获取验证码过于频繁，请稍后再试。";
        tx.rollback().await?;
        return refusal(state, now, Event::SmsCodeSent, "ip_limit", phone, ip, AppError::too_many("ip_limit", message, wait)).await;
    }

    let code = SmsCode::parse(&format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000))).expect("six digits");
    // A new code replaces any earlier one: only the newest code in the driver's inbox works.
    sqlx::query("UPDATE sms_codes SET spent = 1 WHERE phone = $1 AND spent = 0").bind(phone.as_str()).execute(&mut *tx).await?;
    let (code_id,): (i64,) = sqlx::query_as(
        "INSERT INTO sms_codes (phone, code_mac, created_at, expires_at, client_ip) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(phone.as_str())
    .bind(code_mac(state, phone, &code))
    .bind(now)
    .bind(now + CODE_TTL_SECONDS)
    .bind(ip)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    if let Err(e) = state.sms.send(phone, &Sms::code(&code, purpose, (CODE_TTL_SECONDS / 60) as u32), now).await {
        // A code that never reached the phone neither works nor counts against the limits.
        sqlx::query("DELETE FROM sms_codes WHERE id = $1").bind(code_id).execute(&state.db).await?;
        tracing::error!(error = %e, phone = %phone.masked(), "SMS not sent");
        let error = AppError::client(StatusCode::SERVICE_UNAVAILABLE, "sms_unavailable", "短信发送失败，请稍后重新获取验证码。");
        return refusal(state, now, Event::SmsCodeSent, "sms_unavailable", phone, ip, error).await;
    }
    audit::record(
        &state.db,
        now,
        Entry { event: Event::SmsCodeSent, outcome: "ok", user_id: None, phone_masked: Some(phone.masked()), client_ip: ip, staff_id: None, subject: None },
    )
    .await?;
    Ok(SmsCodeSent { resend_after_seconds: RESEND_AFTER_SECONDS as u64, expires_in_seconds: CODE_TTL_SECONDS as u64 })
}

/// Records a refusal in the audit log, then answers it.
pub(crate) async fn refusal<T>(
    state: &AppState,
    now: i64,
    event: Event,
    outcome: &str,
    phone: &PhoneNumber,
    ip: &str,
    error: AppError,
) -> AppResult<T> {
    let entry = Entry { event, outcome, user_id: None, phone_masked: Some(phone.masked()), client_ip: ip, staff_id: None, subject: None };
    audit::record(&state.db, now, entry).await?;
    Err(error)
}

pub(crate) fn code_mac(state: &AppState, phone: &PhoneNumber, code: &SmsCode) -> Vec<u8> {
    state.secrets.mac("sms-code", &[phone.as_str().as_bytes(), code.as_str().as_bytes()])
}

/// Signs in with the phone number and its newest code; sets the session cookie.
#[utoipa::path(
    post,
    path = "/auth/session",
    tag = "account",
    operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the session is in an HttpOnly cookie", body = Me),
        (status = 400, description = "`invalid_phone`, `invalid_code`, `code_missing`, `code_expired`, `code_wrong` (with `tries_left`) or `code_locked`; with `bind_wechat`, `wechat_expired`: no WeChat authorization of this browser in the last 15 minutes", body = ErrorBody),
        (status = 403, description = "`csrf`", body = ErrorBody),
        (status = 409, description = "With `bind_wechat`: `wechat_bound_other`, the account has another WeChat; `wechat_taken`, the WeChat has another account", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Body(request): Body<LoginRequest>,
) -> AppResult<Response> {
    let phone = PhoneNumber::parse(&request.phone).map_err(|m| AppError::bad_request("invalid_phone", m))?;
    let code = SmsCode::parse(&request.code).map_err(|m| AppError::bad_request("invalid_code", m))?;
    let now = state.clock.now();
    let id = check_code(&state, &phone, &code, &ip, Event::LoginFailed).await?;
    // Checked before the code is spent: an expired WeChat authorization leaves the code usable.
    let pending = if request.bind_wechat { Some(crate::wechat::pending(&state, &headers).await?) } else { None };
    let mut tx = crate::db::begin_writing(&state.db).await?;
    // Single use: the code is spent by the first successful login, even under a race.
    if !spend_code(&mut tx, id).await? {
        return refusal(&state, now, Event::LoginFailed, "code_spent", &phone, &ip, code_spent()).await;
    }
    sign_in_phone(&state, tx, &phone, pending.as_ref(), &ip, Via::SmsCode).await
}

/// How a phone number was proven: the audit's `outcome` of the login (and of a WeChat bound
/// with it).
#[derive(Clone, Copy)]
pub(crate) enum Via {
    SmsCode,
    /// 本机号码一键登录.
    Carrier,
}

/// Signs in the owner of `phone`, proven by `via`, inside `tx` (which spent the proof): his
/// account (made on first use), the WeChat of `pending` bound to it, a session cookie and `Me`.
pub(crate) async fn sign_in_phone(
    state: &AppState,
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    phone: &PhoneNumber,
    pending: Option<&crate::wechat::Pending>,
    ip: &str,
    via: Via,
) -> AppResult<Response> {
    let now = state.clock.now();
    let (login, bound) = match via {
        Via::SmsCode => ("ok", "sms"),
        Via::Carrier => ("number", "number"),
    };
    sqlx::query("INSERT INTO users (phone, created_at) VALUES ($1, $2) ON CONFLICT (phone) DO NOTHING")
        .bind(phone.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let (user_id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE phone = $1")
        .bind(phone.as_str())
        .fetch_one(&mut *tx)
        .await?;
    if let Some(pending) = pending {
        crate::wechat::bind(&mut tx, state, user_id, pending, now).await?;
    }
    let token = open_session(&mut tx, user_id, now).await?;
    tx.commit().await?;
    audit::record(
        &state.db,
        now,
        Entry { event: Event::Login, outcome: login, user_id: Some(user_id), phone_masked: Some(phone.masked()), client_ip: ip, staff_id: None, subject: None },
    )
    .await?;
    if pending.is_some() {
        let entry = Entry { event: Event::WechatBound, outcome: bound, user_id: Some(user_id), phone_masked: Some(phone.masked()), client_ip: ip, staff_id: None, subject: None };
        audit::record(&state.db, now, entry).await?;
    }
    let me = me_of(state, user_id).await?;
    let mut response = ([(header::SET_COOKIE, session_cookie(state, &token))], Json(me)).into_response();
    if pending.is_some() {
        response.headers_mut().append(header::SET_COOKIE, crate::wechat::clear_pending_cookie(state));
    }
    Ok(response)
}

/// Opens a session for `user_id`: the token for the cookie (only its hash is stored).
pub(crate) async fn open_session(conn: &mut sqlx::AnyConnection, user_id: i64, now: i64) -> Result<String, sqlx::Error> {
    let token = new_token();
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(now)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(token)
}

/// The user as he may see himself: masked number, real-name status, the bound WeChat.
pub async fn me_of(state: &AppState, user_id: i64) -> AppResult<Me> {
    let (phone, status): (String, String) =
        sqlx::query_as("SELECT phone, realname_status FROM users WHERE id = $1").bind(user_id).fetch_one(&state.db).await?;
    let phone = PhoneNumber::parse(&phone).map_err(|_| AppError::Internal("a stored phone number does not parse".into()))?;
    Ok(Me {
        phone_masked: phone.masked(),
        realname_status: realname_status(&status)?,
        idle_timeout_seconds: state.config.session_idle_minutes * 60,
        wechat: crate::wechat::identity_of(state, user_id).await?,
    })
}

/// Checks `code` against the newest code sent to `phone`: missing, spent, expired, locked
/// after [`MAX_WRONG_TRIES`] wrong tries, or wrong (one try used up, `tries_left` in the
/// answer). Each refusal is audited as `failed` with its reason. Returns the code's row, to be
/// spent with [`spend_code`] in the transaction of what it allows.
pub async fn check_code(state: &AppState, phone: &PhoneNumber, code: &SmsCode, ip: &str, failed: Event) -> AppResult<i64> {
    let now = state.clock.now();
    let newest: Option<(i64, Vec<u8>, i64, i64, Flag)> = sqlx::query_as(
        "SELECT id, code_mac, expires_at, failed_tries, spent FROM sms_codes WHERE phone = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(phone.as_str())
    .fetch_optional(&state.db)
    .await?;
    let Some((id, mac, expires_at, failed_tries, Flag(spent))) = newest else {
        let error = AppError::bad_request("code_missing", "请先点击“获取验证码”，再输入短信中的验证码。");
        return refusal(state, now, failed, "code_missing", phone, ip, error).await;
    };
    if failed_tries >= MAX_WRONG_TRIES {
        return refusal(state, now, failed, "code_locked", phone, ip, code_locked()).await;
    }
    if spent {
        return refusal(state, now, failed, "code_spent", phone, ip, code_spent()).await;
    }
    if now >= expires_at {
        let error = AppError::bad_request("code_expired", "验证码已过期（5分钟内有效），请重新获取验证码。");
        return refusal(state, now, failed, "code_expired", phone, ip, error).await;
    }
    if !constant_time_eq(&mac, &code_mac(state, phone, code)) {
        let tries = failed_tries + 1;
        sqlx::query("UPDATE sms_codes SET failed_tries = $1, spent = $2 WHERE id = $3")
            .bind(tries)
            .bind(i64::from(tries >= MAX_WRONG_TRIES))
            .bind(id)
            .execute(&state.db)
            .await?;
        if tries >= MAX_WRONG_TRIES {
            return refusal(state, now, failed, "code_locked", phone, ip, code_locked()).await;
        }
        let left = (MAX_WRONG_TRIES - tries) as u32;
        let mut body = ErrorBody::new("code_wrong", format!("验证码不正确，还可以再试{left}次。"));
        body.tries_left = Some(left);
        return refusal(state, now, failed, "code_wrong", phone, ip, AppError::Client { status: StatusCode::BAD_REQUEST, body }).await;
    }
    Ok(id)
}

/// Spends a code checked by [`check_code`]; `false` when another request spent it first.
pub async fn spend_code(conn: &mut sqlx::AnyConnection, id: i64) -> Result<bool, sqlx::Error> {
    let spent = sqlx::query("UPDATE sms_codes SET spent = 1 WHERE id = $1 AND spent = 0").bind(id).execute(conn).await?;
    Ok(spent.rows_affected() == 1)
}

/// The refusal of a code used already (or replaced by a newer one).
pub fn code_spent() -> AppError {
    AppError::bad_request("code_missing", "该验证码已使用，请重新获取验证码。")
}

fn code_locked() -> AppError {
    AppError::bad_request("code_locked", "验证码输错次数过多，已失效，请重新获取验证码。")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Only the hash is stored: a copy of the database opens no session.
pub(crate) fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub(crate) fn realname_status(stored: &str) -> AppResult<RealNameStatus> {
    Ok(match stored {
        "none" => RealNameStatus::None,
        "pending" => RealNameStatus::Pending,
        "approved" => RealNameStatus::Approved,
        "rejected" => RealNameStatus::Rejected,
        other => return Err(AppError::Internal(format!("unknown realname_status {other:?}"))),
    })
}

/// `__Host-` and `Secure` when served over HTTPS, so that no subdomain can set or read it.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies {
        "__Host-taxicert_session"
    } else {
        "taxicert_session"
    }
}

/// The session cookie for a new session's `token`.
pub(crate) fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    cookie(state, cookie_name(state), token, state.config.session_absolute_hours * 3600)
}

/// An HttpOnly, SameSite=Lax cookie for the whole site (`Secure` over HTTPS); `max_age` 0
/// clears it. Lax, so that it comes back with the top-level navigation from WeChat's page.
pub(crate) fn cookie(state: &AppState, name: &str, value: &str, max_age: u64) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    let cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&cookie).expect("cookie values are URL-safe base64 or hex")
}

/// The value of the cookie `name` the request carries.
pub(crate) fn session_token(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// How stale a session's `last_seen_at` may grow before a request writes it again, in seconds.
/// Writing it on every request made each signed-in read a write, which queues behind the one
/// writer on SQLite and costs a commit on PostgreSQL (see 我的办件 in `make bench`). The price: a
/// session may end up to this long before its idle timeout counted from the very last request.
pub const SESSION_TOUCH_SECONDS: i64 = 60;

/// Whether a request at `now` (Unix seconds) should extend a session last written at
/// `last_seen_at`: see [`SESSION_TOUCH_SECONDS`]. Driver and staff sessions share it.
pub fn needs_touch(now: i64, last_seen_at: i64) -> bool {
    now - last_seen_at >= SESSION_TOUCH_SECONDS
}

/// The signed-in user of a request; rejects with 401 `unauthenticated` otherwise. Each use
/// extends the idle timeout; the absolute limit never moves.
pub struct CurrentUser {
    pub user_id: i64,
    /// Whether the user's real-name check is approved, read with the session so that
    /// [`crate::realname::VerifiedUser`] costs no second query.
    pub realname_approved: bool,
    token_hash: Vec<u8>,
}

impl CurrentUser {
    /// The session of the request, if it has a live one.
    async fn of(parts: &Parts, state: &AppState) -> AppResult<Option<CurrentUser>> {
        let Some(token) = session_token(&parts.headers, cookie_name(state)) else {
            return Ok(None);
        };
        let hash = token_hash(&token);
        let now = state.clock.now();
        let row: Option<(i64, i64, i64, Option<i64>, String)> = sqlx::query_as(
            "SELECT s.user_id, s.created_at, s.last_seen_at, s.revoked_at, u.realname_status
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(&state.db)
        .await?;
        let Some((user_id, created_at, last_seen_at, revoked_at, stored_status)) = row else {
            return Ok(None);
        };
        let idle = (state.config.session_idle_minutes * 60) as i64;
        let absolute = (state.config.session_absolute_hours * 3600) as i64;
        if revoked_at.is_some() || now - last_seen_at > idle || now - created_at > absolute {
            return Ok(None);
        }
        if needs_touch(now, last_seen_at) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2").bind(now).bind(&hash).execute(&state.db).await?;
        }
        Ok(Some(CurrentUser { user_id, realname_approved: stored_status == "approved", token_hash: hash }))
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        CurrentUser::of(parts, state).await?.ok_or_else(AppError::unauthenticated)
    }
}

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        CurrentUser::of(parts, state).await
    }
}

/// Signs out: the session is revoked on the server and the cookie cleared.
#[utoipa::path(
    delete,
    path = "/auth/session",
    tag = "account",
    operation_id = "logout",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`csrf`", body = ErrorBody),
    )
)]
pub async fn logout(State(state): State<AppState>, ClientIp(ip): ClientIp, user: CurrentUser) -> AppResult<Response> {
    let now = state.clock.now();
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2").bind(now).bind(&user.token_hash).execute(&state.db).await?;
    audit::record(
        &state.db,
        now,
        Entry { event: Event::Logout, outcome: "ok", user_id: Some(user.user_id), phone_masked: None, client_ip: &ip, staff_id: None, subject: None },
    )
    .await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie(&state, cookie_name(&state), "", 0))]).into_response())
}

/// Who is signed in: answered without a session too (`me` is `null`), so that the app can
/// ask at start-up without an error.
#[utoipa::path(
    get,
    path = "/auth/session",
    tag = "account",
    operation_id = "session",
    responses((status = 200, description = "The signed-in user, or `null`", body = SessionInfo))
)]
pub async fn session(State(state): State<AppState>, user: Option<CurrentUser>) -> AppResult<Json<SessionInfo>> {
    let me = match user {
        Some(user) => Some(me_of(&state, user.user_id).await?),
        None => None,
    };
    let number_token_url = state.numbers.as_ref().and(state.config.number_token_url.clone());
    Ok(Json(SessionInfo { me, wechat_login: state.config.wechat().is_some(), number_token_url }))
}

/// Dev mode only: the SMS codes the dev sender kept, newest first. 404 otherwise.
#[utoipa::path(
    get,
    path = "/dev/sms-outbox",
    tag = "dev",
    operation_id = "dev_sms_outbox",
    responses(
        (status = 200, description = "The outbox (dev mode only)", body = [OutboxMessage]),
        (status = 404, description = "Not in dev mode", body = ErrorBody),
    )
)]
pub async fn dev_sms_outbox(State(state): State<AppState>) -> AppResult<Json<Vec<OutboxMessage>>> {
    let outbox = state.dev_outbox.as_ref().ok_or(AppError::NotFound)?;
    Ok(Json(outbox.messages()))
}

/// State-changing API requests must carry [`CSRF_HEADER`] and, when the browser names an
/// `Origin`, come from this server's own origin or one configured as allowed.
pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let headers = request.headers();
    let has_header = headers.get(CSRF_HEADER).is_some();
    let origin_ok = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
            let same = origin.split_once("://").is_some_and(|(_, rest)| rest == host);
            same || state.config.allowed_origins.iter().any(|o| o == origin)
        }
    };
    if has_header && origin_ok {
        next.run(request).await
    } else {
        AppError::client(StatusCode::FORBIDDEN, "csrf", "请求来源无法验证，请刷新页面后重试。").into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; taxicert_session=abc; b=2"));
        assert_eq!(session_token(&headers, "taxicert_session").as_deref(), Some("abc"));
        assert_eq!(session_token(&headers, "__Host-taxicert_session"), None);
    }

    #[test]
    fn tokens_are_long_and_unique() {
        let a = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_token());
    }

    #[test]
    fn comparison_needs_equal_bytes() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
