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
use sqlx::AnyConnection;
use taxicert_api::{
    correctable_field_label, correctable_fields,
    domain::{IdNumber, PhoneNumber},
    BusinessCode, BusinessDetails, CaseQueueFilter, CaseQueueScope, Delivery, CaseStatus, Completion, Correction, CreditRecord, CreditThresholds,
    ErrorBody, ResubmissionChanges, StaffAction, CASE_PAGE_SIZE, StaffActionKind, StaffCaseDetail, StaffCaseSummary, TimelineEvent, CREDIT_MAX_BONUS,
};

use super::{
    realname::{checked_reason, image_response},
    session::{Clerk, StaffUser},
};
use crate::{
    audit::{self, Entry, Event},
    auth::ClientIp,
    cases::{
        case_photos, case_status_from_db, correction_due, decide_due, load_detail, open_case_snapshot, open_snapshot,
        record_event, CasePhotos, CaseRow, CASE_COLUMNS,
    },
    certificates::{self, VALIDITY_YEARS},
    error::{AppError, AppResult, Body},
    messages::{case_news, CaseNews, Handover},
    realname::approved_fields,
    vouchers,
    workdays::Date,
    AppState,
};
use crate::db::Flag;

/// The clerk's note on 办结, in characters.
const MAX_NOTE_CHARS: usize = 200;
/// The deductions (扣分) a clerk may record for a period. The 考核办法 counts points from 20
/// down to 0, but a driver may have been docked more than 20 in a year (one offence costs up
/// to 20): the excess is counted and floors at 0. Beyond 100 it is surely a typing slip.
const MAX_DEDUCTIONS: u32 = 100;

/// Whether a case waits for the clerk again after the driver corrected it (已补正): open, and its
/// latest timeline entry is the resubmission.
pub(super) const RESUBMITTED: &str = "(c.status IN ('submitted', 'accepted') AND
    (SELECT e.event FROM case_events e WHERE e.case_id = c.id ORDER BY e.id DESC LIMIT 1) = 'resubmitted')";

/// The longest search text, in characters: a name, a number.
const MAX_SEARCH_CHARS: usize = 40;

/// What a search text can be, each `None` when it cannot be that: the case number (upper
/// case), the full phone number, the pattern of the phone's last 4 digits, the ID number's
/// holder key, the certificate number, the name's key. Spaces and dashes inside a number
/// are ignored (`138 1234 5678`).
struct Search {
    case_id: String,
    phone: Option<String>,
    phone_tail: Option<String>,
    holder_key: Option<Vec<u8>>,
    certificate_number: String,
    name_key: Option<Vec<u8>>,
}

impl Search {
    fn of(state: &AppState, text: &str) -> Search {
        let compact: String = text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        let digits = !compact.is_empty() && compact.bytes().all(|b| b.is_ascii_digit());
        Search {
            case_id: compact.to_ascii_uppercase(),
            phone: PhoneNumber::parse(&compact).ok().map(|p| p.as_str().to_owned()),
            phone_tail: (digits && compact.len() == 4).then(|| format!("%{compact}")),
            holder_key: IdNumber::parse(&compact).ok().map(|id| crate::realname::holder_key_of(state, id.expose())),
            certificate_number: compact.to_ascii_uppercase(),
            name_key: (!digits).then(|| crate::realname::name_key_of(&state.secrets, text)),
        }
    }
}

