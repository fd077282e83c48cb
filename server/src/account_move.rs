//! One person, one account: moving a verified account to a new phone number.
//!
//! An ID number verified on one account cannot be verified on another. When a driver with a
//! new phone number submits his real name and the number is already verified on his old
//! account, `POST /realname/submission` answers 409 `id_number_bound` and keeps a move request
//! for the pair ([`keep_request`]): the old, verified account (`from`) and the caller's new,
//! empty one (`to`). He then either proves he still holds the old number with an SMS code
//! sent to it, or asks a clerk to compare the ID photos. Both end in [`perform_move`], one
//! transaction: the new account is closed (its phone number becomes `moved:{id}`, which can
//! never be a phone number; the row stays because its audit entries name it), the old account
//! takes the new number, every session of the old account is revoked and the new number's
//! live sessions now belong to the old account, so the driver is signed in with all his
//! certificates and cases.

use axum::{
    extract::{rejection::QueryRejection, Path, Query, State},
    http::StatusCode,
    response::Response,
    Json,
};
use serde::Deserialize;
use sqlx::AnyConnection;
use taxicert_api::{
    domain::{PhoneNumber, SmsCode},
    AccountMove, AccountMoveConfirm, AccountMoveDecision, AccountMoveReview, AccountMoveStatus, AccountMoveSummary,
    ErrorBody, IdCardFields, Me, SmsCodeSent,
};

use crate::{
    audit::{self, Entry, Event},
    auth::{self, ClientIp, CurrentUser},
    error::{AppError, AppResult, Body},
    sms::SmsPurpose,
    staff::{
        realname::{checked_reason, image_response},
        Clerk, IdCardViewer, StaffUser,
    },
    AppState,
};
use crate::db::Flag;

/// What the `id_number_bound` refusal keeps, to move the old account to the caller's number.
pub struct MoveRequest<'a> {
    pub from_user_id: i64,
    pub to_user_id: i64,
    /// The old account's phone number as stored.
    pub old_phone: &'a str,
    /// What the new account submitted (trimmed, checked).
    pub fields: &'a IdCardFields,
    pub id_number_masked: String,
    pub name_masked: String,
}

fn masked_phone(stored: &str) -> AppResult<String> {
    PhoneNumber::parse(stored)
        .map(|phone| phone.masked())
        .map_err(|_| AppError::Internal("a stored phone number does not parse".into()))
}

/// The refusal of a submission whose ID number is verified on the account of `old_phone_masked`.
pub fn id_number_bound(old_phone_masked: &str) -> AppError {
    AppError::conflict(
        "id_number_bound",
        format!(
            "该身份证号码已在手机号为{old_phone_masked}的账户上完成实名认证。一个身份证号码只能认证一个账户。\
             如果那是您本人的账户，可以点击下方的“转移账户到本手机号”，把该账户（包括其中的证件和办件）转移到本手机号。"
        ),
    )
}

