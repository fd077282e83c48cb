//! Submitting a draft as a case (办件), and the user's list of cases.
//!
//! The submission re-checks every answer (a certificate may have been suspended, a photo
//! deleted since the step was saved), then, in one transaction, numbers the case, keeps a
//! sealed snapshot of the answers, ties the photos to it so that they can no longer be deleted,
//! drops the draft and writes the audit entry. An `Idempotency-Key` makes a retry, or twenty
//! taps at once, return the one case.

use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use taxicert_api::{
    AppliedChange, AssessmentPeriod, BusinessCode, BusinessDetails, CancellationReason, CaseDetail, CasePhoto, CaseResult,
    CaseStatus, CaseSummary, Certificate, Correction, CreditRecord, Delivery, DraftStep, ErrorBody, PersonalInfo,
    PostalAddress, Region, ReissueReason, Resubmission, Submission, TimelineEntry, TimelineEvent,
};

use crate::{
    audit::{self, Entry, Event},
    auth::ClientIp,
    catalogue::business_materials,
    certificates::blocked_message,
    drafts::{self, check_certificate, check_info, check_materials, missing, Answers},
    error::{AppError, AppResult, Body},
    realname::VerifiedUser,
    uploads::{idempotency_key, warnings_from_json},
    workdays::{add_working_days, holidays::OfficialCalendar, Date},
    AppState,
};
use crate::db::Flag;

/// Working days to accept a case after submission, and to decide it after acceptance, as the
/// notices promise.
const ACCEPT_WITHIN: u32 = 2;
const DECIDE_WITHIN: u32 = 3;

/// What a case was submitted with, sealed: the answers and the certificate as it stood.
#[derive(Serialize, Deserialize)]
pub(crate) struct Snapshot {
    pub answers: Answers,
    pub certificate: Certificate,
}

/// The sealed snapshot opens only for this user's case.
fn snapshot_context(user_id: i64, case_id: &str) -> String {
    format!("case:{user_id}:{case_id}")
}

pub(crate) fn seal_snapshot(state: &AppState, user_id: i64, case_id: &str, snapshot: &Snapshot) -> AppResult<Vec<u8>> {
    let plain = serde_json::to_vec(snapshot).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(state.vault.seal(&plain, &snapshot_context(user_id, case_id)))
}

/// The snapshot of a case, unsealed. A snapshot written before the businesses had their own
/// forms is converted (see [`upgrade_legacy_info`]); its business is then told by the materials
/// it was submitted with, as the old catalogue asked for them. Prefer [`open_case_snapshot`]
/// where the case's business is at hand.
pub(crate) fn open_snapshot(state: &AppState, user_id: i64, case_id: &str, sealed: &[u8]) -> AppResult<Snapshot> {
    open_case_snapshot(state, user_id, case_id, None, sealed)
}

/// [`open_snapshot`] of a case of `business` (`None`: unknown).
pub(crate) fn open_case_snapshot(
    state: &AppState,
    user_id: i64,
    case_id: &str,
    business: Option<BusinessCode>,
    sealed: &[u8],
) -> AppResult<Snapshot> {
    open_sealed(&state.vault, user_id, case_id, business, sealed)
}

fn open_sealed(
    vault: &crate::crypto::Vault,
    user_id: i64,
    case_id: &str,
    business: Option<BusinessCode>,
    sealed: &[u8],
) -> AppResult<Snapshot> {
    let plain = vault.open(sealed, &snapshot_context(user_id, case_id))?;
    let broken = |e: serde_json::Error| AppError::Internal(format!("case {case_id}: the snapshot does not parse: {e}"));
    let mut value: serde_json::Value = serde_json::from_slice(&plain).map_err(broken)?;
    let legacy = value.pointer("/answers/info").is_some_and(|info| info.is_object() && info.get("details").is_none());
    if legacy {
        let business = match business {
            Some(business) => business,
            None => legacy_business(value.pointer("/answers/uploads")),
        };
        let info = value.pointer_mut("/answers/info").expect("checked above");
        let old: LegacyInfo = serde_json::from_value(info.take()).map_err(broken)?;
        *info = serde_json::to_value(upgrade_legacy_info(business, old)).map_err(broken)?;
    }
    serde_json::from_value(value).map_err(broken)
}

/// 完善个人信息 as it was saved before each business had its own form (issue 13).
#[derive(Deserialize)]
struct LegacyInfo {
    #[serde(default)]
    licence_class: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    delivery: Option<LegacyDelivery>,
}

#[derive(Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
enum LegacyDelivery {
    Pickup {
        hall_id: String,
    },
    Post {
        #[serde(default)]
        recipient: String,
        #[serde(default)]
        phone: String,
        #[serde(default)]
        province: String,
        #[serde(default)]
        city: String,
        #[serde(default)]
        district: String,
        #[serde(default)]
        street: String,
    },
}

/// The business of a legacy snapshot, by the materials the old catalogue asked only of it:
/// 遗失声明 or the damaged certificate for 补发, 住址 proof for 变更, the 注销 statement, the
/// company's service record for 考核; else 换发 (whose violation page 考核 asked for only as an
/// option).
fn legacy_business(uploads: Option<&serde_json::Value>) -> BusinessCode {
    let has = |code: &str| uploads.and_then(|u| u.get(code)).is_some();
    if has("enterprise_service_record") {
        BusinessCode::CreditAssessment
    } else if has("cancellation_statement") {
        BusinessCode::Cancellation
    } else if has("change_proof") {
        BusinessCode::Change
    } else if has("loss_statement") || has("damaged_certificate") {
        BusinessCode::Reissue
    } else {
        BusinessCode::Renewal
    }
}

