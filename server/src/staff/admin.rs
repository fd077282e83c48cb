//! The staff accounts in the console: what `taxicert-server staff …` does, for an admin
//! (list, create, change the role, reset the password, unlock, disable), and every staff
//! member's change of his own password. Each change is audited with who made it and
//! `staff:{username}` as its subject.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use taxicert_api::{
    ErrorBody, NewStaffAccount, StaffAccountInfo, StaffPasswordChange, StaffPasswordReset, StaffRoleChange,
};

use super::{
    accounts::{self, check_password, parse_role, verify_password, AccountError, MAX_PASSWORD_CHARS},
    session::{Admin, StaffUser},
    throttle::{self, Keys},
};
use crate::{
    audit::{self, Entry, Event},
    auth::ClientIp,
    error::{AppError, AppResult, Body},
    AppState,
};

/// An account error as the console shows it: which field is wrong and how to fix it.
fn account_error(error: AccountError, password_field: &str) -> AppError {
    match error {
        AccountError::InvalidUsername(_) => AppError::bad_field(
            "invalid_field",
            "username",
            "用户名须为3至32个字符，只能包含小写字母、数字和 _ . -，例如 wang.jianguo。",
        ),
        AccountError::InvalidDisplayName => {
            AppError::bad_field("invalid_field", "display_name", "姓名须为1至32个字符，例如 王建国。")
        }
        e @ (AccountError::PasswordTooShort | AccountError::PasswordTooLong) => {
            AppError::bad_field("invalid_field", password_field, e.to_string())
        }
        AccountError::UsernameTaken(username) => {
            AppError::conflict("username_taken", format!("用户名“{username}”已被使用，请换一个用户名。"))
        }
        AccountError::NotFound(_) => AppError::NotFound,
        AccountError::Database(e) => AppError::Database(e),
        AccountError::Hashing(e) => AppError::Internal(format!("a password could not be hashed: {e}")),
    }
}

/// 409 `own_account`: an admin does not demote, disable or reset himself here (the last admin
/// would lock everybody out of account management).
fn own_account(what: &str) -> AppError {
    AppError::conflict("own_account", format!("不能{what}自己的账号；请另一位账号管理员操作。"))
}

async fn record(state: &AppState, ip: &str, staff_id: i64, event: Event, username: &str) -> AppResult<()> {
    let subject = format!("staff:{username}");
    let entry = Entry {
        event,
        outcome: "ok",
        user_id: None,
        phone_masked: None,
        client_ip: ip,
        staff_id: Some(staff_id),
        subject: Some(&subject),
    };
    audit::record(&state.db, state.clock.now(), entry).await?;
    Ok(())
}

async fn infos(state: &AppState) -> AppResult<Vec<StaffAccountInfo>> {
    let accounts = accounts::list(&state.db).await.map_err(|e| account_error(e, "password"))?;
    accounts
        .into_iter()
        .map(|a| {
            let role =
                parse_role(&a.role).ok_or_else(|| AppError::Internal(format!("unknown staff role {:?}", a.role)))?;
            Ok(StaffAccountInfo {
                username: a.username,
                display_name: a.display_name,
                role,
                disabled: a.disabled,
                locked_until: a.locked_until,
                created_at: a.created_at,
            })
        })
        .collect()
}

async fn info_of(state: &AppState, username: &str) -> AppResult<StaffAccountInfo> {
    infos(state).await?.into_iter().find(|a| a.username == username).ok_or(AppError::NotFound)
}

/// The username in a path, as sign-in normalises it.
fn normalised(username: &str) -> String {
    username.trim().to_lowercase()
}

