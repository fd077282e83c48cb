//! 消息: the driver's messages when a clerk moves his case, the correction deadline, the 换发
//! reminders, and their SMS through a fake gateway on loopback — each sent once, also with two
//! replicas on one database, a restart mid-way and a gateway that fails.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use taxicert_api::StaffRole;
use taxicert_server::{
    cases::correction_due,
    workdays::{holidays::OfficialCalendar, Date},
    Config,
};
use taxicert_testkit::CardData;

use crate::common::{
    assert_error_body, database,
    flows::{
        act, add_staff, certificates, choosable, complete_draft_with, info, next_key, ok, other_card, send_as, signed_in,
        submit, submit_case, OTHER_PHONE, PHONE,
    },
    gateway::{FakeGateway, Received, KEY},
    json, log_in_with, pass_realname, spawn_config, test_config, TestServer, START,
};

const CLERK: &str = "zhao.clerk";
const DAY: i64 = 86_400;

/// The server's configuration with the fake gateway and a one-second message interval.
fn config_with(dir: &tempfile::TempDir, gateway: &FakeGateway) -> Config {
    let mut config = test_config(dir, "/");
    config.realname_auto_approve = true;
    config.sms_gateway_url = Some(gateway.url.clone());
    config.sms_gateway_key = Some(KEY.into());
    config.message_interval_seconds = 1;
    // The tests move the clock by days: the sessions last.
    config.session_idle_minutes = 60 * 24 * 400;
    config.session_absolute_hours = 24 * 400;
    config
}

/// A server sending through `gateway`, with a clerk signed in: (server, clerk cookie).
async fn spawn(gateway: &FakeGateway) -> (TestServer, String) {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let dir = tempfile::tempdir().unwrap();
    let config = config_with(&dir, gateway);
    let server = spawn_config(dir, config).await;
    add_staff(&server, CLERK, "赵办理", StaffRole::Clerk).await;
    let clerk = signed_in(&server, CLERK).await;
    (server, clerk)
}

/// A verified driver whose login code came through the gateway: the cookie.
async fn driver(server: &TestServer, gateway: &FakeGateway, phone: &str, card: &CardData) -> String {
    let response = server.post_json("/api/v1/auth/sms-codes", json!({ "phone": phone })).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let cookie = log_in_with(server, phone, &gateway.code_for(phone)).await;
    pass_realname(server, &cookie, card).await;
    cookie
}

/// Waits for the schedule to run a few more times: what has not been sent by then is not sent.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(2500)).await;
}

async fn messages(server: &TestServer, cookie: &str) -> Vec<Value> {
    ok(server.get_as("/api/v1/messages", cookie).await).await.as_array().unwrap().clone()
}

async fn unread(server: &TestServer, cookie: &str) -> u64 {
    ok(server.get_as("/api/v1/messages/unread-count", cookie).await).await["unread"].as_u64().unwrap()
}

fn case_id(case: &Value) -> String {
    case["id"].as_str().unwrap().to_owned()
}

/// Nothing personal beyond the masked name: no full name, ID number or phone in the parameters.
fn assert_no_personal_data(received: &[Received]) {
    let card = CardData::sample();
    for r in received {
        let params = r.params.to_string();
        for secret in [card.name.as_str(), card.id_number.as_str(), PHONE, card.address.as_str()] {
            assert!(!params.contains(secret), "{} carries {secret}: {params}", r.template);
        }
    }
}