/// Keeps the move request of the pair, inside the submission's transaction: the open one of
/// the same pair made against the same old number is brought up to date (a code already sent
/// stays valid), one for another old account or number is cancelled and a new one made. The
/// ID photos are taken from the new account's real-name draft, sealed as they are. Returns the
/// old number, masked.
pub async fn keep_request(conn: &mut AnyConnection, state: &AppState, request: MoveRequest<'_>, now: i64) -> AppResult<String> {
    let MoveRequest { from_user_id, to_user_id, old_phone, fields, id_number_masked, name_masked } = request;
    let old_phone_masked = masked_phone(old_phone)?;
    let (new_phone,): (String,) =
        sqlx::query_as("SELECT phone FROM users WHERE id = $1").bind(to_user_id).fetch_one(&mut *conn).await?;
    let new_phone_masked = masked_phone(&new_phone)?;
    let (portrait, emblem): (Vec<u8>, Vec<u8>) =
        sqlx::query_as("SELECT portrait, emblem FROM realname_drafts WHERE user_id = $1")
            .bind(to_user_id)
            .fetch_one(&mut *conn)
            .await?;
    let plain = serde_json::to_vec(fields).map_err(|e| AppError::Internal(e.to_string()))?;
    let sealed = state.vault.seal(&plain, &format!("user:{to_user_id}:move_fields"));
    let same_pair: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM account_moves
          WHERE to_user_id = $1 AND from_user_id = $2 AND status = 'sms_pending' AND old_phone_masked = $3",
    )
    .bind(to_user_id)
    .bind(from_user_id)
    .bind(&old_phone_masked)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((id,)) = same_pair {
        sqlx::query(
            "UPDATE account_moves SET fields = $1, id_number_masked = $2, name_masked = $3, portrait = $4, emblem = $5,
                    old_phone_masked = $6, new_phone_masked = $7 WHERE id = $8",
        )
        .bind(sealed)
        .bind(id_number_masked)
        .bind(name_masked)
        .bind(portrait)
        .bind(emblem)
        .bind(&old_phone_masked)
        .bind(new_phone_masked)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        return Ok(old_phone_masked);
    }
    cancel_open(conn, to_user_id).await?;
    sqlx::query(
        "INSERT INTO account_moves (from_user_id, to_user_id, status, fields, id_number_masked, name_masked, portrait, emblem,
             old_phone_masked, new_phone_masked, created_at) VALUES ($1, $2, 'sms_pending', $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(from_user_id)
    .bind(to_user_id)
    .bind(sealed)
    .bind(id_number_masked)
    .bind(name_masked)
    .bind(portrait)
    .bind(emblem)
    .bind(&old_phone_masked)
    .bind(new_phone_masked)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(old_phone_masked)
}

