//! Messages to the driver (消息): when a clerk moves his case, the day before the last day to
//! correct a returned case and when that day has passed, and before his certificate's 换发 is
//! due. Each is kept for the driver's 消息 list and sent by SMS.
//!
//! A transactional outbox: the message row and its delivery row are written in the transaction
//! that changes the case (or by a job under the write lock, with a unique key per message), so
//! that a crash neither loses nor doubles one. Every replica runs [`spawn_schedule`]: every
//! `message_interval_seconds`, and at once when nudged after a clerk's action, it closes the
//! overdue corrections, writes the reminders due and sends what is due. A delivery is claimed
//! for [`LEASE_SECONDS`] by one `UPDATE … RETURNING` (no other replica takes it meanwhile; a
//! replica that stops mid-way leaves it to the next after the lease), sent, and marked sent. A
//! gateway failure is tried again after [`FIRST_RETRY_SECONDS`], doubling up to
//! [`MAX_RETRY_SECONDS`], [`MAX_ATTEMPTS`] times in all; then the delivery is marked failed and
//! audited (`message_failed`). The gateway gets the same `Idempotency-Key` on every attempt.
//!
//! Two channels, each a row of `message_deliveries`: `sms` always, and `wechat` — a 公众号
//! 模板消息 — when the driver has bound WeChat (written then; sent when the template of its
//! kind is configured, else closed as not sent). A driver who does not follow the 公众号 or
//! refused its messages gets none, and no retries: his SMS goes all the same.

use std::time::Duration;

use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};
use sqlx::AnyConnection;
use taxicert_api::{
    domain::PhoneNumber, Delivery, ErrorBody, MarkRead, Message, MessageKind, Settings, TimelineEvent, UnreadCount,
};

use crate::{
    audit::{self, Entry, Event},
    auth::CurrentUser,
    cases::record_event,
    crypto::random_hex,
    db::Flag,
    error::{AppError, AppResult, Body},
    vouchers::holder_name_masked,
    workdays::Date,
    AppState,
};

const CHANNEL_SMS: &str = "sms";
const CHANNEL_WECHAT: &str = "wechat";
/// Seconds a replica holds a delivery it is sending.
pub const LEASE_SECONDS: i64 = 120;
/// Attempts at one delivery before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// The wait after the first failure; it doubles after each further one…
pub const FIRST_RETRY_SECONDS: i64 = 60;
/// …up to this.
pub const MAX_RETRY_SECONDS: i64 = 3600;
/// Deliveries claimed at a time.
const BATCH: i64 = 20;
/// The messages the 消息 list shows at most, the newest.
const LIST_LIMIT: i64 = 100;

/// The wait before attempt `attempts + 1` after `attempts` failed ones (from 1).
pub fn retry_after(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    (FIRST_RETRY_SECONDS << doublings).min(MAX_RETRY_SECONDS)
}

