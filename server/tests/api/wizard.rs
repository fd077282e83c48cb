//! The business wizard, black-box: certificates with their reasons, service halls, the profile,
//! the draft saved step by step and checked at each step, and the submission as a case, once
//! per idempotency key however often it is sent. Another user's anything looks like nothing.

use crate::common;

use std::collections::BTreeMap;

use common::{
    database,
    flows::{
        certificates, choosable, choosable_listed, complete_draft, complete_draft_choosing, complete_draft_with, info, info_for, next_number, other_card, put_step,
        refused, saved, spawn_approving, submit, upload, upload_required, with_driver, OTHER_PHONE, PHONE,
    },
    json, log_in, verified_user, TestServer,
};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use taxicert_server::{clock::Clock, workdays::Date};
use taxicert_testkit::CardData;

const BUSINESSES: [&str; 5] = ["reissue", "renewal", "change", "cancellation", "credit_assessment"];
const EXPIRED: &str = "该证已过期，不能办理此业务；有效期届满后180日内可先申请换发，换发后再办理。";

/// Why the demo set's third certificate (expired 400 days ago) serves no business but 注销.
fn lapsed(valid_until: Date) -> String {
    format!(
        "该证有效期已于{valid_until}届满，超过180日未换发，依《道路运输从业人员管理规定》第32条应予注销，不能在网上换发或办理其他业务；\
         如需继续从业，请携带身份证到服务大厅重新申请从业资格，重新参加从业资格考试。"
    )
}

fn today(server: &TestServer) -> Date {
    Date::beijing_today(server.clock.now())
}

async fn delete_upload(server: &TestServer, cookie: &str, id: &str) -> reqwest::Response {
    server.send(Method::DELETE, &format!("/api/v1/uploads/{id}")).header(header::COOKIE, cookie).send().await.unwrap()
}

/// The user's holder key, as the server computed it on the first certificate list.
async fn holder_key(server: &TestServer, phone: &str) -> Vec<u8> {
    let pool = database(server).await;
    let (key,): (Vec<u8>,) = sqlx::query_as("SELECT holder_key FROM users WHERE phone = $1").bind(phone).fetch_one(&pool).await.unwrap();
    key
}

/// A certificate of the register, put there by hand.
async fn insert_certificate(server: &TestServer, holder: &[u8], id: &str, valid_until: Date, status: &str) {
    let pool = database(server).await;
    sqlx::query(
        "INSERT INTO certificates (id, holder_key, number, kind, authority, first_issued, valid_until, status)
         VALUES ($1, $2, $3, 'ride_hailing', '呼和浩特市交通运输局', $4, $5, $6)",
    )
    .bind(id)
    .bind(holder)
    .bind(format!("15010020209{:05}", next_number() % 100_000))
    .bind(valid_until.add_years(-6).to_string())
    .bind(valid_until.to_string())
    .bind(status)
    .execute(&pool)
    .await
    .unwrap();
}

// ---------------------------------------------------------------- certificates

#[tokio::test]
async fn demo_certificates_are_made_up_once_with_a_reason_per_business() {
    let (server, cookie) = with_driver().await;
    let today = today(&server);
    let list = certificates(&server, &cookie, "renewal").await;
    assert_eq!(list.len(), 3);
    let kinds: Vec<&str> = list.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["cruising", "cruising", "ride_hailing"], "by kind, then the latest expiry first");
    let until: Vec<&str> = list.iter().map(|c| c["valid_until"].as_str().unwrap()).collect();
    let ride_hailing_until = today.add_years(3);
    assert_eq!(until, [today.add_days(45).to_string(), today.add_days(-400).to_string(), ride_hailing_until.to_string()]);
    let statuses: Vec<&str> = list.iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["valid", "expired", "valid"]);
    let reasons: Vec<Value> = list.iter().map(|c| c["unavailable_reason"].clone()).collect();
    let opens = ride_hailing_until.add_days(-90);
    let lapsed = lapsed(today.add_days(-400));
    assert_eq!(
        reasons,
        [
            Value::Null,
            json!(lapsed),
            json!(format!("有效期至{ride_hailing_until}，换发须在有效期届满前90日内申请（{opens}起可申请）。")),
        ]
    );
    // What the register records: 准驾车型, the ID card's address, the login phone, an employer.
    let profile = json(server.get_as("/api/v1/profile", &cookie).await).await;
    for certificate in &list {
        assert_eq!(certificate["licence_class"], "C1");
        assert_eq!(certificate["address"], profile["address"]);
        assert_eq!(certificate["phone"], PHONE);
        assert_eq!((certificate["open_case_id"].clone(), certificate["credit"].clone()), (Value::Null, Value::Null));
        assert_eq!(certificate["assessment_periods"], json!([]), "only for 考核");
    }
    assert_eq!(list[0]["employer"], "呼和浩特市示例出租汽车有限公司");
    assert_eq!(list[2]["employer"], "示例网约车平台（呼和浩特）有限公司");
    assert_eq!(list[0]["notice"], Value::Null, "45 days before expiry is not late");
    // 住址 and 联系电话 are sealed in the register.
    let pool = database(&server).await;
    let sealed: Vec<(Vec<u8>,)> = sqlx::query_as("SELECT holder_details FROM certificates").fetch_all(&pool).await.unwrap();
    for (details,) in sealed {
        for clear in [PHONE.as_bytes(), "兴安北路".as_bytes()] {
            assert!(!details.windows(clear.len()).any(|w| w == clear), "in clear in the register");
        }
    }
    for certificate in &list {
        let number = certificate["number"].as_str().unwrap();
        assert!(number.len() == 16 && number.starts_with("150100") && number.bytes().all(|b| b.is_ascii_digit()), "{number}");
        assert!(!number.contains(&CardData::sample().id_number[..12]), "not the ID number");
        assert!(certificate["authority"].as_str().unwrap().contains("呼和浩特市"));
        let first = Date::parse(certificate["first_issued"].as_str().unwrap()).unwrap();
        let until = Date::parse(certificate["valid_until"].as_str().unwrap()).unwrap();
        assert_eq!(first.add_years(6), until);
    }

    // The same certificates for the other businesses, with their own reasons.
    let reasons_for = |list: Vec<Value>| list.iter().map(|c| c["unavailable_reason"].clone()).collect::<Vec<_>>();
    assert_eq!(reasons_for(certificates(&server, &cookie, "cancellation").await), [Value::Null, Value::Null, Value::Null]);
    for business in ["reissue", "change", "credit_assessment"] {
        let again = certificates(&server, &cookie, business).await;
        let ids = |l: &[Value]| l.iter().map(|c| c["id"].clone()).collect::<Vec<_>>();
        assert_eq!(ids(&again), ids(&list), "made up once");
        assert_eq!(reasons_for(again), [Value::Null, json!(lapsed), Value::Null], "{business}");
    }
    // 考核 offers the periods that have ended, the latest first, two at most.
    let credit = certificates(&server, &cookie, "credit_assessment").await;
    let first = Date::parse(credit[0]["first_issued"].as_str().unwrap()).unwrap();
    let periods = credit[0]["assessment_periods"].as_array().unwrap();
    assert_eq!(periods.len(), 2);
    // Period k runs from the first of the month of first issue, k years on, for 12 months.
    let (y, m, _) = first.ymd();
    let mut k = 0;
    while Date::from_ymd(y + k + 2, m, 1).unwrap() <= today {
        k += 1;
    }
    assert_eq!(periods[0]["start"], format!("{:04}-{m:02}-01", y + k));
    assert_eq!(periods[0]["end"], Date::from_ymd(y + k + 1, m, 1).unwrap().add_days(-1).to_string());
    assert!(periods[0]["start"].as_str() > periods[1]["start"].as_str());
    let response = server.get_as("/api/v1/certificates?business=renew", &cookie).await;
    refused(response, StatusCode::NOT_FOUND, "not_found", None, None).await;
    let response = server.get_as("/api/v1/certificates", &cookie).await;
    refused(response, StatusCode::NOT_FOUND, "not_found", None, None).await;
}