/// Cancels the new account's open request waiting for the SMS code (one asked of a clerk
/// stays: the account cannot submit while it waits).
pub async fn cancel_open(conn: &mut AnyConnection, to_user_id: i64) -> AppResult<()> {
    sqlx::query("UPDATE account_moves SET status = 'cancelled' WHERE to_user_id = $1 AND status = 'sms_pending'")
        .bind(to_user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct MoveRow {
    id: i64,
    from_user_id: i64,
    to_user_id: i64,
    status: String,
    id_number_masked: String,
    name_masked: String,
    old_phone_masked: String,
    new_phone_masked: String,
    created_at: i64,
    code_sent_at: Option<i64>,
    review_asked_at: Option<i64>,
    decided_at: Option<i64>,
    reason: Option<String>,
}

const MOVE_COLUMNS: &str = "id, from_user_id, to_user_id, status, id_number_masked, name_masked, old_phone_masked,
    new_phone_masked, created_at, code_sent_at, review_asked_at, decided_at, reason";

impl MoveRow {
    fn status(&self) -> AppResult<AccountMoveStatus> {
        AccountMoveStatus::parse(&self.status)
            .ok_or_else(|| AppError::Internal(format!("unknown account move status {:?}", self.status)))
    }

    fn is_open(&self) -> bool {
        matches!(self.status.as_str(), "sms_pending" | "review_pending")
    }
}

/// The caller's newest move request, as the new account.
async fn newest_of(conn: &mut AnyConnection, user_id: i64) -> AppResult<Option<MoveRow>> {
    Ok(sqlx::query_as(&format!("SELECT {MOVE_COLUMNS} FROM account_moves WHERE to_user_id = $1 ORDER BY id DESC LIMIT 1"))
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?)
}

fn no_move() -> AppError {
    AppError::client(StatusCode::NOT_FOUND, "no_account_move", "没有待办理的账户转移申请，请重新提交实名认证。")
}

/// Why a move request was cancelled when its account moved to another number: the driver reads
/// it on his real-name page.
const MOVED_AWAY: &str = "该账户已转移到其他手机号，本次转移申请已自动取消。如果那是您本人的账户，\
     请用该账户现在的手机号登录；如有疑问，请到服务大厅咨询。";

/// The refusal of a move whose old account is no longer on the number it was asked of.
fn moved_away(asked_of: &str) -> AppError {
    AppError::conflict(
        "account_move_closed",
        format!("原账户已不再使用手机号{asked_of}，该账户已转移到其他手机号，本次转移申请已取消，不能再转移。请刷新页面查看。"),
    )
}

fn move_closed() -> AppError {
    AppError::conflict("account_move_closed", "该账户转移申请已办结或已取消，请刷新页面查看。")
}

/// The caller's open request: waiting for the code or for a clerk.
async fn open_of(conn: &mut AnyConnection, user_id: i64) -> AppResult<MoveRow> {
    newest_of(conn, user_id).await?.filter(MoveRow::is_open).ok_or_else(no_move)
}

/// The old account's phone number as stored now (the code goes there).
async fn phone_of(conn: &mut AnyConnection, user_id: i64) -> AppResult<PhoneNumber> {
    let (phone,): (String,) = sqlx::query_as("SELECT phone FROM users WHERE id = $1").bind(user_id).fetch_one(&mut *conn).await?;
    PhoneNumber::parse(&phone).map_err(|_| AppError::Internal("a stored phone number does not parse".into()))
}

/// The caller's open request and the old account's number, for the code that proves the driver
/// still holds it (sent, then checked); the connection goes back before the SMS or the check.
async fn open_with_old_phone(state: &AppState, user_id: i64) -> AppResult<(MoveRow, PhoneNumber)> {
    let mut conn = state.db.acquire().await?;
    let row = open_of(&mut conn, user_id).await?;
    let phone = phone_of(&mut conn, row.from_user_id).await?;
    // Never a code to whoever has the old account's number now, if that is not the number the
    // request was made against (the move itself refuses it too, and cancels the request).
    if phone.masked() != row.old_phone_masked {
        return Err(moved_away(&row.old_phone_masked));
    }
    Ok((row, phone))
}

async fn driver_view(conn: &mut AnyConnection, state: &AppState, row: MoveRow) -> AppResult<AccountMove> {
    let status = row.status()?;
    let (old_phone_masked, wait) = if row.is_open() {
        let phone = phone_of(conn, row.from_user_id).await?;
        let (last,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(created_at) FROM sms_codes WHERE phone = $1").bind(phone.as_str()).fetch_one(&mut *conn).await?;
        let wait = last.map(|t| t + auth::RESEND_AFTER_SECONDS - state.clock.now()).filter(|w| *w > 0).map(|w| w as u64);
        (phone.masked(), wait)
    } else {
        (row.old_phone_masked.clone(), None)
    };
    Ok(AccountMove {
        status,
        old_phone_masked,
        reason: row.reason,
        code_sent: row.code_sent_at.is_some(),
        sms_resend_after_seconds: row.code_sent_at.and(wait),
    })
}

/// The signed-in driver's move request, or `null` when none is open, refused or cancelled with a reason.
#[utoipa::path(
    get,
    path = "/account/move",
    tag = "account",
    operation_id = "account_move",
    responses(
        (status = 200, description = "The newest move request of the caller's (new) account when it is `sms_pending`, `review_pending`, `rejected`, or `cancelled` with a reason (the account moved to another number meanwhile); `null` otherwise (none, done)", body = Option<AccountMove>),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    )
)]
pub async fn account_move(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Option<AccountMove>>> {
    let mut conn = state.db.acquire().await?;
    let Some(row) = newest_of(&mut conn, user.user_id).await? else {
        return Ok(Json(None));
    };
    // A cancellation with a reason (the account moved to another number meanwhile) is shown too.
    let shown = matches!(row.status.as_str(), "sms_pending" | "review_pending" | "rejected")
        || (row.status == "cancelled" && row.reason.is_some());
    if !shown {
        return Ok(Json(None));
    }
    Ok(Json(Some(driver_view(&mut conn, &state, row).await?)))
}

/// Sends a code to the OLD account's phone number, to prove the driver still holds it. The
/// limits of every code apply (60 s between codes, the daily cap per number, the hourly limit
/// per address), and the new code replaces any earlier one of that number.
#[utoipa::path(
    post,
    path = "/account/move/sms-code",
    tag = "account",
    operation_id = "send_account_move_code",
    responses(
        (status = 202, description = "A code was sent to the old number", body = SmsCodeSent),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`csrf`", body = ErrorBody),
        (status = 404, description = "`no_account_move`: no open move request", body = ErrorBody),
        (status = 409, description = "`account_move_closed`: the old account no longer has the number the request was made against (it was moved meanwhile): the request is cancelled and no code is sent", body = ErrorBody),
        (status = 429, description = "`resend_too_soon`, `daily_limit` or `ip_limit`, with `retry_after_seconds`", body = ErrorBody),
        (status = 503, description = "`sms_unavailable`", body = ErrorBody),
    )
)]
pub async fn send_account_move_code(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
) -> AppResult<(StatusCode, Json<SmsCodeSent>)> {
    let (row, phone) = open_with_old_phone(&state, user.user_id).await?;
    let sent = auth::send_code(&state, &phone, &ip, SmsPurpose::AccountMove).await?;
    sqlx::query("UPDATE account_moves SET code_sent_at = $1 WHERE id = $2").bind(state.clock.now()).bind(row.id).execute(&state.db).await?;
    Ok((StatusCode::ACCEPTED, Json(sent)))
}

