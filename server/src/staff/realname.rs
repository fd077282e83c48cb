//! The real-name queue (实名认证审核): the submissions, each with its fields in full and its
//! two photos, and the clerk's decision. A rejected user sees the reason and may submit again.

use axum::{
    extract::{rejection::QueryRejection, Path, Query, State},
    http::header,
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use sqlx::AnyConnection;
use taxicert_api::{
    domain::{sniff_image, ImageKind, PhoneNumber},
    ErrorBody, IdCardFields, RealNameDecision, RealNameReview, RealNameReviewSummary, RealNameStatus,
};

use super::session::{Clerk, IdCardViewer, StaffUser};
use crate::{
    audit::{self, Entry, Event},
    auth::ClientIp,
    error::{AppError, AppResult, Body},
    AppState,
};

/// The reason of a rejection or a return, in characters.
pub const REASON_CHARS: std::ops::RangeInclusive<usize> = 2..=200;

/// A reason the user will read: trimmed, 2–200 characters. `what` says what it is for.
pub fn checked_reason(reason: Option<&str>, what: &str) -> AppResult<String> {
    let reason = reason.unwrap_or_default().trim();
    if !REASON_CHARS.contains(&reason.chars().count()) {
        return Err(AppError::bad_field(
            "invalid_field",
            "reason",
            format!("请填写{what}的原因（2至200个字），申请人会看到这段说明。"),
        ));
    }
    Ok(reason.to_owned())
}

fn status_of(stored: &str) -> AppResult<RealNameStatus> {
    Ok(match stored {
        "pending" => RealNameStatus::Pending,
        "approved" => RealNameStatus::Approved,
        "rejected" => RealNameStatus::Rejected,
        other => return Err(AppError::Internal(format!("unknown real-name submission status {other:?}"))),
    })
}

/// A submission id from the path; anything else is no submission.
fn submission_id(text: &str) -> AppResult<i64> {
    text.parse().map_err(|_| AppError::NotFound)
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    submitted_at: i64,
    name_masked: String,
    id_number_masked: String,
    status: String,
}

impl SummaryRow {
    fn into_api(self) -> AppResult<RealNameReviewSummary> {
        Ok(RealNameReviewSummary {
            id: self.id,
            submitted_at: self.submitted_at,
            name_masked: self.name_masked,
            id_number_masked: self.id_number_masked,
            status: status_of(&self.status)?,
        })
    }
}

#[derive(Deserialize)]
pub struct RealNameQueueQuery {
    status: Option<String>,
}

/// The real-name submissions of one status, the oldest first: the queue is worked in order.
#[utoipa::path(
    get,
    path = "/staff/realname",
    tag = "staff",
    operation_id = "staff_realname_queue",
    params(("status" = Option<String>, Query, pattern = "^(pending|approved|rejected)$", description = "`pending` (the default), `approved` or `rejected`")),
    responses(
        (status = 200, description = "The submissions, the oldest first", body = [RealNameReviewSummary]),
        (status = 400, description = "`invalid_filter`: an unknown status", body = ErrorBody),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`", body = ErrorBody),
    )
)]
pub async fn staff_realname_queue(
    State(state): State<AppState>,
    _staff: StaffUser,
    query: Result<Query<RealNameQueueQuery>, QueryRejection>,
) -> AppResult<Json<Vec<RealNameReviewSummary>>> {
    let status = query.map(|Query(q)| q.status.unwrap_or_else(|| "pending".into())).unwrap_or_default();
    if !matches!(status.as_str(), "pending" | "approved" | "rejected") {
        return Err(AppError::bad_request("invalid_filter", "审核状态只能是待审核、已通过或未通过，请重新选择。"));
    }
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT id, submitted_at, name_masked, id_number_masked, status FROM realname_submissions
          WHERE status = $1 ORDER BY submitted_at, id",
    )
    .bind(&status)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(rows.into_iter().map(SummaryRow::into_api).collect::<AppResult<_>>()?))
}

#[derive(sqlx::FromRow)]
struct ReviewRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    user_id: i64,
    fields: Vec<u8>,
    typed_fields: String,
    reason: Option<String>,
    phone: String,
}

/// The submission for review; `full_id_number` for a clerk, who compares the number with the
/// photo to decide; masked (`1501**********1234`) for the other roles.
async fn load_review(conn: &mut AnyConnection, state: &AppState, id: i64, full_id_number: bool) -> AppResult<RealNameReview> {
    let row: Option<ReviewRow> = sqlx::query_as(
        "SELECT r.id, r.submitted_at, r.name_masked, r.id_number_masked, r.status, r.user_id, r.fields, r.typed_fields,
                r.reason, u.phone
           FROM realname_submissions r JOIN users u ON u.id = r.user_id WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let row = row.ok_or(AppError::NotFound)?;
    let plain = state.vault.open(&row.fields, &format!("user:{}:realname_fields", row.user_id))?;
    let mut fields: IdCardFields = serde_json::from_slice(&plain)
        .map_err(|e| AppError::Internal(format!("sealed real-name fields do not parse: {e}")))?;
    if !full_id_number {
        fields.id_number = row.summary.id_number_masked.clone();
    }
    let typed_fields = serde_json::from_str(&row.typed_fields)
        .map_err(|e| AppError::Internal(format!("typed_fields of submission {id} do not parse: {e}")))?;
    // An account closed by a move keeps `moved:{id}` instead of a number.
    let phone_masked = match PhoneNumber::parse(&row.phone) {
        Ok(phone) => phone.masked(),
        Err(_) if row.phone.starts_with("moved:") => "（账户已转移）".to_owned(),
        Err(_) => return Err(AppError::Internal("a stored phone number does not parse".into())),
    };
    Ok(RealNameReview {
        summary: row.summary.into_api()?,
        fields,
        typed_fields,
        phone_masked,
        reason: row.reason,
    })
}

/// One submission for review: the fields in full for a clerk, to compare with the photos; the
/// ID number masked for the other roles.
#[utoipa::path(
    get,
    path = "/staff/realname/{id}",
    tag = "staff",
    operation_id = "staff_realname_review",
    params(("id" = i64, Path, description = "The submission id")),
    responses(
        (status = 200, description = "The submission; `fields.id_number` is masked (`1501**********1234`) unless the role is `clerk`", body = RealNameReview),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`", body = ErrorBody),
        (status = 404, description = "No such submission", body = ErrorBody),
    )
)]
pub async fn staff_realname_review(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
) -> AppResult<Json<RealNameReview>> {
    let id = submission_id(&id)?;
    Ok(Json(load_review(&mut *state.db.acquire().await?, &state, id, staff.is_clerk()).await?))
}

