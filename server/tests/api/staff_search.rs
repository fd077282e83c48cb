//! The clerk's case queue, black-box (issue 18): by default the cases waiting for a clerk with
//! the resubmitted first, every case on asking, and the search that finds a case on the phone
//! by its number, the applicant's name, phone number, ID number or certificate number —
//! without the numbers searched for in the log.

use crate::common;

use common::{
    captured_logs, database,
    flows::{
        act, add_staff, info, next_key, ok, other_card, refused, signed_in, spawn_approving, submit_case, OTHER_PHONE,
    },
    verified_user, TestServer,
};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use taxicert_api::StaffRole;
use taxicert_testkit::CardData;

const CLERK: &str = "wang.clerk";
/// Driver A's login phone: this test's own, so that the log check cannot meet another test's.
const A_PHONE: &str = "13700009876";

fn id_of(case: &Value) -> String {
    case["id"].as_str().unwrap().to_owned()
}

/// The ids listed by `GET /staff/cases{query}`, in order.
async fn queue(server: &TestServer, clerk: &str, query: &str) -> Vec<String> {
    let list = ok(server.get_as(&format!("/api/v1/staff/cases{query}"), clerk).await).await;
    list.as_array().unwrap().iter().map(id_of_summary).collect()
}

fn id_of_summary(row: &Value) -> String {
    row["summary"]["id"].as_str().unwrap().to_owned()
}

/// `text` percent-encoded for a query string.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

async fn with_clerk() -> (TestServer, String) {
    let server = spawn_approving(|_| {}).await;
    add_staff(&server, CLERK, "王办理", StaffRole::Clerk).await;
    let clerk = signed_in(&server, CLERK).await;
    (server, clerk)
}