/// Moves the old account to the caller's phone number with the code sent to the old number
/// (the same wrong-try limits as the login). The caller is then signed in as the old account,
/// with its certificates and cases; every other session of the old account ends.
#[utoipa::path(
    post,
    path = "/account/move/confirm",
    tag = "account",
    operation_id = "confirm_account_move",
    request_body = AccountMoveConfirm,
    responses(
        (status = 200, description = "Moved: the session now belongs to the old account, which has the caller's phone number", body = Me),
        (status = 400, description = "`invalid_code`, `code_missing`, `code_expired`, `code_wrong` (with `tries_left`) or `code_locked`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`csrf`", body = ErrorBody),
        (status = 404, description = "`no_account_move`", body = ErrorBody),
        (status = 409, description = "`account_move_closed`: decided or cancelled meanwhile", body = ErrorBody),
    )
)]
pub async fn confirm_account_move(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    Body(request): Body<AccountMoveConfirm>,
) -> AppResult<Json<Me>> {
    let code = SmsCode::parse(&request.code).map_err(|m| AppError::bad_field("invalid_code", "code", m))?;
    let (row, phone) = open_with_old_phone(&state, user.user_id).await?;
    if row.code_sent_at.is_none() {
        return Err(AppError::bad_request("code_missing", "请先点击“转移账户到本手机号”获取验证码，再输入短信中的验证码。"));
    }
    let code_id = auth::check_code(&state, &phone, &code, &ip, Event::AccountMoveCodeFailed).await?;
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    let still: Option<(String,)> =
        sqlx::query_as("SELECT status FROM account_moves WHERE id = $1").bind(row.id).fetch_optional(&mut *tx).await?;
    if !matches!(still.as_ref().map(|s| s.0.as_str()), Some("sms_pending" | "review_pending")) {
        return Err(move_closed());
    }
    if !auth::spend_code(&mut tx, code_id).await? {
        return Err(auth::code_spent());
    }
    // A refusal to move (the accounts changed) is kept: the request is cancelled.
    if let Err(error) = perform_move(&mut tx, row.id, "sms", None, &ip, now).await {
        tx.commit().await?;
        return Err(error);
    }
    tx.commit().await?;
    Ok(Json(auth::me_of(&state, row.from_user_id).await?))
}