/// What happened to a case, for its message.
pub enum CaseNews<'a> {
    /// 受理: decided by `decide_by` (`YYYY-MM-DD`).
    Accepted { decide_by: &'a str },
    /// 退回补正 with the clerk's reason, to be corrected by `correct_by`.
    Returned { reason: &'a str, correct_by: &'a str },
    /// The day before `correct_by`.
    ReturnDueTomorrow { correct_by: &'a str },
    /// `correct_by` passed without a correction.
    ClosedOverdue { correct_by: &'a str },
    /// 办结, and how the driver gets what it produced.
    Completed { handover: Handover },
    /// 不予受理 (or ended because the certificate was cancelled), with the reason.
    Refused { reason: &'a str },
}

/// How the driver gets the certificate of a finished 补发 or 换发.
pub enum Handover {
    /// Collected at the hall: its name and opening hours.
    Pickup { hall: String, hours: String },
    /// Mailed, with the parcel's tracking number when the clerk gave it.
    Post { tracking_number: Option<String> },
    /// Nothing to collect (变更, 注销, 考核).
    Nothing,
}

impl Handover {
    /// How the certificate of a case delivered as `delivery` reaches the driver.
    pub async fn of(conn: &mut AnyConnection, delivery: Option<&Delivery>, tracking_number: Option<&str>) -> AppResult<Handover> {
        Ok(match delivery {
            Some(Delivery::Pickup { hall_id }) => {
                let hall: Option<(String, String)> = sqlx::query_as("SELECT name, hours FROM service_halls WHERE id = $1")
                    .bind(hall_id)
                    .fetch_optional(&mut *conn)
                    .await?;
                hall.map_or(Handover::Nothing, |(hall, hours)| Handover::Pickup { hall, hours })
            }
            Some(Delivery::Post(_)) => Handover::Post { tracking_number: tracking_number.map(str::to_owned) },
            None => Handover::Nothing,
        })
    }
}

/// One message as written: its SMS template and parameters, and its text in the 消息 list.
struct NewMessage {
    kind: MessageKind,
    template: &'static str,
    params: Value,
    title: String,
    body: String,
    case_id: Option<String>,
    certificate_id: Option<String>,
    /// Unique: the same message is written once however often a job finds it due.
    dedup_key: String,
}

/// Writes `message` for `user_id` with its SMS delivery, inside the caller's transaction;
/// `false` when a message of the same key was written before.
async fn enqueue(conn: &mut AnyConnection, user_id: i64, now: i64, message: NewMessage) -> AppResult<bool> {
    let inserted: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO messages (user_id, dedup_key, kind, template, params, title, body, case_id, certificate_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
    )
    .bind(user_id)
    .bind(&message.dedup_key)
    .bind(message.kind.as_str())
    .bind(message.template)
    .bind(message.params.to_string())
    .bind(&message.title)
    .bind(&message.body)
    .bind(&message.case_id)
    .bind(&message.certificate_id)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id,)) = inserted else {
        return Ok(false);
    };
    sqlx::query("INSERT INTO message_deliveries (message_id, channel, next_attempt_at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(CHANNEL_SMS)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO message_deliveries (message_id, channel, next_attempt_at)
         SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM wechat_accounts WHERE user_id = $4)",
    )
    .bind(id)
    .bind(CHANNEL_WECHAT)
    .bind(now)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Writes the message of `news` about `case_id` to its driver, inside the transaction that
/// made the news. The SMS names the driver by his masked name (`王*国`) and the case by its
/// number; the clerk's reason is in the 消息 list only.
pub async fn case_news(conn: &mut AnyConnection, user_id: i64, case_id: &str, now: i64, news: CaseNews<'_>) -> AppResult<()> {
    let name = holder_name_masked(conn, user_id).await?;
    let case = case_id;
    let due_day = match news {
        CaseNews::ReturnDueTomorrow { correct_by } | CaseNews::ClosedOverdue { correct_by } => Some(correct_by),
        _ => None,
    };
    let (kind, template, params, title, body) = match news {
        CaseNews::Accepted { decide_by } => (
            MessageKind::CaseAccepted,
            "taxicert_case_accepted",
            json!({ "name": name, "case_number": case, "decide_by": decide_by }),
            "办件已受理".to_owned(),
            format!("您的办件{case}已受理，预计在{decide_by}前办结。"),
        ),
        CaseNews::Returned { reason, correct_by } => (
            MessageKind::CaseReturned,
            "taxicert_case_returned",
            json!({ "name": name, "case_number": case, "correct_by": correct_by }),
            "办件已退回补正".to_owned(),
            format!(
                "您的办件{case}需要补正：{reason}。请在{correct_by}前（含当日）打开办件点击“补正”提交，逾期未补正的办件将终止办理。"
            ),
        ),
        CaseNews::ReturnDueTomorrow { correct_by } => (
            MessageKind::CaseReturnDueTomorrow,
            "taxicert_case_return_due_tomorrow",
            json!({ "name": name, "case_number": case, "correct_by": correct_by }),
            "明天是补正的最后一天".to_owned(),
            format!("您的办件{case}须在{correct_by}前（含当日）补正，逾期未补正的办件将终止办理。请打开办件点击“补正”提交。"),
        ),
        CaseNews::ClosedOverdue { correct_by } => (
            MessageKind::CaseClosedOverdue,
            "taxicert_case_closed_overdue",
            json!({ "name": name, "case_number": case }),
            "办件逾期未补正，已终止".to_owned(),
            format!("您的办件{case}补正期限为{correct_by}，期满未补正，已终止办理。如仍需办理，请重新申请。"),
        ),
        CaseNews::Completed { handover: Handover::Pickup { hall, hours } } => (
            MessageKind::CaseCompleted,
            "taxicert_case_completed_pickup",
            json!({ "name": name, "case_number": case, "hall": hall, "hours": hours }),
            "办件已办结，请领取证件".to_owned(),
            format!("您的办件{case}已办结。请携带身份证到{hall}领取证件，办公时间：{hours}。"),
        ),
        CaseNews::Completed { handover: Handover::Post { tracking_number: Some(number) } } => (
            MessageKind::CaseCompleted,
            "taxicert_case_completed_post",
            json!({ "name": name, "case_number": case, "tracking_number": number }),
            "办件已办结，证件已邮寄".to_owned(),
            format!("您的办件{case}已办结，证件已邮寄，快递单号{number}。"),
        ),
        CaseNews::Completed { handover } => (
            MessageKind::CaseCompleted,
            "taxicert_case_completed",
            json!({ "name": name, "case_number": case }),
            "办件已办结".to_owned(),
            if matches!(handover, Handover::Post { .. }) {
                format!("您的办件{case}已办结，证件将邮寄到您填写的地址。")
            } else {
                format!("您的办件{case}已办结，可在办件详情中查看结果和下载办结凭证。")
            },
        ),
        CaseNews::Refused { reason } => (
            MessageKind::CaseRefused,
            "taxicert_case_refused",
            json!({ "name": name, "case_number": case }),
            "办件不予受理".to_owned(),
            format!("您的办件{case}不予受理：{reason}。"),
        ),
    };
    // Unique per change: a case can be returned, corrected and returned again, each at its own
    // time; the jobs' messages are once per last day to correct.
    let dedup_key = match due_day {
        Some(day) => format!("{}:{case}:{day}", kind.as_str()),
        None => format!("{}:{case}:{now}", kind.as_str()),
    };
    let message =
        NewMessage { kind, template, params, title, body, case_id: Some(case.to_owned()), certificate_id: None, dedup_key };
    enqueue(conn, user_id, now, message).await?;
    Ok(())
}

// ---------------------------------------------------------------- the schedule

/// The jobs, then the sending; a failure is logged and waits for the next run.
pub async fn run(state: &AppState, replica: &str) {
    if let Err(e) = close_overdue(state).await {
        tracing::warn!(error = %e, "closing overdue corrections stopped; it runs again at the next interval");
    }
    if let Err(e) = remind_corrections(state).await {
        tracing::warn!(error = %e, "the correction reminders stopped; they run again at the next interval");
    }
    if let Err(e) = remind_renewals(state).await {
        tracing::warn!(error = %e, "the renewal reminders stopped; they run again at the next interval");
    }
    if let Err(e) = dispatch(state, replica).await {
        tracing::warn!(error = %e, "sending messages stopped; it runs again at the next interval");
    }
}

/// Runs [`run`] every `message_interval_seconds` and whenever `state.messages` is nudged.
pub fn spawn_schedule(state: AppState) -> tokio::task::JoinHandle<()> {
    // Names this replica's leases: only for telling them apart, never shown.
    let replica = random_hex(8);
    tokio::spawn(async move {
        let period = Duration::from_secs(u64::from(state.config.message_interval_seconds));
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                () = state.messages.notified() => {}
            }
            run(&state, &replica).await;
        }
    })
}

