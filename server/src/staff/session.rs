//! Staff sign-in with username and password, the staff session cookie, and the guards of every
//! staff endpoint: [`StaffUser`] (any staff session) and [`Clerk`] (allowed to act).
//!
//! A staff session is a cookie and a table of its own: a driver's session never opens a staff
//! endpoint, and a staff session never opens a driver's.

use axum::{
    extract::{FromRequestParts, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};
use taxicert_api::{ErrorBody, StaffLogin, StaffMe, StaffRole};

use super::{
    accounts::{dummy_hash, parse_role, verify_password, MAX_PASSWORD_CHARS},
    throttle::{self, Keys},
};
use crate::{
    audit::{self, Entry, Event},
    auth::{cookie_name, ClientIp},
    error::{AppError, AppResult, Body},
    AppState,
};

pub use super::throttle::{LOCK_MINUTES, MAX_WRONG_PASSWORDS};

/// `__Host-` and `Secure` when served over HTTPS, like the driver's cookie.
pub fn staff_cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies {
        "__Host-taxicert_staff"
    } else {
        "taxicert_staff"
    }
}

/// `SameSite=Strict`: the console is never entered from a link on another site, so the cookie
/// need not travel with one.
fn staff_cookie(state: &AppState, value: &str, max_age: u64) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    let cookie =
        format!("{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}", staff_cookie_name(state));
    HeaderValue::from_str(&cookie).expect("cookie values are URL-safe base64")
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Only the hash is stored: a copy of the database opens no session.
fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn login_failed() -> AppError {
    AppError::client(StatusCode::UNAUTHORIZED, "staff_login_failed", "用户名或密码错误，请重新输入。")
}

fn staff_unauthenticated() -> AppError {
    AppError::client(StatusCode::UNAUTHORIZED, "staff_unauthenticated", "请先登录业务办理系统。")
}

fn staff_only() -> AppError {
    AppError::client(StatusCode::FORBIDDEN, "staff_only", "此功能仅限业务办理人员使用。")
}

/// 403 `staff_role`: the account's role does not allow what was asked (`what`, e.g. 办理业务).
pub fn staff_role(role: StaffRole, what: &str) -> AppError {
    AppError::client(StatusCode::FORBIDDEN, "staff_role", format!("您的账号为{}，不能{what}。", role.name()))
}

/// Argon2 takes tens of milliseconds of one core: off the async threads.
async fn verify_blocking(password: String, stored: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || verify_password(&password, &stored))
        .await
        .map_err(|e| AppError::Internal(format!("the password check stopped: {e}")))
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    password_hash: String,
    #[sqlx(try_from = "crate::db::Flag")]
    disabled: bool,
}

fn role_of(code: &str) -> AppResult<StaffRole> {
    parse_role(code).ok_or_else(|| AppError::Internal(format!("unknown staff role {code:?}")))
}