/// A legacy form in the new shape, as faithfully as the old answers allow:
/// - 换发: its 准驾车型 and delivery;
/// - 补发: 遗失, or 损毁 when the free-text reason speaks of damage (损, 毁, 坏, 破);
/// - 变更: no structured change (the old form had none), the free-text reason kept;
/// - 注销: 其他 with the free-text reason;
/// - 考核: an empty period (the old form did not name one).
///
/// A postal address had typed province, city and district: it becomes a region with an empty
/// code and those names joined as its name, so that the clerk still reads where to post it.
fn upgrade_legacy_info(business: BusinessCode, old: LegacyInfo) -> PersonalInfo {
    let delivery = match old.delivery {
        Some(LegacyDelivery::Pickup { hall_id }) => Delivery::Pickup { hall_id },
        Some(LegacyDelivery::Post { recipient, phone, province, city, district, street }) => Delivery::Post(PostalAddress {
            recipient,
            phone,
            region: Region { code: String::new(), name: format!("{province}{city}{district}") },
            street,
        }),
        None => Delivery::Pickup { hall_id: String::new() },
    };
    let details = match business {
        BusinessCode::Renewal => BusinessDetails::Renewal { licence_class: old.licence_class, delivery },
        BusinessCode::Reissue => {
            let damaged = old.reason.contains(['损', '毁', '坏', '破']);
            BusinessDetails::Reissue { reason: if damaged { ReissueReason::Damaged } else { ReissueReason::Lost }, delivery }
        }
        BusinessCode::Change => BusinessDetails::Change { changes: Vec::new(), reason: old.reason },
        BusinessCode::Cancellation => {
            BusinessDetails::Cancellation { reason: CancellationReason::Other, other_reason: old.reason }
        }
        BusinessCode::CreditAssessment => {
            BusinessDetails::CreditAssessment { period: AssessmentPeriod { start: String::new(), end: String::new() } }
        }
    };
    PersonalInfo { contact_name: old.contact_name, contact_phone: old.contact_phone, details }
}

/// A case's status as the database spells it.
pub fn case_status_from_db(status: &str) -> AppResult<CaseStatus> {
    CaseStatus::parse(status)
        .ok_or_else(|| AppError::Internal(format!("unknown case status {status:?} in the database")))
}

fn event_to_db(event: TimelineEvent) -> &'static str {
    match event {
        TimelineEvent::Submitted => "submitted",
        TimelineEvent::Accepted => "accepted",
        TimelineEvent::Returned => "returned",
        TimelineEvent::Resubmitted => "resubmitted",
        TimelineEvent::Completed => "completed",
        TimelineEvent::Refused => "refused",
        TimelineEvent::Withdrawn => "withdrawn",
    }
}

fn event_from_db(event: &str) -> AppResult<TimelineEvent> {
    Ok(match event {
        "submitted" => TimelineEvent::Submitted,
        "accepted" => TimelineEvent::Accepted,
        "returned" => TimelineEvent::Returned,
        "resubmitted" => TimelineEvent::Resubmitted,
        "completed" => TimelineEvent::Completed,
        "refused" => TimelineEvent::Refused,
        "withdrawn" => TimelineEvent::Withdrawn,
        other => return Err(AppError::Internal(format!("unknown case event {other:?} in the database"))),
    })
}

/// One line of `SELECT {CASE_COLUMNS} …`: a case as lists show it.
#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    pub id: String,
    pub business_code: String,
    pub business_name: String,
    pub status: String,
    pub submitted_at: i64,
    pub accept_by: String,
    pub decide_by: String,
    #[sqlx(try_from = "Flag")]
    pub due_dates_estimated: bool,
    #[sqlx(try_from = "Flag")]
    pub changed: bool,
}

impl CaseRow {
    pub(crate) fn into_api(self) -> AppResult<CaseSummary> {
        let business = BusinessCode::parse(&self.business_code)
            .ok_or_else(|| AppError::Internal(format!("case {}: unknown business in the database", self.id)))?;
        let status = case_status_from_db(&self.status)?;
        Ok(CaseSummary {
            id: self.id,
            business,
            business_name: self.business_name,
            status,
            submitted_at: self.submitted_at,
            accept_by: self.accept_by,
            decide_by: self.decide_by,
            due_dates_estimated: self.due_dates_estimated,
            changed: self.changed,
        })
    }
}

/// The columns of a [`CaseRow`] and the join they need: `SELECT {CASE_COLUMNS} WHERE …`, with
/// the case as `c` and its business as `b`.
pub(crate) const CASE_COLUMNS: &str = "c.id, c.business_code, b.name AS business_name, c.status, c.submitted_at, c.accept_by,
    c.decide_by, c.due_dates_estimated, c.status_changed_at > c.seen_at AS changed FROM cases c JOIN businesses b ON b.code = c.business_code";

/// The last day to accept a case (re)submitted on `from`, and whether it had to be counted
/// without the official calendar.
pub fn accept_due(calendar: &OfficialCalendar, from: Date) -> (Date, bool) {
    add_working_days(calendar, from, ACCEPT_WITHIN)
}

/// The last day to decide a case accepted on `from` (or due to be accepted by then).
pub fn decide_due(calendar: &OfficialCalendar, from: Date) -> (Date, bool) {
    add_working_days(calendar, from, DECIDE_WITHIN)
}

/// The last day to correct a case returned on `from`: `days` working days on (`correction_days`).
/// Beyond the official calendar's years weekends alone are skipped.
pub fn correction_due(calendar: &OfficialCalendar, from: Date, days: u32) -> Date {
    add_working_days(calendar, from, days).0
}

/// The last days to accept and to decide a case submitted on `submitted`, and whether either
/// was counted without the official calendar. Until it is accepted, the decision is counted
/// from the last day to accept it.
pub fn due_dates(calendar: &OfficialCalendar, submitted: Date) -> (Date, Date, bool) {
    let (accept_by, estimated_accept) = accept_due(calendar, submitted);
    let (decide_by, estimated_decide) = decide_due(calendar, accept_by);
    (accept_by, decide_by, estimated_accept || estimated_decide)
}

/// The driver's own doings: they change the status but are no news to him.
/// Who does `event` when no clerk does: the driver's own events, else the server's jobs (a case
/// closed because its last day to correct passed).
pub(crate) fn actor_without_staff(event: &str) -> AppResult<&'static str> {
    Ok(if by_the_driver(event_from_db(event)?) { "申请人" } else { "系统" })
}

fn by_the_driver(event: TimelineEvent) -> bool {
    matches!(event, TimelineEvent::Submitted | TimelineEvent::Resubmitted | TimelineEvent::Withdrawn)
}