/// A delivery claimed for sending.
#[derive(sqlx::FromRow)]
struct Claimed {
    id: i64,
    attempts: i64,
}

/// Sends the deliveries due, a batch at a time: claimed, sent, marked. Answers how many went out.
pub async fn dispatch(state: &AppState, replica: &str) -> AppResult<usize> {
    let mut sent = 0;
    loop {
        let now = state.clock.now();
        // One statement claims: a row another replica holds (or has just sent) no longer
        // matches, on PostgreSQL too, which re-reads a row it had to wait for.
        let claimed: Vec<Claimed> = sqlx::query_as(
            "UPDATE message_deliveries SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1
              WHERE id IN (SELECT id FROM message_deliveries
                            WHERE status = 'pending' AND next_attempt_at <= $3 AND claimed_until <= $3
                            ORDER BY id LIMIT $4)
                AND status = 'pending' AND claimed_until <= $3
             RETURNING id, attempts",
        )
        .bind(replica)
        .bind(now + LEASE_SECONDS)
        .bind(now)
        .bind(BATCH)
        .fetch_all(&state.db)
        .await?;
        if claimed.is_empty() {
            return Ok(sent);
        }
        for delivery in claimed {
            if send_one(state, replica, &delivery).await? {
                sent += 1;
            }
        }
    }
}