#[tokio::test]
async fn renewal_opens_exactly_the_configured_days_before_expiry() {
    let (server, cookie) = with_driver().await;
    certificates(&server, &cookie, "renewal").await;
    let holder = holder_key(&server, PHONE).await;
    let today = today(&server);
    insert_certificate(&server, &holder, "crt_edge", today.add_days(90), "valid").await;
    insert_certificate(&server, &holder, "crt_next", today.add_days(91), "valid").await;
    let reason = |list: &[Value], id: &str| list.iter().find(|c| c["id"] == id).unwrap()["unavailable_reason"].clone();
    let list = certificates(&server, &cookie, "renewal").await;
    assert_eq!(reason(&list, "crt_edge"), Value::Null, "exactly 90 days before expiry");
    let opens = today.add_days(1);
    assert_eq!(
        reason(&list, "crt_next"),
        json!(format!("有效期至{}，换发须在有效期届满前90日内申请（{opens}起可申请）。", today.add_days(91)))
    );
    let response = put_step(&server, &cookie, "renewal", json!({ "step": "notice" })).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = put_step(&server, &cookie, "renewal", json!({ "step": "certificate", "certificate_id": "crt_next" })).await;
    let body = refused(response, StatusCode::BAD_REQUEST, "certificate_unavailable", Some("certificate"), None).await;
    assert!(body["message"].as_str().unwrap().contains("起可申请"));

    // A day later (and signed in again), the window has opened.
    server.clock.advance(24 * 3600);
    let cookie = log_in(&server, PHONE).await;
    let list = certificates(&server, &cookie, "renewal").await;
    assert_eq!(reason(&list, "crt_next"), Value::Null);
    assert_eq!(put_step(&server, &cookie, "renewal", json!({ "step": "certificate", "certificate_id": "crt_next" })).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_shorter_configured_window_moves_the_opening_date() {
    let server = spawn_approving(|c| {
        c.renewal_window_days = 30;
        c.renewal_deadline_days = 10;
    })
    .await;
    let cookie = verified_user(&server, PHONE, &CardData::sample()).await;
    let list = certificates(&server, &cookie, "renewal").await;
    let until = today(&server).add_days(45);
    assert_eq!(
        list[0]["unavailable_reason"],
        json!(format!("有效期至{until}，换发须在有效期届满前30日内申请（{}起可申请）。", until.add_days(-30)))
    );
}

#[tokio::test]
async fn suspended_revoked_cancelled_and_expired_certificates_say_why() {
    let server = spawn_approving(|c| c.demo_certificates = Some(false)).await;
    let cookie = verified_user(&server, PHONE, &CardData::sample()).await;
    assert!(certificates(&server, &cookie, "reissue").await.is_empty());
    let holder = holder_key(&server, PHONE).await;
    let today = today(&server);
    insert_certificate(&server, &holder, "crt_suspended", today.add_years(2), "suspended").await;
    insert_certificate(&server, &holder, "crt_revoked", today.add_years(2).add_days(-1), "revoked").await;
    insert_certificate(&server, &holder, "crt_cancelled", today.add_years(2).add_days(-2), "cancelled").await;
    insert_certificate(&server, &holder, "crt_expired", today.add_days(-1), "valid").await;
    insert_certificate(&server, &holder, "crt_last_day", today, "valid").await;
    let list = certificates(&server, &cookie, "reissue").await;
    let by_id = |id: &str| list.iter().find(|c| c["id"] == id).unwrap().clone();
    assert_eq!(by_id("crt_suspended")["status"], "suspended");
    assert_eq!(by_id("crt_suspended")["unavailable_reason"], "该证处于暂扣状态，暂扣期间不能办理此业务。");
    assert!(by_id("crt_revoked")["unavailable_reason"].as_str().unwrap().contains("吊销"));
    assert!(by_id("crt_cancelled")["unavailable_reason"].as_str().unwrap().contains("已注销"));
    assert_eq!(by_id("crt_expired")["status"], "expired");
    assert_eq!(by_id("crt_expired")["unavailable_reason"], EXPIRED);
    assert_eq!(by_id("crt_last_day")["status"], "valid", "valid through its last day");
    assert_eq!(by_id("crt_last_day")["unavailable_reason"], Value::Null);

    saved(&server, &cookie, "reissue", json!({ "step": "notice" })).await;
    let response = put_step(&server, &cookie, "reissue", json!({ "step": "certificate", "certificate_id": "crt_suspended" })).await;
    refused(response, StatusCode::BAD_REQUEST, "certificate_unavailable", Some("certificate"), Some("该证处于暂扣状态，暂扣期间不能办理此业务。")).await;
    let response = put_step(&server, &cookie, "reissue", json!({ "step": "certificate", "certificate_id": "crt_expired" })).await;
    refused(response, StatusCode::BAD_REQUEST, "certificate_unavailable", Some("certificate"), Some(EXPIRED)).await;
    // 注销 takes an expired certificate, never a suspended one.
    saved(&server, &cookie, "cancellation", json!({ "step": "notice" })).await;
    saved(&server, &cookie, "cancellation", json!({ "step": "certificate", "certificate_id": "crt_expired" })).await;
    let response = put_step(&server, &cookie, "cancellation", json!({ "step": "certificate", "certificate_id": "crt_suspended" })).await;
    refused(response, StatusCode::BAD_REQUEST, "certificate_unavailable", Some("certificate"), None).await;
}

#[tokio::test]
async fn without_demo_certificates_the_list_is_empty() {
    let server = spawn_approving(|c| c.demo_certificates = Some(false)).await;
    let cookie = verified_user(&server, PHONE, &CardData::sample()).await;
    for business in BUSINESSES {
        assert_eq!(certificates(&server, &cookie, business).await, Vec::<Value>::new());
    }
    let pool = database(&server).await;
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM certificates").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn the_wizard_needs_a_session_and_an_approved_real_name() {
    let server = spawn_approving(|_| {}).await;
    let gets = ["/api/v1/certificates?business=renewal", "/api/v1/profile", "/api/v1/drafts", "/api/v1/drafts/renewal", "/api/v1/cases"];
    let unverified = log_in(&server, PHONE).await;
    for path in gets {
        let response = server.get(path).await;
        refused(response, StatusCode::UNAUTHORIZED, "unauthenticated", None, None).await;
        let response = server.get_as(path, &unverified).await;
        refused(response, StatusCode::FORBIDDEN, "realname_required", None, Some("办理从业资格证业务需要先完成实名认证。")).await;
    }
    let writes = [
        (Method::PUT, "/api/v1/drafts/renewal", json!({ "step": "notice" })),
        (Method::DELETE, "/api/v1/drafts/renewal", Value::Null),
        (Method::POST, "/api/v1/cases", json!({ "business": "renewal", "revision": 1 })),
    ];
    for (method, path, body) in writes {
        let request = || server.send(method.clone(), path).header("idempotency-key", "submit-key-0001").json(&body);
        refused(request().send().await.unwrap(), StatusCode::UNAUTHORIZED, "unauthenticated", None, None).await;
        let response = request().header(header::COOKIE, &unverified).send().await.unwrap();
        refused(response, StatusCode::FORBIDDEN, "realname_required", None, None).await;
    }
    // A pending check is not enough either.
    let pool = database(&server).await;
    sqlx::query("UPDATE users SET realname_status = 'pending'").execute(&pool).await.unwrap();
    refused(server.get_as("/api/v1/profile", &unverified).await, StatusCode::FORBIDDEN, "realname_required", None, None).await;
    // And the state-changing ones need the CSRF header like every other.
    let verified = verified_user(&server, OTHER_PHONE, &other_card()).await;
    let response = server
        .client
        .put(format!("{}/api/v1/drafts/renewal", server.base))
        .header(header::COOKIE, &verified)
        .json(&json!({ "step": "notice" }))
        .send()
        .await
        .unwrap();
    refused(response, StatusCode::FORBIDDEN, "csrf", None, None).await;
    refused(put_step(&server, &verified, "renew", json!({ "step": "notice" })).await, StatusCode::NOT_FOUND, "not_found", None, None).await;
}

#[tokio::test]
async fn service_halls_are_public() {
    let server = spawn_approving(|_| {}).await;
    let response = server.get("/api/v1/service-halls").await;
    assert_eq!(response.status(), StatusCode::OK);
    let halls = json(response).await;
    let halls = halls.as_array().unwrap();
    assert!((3..=4).contains(&halls.len()));
    for hall in halls {
        assert!(hall["address"].as_str().unwrap().starts_with("内蒙古自治区"), "{hall}");
        assert_eq!(hall["hours"], "周一至周五 9:00-12:00，13:30-17:30（法定节假日除外）");
        assert!(!hall["name"].as_str().unwrap().is_empty() && !hall["phone"].as_str().unwrap().is_empty());
    }
    assert_eq!(halls[0]["id"], "hall_hhht_xincheng");
}

#[tokio::test]
async fn the_profile_prefills_the_name_the_address_and_the_full_phone() {
    let (server, cookie) = with_driver().await;
    let profile = json(server.get_as("/api/v1/profile", &cookie).await).await;
    assert_eq!(profile, json!({ "name": "王建国", "phone": PHONE, "address": "内蒙古自治区呼和浩特市新城区兴安北路100号" }));
}

// ---------------------------------------------------------------- drafts

#[tokio::test]
async fn steps_are_saved_in_order_only() {
    let (server, cookie) = with_driver().await;
    let notice = "请先阅读业务须知并点击“同意并确认”。";
    let response = server.get_as("/api/v1/drafts/renewal", &cookie).await;
    refused(response, StatusCode::NOT_FOUND, "no_draft", None, Some("没有找到这项业务的草稿，请从业务须知开始办理。")).await;
    let certificate = choosable(&server, &cookie, "renewal").await;
    let uploads = upload_required(&server, &cookie, "renewal").await;
    let steps = [
        json!({ "step": "certificate", "certificate_id": certificate }),
        json!({ "step": "personal_info", "info": info("renewal") }),
        json!({ "step": "materials", "uploads": uploads }),
    ];
    for step in &steps {
        let response = put_step(&server, &cookie, "renewal", step.clone()).await;
        refused(response, StatusCode::CONFLICT, "step_out_of_order", None, Some(notice)).await;
    }
    let draft = saved(&server, &cookie, "renewal", json!({ "step": "notice" })).await;
    assert_eq!(draft["done"], json!(["notice"]));
    assert_eq!(draft["revision"], 1);
    assert_eq!(draft["updated_at"], server.clock.now());
    let response = put_step(&server, &cookie, "renewal", steps[1].clone()).await;
    refused(response, StatusCode::CONFLICT, "step_out_of_order", None, Some("请先选择要办理的从业资格证。")).await;
    let response = put_step(&server, &cookie, "renewal", steps[2].clone()).await;
    refused(response, StatusCode::CONFLICT, "step_out_of_order", None, Some("请先填写申请信息。")).await;
    saved(&server, &cookie, "renewal", steps[0].clone()).await;
    let response = put_step(&server, &cookie, "renewal", steps[2].clone()).await;
    refused(response, StatusCode::CONFLICT, "step_out_of_order", None, Some("请先填写申请信息。")).await;
    saved(&server, &cookie, "renewal", steps[1].clone()).await;
    let draft = saved(&server, &cookie, "renewal", steps[2].clone()).await;
    assert_eq!(draft["done"], json!(["notice", "certificate", "personal_info", "materials"]));
    assert_eq!(draft["revision"], 4);
    assert_eq!(json(server.get_as("/api/v1/drafts/renewal", &cookie).await).await, draft);
    // Malformed answers are the JSON error too.
    let response = put_step(&server, &cookie, "renewal", json!({ "step": "payment" })).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_body", None, None).await;
}

#[tokio::test]
async fn a_certificate_must_be_the_users_own() {
    let (server, cookie) = with_driver().await;
    let other = verified_user(&server, OTHER_PHONE, &other_card()).await;
    let theirs = choosable(&server, &other, "renewal").await;
    certificates(&server, &cookie, "renewal").await;
    saved(&server, &cookie, "renewal", json!({ "step": "notice" })).await;
    let message = "所选从业资格证不存在或不属于您，请重新选择。";
    for id in [theirs.as_str(), "crt_nonexistent", ""] {
        let response = put_step(&server, &cookie, "renewal", json!({ "step": "certificate", "certificate_id": id })).await;
        refused(response, StatusCode::BAD_REQUEST, "certificate_not_found", Some("certificate"), Some(message)).await;
    }
    let listed = certificates(&server, &cookie, "renewal").await;
    let expired = listed[1]["id"].as_str().unwrap().to_owned();
    let lapsed = lapsed(Date::parse(listed[1]["valid_until"].as_str().unwrap()).unwrap());
    let response = put_step(&server, &cookie, "renewal", json!({ "step": "certificate", "certificate_id": expired })).await;
    refused(response, StatusCode::BAD_REQUEST, "certificate_unavailable", Some("certificate"), Some(&lapsed)).await;
}

/// The draft of `business` with 须知 and the first choosable certificate saved: that certificate
/// as listed.
async fn at_personal_info(server: &TestServer, cookie: &str, business: &str) -> Value {
    saved(server, cookie, business, json!({ "step": "notice" })).await;
    let certificate = choosable_listed(server, cookie, business, 0).await;
    saved(server, cookie, business, json!({ "step": "certificate", "certificate_id": certificate["id"] })).await;
    certificate
}

/// The form of [`info_for`] with `change` merged into it (`details` merged key by key).
fn form_with(base: &Value, change: Value) -> Value {
    let mut info = base.clone();
    for (key, value) in change.as_object().unwrap() {
        if key == "details" {
            for (k, v) in value.as_object().unwrap() {
                info["details"][k] = v.clone();
            }
        } else {
            info[key] = value.clone();
        }
    }
    json!({ "step": "personal_info", "info": info })
}

#[tokio::test]
async fn personal_info_is_refused_field_by_field_and_kept_trimmed() {
    let (server, cookie) = with_driver().await;
    at_personal_info(&server, &cookie, "renewal").await;
    let base = info("renewal");
    let post = |region: &str| {
        json!({ "details": { "delivery": { "method": "post", "recipient": "王建国", "phone": "13812345678",
            "region": { "code": region }, "street": "兴安北路100号" } } })
    };
    let cases = [
        (json!({ "details": { "licence_class": "Z9" } }), "licence_class", "准驾车型应为驾驶证上的A1、A2、A3、B1、B2、C1或C2，请重新选择。"),
        (json!({ "details": { "licence_class": "" } }), "licence_class", "请选择准驾车型。"),
        (json!({ "contact_name": "王" }), "contact_name", "联系人至少2个字，请补充完整。"),
        (json!({ "contact_phone": "12345" }), "contact_phone", "联系电话应为11位手机号码，如 13812345678，请核对后重新填写。"),
        (json!({ "details": { "delivery": { "method": "pickup", "hall_id": "hall_nowhere" } } }), "hall", "所选服务大厅已停止办理，请重新选择。"),
        (json!({ "details": { "delivery": { "method": "pickup", "hall_id": "" } } }), "hall", "请选择领取证件的服务大厅。"),
        (post(""), "province", "请选择省份。"),
        (post("999999"), "province", "所选地区已调整或不存在，请重新选择省份、城市和区县。"),
        (post("150000"), "city", "请选择城市。"),
        (post("150100"), "district", "请选择区县。"),
        (info("change"), "business", "申请信息与所办业务不符，请返回业务列表重新进入。"),
    ];
    for (change, field, message) in cases {
        let response = put_step(&server, &cookie, "renewal", form_with(&base, change.clone())).await;
        let body = json(response).await;
        assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("invalid_field"), Some(field)), "{change}: {body}");
        assert_eq!(body["message"], message);
    }
    // A form that does not parse as any business is the JSON error.
    let response = put_step(&server, &cookie, "renewal", form_with(&base, json!({ "details": { "business": "payment" } }))).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_body", None, None).await;
    // A hall that stops handing out certificates is refused too.
    let pool = database(&server).await;
    sqlx::query("UPDATE service_halls SET active = 0 WHERE id = 'hall_baotou'").execute(&pool).await.unwrap();
    let stopped = json!({ "details": { "delivery": { "method": "pickup", "hall_id": "hall_baotou" } } });
    let response = put_step(&server, &cookie, "renewal", form_with(&base, stopped)).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("hall"), None).await;
    let halls = json(server.get("/api/v1/service-halls").await).await;
    assert!(!halls.as_array().unwrap().iter().any(|h| h["id"] == "hall_baotou"));

    // Trimmed, and the region's name is the server's, whatever the client sent.
    let posted = json!({ "details": { "licence_class": " A2 ", "delivery": { "method": "post", "recipient": " 李红梅 ",
        "phone": "13987654321", "region": { "code": " 150203 ", "name": "火星" }, "street": " 钢铁大街20号 " } },
        "contact_name": " 李红梅 " });
    let draft = saved(&server, &cookie, "renewal", form_with(&base, posted)).await;
    let details = &draft["info"]["details"];
    assert_eq!(details["licence_class"], "A2");
    assert_eq!(details["delivery"]["recipient"], "李红梅");
    assert_eq!(details["delivery"]["street"], "钢铁大街20号");
    assert_eq!(details["delivery"]["region"], json!({ "code": "150203", "name": "内蒙古自治区包头市昆都仑区" }));
    assert_eq!(draft["info"]["contact_name"], "李红梅");
}