/// The old number is lost: asks a clerk to compare the ID photos and decide.
#[utoipa::path(
    post,
    path = "/account/move/review",
    tag = "account",
    operation_id = "ask_account_move_review",
    responses(
        (status = 200, description = "Waiting for a clerk (`review_pending`); asking again changes nothing", body = AccountMove),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`csrf`", body = ErrorBody),
        (status = 404, description = "`no_account_move`", body = ErrorBody),
    )
)]
pub async fn ask_account_move_review(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
) -> AppResult<Json<AccountMove>> {
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    let row = open_of(&mut tx, user.user_id).await?;
    if row.status == "sms_pending" {
        sqlx::query("UPDATE account_moves SET status = 'review_pending', review_asked_at = $1 WHERE id = $2")
            .bind(now)
            .bind(row.id)
            .execute(&mut *tx)
            .await?;
        let subject = format!("account_move:{}", row.id);
        let entry = Entry {
            event: Event::AccountMoveReviewAsked,
            outcome: "ok",
            user_id: Some(user.user_id),
            phone_masked: None,
            client_ip: &ip,
            staff_id: None,
            subject: Some(&subject),
        };
        audit::record(&mut *tx, now, entry).await?;
    }
    let row = open_of(&mut tx, user.user_id).await?;
    let answer = driver_view(&mut tx, &state, row).await?;
    tx.commit().await?;
    Ok(Json(answer))
}

/// The move itself, inside the caller's write transaction: by the SMS code (`outcome` `sms`)
/// or a clerk's approval (`clerk`, with the clerk). The new account's number goes to the old
/// account; the new account is closed (`moved:{id}`, `moved_into`) and its real-name draft
/// dropped; the old account's sessions are all revoked and the new number's live sessions now
/// belong to the old account; the request is `done`; both accounts get an `account_moved`
/// audit entry.
async fn perform_move(
    conn: &mut AnyConnection,
    move_id: i64,
    outcome: &str,
    staff_id: Option<i64>,
    ip: &str,
    now: i64,
) -> AppResult<()> {
    let (from, to, asked_of, created_at): (i64, i64, String, i64) =
        sqlx::query_as("SELECT from_user_id, to_user_id, old_phone_masked, created_at FROM account_moves WHERE id = $1")
            .bind(move_id)
            .fetch_one(&mut *conn)
            .await?;
    let (old_phone, from_status): (String, String) =
        sqlx::query_as("SELECT phone, realname_status FROM users WHERE id = $1").bind(from).fetch_one(&mut *conn).await?;
    let (new_phone, to_status): (String, String) =
        sqlx::query_as("SELECT phone, realname_status FROM users WHERE id = $1").bind(to).fetch_one(&mut *conn).await?;
    // Verified elsewhere meanwhile, or the old account is not the verified one any more.
    if from_status != "approved" || matches!(to_status.as_str(), "approved" | "pending") {
        sqlx::query("UPDATE account_moves SET status = 'cancelled', decided_at = $1 WHERE id = $2")
            .bind(now)
            .bind(move_id)
            .execute(&mut *conn)
            .await?;
        return Err(move_closed());
    }
    let (old_masked, new_masked) = (masked_phone(&old_phone)?, masked_phone(&new_phone)?);
    // The old account is no longer on the number the request was made against: it moved
    // meanwhile (only a request left open by a move made before moves cancelled the others can
    // get here). Such a request never moves the account: it is cancelled.
    let (Flag(moved_since),): (Flag,) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM account_moves
                         WHERE from_user_id = $1 AND id <> $2 AND status = 'done' AND decided_at > $3)",
    )
    .bind(from)
    .bind(move_id)
    .bind(created_at)
    .fetch_one(&mut *conn)
    .await?;
    if old_masked != asked_of || moved_since {
        sqlx::query("UPDATE account_moves SET status = 'cancelled', decided_at = $1, reason = $2 WHERE id = $3")
            .bind(now)
            .bind(MOVED_AWAY)
            .bind(move_id)
            .execute(&mut *conn)
            .await?;
        return Err(moved_away(&asked_of));
    }
    // The number is unique: freed first, then given.
    sqlx::query("UPDATE users SET phone = 'moved:' || id, moved_into = $1 WHERE id = $2").bind(from).bind(to).execute(&mut *conn).await?;
    sqlx::query("UPDATE users SET phone = $1 WHERE id = $2").bind(&new_phone).bind(from).execute(&mut *conn).await?;
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(from)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE sessions SET user_id = $1 WHERE user_id = $2 AND revoked_at IS NULL").bind(from).bind(to).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM realname_drafts WHERE user_id = $1").bind(to).execute(&mut *conn).await?;
    sqlx::query(
        "UPDATE account_moves SET status = 'done', decided_at = $1, decided_by = $2, old_phone_masked = $3, new_phone_masked = $4
          WHERE id = $5",
    )
    .bind(now)
    .bind(staff_id)
    .bind(&old_masked)
    .bind(&new_masked)
    .bind(move_id)
    .execute(&mut *conn)
    .await?;
    // Every other open request against the moved account, or of the closed one, was made
    // against a number the account no longer has: cancelled, with the reason its driver reads.
    sqlx::query(
        "UPDATE account_moves SET status = 'cancelled', decided_at = $1, reason = $2
          WHERE id <> $3 AND status IN ('sms_pending', 'review_pending')
            AND (from_user_id IN ($4, $5) OR to_user_id IN ($6, $7))",
    )
    .bind(now)
    .bind(MOVED_AWAY)
    .bind(move_id)
    .bind(from)
    .bind(to)
    .bind(from)
    .bind(to)
    .execute(&mut *conn)
    .await?;
    let subject = format!("account_move:{move_id}");
    for user_id in [from, to] {
        let entry = Entry {
            event: Event::AccountMoved,
            outcome,
            user_id: Some(user_id),
            phone_masked: Some(new_masked.clone()),
            client_ip: ip,
            staff_id,
            subject: Some(&subject),
        };
        audit::record(&mut *conn, now, entry).await?;
    }
    tracing::info!(move_id, outcome, "an account moved to a new phone number");
    Ok(())
}