#[tokio::test]
async fn the_queue_opens_on_the_cases_waiting_for_a_clerk_the_resubmitted_first() {
    let (server, clerk) = with_clerk().await;
    let driver = verified_user(&server, A_PHONE, &CardData::sample()).await;
    let resubmitted = id_of(&submit_case(&server, &driver, "reissue").await);
    server.clock.advance(60);
    let accepted = id_of(&submit_case(&server, &driver, "change").await);
    server.clock.advance(60);
    let refused_case = id_of(&submit_case(&server, &driver, "cancellation").await);

    ok(act(&server, &clerk, &accepted, json!({ "action": "accept" })).await).await;
    ok(act(&server, &clerk, &refused_case, json!({ "action": "refuse", "reason": "不符合注销条件" })).await).await;
    let correction = json!({ "action": "return", "reason": "领取大厅有误", "fields": ["delivery"], "materials": [] });
    ok(act(&server, &clerk, &resubmitted, correction).await).await;
    // Returned, it waits for the driver, not the clerk.
    assert_eq!(queue(&server, &clerk, "").await, [accepted.clone()]);

    let mut corrected = info("reissue");
    corrected["details"]["delivery"] = json!({ "method": "pickup", "hall_id": "hall_baotou" });
    let response = server
        .send(Method::POST, &format!("/api/v1/cases/{resubmitted}/resubmission"))
        .header(header::COOKIE, &driver)
        .header("idempotency-key", next_key("resubmit"))
        .json(&json!({ "info": corrected, "uploads": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let list = ok(server.get_as("/api/v1/staff/cases", &clerk).await).await;
    let rows = list.as_array().unwrap();
    let ids: Vec<String> = rows.iter().map(id_of_summary).collect();
    assert_eq!(ids, [resubmitted.clone(), accepted.clone()], "waiting: the resubmitted first, then 待办结");
    assert_eq!(rows[0]["resubmitted"], true);
    assert_eq!(rows[0]["summary"]["status"], "submitted");
    assert_eq!(rows[1]["resubmitted"], false);
    assert_eq!(queue(&server, &clerk, "?scope=waiting").await, ids);

    // Everything on asking, and by status as before.
    let all = queue(&server, &clerk, "?scope=all").await;
    assert_eq!(all, [resubmitted.clone(), accepted.clone(), refused_case.clone()]);
    assert_eq!(queue(&server, &clerk, "?status=refused").await, [refused_case.clone()]);
    assert_eq!(queue(&server, &clerk, "?status=refused&scope=waiting").await, [refused_case.clone()], "a status wins");
    assert_eq!(queue(&server, &clerk, "?business=change").await, [accepted.clone()]);

    // Accepted, the resubmitted case is an ordinary one again.
    ok(act(&server, &clerk, &resubmitted, json!({ "action": "accept" })).await).await;
    let list = ok(server.get_as("/api/v1/staff/cases", &clerk).await).await;
    assert!(list.as_array().unwrap().iter().all(|row| row["resubmitted"] == false), "{list}");

    for query in ["?scope=everything", "?status=nope"] {
        let response = server.get_as(&format!("/api/v1/staff/cases{query}"), &clerk).await;
        refused(response, StatusCode::BAD_REQUEST, "invalid_filter", None, None).await;
    }
}

#[tokio::test]
async fn a_clerk_finds_a_case_by_number_name_phone_id_number_or_certificate_number() {
    let (server, clerk) = with_clerk().await;
    let card = CardData::sample();
    let a = verified_user(&server, A_PHONE, &card).await;
    let b = verified_user(&server, OTHER_PHONE, &other_card()).await;
    let a_case = id_of(&submit_case(&server, &a, "reissue").await);
    let b_case = id_of(&submit_case(&server, &b, "reissue").await);
    // Done cases are found too: a search looks at every status unless told otherwise.
    ok(act(&server, &clerk, &a_case, json!({ "action": "refuse", "reason": "材料不全，请重新申请" })).await).await;
    let all = ok(server.get_as("/api/v1/staff/cases?scope=all", &clerk).await).await;
    let certificate_of = |id: &str| {
        all.as_array().unwrap().iter().find(|row| row["summary"]["id"] == id).unwrap()["certificate_number"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let a_certificate = certificate_of(&a_case);
    assert_ne!(a_certificate, certificate_of(&b_case));

    let a_only = vec![a_case.clone()];
    for q in [
        a_case.clone(),
        a_case.to_lowercase(),
        card.name.clone(),
        "王 建国".to_owned(),
        A_PHONE.to_owned(),
        "137 0000 9876".to_owned(),
        "9876".to_owned(),
        card.id_number.clone(),
        a_certificate.clone(),
        format!(" {a_certificate} "),
    ] {
        assert_eq!(queue(&server, &clerk, &format!("?q={}", encoded(&q))).await, a_only, "q={q}");
    }
    assert_eq!(queue(&server, &clerk, &format!("?q={}", encoded(&other_card().name))).await, [b_case.clone()]);
    assert_eq!(queue(&server, &clerk, "?q=4321").await, [b_case.clone()], "B's phone ends with 4321");
    for q in ["王", "9877", "13700009875", "no such thing", "TC20991231999999"] {
        assert_eq!(queue(&server, &clerk, &format!("?q={}", encoded(q))).await, Vec::<String>::new(), "q={q}");
    }
    // With a status or the waiting queue, the search narrows them.
    assert_eq!(queue(&server, &clerk, &format!("?q={A_PHONE}&status=submitted")).await, Vec::<String>::new());
    assert_eq!(queue(&server, &clerk, &format!("?q={A_PHONE}&scope=waiting")).await, Vec::<String>::new());
    assert_eq!(queue(&server, &clerk, &format!("?q={A_PHONE}&status=refused")).await, a_only);
    // An empty search is no search.
    assert_eq!(queue(&server, &clerk, "?q=%20").await, [b_case.clone()]);
    let response = server.get_as(&format!("/api/v1/staff/cases?q={}", "1".repeat(41)), &clerk).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_filter", None, None).await;

    // The numbers searched for are in no log line.
    let logs = captured_logs().text();
    for secret in [A_PHONE, card.id_number.as_str()] {
        assert!(!logs.contains(secret), "the log shows {secret}");
    }
}

#[tokio::test]
async fn names_verified_before_the_search_existed_are_found_after_a_restart() {
    let (server, clerk) = with_clerk().await;
    let card = CardData::sample();
    let a = verified_user(&server, A_PHONE, &card).await;
    let a_case = id_of(&submit_case(&server, &a, "reissue").await);
    let pool = database(&server).await;
    sqlx::query("UPDATE realname_submissions SET name_key = NULL").execute(&pool).await.unwrap();
    pool.close().await;
    assert_eq!(queue(&server, &clerk, &format!("?q={}", encoded(&card.name))).await, Vec::<String>::new());

    let dir = server.stop().await;
    let mut config = common::test_config(&dir, "/");
    config.realname_auto_approve = true;
    let server = common::spawn_config(dir, config).await;
    let clerk = signed_in(&server, CLERK).await;
    assert_eq!(queue(&server, &clerk, &format!("?q={}", encoded(&card.name))).await, [a_case]);
}

/// The driver's resubmission of `case` with `info`, and `uploads` replacing flagged photos.
async fn resubmit(server: &TestServer, driver: &str, case: &str, info: Value, uploads: Value) -> Value {
    let response = server
        .send(Method::POST, &format!("/api/v1/cases/{case}/resubmission"))
        .header(header::COOKIE, driver)
        .header("idempotency-key", next_key("resubmit"))
        .json(&json!({ "info": info, "uploads": uploads }))
        .send()
        .await
        .unwrap();
    ok(response).await
}

async fn image(server: &TestServer, cookie: &str, path: &str) -> Vec<u8> {
    let response = server.get_as(path, cookie).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(response.headers()[header::CONTENT_TYPE], "image/jpeg");
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn after_a_resubmission_the_clerk_sees_what_changed_beside_what_he_returned() {
    let (server, clerk) = with_clerk().await;
    let driver = verified_user(&server, A_PHONE, &CardData::sample()).await;
    let case = id_of(&submit_case(&server, &driver, "reissue").await);
    let detail = ok(server.get_as(&format!("/api/v1/staff/cases/{case}"), &clerk).await).await;
    assert_eq!(detail["resubmission"], Value::Null, "nothing to compare before a resubmission");
    let photo_of = |detail: &Value, material: &str| {
        detail["case"]["photos"].as_array().unwrap().iter().find(|p| p["material_code"] == material).unwrap()["upload_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let old_photo = photo_of(&detail, "photo_2inch");
    let reason = "领取大厅选错了，两寸照片背景不是白色。";
    let correction = json!({ "action": "return", "reason": reason, "fields": ["delivery", "contact_name"], "materials": ["photo_2inch"] });
    let returned = ok(act(&server, &clerk, &case, correction).await).await;
    assert_eq!(returned["resubmission"], Value::Null);

    let mut corrected = info("reissue");
    corrected["details"]["delivery"] = json!({ "method": "pickup", "hall_id": "hall_baotou" });
    let new_photo = common::flows::upload(&server, &driver, "photo_2inch").await;
    server.clock.advance(600);
    resubmit(&server, &driver, &case, corrected.clone(), json!({ "photo_2inch": new_photo })).await;

    let detail = ok(server.get_as(&format!("/api/v1/staff/cases/{case}"), &clerk).await).await;
    let changes = &detail["resubmission"];
    assert_eq!(changes["correction"], json!({ "reason": reason, "fields": ["delivery", "contact_name"], "materials": ["photo_2inch"] }));
    assert_eq!(changes["previous_info"], info("reissue"), "the form as the clerk returned it");
    assert_eq!(detail["case"]["info"], corrected, "beside the form as it is now");
    let last = detail["case"]["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["event"].clone(), changes["resubmitted_at"].clone()), (json!("resubmitted"), last["at"].clone()));
    let replaced = changes["replaced_photos"].as_array().unwrap();
    assert_eq!(replaced.len(), 1, "{changes}");
    assert_eq!((replaced[0]["material_code"].as_str(), replaced[0]["upload_id"].as_str()), (Some("photo_2inch"), Some(old_photo.as_str())));
    assert_eq!(photo_of(&detail, "photo_2inch"), new_photo);
    // The queue's hall filter follows the hall as resubmitted.
    assert_eq!(queue(&server, &clerk, "?hall=hall_baotou").await, [case.clone()]);
    assert_eq!(queue(&server, &clerk, &format!("?hall={}", common::flows::HALL)).await, Vec::<String>::new());
    assert_eq!(queue(&server, &clerk, "?hall=no_such_hall").await, Vec::<String>::new());

    // Both photos are served to the clerk: the replaced one as the driver sent it then.
    let path = format!("/api/v1/staff/cases/{case}/photos/photo_2inch");
    let previous = image(&server, &clerk, &format!("{path}?previous=true")).await;
    assert_eq!(previous, image(&server, &driver, &format!("/api/v1/uploads/{old_photo}/image")).await);
    assert_eq!(image(&server, &clerk, &format!("{path}?previous=false")).await, image(&server, &clerk, &path).await);
    assert_eq!(server.get_as(&format!("{path}?previous=yes"), &clerk).await.status(), StatusCode::NOT_FOUND);
    let kept = detail["case"]["photos"].as_array().unwrap().iter().find(|p| p["material_code"] != "photo_2inch").unwrap()["material_code"].clone();
    let unreplaced = format!("/api/v1/staff/cases/{case}/photos/{}?previous=true", kept.as_str().unwrap());
    assert_eq!(server.get_as(&unreplaced, &clerk).await.status(), StatusCode::NOT_FOUND, "only replaced photos have a previous one");
    // The replaced photo is part of the case's record: the driver cannot delete it.
    let delete = common::flows::send_as(&server, Method::DELETE, &format!("/api/v1/uploads/{old_photo}"), &driver).send().await.unwrap();
    refused(delete, StatusCode::CONFLICT, "upload_in_case", None, None).await;

    // Returned again, nothing is compared until the next resubmission, which is compared with
    // the case as it was returned the second time.
    let again = json!({ "action": "return", "reason": "联系电话打不通", "fields": ["contact_phone"], "materials": [] });
    assert_eq!(ok(act(&server, &clerk, &case, again).await).await["resubmission"], Value::Null);
    let mut phoned = corrected.clone();
    phoned["contact_phone"] = json!("13912340000");
    resubmit(&server, &driver, &case, phoned, json!({})).await;
    let detail = ok(server.get_as(&format!("/api/v1/staff/cases/{case}"), &clerk).await).await;
    assert_eq!(detail["resubmission"]["previous_info"], corrected);
    assert_eq!(detail["resubmission"]["replaced_photos"], json!([]));
    assert_eq!(detail["resubmission"]["correction"]["reason"], "联系电话打不通");
}

#[tokio::test]
async fn the_queue_counts_and_marks_overdue_cases_and_filters_by_day() {
    let (server, clerk) = with_clerk().await;
    let driver = verified_user(&server, A_PHONE, &CardData::sample()).await;
    let counts = ok(server.get_as("/api/v1/staff/case-counts", &clerk).await).await;
    assert_eq!(counts, json!({ "submitted": 0, "accepted": 0, "resubmitted": 0, "overdue": 0, "returned": 0 }));

    // 2026-11-24 (a Tuesday): accept by 11-26; a day later another; then a third returned.
    let first = id_of(&submit_case(&server, &driver, "reissue").await);
    // A day on, both sign in again.
    server.clock.advance(86_400);
    let driver = common::log_in(&server, A_PHONE).await;
    let clerk = signed_in(&server, CLERK).await;
    let second = id_of(&submit_case(&server, &driver, "change").await);
    let third = id_of(&submit_case(&server, &driver, "cancellation").await);
    let correction = json!({ "action": "return", "reason": "联系电话有误", "fields": ["contact_phone"], "materials": [] });
    ok(act(&server, &clerk, &third, correction).await).await;
    ok(act(&server, &clerk, &second, json!({ "action": "accept" })).await).await;

    let rows = |list: &Value| -> Vec<(String, Value)> {
        list.as_array().unwrap().iter().map(|row| (id_of_summary(row), row["due_in_days"].clone())).collect()
    };
    let list = ok(server.get_as("/api/v1/staff/cases", &clerk).await).await;
    let first_due = list.as_array().unwrap().iter().find(|r| id_of_summary(r) == first).unwrap()["summary"]["accept_by"].clone();
    assert_eq!(first_due, "2026-11-26");
    assert_eq!(rows(&list)[0], (first.clone(), json!(1)), "accept by tomorrow: {list}");
    // Three days on, the first is overdue; counts say so.
    server.clock.advance(3 * 86_400);
    let clerk = signed_in(&server, CLERK).await;
    let list = ok(server.get_as("/api/v1/staff/cases", &clerk).await).await;
    assert_eq!(rows(&list).iter().find(|(id, _)| id == &first).unwrap().1, json!(-2), "two days past 11-26: {list}");
    let all = ok(server.get_as("/api/v1/staff/cases?scope=all", &clerk).await).await;
    assert_eq!(rows(&all).iter().find(|(id, _)| id == &third).unwrap().1, Value::Null, "a returned case waits for the driver");
    let counts = ok(server.get_as("/api/v1/staff/case-counts", &clerk).await).await;
    assert_eq!(counts["submitted"], 1);
    assert_eq!(counts["accepted"], 1);
    assert_eq!(counts["returned"], 1);
    assert_eq!(counts["resubmitted"], 0);
    assert!(counts["overdue"].as_u64().unwrap() >= 1, "{counts}");

    // By the day of submission (Beijing), both ends included.
    assert_eq!(queue(&server, &clerk, "?scope=all&from=2026-11-25").await.len(), 2);
    assert_eq!(queue(&server, &clerk, "?scope=all&to=2026-11-24").await, [first.clone()]);
    assert_eq!(queue(&server, &clerk, "?scope=all&from=2026-11-24&to=2026-11-24").await, [first.clone()]);
    assert_eq!(queue(&server, &clerk, "?scope=all&from=2026-11-26").await, Vec::<String>::new());
    // Pages, in the queue's order.
    let everything = queue(&server, &clerk, "?scope=all").await;
    assert_eq!(everything.len(), 3);
    assert_eq!(queue(&server, &clerk, "?scope=all&limit=2").await, everything[..2]);
    assert_eq!(queue(&server, &clerk, "?scope=all&limit=2&offset=2").await, everything[2..]);
    assert_eq!(queue(&server, &clerk, "?scope=all&offset=3").await, Vec::<String>::new());
    let long_hall = format!("?hall={}", "h".repeat(65));
    for query in ["?from=2026-02-30", "?to=yesterday", "?to=", "?from=2026-11-25&to=2026-11-24", long_hall.as_str(), "?limit=0", "?limit=501", "?offset=-1", "?offset=1000001"] {
        let response = server.get_as(&format!("/api/v1/staff/cases{query}"), &clerk).await;
        refused(response, StatusCode::BAD_REQUEST, "invalid_filter", None, None).await;
    }
}

#[tokio::test]
async fn a_case_list_exports_as_csv_without_id_or_phone_numbers_and_is_audited() {
    let (server, clerk) = with_clerk().await;
    let card = CardData::sample();
    let driver = verified_user(&server, A_PHONE, &card).await;
    let case = id_of(&submit_case(&server, &driver, "reissue").await);
    let refused_case = id_of(&submit_case(&server, &driver, "change").await);
    ok(act(&server, &clerk, &refused_case, json!({ "action": "refuse", "reason": "不符合变更条件" })).await).await;

    let response = server.get_as("/api/v1/staff/reports/cases.csv?scope=all", &clerk).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = response.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment; filename=\"cases-20261124.csv\""), "{disposition}");
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM, for Excel");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "办件编号,业务,状态,申请人,证号,提交时间,受理时限,办结时限,已补正");
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1..].iter().any(|l| l.starts_with(&format!("{case},")) && l.contains("2026-11-24 10:00")), "{text}");
    assert!(lines[1..].iter().any(|l| l.starts_with(&format!("{refused_case},")) && l.contains("不予受理")), "{text}");
    for secret in [card.id_number.as_str(), A_PHONE, card.name.as_str()] {
        assert!(!text.contains(secret), "the export shows {secret}");
    }
    // The waiting queue by default, with the same filters as the list.
    let waiting = ok_text(server.get_as("/api/v1/staff/reports/cases.csv", &clerk).await).await;
    assert_eq!(waiting.lines().count(), 2, "{waiting}");
    let search = server.get_as(&format!("/api/v1/staff/reports/cases.csv?q={A_PHONE}"), &clerk).await;
    refused(search, StatusCode::BAD_REQUEST, "invalid_filter", None, None).await;
    assert_eq!(server.get("/api/v1/staff/reports/cases.csv").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(server.get_as("/api/v1/staff/reports/cases.csv", &driver).await.status(), StatusCode::FORBIDDEN);

    let clerk_id = common::staff_id(&server, CLERK).await;
    let audited = common::audit_rows(&server, "cases_exported").await;
    assert_eq!(audited, [("ok".to_owned(), Some(clerk_id), None), ("ok".to_owned(), Some(clerk_id), None)]);
}

async fn ok_text(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::OK);
    String::from_utf8(response.bytes().await.unwrap()[3..].to_vec()).unwrap()
}

#[tokio::test]
async fn each_clerks_decisions_in_a_period_are_counted_with_the_time_to_decide() {
    let (server, _) = with_clerk().await;
    add_staff(&server, "li.clerk", "李办理", StaffRole::Clerk).await;
    let driver = verified_user(&server, A_PHONE, &CardData::sample()).await;
    let a = id_of(&submit_case(&server, &driver, "reissue").await);
    let b = id_of(&submit_case(&server, &driver, "change").await);
    let c = id_of(&submit_case(&server, &driver, "cancellation").await);
    // Two hours on (the clerks sign in again: their sessions were idle).
    server.clock.advance(2 * 3_600);
    let clerk = signed_in(&server, CLERK).await;
    let other = signed_in(&server, "li.clerk").await;
    ok(act(&server, &clerk, &a, json!({ "action": "accept" })).await).await;
    ok(act(&server, &clerk, &b, json!({ "action": "refuse", "reason": "不符合变更条件" })).await).await;
    let correction = json!({ "action": "return", "reason": "联系电话有误", "fields": ["contact_phone"], "materials": [] });
    ok(act(&server, &other, &c, correction).await).await;
    // The next day (outside a one-day period), 王 completes a.
    server.clock.advance(86_400);
    let clerk = signed_in(&server, CLERK).await;
    let done = json!({ "action": "complete", "certificate_number": null, "note": "", "tracking_number": null, "business": "reissue" });
    let completed = act(&server, &clerk, &a, done).await;
    assert_eq!(completed.status(), StatusCode::OK, "{}", completed.text().await.unwrap());

    let report = |period: &str| {
        let server = &server;
        let clerk = clerk.clone();
        let path = format!("/api/v1/staff/reports/clerks{period}");
        async move { ok(server.get_as(&path, &clerk).await).await }
    };
    assert_eq!(
        report("?from=2026-11-24&to=2026-11-24").await,
        json!([
            { "username": "li.clerk", "display_name": "李办理", "accepted": 0, "returned": 1, "completed": 0, "refused": 0, "average_decision_minutes": null },
            { "username": CLERK, "display_name": "王办理", "accepted": 1, "returned": 0, "completed": 0, "refused": 1, "average_decision_minutes": 120 },
        ])
    );
    let both_days = report("?from=2026-11-24&to=2026-11-25").await;
    let wang = both_days.as_array().unwrap().iter().find(|r| r["username"] == CLERK).unwrap().clone();
    assert_eq!((wang["completed"].clone(), wang["refused"].clone()), (json!(1), json!(1)));
    // 2 h for b, 26 h for a: 14 h on average.
    assert_eq!(wang["average_decision_minutes"], 14 * 60);
    assert_eq!(report("?from=2026-11-26&to=2026-11-30").await, json!([]));
    for period in ["", "?from=2026-11-24", "?from=2026-11-25&to=2026-11-24", "?from=x&to=2026-11-24"] {
        let response = server.get_as(&format!("/api/v1/staff/reports/clerks{period}"), &clerk).await;
        refused(response, StatusCode::BAD_REQUEST, "invalid_filter", None, None).await;
    }
}

#[tokio::test]
async fn cases_made_before_the_hall_filter_are_found_by_hall_after_a_restart() {
    let (server, clerk) = with_clerk().await;
    let driver = verified_user(&server, A_PHONE, &CardData::sample()).await;
    let pickup = id_of(&submit_case(&server, &driver, "reissue").await);
    let none = id_of(&submit_case(&server, &driver, "cancellation").await);
    let hall = format!("?hall={}", common::flows::HALL);
    assert_eq!(queue(&server, &clerk, &hall).await, [pickup.clone()]);
    let pool = database(&server).await;
    sqlx::query("UPDATE cases SET hall_id = NULL").execute(&pool).await.unwrap();
    pool.close().await;
    assert_eq!(queue(&server, &clerk, &hall).await, Vec::<String>::new());

    let dir = server.stop().await;
    let mut config = common::test_config(&dir, "/");
    config.realname_auto_approve = true;
    let server = common::spawn_config(dir, config).await;
    let clerk = signed_in(&server, CLERK).await;
    assert_eq!(queue(&server, &clerk, &hall).await, [pickup]);
    let pool = database(&server).await;
    let (filled,): (Option<String>,) =
        sqlx::query_as("SELECT hall_id FROM cases WHERE id = $1").bind(&none).fetch_one(&pool).await.unwrap();
    assert_eq!(filled.as_deref(), Some(""), "a case collected nowhere is filled with ''");
}

#[tokio::test]
async fn two_clerks_deciding_one_case_at_once_decide_it_once_and_the_second_sees_it_moved() {
    let (server, clerk) = with_clerk().await;
    add_staff(&server, "li.clerk", "李办理", StaffRole::Clerk).await;
    let other = signed_in(&server, "li.clerk").await;
    let driver = verified_user(&server, A_PHONE, &CardData::sample()).await;
    let case = id_of(&submit_case(&server, &driver, "reissue").await);
    // 受理 by one and 不予受理 by the other, at the same moment, several times over.
    let refuse = json!({ "action": "refuse", "reason": "不符合补发条件" });
    let (a, b) = tokio::join!(
        act(&server, &clerk, &case, json!({ "action": "accept" })),
        act(&server, &other, &case, refuse.clone()),
    );
    let statuses = [a.status(), b.status()];
    assert_eq!(statuses.iter().filter(|s| s.is_success()).count(), 1, "{statuses:?}");
    let loser = if a.status().is_success() { b } else { a };
    let body = refused(loser, StatusCode::CONFLICT, "action_not_allowed", None, None).await;
    assert!(body["message"].as_str().unwrap().starts_with("该办件当前状态为“"), "the message names the status it moved to: {body}");
    let pool = database(&server).await;
    let decided: Vec<(String,)> = sqlx::query_as(
        "SELECT event FROM case_events WHERE case_id = $1 AND event IN ('accepted', 'refused') ORDER BY id",
    )
    .bind(&case)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(decided.len(), 1, "one decision in the timeline: {decided:?}");

    // Two 办结 at once on an accepted case: one completion, one result.
    let second = id_of(&submit_case(&server, &driver, "change").await);
    ok(act(&server, &clerk, &second, json!({ "action": "accept" })).await).await;
    let completion = json!({ "action": "complete", "business": "change", "note": "" });
    let (a, b) = tokio::join!(act(&server, &clerk, &second, completion.clone()), act(&server, &other, &second, completion));
    assert_eq!([a.status().is_success(), b.status().is_success()].iter().filter(|s| **s).count(), 1);
    let (results,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM case_results WHERE case_id = $1").bind(&second).fetch_one(&pool).await.unwrap();
    assert_eq!(results, 1);
}
