//! The case queue (办件) and the clerk's actions on a case: 受理, 退回补正, 办结, 不予受理.
//!
//! Each action runs in one `BEGIN IMMEDIATE` transaction: the status is read under the write
//! lock, so that two clerks acting at once (or a clerk and the driver withdrawing) cannot both
//! change it; the new status, the timeline line and the audit entry stand or fall together.

use axum::{
    extract::{rejection::QueryRejection, Path, Query, State},
    response::Response,
    Json,
};
use sqlx::SqliteConnection;
use taxicert_api::{
    correctable_field_label,
    domain::{IdNumber, PhoneNumber},
    BusinessCode, CaseQueueFilter, CaseStatus, Completion, Correction, ErrorBody, StaffAction, StaffActionKind,
    StaffCaseDetail, StaffCaseSummary, TimelineEvent, CREDIT_GRADES,
};

use super::{
    realname::{checked_reason, image_response},
    session::{Clerk, StaffUser},
};
use crate::{
    audit::{self, Entry, Event},
    auth::ClientIp,
    cases::{
        case_status_from_db, decide_due, load_detail, open_snapshot, record_event, CaseRow,
        CASE_COLUMNS,
    },
    error::{AppError, AppResult, Body},
    realname::approved_fields,
    vouchers,
    workdays::Date,
    AppState,
};

/// What the driver's own timeline entries say in the actor column.
const APPLICANT: &str = "申请人";
/// The clerk's note on 办结, in characters.
const MAX_NOTE_CHARS: usize = 200;