/// Writes a line of the case's timeline and marks the status as changed at `at`, so that 我的办件
/// shows the badge until the driver opens the case — unless the driver did it himself.
/// Call it inside the transaction that changes the status.
pub async fn record_event(
    conn: &mut AnyConnection,
    case_id: &str,
    at: i64,
    event: TimelineEvent,
    note: Option<&str>,
    staff_id: Option<i64>,
) -> AppResult<()> {
    sqlx::query("INSERT INTO case_events (case_id, at, event, note, staff_id) VALUES ($1, $2, $3, $4, $5)")
        .bind(case_id)
        .bind(at)
        .bind(event_to_db(event))
        .bind(note)
        .bind(staff_id)
        .execute(&mut *conn)
        .await?;
    let seen = if by_the_driver(event) { "$1" } else { "seen_at" };
    sqlx::query(&format!("UPDATE cases SET status_changed_at = $1, seen_at = {seen} WHERE id = $2"))
        .bind(at)
        .bind(case_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The parts of a case row that lists do not need.
#[derive(sqlx::FromRow)]
struct CaseExtra {
    user_id: i64,
    answers: Vec<u8>,
    correction: Option<String>,
    correct_by: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ResultRow {
    completed_at: i64,
    certificate_number: String,
    valid_until: Option<String>,
    credit_grade: Option<String>,
    credit_period_start: Option<String>,
    credit_period_end: Option<String>,
    credit_points: Option<i64>,
    #[sqlx(try_from = "Flag")]
    cancelled: bool,
    note: String,
    voucher_code: String,
    tracking_number: Option<String>,
}

/// What a 变更 wrote, old → new: the old values from the certificate as it stood at
/// submission, the new ones as submitted (the register keeps only the latest, so nothing else
/// is stored).
pub fn applied_changes(certificate: &Certificate, details: &BusinessDetails) -> Vec<AppliedChange> {
    match details {
        BusinessDetails::Change { changes, .. } => changes
            .iter()
            .map(|c| AppliedChange { item: c.item(), old: c.item().current(certificate).to_owned(), new: c.new_text() })
            .collect(),
        _ => Vec::new(),
    }
}

/// Which of a case's photos: those it stands on now, or those its last resubmission replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CasePhotos {
    Present,
    Replaced,
}

impl CasePhotos {
    /// The table linking the case to these photos' uploads.
    pub fn table(self) -> &'static str {
        match self {
            CasePhotos::Present => "case_uploads",
            CasePhotos::Replaced => "case_previous_uploads",
        }
    }
}

/// The case's photos, in the order of its business's materials, with the checks' warnings.
pub async fn case_photos(conn: &mut AnyConnection, case_id: &str, which: CasePhotos) -> AppResult<Vec<CasePhoto>> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(&format!(
        "SELECT cu.material_code, m.name, cu.upload_id, u.warnings FROM {} cu
           JOIN cases c ON c.id = cu.case_id
           JOIN materials m ON m.code = cu.material_code
           JOIN uploads u ON u.id = cu.upload_id
           LEFT JOIN business_materials bm ON bm.business_code = c.business_code AND bm.material_code = cu.material_code
          WHERE cu.case_id = $1 ORDER BY bm.position, cu.material_code",
        which.table()
    ))
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(material_code, material_name, upload_id, warnings)| {
            Ok(CasePhoto { material_code, material_name, upload_id, warnings: warnings_from_json(&warnings)? })
        })
        .collect()
}