#[tokio::test]
async fn each_business_asks_its_own_fields() {
    let (server, cookie) = with_driver().await;
    // 注销 and 考核 issue nothing: no delivery, no 准驾车型 — the form has none and passes.
    for business in ["cancellation", "credit_assessment"] {
        let certificate = at_personal_info(&server, &cookie, business).await;
        let form = info_for(business, Some(&certificate));
        assert!(form["details"].get("delivery").is_none() && form["details"].get("licence_class").is_none());
        saved(&server, &cookie, business, json!({ "step": "personal_info", "info": form })).await;
    }
    // 注销: words only for 其他.
    let base = info("cancellation");
    let other = json!({ "details": { "reason": "other", "other_reason": " " } });
    let response = put_step(&server, &cookie, "cancellation", form_with(&base, other)).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("other_reason"), Some("请填写其他注销原因。")).await;
    let draft = saved(&server, &cookie, "cancellation", form_with(&base, json!({ "details": { "reason": "other", "other_reason": " 出国定居 " } }))).await;
    assert_eq!(draft["info"]["details"]["other_reason"], "出国定居");
    // 考核: one of the certificate's periods.
    let certificate = choosable_listed(&server, &cookie, "credit_assessment", 0).await;
    let base = info_for("credit_assessment", Some(&certificate));
    let response = put_step(&server, &cookie, "credit_assessment", form_with(&base, json!({ "details": { "period": { "start": "", "end": "" } } }))).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("period"), Some("请选择考核周期。")).await;
    let never = json!({ "details": { "period": { "start": "2001-01-01", "end": "2001-12-31" } } });
    let response = put_step(&server, &cookie, "credit_assessment", form_with(&base, never)).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("period"), Some("所选考核周期不可申请，请从列表中重新选择。")).await;
    // 变更: what changes, from what to what; the new value must differ from the certificate's.
    let certificate = at_personal_info(&server, &cookie, "change").await;
    let base = info("change");
    let changes = |changes: Value| json!({ "details": { "changes": changes } });
    let same_class = changes(json!([{ "item": "licence_class", "new": certificate["licence_class"] }]));
    let response = put_step(&server, &cookie, "change", form_with(&base, same_class)).await;
    refused(
        response,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("change_licence_class"),
        Some("新准驾车型与证上现有的相同，无需变更；请选择新的准驾车型或取消勾选此项。"),
    )
    .await;
    let same_phone = changes(json!([{ "item": "phone", "new": certificate["phone"] }]));
    let response = put_step(&server, &cookie, "change", form_with(&base, same_phone)).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("change_phone"), None).await;
    let response = put_step(&server, &cookie, "change", form_with(&base, changes(json!([])))).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("changes"), Some("请至少勾选一项变更事项。")).await;
    let no_district = changes(json!([{ "item": "address", "new": { "region": { "code": "150100" }, "street": "新华大街1号" } }]));
    let response = put_step(&server, &cookie, "change", form_with(&base, no_district)).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("change_address_district"), Some("请选择区县。")).await;
    let response = put_step(&server, &cookie, "change", form_with(&base, json!({ "details": { "reason": "换" } }))).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("reason"), Some("变更原因至少2个字，请补充完整。")).await;
    let moved = changes(json!([
        { "item": "address", "new": { "region": { "code": "150102", "name": "" }, "street": " 新华大街1号 " } },
        { "item": "licence_class", "new": "A1" },
    ]));
    let draft = saved(&server, &cookie, "change", form_with(&base, moved)).await;
    let new = &draft["info"]["details"]["changes"][0]["new"];
    assert_eq!(new["region"]["name"], "内蒙古自治区呼和浩特市新城区");
    assert_eq!(new["street"], "新华大街1号");
}