/// What a claimed delivery is: its channel and its message.
#[derive(sqlx::FromRow)]
struct Outgoing {
    channel: String,
    message_id: i64,
    user_id: i64,
    kind: String,
    template: String,
    params: String,
    title: String,
    case_id: Option<String>,
    created_at: i64,
    phone: String,
}

/// How one attempt went.
enum Attempt {
    Sent,
    /// Tried again later (up to [`MAX_ATTEMPTS`]).
    Failed(String),
    /// Never to be sent (no template configured, WeChat unbound, not followed): closed as
    /// failed at once, without retries or an audit entry.
    Dropped(String),
}

/// Sends one claimed delivery and records the outcome; `true` when the gateway took it.
async fn send_one(state: &AppState, replica: &str, delivery: &Claimed) -> AppResult<bool> {
    let outgoing: Outgoing = sqlx::query_as(
        "SELECT d.channel, m.id AS message_id, m.user_id, m.kind, m.template, m.params, m.title, m.case_id, m.created_at,
                u.phone
           FROM message_deliveries d JOIN messages m ON m.id = d.message_id JOIN users u ON u.id = m.user_id
          WHERE d.id = $1",
    )
    .bind(delivery.id)
    .fetch_one(&state.db)
    .await?;
    let message_id = outgoing.message_id;
    let params: Value =
        serde_json::from_str(&outgoing.params).map_err(|e| AppError::Internal(format!("message {message_id}: {e}")))?;
    let attempt = if outgoing.channel == CHANNEL_WECHAT {
        send_wechat(state, &outgoing, &params).await?
    } else {
        let sms = crate::sms::Sms {
            template: outgoing.template.clone(),
            params,
            idempotency_key: Some(format!("taxicert-message-{message_id}")),
        };
        match PhoneNumber::parse(&outgoing.phone) {
            Ok(phone) => match state.sms.send(&phone, &sms, state.clock.now()).await {
                Ok(()) => Attempt::Sent,
                Err(e) => Attempt::Failed(e.to_string()),
            },
            Err(_) => Attempt::Failed("the stored phone number does not parse".to_owned()),
        }
    };
    let now = state.clock.now();
    let (channel, template) = (outgoing.channel.as_str(), outgoing.template.as_str());
    match attempt {
        Attempt::Sent => {
            sqlx::query(
                "UPDATE message_deliveries SET status = 'sent', sent_at = $1, claimed_until = 0, last_error = NULL
                  WHERE id = $2 AND claimed_by = $3",
            )
            .bind(now)
            .bind(delivery.id)
            .bind(replica)
            .execute(&state.db)
            .await?;
            Ok(true)
        }
        Attempt::Dropped(why) => {
            sqlx::query(
                "UPDATE message_deliveries SET status = 'failed', claimed_until = 0, last_error = $1 WHERE id = $2 AND claimed_by = $3",
            )
            .bind(&why)
            .bind(delivery.id)
            .bind(replica)
            .execute(&state.db)
            .await?;
            tracing::info!(message = message_id, channel, template, %why, "a message is not sent on this channel");
            Ok(false)
        }
        Attempt::Failed(error) if delivery.attempts >= MAX_ATTEMPTS => {
            let mut tx = state.db.begin().await?;
            sqlx::query(
                "UPDATE message_deliveries SET status = 'failed', claimed_until = 0, last_error = $1 WHERE id = $2 AND claimed_by = $3",
            )
            .bind(&error)
            .bind(delivery.id)
            .bind(replica)
            .execute(&mut *tx)
            .await?;
            let subject = format!("message:{message_id}");
            let entry = Entry {
                event: Event::MessageFailed,
                outcome: if channel == CHANNEL_WECHAT { "wechat" } else { "gateway" },
                user_id: Some(outgoing.user_id),
                phone_masked: None,
                client_ip: "",
                staff_id: None,
                subject: Some(&subject),
            };
            audit::record(&mut *tx, now, entry).await?;
            tx.commit().await?;
            tracing::error!(message = message_id, channel, template, attempts = delivery.attempts, %error,
                "a message could not be sent and is given up; the driver still sees it in 消息");
            Ok(false)
        }
        Attempt::Failed(error) => {
            let wait = retry_after(delivery.attempts);
            sqlx::query(
                "UPDATE message_deliveries SET next_attempt_at = $1, claimed_until = 0, last_error = $2
                  WHERE id = $3 AND claimed_by = $4",
            )
            .bind(now + wait)
            .bind(&error)
            .bind(delivery.id)
            .bind(replica)
            .execute(&state.db)
            .await?;
            tracing::warn!(message = message_id, channel, template, attempts = delivery.attempts, retry_in_seconds = wait, %error,
                "a message was not sent; it is tried again");
            Ok(false)
        }
    }
}