/// The whole case as its driver sees it, and its owner's user id; `None` when there is no such
/// case. The caller checks the owner (or is staff).
pub async fn load_detail(
    conn: &mut AnyConnection,
    state: &AppState,
    case_id: &str,
) -> AppResult<Option<(CaseDetail, i64)>> {
    let row: Option<CaseRow> = sqlx::query_as(&format!("SELECT {CASE_COLUMNS} WHERE c.id = $1"))
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let extra: CaseExtra = sqlx::query_as("SELECT user_id, answers, correction, correct_by FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_one(&mut *conn)
        .await?;
    let summary = row.into_api()?;
    let snapshot = open_case_snapshot(state, extra.user_id, case_id, Some(summary.business), &extra.answers)?;
    let info = snapshot
        .answers
        .info
        .ok_or_else(|| AppError::Internal(format!("case {case_id}: the snapshot has no personal info")))?;
    let name: Option<(String,)> = sqlx::query_as(
        "SELECT name_masked FROM realname_submissions WHERE user_id = $1 AND status = 'approved' ORDER BY id DESC LIMIT 1",
    )
    .bind(extra.user_id)
    .fetch_optional(&mut *conn)
    .await?;
    let photos = case_photos(conn, case_id, CasePhotos::Present).await?;
    let events: Vec<(String, i64, Option<String>)> =
        sqlx::query_as("SELECT event, at, note FROM case_events WHERE case_id = $1 ORDER BY id")
            .bind(case_id)
            .fetch_all(&mut *conn)
            .await?;
    let timeline = events
        .into_iter()
        .map(|(event, at, note)| Ok(TimelineEntry { event: event_from_db(&event)?, at, note }))
        .collect::<AppResult<_>>()?;
    let correction = match (summary.status, extra.correction) {
        (CaseStatus::Returned, Some(json)) => Some(
            serde_json::from_str::<Correction>(&json)
                .map_err(|e| AppError::Internal(format!("case {case_id}: the correction does not parse: {e}")))?,
        ),
        _ => None,
    };
    let result = if summary.status == CaseStatus::Completed {
        let row: Option<ResultRow> = sqlx::query_as(
            "SELECT completed_at, certificate_number, valid_until, credit_grade, credit_period_start, credit_period_end,
                    credit_points, cancelled, note, voucher_code, tracking_number FROM case_results WHERE case_id = $1",
        )
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await?;
        row.map(|r| {
            let credit = match (r.credit_period_start, r.credit_period_end, r.credit_points, &r.credit_grade) {
                (Some(start), Some(end), Some(points), Some(grade)) => Some(CreditRecord {
                    period: AssessmentPeriod { start, end },
                    points: u32::try_from(points).unwrap_or(0),
                    grade: grade.clone(),
                }),
                _ => None,
            };
            CaseResult {
                completed_at: r.completed_at,
                certificate_number: r.certificate_number,
                valid_until: r.valid_until,
                credit_grade: r.credit_grade,
                credit,
                changes: applied_changes(&snapshot.certificate, &info.details),
                cancelled: r.cancelled,
                note: r.note,
                voucher_code: r.voucher_code,
                tracking_number: r.tracking_number,
            }
        })
    } else {
        None
    };
    let can_withdraw = summary.status == CaseStatus::Submitted;
    let correct_by = extra.correct_by.filter(|_| summary.status == CaseStatus::Returned);
    let detail = CaseDetail {
        summary,
        certificate: snapshot.certificate,
        // A verified user always has an approved submission; an empty mask beats a failed page.
        applicant_name_masked: name.map(|(n,)| n).unwrap_or_default(),
        info,
        photos,
        timeline,
        correction,
        correct_by,
        result,
        can_withdraw,
    };
    Ok(Some((detail, extra.user_id)))
}

/// Submits the saved draft of a business.
#[utoipa::path(
    post,
    path = "/cases",
    tag = "cases",
    operation_id = "submit_case",
    params(("Idempotency-Key" = String, Header, min_length = 8, max_length = 100, pattern = "^[!-~]+$", description = "Chosen by the client for this submission (8–100 visible characters). Sent again, it returns the case it made.")),
    request_body = Submission,
    responses(
        (status = 201, description = "Submitted: the new case", body = CaseSummary),
        (status = 200, description = "The same Idempotency-Key was sent before: the case it made", body = CaseSummary),
        (status = 400, description = "`idempotency_key_missing`, `invalid_body`, or an answer that no longer passes its step's check (`certificate_not_found`, `certificate_unavailable`, `invalid_field`, `upload_not_found`, `materials_missing`, …, with `field`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`realname_required` or `csrf`", body = ErrorBody),
        (status = 409, description = "`no_draft`; `draft_changed`: the draft was saved again after the user checked it; `step_missing` with the step's message; `duplicate_application` with `case_id`: the certificate already has an open application of this business, or an accepted 注销 (one code for both: either way the driver follows the named case)", body = ErrorBody),
    )
)]
pub async fn submit_case(
    State(state): State<AppState>,
    user: VerifiedUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Body(submission): Body<Submission>,
) -> AppResult<Response> {
    let key = idempotency_key(&headers, "提交申请的请求")?;
    let id = user.user_id;
    let business = submission.business;
    let now = state.clock.now();
    let today = Date::beijing_today(now);
    // Submissions are taken one at a time: the key, the draft and the case number are read
    // and written under the same write lock, so that concurrent retries make one case.
    let mut tx = crate::db::begin_write(&state.db).await?;
    let first: Option<CaseRow> =
        sqlx::query_as(&format!("SELECT {CASE_COLUMNS} WHERE c.user_id = $1 AND c.idempotency_key = $2"))
            .bind(id)
            .bind(&key)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(first) = first {
        return Ok((StatusCode::OK, Json(first.into_api()?)).into_response());
    }

    let draft = drafts::load(&mut tx, &state, id, business).await?.ok_or_else(|| {
        AppError::conflict("no_draft", "没有找到这项业务的草稿，请从业务须知开始办理；已提交的申请请在“我的办件”中查看。")
    })?;
    if draft.revision != submission.revision {
        return Err(AppError::conflict("draft_changed", "申请内容已在其他页面修改，请返回核对信息页重新核对后再提交。"));
    }
    if let Some(step) = DraftStep::ALL.into_iter().find(|s| !draft.done.contains(s)) {
        return Err(missing("step_missing", step));
    }
    let answers = &draft.answers;
    let certificate_id =
        answers.certificate_id.as_deref().ok_or_else(|| missing("step_missing", DraftStep::Certificate))?;
    // Under the write lock: no other submission can open a case on this certificate between
    // this check and the insert below.
    let (_, listed) = check_certificate(&mut tx, &state, id, business, certificate_id, today).await?;
    let info = answers.info.clone().ok_or_else(|| missing("step_missing", DraftStep::PersonalInfo))?;
    check_info(&mut tx, business, info.clone(), &listed).await?;
    check_materials(&mut tx, id, business, Some(&info.details), &answers.uploads).await?;

    let prefix = format!("TC{}", today.to_string().replace('-', ""));
    let (last,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(CAST(substr(id, 11) AS INTEGER)), 0) FROM cases WHERE id LIKE $1 || '%'")
            .bind(&prefix)
            .fetch_one(&mut *tx)
            .await?;
    let case_id = format!("{prefix}{:06}", last + 1);
    let (accept_by, decide_by, estimated) = due_dates(&state.config.workdays, today);
    let snapshot = Snapshot { answers: answers.clone(), certificate: listed };
    let sealed = seal_snapshot(&state, id, &case_id, &snapshot)?;
    let inserted = sqlx::query(
        "INSERT INTO cases (id, user_id, idempotency_key, business_code, status, answers, submitted_at, accept_by, decide_by,
             due_dates_estimated, status_changed_at, seen_at, certificate_id, hall_id)
         VALUES ($1, $2, $3, $4, 'submitted', $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&case_id)
    .bind(id)
    .bind(&key)
    .bind(business.as_str())
    .bind(sealed)
    .bind(now)
    .bind(accept_by.to_string())
    .bind(decide_by.to_string())
    .bind(i64::from(estimated))
    // Submitting is the driver's own doing: changed and seen at once, no badge.
    .bind(now)
    .bind(now)
    .bind(certificate_id)
    .bind(hall_of(snapshot.answers.info.as_ref()))
    .execute(&mut *tx)
    .await;
    if let Err(e) = inserted {
        // The partial unique index is the last guard: an open case this check did not see
        // (a writer that bypassed the lock) is still a duplicate, not a server error.
        if is_one_open_violation(&e) {
            if let Some((open, blocker)) = crate::certificates::blocking_case(&mut tx, certificate_id, business, None).await? {
                return Err(AppError::conflict_with_case("duplicate_application", blocked_message(business, &open, blocker), &open));
            }
        }
        return Err(e.into());
    }
    for (material, upload_id) in &answers.uploads {
        sqlx::query("INSERT INTO case_uploads (case_id, material_code, upload_id) VALUES ($1, $2, $3)")
            .bind(&case_id)
            .bind(material)
            .bind(upload_id)
            .execute(&mut *tx)
            .await?;
    }
    record_event(&mut tx, &case_id, now, TimelineEvent::Submitted, None, None).await?;
    sqlx::query("DELETE FROM drafts WHERE user_id = $1 AND business_code = $2")
        .bind(id)
        .bind(business.as_str())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        now,
        Entry {
            event: Event::CaseSubmitted,
            outcome: "ok",
            user_id: Some(id),
            phone_masked: None,
            client_ip: &ip,
            staff_id: None,
            subject: Some(&case_id),
        },
    )
    .await?;
    let case: CaseRow =
        sqlx::query_as(&format!("SELECT {CASE_COLUMNS} WHERE c.id = $1")).bind(&case_id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(case.into_api()?)).into_response())
}

/// Whether `e` is the refusal of `cases_one_open_per_certificate`.
fn is_one_open_violation(e: &sqlx::Error) -> bool {
    crate::db::violates_unique(e, "cases_one_open_per_certificate", "cases.certificate_id")
}