#[tokio::test]
async fn each_clerk_action_sends_one_message_with_the_masked_name_and_what_to_do_next() {
    let gateway = FakeGateway::start().await;
    let (server, clerk) = spawn(&gateway).await;
    let cookie = driver(&server, &gateway, PHONE, &CardData::sample()).await;
    let reissue = case_id(&submit_case(&server, &cookie, "reissue").await);
    let change = case_id(&submit_case(&server, &cookie, "change").await);

    let accepted = ok(act(&server, &clerk, &reissue, json!({ "action": "accept" })).await).await;
    let sms = gateway.wait_accepted("taxicert_case_accepted", 1).await;
    assert_eq!(sms[0].phone, PHONE);
    assert_eq!(
        sms[0].params,
        json!({ "name": "王*国", "case_number": reissue, "decide_by": accepted["case"]["summary"]["decide_by"] })
    );

    // 办结 of a certificate collected at the hall: where and when.
    let completion = json!({ "action": "complete", "business": "reissue", "certificate_number": null, "note": "" });
    let detail = ok(act(&server, &clerk, &reissue, completion).await).await;
    let hall_id = detail["case"]["info"]["details"]["delivery"]["hall_id"].clone();
    let halls = ok(server.get("/api/v1/service-halls").await).await;
    let hall = halls.as_array().unwrap().iter().find(|h| h["id"] == hall_id).unwrap().clone();
    let sms = gateway.wait_accepted("taxicert_case_completed_pickup", 1).await;
    assert_eq!(sms[0].params, json!({ "name": "王*国", "case_number": reissue, "hall": hall["name"], "hours": hall["hours"] }));

    let refusal = json!({ "action": "refuse", "reason": "所附材料与申请事项不符" });
    ok(act(&server, &clerk, &change, refusal).await).await;
    let sms = gateway.wait_accepted("taxicert_case_refused", 1).await;
    assert_eq!(sms[0].params, json!({ "name": "王*国", "case_number": change }));
    settle().await;
    let notifications: Vec<Received> = gateway.received().into_iter().filter(|r| r.params["code"].is_null()).collect();
    assert_eq!(notifications.len(), 3, "one message per change: {notifications:?}");
    assert_no_personal_data(&notifications);

    // The 消息 list: the newest first, unread until shown, each linking to its case.
    let list = messages(&server, &cookie).await;
    let kinds: Vec<&str> = list.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["case_refused", "case_completed", "case_accepted"]);
    assert_eq!(list[0]["case_id"], change.as_str());
    assert!(list[0]["body"].as_str().unwrap().contains("所附材料与申请事项不符"), "the reason: {}", list[0]);
    assert!(list[1]["body"].as_str().unwrap().contains(hall["hours"].as_str().unwrap()));
    assert!(list.iter().all(|m| m["read"] == false));
    assert_eq!(unread(&server, &cookie).await, 3);
    // Marked up to the newest shown: one that came since would stay unread.
    let up_to = list[1]["id"].clone();
    let marked = send_as(&server, Method::POST, "/api/v1/messages/read", &cookie).json(&json!({ "up_to": up_to })).send().await.unwrap();
    assert_eq!(marked.status(), StatusCode::NO_CONTENT);
    assert_eq!(unread(&server, &cookie).await, 1);
    let bad = send_as(&server, Method::POST, "/api/v1/messages/read", &cookie).json(&json!({ "up_to": "all" })).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_error_body(&json(bad).await, "invalid_body");

    // Another driver sees none of them.
    let other = driver(&server, &gateway, OTHER_PHONE, &other_card()).await;
    assert!(messages(&server, &other).await.is_empty());
    assert_eq!(unread(&server, &other).await, 0);
}