#[tokio::test]
async fn materials_follow_the_answers_and_are_pruned_when_they_change() {
    let (server, cookie) = with_driver().await;
    let catalogue = json(server.get("/api/v1/businesses/reissue").await).await;
    let condition = |code: &str| catalogue["materials"].as_array().unwrap().iter().find(|m| m["code"] == code).unwrap()["condition"].clone();
    assert_eq!(condition("damaged_certificate"), json!({ "when": "reissue_reason", "reason": "damaged" }));
    assert_eq!(condition("loss_statement"), json!({ "when": "reissue_reason", "reason": "lost" }));
    assert_eq!(condition("photo_2inch"), Value::Null);

    // 补发 for loss: no damaged certificate; the 遗失声明 may be added.
    let lost = complete_draft(&server, &cookie, "reissue").await;
    assert!(!lost["uploads"].as_object().unwrap().contains_key("damaged_certificate"));
    let mut uploads: BTreeMap<String, String> = serde_json::from_value(lost["uploads"].clone()).unwrap();
    uploads.insert("loss_statement".into(), upload(&server, &cookie, "loss_statement").await);
    saved(&server, &cookie, "reissue", json!({ "step": "materials", "uploads": uploads.clone() })).await;
    let mut damaged_photo = uploads.clone();
    damaged_photo.insert("damaged_certificate".into(), upload(&server, &cookie, "damaged_certificate").await);
    let response = put_step(&server, &cookie, "reissue", json!({ "step": "materials", "uploads": damaged_photo })).await;
    refused(
        response,
        StatusCode::BAD_REQUEST,
        "material_not_applicable",
        Some("damaged_certificate"),
        Some("按您填写的申请信息，无需上传「损毁的从业资格证」；请刷新页面，按页面列出的材料重新上传。"),
    )
    .await;
    // Now 损毁: the 遗失声明 is dropped and the materials step is to be done again, since the
    // damaged certificate is required and missing.
    let damaged = form_with(&info("reissue"), json!({ "details": { "reason": "damaged" } }));
    let draft = saved(&server, &cookie, "reissue", damaged).await;
    assert_eq!(draft["done"], json!(["notice", "certificate", "personal_info"]));
    assert!(!draft["uploads"].as_object().unwrap().contains_key("loss_statement"));
    let response = put_step(&server, &cookie, "reissue", json!({ "step": "materials", "uploads": draft["uploads"] })).await;
    refused(response, StatusCode::BAD_REQUEST, "materials_missing", Some("damaged_certificate"), None).await;
    let mut with_photo: BTreeMap<String, String> = serde_json::from_value(draft["uploads"].clone()).unwrap();
    with_photo.insert("damaged_certificate".into(), upload(&server, &cookie, "damaged_certificate").await);
    saved(&server, &cookie, "reissue", json!({ "step": "materials", "uploads": with_photo })).await;

    // 变更 of 准驾车型 needs the driving licence, of 服务单位 the labour contract.
    let employer = complete_draft(&server, &cookie, "change").await;
    let codes = |draft: &Value| draft["uploads"].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(codes(&employer), ["cert_info_page", "employment_proof"]);
    let class = form_with(&info("change"), json!({ "details": { "changes": [{ "item": "licence_class", "new": "A1" }] } }));
    let draft = saved(&server, &cookie, "change", class).await;
    assert_eq!(codes(&draft), ["cert_info_page"], "the labour contract is no longer asked for");
    assert_eq!(draft["done"], json!(["notice", "certificate", "personal_info"]));
    let response = put_step(&server, &cookie, "change", json!({ "step": "materials", "uploads": draft["uploads"] })).await;
    refused(response, StatusCode::BAD_REQUEST, "materials_missing", Some("driving_licence"), Some("请上传机动车驾驶证。")).await;
    // A change of phone only needs the certificate page: the materials step stays done.
    saved(&server, &cookie, "change", json!({ "step": "materials", "uploads": { "cert_info_page": draft["uploads"]["cert_info_page"],
        "driving_licence": upload(&server, &cookie, "driving_licence").await } })).await;
    let phone = form_with(&info("change"), json!({ "details": { "changes": [{ "item": "phone", "new": "13700000000" }] } }));
    let draft = saved(&server, &cookie, "change", phone).await;
    assert_eq!(codes(&draft), ["cert_info_page"]);
    assert_eq!(draft["done"], json!(["notice", "certificate", "personal_info", "materials"]));
}

#[tokio::test]
async fn another_certificate_after_the_form_sends_the_driver_back_when_the_form_no_longer_fits() {
    let (server, cookie) = with_driver().await;
    let list = certificates(&server, &cookie, "change").await;
    let (first, ride_hailing) = (list[0]["id"].clone(), list[2]["id"].clone());
    complete_draft(&server, &cookie, "change").await;
    // The form's new 服务单位 differs from both certificates': it still fits, every step stays done.
    let draft = saved(&server, &cookie, "change", json!({ "step": "certificate", "certificate_id": ride_hailing })).await;
    assert_eq!(draft["done"], json!(["notice", "certificate", "personal_info", "materials"]));
    // A change to the first certificate's own 服务单位 fits the ride-hailing one, not the first.
    let own = form_with(&info("change"), json!({ "details": { "changes": [{ "item": "employer", "new": list[0]["employer"] }] } }));
    saved(&server, &cookie, "change", own).await;
    let draft = saved(&server, &cookie, "change", json!({ "step": "certificate", "certificate_id": first })).await;
    assert_eq!(draft["done"], json!(["notice", "certificate"]), "back to the form");
    assert_eq!(draft["info"]["details"]["changes"][0]["new"], list[0]["employer"], "the answers stay, to edit");
    let response = put_step(&server, &cookie, "change", json!({ "step": "materials", "uploads": draft["uploads"] })).await;
    refused(response, StatusCode::CONFLICT, "step_out_of_order", None, Some("请先填写申请信息。")).await;
}

#[tokio::test]
async fn materials_must_be_the_businesss_live_photos_of_this_user() {
    let (server, cookie) = with_driver().await;
    let other = verified_user(&server, OTHER_PHONE, &other_card()).await;
    saved(&server, &cookie, "renewal", json!({ "step": "notice" })).await;
    let certificate = choosable(&server, &cookie, "renewal").await;
    saved(&server, &cookie, "renewal", json!({ "step": "certificate", "certificate_id": certificate })).await;
    saved(&server, &cookie, "renewal", json!({ "step": "personal_info", "info": info("renewal") })).await;
    let uploads = upload_required(&server, &cookie, "renewal").await;
    let materials = |change: &dyn Fn(&mut BTreeMap<String, String>)| {
        let mut uploads = uploads.clone();
        change(&mut uploads);
        json!({ "step": "materials", "uploads": uploads })
    };

    // A material of another business.
    let response = put_step(&server, &cookie, "renewal", materials(&|u| {
        u.insert("loss_statement".into(), u["photo_2inch"].clone());
    }))
    .await;
    refused(response, StatusCode::BAD_REQUEST, "unknown_material", Some("loss_statement"), Some("没有这项材料，请返回上一步重新进入材料上传页面。")).await;

    // Another user's photo.
    let theirs = upload(&server, &other, "driving_licence").await;
    let response = put_step(&server, &cookie, "renewal", materials(&|u| {
        u.insert("driving_licence".into(), theirs.clone());
    }))
    .await;
    let gone = "所选照片已删除或不属于您，请重新上传。";
    refused(response, StatusCode::BAD_REQUEST, "upload_not_found", Some("driving_licence"), Some(gone)).await;

    // A photo taken for another material.
    let response = put_step(&server, &cookie, "renewal", materials(&|u| {
        u.insert("photo_2inch".into(), u["driving_licence"].clone());
    }))
    .await;
    refused(response, StatusCode::BAD_REQUEST, "upload_not_found", Some("photo_2inch"), Some(gone)).await;

    // A deleted photo.
    let deleted = upload(&server, &cookie, "cert_info_page").await;
    assert_eq!(delete_upload(&server, &cookie, &deleted).await.status(), StatusCode::NO_CONTENT);
    let response = put_step(&server, &cookie, "renewal", materials(&|u| {
        u.insert("cert_info_page".into(), deleted.clone());
    }))
    .await;
    refused(response, StatusCode::BAD_REQUEST, "upload_not_found", Some("cert_info_page"), Some(gone)).await;

    // A required material left out: the first one missing, by name.
    let response = put_step(&server, &cookie, "renewal", materials(&|u| {
        u.remove("cert_info_page");
        u.remove("cert_violation_page");
    }))
    .await;
    refused(response, StatusCode::BAD_REQUEST, "materials_missing", Some("cert_info_page"), Some("请上传从业资格证个人信息页。")).await;

    let draft = saved(&server, &cookie, "renewal", materials(&|_| {})).await;
    assert_eq!(draft["uploads"], json!(uploads));
    // An optional material may be added (补发's 遗失声明) or left out.
    complete_draft(&server, &cookie, "reissue").await;
    let mut with_optional = upload_required(&server, &cookie, "reissue").await;
    with_optional.insert("loss_statement".into(), upload(&server, &cookie, "loss_statement").await);
    saved(&server, &cookie, "reissue", json!({ "step": "materials", "uploads": with_optional })).await;
}

#[tokio::test]
async fn saving_an_earlier_step_again_keeps_the_later_answers() {
    let (server, cookie) = with_driver().await;
    let complete = complete_draft(&server, &cookie, "renewal").await;
    assert_eq!(complete["revision"], 4);
    server.clock.advance(60);
    let certificate = complete["certificate_id"].clone();
    let draft = saved(&server, &cookie, "renewal", json!({ "step": "certificate", "certificate_id": certificate })).await;
    assert_eq!(draft["revision"], 5);
    assert_eq!(draft["updated_at"], server.clock.now());
    assert_eq!(draft["done"], complete["done"]);
    assert_eq!((&draft["info"], &draft["uploads"]), (&complete["info"], &complete["uploads"]));
    let draft = saved(&server, &cookie, "renewal", json!({ "step": "notice" })).await;
    assert_eq!(draft["revision"], 6);
    assert_eq!(draft["done"], complete["done"]);
    assert_eq!(draft["info"], complete["info"]);
}