/// Every staff account, by username.
#[utoipa::path(
    get,
    path = "/staff/accounts",
    tag = "staff",
    operation_id = "staff_accounts",
    responses(
        (status = 200, description = "The accounts, by username", body = [StaffAccountInfo]),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`, or `staff_role`: not an admin", body = ErrorBody),
    )
)]
pub async fn staff_accounts(State(state): State<AppState>, _admin: Admin) -> AppResult<Json<Vec<StaffAccountInfo>>> {
    Ok(Json(infos(&state).await?))
}

/// Creates an account with its first password, which the admin hands over (the staff member
/// then changes it with `PUT /staff/password`).
#[utoipa::path(
    post,
    path = "/staff/accounts",
    tag = "staff",
    operation_id = "staff_account_create",
    request_body = NewStaffAccount,
    responses(
        (status = 201, description = "Created", body = StaffAccountInfo),
        (status = 400, description = "`invalid_field` with `field` `username`, `display_name` or `password`", body = ErrorBody),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`, `staff_role` (not an admin) or `csrf`", body = ErrorBody),
        (status = 409, description = "`username_taken`", body = ErrorBody),
    )
)]
pub async fn staff_account_create(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ClientIp(ip): ClientIp,
    Body(new): Body<NewStaffAccount>,
) -> AppResult<(StatusCode, Json<StaffAccountInfo>)> {
    let username = normalised(&new.username);
    accounts::create_account(&state.db, &username, &new.display_name, new.role, &new.password)
        .await
        .map_err(|e| account_error(e, "password"))?;
    record(&state, &ip, admin.staff_id, Event::StaffAccountCreated, &username).await?;
    Ok((StatusCode::CREATED, Json(info_of(&state, &username).await?)))
}