#[tokio::test]
async fn a_mailed_certificate_s_message_names_the_tracking_number() {
    let gateway = FakeGateway::start().await;
    let (server, clerk) = spawn(&gateway).await;
    let cookie = driver(&server, &gateway, PHONE, &CardData::sample()).await;
    let certificate = certificates(&server, &cookie, "reissue").await.into_iter().find(|c| c["unavailable_reason"].is_null()).unwrap();
    let post = json!({ "method": "post", "recipient": "王建国", "phone": PHONE,
                       "region": { "code": "150102", "name": "" }, "street": "新华大街8号3单元" });
    let info = json!({ "contact_name": "王建国", "contact_phone": PHONE,
                       "details": { "business": "reissue", "reason": "lost", "delivery": post } });
    let draft = complete_draft_with(&server, &cookie, "reissue", certificate["id"].as_str().unwrap(), info).await;
    let response = submit(&server, &cookie, &next_key("submit"), "reissue", &draft["revision"]).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let case = case_id(&json(response).await);
    ok(act(&server, &clerk, &case, json!({ "action": "accept" })).await).await;

    let complete = |tracking: &str| {
        json!({ "action": "complete", "business": "reissue", "certificate_number": null, "note": "", "tracking_number": tracking })
    };
    let refused = act(&server, &clerk, &case, complete("SF-12")).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body = json(refused).await;
    assert_error_body(&body, "invalid_field");
    assert_eq!(body["field"], "tracking_number");
    let done = ok(act(&server, &clerk, &case, complete(" SF1234567890 ")).await).await;
    assert_eq!(done["case"]["result"]["tracking_number"], "SF1234567890");
    let sms = gateway.wait_accepted("taxicert_case_completed_post", 1).await;
    assert_eq!(sms[0].params, json!({ "name": "王*国", "case_number": case, "tracking_number": "SF1234567890" }));
    let detail = ok(server.get_as(&format!("/api/v1/cases/{case}"), &cookie).await).await;
    assert_eq!(detail["result"]["tracking_number"], "SF1234567890");

    // A certificate collected at the hall has no tracking number.
    let pickup = case_id(&submit_case(&server, &cookie, "reissue").await);
    ok(act(&server, &clerk, &pickup, json!({ "action": "accept" })).await).await;
    let refused = act(&server, &clerk, &pickup, complete("SF1234567890")).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body = json(refused).await;
    assert_error_body(&body, "invalid_field");
    assert!(body["message"].as_str().unwrap().contains("未选择邮寄"), "{body}");
}

