//! Submitting a draft as a case (办件), and the user's list of cases.
//!
//! The submission re-checks every answer (a certificate may have been suspended, a photo
//! deleted since the step was saved), then, in one transaction, numbers the case, keeps a
//! sealed snapshot of the answers, ties the photos to it so that they can no longer be deleted,
//! drops the draft and writes the audit entry. An `Idempotency-Key` makes a retry, or twenty
//! taps at once, return the one case.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use taxicert_api::{BusinessCode, CaseStatus, CaseSummary, Certificate, DraftStep, ErrorBody, Submission};

use crate::{
    audit::{self, Entry, Event},
    auth::ClientIp,
    drafts::{self, check_certificate, check_info, check_materials, missing, Answers},
    error::{AppError, AppResult, Body},
    realname::VerifiedUser,
    uploads::idempotency_key,
    workdays::{add_working_days, Date, WeekendsOnly},
    AppState,
};

/// Working days to accept a case after submission, and to decide it after acceptance, as the
/// notices promise.
const ACCEPT_WITHIN: u32 = 2;
const DECIDE_WITHIN: u32 = 3;

/// What a case was submitted with, sealed: the answers and the certificate as it stood.
#[derive(Serialize)]
struct Snapshot<'a> {
    answers: &'a Answers,
    certificate: Certificate,
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: String,
    business_code: String,
    business_name: String,
    status: String,
    submitted_at: i64,
    accept_by: String,
    decide_by: String,
    due_dates_estimated: bool,
    changed: bool,
}

