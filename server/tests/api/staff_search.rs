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