/// The user's cases, the latest first.
#[utoipa::path(
    get,
    path = "/cases",
    tag = "cases",
    operation_id = "list_cases",
    responses(
        (status = 200, description = "The user's cases, the most recently submitted first", body = [CaseSummary]),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`realname_required`", body = ErrorBody),
    )
)]
pub async fn list_cases(State(state): State<AppState>, user: VerifiedUser) -> AppResult<Json<Vec<CaseSummary>>> {
    let rows: Vec<CaseRow> =
        sqlx::query_as(&format!("SELECT {CASE_COLUMNS} WHERE c.user_id = $1 ORDER BY c.submitted_at DESC, c.id DESC"))
            .bind(user.user_id)
            .fetch_all(&state.db)
            .await?;
    Ok(Json(rows.into_iter().map(CaseRow::into_api).collect::<AppResult<_>>()?))
}

/// The case `id` of `user_id`, or the 404 of a case that does not exist: another driver's case
/// is not told apart from a missing one.
async fn owned_detail(conn: &mut AnyConnection, state: &AppState, user_id: i64, id: &str) -> AppResult<CaseDetail> {
    match load_detail(conn, state, id).await? {
        Some((detail, owner)) if owner == user_id => Ok(detail),
        _ => Err(AppError::NotFound),
    }
}

/// One of the user's cases, with its timeline, photos and result. Opening it marks its last
/// change as seen.
#[utoipa::path(
    get,
    path = "/cases/{id}",
    tag = "cases",
    operation_id = "get_case",
    params(("id" = String, Path, description = "The case number")),
    responses(
        (status = 200, description = "The case; `summary.changed` is now false", body = CaseDetail),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`realname_required`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such case of this user", body = ErrorBody),
    )
)]
pub async fn get_case(
    State(state): State<AppState>,
    user: VerifiedUser,
    Path(id): Path<String>,
) -> AppResult<Json<CaseDetail>> {
    let now = state.clock.now();
    // Read and marked seen under one write lock, so that a change made in between is not
    // marked seen unread.
    let mut tx = crate::db::begin_write(&state.db).await?;
    let mut detail = owned_detail(&mut tx, &state, user.user_id, &id).await?;
    sqlx::query("UPDATE cases SET seen_at = CASE WHEN status_changed_at > $1 THEN status_changed_at ELSE $1 END WHERE id = $2")
        .bind(now)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    detail.summary.changed = false;
    Ok(Json(detail))
}

/// Why a case cannot be withdrawn, in words for the driver.
fn cannot_withdraw(status: CaseStatus) -> AppError {
    let message = match status {
        CaseStatus::Submitted | CaseStatus::Accepted => "该办件已受理，不能撤回；如需撤回请联系办理窗口。",
        CaseStatus::Returned => "该办件已退回补正，不能撤回；请按要求补正后重新提交，如需撤回请联系办理窗口。",
        CaseStatus::Completed => "该办件已办结，不能撤回；如有疑问请联系办理窗口。",
        CaseStatus::Refused => "该办件已不予受理，不能撤回；如有疑问请联系办理窗口。",
        CaseStatus::Withdrawn => "该办件已撤回，不能再次撤回；如需办理请重新申请。",
    };
    AppError::conflict("cannot_withdraw", message)
}