impl CaseRow {
    fn into_api(self) -> AppResult<CaseSummary> {
        let business = BusinessCode::parse(&self.business_code)
            .ok_or_else(|| AppError::Internal(format!("case {}: unknown business in the database", self.id)))?;
        let status = match self.status.as_str() {
            "submitted" => CaseStatus::Submitted,
            "accepted" => CaseStatus::Accepted,
            "returned" => CaseStatus::Returned,
            "completed" => CaseStatus::Completed,
            "refused" => CaseStatus::Refused,
            "withdrawn" => CaseStatus::Withdrawn,
            other => return Err(AppError::Internal(format!("case {}: unknown status {other:?}", self.id))),
        };
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

const CASE_COLUMNS: &str = "c.id, c.business_code, b.name AS business_name, c.status, c.submitted_at, c.accept_by,
    c.decide_by, c.due_dates_estimated, c.status_changed_at > c.seen_at AS changed FROM cases c JOIN businesses b ON b.code = c.business_code";

/// The last days to accept and to decide a case submitted on `submitted`, and whether they
/// were counted without an official calendar. Only weekends are known so far.
pub fn due_dates(submitted: Date) -> (Date, Date, bool) {
    let (accept_by, estimated_accept) = add_working_days(&WeekendsOnly, submitted, ACCEPT_WITHIN);
    let (decide_by, estimated_decide) = add_working_days(&WeekendsOnly, accept_by, DECIDE_WITHIN);
    (accept_by, decide_by, estimated_accept || estimated_decide)
}

/// Submits the saved draft of a business.
#[utoipa::path(
    post,
    path = "/cases",
    tag = "cases",
    operation_id = "submit_case",
    params(("Idempotency-Key" = String, Header, description = "Chosen by the client for this submission (8–100 visible characters). Sent again, it returns the case it made.")),
    request_body = Submission,
    responses(
        (status = 201, description = "Submitted: the new case", body = CaseSummary),
        (status = 200, description = "The same Idempotency-Key was sent before: the case it made", body = CaseSummary),
        (status = 400, description = "`idempotency_key_missing`, `invalid_body`, or an answer that no longer passes its step's check (`certificate_not_found`, `certificate_unavailable`, `invalid_field`, `upload_not_found`, `materials_missing`, …, with `field`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`realname_required` or `csrf`", body = ErrorBody),
        (status = 409, description = "`no_draft`; `draft_changed`: the draft was saved again after the user checked it; `step_missing` with the step's message", body = ErrorBody),
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
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    let first: Option<CaseRow> = sqlx::query_as(&format!("SELECT {CASE_COLUMNS} WHERE c.user_id = ? AND c.idempotency_key = ?"))
        .bind(id)
        .bind(&key)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(first) = first {
        return Ok((StatusCode::OK, Json(first.into_api()?)).into_response());
    }

    let draft = drafts::load(&mut tx, &state, id, business).await?.ok_or_else(|| {
        AppError::conflict("no_draft", "没有找到这项业务的草稿,请从业务须知开始办理;已提交的申请请在“我的办件”中查看。")
    })?;
    if draft.revision != submission.revision {
        return Err(AppError::conflict("draft_changed", "申请内容已在其他页面修改,请返回核对信息页重新核对后再提交。"));
    }
    if let Some(step) = DraftStep::ALL.into_iter().find(|s| !draft.done.contains(s)) {
        return Err(missing("step_missing", step));
    }
    let answers = &draft.answers;
    let certificate_id = answers.certificate_id.as_deref().ok_or_else(|| missing("step_missing", DraftStep::Certificate))?;
    let certificate = check_certificate(&mut tx, &state, id, business, certificate_id, today).await?;
    let info = answers.info.clone().ok_or_else(|| missing("step_missing", DraftStep::PersonalInfo))?;
    check_info(&mut tx, info).await?;
    check_materials(&mut tx, id, business, &answers.uploads).await?;

    let prefix = format!("TC{}", today.to_string().replace('-', ""));
    let (last,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(MAX(CAST(substr(id, 11) AS INTEGER)), 0) FROM cases WHERE id LIKE ? || '%'",
    )
    .bind(&prefix)
    .fetch_one(&mut *tx)
    .await?;
    let case_id = format!("{prefix}{:06}", last + 1);
    let (accept_by, decide_by, estimated) = due_dates(today);
    let window = state.config.renewal_window_days;
    let snapshot = Snapshot { answers, certificate: certificate.to_api(business, today, window) };
    let sealed = state.vault.seal(
        &serde_json::to_vec(&snapshot).map_err(|e| AppError::Internal(e.to_string()))?,
        &format!("case:{id}:{case_id}"),
    );
    sqlx::query(
        "INSERT INTO cases (id, user_id, idempotency_key, business_code, status, answers, submitted_at, accept_by, decide_by,
             due_dates_estimated, status_changed_at, seen_at) VALUES (?, ?, ?, ?, 'submitted', ?, ?, ?, ?, ?, ?6, ?6)",
    )
    .bind(&case_id)
    .bind(id)
    .bind(&key)
    .bind(business.as_str())
    .bind(sealed)
    .bind(now)
    .bind(accept_by.to_string())
    .bind(decide_by.to_string())
    .bind(estimated)
    .execute(&mut *tx)
    .await?;
    for (material, upload_id) in &answers.uploads {
        sqlx::query("INSERT INTO case_uploads (case_id, material_code, upload_id) VALUES (?, ?, ?)")
            .bind(&case_id)
            .bind(material)
            .bind(upload_id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM drafts WHERE user_id = ? AND business_code = ?").bind(id).bind(business.as_str()).execute(&mut *tx).await?;
    audit::record(
        &mut *tx,
        now,
        Entry { event: Event::CaseSubmitted, outcome: "ok", user_id: Some(id), phone_masked: None, client_ip: &ip, staff_id: None, subject: None },
    )
    .await?;
    let case: CaseRow =
        sqlx::query_as(&format!("SELECT {CASE_COLUMNS} WHERE c.id = ?")).bind(&case_id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(case.into_api()?)).into_response())
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
        sqlx::query_as(&format!("SELECT {CASE_COLUMNS} WHERE c.user_id = ? ORDER BY c.submitted_at DESC, c.id DESC"))
            .bind(user.user_id)
            .fetch_all(&state.db)
            .await?;
    Ok(Json(rows.into_iter().map(CaseRow::into_api).collect::<AppResult<_>>()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_friday_submission_is_accepted_by_tuesday_and_decided_by_friday() {
        let (accept_by, decide_by, estimated) = due_dates(Date::parse("2026-11-27").unwrap());
        assert_eq!((accept_by.to_string(), decide_by.to_string()), ("2026-12-01".into(), "2026-12-04".into()));
        assert!(estimated, "no holiday calendar yet");
    }
}