/// The case queue: the open cases first, the most urgent at the top (those waiting to be
/// accepted by their `accept_by`, those accepted by their `decide_by`), then all others, the
/// newest first.
#[utoipa::path(
    get,
    path = "/staff/cases",
    tag = "staff",
    operation_id = "staff_case_queue",
    params(
        ("status" = Option<CaseStatus>, Query, description = "Only cases in this status; all when absent"),
        ("business" = Option<BusinessCode>, Query, description = "Only cases of this business; all when absent"),
    ),
    responses(
        (status = 200, description = "The cases that match the filters", body = [StaffCaseSummary]),
        (status = 400, description = "`invalid_filter`: an unknown status or business", body = ErrorBody),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`", body = ErrorBody),
    )
)]
pub async fn staff_case_queue(
    State(state): State<AppState>,
    _staff: StaffUser,
    filter: Result<Query<CaseQueueFilter>, QueryRejection>,
) -> AppResult<Json<Vec<StaffCaseSummary>>> {
    let Query(filter) =
        filter.map_err(|_| AppError::bad_request("invalid_filter", "筛选条件无效,请重新选择办件状态或业务类型。"))?;
    let rows: Vec<CaseRow> = sqlx::query_as(&format!(
        "SELECT {CASE_COLUMNS}
          WHERE (?1 IS NULL OR c.status = ?1) AND (?2 IS NULL OR c.business_code = ?2)
          ORDER BY CASE c.status WHEN 'submitted' THEN 0 WHEN 'accepted' THEN 0 ELSE 1 END,
                   CASE c.status WHEN 'submitted' THEN c.accept_by WHEN 'accepted' THEN c.decide_by END,
                   c.submitted_at DESC, c.id DESC"
    ))
    .bind(filter.status.map(CaseStatus::as_str))
    .bind(filter.business.map(BusinessCode::as_str))
    .fetch_all(&state.db)
    .await?;
    let mut conn = state.db.acquire().await?;
    let mut queue = Vec::with_capacity(rows.len());
    for row in rows {
        // The number the case ended with once completed (补发 may issue a new one), else the
        // number it was submitted for.
        let (user_id, sealed, result_number): (i64, Vec<u8>, Option<String>) = sqlx::query_as(
            "SELECT c.user_id, c.answers, r.certificate_number FROM cases c LEFT JOIN case_results r ON r.case_id = c.id
              WHERE c.id = ?",
        )
        .bind(&row.id)
        .fetch_one(&mut *conn)
        .await?;
        let certificate_number = match result_number {
            Some(number) => number,
            None => open_snapshot(&state, user_id, &row.id, &sealed)?.certificate.number,
        };
        let name: Option<(String,)> = sqlx::query_as(
            "SELECT name_masked FROM realname_submissions WHERE user_id = ? AND status = 'approved' ORDER BY id DESC LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
        queue.push(StaffCaseSummary {
            summary: row.into_api()?,
            applicant_name_masked: name.map(|(n,)| n).unwrap_or_default(),
            certificate_number,
        });
    }
    Ok(Json(queue))
}

/// The case as the clerk sees it; 404 when there is no such case.
async fn staff_detail(
    conn: &mut SqliteConnection,
    state: &AppState,
    case_id: &str,
    staff: &StaffUser,
) -> AppResult<StaffCaseDetail> {
    let (case, user_id) = load_detail(conn, state, case_id).await?.ok_or(AppError::NotFound)?;
    let fields = approved_fields(conn, state, user_id).await?;
    let id_number_masked = IdNumber::parse(&fields.id_number)
        .map(|id| id.masked())
        .map_err(|_| AppError::Internal(format!("case {case_id}: the approved ID number does not parse")))?;
    let (phone,): (String,) =
        sqlx::query_as("SELECT phone FROM users WHERE id = ?").bind(user_id).fetch_one(&mut *conn).await?;
    let phone =
        PhoneNumber::parse(&phone).map_err(|_| AppError::Internal("a stored phone number does not parse".into()))?;
    // In the order of `load_detail`'s timeline: by event id.
    let actors: Vec<(Option<String>,)> = sqlx::query_as(
        "SELECT s.display_name FROM case_events e LEFT JOIN staff s ON s.id = e.staff_id WHERE e.case_id = ? ORDER BY e.id",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    let allowed_actions =
        if staff.is_clerk() { StaffActionKind::allowed(case.summary.status).to_vec() } else { Vec::new() };
    Ok(StaffCaseDetail {
        case,
        applicant_name: fields.name,
        id_number_masked,
        phone_masked: phone.masked(),
        timeline_actors: actors.into_iter().map(|(name,)| name.unwrap_or_else(|| APPLICANT.to_owned())).collect(),
        allowed_actions,
    })
}

/// One case with every answer, the applicant's full name and who did what.
#[utoipa::path(
    get,
    path = "/staff/cases/{id}",
    tag = "staff",
    operation_id = "staff_case",
    params(("id" = String, Path, description = "The case number")),
    responses(
        (status = 200, description = "The case; `allowed_actions` is empty for a viewer", body = StaffCaseDetail),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
    )
)]
pub async fn staff_case(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
) -> AppResult<Json<StaffCaseDetail>> {
    Ok(Json(staff_detail(&mut *state.db.acquire().await?, &state, &id, &staff).await?))
}

/// A photo the case was submitted with, as the server keeps it (up to 2048 px). Never cached.
#[utoipa::path(
    get,
    path = "/staff/cases/{id}/photos/{material}",
    tag = "staff",
    operation_id = "staff_case_photo",
    params(
        ("id" = String, Path, description = "The case number"),
        ("material" = String, Path, description = "The material code"),
    ),
    responses(
        (status = 200, description = "The JPEG", content_type = "image/jpeg"),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`", body = ErrorBody),
        (status = 404, description = "No such case, or no photo of this material in it", body = ErrorBody),
    )
)]
pub async fn staff_case_photo(
    State(state): State<AppState>,
    _staff: StaffUser,
    Path((id, material)): Path<(String, String)>,
) -> AppResult<Response> {
    let upload: Option<(String, String)> = sqlx::query_as(
        "SELECT u.id, u.stored_name FROM case_uploads cu JOIN uploads u ON u.id = cu.upload_id
          WHERE cu.case_id = ? AND cu.material_code = ?",
    )
    .bind(&id)
    .bind(&material)
    .fetch_optional(&state.db)
    .await?;
    let (upload_id, stored_name) = upload.ok_or(AppError::NotFound)?;
    // Stored as uploads.rs keeps every upload: sealed, under its random name.
    let sealed = tokio::fs::read(state.config.upload_dir.join(stored_name))
        .await
        .map_err(|e| AppError::Internal(format!("cannot read an upload: {e}")))?;
    image_response(state.vault.open(&sealed, &format!("upload:{upload_id}"))?)
}

fn kind_of(action: &StaffAction) -> StaffActionKind {
    match action {
        StaffAction::Accept => StaffActionKind::Accept,
        StaffAction::Return(_) => StaffActionKind::Return,
        StaffAction::Complete(_) => StaffActionKind::Complete,
        StaffAction::Refuse { .. } => StaffActionKind::Refuse,
    }
}