/// The word of a 模板消息's status keyword (`phrase`: 5 characters at most).
fn status_phrase(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::CaseAccepted => "已受理",
        MessageKind::CaseReturned => "待补正",
        MessageKind::CaseReturnDueTomorrow => "补正将到期",
        MessageKind::CaseClosedOverdue => "已终止",
        MessageKind::CaseCompleted => "已办结",
        MessageKind::CaseRefused => "不予受理",
        MessageKind::RenewalReminder => "待换发",
    }
}

/// `text` cut to WeChat's `thing` keyword limit (20 characters), with … when cut.
fn thing(text: &str) -> String {
    if text.chars().count() <= 20 {
        text.to_owned()
    } else {
        text.chars().take(19).chain(['…']).collect()
    }
}

/// The 模板消息 of a message: `wechat_template_case` for the news of a case (keywords
/// `character_string1` 办件编号, `phrase2` 办理状态, `time3` 时间, `thing4` 说明) and
/// `wechat_template_renewal` for a reminder (`thing1` 事项, `phrase2` 状态, `time3` 有效期至,
/// `thing4` 说明); the same masked, minimal content as the SMS. Linking to the case, or to
/// 换发, when `public_url` is set.
async fn send_wechat(state: &AppState, outgoing: &Outgoing, params: &Value) -> AppResult<Attempt> {
    let config = &state.config;
    let kind = MessageKind::parse(&outgoing.kind)
        .ok_or_else(|| AppError::Internal(format!("message {}: unknown kind {}", outgoing.message_id, outgoing.kind)))?;
    let renewal = kind == MessageKind::RenewalReminder;
    let template = if renewal { &config.wechat_template_renewal } else { &config.wechat_template_case };
    let Some(template) = template.as_deref().filter(|_| config.wechat().is_some()) else {
        return Ok(Attempt::Dropped("no WeChat template is configured for it".into()));
    };
    let Some(openid) = crate::wechat::openid_of(state, outgoing.user_id).await? else {
        return Ok(Attempt::Dropped("the driver has unbound WeChat".into()));
    };
    let text = |key: &str| params[key].as_str().unwrap_or_default().to_owned();
    let when = crate::vouchers::beijing_time(outgoing.created_at);
    let data = if renewal {
        json!({
            "thing1": { "value": "从业资格证换发" },
            "phrase2": { "value": status_phrase(kind) },
            "time3": { "value": crate::vouchers::chinese_date(&text("valid_until")) },
            "thing4": { "value": thing(&outgoing.title) },
        })
    } else {
        json!({
            "character_string1": { "value": text("case_number") },
            "phrase2": { "value": status_phrase(kind) },
            "time3": { "value": when },
            "thing4": { "value": thing(&outgoing.title) },
        })
    };
    let url = config.public_url.as_deref().map(|base| match &outgoing.case_id {
        Some(case) => format!("{base}/cases/{case}"),
        None => format!("{base}/apply/renewal"),
    });
    Ok(match crate::wechat::send_template(state, &openid, template, url.as_deref(), data).await {
        Ok(()) => Attempt::Sent,
        Err(crate::wechat::MessageError::Retry(e)) => Attempt::Failed(e),
        Err(crate::wechat::MessageError::Never(e)) => Attempt::Dropped(e),
    })
}