/// Signs a staff member in; sets the staff session cookie.
///
/// Every refusal is the same for a username that exists and one that does not, and costs the
/// same password check (an unknown username is checked against a dummy hash): wrong passwords
/// are counted per (username, client address) and per client address whatever the username
/// (see [`throttle`]), so that the answers tell no usernames and nobody elsewhere can lock a
/// clerk out of his own desk.
#[utoipa::path(
    post,
    path = "/staff/session",
    tag = "staff",
    operation_id = "staff_login",
    request_body = StaffLogin,
    responses(
        (status = 200, description = "Signed in; the session is in an HttpOnly, SameSite=Strict cookie", body = StaffMe),
        (status = 401, description = "`staff_login_failed`: wrong username or password (the same answer for an unknown or disabled account)", body = ErrorBody),
        (status = 403, description = "`csrf`", body = ErrorBody),
        (status = 429, description = "`staff_locked`: 5 wrong passwords in a row for one username from one address pause that username there for 15 minutes; `staff_throttled`: 20 wrong passwords within 15 minutes from one address, any usernames, pause every sign-in from there for 15 minutes. With `retry_after_seconds`; the same whether the username exists or not", body = ErrorBody),
    )
)]
pub async fn staff_login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Body(request): Body<StaffLogin>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let username = request.username.trim().to_lowercase();
    let failure = |outcome: &'static str, staff_id: Option<i64>| Entry {
        event: Event::StaffLoginFailed,
        outcome,
        user_id: None,
        phone_masked: None,
        client_ip: &ip,
        staff_id,
        subject: None,
    };
    let keys = Keys::of(&state, &username, &ip);
    let account: Option<AccountRow> = sqlx::query_as(
        "SELECT id, username, display_name, role, password_hash, disabled FROM staff WHERE username = $1",
    )
    .bind(&username)
    .fetch_optional(&state.db)
    .await?;
    let staff_id = account.as_ref().map(|a| a.id);
    if let Some(pause) = throttle::pause(&state.db, &keys, now).await? {
        audit::record(&state.db, now, failure(pause.outcome(), staff_id)).await?;
        return Err(pause.error());
    }
    let password = request.password;
    // What is wrong, if anything: checked at the same cost whatever it is.
    let wrong: Option<&'static str> = if password.chars().count() > MAX_PASSWORD_CHARS {
        Some("password_too_long")
    } else {
        match &account {
            None => {
                verify_blocking(password, dummy_hash().to_owned()).await?;
                Some("unknown_user")
            }
            Some(account) => {
                let right = verify_blocking(password, account.password_hash.clone()).await?;
                if account.disabled {
                    Some("disabled")
                } else if !right {
                    Some("password_wrong")
                } else {
                    None
                }
            }
        }
    };
    if let Some(outcome) = wrong {
        return Err(match throttle::count_failure(&state.db, &keys, staff_id, now).await? {
            Some(pause) => {
                audit::record(&state.db, now, failure(pause.outcome(), staff_id)).await?;
                pause.error()
            }
            None => {
                audit::record(&state.db, now, failure(outcome, staff_id)).await?;
                login_failed()
            }
        });
    }
    let account = account.ok_or_else(|| AppError::Internal("a right password without an account".into()))?;

    let token = new_token();
    let mut tx = state.db.begin().await?;
    throttle::clear_username(&mut tx, &keys).await?;
    sqlx::query("INSERT INTO staff_sessions (token_hash, staff_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash(&token))
        .bind(account.id)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let entry = Entry {
        event: Event::StaffLogin,
        outcome: "ok",
        user_id: None,
        phone_masked: None,
        client_ip: &ip,
        staff_id: Some(account.id),
        subject: None,
    };
    audit::record(&mut *tx, now, entry).await?;
    tx.commit().await?;
    let me = StaffMe { username: account.username, display_name: account.display_name, role: role_of(&account.role)? };
    let cookie = staff_cookie(&state, &token, state.config.session_absolute_hours * 3600);
    Ok(([(header::SET_COOKIE, cookie)], Json(me)).into_response())
}

/// The signed-in staff member of a request. Without a live staff session it rejects with 403
/// `staff_only` when the request comes from a signed-in driver's browser (a driver found a
/// staff address), else with 401 `staff_unauthenticated`. Each use extends the idle timeout;
/// the absolute limit never moves.
pub struct StaffUser {
    pub staff_id: i64,
    pub role: StaffRole,
    pub display_name: String,
    pub username: String,
    token_hash: Vec<u8>,
}

/// A staff session with its account.
#[derive(sqlx::FromRow)]
struct SessionRow {
    staff_id: i64,
    created_at: i64,
    last_seen_at: i64,
    revoked_at: Option<i64>,
    username: String,
    display_name: String,
    role: String,
    #[sqlx(try_from = "crate::db::Flag")]
    disabled: bool,
}

impl StaffUser {
    async fn of(parts: &Parts, state: &AppState) -> AppResult<Option<StaffUser>> {
        let Some(token) = cookie_value(&parts.headers, staff_cookie_name(state)) else {
            return Ok(None);
        };
        let hash = token_hash(&token);
        let now = state.clock.now();
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT s.staff_id, s.created_at, s.last_seen_at, s.revoked_at, st.username, st.display_name, st.role, st.disabled
               FROM staff_sessions s JOIN staff st ON st.id = s.staff_id WHERE s.token_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(&state.db)
        .await?;
        let Some(SessionRow { staff_id, created_at, last_seen_at, revoked_at, username, display_name, role, disabled }) =
            row
        else {
            return Ok(None);
        };
        let idle = (state.config.session_idle_minutes * 60) as i64;
        let absolute = (state.config.session_absolute_hours * 3600) as i64;
        if disabled || revoked_at.is_some() || now - last_seen_at > idle || now - created_at > absolute {
            return Ok(None);
        }
        if crate::auth::needs_touch(now, last_seen_at) {
            sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(&state.db)
                .await?;
        }
        Ok(Some(StaffUser { staff_id, role: role_of(&role)?, display_name, username, token_hash: hash }))
    }