/// The case queue. Without a status, the cases waiting for a clerk (`scope=waiting`, the
/// default): 待受理 and 待办结, those resubmitted after a correction first, then the most
/// urgent (those waiting to be accepted by their `accept_by`, those accepted by their
/// `decide_by`); `scope=all` (the default of a search) adds all others, the newest first.
/// `q` finds a case by its number, the applicant's full name, phone number (all 11 digits or
/// the last 4), ID number, or certificate number; it is never logged (the request log has the
/// path only).
#[utoipa::path(
    get,
    path = "/staff/cases",
    tag = "staff",
    operation_id = "staff_case_queue",
    params(
        ("status" = Option<CaseStatus>, Query, description = "Only cases in this status; without it, `scope` decides"),
        ("business" = Option<BusinessCode>, Query, description = "Only cases of this business; all when absent"),
        ("scope" = Option<String>, Query, pattern = "^(waiting|all)$", description = "Without `status`: `waiting` (待受理 and 待办结, the default without `q`) or `all` (the default with `q`)"),
        ("q" = Option<String>, Query, max_length = 40, description = "A search, up to 40 characters: case number, full name, phone number (11 digits or the last 4), ID number or certificate number"),
        ("from" = Option<String>, Query, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description = "Submitted on or after this day (Beijing), `YYYY-MM-DD`"),
        ("to" = Option<String>, Query, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description = "Submitted on or before this day (Beijing), `YYYY-MM-DD`, not before `from`"),
        ("hall" = Option<String>, Query, max_length = 64, description = "Collected (自取) at this service hall, by its id; an unknown id finds nothing"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 500, description = "At most this many cases (default 100): a page"),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 1000000, description = "After skipping this many (at most 1,000,000), in the queue's order (default 0)"),
    ),
    responses(
        (status = 200, description = "The cases that match, the resubmitted first", body = [StaffCaseSummary]),
        (status = 400, description = "`invalid_filter`: an unknown status, business or scope, a search over 40 characters, a day that is no date, `to` before `from`, a hall id over 64 characters, a `limit` outside 1–500 or an `offset` over 1,000,000", body = ErrorBody),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`", body = ErrorBody),
    )
)]
pub async fn staff_case_queue(
    State(state): State<AppState>,
    _staff: StaffUser,
    filter: Result<Query<CaseQueueFilter>, QueryRejection>,
) -> AppResult<Json<Vec<StaffCaseSummary>>> {
    let filter = queue_filter(filter)?;
    if filter.limit.is_some_and(|limit| !(1..=500).contains(&limit)) || filter.offset.is_some_and(|offset| offset > 1_000_000) {
        return Err(AppError::bad_request("invalid_filter", "分页无效：每页办件数须为1至500，跳过的办件数最多1000000。"));
    }
    Ok(Json(case_queue(&state, &filter).await?))
}

/// The filter of a queue request, or 400 `invalid_filter`.
pub(super) fn queue_filter(filter: Result<Query<CaseQueueFilter>, QueryRejection>) -> AppResult<CaseQueueFilter> {
    filter.map(|Query(filter)| filter).map_err(|_| {
        AppError::bad_request("invalid_filter", "筛选条件无效，请重新选择办件状态、业务类型或提交日期。")
    })
}

/// A day of a filter, `YYYY-MM-DD`, or 400 `invalid_filter` naming what to type.
/// An empty day is refused too: a client that means no bound leaves the parameter out.
pub(super) fn filter_day(text: Option<&str>, what: &str) -> AppResult<Option<Date>> {
    text.map(str::trim).map_or(Ok(None), |text| {
        Date::parse(text).map(Some).ok_or_else(|| {
            let message = if text.is_empty() {
                format!("请选择{what}，日期格式如 2026-01-05。")
            } else {
                format!("{what}“{text}”不是有效的日期，请按 2026-01-05 的格式填写。")
            };
            AppError::bad_request("invalid_filter", message)
        })
    })
}

/// The cases of `filter`, as `GET /staff/cases` lists them: a page of `limit` (default
/// [`CASE_PAGE_SIZE`]; the caller checks it) after `offset`.
pub(super) async fn case_queue(state: &AppState, filter: &CaseQueueFilter) -> AppResult<Vec<StaffCaseSummary>> {
    let from = filter_day(filter.from.as_deref(), "起始日期")?;
    let to = filter_day(filter.to.as_deref(), "截止日期")?;
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            return Err(AppError::bad_request("invalid_filter", "截止日期早于起始日期，请重新选择提交日期。"));
        }
    }
    let limit = filter.limit.unwrap_or(CASE_PAGE_SIZE);
    if filter.hall.as_ref().is_some_and(|hall| hall.chars().count() > 64) {
        return Err(AppError::bad_request("invalid_filter", "领取大厅无效，请重新选择领取大厅。"));
    }
    let text = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if text.is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS) {
        return Err(AppError::bad_request(
            "invalid_filter",
            format!("搜索内容最多{MAX_SEARCH_CHARS}个字，请输入办件编号、姓名、手机号（或后4位）、身份证号或证号。"),
        ));
    }
    let search = text.map(|q| Search::of(state, q));
    let scope = filter.scope.unwrap_or(if text.is_some() { CaseQueueScope::All } else { CaseQueueScope::Waiting });
    let waiting_only = filter.status.is_none() && scope == CaseQueueScope::Waiting;
    let rows: Vec<CaseRow> = sqlx::query_as(&format!(
        "SELECT {CASE_COLUMNS} JOIN users u ON u.id = c.user_id
          WHERE ($1 IS NULL OR c.status = $1) AND ($2 IS NULL OR c.business_code = $2)
            AND ($3 = 0 OR c.status IN ('submitted', 'accepted'))
            AND ($4 IS NULL OR c.id = $4 OR u.phone = $5 OR (u.phone LIKE $6 AND u.phone NOT LIKE 'moved:%')
                 OR u.holder_key = $7
                 OR c.certificate_id IN (SELECT ce.id FROM certificates ce WHERE ce.number = $8)
                 OR EXISTS (SELECT 1 FROM case_results r WHERE r.case_id = c.id AND r.certificate_number = $8)
                 OR EXISTS (SELECT 1 FROM realname_submissions rs
                             WHERE rs.user_id = c.user_id AND rs.status = 'approved' AND rs.name_key = $9))
            AND ($10 IS NULL OR c.submitted_at >= $10) AND ($11 IS NULL OR c.submitted_at < $11)
            AND ($12 IS NULL OR c.hall_id = $12)
          ORDER BY CASE WHEN {RESUBMITTED} THEN 0 ELSE 1 END,
                   CASE c.status WHEN 'submitted' THEN 0 WHEN 'accepted' THEN 0 ELSE 1 END,
                   CASE c.status WHEN 'submitted' THEN c.accept_by WHEN 'accepted' THEN c.decide_by END,
                   c.submitted_at DESC, c.id DESC
          LIMIT $13 OFFSET $14"
    ))
    .bind(filter.status.map(CaseStatus::as_str))
    .bind(filter.business.map(BusinessCode::as_str))
    .bind(i64::from(waiting_only))
    .bind(search.as_ref().map(|s| s.case_id.clone()))
    .bind(search.as_ref().and_then(|s| s.phone.clone()))
    .bind(search.as_ref().and_then(|s| s.phone_tail.clone()))
    .bind(search.as_ref().and_then(|s| s.holder_key.clone()))
    .bind(search.as_ref().map(|s| s.certificate_number.clone()))
    .bind(search.as_ref().and_then(|s| s.name_key.clone()))
    .bind(from.map(Date::beijing_midnight))
    .bind(to.map(|to| to.add_days(1).beijing_midnight()))
    .bind(filter.hall.as_deref().map(str::trim).filter(|h| !h.is_empty()))
    .bind(i64::from(limit))
    .bind(i64::from(filter.offset.unwrap_or(0)))
    .fetch_all(&state.db)
    .await?;
    let today = Date::beijing_today(state.clock.now());
    let mut conn = state.db.acquire().await?;
    let mut queue = Vec::with_capacity(rows.len());
    for row in rows {
        // The number the case ended with once completed (补发 may issue a new one), else the
        // number it was submitted for.
        let (user_id, sealed, result_number): (i64, Vec<u8>, Option<String>) = sqlx::query_as(
            "SELECT c.user_id, c.answers, r.certificate_number FROM cases c LEFT JOIN case_results r ON r.case_id = c.id
              WHERE c.id = $1",
        )
        .bind(&row.id)
        .fetch_one(&mut *conn)
        .await?;
        let certificate_number = match result_number {
            Some(number) => number,
            None => open_snapshot(state, user_id, &row.id, &sealed)?.certificate.number,
        };
        let name: Option<(String,)> = sqlx::query_as(
            "SELECT name_masked FROM realname_submissions WHERE user_id = $1 AND status = 'approved' ORDER BY id DESC LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
        let (Flag(resubmitted),): (Flag,) = sqlx::query_as(&format!("SELECT {RESUBMITTED} FROM cases c WHERE c.id = $1"))
            .bind(&row.id)
            .fetch_one(&mut *conn)
            .await?;
        let summary = row.into_api()?;
        queue.push(StaffCaseSummary {
            due_in_days: due_in_days(&summary, today),
            summary,
            applicant_name_masked: name.map(|(n,)| n).unwrap_or_default(),
            certificate_number,
            resubmitted,
        });
    }
    Ok(queue)
}

/// Days from `today` to the due date the case waits on: `accept_by` while 待受理, `decide_by`
/// while 待办结; `None` when it waits for no clerk.
fn due_in_days(case: &taxicert_api::CaseSummary, today: Date) -> Option<i64> {
    let due = match case.status {
        CaseStatus::Submitted => &case.accept_by,
        CaseStatus::Accepted => &case.decide_by,
        _ => return None,
    };
    Date::parse(due).map(|due| today.days_until(due))
}

/// The case as the clerk sees it; 404 when there is no such case.
async fn staff_detail(
    conn: &mut AnyConnection,
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
        sqlx::query_as("SELECT phone FROM users WHERE id = $1").bind(user_id).fetch_one(&mut *conn).await?;
    let phone =
        PhoneNumber::parse(&phone).map_err(|_| AppError::Internal("a stored phone number does not parse".into()))?;
    // In the order of `load_detail`'s timeline: by event id.
    let actors: Vec<(Option<String>, String)> = sqlx::query_as(
        "SELECT s.display_name, e.event FROM case_events e LEFT JOIN staff s ON s.id = e.staff_id WHERE e.case_id = $1 ORDER BY e.id",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    let allowed_actions =
        if staff.is_clerk() { StaffActionKind::allowed(case.summary.status).to_vec() } else { Vec::new() };
    let business = case.summary.business;
    // Only while 受理 or 办结 is still ahead: a finished case is blocked by nothing.
    let blocked_reason = if matches!(case.summary.status, CaseStatus::Submitted | CaseStatus::Accepted) {
        let kind = if case.summary.status == CaseStatus::Submitted { StaffActionKind::Accept } else { StaffActionKind::Complete };
        blocker(conn, case_id, &case.certificate.id, kind).await?.map(|e| e.body().message)
    } else {
        None
    };
    let proposed_valid_until = if business == BusinessCode::Renewal && case.summary.status != CaseStatus::Completed {
        let current = register_valid_until(conn, &case.certificate).await?;
        Date::parse(&current).map(|until| until.add_years(VALIDITY_YEARS).to_string())
    } else {
        None
    };
    let credit_thresholds = (business == BusinessCode::CreditAssessment).then_some(state.config.credit_thresholds);
    let resubmission = resubmission_changes(conn, state, &case, user_id).await?;
    Ok(StaffCaseDetail {
        case,
        applicant_name: fields.name,
        id_number_masked,
        phone_masked: phone.masked(),
        timeline_actors: actors
            .into_iter()
            .map(|(name, event)| match name {
                Some(name) => Ok(name),
                None => crate::cases::actor_without_staff(&event).map(str::to_owned),
            })
            .collect::<AppResult<_>>()?,
        allowed_actions,
        proposed_valid_until,
        credit_thresholds,
        blocked_reason,
        resubmission,
    })
}

/// What the driver's last resubmission changed: the answers and photos as the clerk returned
/// them. `None` before any resubmission, and while the case is returned again (the next
/// resubmission will be compared with the case as it stands now).
async fn resubmission_changes(
    conn: &mut AnyConnection,
    state: &AppState,
    case: &taxicert_api::CaseDetail,
    user_id: i64,
) -> AppResult<Option<ResubmissionChanges>> {
    if case.summary.status == CaseStatus::Returned {
        return Ok(None);
    }
    let case_id = &case.summary.id;
    let previous: Option<(Option<Vec<u8>>, Option<String>)> =
        sqlx::query_as("SELECT previous_answers, previous_correction FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((Some(sealed), Some(correction))) = previous else {
        return Ok(None);
    };
    let correction: Correction = serde_json::from_str(&correction)
        .map_err(|e| AppError::Internal(format!("case {case_id}: the previous correction does not parse: {e}")))?;
    let snapshot = open_case_snapshot(state, user_id, case_id, Some(case.summary.business), &sealed)?;
    let previous_info = snapshot
        .answers
        .info
        .ok_or_else(|| AppError::Internal(format!("case {case_id}: the previous snapshot has no personal info")))?;
    let Some(resubmitted_at) =
        case.timeline.iter().rev().find(|e| e.event == TimelineEvent::Resubmitted).map(|e| e.at)
    else {
        return Err(AppError::Internal(format!("case {case_id}: previous answers without a resubmission")));
    };
    Ok(Some(ResubmissionChanges {
        resubmitted_at,
        correction,
        previous_info,
        replaced_photos: case_photos(conn, case_id, CasePhotos::Replaced).await?,
    }))
}

/// The register's expiry of the case's certificate as it stands now (an earlier 换发 may have
/// moved it); the snapshot's if the register no longer has the certificate.
async fn register_valid_until(
    conn: &mut AnyConnection,
    certificate: &taxicert_api::Certificate,
) -> AppResult<String> {
    let current: Option<(String,)> = sqlx::query_as("SELECT valid_until FROM certificates WHERE id = $1")
        .bind(&certificate.id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(current.map_or_else(|| certificate.valid_until.clone(), |(until,)| until))
}

/// What stands in the way of 受理 or 办结 (`kind`) of a case although its status allows it:
/// its certificate was cancelled (a completed 注销), or another case of 注销 on it has been
/// accepted and will cancel it — and when it is completed, ends this case by itself (see
/// [`end_cases_on_cancelled`]). The error the action answers with; `None` when nothing does.
async fn blocker(
    conn: &mut AnyConnection,
    case_id: &str,
    certificate_id: &str,
    kind: StaffActionKind,
) -> AppResult<Option<AppError>> {
    // What the clerk can do instead: a submitted case can be refused; an accepted one cannot,
    // and is left, with the applicant told.
    let instead = if kind == StaffActionKind::Accept {
        "请点击“不予受理”并写明原因。"
    } else {
        "此办件无需再办结，请联系申请人说明情况。"
    };
    let status: Option<(String,)> =
        sqlx::query_as("SELECT status FROM certificates WHERE id = $1").bind(certificate_id).fetch_optional(&mut *conn).await?;
    if status.is_some_and(|(s,)| s == "cancelled") {
        return Ok(Some(AppError::conflict(
            "certificate_cancelled",
            format!("该从业资格证已注销，不能{}本办件；{instead}", kind.name()),
        )));
    }
    // An accepted 注销 — or one returned for correction after acceptance — will end the
    // certificate: nothing else should be decided on it meanwhile.
    let cancelling: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM cases WHERE certificate_id = $1 AND business_code = 'cancellation' AND id <> $2
            AND (status = 'accepted' OR (status = 'returned' AND returned_from = 'accepted'))
          ORDER BY submitted_at LIMIT 1",
    )
    .bind(certificate_id)
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?;
    // Nothing for the clerk to do meanwhile: the 注销's outcome decides this case.
    Ok(cancelling.map(|(other,)| {
        AppError::conflict(
            "certificate_cancelling",
            format!(
                "该从业资格证的注销申请（办件编号 {other}）已受理、正在办理，暂不能{}本办件。\
                 注销办结时，本办件将自动终止办理，无需另行操作。",
                kind.name()
            ),
        )
    }))
}

/// The timeline note of a case ended because its certificate was cancelled by the 注销
/// `cancellation` on `date` (`YYYY-MM-DD`).
pub fn ended_by_cancellation_note(date: &str, cancellation: &str) -> String {
    format!("该从业资格证已于{date}注销（办件编号 {cancellation}），本申请终止办理。")
}

/// Ends every other open case (submitted, accepted or returned) on the certificate that the
/// 注销 `cancellation` has just cancelled: 不予受理 (`refused`, the end of a case not granted),
/// with a timeline note that says why, recorded by the clerk who completed the 注销 so that the
/// driver's 我的办件 shows the change, and an audit entry per case. Call it inside the
/// transaction of that 办结. Answers the cases ended.
async fn end_cases_on_cancelled(
    conn: &mut AnyConnection,
    certificate_id: &str,
    cancellation: &str,
    now: i64,
    staff_id: i64,
    ip: &str,
) -> AppResult<Vec<String>> {
    let open: Vec<(String, i64)> = sqlx::query_as(
        "SELECT id, user_id FROM cases
          WHERE certificate_id = $1 AND id <> $2 AND status IN ('submitted', 'accepted', 'returned')
          ORDER BY submitted_at, id",
    )
    .bind(certificate_id)
    .bind(cancellation)
    .fetch_all(&mut *conn)
    .await?;
    let note = ended_by_cancellation_note(&Date::beijing_today(now).to_string(), cancellation);
    let mut ended = Vec::with_capacity(open.len());
    for (case_id, user_id) in open {
        sqlx::query("UPDATE cases SET status = 'refused', correction = NULL, returned_from = NULL WHERE id = $1")
            .bind(&case_id)
            .execute(&mut *conn)
            .await?;
        record_event(conn, &case_id, now, TimelineEvent::Refused, Some(&note), Some(staff_id)).await?;
        case_news(conn, user_id, &case_id, now, CaseNews::Refused { reason: &note }).await?;
        let entry = Entry {
            event: Event::CaseRefused,
            outcome: "ok",
            user_id: Some(user_id),
            phone_masked: None,
            client_ip: ip,
            staff_id: Some(staff_id),
            subject: Some(&case_id),
        };
        audit::record(&mut *conn, now, entry).await?;
        ended.push(case_id);
    }
    Ok(ended)
}

/// One case with every answer, the applicant's full name and who did what.
#[utoipa::path(
    get,
    path = "/staff/cases/{id}",
    tag = "staff",
    operation_id = "staff_case",
    params(("id" = String, Path, description = "The case number")),
    responses(
        (status = 200, description = "The case; `allowed_actions` is empty unless the role is `clerk`", body = StaffCaseDetail),
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

/// `?previous=true` of a case photo.
#[derive(serde::Deserialize)]
pub struct PhotoVersion {
    previous: Option<bool>,
}

/// A photo the case was submitted with, as the server keeps it (up to 2048 px), or the one its
/// last resubmission replaced. Never cached.
#[utoipa::path(
    get,
    path = "/staff/cases/{id}/photos/{material}",
    tag = "staff",
    operation_id = "staff_case_photo",
    params(
        ("id" = String, Path, description = "The case number"),
        ("material" = String, Path, description = "The material code"),
        ("previous" = Option<bool>, Query, description = "`true`: the photo the driver's last resubmission replaced (see `resubmission.replaced_photos`)"),
    ),
    responses(
        (status = 200, description = "The JPEG", content_type = "image/jpeg"),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`", body = ErrorBody),
        (status = 404, description = "No such case, or no photo of this material in it", body = ErrorBody),
        (status = 503, description = "`storage_unavailable`: the photo store cannot be reached; try again after `Retry-After` seconds", body = ErrorBody),
    )
)]
pub async fn staff_case_photo(
    State(state): State<AppState>,
    _staff: StaffUser,
    Path((id, material)): Path<(String, String)>,
    version: Result<Query<PhotoVersion>, QueryRejection>,
) -> AppResult<Response> {
    // A malformed `previous` names no photo.
    let Ok(Query(version)) = version else {
        return Err(AppError::NotFound);
    };
    let which = if version.previous == Some(true) { CasePhotos::Replaced } else { CasePhotos::Present };
    let upload: Option<(String, String)> = sqlx::query_as(&format!(
        "SELECT u.id, u.stored_name FROM {} cu JOIN uploads u ON u.id = cu.upload_id
          WHERE cu.case_id = $1 AND cu.material_code = $2",
        which.table()
    ))
    .bind(&id)
    .bind(&material)
    .fetch_optional(&state.db)
    .await?;
    let (upload_id, stored_name) = upload.ok_or(AppError::NotFound)?;
    // Stored as uploads.rs keeps every upload: sealed, under its random name.
    let sealed = state.storage.get(&stored_name).await?;
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
        (status = 400, description = "`invalid_field` with `field` (`reason`, `fields`, `materials`; for 办结 `business` when the completion is another business's, `certificate_number`, `valid_until`, `deductions` (0–100), `bonus` (0–10), `period`, `note`), `correction_empty`, or `invalid_body`", body = ErrorBody),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`, `staff_role` (not a clerk) or `csrf`", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 409, description = "`action_not_allowed`: the case's status does not allow it (the message names the status); for 受理 and 办结, `certificate_cancelled` (the certificate was cancelled) or `certificate_cancelling` (another 注销 of it has been accepted; the message names that case)", body = ErrorBody),
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
    let mut tx = crate::db::begin_write(&state.db).await?;
    let row: Option<(i64, String, String, Vec<u8>)> =
        sqlx::query_as("SELECT user_id, business_code, status, answers FROM cases WHERE id = $1")
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
    let (user_id, business_code, status, sealed) = row.ok_or(AppError::NotFound)?;
    let status = case_status_from_db(&status)?;
    let kind = kind_of(&action);
    if !StaffActionKind::allowed(status).contains(&kind) {
        return Err(AppError::conflict(
            "action_not_allowed",
            format!("该办件当前状态为“{}”，不能{}；请刷新页面查看最新状态。", status.name(), kind.name()),
        ));
    }
    let business = BusinessCode::parse(&business_code)
        .ok_or_else(|| AppError::Internal(format!("case {id}: unknown business in the database")))?;
    let snapshot = open_snapshot(&state, user_id, &id, &sealed)?;
    if matches!(kind, StaffActionKind::Accept | StaffActionKind::Complete) {
        if let Some(error) = blocker(&mut tx, &id, &snapshot.certificate.id, kind).await? {
            return Err(error);
        }
    }
    let (event, audit_event, note) = match action {
        StaffAction::Accept => {
            let (decide_by, estimated) = decide_due(&state.config.workdays, Date::beijing_today(now));
            sqlx::query(
                "UPDATE cases SET status = 'accepted', accepted_at = $1, decide_by = $2, due_dates_estimated = $3 WHERE id = $4",
            )
            .bind(now)
            .bind(decide_by.to_string())
            .bind(i64::from(estimated))
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            case_news(&mut tx, user_id, &id, now, CaseNews::Accepted { decide_by: &decide_by.to_string() }).await?;
            (TimelineEvent::Accepted, Event::CaseAccepted, None)
        }
        StaffAction::Return(correction) => {
            let correction = checked_correction(&mut tx, business, correction).await?;
            let json = serde_json::to_string(&correction).map_err(|e| AppError::Internal(e.to_string()))?;
            let correct_by =
                correction_due(&state.config.workdays, Date::beijing_today(now), state.config.correction_days).to_string();
            sqlx::query(
                "UPDATE cases SET status = 'returned', correction = $1, returned_from = $2, correct_by = $3 WHERE id = $4",
            )
            .bind(json)
            .bind(status.as_str())
            .bind(&correct_by)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            let news = CaseNews::Returned { reason: &correction.reason, correct_by: &correct_by };
            case_news(&mut tx, user_id, &id, now, news).await?;
            (TimelineEvent::Returned, Event::CaseReturned, Some(correction.reason))
        }
        StaffAction::Complete(completion) => {
            let certificate_id = snapshot.certificate.id.clone();
            let delivery = snapshot.answers.info.as_ref().and_then(|info| info.details.delivery()).cloned();
            let tracking_number = checked_tracking_number(completion.tracking_number(), delivery.as_ref())?;
            let note =
                complete(&mut tx, &state, &id, user_id, business, snapshot, completion, tracking_number.as_deref(), now)
                    .await?;
            let handover = Handover::of(&mut tx, delivery.as_ref(), tracking_number.as_deref()).await?;
            case_news(&mut tx, user_id, &id, now, CaseNews::Completed { handover }).await?;
            if business == BusinessCode::Cancellation {
                // The certificate is gone: what else was asked of it ends with it.
                end_cases_on_cancelled(&mut tx, &certificate_id, &id, now, clerk.staff_id, &ip).await?;
            }
            (TimelineEvent::Completed, Event::CaseCompleted, Some(note).filter(|n| !n.is_empty()))
        }
        StaffAction::Refuse { reason } => {
            let reason = checked_reason(Some(&reason), "不予受理")?;
            sqlx::query("UPDATE cases SET status = 'refused' WHERE id = $1").bind(&id).execute(&mut *tx).await?;
            case_news(&mut tx, user_id, &id, now, CaseNews::Refused { reason: &reason }).await?;
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
    // The message just written goes out now rather than at the next interval.
    state.messages.notify_one();
    Ok(Json(detail))
}

/// 退回补正 as it will be stored: the reason trimmed, the names checked, each named once.
async fn checked_correction(
    conn: &mut AnyConnection,
    business: BusinessCode,
    correction: Correction,
) -> AppResult<Correction> {
    let reason = checked_reason(Some(&correction.reason), "退回补正")?;
    let mut fields: Vec<String> = Vec::new();
    for field in correction.fields {
        if correctable_field_label(business, &field).is_none() {
            let labels: Vec<&str> = correctable_fields(business).iter().map(|(_, label)| *label).collect();
            return Err(AppError::bad_field(
                "invalid_field",
                "fields",
                format!("“{field}”不是该业务可退回补正的信息项，请从{}中选择。", labels.join("、")),
            ));
        }
        if !fields.contains(&field) {
            fields.push(field);
        }
    }
    let known: Vec<(String,)> =
        sqlx::query_as("SELECT material_code FROM business_materials WHERE business_code = $1 ORDER BY position")
            .bind(business.as_str())
            .fetch_all(&mut *conn)
            .await?;
    let mut materials: Vec<String> = Vec::new();
    for material in correction.materials {
        if !known.iter().any(|(code,)| *code == material) {
            return Err(AppError::bad_field(
                "invalid_field",
                "materials",
                format!("“{material}”不是该业务的申请材料，请从该业务的材料中选择需要重新上传的。"),
            ));
        }
        if !materials.contains(&material) {
            materials.push(material);
        }
    }
    if fields.is_empty() && materials.is_empty() {
        return Err(AppError::bad_request(
            "correction_empty",
            "请至少选择一项需要补正的信息或材料，申请人只能修改所选的内容。",
        ));
    }
    Ok(Correction { reason, fields, materials })
}

/// A parcel's tracking number as couriers print them: 8–30 letters and digits; only for a
/// certificate the driver asked to be mailed.
fn checked_tracking_number(number: Option<&str>, delivery: Option<&Delivery>) -> AppResult<Option<String>> {
    let Some(number) = number.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if !matches!(delivery, Some(Delivery::Post(_))) {
        return Err(AppError::bad_field(
            "invalid_field",
            "tracking_number",
            "申请人未选择邮寄，无需填写快递单号；请清空快递单号后再办结。",
        ));
    }
    if !(8..=30).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AppError::bad_field(
            "invalid_field",
            "tracking_number",
            "快递单号须为8至30位字母或数字，请核对快递面单后重新填写。",
        ));
    }
    Ok(Some(number.to_owned()))
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
            "证号须为6至32位字母或数字，请核对后重新填写；不换证号请留空。",
        ));
    }
    Ok(Some(number))
}


/// 办结: checks what the business needs, writes the result with its voucher code, and brings
/// the register's certificate up to date: a new number (补发, 换发), a new expiry (换发), the
/// driver's changes (变更), the end of the certificate (注销), the period's credit (考核).
/// Returns the note for the timeline.
///
/// Errors: 400 `invalid_field` with `field` `business` (a completion of another business),
/// `note`, `certificate_number`, `valid_until`, `deductions`, `bonus` or `period`.
#[allow(clippy::too_many_arguments)]
async fn complete(
    conn: &mut AnyConnection,
    state: &AppState,
    case_id: &str,
    user_id: i64,
    business: BusinessCode,
    snapshot: crate::cases::Snapshot,
    completion: Completion,
    tracking_number: Option<&str>,
    now: i64,
) -> AppResult<String> {
    if completion.business() != business {
        return Err(AppError::bad_field(
            "invalid_field",
            "business",
            format!(
                "办结信息是“{}”的，而该办件办理的是“{}”；请刷新页面，按该办件的业务重新填写办结信息。",
                completion.business().short_name(),
                business.short_name()
            ),
        ));
    }
    let note = completion.note().trim().to_owned();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::bad_field("invalid_field", "note", "给申请人的说明最多200个字，请精简后再办结。"));
    }
    let certificate = &snapshot.certificate;
    let details = snapshot.answers.info.as_ref().map(|info| &info.details);
    let mut number = None;
    let mut valid_until = None;
    let mut credit: Option<CreditRecord> = None;
    let mut changes = Vec::new();
    match completion {
        Completion::Reissue { certificate_number, .. } => number = checked_certificate_number(certificate_number)?,
        Completion::Renewal { certificate_number, valid_until: text, .. } => {
            number = checked_certificate_number(certificate_number)?;
            let current_until = register_valid_until(conn, certificate).await?;
            let new_until = Date::parse(text.trim()).ok_or_else(|| {
                AppError::bad_field(
                    "invalid_field",
                    "valid_until",
                    "换发须填写新的有效期至，格式为YYYY-MM-DD，例如2032-11-30。",
                )
            })?;
            if Date::parse(&current_until).is_some_and(|old| new_until <= old) {
                return Err(AppError::bad_field(
                    "invalid_field",
                    "valid_until",
                    format!("新的有效期至须晚于原有效期至{current_until}，请核对后重新填写。"),
                ));
            }
            valid_until = Some(new_until.to_string());
        }
        Completion::Change { .. } => {
            // The driver's changes as submitted (and checked against the certificate then).
            if let Some(BusinessDetails::Change { changes: submitted, .. }) = details {
                changes = submitted.clone();
            }
        }
        Completion::Cancellation { .. } => {}
        Completion::CreditAssessment { deductions, bonus, .. } => {
            if deductions > MAX_DEDUCTIONS {
                return Err(AppError::bad_field(
                    "invalid_field",
                    "deductions",
                    format!("扣分须在0至{MAX_DEDUCTIONS}分之间，请核对考核周期内的扣分合计后重新填写。"),
                ));
            }
            if bonus > CREDIT_MAX_BONUS {
                return Err(AppError::bad_field(
                    "invalid_field",
                    "bonus",
                    format!("加分每个考核周期最多{CREDIT_MAX_BONUS}分，请核对后重新填写。"),
                ));
            }
            let period = match details {
                Some(BusinessDetails::CreditAssessment { period }) if !period.start.is_empty() => period.clone(),
                // Cases from before the per-business forms named no period.
                _ => {
                    return Err(AppError::bad_field(
                        "invalid_field",
                        "period",
                        "该申请未选择考核周期，无法办结；请点击“退回补正”，勾选“考核周期”，请申请人补正。",
                    ))
                }
            };
            let points = CreditThresholds::points(deductions, bonus);
            let grade = state.config.credit_thresholds.grade(points).to_owned();
            credit = Some(CreditRecord { period, points, grade });
        }
    }
    if let Some(number) = &number {
        let (Flag(taken),): (Flag,) =
            sqlx::query_as("SELECT EXISTS (SELECT 1 FROM certificates WHERE number = $1 AND id <> $2)")
                .bind(number)
                .bind(&certificate.id)
                .fetch_one(&mut *conn)
                .await?;
        if taken {
            return Err(AppError::bad_field(
                "invalid_field",
                "certificate_number",
                "该证号已属于另一本从业资格证，请核对后重新填写。",
            ));
        }
    }
    let cancelled = business == BusinessCode::Cancellation;
    let holder_name_masked = vouchers::holder_name_masked(conn, user_id).await?;
    // 变更's old → new is not stored: the new address and phone are personal, and both sides
    // are in the sealed snapshot, from which the result is read (`cases::applied_changes`).
    sqlx::query(
        "INSERT INTO case_results (case_id, completed_at, certificate_number, valid_until, credit_grade, note, voucher_code,
             holder_name_masked, credit_period_start, credit_period_end, credit_points, cancelled, tracking_number)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(case_id)
    .bind(now)
    .bind(number.as_deref().unwrap_or(&certificate.number))
    .bind(&valid_until)
    .bind(credit.as_ref().map(|c| &c.grade))
    .bind(&note)
    .bind(vouchers::new_voucher_code())
    .bind(holder_name_masked)
    .bind(credit.as_ref().map(|c| &c.period.start))
    .bind(credit.as_ref().map(|c| &c.period.end))
    .bind(credit.as_ref().map(|c| i64::from(c.points)))
    .bind(i64::from(cancelled))
    .bind(tracking_number)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE cases SET status = 'completed' WHERE id = $1").bind(case_id).execute(&mut *conn).await?;
    if let Some(number) = &number {
        sqlx::query("UPDATE certificates SET number = $1 WHERE id = $2")
            .bind(number)
            .bind(&certificate.id)
            .execute(&mut *conn)
            .await?;
    }
    if let Some(until) = &valid_until {
        sqlx::query("UPDATE certificates SET valid_until = $1 WHERE id = $2")
            .bind(until)
            .bind(&certificate.id)
            .execute(&mut *conn)
            .await?;
    }
    if !changes.is_empty() {
        certificates::apply_changes(conn, state, &certificate.id, &changes).await?;
    }
    if let Some(record) = &credit {
        // The certificate shows its latest assessment: an older period completed late is in
        // its own case's result and voucher, but does not replace a newer grade.
        let (recorded_end,): (Option<String>,) =
            sqlx::query_as("SELECT credit_period_end FROM certificates WHERE id = $1")
                .bind(&certificate.id)
                .fetch_optional(&mut *conn)
                .await?
                .unwrap_or((None,));
        if recorded_end.is_none_or(|end| end <= record.period.end) {
            certificates::record_credit(conn, &certificate.id, record).await?;
        }
    }
    if cancelled {
        sqlx::query("UPDATE certificates SET status = 'cancelled' WHERE id = $1")
            .bind(&certificate.id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(note)
}