/// A photo of the ID card as the server keeps it: upright, re-encoded by the photo pipeline,
/// with no metadata (GPS position, camera model) and nothing after the image. Never cached: it
/// is sensitive personal information. A clerk's only: the photo shows the full ID number.
#[utoipa::path(
    get,
    path = "/staff/realname/{id}/photos/{side}",
    tag = "staff",
    operation_id = "staff_realname_photo",
    params(
        ("id" = i64, Path, description = "The submission id"),
        ("side" = String, Path, description = "`portrait` (人像面) or `emblem` (国徽面)"),
    ),
    responses(
        (status = 200, description = "The photo, a JPEG with no metadata", content_type = "image/jpeg"),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`, or `staff_role`: not a clerk (the photo shows the full ID number)", body = ErrorBody),
        (status = 404, description = "No such submission or side", body = ErrorBody),
    )
)]
pub async fn staff_realname_photo(
    State(state): State<AppState>,
    _clerk: IdCardViewer,
    Path((id, side)): Path<(String, String)>,
) -> AppResult<Response> {
    let id = submission_id(&id)?;
    // The column is chosen from two fixed names, never from the path itself.
    let column = match side.as_str() {
        "portrait" => "portrait",
        "emblem" => "emblem",
        _ => return Err(AppError::NotFound),
    };
    let row: Option<(i64, Vec<u8>)> =
        sqlx::query_as(&format!("SELECT user_id, {column} FROM realname_submissions WHERE id = $1"))
            .bind(id)
            .fetch_optional(&state.db)
            .await?;
    let (user_id, sealed) = row.ok_or(AppError::NotFound)?;
    let image = state.vault.open(&sealed, &format!("user:{user_id}:{column}"))?;
    image_response(image)
}

/// The image with its type sniffed from its bytes, and `Cache-Control: no-store`.
pub fn image_response(image: Vec<u8>) -> AppResult<Response> {
    // Stored photos were checked when they came in; this only names the type.
    let content_type = match sniff_image(&image, image.len(), image.len()) {
        Ok(ImageKind::Jpeg) => "image/jpeg",
        Ok(ImageKind::Png) => "image/png",
        Err(_) => return Err(AppError::Internal("a stored photo is neither JPEG nor PNG".into())),
    };
    Ok(([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-store")], image).into_response())
}

/// Approves or rejects a submission; a rejection needs the reason the user will read.
#[utoipa::path(
    post,
    path = "/staff/realname/{id}/decision",
    tag = "staff",
    operation_id = "staff_realname_decide",
    params(("id" = i64, Path, description = "The submission id")),
    request_body = RealNameDecision,
    responses(
        (status = 200, description = "Decided: the submission as it now stands", body = RealNameReview),
        (status = 400, description = "`invalid_field` with `field` `reason`: a rejection without a reason of 2–200 characters", body = ErrorBody),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`, `staff_role` (not a clerk) or `csrf`", body = ErrorBody),
        (status = 404, description = "No such submission", body = ErrorBody),
        (status = 409, description = "`already_decided`; or `id_number_bound`: approving, and another account has been verified with the same ID number since (reject it with a reason)", body = ErrorBody),
    )
)]
pub async fn staff_realname_decide(
    State(state): State<AppState>,
    Clerk(clerk): Clerk,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Body(decision): Body<RealNameDecision>,
) -> AppResult<Json<RealNameReview>> {
    let id = submission_id(&id)?;
    let reason = if decision.approve { None } else { Some(checked_reason(decision.reason.as_deref(), "不通过")?) };
    let now = state.clock.now();
    // Two clerks deciding at once: the write lock is taken before the status is read.
    let mut tx = crate::db::begin_write(&state.db).await?;
    // The owner, the status, the ID number's key (null before it was stored) and the sealed fields.
    type Row = (i64, String, Option<Vec<u8>>, Vec<u8>);
    let row: Option<Row> =
        sqlx::query_as("SELECT user_id, status, holder_key, fields FROM realname_submissions WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let (user_id, status, key, sealed) = row.ok_or(AppError::NotFound)?;
    if status != "pending" {
        let outcome = if status == "approved" { "已通过" } else { "未通过" };
        return Err(AppError::conflict(
            "already_decided",
            format!("该实名认证申请已审核（{outcome}），无需重复审核；请返回列表刷新。"),
        ));
    }
    let key = match key {
        Some(key) => key,
        None => {
            let plain = state.vault.open(&sealed, &format!("user:{user_id}:realname_fields"))?;
            let fields: IdCardFields = serde_json::from_slice(&plain)
                .map_err(|e| AppError::Internal(format!("sealed real-name fields do not parse: {e}")))?;
            crate::realname::holder_key_of(&state, &fields.id_number)
        }
    };
    // One ID number, one account: another account verified with it since this one was
    // submitted (two submissions of one number waiting at once) refuses the approval. Under the
    // write lock, so that two clerks approving both cannot both pass.
    if decision.approve {
        if let Some((_, phone)) = crate::realname::bound_elsewhere(&mut tx, &key, user_id).await? {
            let masked = PhoneNumber::parse(&phone).map(|p| p.masked()).unwrap_or_default();
            return Err(AppError::conflict(
                "id_number_bound",
                format!(
                    "该身份证号码已在手机号为{masked}的账户上通过实名认证，一个身份证号码只能认证一个账户，不能通过。\
                     请选择“驳回”并填写原因，例如：该身份证号码已在其他账户完成认证，请在实名认证页申请把原账户转移到本手机号。"
                ),
            ));
        }
    }
    let decided = if decision.approve { "approved" } else { "rejected" };
    if decision.approve {
        sqlx::query("UPDATE users SET holder_key = $1 WHERE id = $2").bind(&key).bind(user_id).execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE realname_submissions SET status = $1, reason = $2, decided_at = $3, decided_by = $4 WHERE id = $5")
        .bind(decided)
        .bind(&reason)
        .bind(now)
        .bind(clerk.staff_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE users SET realname_status = $1 WHERE id = $2")
        .bind(decided)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let subject = format!("realname:{id}");
    let entry = Entry {
        event: Event::RealNameDecided,
        outcome: decided,
        user_id: Some(user_id),
        phone_masked: None,
        client_ip: &ip,
        staff_id: Some(clerk.staff_id),
        subject: Some(&subject),
    };
    audit::record(&mut *tx, now, entry).await?;
    let review = load_review(&mut tx, &state, id, true).await?;
    tx.commit().await?;
    Ok(Json(review))
}