    pub fn is_clerk(&self) -> bool {
        self.role == StaffRole::Clerk
    }

    /// Ends every other session of the account (a password changed): this one goes on.
    pub async fn revoke_other_sessions(&self, conn: &mut sqlx::AnyConnection, now: i64) -> AppResult<()> {
        sqlx::query(
            "UPDATE staff_sessions SET revoked_at = $1 WHERE staff_id = $2 AND token_hash <> $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(self.staff_id)
        .bind(&self.token_hash)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

impl FromRequestParts<AppState> for StaffUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(staff) = StaffUser::of(parts, state).await? {
            return Ok(staff);
        }
        // A staff cookie that ended asks for a new staff login, even beside a driver's cookie.
        let has_staff_cookie = cookie_value(&parts.headers, staff_cookie_name(state)).is_some();
        let has_driver_cookie = cookie_value(&parts.headers, cookie_name(state)).is_some();
        Err(if has_driver_cookie && !has_staff_cookie { staff_only() } else { staff_unauthenticated() })
    }
}

/// A staff member allowed to act (role `clerk`): review real-name submissions and work cases.
/// Rejects like [`StaffUser`], then another role with 403 `staff_role`.
pub struct Clerk(pub StaffUser);

impl FromRequestParts<AppState> for Clerk {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let staff = StaffUser::from_request_parts(parts, state).await?;
        if !staff.is_clerk() {
            return Err(staff_role(staff.role, "办理业务"));
        }
        Ok(Clerk(staff))
    }
}

/// A staff member who sees ID-card photos (role `clerk`: he compares them with the fields to
/// decide). The photos show the full ID number, which other roles see masked. Rejects like
/// [`StaffUser`], then another role with 403 `staff_role`.
pub struct IdCardViewer(pub StaffUser);

impl FromRequestParts<AppState> for IdCardViewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let staff = StaffUser::from_request_parts(parts, state).await?;
        if !staff.is_clerk() {
            return Err(staff_role(staff.role, "查看身份证照片（照片上有完整的身份证号码）"));
        }
        Ok(IdCardViewer(staff))
    }
}

/// A staff member who manages the accounts (role `admin`). Rejects like [`StaffUser`], then
/// another role with 403 `staff_role`.
pub struct Admin(pub StaffUser);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let staff = StaffUser::from_request_parts(parts, state).await?;
        if staff.role != StaffRole::Admin {
            return Err(staff_role(staff.role, "管理账号"));
        }
        Ok(Admin(staff))
    }
}

/// Who is signed in to the console.
#[utoipa::path(
    get,
    path = "/staff/session",
    tag = "staff",
    operation_id = "staff_session",
    responses(
        (status = 200, description = "The signed-in staff member", body = StaffMe),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`: a driver's session", body = ErrorBody),
    )
)]
pub async fn staff_session(staff: StaffUser) -> Json<StaffMe> {
    Json(StaffMe { username: staff.username, display_name: staff.display_name, role: staff.role })
}

/// Signs out of the console: the session is revoked and the cookie cleared.
#[utoipa::path(
    delete,
    path = "/staff/session",
    tag = "staff",
    operation_id = "staff_logout",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only` or `csrf`", body = ErrorBody),
    )
)]
pub async fn staff_logout(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    staff: StaffUser,
) -> AppResult<Response> {
    let now = state.clock.now();
    sqlx::query("UPDATE staff_sessions SET revoked_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(&staff.token_hash)
        .execute(&state.db)
        .await?;
    let entry = Entry {
        event: Event::StaffLogout,
        outcome: "ok",
        user_id: None,
        phone_masked: None,
        client_ip: &ip,
        staff_id: Some(staff.staff_id),
        subject: None,
    };
    audit::record(&state.db, now, entry).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, staff_cookie(&state, "", 0))]).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_staff_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("taxicert_session=a; taxicert_staff=b"));
        assert_eq!(cookie_value(&headers, "taxicert_staff").as_deref(), Some("b"));
        assert_eq!(cookie_value(&headers, "__Host-taxicert_staff"), None);
    }
}
