//! What the console counts and exports: the cases waiting in each queue, the cases of a filter
//! as a CSV file for the office's records, and each staff member's decisions in a period.
//! Nothing here shows an ID number or a phone number; every staff role may read it.

use axum::{
    extract::{rejection::QueryRejection, Query, State},
    http::header,
    response::{IntoResponse, Response},
    Json,
};
use taxicert_api::{CaseQueueCounts, CaseQueueFilter, ClerkWork, ErrorBody, ReportPeriod};

use super::{
    cases::{case_queue, filter_day, queue_filter, RESUBMITTED},
    session::StaffUser,
};
use crate::{
    audit::{self, Entry, Event},
    auth::ClientIp,
    error::{AppError, AppResult},
    workdays::Date,
    AppState,
};

/// How many cases wait in each queue now: 待受理, 待办结, of those the resubmitted and the
/// overdue (past the due date they wait on, Beijing's today), and 待补正.
#[utoipa::path(
    get,
    path = "/staff/case-counts",
    tag = "staff",
    operation_id = "staff_case_counts",
    responses(
        (status = 200, description = "The counts", body = CaseQueueCounts),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`", body = ErrorBody),
    )
)]
pub async fn staff_case_counts(State(state): State<AppState>, _staff: StaffUser) -> AppResult<Json<CaseQueueCounts>> {
    let today = Date::beijing_today(state.clock.now()).to_string();
    let (submitted, accepted, resubmitted, overdue, returned): (i64, i64, i64, i64, i64) = sqlx::query_as(&format!(
        "SELECT {}, {}, {}, {}, {} FROM cases c",
        count_where("c.status = 'submitted'"),
        count_where("c.status = 'accepted'"),
        count_where(RESUBMITTED),
        count_where("((c.status = 'submitted' AND c.accept_by < $1) OR (c.status = 'accepted' AND c.decide_by < $1))"),
        count_where("c.status = 'returned'"),
    ))
    .bind(&today)
    .fetch_one(&state.db)
    .await?;
    let n = |count: i64| u32::try_from(count).unwrap_or(u32::MAX);
    Ok(Json(CaseQueueCounts {
        submitted: n(submitted),
        accepted: n(accepted),
        resubmitted: n(resubmitted),
        overdue: n(overdue),
        returned: n(returned),
    }))
}

/// SQL: how many rows (of the group) meet `condition`, as a BIGINT on either database —
/// COALESCE because SUM over no rows is NULL, CAST because PostgreSQL's SUM of integers is
/// NUMERIC, which the Any driver cannot read as a number.
fn count_where(condition: &str) -> String {
    format!("CAST(COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0) AS BIGINT)")
}

/// The header row of the export, in the order of [`csv_row`].
const CSV_HEADER: [&str; 9] = ["办件编号", "业务", "状态", "申请人", "证号", "提交时间", "受理时限", "办结时限", "已补正"];

/// The cases of a filter (as `GET /staff/cases`, without a search) as a CSV file, UTF-8 with a
/// byte-order mark so that Excel reads the Chinese: the masked name, never an ID or phone
/// number. A search `q` is refused: it would put a phone or ID number in the link. Audited.
#[utoipa::path(
    get,
    path = "/staff/reports/cases.csv",
    tag = "staff",
    operation_id = "staff_cases_export",
    params(
        ("status" = Option<taxicert_api::CaseStatus>, Query, description = "As `GET /staff/cases`"),
        ("business" = Option<taxicert_api::BusinessCode>, Query, description = "As `GET /staff/cases`"),
        ("scope" = Option<String>, Query, pattern = "^(waiting|all)$", description = "As `GET /staff/cases`; `waiting` by default"),
        ("from" = Option<String>, Query, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description = "Submitted on or after this day (Beijing)"),
        ("to" = Option<String>, Query, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description = "Submitted on or before this day (Beijing)"),
        ("hall" = Option<String>, Query, max_length = 64, description = "Collected (自取) at this service hall, by its id"),
    ),
    responses(
        (status = 200, description = "The CSV file, one line per case", content_type = "text/csv"),
        (status = 400, description = "`invalid_filter`, also for a search `q`", body = ErrorBody),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`", body = ErrorBody),
    )
)]
pub async fn staff_cases_export(
    State(state): State<AppState>,
    staff: StaffUser,
    ClientIp(ip): ClientIp,
    filter: Result<Query<CaseQueueFilter>, QueryRejection>,
) -> AppResult<Response> {
    // Every case of the filters, not a page of them.
    let filter = CaseQueueFilter { limit: Some(u32::MAX), offset: None, ..queue_filter(filter)? };
    if filter.q.is_some() {
        return Err(AppError::bad_request(
            "invalid_filter",
            "导出不能按查找内容筛选，请清除查找后按状态、业务或提交日期导出。",
        ));
    }
    let cases = case_queue(&state, &filter).await?;
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let written: csv::Result<()> = (|| {
        writer.write_record(CSV_HEADER)?;
        for case in &cases {
            writer.write_record(csv_row(case))?;
        }
        writer.flush()?;
        Ok(())
    })();
    written.map_err(|e| AppError::Internal(format!("the CSV export could not be written: {e}")))?;
    let body = writer.into_inner().map_err(|e| AppError::Internal(format!("the CSV export: {e}")))?;
    let now = state.clock.now();
    audit::record(
        &state.db,
        now,
        Entry {
            event: Event::CasesExported,
            outcome: "ok",
            user_id: None,
            phone_masked: None,
            client_ip: &ip,
            staff_id: Some(staff.staff_id),
            subject: None,
        },
    )
    .await?;
    let (y, m, d) = Date::beijing_today(now).ymd();
    let disposition = format!(
        "attachment; filename=\"cases-{y:04}{m:02}{d:02}.csv\"; filename*=UTF-8''%E5%8A%9E%E4%BB%B6-{y:04}{m:02}{d:02}.csv"
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// One case as a line of the export, in the order of [`CSV_HEADER`].
fn csv_row(case: &taxicert_api::StaffCaseSummary) -> [String; 9] {
    let summary = &case.summary;
    [
        summary.id.clone(),
        summary.business_name.clone(),
        summary.status.name().to_owned(),
        case.applicant_name_masked.clone(),
        case.certificate_number.clone(),
        beijing_minute(summary.submitted_at),
        summary.accept_by.clone(),
        summary.decide_by.clone(),
        if case.resubmitted { "是" } else { "" }.to_owned(),
    ]
}

/// `YYYY-MM-DD HH:MM` in Beijing time.
fn beijing_minute(unix_seconds: i64) -> String {
    let (hour, minute) = Date::beijing_clock(unix_seconds);
    format!("{} {hour:02}:{minute:02}", Date::beijing_today(unix_seconds))
}

/// Each staff member's decisions in a period (Beijing days, both included): 受理, 退回补正,
/// 办结 and 不予受理 counted from the cases' timelines, and the average time from submission
/// to his 办结 or 不予受理. Only those who decided something are listed, by username.
#[utoipa::path(
    get,
    path = "/staff/reports/clerks",
    tag = "staff",
    operation_id = "staff_clerk_report",
    params(
        ("from" = String, Query, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description = "The first day (Beijing)"),
        ("to" = String, Query, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description = "The last day (Beijing), not before `from`"),
    ),
    responses(
        (status = 200, description = "One line per staff member who acted in the period", body = [ClerkWork]),
        (status = 400, description = "`invalid_filter`: a missing day, a day that is no date, or `to` before `from`", body = ErrorBody),
        (status = 401, description = "`staff_unauthenticated`", body = ErrorBody),
        (status = 403, description = "`staff_only`", body = ErrorBody),
    )
)]
pub async fn staff_clerk_report(
    State(state): State<AppState>,
    _staff: StaffUser,
    period: Result<Query<ReportPeriod>, QueryRejection>,
) -> AppResult<Json<Vec<ClerkWork>>> {
    let Ok(Query(period)) = period else {
        return Err(AppError::bad_request("invalid_filter", "请选择统计的起始日期和截止日期。"));
    };
    let (Some(from), Some(to)) =
        (filter_day(Some(period.from.as_str()), "起始日期")?, filter_day(Some(period.to.as_str()), "截止日期")?)
    else {
        return Err(AppError::bad_request("invalid_filter", "请选择统计的起始日期和截止日期。"));
    };
    if to < from {
        return Err(AppError::bad_request("invalid_filter", "截止日期早于起始日期，请重新选择统计期间。"));
    }
    let count = |event: &str| count_where(&format!("e.event = '{event}'"));
    let rows: Vec<(String, String, i64, i64, i64, i64, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT s.username, s.display_name, {}, {}, {}, {},
                CAST(AVG(CASE WHEN e.event IN ('completed', 'refused') THEN e.at - c.submitted_at END) AS BIGINT)
           FROM case_events e JOIN staff s ON s.id = e.staff_id JOIN cases c ON c.id = e.case_id
          WHERE e.at >= $1 AND e.at < $2 AND e.event IN ('accepted', 'returned', 'completed', 'refused')
          GROUP BY s.id, s.username, s.display_name
          ORDER BY s.username",
        count("accepted"),
        count("returned"),
        count("completed"),
        count("refused"),
    ))
    .bind(from.beijing_midnight())
    .bind(to.add_days(1).beijing_midnight())
    .fetch_all(&state.db)
    .await?;
    let n = |count: i64| u32::try_from(count).unwrap_or(u32::MAX);
    Ok(Json(
        rows.into_iter()
            .map(|(username, display_name, accepted, returned, completed, refused, seconds)| ClerkWork {
                username,
                display_name,
                accepted: n(accepted),
                returned: n(returned),
                completed: n(completed),
                refused: n(refused),
                average_decision_minutes: seconds.map(|s| (s + 30) / 60),
            })
            .collect(),
    ))
}