// ---------------------------------------------------------------- the clerks' console

fn move_id(text: &str) -> AppResult<i64> {
    text.parse().map_err(|_| AppError::NotFound)
}

impl MoveRow {
    fn summary(&self) -> AppResult<AccountMoveSummary> {
        Ok(AccountMoveSummary {
            id: self.id,
            requested_at: self.review_asked_at.unwrap_or(self.created_at),
            name_masked: self.name_masked.clone(),
            id_number_masked: self.id_number_masked.clone(),
            status: self.status()?,
        })
    }
}

#[derive(Deserialize)]
pub struct MoveQueueQuery {
    status: Option<String>,
}

/// The move requests of one status, the oldest first.
#[utoipa::path(
    get,
    path = "/staff/account-moves",
    tag = "staff",
    operation_id = "staff_account_move_queue",
    params(("status" = Option<String>, Query, pattern = "^(review_pending|sms_pending|done|rejected|cancelled)$", description = "`review_pending` (the default), `sms_pending`, `done`, `rejected` or `cancelled`")),
    responses(
        (status = 200, description = "The requests, the oldest first", body = [AccountMoveSummary]),
        (status = 400, description = "`invalid_filter`: an unknown status", body = ErrorBody),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`", body = ErrorBody),
    )
)]
pub async fn staff_account_move_queue(
    State(state): State<AppState>,
    _staff: StaffUser,
    query: Result<Query<MoveQueueQuery>, QueryRejection>,
) -> AppResult<Json<Vec<AccountMoveSummary>>> {
    let status = query.map(|Query(q)| q.status.unwrap_or_else(|| "review_pending".into())).unwrap_or_default();
    let status = AccountMoveStatus::parse(&status)
        .ok_or_else(|| AppError::bad_request("invalid_filter", "转移状态不正确，请重新选择。"))?;
    let rows: Vec<MoveRow> = sqlx::query_as(&format!(
        "SELECT {MOVE_COLUMNS} FROM account_moves WHERE status = $1 ORDER BY COALESCE(review_asked_at, created_at), id"
    ))
    .bind(status.as_str())
    .fetch_all(&state.db)
    .await?;
    Ok(Json(rows.iter().map(MoveRow::summary).collect::<AppResult<_>>()?))
}

/// The old account's newest approved submission: (id, sealed fields, when it was verified).
async fn old_submission(conn: &mut AnyConnection, from: i64) -> AppResult<(i64, Vec<u8>, i64)> {
    let row: Option<(i64, Vec<u8>, i64)> = sqlx::query_as(
        "SELECT id, fields, COALESCE(decided_at, submitted_at) FROM realname_submissions
          WHERE user_id = $1 AND status = 'approved' ORDER BY id DESC LIMIT 1",
    )
    .bind(from)
    .fetch_optional(&mut *conn)
    .await?;
    row.ok_or_else(|| AppError::Internal("the old account of a move has no approved real-name submission".into()))
}

fn unseal_fields(state: &AppState, sealed: &[u8], context: &str) -> AppResult<IdCardFields> {
    let plain = state.vault.open(sealed, context)?;
    serde_json::from_slice(&plain).map_err(|e| AppError::Internal(format!("sealed ID fields do not parse: {e}")))
}

async fn load_review(conn: &mut AnyConnection, state: &AppState, id: i64) -> AppResult<AccountMoveReview> {
    let row: Option<MoveRow> = sqlx::query_as(&format!("SELECT {MOVE_COLUMNS} FROM account_moves WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let row = row.ok_or(AppError::NotFound)?;
    let (fields,): (Vec<u8>,) = sqlx::query_as("SELECT fields FROM account_moves WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
    let new = unseal_fields(state, &fields, &format!("user:{}:move_fields", row.to_user_id))?;
    let (_, old_fields, old_verified_at) = old_submission(conn, row.from_user_id).await?;
    let old = unseal_fields(state, &old_fields, &format!("user:{}:realname_fields", row.from_user_id))?;
    let old_phone_masked =
        if row.is_open() { phone_of(conn, row.from_user_id).await?.masked() } else { row.old_phone_masked.clone() };
    Ok(AccountMoveReview {
        summary: row.summary()?,
        old_phone_masked,
        new_phone_masked: row.new_phone_masked.clone(),
        name: new.name,
        old_name: old.name,
        old_verified_at,
        decided_at: row.decided_at,
        reason: row.reason.clone(),
    })
}

/// One move request: the two accounts, masked, the names to compare, the old verification.
#[utoipa::path(
    get,
    path = "/staff/account-moves/{id}",
    tag = "staff",
    operation_id = "staff_account_move",
    params(("id" = i64, Path, description = "The move request's id")),
    responses(
        (status = 200, description = "The request", body = AccountMoveReview),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`", body = ErrorBody),
        (status = 404, description = "No such request", body = ErrorBody),
    )
)]
pub async fn staff_account_move(
    State(state): State<AppState>,
    _staff: StaffUser,
    Path(id): Path<String>,
) -> AppResult<Json<AccountMoveReview>> {
    let id = move_id(&id)?;
    Ok(Json(load_review(&mut *state.db.acquire().await?, &state, id).await?))
}