/// Withdraws a case that has not been accepted yet. Its photos stay tied to it.
#[utoipa::path(
    post,
    path = "/cases/{id}/withdrawal",
    tag = "cases",
    operation_id = "withdraw_case",
    params(("id" = String, Path, description = "The case number")),
    responses(
        (status = 200, description = "Withdrawn: the case", body = CaseDetail),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`realname_required` or `csrf`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such case of this user", body = ErrorBody),
        (status = 409, description = "`cannot_withdraw`: accepted (even if returned since), finished or already withdrawn; the message says which", body = ErrorBody),
    )
)]
pub async fn withdraw_case(
    State(state): State<AppState>,
    user: VerifiedUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> AppResult<Json<CaseDetail>> {
    let now = state.clock.now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    let row: Option<(i64, String)> = sqlx::query_as("SELECT user_id, status FROM cases WHERE id = $1")
        .bind(&id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((owner, status)) = row.filter(|(owner, _)| *owner == user.user_id) else {
        return Err(AppError::NotFound);
    };
    // `submitted` is never a case accepted before: one returned after acceptance goes back to
    // `accepted` when corrected.
    let status = case_status_from_db(&status)?;
    if status != CaseStatus::Submitted {
        return Err(cannot_withdraw(status));
    }
    sqlx::query("UPDATE cases SET status = 'withdrawn' WHERE id = $1").bind(&id).execute(&mut *tx).await?;
    record_event(&mut tx, &id, now, TimelineEvent::Withdrawn, None, None).await?;
    audit::record(
        &mut *tx,
        now,
        Entry {
            event: Event::CaseWithdrawn,
            outcome: "ok",
            user_id: Some(owner),
            phone_masked: None,
            client_ip: &ip,
            staff_id: None,
            subject: Some(&id),
        },
    )
    .await?;
    let detail = owned_detail(&mut tx, &state, owner, &id).await?;
    tx.commit().await?;
    Ok(Json(detail))
}

/// Takes the correction's `field` (one of [`taxicert_api::correctable_fields`] of the case's
/// business) from the corrected form into the submitted one. A corrected form of another
/// business leaves the submitted one as it was (and is told by the form's check). Errors:
/// `Internal` for a name the business does not know (the clerk's side checks it).
fn take_field(field: &str, from: &PersonalInfo, into: &mut PersonalInfo) -> AppResult<()> {
    use BusinessDetails as D;
    match (field, &from.details, &mut into.details) {
        ("contact_name", ..) => into.contact_name = from.contact_name.clone(),
        ("contact_phone", ..) => into.contact_phone = from.contact_phone.clone(),
        ("reissue_reason", D::Reissue { reason, .. }, D::Reissue { reason: to, .. }) => *to = *reason,
        ("delivery", from, into) if from.delivery().is_some() => {
            if let (Some(new), Some(to)) = (from.delivery(), into.delivery_mut()) {
                *to = new.clone();
            }
        }
        ("licence_class", D::Renewal { licence_class, .. }, D::Renewal { licence_class: to, .. }) => {
            *to = licence_class.clone()
        }
        ("changes", D::Change { changes, .. }, D::Change { changes: to, .. }) => *to = changes.clone(),
        ("reason", D::Change { reason, .. }, D::Change { reason: to, .. }) => *to = reason.clone(),
        (
            "cancellation_reason",
            D::Cancellation { reason, other_reason },
            D::Cancellation { reason: to, other_reason: other_to },
        ) => {
            *to = *reason;
            *other_to = other_reason.clone();
        }
        ("period", D::CreditAssessment { period }, D::CreditAssessment { period: to }) => *to = period.clone(),
        (field, _, into) if taxicert_api::correctable_field_label(into.business(), field).is_some() => {}
        (other, _, into) => {
            return Err(AppError::Internal(format!(
                "a correction names the field {other:?}, unknown to {}",
                into.business().as_str()
            )))
        }
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ReturnedCase {
    user_id: i64,
    business_code: String,
    status: String,
    answers: Vec<u8>,
    correction: Option<String>,
    returned_from: Option<String>,
    resubmission_key: Option<String>,
}

/// Sends a returned case back with the corrections the clerk asked for. Only the flagged
/// fields are taken from `info` and only the flagged materials from `uploads`; the rest stays
/// as submitted.
#[utoipa::path(
    post,
    path = "/cases/{id}/resubmission",
    tag = "cases",
    operation_id = "resubmit_case",
    params(
        ("id" = String, Path, description = "The case number"),
        ("Idempotency-Key" = String, Header, min_length = 8, max_length = 100, pattern = "^[!-~]+$", description = "Chosen by the client for this resubmission (8–100 visible characters). Sent again after it succeeded, it returns the case as it is."),
    ),
    request_body = Resubmission,
    responses(
        (status = 200, description = "Resubmitted (or the same Idempotency-Key again): the case, back to `submitted` or `accepted` with new due dates", body = CaseDetail),
        (status = 400, description = "`idempotency_key_missing`, `invalid_body`; `invalid_field` with the form field; `material_not_replaced` (a flagged material without a new photo), `upload_not_found` or `materials_missing` with the material code as `field`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`realname_required` or `csrf`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such case of this user", body = ErrorBody),
        (status = 409, description = "`not_returned`: the case is not waiting for a correction", body = ErrorBody),
    )
)]
pub async fn resubmit_case(
    State(state): State<AppState>,
    user: VerifiedUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(id): Path<String>,
    Body(resubmission): Body<Resubmission>,
) -> AppResult<Json<CaseDetail>> {
    let key = idempotency_key(&headers, "重新提交的请求")?;
    let now = state.clock.now();
    let today = Date::beijing_today(now);
    let mut tx = crate::db::begin_write(&state.db).await?;
    let row: Option<ReturnedCase> = sqlx::query_as(
        "SELECT user_id, business_code, status, answers, correction, returned_from, resubmission_key FROM cases WHERE id = $1",
    )
    .bind(&id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(case) = row.filter(|case| case.user_id == user.user_id) else {
        return Err(AppError::NotFound);
    };
    if case.resubmission_key.as_deref() == Some(key.as_str()) {
        // A retry of a resubmission that went through: the case as it is now.
        return Ok(Json(owned_detail(&mut tx, &state, case.user_id, &id).await?));
    }
    let (CaseStatus::Returned, Some(correction), Some(returned_from)) =
        (case_status_from_db(&case.status)?, case.correction, case.returned_from)
    else {
        return Err(AppError::conflict(
            "not_returned",
            "该办件不在退回补正状态，无需补正；请刷新页面查看办件的最新状态。",
        ));
    };
    let correction_json = correction;
    let correction: Correction = serde_json::from_str(&correction_json)
        .map_err(|e| AppError::Internal(format!("case {id}: the correction does not parse: {e}")))?;
    let business = BusinessCode::parse(&case.business_code)
        .ok_or_else(|| AppError::Internal(format!("case {id}: unknown business in the database")))?;
    let mut snapshot = open_case_snapshot(&state, case.user_id, &id, Some(business), &case.answers)?;

    let mut info = snapshot
        .answers
        .info
        .clone()
        .ok_or_else(|| AppError::Internal(format!("case {id}: the snapshot has no personal info")))?;
    if resubmission.info.details.business() != business {
        return Err(AppError::bad_field("invalid_field", "business", "申请信息与所办业务不符，请刷新页面后重新填写。"));
    }
    for field in &correction.fields {
        take_field(field, &resubmission.info, &mut info)?;
    }
    // Checked against the certificate as it stood at submission: the 考核 period offered then,
    // a 变更's values then.
    let info = check_info(&mut tx, business, info, &snapshot.certificate).await?;

    let mut uploads = snapshot.answers.uploads.clone();
    for material in &correction.materials {
        let (name,): (String,) = sqlx::query_as("SELECT name FROM materials WHERE code = $1")
            .bind(material)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| {
                AppError::Internal(format!("case {id}: the correction names the unknown material {material:?}"))
            })?;
        let not_replaced =
            |why: &str| AppError::bad_field("material_not_replaced", material, format!("请重新上传「{name}」：{why}"));
        let new = resubmission
            .uploads
            .get(material)
            .ok_or_else(|| not_replaced("办理窗口要求更换这份材料，请上传一张新照片。"))?;
        if snapshot.answers.uploads.get(material) == Some(new) {
            return Err(not_replaced("所选照片与原来提交的相同，请上传一张新照片。"));
        }
        uploads.insert(material.clone(), new.clone());
    }
    // The corrected answers may ask for other materials (补发 now 损毁, a 变更 of another
    // item): a material that now applies and was not submitted is taken from the
    // resubmission, one that no longer applies is dropped.
    let materials = business_materials(&mut *tx, business).await?;
    for material in materials.iter().filter(|m| m.applies(Some(&info.details))) {
        if !uploads.contains_key(&material.code) {
            if let Some(new) = resubmission.uploads.get(&material.code) {
                uploads.insert(material.code.clone(), new.clone());
            }
        }
    }
    uploads.retain(|code, _| materials.iter().any(|m| &m.code == code && m.applies(Some(&info.details))));
    // Ownership, the material each photo was taken for, and nothing required missing.
    check_materials(&mut tx, case.user_id, business, Some(&info.details), &uploads).await?;

    let back_to = case_status_from_db(&returned_from)?;
    let (accept_by, decide_by, estimated) = if back_to == CaseStatus::Accepted {
        let (decide_by, estimated) = decide_due(&state.config.workdays, today);
        let (accept_by,): (String,) =
            sqlx::query_as("SELECT accept_by FROM cases WHERE id = $1").bind(&id).fetch_one(&mut *tx).await?;
        (accept_by, decide_by.to_string(), estimated)
    } else {
        let (accept_by, decide_by, estimated) = due_dates(&state.config.workdays, today);
        (accept_by.to_string(), decide_by.to_string(), estimated)
    };
    // The photos this resubmission replaces: kept, with the answers as returned, for the
    // clerk's comparison (`staff::cases::resubmission_changes`).
    let replaced: Vec<(String, String)> = snapshot
        .answers
        .uploads
        .iter()
        .filter(|(code, old)| uploads.get(*code).is_some_and(|new| new != *old))
        .map(|(code, old)| (code.clone(), old.clone()))
        .collect();
    snapshot.answers.info = Some(info);
    snapshot.answers.uploads = uploads;
    let sealed = seal_snapshot(&state, case.user_id, &id, &snapshot)?;
    sqlx::query(
        "UPDATE cases SET answers = $1, status = $2, correction = NULL, returned_from = NULL, accept_by = $3, decide_by = $4,
             due_dates_estimated = $5, resubmission_key = $6, previous_answers = $8, previous_correction = $9, hall_id = $10
          WHERE id = $7",
    )
    .bind(sealed)
    .bind(back_to.as_str())
    .bind(accept_by)
    .bind(decide_by)
    .bind(i64::from(estimated))
    .bind(&key)
    .bind(&id)
    .bind(&case.answers)
    .bind(&correction_json)
    .bind(hall_of(snapshot.answers.info.as_ref()))
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM case_previous_uploads WHERE case_id = $1").bind(&id).execute(&mut *tx).await?;
    for (material, upload_id) in &replaced {
        sqlx::query("INSERT INTO case_previous_uploads (case_id, material_code, upload_id) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(material)
            .bind(upload_id)
            .execute(&mut *tx)
            .await?;
    }
    // The photos of materials no longer asked for stay stored but are no longer the case's.
    let kept: Vec<&String> = snapshot.answers.uploads.keys().collect();
    let tied: Vec<(String,)> =
        sqlx::query_as("SELECT material_code FROM case_uploads WHERE case_id = $1").bind(&id).fetch_all(&mut *tx).await?;
    for (material,) in tied.iter().filter(|(m,)| !kept.contains(&m)) {
        sqlx::query("DELETE FROM case_uploads WHERE case_id = $1 AND material_code = $2")
            .bind(&id)
            .bind(material)
            .execute(&mut *tx)
            .await?;
    }
    for (material, upload_id) in &snapshot.answers.uploads {
        sqlx::query(
            "INSERT INTO case_uploads (case_id, material_code, upload_id) VALUES ($1, $2, $3)
             ON CONFLICT (case_id, material_code) DO UPDATE SET upload_id = excluded.upload_id",
        )
        .bind(&id)
        .bind(material)
        .bind(upload_id)
        .execute(&mut *tx)
        .await?;
    }
    record_event(&mut tx, &id, now, TimelineEvent::Resubmitted, None, None).await?;
    audit::record(
        &mut *tx,
        now,
        Entry {
            event: Event::CaseResubmitted,
            outcome: "ok",
            user_id: Some(case.user_id),
            phone_masked: None,
            client_ip: &ip,
            staff_id: None,
            subject: Some(&id),
        },
    )
    .await?;
    let detail = owned_detail(&mut tx, &state, case.user_id, &id).await?;
    tx.commit().await?;
    Ok(Json(detail))
}

/// `cases.hall_id`: the hall a 自取 case is collected at, `""` for any other.
pub(crate) fn hall_of(info: Option<&PersonalInfo>) -> String {
    match info.and_then(|info| info.details.delivery()) {
        Some(Delivery::Pickup { hall_id }) => hall_id.clone(),
        _ => String::new(),
    }
}

/// Fills `cases.hall_id` from the snapshots of cases made before it (NULL), once, at start-up.
/// A snapshot that cannot be read is left NULL and logged. Returns how many were filled.
pub async fn backfill_hall_ids(db: &sqlx::AnyPool, vault: &crate::crypto::Vault) -> Result<usize, sqlx::Error> {
    let rows: Vec<(String, i64, String, Vec<u8>)> =
        sqlx::query_as("SELECT id, user_id, business_code, answers FROM cases WHERE hall_id IS NULL").fetch_all(db).await?;
    let mut filled = 0;
    for (case_id, user_id, business, sealed) in rows {
        let Ok(snapshot) = open_sealed(vault, user_id, &case_id, BusinessCode::parse(&business), &sealed) else {
            tracing::warn!(case = %case_id, "a case's snapshot could not be read: its service hall is left unknown");
            continue;
        };
        sqlx::query("UPDATE cases SET hall_id = $1 WHERE id = $2")
            .bind(hall_of(snapshot.answers.info.as_ref()))
            .bind(&case_id)
            .execute(db)
            .await?;
        filled += 1;
    }
    if filled > 0 {
        tracing::info!(filled, "cases given their service hall");
    }
    Ok(filled)
}

/// Names the certificate of each open case submitted before cases did (`cases.certificate_id`
/// NULL), from its sealed snapshot, the oldest first, so that it blocks a second application
/// as a new one would. Where the certificate already has an open case of the business (the
/// duplicates this was made to stop), the unique index refuses: the case keeps NULL and goes
/// on as it was. Run once at start-up; logs how many were named and left, nothing personal.
/// Returns (named, left).
pub async fn backfill_certificate_ids(db: &sqlx::AnyPool, vault: &crate::crypto::Vault) -> Result<(usize, usize), sqlx::Error> {
    let rows: Vec<(String, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT id, user_id, answers FROM cases
          WHERE certificate_id IS NULL AND status IN ('submitted', 'accepted', 'returned')
          ORDER BY submitted_at, id",
    )
    .fetch_all(db)
    .await?;
    let (mut named, mut left) = (0, 0);
    for (case_id, user_id, sealed) in rows {
        // Only the certificate's id is needed: read it without converting the legacy form.
        let certificate_id = vault
            .open(&sealed, &snapshot_context(user_id, &case_id))
            .ok()
            .and_then(|plain| serde_json::from_slice::<serde_json::Value>(&plain).ok())
            .and_then(|v| v.pointer("/certificate/id").and_then(|id| id.as_str()).map(str::to_owned));
        let Some(certificate_id) = certificate_id else {
            tracing::warn!(case = %case_id, "an open case's snapshot names no certificate: left without one");
            left += 1;
            continue;
        };
        match sqlx::query("UPDATE cases SET certificate_id = $1 WHERE id = $2").bind(&certificate_id).bind(&case_id).execute(db).await {
            Ok(_) => named += 1,
            Err(e) if is_one_open_violation(&e) => left += 1,
            Err(e) => return Err(e),
        }
    }
    if named + left > 0 {
        tracing::info!(named, left_as_duplicates = left, "open cases given their certificate");
    }
    Ok((named, left))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> (tempfile::TempDir, crate::crypto::Vault) {
        let dir = tempfile::tempdir().unwrap();
        let secrets = crate::secrets::Secrets::load(&dir.path().join("key"), true).unwrap();
        let vault = crate::crypto::Vault::new(&secrets);
        (dir, vault)
    }

    /// A snapshot as the server sealed it before each business had its own form.
    fn legacy_snapshot(reason: &str, uploads: serde_json::Value, delivery: serde_json::Value) -> serde_json::Value {
        serde_json::json!({
            "answers": {
                "certificate_id": "crt_1",
                "info": {
                    "licence_class": "A1", "reason": reason, "address": "内蒙古自治区呼和浩特市新城区兴安北路100号",
                    "contact_name": "王建国", "contact_phone": "13812345678", "delivery": delivery,
                },
                "uploads": uploads,
            },
            "certificate": {
                "id": "crt_1", "number": "1501002021123456", "kind": "cruising", "authority": "呼和浩特市交通运输局",
                "first_issued": "2021-01-08", "valid_until": "2027-01-08", "status": "valid", "unavailable_reason": null,
            },
        })
    }

    fn open_legacy(vault: &crate::crypto::Vault, business: Option<BusinessCode>, snapshot: serde_json::Value) -> Snapshot {
        let sealed = vault.seal(&serde_json::to_vec(&snapshot).unwrap(), &snapshot_context(7, "TC20261101000001"));
        let plain = vault.open(&sealed, &snapshot_context(7, "TC20261101000001")).unwrap();
        assert_eq!(serde_json::from_slice::<serde_json::Value>(&plain).unwrap(), snapshot);
        // Through the same path as load_detail, without a state: the vault is all it needs.
        open_sealed(vault, 7, "TC20261101000001", business, &sealed).unwrap()
    }

    #[test]
    fn legacy_snapshots_are_read_in_the_new_shape() {
        let (_dir, vault) = state();
        let post = serde_json::json!({"method": "post", "recipient": "王建国", "phone": "13912345678", "province": "内蒙古自治区",
            "city": "呼和浩特市", "district": "新城区", "street": "兴安北路100号"});
        let renewal = open_legacy(&vault, Some(BusinessCode::Renewal), legacy_snapshot("到期换证", serde_json::json!({}), post));
        let info = renewal.answers.info.unwrap();
        let BusinessDetails::Renewal { licence_class, delivery: Delivery::Post(post) } = &info.details else {
            panic!("{info:?}")
        };
        assert_eq!(licence_class, "A1");
        assert_eq!(post.region, Region { code: String::new(), name: "内蒙古自治区呼和浩特市新城区".into() });
        assert_eq!((post.street.as_str(), info.contact_name.as_str()), ("兴安北路100号", "王建国"));
        assert_eq!(renewal.certificate.licence_class, "", "the new certificate fields default");

        let pickup = serde_json::json!({"method": "pickup", "hall_id": "hall_hhht_xincheng"});
        let damaged = open_legacy(&vault, Some(BusinessCode::Reissue), legacy_snapshot("证件损坏", serde_json::json!({}), pickup.clone()));
        assert!(matches!(damaged.answers.info.unwrap().details, BusinessDetails::Reissue { reason: ReissueReason::Damaged, .. }));
        let lost = open_legacy(&vault, Some(BusinessCode::Reissue), legacy_snapshot("不慎丢失", serde_json::json!({}), pickup.clone()));
        assert!(matches!(lost.answers.info.unwrap().details, BusinessDetails::Reissue { reason: ReissueReason::Lost, .. }));
        let change = open_legacy(&vault, Some(BusinessCode::Change), legacy_snapshot("搬家了", serde_json::json!({}), pickup.clone()));
        assert_eq!(change.answers.info.unwrap().details, BusinessDetails::Change { changes: vec![], reason: "搬家了".into() });
        let cancel = open_legacy(&vault, Some(BusinessCode::Cancellation), legacy_snapshot("不再从业", serde_json::json!({}), pickup.clone()));
        assert_eq!(
            cancel.answers.info.unwrap().details,
            BusinessDetails::Cancellation { reason: CancellationReason::Other, other_reason: "不再从业".into() }
        );
        let credit = open_legacy(&vault, Some(BusinessCode::CreditAssessment), legacy_snapshot("考核", serde_json::json!({}), pickup.clone()));
        assert!(matches!(credit.answers.info.unwrap().details, BusinessDetails::CreditAssessment { period } if period.start.is_empty()));
        // Without the business at hand, the old catalogue's materials tell it.
        let guessed = open_legacy(&vault, None, legacy_snapshot("不再从业", serde_json::json!({"cancellation_statement": "upl_1"}), pickup));
        assert!(matches!(guessed.answers.info.unwrap().details, BusinessDetails::Cancellation { .. }));
    }

    #[test]
    fn a_friday_submission_is_accepted_by_tuesday_and_decided_by_friday() {
        let (accept_by, decide_by, estimated) =
            due_dates(&OfficialCalendar::embedded(), Date::parse("2026-11-27").unwrap());
        assert_eq!((accept_by.to_string(), decide_by.to_string()), ("2026-12-01".into(), "2026-12-04".into()));
        assert!(!estimated, "2026 is in the official calendar");
    }

    #[test]
    fn the_decision_counts_from_the_last_day_to_accept() {
        // Wednesday 30 Sep 2026: 1–7 October off, Thursday 8 and Friday 9; then the worked
        // Saturday 10, Monday 12 and Tuesday 13.
        let (accept_by, decide_by, estimated) =
            due_dates(&OfficialCalendar::embedded(), Date::parse("2026-09-30").unwrap());
        assert_eq!(
            (accept_by.to_string(), decide_by.to_string(), estimated),
            ("2026-10-09".into(), "2026-10-13".into(), false)
        );
        assert_eq!(
            accept_due(&OfficialCalendar::embedded(), Date::parse("2026-12-30").unwrap()),
            (Date::parse("2027-01-01").unwrap(), true)
        );
    }
}