#[tokio::test]
async fn drafts_are_listed_newest_first_and_deleted() {
    let (server, cookie) = with_driver().await;
    assert_eq!(json(server.get_as("/api/v1/drafts", &cookie).await).await, json!([]));
    saved(&server, &cookie, "renewal", json!({ "step": "notice" })).await;
    let certificate = choosable(&server, &cookie, "renewal").await;
    saved(&server, &cookie, "renewal", json!({ "step": "certificate", "certificate_id": certificate })).await;
    let renewal_saved = server.clock.now();
    server.clock.advance(120);
    saved(&server, &cookie, "reissue", json!({ "step": "notice" })).await;
    let list = json(server.get_as("/api/v1/drafts", &cookie).await).await;
    assert_eq!(
        list,
        json!([
            { "business": "reissue", "business_name": "从业资格证补发", "last_step": "notice", "updated_at": renewal_saved + 120 },
            { "business": "renewal", "business_name": "从业资格证换发", "last_step": "certificate", "updated_at": renewal_saved },
        ])
    );
    let delete = |business: &str| server.send(Method::DELETE, &format!("/api/v1/drafts/{business}")).header(header::COOKIE, &cookie).send();
    assert_eq!(delete("renewal").await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(delete("renewal").await.unwrap().status(), StatusCode::NO_CONTENT, "none left is fine");
    refused(delete("renew").await.unwrap(), StatusCode::NOT_FOUND, "not_found", None, None).await;
    refused(server.get_as("/api/v1/drafts/renewal", &cookie).await, StatusCode::NOT_FOUND, "no_draft", None, None).await;
    let list = json(server.get_as("/api/v1/drafts", &cookie).await).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    // Starting again begins at revision 1.
    assert_eq!(saved(&server, &cookie, "renewal", json!({ "step": "notice" })).await["revision"], 1);
}

#[tokio::test]
async fn answers_are_sealed_at_rest() {
    let (server, cookie) = with_driver().await;
    complete_draft(&server, &cookie, "renewal").await;
    let pool = database(&server).await;
    let (answers,): (Vec<u8>,) = sqlx::query_as("SELECT answers FROM drafts").fetch_one(&pool).await.unwrap();
    for clear in ["王建国".as_bytes(), b"13812345678", b"hall_hhht_xincheng"] {
        assert!(!answers.windows(clear.len()).any(|w| w == clear), "in clear in the draft");
    }
}

// ---------------------------------------------------------------- cases

/// 2026-11-27 10:00 Beijing time, a Friday.
const FRIDAY: i64 = common::START + 3 * 24 * 3600;

#[tokio::test]
async fn each_business_is_submitted_as_a_case_due_in_working_days() {
    let server = spawn_approving(|_| {}).await;
    server.clock.advance(FRIDAY - common::START);
    let cookie = verified_user(&server, PHONE, &CardData::sample()).await;
    let mut ids = Vec::new();
    for (i, business) in BUSINESSES.iter().enumerate() {
        // 补发 on the ride-hailing certificate: the 换发 after it takes the cruising one, and
        // the two cannot be open on one certificate at once.
        let draft = complete_draft_choosing(&server, &cookie, business, usize::from(*business == "reissue")).await;
        let response = submit(&server, &cookie, &format!("submit-{business}"), business, &draft["revision"]).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{business}");
        let case = json(response).await;
        let id = case["id"].as_str().unwrap().to_owned();
        assert_eq!(id, format!("TC20261127{:06}", i + 1), "the Beijing date and the day's sequence");
        assert_eq!(case["business"], *business);
        assert_eq!(case["status"], "submitted");
        assert_eq!(case["submitted_at"], server.clock.now());
        // Friday + 2 working days = Tuesday; Tuesday + 3 = Friday, on the official 2026 calendar.
        assert_eq!((case["accept_by"].as_str(), case["decide_by"].as_str()), (Some("2026-12-01"), Some("2026-12-04")));
        assert_eq!(case["due_dates_estimated"], false);
        let detail = json(server.get(&format!("/api/v1/businesses/{business}")).await).await;
        assert_eq!(case["business_name"], detail["name"]);
        refused(server.get_as(&format!("/api/v1/drafts/{business}"), &cookie).await, StatusCode::NOT_FOUND, "no_draft", None, None).await;
        ids.push(id);
        server.clock.advance(60);
    }
    let cases = json(server.get_as("/api/v1/cases", &cookie).await).await;
    let listed: Vec<&str> = cases.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    ids.reverse();
    assert_eq!(listed, ids, "newest first");
    assert_eq!(json(server.get_as("/api/v1/drafts", &cookie).await).await, json!([]));

    let pool = database(&server).await;
    let audit: Vec<(Option<i64>, Option<String>, String)> =
        sqlx::query_as("SELECT user_id, phone_masked, outcome FROM audit_log WHERE event = 'case_submitted'").fetch_all(&pool).await.unwrap();
    assert_eq!(audit.len(), 5);
    assert!(audit.iter().all(|(user, phone, outcome)| user.is_some() && phone.is_none() && outcome == "ok"));
    let (sealed,): (Vec<u8>,) = sqlx::query_as("SELECT answers FROM cases LIMIT 1").fetch_one(&pool).await.unwrap();
    assert!(!sealed.windows(11).any(|w| w == PHONE.as_bytes()), "the snapshot is sealed");
    let (linked,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM case_uploads").fetch_one(&pool).await.unwrap();
    assert_eq!(linked, 12, "every required photo that applies: 补发 for loss 2, 换发 4, 变更 of 服务单位 2, 注销 2, 考核 2");
    let (named,): (i64,) =
        sqlx::query_as("SELECT COUNT(DISTINCT certificate_id) FROM cases WHERE certificate_id IS NOT NULL").fetch_one(&pool).await.unwrap();
    assert_eq!(named, 2, "each case names its certificate: 补发 the ride-hailing one, the others the cruising one");

    // The sequence starts again the next day (a Saturday: accepted by Tuesday), on the other
    // certificate: the first has a 变更 open.
    server.clock.advance(24 * 3600);
    let cookie = log_in(&server, PHONE).await;
    let draft = complete_draft_choosing(&server, &cookie, "change", 0).await;
    assert_ne!(draft["certificate_id"], json!(null));
    let case = json(submit(&server, &cookie, "submit-saturday", "change", &draft["revision"]).await).await;
    assert_eq!(case["id"], "TC20261128000001");
    assert_eq!((case["accept_by"].as_str(), case["decide_by"].as_str()), (Some("2026-12-01"), Some("2026-12-04")));
}

#[tokio::test]
async fn a_replayed_submission_returns_the_same_case_and_a_new_key_finds_no_draft() {
    let (server, cookie) = with_driver().await;
    let draft = complete_draft(&server, &cookie, "renewal").await;
    let first = submit(&server, &cookie, "submit-key-0001", "renewal", &draft["revision"]).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first = json(first).await;
    server.clock.advance(30);
    let again = submit(&server, &cookie, "submit-key-0001", "renewal", &draft["revision"]).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(json(again).await, first);
    let response = submit(&server, &cookie, "submit-key-0002", "renewal", &draft["revision"]).await;
    refused(response, StatusCode::CONFLICT, "no_draft", None, None).await;
    for key in ["short", "has space in it", ""] {
        let response = submit(&server, &cookie, key, "renewal", &draft["revision"]).await;
        refused(response, StatusCode::BAD_REQUEST, "idempotency_key_missing", None, None).await;
    }
    assert_eq!(json(server.get_as("/api/v1/cases", &cookie).await).await.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn twenty_simultaneous_submissions_with_one_key_make_one_case() {
    let (server, cookie) = with_driver().await;
    let draft = complete_draft(&server, &cookie, "renewal").await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let request = server
            .send(Method::POST, "/api/v1/cases")
            .header(header::COOKIE, &cookie)
            .header("idempotency-key", "submit-at-once-0001")
            .json(&json!({ "business": "renewal", "revision": draft["revision"] }));
        tasks.spawn(async move {
            let response = request.send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap())
        });
    }
    let answers = tasks.join_all().await;
    let created = answers.iter().filter(|(status, _)| *status == StatusCode::CREATED).count();
    assert_eq!(created, 1, "{answers:?}");
    assert!(answers.iter().all(|(status, _)| *status == StatusCode::CREATED || *status == StatusCode::OK), "{answers:?}");
    assert!(answers.iter().all(|(_, case)| case["id"] == answers[0].1["id"]));
    let pool = database(&server).await;
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cases").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn a_changed_draft_and_a_missing_step_are_refused() {
    let (server, cookie) = with_driver().await;
    let draft = complete_draft(&server, &cookie, "renewal").await;
    // Saved again in another tab after the user checked revision 4.
    saved(&server, &cookie, "renewal", json!({ "step": "personal_info", "info": info("renewal") })).await;
    let response = submit(&server, &cookie, "submit-key-0001", "renewal", &draft["revision"]).await;
    refused(response, StatusCode::CONFLICT, "draft_changed", None, Some("申请内容已在其他页面修改，请返回核对信息页重新核对后再提交。")).await;
    let response = submit(&server, &cookie, "submit-key-0001", "renewal", &json!(5)).await;
    assert_eq!(response.status(), StatusCode::CREATED, "the refused key is free to succeed later");

    saved(&server, &cookie, "change", json!({ "step": "notice" })).await;
    let certificate = choosable(&server, &cookie, "change").await;
    saved(&server, &cookie, "change", json!({ "step": "certificate", "certificate_id": certificate })).await;
    let draft = saved(&server, &cookie, "change", json!({ "step": "personal_info", "info": info("change") })).await;
    let response = submit(&server, &cookie, "submit-key-0002", "change", &draft["revision"]).await;
    refused(response, StatusCode::CONFLICT, "step_missing", None, Some("请先上传全部必传材料。")).await;
}

#[tokio::test]
async fn what_changed_since_a_step_was_saved_is_checked_again_at_submission() {
    let (server, cookie) = with_driver().await;
    let draft = complete_draft(&server, &cookie, "renewal").await;
    // A photo deleted after the materials step.
    let licence = draft["uploads"]["driving_licence"].as_str().unwrap();
    assert_eq!(delete_upload(&server, &cookie, licence).await.status(), StatusCode::NO_CONTENT);
    let response = submit(&server, &cookie, "submit-key-0001", "renewal", &draft["revision"]).await;
    refused(response, StatusCode::BAD_REQUEST, "upload_not_found", Some("driving_licence"), None).await;

    // The certificate suspended after it was chosen.
    let mut uploads: BTreeMap<String, String> = serde_json::from_value(draft["uploads"].clone()).unwrap();
    uploads.insert("driving_licence".into(), upload(&server, &cookie, "driving_licence").await);
    let draft = saved(&server, &cookie, "renewal", json!({ "step": "materials", "uploads": uploads })).await;
    let pool = database(&server).await;
    sqlx::query("UPDATE certificates SET status = 'suspended' WHERE id = $1").bind(draft["certificate_id"].as_str()).execute(&pool).await.unwrap();
    let response = submit(&server, &cookie, "submit-key-0002", "renewal", &draft["revision"]).await;
    refused(response, StatusCode::BAD_REQUEST, "certificate_unavailable", Some("certificate"), Some("该证处于暂扣状态，暂扣期间不能办理此业务。")).await;
    sqlx::query("UPDATE certificates SET status = 'valid'").execute(&pool).await.unwrap();

    // The chosen hall stopped handing out certificates.
    sqlx::query("UPDATE service_halls SET active = 0 WHERE id = 'hall_hhht_xincheng'").execute(&pool).await.unwrap();
    let response = submit(&server, &cookie, "submit-key-0003", "renewal", &draft["revision"]).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("hall"), None).await;
    sqlx::query("UPDATE service_halls SET active = 1").execute(&pool).await.unwrap();

    assert_eq!(submit(&server, &cookie, "submit-key-0004", "renewal", &draft["revision"]).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_photo_submitted_with_a_case_cannot_be_deleted() {
    let (server, cookie) = with_driver().await;
    let draft = complete_draft(&server, &cookie, "cancellation").await;
    assert_eq!(submit(&server, &cookie, "submit-key-0001", "cancellation", &draft["revision"]).await.status(), StatusCode::CREATED);
    for id in draft["uploads"].as_object().unwrap().values() {
        let response = delete_upload(&server, &cookie, id.as_str().unwrap()).await;
        refused(response, StatusCode::CONFLICT, "upload_in_case", None, Some("该照片已随申请提交，不能删除。")).await;
        let image = server.get_as(&format!("/api/v1/uploads/{}/image", id.as_str().unwrap()), &cookie).await;
        assert_eq!(image.status(), StatusCode::OK, "still there");
    }
    let loose = upload(&server, &cookie, "cert_info_page").await;
    assert_eq!(delete_upload(&server, &cookie, &loose).await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn another_user_sees_neither_the_draft_nor_the_case() {
    let (server, cookie) = with_driver().await;
    let other = verified_user(&server, OTHER_PHONE, &other_card()).await;
    let draft = complete_draft(&server, &cookie, "renewal").await;
    assert_eq!(json(server.get_as("/api/v1/drafts", &other).await).await, json!([]));
    refused(server.get_as("/api/v1/drafts/renewal", &other).await, StatusCode::NOT_FOUND, "no_draft", None, None).await;
    // His submission of the same business with the same key is his alone: he has no draft.
    let response = submit(&server, &other, "submit-key-0001", "renewal", &draft["revision"]).await;
    refused(response, StatusCode::CONFLICT, "no_draft", None, None).await;
    let case = json(submit(&server, &cookie, "submit-key-0001", "renewal", &draft["revision"]).await).await;
    assert_eq!(json(server.get_as("/api/v1/cases", &other).await).await, json!([]));
    let response = submit(&server, &other, "submit-key-0001", "renewal", &draft["revision"]).await;
    refused(response, StatusCode::CONFLICT, "no_draft", None, None).await;
    // The owner's photos in the case are a missing photo to him, not a refusal that tells.
    let photo = draft["uploads"]["photo_2inch"].as_str().unwrap();
    refused(delete_upload(&server, &other, photo).await, StatusCode::NOT_FOUND, "not_found", None, None).await;
    // His draft cannot name the owner's photos or certificate either.
    saved(&server, &other, "renewal", json!({ "step": "notice" })).await;
    let response = put_step(&server, &other, "renewal", json!({ "step": "certificate", "certificate_id": draft["certificate_id"] })).await;
    refused(response, StatusCode::BAD_REQUEST, "certificate_not_found", Some("certificate"), None).await;
    let cases = json(server.get_as("/api/v1/cases", &cookie).await).await;
    assert_eq!(cases, json!([case]));
}

// ---------------------------------------------------------------- the renewal window

#[tokio::test]
async fn the_renewal_window_has_its_edges_before_and_after_expiry() {
    let server = spawn_approving(|c| c.demo_certificates = Some(false)).await;
    let cookie = verified_user(&server, PHONE, &CardData::sample()).await;
    certificates(&server, &cookie, "renewal").await;
    let holder = holder_key(&server, PHONE).await;
    let today = today(&server);
    // Days from today to expiry: before (positive) and after (negative).
    let edges = [91, 90, 31, 30, -1, -180, -181];
    for days in edges {
        insert_certificate(&server, &holder, &format!("crt_{days}"), today.add_days(days), "valid").await;
    }
    let list = certificates(&server, &cookie, "renewal").await;
    let at = |days: i64| list.iter().find(|c| c["id"] == format!("crt_{days}")).unwrap().clone();
    let until = |days: i64| today.add_days(days);
    assert_eq!(
        at(91)["unavailable_reason"],
        json!(format!("有效期至{}，换发须在有效期届满前90日内申请（{}起可申请）。", until(91), today.add_days(1)))
    );
    for days in [90, 31] {
        assert_eq!((at(days)["unavailable_reason"].clone(), at(days)["notice"].clone()), (Value::Null, Value::Null), "{days}");
    }
    assert_eq!(at(30)["unavailable_reason"], Value::Null);
    assert_eq!(
        at(30)["notice"],
        json!(format!("有效期至{}，应在有效期届满30日前申请换发，现已超过该期限；仍可申请，请尽快提交。", until(30)))
    );
    for (days, late) in [(-1, 1), (-180, 180)] {
        assert_eq!(at(days)["status"], "expired");
        assert_eq!(at(days)["unavailable_reason"], Value::Null, "{days}");
        assert_eq!(
            at(days)["notice"],
            json!(format!(
                "该证有效期已于{}届满，已逾期{late}天，本次为逾期换发；届满超过180日仍未换发的，该证将依法注销，请尽快提交。",
                until(days)
            ))
        );
    }
    assert_eq!(at(-181)["unavailable_reason"], json!(lapsed(until(-181))));
    assert_eq!(at(-181)["notice"], Value::Null);

    // Expired: 补发, 变更 and 考核 refused, 注销 taken, whatever the grace.
    for business in ["reissue", "change", "credit_assessment"] {
        let list = certificates(&server, &cookie, business).await;
        let reason = |id: &str| list.iter().find(|c| c["id"] == id).unwrap()["unavailable_reason"].clone();
        assert_eq!(reason("crt_-1"), json!(EXPIRED), "{business}");
        assert_eq!(reason("crt_-181"), json!(lapsed(until(-181))), "{business}");
    }
    let list = certificates(&server, &cookie, "cancellation").await;
    assert!(list.iter().all(|c| c["unavailable_reason"].is_null()));

    // The step says the same.
    saved(&server, &cookie, "renewal", json!({ "step": "notice" })).await;
    saved(&server, &cookie, "renewal", json!({ "step": "certificate", "certificate_id": "crt_-180" })).await;
    let response = put_step(&server, &cookie, "renewal", json!({ "step": "certificate", "certificate_id": "crt_-181" })).await;
    refused(response, StatusCode::BAD_REQUEST, "certificate_unavailable", Some("certificate"), Some(&lapsed(until(-181)))).await;

    // The next day, 180 days after has become 181, and 31 before has become late.
    server.clock.advance(24 * 3600);
    let cookie = log_in(&server, PHONE).await;
    let list = certificates(&server, &cookie, "renewal").await;
    let at = |days: i64| list.iter().find(|c| c["id"] == format!("crt_{days}")).unwrap().clone();
    assert!(at(-180)["unavailable_reason"].as_str().unwrap().contains("第32条"));
    assert!(at(31)["notice"].as_str().unwrap().contains("30日前"));
    assert_eq!(at(91)["unavailable_reason"], Value::Null);
}

#[tokio::test]
async fn a_configured_deadline_and_grace_move_the_edges() {
    let server = spawn_approving(|c| {
        c.demo_certificates = Some(false);
        c.renewal_deadline_days = 10;
        c.renewal_grace_days = 20;
    })
    .await;
    let cookie = verified_user(&server, PHONE, &CardData::sample()).await;
    certificates(&server, &cookie, "renewal").await;
    let holder = holder_key(&server, PHONE).await;
    let today = today(&server);
    for days in [11, 10, -20, -21] {
        insert_certificate(&server, &holder, &format!("crt_{days}"), today.add_days(days), "valid").await;
    }
    let list = certificates(&server, &cookie, "renewal").await;
    let at = |days: i64| list.iter().find(|c| c["id"] == format!("crt_{days}")).unwrap().clone();
    assert_eq!(at(11)["notice"], Value::Null);
    assert!(at(10)["notice"].as_str().unwrap().contains("应在有效期届满10日前申请换发"));
    assert!(at(-20)["notice"].as_str().unwrap().contains("已逾期20天"));
    assert!(at(-21)["unavailable_reason"].as_str().unwrap().contains("超过20日未换发"));
}

// ---------------------------------------------------------------- one open application

/// `count` more accounts that share the driver's certificates: verified by hand in the
/// database with his holder key, as accounts verified with one ID number before one person
/// could have only one account. Their cookies.
async fn sharing_accounts(server: &TestServer, driver: &str, count: usize) -> Vec<String> {
    // The driver's key is computed on his first list (and the demo set made up).
    certificates(server, driver, "renewal").await;
    let holder = holder_key(server, PHONE).await;
    let pool = database(server).await;
    let mut cookies = Vec::new();
    for i in 0..count {
        let phone = format!("1360000{:04}", i);
        let cookie = log_in(server, &phone).await;
        sqlx::query("UPDATE users SET realname_status = 'approved', holder_key = $1 WHERE phone = $2")
            .bind(&holder)
            .bind(&phone)
            .execute(&pool)
            .await
            .unwrap();
        cookies.push(cookie);
    }
    cookies
}

fn duplicate_message(business_name: &str, case_id: &str) -> String {
    format!("该证已有一件{business_name}申请正在办理（办件编号 {case_id}），请在“我的办件”中查看进度；办结后才能再次申请。")
}

#[tokio::test]
async fn a_second_application_of_a_business_on_a_certificate_is_refused_until_the_first_ends() {
    let (server, cookie) = with_driver().await;
    let pool = database(&server).await;
    let first = json(submit(&server, &cookie, "submit-first-0001", "renewal", &complete_draft(&server, &cookie, "renewal").await["revision"]).await).await;
    let first_id = first["id"].as_str().unwrap().to_owned();
    let message = duplicate_message("从业资格证换发", &first_id);
    // Listed as blocked, with the case to follow, before the driver types anything.
    let list = certificates(&server, &cookie, "renewal").await;
    assert_eq!(list[0]["open_case_id"], json!(first_id));
    assert_eq!(list[0]["unavailable_reason"], json!(message));
    // Other businesses on the same certificate are free (but 补发: see the test after this one).
    assert_eq!(certificates(&server, &cookie, "change").await[0]["open_case_id"], Value::Null);
    saved(&server, &cookie, "renewal", json!({ "step": "notice" })).await;
    let response = put_step(&server, &cookie, "renewal", json!({ "step": "certificate", "certificate_id": list[0]["id"] })).await;
    let body = refused(response, StatusCode::CONFLICT, "duplicate_application", None, Some(&message)).await;
    assert_eq!(body["case_id"], json!(first_id));

    // At submission: a draft completed before another account sharing the certificate
    // submitted the same business.
    server.clock.advance(60);
    sqlx::query("UPDATE cases SET status = 'withdrawn' WHERE id = $1").bind(&first_id).execute(&pool).await.unwrap();
    let draft = complete_draft(&server, &cookie, "renewal").await;
    let sharing = sharing_accounts(&server, &cookie, 1).await;
    let theirs = json(submit(&server, &sharing[0], "submit-theirs-01", "renewal", &complete_draft(&server, &sharing[0], "renewal").await["revision"]).await).await;
    let theirs_id = theirs["id"].as_str().unwrap();
    let response = submit(&server, &cookie, "submit-second-01", "renewal", &draft["revision"]).await;
    let body = refused(response, StatusCode::CONFLICT, "duplicate_application", None, Some(&duplicate_message("从业资格证换发", theirs_id))).await;
    assert_eq!(body["case_id"], json!(theirs_id));

    // Once it is completed (or withdrawn, refused), a new application is taken.
    for status in ["completed", "refused"] {
        sqlx::query("UPDATE cases SET status = $1 WHERE id = $2").bind(status).bind(theirs_id).execute(&pool).await.unwrap();
        assert_eq!(certificates(&server, &cookie, "renewal").await[0]["open_case_id"], Value::Null, "{status}");
    }
    let response = submit(&server, &cookie, "submit-second-01", "renewal", &draft["revision"]).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

/// Why 补发 is refused while the 换发 `case_id` is open on the certificate.
fn reissue_blocked_by_renewal(case_id: &str) -> String {
    format!(
        "该证已有一件从业资格证换发申请正在办理（办件编号 {case_id}），换发办结时会制发新证，无需另行申请补发；\
         补发和换发不能同时办理，请在“我的办件”中查看换发进度。"
    )
}

/// Why 换发 is refused while the 补发 `case_id` is open on the certificate.
fn renewal_blocked_by_reissue(case_id: &str) -> String {
    format!(
        "该证已有一件从业资格证补发申请正在办理（办件编号 {case_id}），补发办结时也会制发新证；\
         补发和换发不能同时办理，请在“我的办件”中查看补发进度，补发办结后再申请换发。"
    )
}

#[tokio::test]
async fn reissue_and_renewal_both_issue_a_certificate_so_one_open_blocks_the_other() {
    let (server, cookie) = with_driver().await;
    let pool = database(&server).await;
    // A 补发 completed before the 换发 was submitted: checked again at submission.
    let reissue_draft = complete_draft(&server, &cookie, "reissue").await;
    let renewal = json(submit(&server, &cookie, "submit-renewal-01", "renewal", &complete_draft(&server, &cookie, "renewal").await["revision"]).await).await;
    let renewal_id = renewal["id"].as_str().unwrap().to_owned();
    let certificate = renewal_certificate(&server).await;

    // Listed as blocked for 补发, with the 换发 to follow and why, before the driver types anything.
    let listed = certificates(&server, &cookie, "reissue").await;
    let blocked = listed.iter().find(|c| c["id"] == certificate).unwrap();
    assert_eq!(blocked["open_case_id"], json!(renewal_id));
    assert_eq!(blocked["unavailable_reason"], json!(reissue_blocked_by_renewal(&renewal_id)));
    // Another certificate, and the other businesses on this one, are free.
    assert!(listed.iter().any(|c| c["id"] != certificate && c["unavailable_reason"].is_null()), "{listed:?}");
    for business in ["change", "credit_assessment"] {
        let other = certificates(&server, &cookie, business).await;
        assert_eq!(other.iter().find(|c| c["id"] == certificate).unwrap()["open_case_id"], Value::Null, "{business}");
    }
    // At submission…
    let response = submit(&server, &cookie, "submit-reissue-01", "reissue", &reissue_draft["revision"]).await;
    let body = refused(response, StatusCode::CONFLICT, "duplicate_application", None, Some(&reissue_blocked_by_renewal(&renewal_id))).await;
    assert_eq!(body["case_id"], json!(renewal_id));
    // …and at the certificate step.
    saved(&server, &cookie, "reissue", json!({ "step": "notice" })).await;
    let response = put_step(&server, &cookie, "reissue", json!({ "step": "certificate", "certificate_id": certificate })).await;
    let body = refused(response, StatusCode::CONFLICT, "duplicate_application", None, Some(&reissue_blocked_by_renewal(&renewal_id))).await;
    assert_eq!(body["case_id"], json!(renewal_id));

    // The other way round: the 换发 withdrawn, a 补发 is taken, and blocks a new 换发.
    sqlx::query("UPDATE cases SET status = 'withdrawn' WHERE id = $1").bind(&renewal_id).execute(&pool).await.unwrap();
    let renewal_draft = complete_draft(&server, &cookie, "renewal").await;
    let reissue_draft = complete_draft_with(&server, &cookie, "reissue", certificate.as_str().unwrap(), info("reissue")).await;
    let reissue = json(submit(&server, &cookie, "submit-reissue-02", "reissue", &reissue_draft["revision"]).await).await;
    let reissue_id = reissue["id"].as_str().unwrap().to_owned();
    let listed = certificates(&server, &cookie, "renewal").await;
    let blocked = listed.iter().find(|c| c["id"] == certificate).unwrap();
    assert_eq!(blocked["open_case_id"], json!(reissue_id));
    assert_eq!(blocked["unavailable_reason"], json!(renewal_blocked_by_reissue(&reissue_id)));
    let response = submit(&server, &cookie, "submit-renewal-02", "renewal", &renewal_draft["revision"]).await;
    let body = refused(response, StatusCode::CONFLICT, "duplicate_application", None, Some(&renewal_blocked_by_reissue(&reissue_id))).await;
    assert_eq!(body["case_id"], json!(reissue_id));
    saved(&server, &cookie, "renewal", json!({ "step": "notice" })).await;
    let response = put_step(&server, &cookie, "renewal", json!({ "step": "certificate", "certificate_id": certificate })).await;
    assert_eq!(refused(response, StatusCode::CONFLICT, "duplicate_application", None, None).await["case_id"], json!(reissue_id));

    // Once the 补发 has ended, the 换发 is taken.
    sqlx::query("UPDATE cases SET status = 'completed' WHERE id = $1").bind(&reissue_id).execute(&pool).await.unwrap();
    let renewal_draft = complete_draft(&server, &cookie, "renewal").await;
    let response = submit(&server, &cookie, "submit-renewal-03", "renewal", &renewal_draft["revision"]).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

/// The certificate the driver's (only) 换发 case is on.
async fn renewal_certificate(server: &TestServer) -> Value {
    let (id,): (String,) = sqlx::query_as("SELECT certificate_id FROM cases WHERE business_code = 'renewal' ORDER BY submitted_at DESC LIMIT 1")
        .fetch_one(&database(server).await)
        .await
        .unwrap();
    json!(id)
}

#[tokio::test]
async fn an_accepted_cancellation_blocks_every_business_and_a_completed_one_ends_the_certificate() {
    let (server, cookie) = with_driver().await;
    let pool = database(&server).await;
    let cancellation = json(submit(&server, &cookie, "submit-cancel-01", "cancellation", &complete_draft(&server, &cookie, "cancellation").await["revision"]).await).await;
    let id = cancellation["id"].as_str().unwrap().to_owned();
    let certificate = certificates(&server, &cookie, "reissue").await[0]["id"].clone();
    // Only submitted: it may still be withdrawn, the other businesses are free.
    for business in ["reissue", "renewal", "change", "credit_assessment"] {
        assert_eq!(certificates(&server, &cookie, business).await[0]["open_case_id"], Value::Null, "{business}");
    }
    let reissue = complete_draft(&server, &cookie, "reissue").await;
    // Accepted (and returned after acceptance, still on its way): every business is blocked.
    for (status, returned_from) in [("accepted", None), ("returned", Some("accepted"))] {
        sqlx::query("UPDATE cases SET status = $1, returned_from = $2 WHERE id = $3")
            .bind(status)
            .bind(returned_from)
            .bind(&id)
            .execute(&pool)
            .await
            .unwrap();
        for (business, name) in [("reissue", "从业资格证补发"), ("renewal", "从业资格证换发"), ("change", "从业资格证变更"), ("credit_assessment", "服务质量信誉考核")] {
            let listed = certificates(&server, &cookie, business).await[0].clone();
            assert_eq!(listed["open_case_id"], json!(id), "{business}");
            assert_eq!(
                listed["unavailable_reason"],
                json!(format!("该证的注销申请（办件编号 {id}）已受理，注销办结后该证不能再办理任何业务，因此不能申请{name}；请在“我的办件”中查看进度。"))
            );
        }
        let response = submit(&server, &cookie, &format!("submit-reissue-{status}"), "reissue", &reissue["revision"]).await;
        let body = refused(response, StatusCode::CONFLICT, "duplicate_application", None, None).await;
        assert_eq!(body["case_id"], json!(id));
        saved(&server, &cookie, "change", json!({ "step": "notice" })).await;
        let response = put_step(&server, &cookie, "change", json!({ "step": "certificate", "certificate_id": certificate })).await;
        assert_eq!(refused(response, StatusCode::CONFLICT, "duplicate_application", None, None).await["case_id"], json!(id));
    }
    // Returned before acceptance, it blocks only another 注销.
    sqlx::query("UPDATE cases SET status = 'returned', returned_from = 'submitted' WHERE id = $1").bind(&id).execute(&pool).await.unwrap();
    assert_eq!(certificates(&server, &cookie, "reissue").await[0]["open_case_id"], Value::Null);
    assert_eq!(certificates(&server, &cookie, "cancellation").await[0]["open_case_id"], json!(id));

    // Completed: the certificate is cancelled, unavailable for everything, with no case to follow.
    sqlx::query("UPDATE cases SET status = 'completed', returned_from = NULL WHERE id = $1").bind(&id).execute(&pool).await.unwrap();
    sqlx::query("UPDATE certificates SET status = 'cancelled' WHERE id = $1").bind(certificate.as_str()).execute(&pool).await.unwrap();
    for business in BUSINESSES {
        let listed = certificates(&server, &cookie, business).await[0].clone();
        assert_eq!(listed["status"], "cancelled");
        assert_eq!(listed["unavailable_reason"], "该证已注销，不能办理此业务；如需继续从业，须重新申请从业资格。", "{business}");
        assert_eq!(listed["open_case_id"], Value::Null);
    }
    let response = submit(&server, &cookie, "submit-reissue-after", "reissue", &reissue["revision"]).await;
    refused(response, StatusCode::BAD_REQUEST, "certificate_unavailable", Some("certificate"), None).await;
}

#[tokio::test]
async fn twenty_submissions_at_once_of_one_draft_with_twenty_keys_make_one_case() {
    // One driver taps 提交 on twenty tabs, each with its own key: the first takes the draft,
    // the others find it gone (or, had it not been deleted, the case open): never two cases.
    let (server, cookie) = with_driver().await;
    let draft = complete_draft(&server, &cookie, "renewal").await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let request = server
            .send(Method::POST, "/api/v1/cases")
            .header(header::COOKIE, &cookie)
            .header("idempotency-key", format!("submit-tab-{i:04}"))
            .json(&json!({ "business": "renewal", "revision": draft["revision"] }));
        tasks.spawn(async move {
            let response = request.send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap())
        });
    }
    let answers = tasks.join_all().await;
    assert_eq!(answers.iter().filter(|(status, _)| *status == StatusCode::CREATED).count(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(status, _)| *status != StatusCode::CREATED) {
        assert_eq!(*status, StatusCode::CONFLICT, "{body}");
        assert!(body["code"] == "no_draft" || body["code"] == "duplicate_application", "{body}");
    }
    let pool = database(&server).await;
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cases").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn twenty_accounts_submitting_one_certificate_at_once_make_one_case() {
    // The race the rule is for: twenty drafts, each complete and each checked before any case
    // exists, submitted at the same moment for the same certificate and business. One draft
    // per account and business, so twenty accounts sharing the certificate (as accounts shared
    // an ID number before one person could have only one account). Each submission checks for
    // an open case and inserts under one write lock; the partial unique index
    // `cases_one_open_per_certificate` stands behind it, and is shown to refuse a second open
    // case at the end.
    let (server, driver) = with_driver().await;
    let accounts = sharing_accounts(&server, &driver, 20).await;
    let certificate = choosable(&server, &accounts[0], "reissue").await;
    let mut drafts = Vec::new();
    for cookie in &accounts {
        drafts.push(complete_draft_with(&server, cookie, "reissue", &certificate, info("reissue")).await);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (i, (cookie, draft)) in accounts.iter().zip(&drafts).enumerate() {
        let request = server
            .send(Method::POST, "/api/v1/cases")
            .header(header::COOKIE, cookie)
            .header("idempotency-key", format!("submit-race-{i:04}"))
            .json(&json!({ "business": "reissue", "revision": draft["revision"] }));
        tasks.spawn(async move {
            let response = request.send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap())
        });
    }
    let answers = tasks.join_all().await;
    let created: Vec<&Value> = answers.iter().filter(|(s, _)| *s == StatusCode::CREATED).map(|(_, b)| b).collect();
    assert_eq!(created.len(), 1, "{answers:?}");
    let winner = created[0]["id"].as_str().unwrap();
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_eq!(*status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "duplicate_application");
        assert_eq!(body["case_id"], json!(winner));
        assert_eq!(body["message"], json!(duplicate_message("从业资格证补发", winner)));
    }
    let pool = database(&server).await;
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cases").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 1);
    // The last guard: a second open case on the certificate is refused by the database itself.
    let refused_by_index = sqlx::query(
        "INSERT INTO cases (id, user_id, idempotency_key, business_code, status, answers, submitted_at, accept_by, decide_by,
             due_dates_estimated, status_changed_at, seen_at, certificate_id)
         SELECT 'TC_copy', user_id, 'copy-key', business_code, 'returned', answers, submitted_at, accept_by, decide_by,
             due_dates_estimated, status_changed_at, seen_at, certificate_id FROM cases",
    )
    .execute(&pool)
    .await
    .unwrap_err();
    assert!(
        taxicert_server::db::violates_unique(&refused_by_index, "cases_one_open_per_certificate", "cases.certificate_id, cases.business_code"),
        "{refused_by_index}"
    );
}

#[tokio::test]
async fn an_assessed_period_is_no_longer_offered() {
    let (server, cookie) = with_driver().await;
    let listed = choosable_listed(&server, &cookie, "credit_assessment", 0).await;
    let periods = listed["assessment_periods"].as_array().unwrap().clone();
    let draft = complete_draft_with(&server, &cookie, "credit_assessment", listed["id"].as_str().unwrap(), info_for("credit_assessment", Some(&listed))).await;
    let case = json(submit(&server, &cookie, "submit-credit-01", "credit_assessment", &draft["revision"]).await).await;
    // Completed for the latest period, as the clerk's 办结 records it.
    let pool = database(&server).await;
    sqlx::query("UPDATE cases SET status = 'completed' WHERE id = $1").bind(case["id"].as_str()).execute(&pool).await.unwrap();
    sqlx::query(
        "INSERT INTO case_results (case_id, completed_at, certificate_number, credit_grade, note, voucher_code, holder_name_masked,
             credit_period_start, credit_period_end, credit_points)
         VALUES ($1, 0, '', 'AAA', '', 'voucher-code-credit-0001', '王*国', $2, $3, 20)",
    )
    .bind(case["id"].as_str())
    .bind(periods[0]["start"].as_str())
    .bind(periods[0]["end"].as_str())
    .execute(&pool)
    .await
    .unwrap();
    let listed = choosable_listed(&server, &cookie, "credit_assessment", 0).await;
    let now = listed["assessment_periods"].as_array().unwrap();
    assert_eq!(now[0], periods[1], "the assessed period is gone, the one before comes first");
    assert!(!now.contains(&periods[0]));
    // A form naming the assessed period is refused.
    saved(&server, &cookie, "credit_assessment", json!({ "step": "notice" })).await;
    saved(&server, &cookie, "credit_assessment", json!({ "step": "certificate", "certificate_id": listed["id"] })).await;
    let mut form = info("credit_assessment");
    form["details"]["period"] = periods[0].clone();
    let response = put_step(&server, &cookie, "credit_assessment", json!({ "step": "personal_info", "info": form })).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("period"), Some("所选考核周期不可申请，请从列表中重新选择。")).await;
}