// ---------------------------------------------------------------- the jobs

/// The note on the timeline of a case closed because `correct_by` passed.
pub fn closed_overdue_note(correct_by: &str) -> String {
    format!("逾期未补正：补正期限为{correct_by}，期满未补正，本申请终止办理。")
}

/// Closes the returned cases whose last day to correct has passed: 不予受理 (`refused`, the
/// end of a case not granted) with the note of [`closed_overdue_note`], an audit entry
/// (`case_refused`, outcome `overdue`) and the message, each under the write lock after
/// reading the case again, so that two replicas close it once. Answers the cases closed.
pub async fn close_overdue(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let today = Date::beijing_today(now).to_string();
    let due: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM cases WHERE status = 'returned' AND correct_by < $1 ORDER BY id")
            .bind(&today)
            .fetch_all(&state.db)
            .await?;
    let mut closed = 0;
    for (case_id,) in due {
        let mut tx = crate::db::begin_write(&state.db).await?;
        let still: Option<(i64, String)> = sqlx::query_as(
            "SELECT user_id, correct_by FROM cases WHERE id = $1 AND status = 'returned' AND correct_by < $2",
        )
        .bind(&case_id)
        .bind(&today)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((user_id, correct_by)) = still else {
            continue;
        };
        sqlx::query("UPDATE cases SET status = 'refused', correction = NULL, returned_from = NULL WHERE id = $1")
            .bind(&case_id)
            .execute(&mut *tx)
            .await?;
        record_event(&mut tx, &case_id, now, TimelineEvent::Refused, Some(&closed_overdue_note(&correct_by)), None).await?;
        let entry = Entry {
            event: Event::CaseRefused,
            outcome: "overdue",
            user_id: Some(user_id),
            phone_masked: None,
            client_ip: "",
            staff_id: None,
            subject: Some(&case_id),
        };
        audit::record(&mut *tx, now, entry).await?;
        case_news(&mut tx, user_id, &case_id, now, CaseNews::ClosedOverdue { correct_by: &correct_by }).await?;
        tx.commit().await?;
        closed += 1;
    }
    Ok(closed)
}

/// Tells the driver of each returned case whose last day to correct is tomorrow (or today, if
/// the day before was missed). Answers the messages written.
pub async fn remind_corrections(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let today = Date::beijing_today(now);
    let due: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT c.id, c.user_id, c.correct_by FROM cases c
          WHERE c.status = 'returned' AND c.correct_by >= $1 AND c.correct_by <= $2
            AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.dedup_key = 'case_return_due_tomorrow:' || c.id || ':' || c.correct_by)",
    )
    .bind(today.to_string())
    .bind(today.add_days(1).to_string())
    .fetch_all(&state.db)
    .await?;
    let mut written = 0;
    for (case_id, user_id, correct_by) in due {
        let mut tx = crate::db::begin_write(&state.db).await?;
        case_news(&mut tx, user_id, &case_id, now, CaseNews::ReturnDueTomorrow { correct_by: &correct_by }).await?;
        tx.commit().await?;
        written += 1;
    }
    Ok(written)
}