/// One of the four ID photos: `new_portrait` and `new_emblem` as sent with the request,
/// `old_portrait` and `old_emblem` of the old account's approved verification. Never cached.
/// A clerk's only: the photos show the full ID number.
#[utoipa::path(
    get,
    path = "/staff/account-moves/{id}/photos/{which}",
    tag = "staff",
    operation_id = "staff_account_move_photo",
    params(
        ("id" = i64, Path, description = "The move request's id"),
        ("which" = String, Path, description = "`new_portrait`, `new_emblem`, `old_portrait` or `old_emblem`"),
    ),
    responses(
        (status = 200, description = "The photo, a JPEG with no metadata", content_type = "image/jpeg"),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`, or `staff_role`: not a clerk (the photo shows the full ID number)", body = ErrorBody),
        (status = 404, description = "No such request or photo", body = ErrorBody),
    )
)]
pub async fn staff_account_move_photo(
    State(state): State<AppState>,
    _clerk: IdCardViewer,
    Path((id, which)): Path<(String, String)>,
) -> AppResult<Response> {
    let id = move_id(&id)?;
    // Columns from fixed names, never from the path itself.
    let (new, side) = match which.as_str() {
        "new_portrait" => (true, "portrait"),
        "new_emblem" => (true, "emblem"),
        "old_portrait" => (false, "portrait"),
        "old_emblem" => (false, "emblem"),
        _ => return Err(AppError::NotFound),
    };
    let mut conn = state.db.acquire().await?;
    let pair: Option<(i64, i64)> = sqlx::query_as("SELECT from_user_id, to_user_id FROM account_moves WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let (from, to) = pair.ok_or(AppError::NotFound)?;
    let (owner, sealed): (i64, Vec<u8>) = if new {
        let (sealed,): (Vec<u8>,) = sqlx::query_as(&format!("SELECT {side} FROM account_moves WHERE id = $1"))
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        (to, sealed)
    } else {
        let (submission, _, _) = old_submission(&mut conn, from).await?;
        let (sealed,): (Vec<u8>,) = sqlx::query_as(&format!("SELECT {side} FROM realname_submissions WHERE id = $1"))
            .bind(submission)
            .fetch_one(&mut *conn)
            .await?;
        (from, sealed)
    };
    let image = state.vault.open(&sealed, &format!("user:{owner}:{side}"))?;
    image_response(image)
}

/// Approves the move (it is done at once, as by the SMS code: all the old account's sessions
/// end, the new number's sessions now belong to the old account) or refuses it with the reason
/// the driver will read.
#[utoipa::path(
    post,
    path = "/staff/account-moves/{id}/decision",
    tag = "staff",
    operation_id = "staff_account_move_decide",
    params(("id" = i64, Path, description = "The move request's id")),
    request_body = AccountMoveDecision,
    responses(
        (status = 200, description = "Decided: the request as it now stands (`done` or `rejected`)", body = AccountMoveReview),
        (status = 400, description = "`invalid_field` with `field` `reason`: a refusal without a reason of 2–200 characters", body = ErrorBody),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`, `staff_role` (not a clerk) or `csrf`", body = ErrorBody),
        (status = 404, description = "No such request", body = ErrorBody),
        (status = 409, description = "`already_decided`: not waiting for a clerk (done by SMS, decided, or cancelled); `account_move_closed`: the accounts changed meanwhile", body = ErrorBody),
    )
)]
pub async fn staff_account_move_decide(
    State(state): State<AppState>,
    Clerk(clerk): Clerk,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Body(decision): Body<AccountMoveDecision>,
) -> AppResult<Json<AccountMoveReview>> {
    let id = move_id(&id)?;
    let reason = if decision.approve { None } else { Some(checked_reason(decision.reason.as_deref(), "不同意转移")?) };
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    let status: Option<(String,)> =
        sqlx::query_as("SELECT status FROM account_moves WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
    let (status,) = status.ok_or(AppError::NotFound)?;
    if status != "review_pending" {
        let name = AccountMoveStatus::parse(&status).map_or("已处理", AccountMoveStatus::name);
        return Err(AppError::conflict("already_decided", format!("该账户转移申请当前为“{name}”，无需审核；请返回列表刷新。")));
    }
    let subject = format!("account_move:{id}");
    if decision.approve {
        // A refusal to move (the accounts changed) is kept: the request is cancelled.
        if let Err(error) = perform_move(&mut tx, id, "clerk", Some(clerk.staff_id), &ip, now).await {
            tx.commit().await?;
            return Err(error);
        }
    } else {
        sqlx::query("UPDATE account_moves SET status = 'rejected', reason = $1, decided_at = $2, decided_by = $3 WHERE id = $4")
            .bind(&reason)
            .bind(now)
            .bind(clerk.staff_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let (to,): (i64,) = sqlx::query_as("SELECT to_user_id FROM account_moves WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
        let entry = Entry {
            event: Event::AccountMoveDecided,
            outcome: "rejected",
            user_id: Some(to),
            phone_masked: None,
            client_ip: &ip,
            staff_id: Some(clerk.staff_id),
            subject: Some(&subject),
        };
        audit::record(&mut *tx, now, entry).await?;
    }
    let review = load_review(&mut tx, &state, id).await?;
    tx.commit().await?;
    Ok(Json(review))
}