/// Changes an account's role; its sessions end, so that the new role applies at once.
#[utoipa::path(
    put,
    path = "/staff/accounts/{username}/role",
    tag = "staff",
    operation_id = "staff_account_role",
    params(("username" = String, Path, description = "The account's username")),
    request_body = StaffRoleChange,
    responses(
        (status = 200, description = "The account as it now stands", body = StaffAccountInfo),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`, `staff_role` (not an admin) or `csrf`", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 409, description = "`own_account`: an admin's own role", body = ErrorBody),
    )
)]
pub async fn staff_account_role(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ClientIp(ip): ClientIp,
    Path(username): Path<String>,
    Body(change): Body<StaffRoleChange>,
) -> AppResult<Json<StaffAccountInfo>> {
    let username = normalised(&username);
    if username == admin.username {
        return Err(own_account("修改"));
    }
    accounts::set_role(&state.db, &username, change.role).await.map_err(|e| account_error(e, "password"))?;
    record(&state, &ip, admin.staff_id, Event::StaffRoleChanged, &username).await?;
    Ok(Json(info_of(&state, &username).await?))
}

/// Sets a new password for a staff member who forgot his: his sessions end and his locks are
/// lifted.
#[utoipa::path(
    put,
    path = "/staff/accounts/{username}/password",
    tag = "staff",
    operation_id = "staff_account_password",
    params(("username" = String, Path, description = "The account's username")),
    request_body = StaffPasswordReset,
    responses(
        (status = 204, description = "Set"),
        (status = 400, description = "`invalid_field` with `field` `password`: 12–128 characters", body = ErrorBody),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`, `staff_role` (not an admin) or `csrf`", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 409, description = "`own_account`: an admin changes his own with `PUT /staff/password`", body = ErrorBody),
    )
)]
pub async fn staff_account_password(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ClientIp(ip): ClientIp,
    Path(username): Path<String>,
    Body(reset): Body<StaffPasswordReset>,
) -> AppResult<StatusCode> {
    let username = normalised(&username);
    if username == admin.username {
        return Err(AppError::conflict("own_account", "修改自己的密码请使用“修改密码”，需要输入当前密码。"));
    }
    accounts::set_password(&state.db, &username, &reset.password).await.map_err(|e| account_error(e, "password"))?;
    record(&state, &ip, admin.staff_id, Event::StaffPasswordReset, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts the pauses of a username after too many wrong passwords, from every address.
#[utoipa::path(
    post,
    path = "/staff/accounts/{username}/unlock",
    tag = "staff",
    operation_id = "staff_account_unlock",
    params(("username" = String, Path, description = "The account's username")),
    responses(
        (status = 204, description = "Unlocked"),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`, `staff_role` (not an admin) or `csrf`", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
    )
)]
pub async fn staff_account_unlock(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ClientIp(ip): ClientIp,
    Path(username): Path<String>,
) -> AppResult<StatusCode> {
    let username = normalised(&username);
    accounts::unlock(&state.db, &username).await.map_err(|e| account_error(e, "password"))?;
    record(&state, &ip, admin.staff_id, Event::StaffUnlocked, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Disables an account for good (someone who left): its sessions end at once. The account
/// stays, because the timelines and the audit log name it.
#[utoipa::path(
    post,
    path = "/staff/accounts/{username}/disable",
    tag = "staff",
    operation_id = "staff_account_disable",
    params(("username" = String, Path, description = "The account's username")),
    responses(
        (status = 204, description = "Disabled"),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`, `staff_role` (not an admin) or `csrf`", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 409, description = "`own_account`: an admin's own account", body = ErrorBody),
    )
)]
pub async fn staff_account_disable(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ClientIp(ip): ClientIp,
    Path(username): Path<String>,
) -> AppResult<StatusCode> {
    let username = normalised(&username);
    if username == admin.username {
        return Err(own_account("停用"));
    }
    accounts::disable(&state.db, &username).await.map_err(|e| account_error(e, "password"))?;
    record(&state, &ip, admin.staff_id, Event::StaffDisabled, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes the signed-in staff member's own password. The current one is checked as a
/// sign-in is (a wrong one counts towards the pause of the username from this address); the
/// new one follows the rules of every password. His other sessions end; this one goes on.
#[utoipa::path(
    put,
    path = "/staff/password",
    tag = "staff",
    operation_id = "staff_change_password",
    request_body = StaffPasswordChange,
    responses(
        (status = 204, description = "Changed; the account's other sessions are signed out"),
        (status = 400, description = "`invalid_field` with `field` `current_password` (wrong) or `new_password` (12–128 characters, not the current one)", body = ErrorBody),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only` or `csrf`", body = ErrorBody),
        (status = 429, description = "`staff_locked` or `staff_throttled`: too many wrong passwords, as at sign-in, with `retry_after_seconds`", body = ErrorBody),
    )
)]
pub async fn staff_change_password(
    State(state): State<AppState>,
    staff: StaffUser,
    ClientIp(ip): ClientIp,
    Body(change): Body<StaffPasswordChange>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let keys = Keys::of(&state, &staff.username, &ip);
    if let Some(pause) = throttle::pause(&state.db, &keys, now).await? {
        return Err(pause.error());
    }
    let (stored,): (String,) =
        sqlx::query_as("SELECT password_hash FROM staff WHERE id = $1").bind(staff.staff_id).fetch_one(&state.db).await?;
    let current = change.current_password;
    let right = current.chars().count() <= MAX_PASSWORD_CHARS && {
        let (current, stored) = (current.clone(), stored);
        tokio::task::spawn_blocking(move || verify_password(&current, &stored))
            .await
            .map_err(|e| AppError::Internal(format!("the password check stopped: {e}")))?
    };
    if !right {
        if let Some(pause) = throttle::count_failure(&state.db, &keys, Some(staff.staff_id), now).await? {
            return Err(pause.error());
        }
        return Err(AppError::bad_field(
            "invalid_field",
            "current_password",
            "当前密码不正确，请重新输入；忘记密码请联系账号管理员重置。",
        ));
    }
    check_password(&change.new_password).map_err(|e| account_error(e, "new_password"))?;
    if change.new_password == current {
        return Err(AppError::bad_field("invalid_field", "new_password", "新密码不能与当前密码相同，请换一个新密码。"));
    }
    let hash = accounts::hash_blocking(&change.new_password).await.map_err(|e| account_error(e, "new_password"))?;
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE staff SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(staff.staff_id)
        .execute(&mut *tx)
        .await?;
    staff.revoke_other_sessions(&mut tx, now).await?;
    throttle::clear_username(&mut tx, &keys).await?;
    let subject = format!("staff:{}", staff.username);
    let entry = Entry {
        event: Event::StaffPasswordChanged,
        outcome: "ok",
        user_id: None,
        phone_masked: None,
        client_ip: &ip,
        staff_id: Some(staff.staff_id),
        subject: Some(&subject),
    };
    audit::record(&mut *tx, now, entry).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