/// A certificate a reminder may be due for.
#[derive(sqlx::FromRow)]
struct Expiring {
    certificate_id: String,
    valid_until: String,
    user_id: i64,
}

/// Writes the 换发 reminders due today: `renewal_reminder_days` before the window opens
/// (`renewal_window_days` before expiry), and `renewal_deadline_days` before expiry; each once
/// per certificate and expiry date (the key names both, so a renewed certificate is reminded
/// again years later), not while a 换发 of it is open, not to a driver who turned them off, and
/// only to the current account of a verified holder. A day missed is caught up until the next
/// mark. Answers the reminders written.
pub async fn remind_renewals(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let today = Date::beijing_today(now);
    let config = &state.config;
    let window = i64::from(config.renewal_window_days);
    let marks = [
        // (key, the first expiry it is due for today, the last)
        ("window", today.add_days(window + 1), today.add_days(window + i64::from(config.renewal_reminder_days))),
        ("expiry", today, today.add_days(i64::from(config.renewal_deadline_days))),
    ];
    let mut written = 0;
    for (mark, from, until) in marks {
        let due: Vec<Expiring> = sqlx::query_as(
            "SELECT c.id AS certificate_id, c.valid_until, u.id AS user_id FROM certificates c
               JOIN users u ON u.holder_key = c.holder_key
              WHERE c.status = 'valid' AND c.valid_until >= $1 AND c.valid_until <= $2
                AND u.moved_into IS NULL AND u.realname_status = 'approved' AND u.reminders_off = 0
                AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.certificate_id = c.id AND k.business_code = 'renewal'
                                   AND k.status IN ('submitted', 'accepted', 'returned'))
                AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.dedup_key = $3 || c.id || ':' || c.valid_until)
              ORDER BY c.id",
        )
        .bind(from.to_string())
        .bind(until.to_string())
        .bind(format!("renewal_{mark}:"))
        .fetch_all(&state.db)
        .await?;
        for certificate in due {
            let mut tx = crate::db::begin_write(&state.db).await?;
            let name = holder_name_masked(&mut tx, certificate.user_id).await?;
            let until = &certificate.valid_until;
            let opens = Date::parse(until).map(|d| d.add_days(-window).to_string()).unwrap_or_default();
            let (template, params, body) = if mark == "window" {
                (
                    "taxicert_renewal_reminder",
                    json!({ "name": name, "opens_on": opens, "valid_until": until }),
                    format!("您的从业资格证有效期至{until}，自{opens}起可以申请换发，请届时点击本消息办理换发。"),
                )
            } else {
                (
                    "taxicert_renewal_expiry_reminder",
                    json!({ "name": name, "valid_until": until }),
                    format!("您的从业资格证将于{until}到期，尚未申请换发。请尽快点击本消息办理换发，以免证件过期。"),
                )
            };
            let message = NewMessage {
                kind: MessageKind::RenewalReminder,
                template,
                params,
                title: "从业资格证换发提醒".to_owned(),
                body,
                case_id: None,
                certificate_id: Some(certificate.certificate_id.clone()),
                dedup_key: format!("renewal_{mark}:{}:{until}", certificate.certificate_id),
            };
            if enqueue(&mut tx, certificate.user_id, now, message).await? {
                written += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(written)
}

// ---------------------------------------------------------------- the driver's API

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: i64,
    kind: String,
    title: String,
    body: String,
    created_at: i64,
    #[sqlx(try_from = "crate::db::Flag")]
    read: bool,
    case_id: Option<String>,
}