/// Acts on a case: 受理, 退回补正, 办结 or 不予受理.
#[utoipa::path(
    post,
    path = "/staff/cases/{id}/actions",
    tag = "staff",
    operation_id = "staff_case_action",
    params(("id" = String, Path, description = "The case number")),
    request_body = StaffAction,
    responses(
        (status = 200, description = "Done: the case as it now stands", body = StaffCaseDetail),
        (status = 400, description = "`invalid_field` with `field` (`reason`, `fields`, `materials`, `valid_until`, `credit_grade`, `certificate_number`, `note`), `correction_empty`, or `invalid_body`", body = ErrorBody),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`, `staff_role` (a viewer) or `csrf`", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 409, description = "`action_not_allowed`: the case's status does not allow it (the message names the status)", body = ErrorBody),
    )
)]
pub async fn staff_case_action(
    State(state): State<AppState>,
    Clerk(clerk): Clerk,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Body(action): Body<StaffAction>,
) -> AppResult<Json<StaffCaseDetail>> {
    let now = state.clock.now();
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    let row: Option<(i64, String, String, Vec<u8>)> =
        sqlx::query_as("SELECT user_id, business_code, status, answers FROM cases WHERE id = ?")
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
    let (user_id, business_code, status, sealed) = row.ok_or(AppError::NotFound)?;
    let status = case_status_from_db(&status)?;
    let kind = kind_of(&action);
    if !StaffActionKind::allowed(status).contains(&kind) {
        return Err(AppError::conflict(
            "action_not_allowed",
            format!("该办件当前状态为“{}”,不能{};请刷新页面查看最新状态。", status.name(), kind.name()),
        ));
    }
    let business = BusinessCode::parse(&business_code)
        .ok_or_else(|| AppError::Internal(format!("case {id}: unknown business in the database")))?;
    let (event, audit_event, note) = match action {
        StaffAction::Accept => {
            let (decide_by, estimated) = decide_due(&state.config.workdays, Date::beijing_today(now));
            sqlx::query(
                "UPDATE cases SET status = 'accepted', accepted_at = ?, decide_by = ?, due_dates_estimated = ? WHERE id = ?",
            )
            .bind(now)
            .bind(decide_by.to_string())
            .bind(estimated)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            (TimelineEvent::Accepted, Event::CaseAccepted, None)
        }
        StaffAction::Return(correction) => {
            let correction = checked_correction(&mut tx, &business_code, correction).await?;
            let json = serde_json::to_string(&correction).map_err(|e| AppError::Internal(e.to_string()))?;
            sqlx::query("UPDATE cases SET status = 'returned', correction = ?, returned_from = ? WHERE id = ?")
                .bind(json)
                .bind(status.as_str())
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            (TimelineEvent::Returned, Event::CaseReturned, Some(correction.reason))
        }
        StaffAction::Complete(completion) => {
            let certificate = open_snapshot(&state, user_id, &id, &sealed)?.certificate;
            let note = complete(&mut tx, &id, user_id, business, &certificate, completion, now).await?;
            (TimelineEvent::Completed, Event::CaseCompleted, Some(note).filter(|n| !n.is_empty()))
        }
        StaffAction::Refuse { reason } => {
            let reason = checked_reason(Some(&reason), "不予受理")?;
            sqlx::query("UPDATE cases SET status = 'refused' WHERE id = ?").bind(&id).execute(&mut *tx).await?;
            (TimelineEvent::Refused, Event::CaseRefused, Some(reason))
        }
    };
    record_event(&mut tx, &id, now, event, note.as_deref(), Some(clerk.staff_id)).await?;
    let entry = Entry {
        event: audit_event,
        outcome: "ok",
        user_id: Some(user_id),
        phone_masked: None,
        client_ip: &ip,
        staff_id: Some(clerk.staff_id),
        subject: Some(&id),
    };
    audit::record(&mut *tx, now, entry).await?;
    let detail = staff_detail(&mut tx, &state, &id, &clerk).await?;
    tx.commit().await?;
    Ok(Json(detail))
}

/// 退回补正 as it will be stored: the reason trimmed, the names checked, each named once.
async fn checked_correction(
    conn: &mut SqliteConnection,
    business_code: &str,
    correction: Correction,
) -> AppResult<Correction> {
    let reason = checked_reason(Some(&correction.reason), "退回补正")?;
    let mut fields: Vec<String> = Vec::new();
    for field in correction.fields {
        if correctable_field_label(&field).is_none() {
            return Err(AppError::bad_field(
                "invalid_field",
                "fields",
                format!(
                    "“{field}”不是可退回补正的信息项,请从准驾车型、申请原因、住址、联系人、联系电话、领取方式中选择。"
                ),
            ));
        }
        if !fields.contains(&field) {
            fields.push(field);
        }
    }
    let known: Vec<(String,)> =
        sqlx::query_as("SELECT material_code FROM business_materials WHERE business_code = ? ORDER BY position")
            .bind(business_code)
            .fetch_all(&mut *conn)
            .await?;
    let mut materials: Vec<String> = Vec::new();
    for material in correction.materials {
        if !known.iter().any(|(code,)| *code == material) {
            return Err(AppError::bad_field(
                "invalid_field",
                "materials",
                format!("“{material}”不是该业务的申请材料,请从该业务的材料中选择需要重新上传的。"),
            ));
        }
        if !materials.contains(&material) {
            materials.push(material);
        }
    }
    if fields.is_empty() && materials.is_empty() {
        return Err(AppError::bad_request(
            "correction_empty",
            "请至少选择一项需要补正的信息或材料,申请人只能修改所选的内容。",
        ));
    }
    Ok(Correction { reason, fields, materials })
}

/// A certificate number as the authority issues it: 6–32 letters and digits.
fn checked_certificate_number(number: Option<String>) -> AppResult<Option<String>> {
    let Some(number) = number.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if !(6..=32).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AppError::bad_field(
            "invalid_field",
            "certificate_number",
            "证号须为6至32位字母或数字,请核对后重新填写;不换证号请留空。",
        ));
    }
    Ok(Some(number))
}

/// 办结: checks what the business needs, writes the result with its voucher code, and brings
/// the register's certificate up to date. Returns the note for the timeline.
async fn complete(
    conn: &mut SqliteConnection,
    case_id: &str,
    user_id: i64,
    business: BusinessCode,
    certificate: &taxicert_api::Certificate,
    completion: Completion,
    now: i64,
) -> AppResult<String> {
    let note = completion.note.trim().to_owned();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::bad_field("invalid_field", "note", "给申请人的说明最多200个字,请精简后再办结。"));
    }
    let number = checked_certificate_number(completion.certificate_number)?;
    // The register's row as it stands now; the snapshot's copy if the register no longer has it.
    let current: Option<(String,)> = sqlx::query_as("SELECT valid_until FROM certificates WHERE id = ?")
        .bind(&certificate.id)
        .fetch_optional(&mut *conn)
        .await?;
    let current_until = current.map_or_else(|| certificate.valid_until.clone(), |(until,)| until);
    let valid_until = if business == BusinessCode::Renewal {
        let text = completion.valid_until.unwrap_or_default();
        let new_until = Date::parse(text.trim()).ok_or_else(|| {
            AppError::bad_field(
                "invalid_field",
                "valid_until",
                "换发须填写新的有效期至,格式为YYYY-MM-DD,例如2032-11-30。",
            )
        })?;
        if Date::parse(&current_until).is_some_and(|old| new_until <= old) {
            return Err(AppError::bad_field(
                "invalid_field",
                "valid_until",
                format!("新的有效期至须晚于原有效期至{current_until},请核对后重新填写。"),
            ));
        }
        Some(new_until.to_string())
    } else {
        None
    };
    let credit_grade = if business == BusinessCode::CreditAssessment {
        let grade = completion.credit_grade.unwrap_or_default().trim().to_owned();
        if !CREDIT_GRADES.contains(&grade.as_str()) {
            return Err(AppError::bad_field(
                "invalid_field",
                "credit_grade",
                "请选择服务质量信誉考核等级:AAA、AA、A或B。",
            ));
        }
        Some(grade)
    } else {
        None
    };
    if let Some(number) = &number {
        let (taken,): (bool,) =
            sqlx::query_as("SELECT EXISTS (SELECT 1 FROM certificates WHERE number = ? AND id <> ?)")
                .bind(number)
                .bind(&certificate.id)
                .fetch_one(&mut *conn)
                .await?;
        if taken {
            return Err(AppError::bad_field(
                "invalid_field",
                "certificate_number",
                "该证号已属于另一本从业资格证,请核对后重新填写。",
            ));
        }
    }
    let holder_name_masked = vouchers::holder_name_masked(conn, user_id).await?;
    sqlx::query(
        "INSERT INTO case_results (case_id, completed_at, certificate_number, valid_until, credit_grade, note, voucher_code,
             holder_name_masked) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(case_id)
    .bind(now)
    .bind(number.as_deref().unwrap_or(&certificate.number))
    .bind(&valid_until)
    .bind(&credit_grade)
    .bind(&note)
    .bind(vouchers::new_voucher_code())
    .bind(holder_name_masked)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE cases SET status = 'completed' WHERE id = ?").bind(case_id).execute(&mut *conn).await?;
    // What the business changed in the register: a new number (补发, 换发), a new expiry
    // (换发), the end of the certificate (注销).
    if let Some(number) = &number {
        sqlx::query("UPDATE certificates SET number = ? WHERE id = ?")
            .bind(number)
            .bind(&certificate.id)
            .execute(&mut *conn)
            .await?;
    }
    if let Some(until) = &valid_until {
        sqlx::query("UPDATE certificates SET valid_until = ? WHERE id = ?")
            .bind(until)
            .bind(&certificate.id)
            .execute(&mut *conn)
            .await?;
    }
    if business == BusinessCode::Cancellation {
        sqlx::query("UPDATE certificates SET status = 'cancelled' WHERE id = ?")
            .bind(&certificate.id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(note)
}