#[tokio::test]
async fn a_returned_case_has_its_deadline_a_reminder_the_day_before_and_is_closed_after_it() {
    let gateway = FakeGateway::start().await;
    let (server, clerk) = spawn(&gateway).await;
    let cookie = driver(&server, &gateway, PHONE, &CardData::sample()).await;
    let case = case_id(&submit_case(&server, &cookie, "reissue").await);
    let correction = json!({ "action": "return", "reason": "照片不清晰", "fields": [], "materials": ["photo_2inch"] });
    ok(act(&server, &clerk, &case, correction).await).await;

    // 15 working days on the official calendar, from the day it was returned.
    let today = Date::beijing_today(START);
    let correct_by = correction_due(&OfficialCalendar::embedded(), today, 15).to_string();
    assert_eq!(correct_by, "2026-12-15", "Tuesday 24 November + 15 working days");
    let detail = ok(server.get_as(&format!("/api/v1/cases/{case}"), &cookie).await).await;
    assert_eq!(detail["correct_by"], correct_by.as_str());
    let sms = gateway.wait_accepted("taxicert_case_returned", 1).await;
    assert_eq!(sms[0].params, json!({ "name": "王*国", "case_number": case, "correct_by": correct_by }));
    let list = messages(&server, &cookie).await;
    assert!(list[0]["body"].as_str().unwrap().contains("照片不清晰") && list[0]["body"].as_str().unwrap().contains(&correct_by));

    // Two days before the last day: nothing yet; the day before: one reminder, and only one.
    let days_to = today.days_until(Date::parse(&correct_by).unwrap());
    server.clock.advance((days_to - 2) * DAY);
    settle().await;
    assert!(gateway.of("taxicert_case_return_due_tomorrow").is_empty());
    server.clock.advance(DAY);
    let sms = gateway.wait_accepted("taxicert_case_return_due_tomorrow", 1).await;
    assert_eq!(sms[0].params["correct_by"], correct_by.as_str());
    server.clock.advance(DAY);
    settle().await;
    assert_eq!(gateway.of("taxicert_case_return_due_tomorrow").len(), 1);
    assert!(gateway.of("taxicert_case_closed_overdue").is_empty(), "the last day itself is still open");

    // The day after: closed as 逾期未补正, once, with a timeline line and an audit entry.
    server.clock.advance(DAY);
    let sms = gateway.wait_accepted("taxicert_case_closed_overdue", 1).await;
    assert_eq!(sms[0].params, json!({ "name": "王*国", "case_number": case }));
    settle().await;
    assert_eq!(gateway.of("taxicert_case_closed_overdue").len(), 1);
    let detail = ok(server.get_as(&format!("/api/v1/cases/{case}"), &cookie).await).await;
    assert_eq!(detail["summary"]["status"], "refused");
    assert_eq!(detail["correct_by"], Value::Null);
    let last = detail["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["event"], "refused");
    assert!(last["note"].as_str().unwrap().contains("逾期未补正"), "{last}");
    let (audited,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE event = 'case_refused' AND outcome = 'overdue' AND subject = $1")
            .bind(&case)
            .fetch_one(&database(&server).await)
            .await
            .unwrap();
    assert_eq!(audited, 1);
    // In the console the server closed it, not the driver or a clerk.
    let staff_view = ok(server.get_as(&format!("/api/v1/staff/cases/{case}"), &clerk).await).await;
    let actors: Vec<&str> = staff_view["timeline_actors"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert_eq!(actors, ["申请人", "赵办理", "系统"]);
    // (The demo certificate that expires in 45 days has had its reminder meanwhile.)
    let kinds: Vec<Value> =
        messages(&server, &cookie).await.iter().map(|m| m["kind"].clone()).filter(|k| k != "renewal_reminder").collect();
    assert_eq!(kinds, [json!("case_closed_overdue"), json!("case_return_due_tomorrow"), json!("case_returned")]);
}

#[tokio::test]
async fn a_gateway_failing_twice_is_tried_again_with_backoff_and_sends_once() {
    let gateway = FakeGateway::start().await;
    let (server, clerk) = spawn(&gateway).await;
    let cookie = driver(&server, &gateway, PHONE, &CardData::sample()).await;
    let case = case_id(&submit_case(&server, &cookie, "reissue").await);
    gateway.fail_next(2);
    ok(act(&server, &clerk, &case, json!({ "action": "accept" })).await).await;

    let attempts = || async {
        let (attempts, next, status): (i64, i64, String) =
            sqlx::query_as("SELECT attempts, next_attempt_at, status FROM message_deliveries")
                .fetch_one(&database(&server).await)
                .await
                .unwrap();
        (attempts, next - START, status)
    };
    settle().await;
    assert_eq!(attempts().await, (1, 60, "pending".into()), "a minute after the first failure");
    server.clock.advance(59);
    settle().await;
    assert_eq!(gateway.of("taxicert_case_accepted").len(), 1, "not before its time");
    server.clock.advance(1);
    settle().await;
    assert_eq!(attempts().await, (2, 60 + 120, "pending".into()), "then two minutes");
    server.clock.advance(120);
    let accepted = gateway.wait_accepted("taxicert_case_accepted", 1).await;
    settle().await;
    let all = gateway.of("taxicert_case_accepted");
    assert_eq!((all.len(), accepted.len()), (3, 1), "{all:?}");
    let key = all[0].idempotency_key.clone().unwrap();
    assert!(all.iter().all(|r| r.idempotency_key.as_deref() == Some(key.as_str())), "one key for every attempt");
    assert_eq!(attempts().await.2, "sent");
}

#[tokio::test]
async fn a_message_the_gateway_never_takes_is_given_up_audited_and_still_listed() {
    let gateway = FakeGateway::start().await;
    let (server, clerk) = spawn(&gateway).await;
    let cookie = driver(&server, &gateway, PHONE, &CardData::sample()).await;
    let case = case_id(&submit_case(&server, &cookie, "reissue").await);
    gateway.fail_next(usize::MAX);
    ok(act(&server, &clerk, &case, json!({ "action": "accept" })).await).await;
    let db = database(&server).await;
    for _ in 0..taxicert_server::messages::MAX_ATTEMPTS {
        settle().await;
        server.clock.advance(taxicert_server::messages::MAX_RETRY_SECONDS);
    }
    settle().await;
    let (status, attempts): (String, i64) =
        sqlx::query_as("SELECT status, attempts FROM message_deliveries").fetch_one(&db).await.unwrap();
    assert_eq!((status.as_str(), attempts), ("failed", taxicert_server::messages::MAX_ATTEMPTS));
    assert_eq!(gateway.of("taxicert_case_accepted").len() as i64, taxicert_server::messages::MAX_ATTEMPTS);
    let (outcome, subject): (String, String) =
        sqlx::query_as("SELECT outcome, subject FROM audit_log WHERE event = 'message_failed'").fetch_one(&db).await.unwrap();
    assert_eq!(outcome, "gateway");
    assert!(subject.starts_with("message:"), "{subject}");
    assert_eq!(messages(&server, &cookie).await.len(), 1, "the driver still sees it in 消息");
}

#[tokio::test]
async fn two_replicas_and_a_restart_send_each_message_exactly_once() {
    let gateway = FakeGateway::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_with(&dir, &gateway);
    let a = spawn_config(dir, config.clone()).await;
    let b = spawn_config(tempfile::tempdir().unwrap(), config.clone()).await;
    add_staff(&a, CLERK, "赵办理", StaffRole::Clerk).await;
    let clerk = signed_in(&a, CLERK).await;
    let cookie = driver(&a, &gateway, PHONE, &CardData::sample()).await;
    let mut cases = Vec::new();
    for business in ["reissue", "change", "credit_assessment"] {
        cases.push(case_id(&submit_case(&a, &cookie, business).await));
    }
    // The first attempts fail, so that both replicas find every message due at once later.
    gateway.fail_next(3);
    for (i, case) in cases.iter().enumerate() {
        let server = if i % 2 == 0 { &a } else { &b };
        ok(act(server, &clerk, case, json!({ "action": "accept" })).await).await;
    }
    settle().await;
    assert_eq!(gateway.of("taxicert_case_accepted").len(), 3, "{:?}", gateway.received());

    // One replica restarts mid-way, with its clock where it was.
    let dir = a.stop().await;
    let a = spawn_config(dir, config).await;
    for server in [&a, &b] {
        server.clock.advance(60);
    }
    let accepted = gateway.wait_accepted("taxicert_case_accepted", 3).await;
    settle().await;
    let accepted_later: Vec<Received> = gateway.of("taxicert_case_accepted").into_iter().filter(|r| r.accepted).collect();
    assert_eq!(accepted_later.len(), 3, "{accepted_later:?}");
    let mut numbers: Vec<String> = accepted.iter().map(|r| r.params["case_number"].as_str().unwrap().to_owned()).collect();
    numbers.sort();
    let mut expected = cases.clone();
    expected.sort();
    assert_eq!(numbers, expected, "one for each case");
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM messages").fetch_one(&database(&a).await).await.unwrap();
    assert_eq!(rows, 3);

    // The correction deadline passes on both replicas at once: closed once, told once.
    let returned = case_id(&submit_case(&b, &cookie, "cancellation").await);
    let submitted = ok(b.get_as(&format!("/api/v1/cases/{returned}"), &cookie).await).await;
    let material = submitted["photos"][0]["material_code"].clone();
    let correction = json!({ "action": "return", "reason": "请补充材料", "fields": [], "materials": [material] });
    ok(act(&b, &clerk, &returned, correction).await).await;
    gateway.wait_accepted("taxicert_case_returned", 1).await;
    let detail = ok(b.get_as(&format!("/api/v1/cases/{returned}"), &cookie).await).await;
    let last_day = Date::parse(detail["correct_by"].as_str().unwrap()).unwrap();
    let days_to = Date::beijing_today(START + 60).days_until(last_day);
    for server in [&a, &b] {
        server.clock.advance((days_to - 1) * DAY);
    }
    gateway.wait_accepted("taxicert_case_return_due_tomorrow", 1).await;
    for server in [&a, &b] {
        server.clock.advance(2 * DAY);
    }
    gateway.wait_accepted("taxicert_case_closed_overdue", 1).await;
    settle().await;
    assert_eq!(gateway.of("taxicert_case_return_due_tomorrow").len(), 1);
    assert_eq!(gateway.of("taxicert_case_closed_overdue").len(), 1);
    let (events,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND event = 'refused'")
        .bind(&returned)
        .fetch_one(&database(&a).await)
        .await
        .unwrap();
    assert_eq!(events, 1);
}

/// Sets a certificate's expiry in the register.
async fn set_valid_until(server: &TestServer, certificate: &str, until: Date) {
    sqlx::query("UPDATE certificates SET valid_until = $1 WHERE id = $2")
        .bind(until.to_string())
        .bind(certificate)
        .execute(&database(server).await)
        .await
        .unwrap();
}

/// The driver's certificates, each made to expire far from any reminder: their ids.
async fn quiet_certificates(server: &TestServer, cookie: &str) -> Vec<String> {
    let ids: Vec<String> =
        certificates(server, cookie, "renewal").await.iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    for id in &ids {
        set_valid_until(server, id, Date::beijing_today(START).add_days(3 * 365)).await;
    }
    ids
}

#[tokio::test]
async fn a_renewal_reminder_comes_once_on_its_day_and_not_to_a_driver_who_turned_them_off() {
    let gateway = FakeGateway::start().await;
    let (server, _) = spawn(&gateway).await;
    let cookie = driver(&server, &gateway, PHONE, &CardData::sample()).await;
    let other = driver(&server, &gateway, OTHER_PHONE, &other_card()).await;
    let today = Date::beijing_today(START);
    // The window opens 90 days before expiry; the reminder is 7 days before that: in two days.
    let mine = quiet_certificates(&server, &cookie).await;
    let until = today.add_days(2 + 7 + 90);
    set_valid_until(&server, &mine[0], until).await;
    let theirs = quiet_certificates(&server, &other).await;
    set_valid_until(&server, &theirs[0], until).await;

    assert_eq!(ok(server.get_as("/api/v1/settings", &other).await).await, json!({ "renewal_reminders": true }));
    let off = send_as(&server, Method::PUT, "/api/v1/settings", &other).json(&json!({ "renewal_reminders": false })).send().await.unwrap();
    assert_eq!(ok(off).await, json!({ "renewal_reminders": false }));
    assert_eq!(ok(server.get_as("/api/v1/settings", &other).await).await, json!({ "renewal_reminders": false }));
    let bad = send_as(&server, Method::PUT, "/api/v1/settings", &other).json(&json!({ "renewal_reminders": "no" })).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_error_body(&json(bad).await, "invalid_body");

    server.clock.advance(DAY);
    settle().await;
    assert!(gateway.of("taxicert_renewal_reminder").is_empty(), "not the day before");
    server.clock.advance(DAY);
    let sms = gateway.wait_accepted("taxicert_renewal_reminder", 1).await;
    let opens = until.add_days(-90).to_string();
    assert_eq!(sms[0].phone, PHONE);
    assert_eq!(sms[0].params, json!({ "name": "王*国", "opens_on": opens, "valid_until": until.to_string() }));
    server.clock.advance(DAY);
    settle().await;
    assert_eq!(gateway.of("taxicert_renewal_reminder").len(), 1, "once, and not to the driver who turned them off");
    let list = messages(&server, &cookie).await;
    assert_eq!((list[0]["kind"].as_str(), list[0]["case_id"].is_null()), (Some("renewal_reminder"), true));
    assert!(messages(&server, &other).await.is_empty());
}

#[tokio::test]
async fn the_expiry_reminder_comes_when_no_renewal_is_open() {
    let gateway = FakeGateway::start().await;
    let (server, _) = spawn(&gateway).await;
    let cookie = driver(&server, &gateway, PHONE, &CardData::sample()).await;
    let today = Date::beijing_today(START);
    let ids = quiet_certificates(&server, &cookie).await;
    // Both within their window, 31 days before expiry: one with a 换发 open.
    for id in &ids[..2] {
        set_valid_until(&server, id, today.add_days(31)).await;
    }
    let with_renewal = choosable(&server, &cookie, "renewal").await;
    let draft = complete_draft_with(&server, &cookie, "renewal", &with_renewal, info("renewal")).await;
    let response = submit(&server, &cookie, &next_key("submit"), "renewal", &draft["revision"]).await;
    assert_eq!(response.status(), StatusCode::CREATED);

    server.clock.advance(DAY);
    let sms = gateway.wait_accepted("taxicert_renewal_expiry_reminder", 1).await;
    assert_eq!(sms[0].params, json!({ "name": "王*国", "valid_until": today.add_days(31).to_string() }));
    server.clock.advance(DAY);
    settle().await;
    assert_eq!(gateway.of("taxicert_renewal_expiry_reminder").len(), 1, "one certificate has its 换发 open");
    assert!(gateway.of("taxicert_renewal_reminder").is_empty(), "the window is already open");
}