/// The driver's messages, the newest first (at most 100), each with whether he has seen it.
#[utoipa::path(
    get,
    path = "/messages",
    tag = "messages",
    operation_id = "list_messages",
    responses(
        (status = 200, description = "The driver's messages, the newest first", body = [Message]),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    )
)]
pub async fn list_messages(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Vec<Message>>> {
    let rows: Vec<MessageRow> = sqlx::query_as(
        "SELECT id, kind, title, body, created_at, read_at IS NOT NULL AS read, case_id FROM messages
          WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(user.user_id)
    .bind(LIST_LIMIT)
    .fetch_all(&state.db)
    .await?;
    let messages = rows
        .into_iter()
        .map(|row| {
            let kind = MessageKind::parse(&row.kind)
                .ok_or_else(|| AppError::Internal(format!("message {}: unknown kind {}", row.id, row.kind)))?;
            Ok(Message {
                id: row.id,
                kind,
                title: row.title,
                body: row.body,
                created_at: row.created_at,
                read: row.read,
                case_id: row.case_id,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(Json(messages))
}

/// How many of the driver's messages he has not seen: the badge of 消息.
#[utoipa::path(
    get,
    path = "/messages/unread-count",
    tag = "messages",
    operation_id = "unread_messages",
    responses(
        (status = 200, description = "The number of unread messages", body = UnreadCount),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    )
)]
pub async fn unread_messages(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<UnreadCount>> {
    let (unread,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM messages WHERE user_id = $1 AND read_at IS NULL")
        .bind(user.user_id)
        .fetch_one(&state.db)
        .await?;
    Ok(Json(UnreadCount { unread: u32::try_from(unread).unwrap_or(u32::MAX) }))
}

/// Marks the driver's messages up to `up_to` as read (the 消息 page does when it shows them).
#[utoipa::path(
    post,
    path = "/messages/read",
    tag = "messages",
    operation_id = "mark_messages_read",
    request_body = MarkRead,
    responses(
        (status = 204, description = "Marked"),
        (status = 400, description = "`invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    )
)]
pub async fn mark_messages_read(
    State(state): State<AppState>,
    user: CurrentUser,
    Body(mark): Body<MarkRead>,
) -> AppResult<StatusCode> {
    sqlx::query("UPDATE messages SET read_at = $1 WHERE user_id = $2 AND id <= $3 AND read_at IS NULL")
        .bind(state.clock.now())
        .bind(user.user_id)
        .bind(mark.up_to)
        .execute(&state.db)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the driver is sent besides the news of his cases.
#[utoipa::path(
    get,
    path = "/settings",
    tag = "messages",
    operation_id = "get_settings",
    responses(
        (status = 200, description = "The driver's settings", body = Settings),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    )
)]
pub async fn get_settings(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Settings>> {
    let (Flag(off),): (Flag,) =
        sqlx::query_as("SELECT reminders_off FROM users WHERE id = $1").bind(user.user_id).fetch_one(&state.db).await?;
    Ok(Json(Settings { renewal_reminders: !off }))
}

/// Turns the 换发 reminders on or off; answers the settings as they now stand.
#[utoipa::path(
    put,
    path = "/settings",
    tag = "messages",
    operation_id = "put_settings",
    request_body = Settings,
    responses(
        (status = 200, description = "Saved", body = Settings),
        (status = 400, description = "`invalid_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    )
)]
pub async fn put_settings(
    State(state): State<AppState>,
    user: CurrentUser,
    Body(settings): Body<Settings>,
) -> AppResult<Json<Settings>> {
    sqlx::query("UPDATE users SET reminders_off = $1 WHERE id = $2")
        .bind(i64::from(!settings.renewal_reminders))
        .bind(user.user_id)
        .execute(&state.db)
        .await?;
    Ok(Json(settings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_a_minute_doubling_up_to_an_hour() {
        let waits: Vec<i64> = (1..=MAX_ATTEMPTS).map(retry_after).collect();
        assert_eq!(waits, [60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }
}
