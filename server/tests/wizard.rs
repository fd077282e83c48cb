//! The business wizard, black-box: certificates with their reasons, service halls, the profile,
//! the draft saved step by step and checked at each step, and the submission as a case, once
//! per idempotency key however often it is sent. Another user's anything looks like nothing.

mod common;

use std::collections::BTreeMap;

use common::{
    database,
    flows::{
        certificates, choosable, complete_draft, info, next_number, other_card, put_step, refused, saved,
        spawn_approving, submit, upload, upload_required, with_driver, OTHER_PHONE, PHONE,
    },
    json, log_in, verified_user, TestServer,
};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use taxicert_server::{clock::Clock, workdays::Date};
use taxicert_testkit::CardData;

const BUSINESSES: [&str; 5] = ["reissue", "renewal", "change", "cancellation", "credit_assessment"];
const EXPIRED: &str = "该证已过期,不能办理此业务;如需继续从业,请到服务大厅咨询。";

fn today(server: &TestServer) -> Date {
    Date::beijing_today(server.clock.now())
}

async fn delete_upload(server: &TestServer, cookie: &str, id: &str) -> reqwest::Response {
    server.send(Method::DELETE, &format!("/api/v1/uploads/{id}")).header(header::COOKIE, cookie).send().await.unwrap()
}

/// The user's holder key, as the server computed it on the first certificate list.
async fn holder_key(server: &TestServer, phone: &str) -> Vec<u8> {
    let pool = database(server).await;
    let (key,): (Vec<u8>,) = sqlx::query_as("SELECT holder_key FROM users WHERE phone = ?").bind(phone).fetch_one(&pool).await.unwrap();
    key
}

/// A certificate of the register, put there by hand.
async fn insert_certificate(server: &TestServer, holder: &[u8], id: &str, valid_until: Date, status: &str) {
    let pool = database(server).await;
    sqlx::query(
        "INSERT INTO certificates (id, holder_key, number, kind, authority, first_issued, valid_until, status)
         VALUES (?, ?, ?, 'ride_hailing', '呼和浩特市交通运输局', ?, ?, ?)",
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
    assert_eq!(
        reasons,
        [
            Value::Null,
            json!(EXPIRED),
            json!(format!("有效期至{ride_hailing_until},换发须在有效期届满前90天内申请({opens}起可申请)。")),
        ]
    );
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
        assert_eq!(reasons_for(again), [Value::Null, json!(EXPIRED), Value::Null], "{business}");
    }
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
        json!(format!("有效期至{},换发须在有效期届满前90天内申请({opens}起可申请)。", today.add_days(91)))
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
    let server = spawn_approving(|c| c.renewal_window_days = 30).await;
    let cookie = verified_user(&server, PHONE, &CardData::sample()).await;
    let list = certificates(&server, &cookie, "renewal").await;
    let until = today(&server).add_days(45);
    assert_eq!(
        list[0]["unavailable_reason"],
        json!(format!("有效期至{until},换发须在有效期届满前30天内申请({}起可申请)。", until.add_days(-30)))
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
    assert_eq!(by_id("crt_suspended")["unavailable_reason"], "该证处于暂扣状态,暂扣期间不能办理此业务。");
    assert!(by_id("crt_revoked")["unavailable_reason"].as_str().unwrap().contains("吊销"));
    assert!(by_id("crt_cancelled")["unavailable_reason"].as_str().unwrap().contains("已注销"));
    assert_eq!(by_id("crt_expired")["status"], "expired");
    assert_eq!(by_id("crt_expired")["unavailable_reason"], EXPIRED);
    assert_eq!(by_id("crt_last_day")["status"], "valid", "valid through its last day");
    assert_eq!(by_id("crt_last_day")["unavailable_reason"], Value::Null);

    saved(&server, &cookie, "reissue", json!({ "step": "notice" })).await;
    let response = put_step(&server, &cookie, "reissue", json!({ "step": "certificate", "certificate_id": "crt_suspended" })).await;
    refused(response, StatusCode::BAD_REQUEST, "certificate_unavailable", Some("certificate"), Some("该证处于暂扣状态,暂扣期间不能办理此业务。")).await;
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
        assert_eq!(hall["hours"], "周一至周五 9:00-12:00,13:30-17:30(法定节假日除外)");
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
    refused(response, StatusCode::NOT_FOUND, "no_draft", None, Some("没有找到这项业务的草稿,请从业务须知开始办理。")).await;
    let certificate = choosable(&server, &cookie, "renewal").await;
    let uploads = upload_required(&server, &cookie, "renewal").await;
    let steps = [
        json!({ "step": "certificate", "certificate_id": certificate }),
        json!({ "step": "personal_info", "info": info() }),
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
    refused(response, StatusCode::CONFLICT, "step_out_of_order", None, Some("请先完善个人信息。")).await;
    saved(&server, &cookie, "renewal", steps[0].clone()).await;
    let response = put_step(&server, &cookie, "renewal", steps[2].clone()).await;
    refused(response, StatusCode::CONFLICT, "step_out_of_order", None, Some("请先完善个人信息。")).await;
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
    let message = "所选从业资格证不存在或不属于您,请重新选择。";
    for id in [theirs.as_str(), "crt_nonexistent", ""] {
        let response = put_step(&server, &cookie, "renewal", json!({ "step": "certificate", "certificate_id": id })).await;
        refused(response, StatusCode::BAD_REQUEST, "certificate_not_found", Some("certificate"), Some(message)).await;
    }
    let expired = certificates(&server, &cookie, "renewal").await[1]["id"].as_str().unwrap().to_owned();
    let response = put_step(&server, &cookie, "renewal", json!({ "step": "certificate", "certificate_id": expired })).await;
    refused(response, StatusCode::BAD_REQUEST, "certificate_unavailable", Some("certificate"), Some(EXPIRED)).await;
}

#[tokio::test]
async fn personal_info_is_refused_field_by_field_and_kept_trimmed() {
    let (server, cookie) = with_driver().await;
    saved(&server, &cookie, "change", json!({ "step": "notice" })).await;
    let certificate = choosable(&server, &cookie, "change").await;
    saved(&server, &cookie, "change", json!({ "step": "certificate", "certificate_id": certificate })).await;
    let with = |change: Value| {
        let mut info = info();
        for (key, value) in change.as_object().unwrap() {
            info[key] = value.clone();
        }
        json!({ "step": "personal_info", "info": info })
    };
    let cases = [
        (json!({ "licence_class": "Z9" }), "licence_class", "准驾车型应为驾驶证上的A1、A2、A3、B1、B2、C1或C2,请重新选择。"),
        (json!({ "licence_class": "" }), "licence_class", "请选择准驾车型。"),
        (json!({ "reason": "换" }), "reason", "申请原因至少2个字,请补充完整。"),
        (json!({ "reason": "字".repeat(201) }), "reason", "申请原因最多200个字,您填写了201个字,请精简。"),
        (json!({ "address": "  " }), "address", "请填写住址。"),
        (json!({ "contact_name": "王" }), "contact_name", "联系人至少2个字,请补充完整。"),
        (json!({ "contact_phone": "12345" }), "contact_phone", "联系电话应为11位手机号码,如 13812345678,请核对后重新填写。"),
        (json!({ "delivery": { "method": "pickup", "hall_id": "hall_nowhere" } }), "hall", "所选服务大厅已停止办理,请重新选择。"),
        (json!({ "delivery": { "method": "pickup", "hall_id": "" } }), "hall", "请选择领取证件的服务大厅。"),
        (
            json!({ "delivery": { "method": "post", "recipient": "王建国", "phone": "13812345678", "province": "火星",
                "city": "呼和浩特市", "district": "新城区", "street": "兴安北路100号" } }),
            "province",
            "请从列表中选择省份。",
        ),
    ];
    for (change, field, message) in cases {
        let response = put_step(&server, &cookie, "change", with(change)).await;
        refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some(field), Some(message)).await;
    }
    // A hall that stops handing out certificates is refused too.
    let pool = database(&server).await;
    sqlx::query("UPDATE service_halls SET active = 0 WHERE id = 'hall_baotou'").execute(&pool).await.unwrap();
    let response = put_step(&server, &cookie, "change", with(json!({ "delivery": { "method": "pickup", "hall_id": "hall_baotou" } }))).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("hall"), None).await;
    let halls = json(server.get("/api/v1/service-halls").await).await;
    assert!(!halls.as_array().unwrap().iter().any(|h| h["id"] == "hall_baotou"));

    let posted = json!({ "method": "post", "recipient": " 李红梅 ", "phone": "13987654321", "province": "内蒙古自治区",
        "city": "包头市", "district": "昆都仑区", "street": " 钢铁大街20号 " });
    let draft = saved(&server, &cookie, "change", with(json!({ "reason": "  住址变更  ", "delivery": posted }))).await;
    assert_eq!(draft["info"]["reason"], "住址变更");
    assert_eq!(draft["info"]["delivery"]["recipient"], "李红梅");
    assert_eq!(draft["info"]["delivery"]["street"], "钢铁大街20号");
    assert_eq!(draft["info"]["delivery"]["method"], "post");
}

#[tokio::test]
async fn materials_must_be_the_businesss_live_photos_of_this_user() {
    let (server, cookie) = with_driver().await;
    let other = verified_user(&server, OTHER_PHONE, &other_card()).await;
    saved(&server, &cookie, "renewal", json!({ "step": "notice" })).await;
    let certificate = choosable(&server, &cookie, "renewal").await;
    saved(&server, &cookie, "renewal", json!({ "step": "certificate", "certificate_id": certificate })).await;
    saved(&server, &cookie, "renewal", json!({ "step": "personal_info", "info": info() })).await;
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
    refused(response, StatusCode::BAD_REQUEST, "unknown_material", Some("loss_statement"), None).await;

    // Another user's photo.
    let theirs = upload(&server, &other, "driving_licence").await;
    let response = put_step(&server, &cookie, "renewal", materials(&|u| {
        u.insert("driving_licence".into(), theirs.clone());
    }))
    .await;
    let gone = "所选照片已删除或不属于您,请重新上传。";
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
    // An optional material may be added (补发's 损毁的从业资格证) or left out.
    complete_draft(&server, &cookie, "reissue").await;
    let mut with_optional = upload_required(&server, &cookie, "reissue").await;
    with_optional.insert("damaged_certificate".into(), upload(&server, &cookie, "damaged_certificate").await);
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
    for clear in ["兴安北路100号".as_bytes(), b"13812345678", b"hall_hhht_xincheng"] {
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
        let draft = complete_draft(&server, &cookie, business).await;
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
    assert_eq!(linked, 15, "every required photo of the five businesses");

    // The sequence starts again the next day (a Saturday: accepted by Tuesday).
    server.clock.advance(24 * 3600);
    let cookie = log_in(&server, PHONE).await;
    let draft = complete_draft(&server, &cookie, "renewal").await;
    let case = json(submit(&server, &cookie, "submit-saturday", "renewal", &draft["revision"]).await).await;
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
    saved(&server, &cookie, "renewal", json!({ "step": "personal_info", "info": info() })).await;
    let response = submit(&server, &cookie, "submit-key-0001", "renewal", &draft["revision"]).await;
    refused(response, StatusCode::CONFLICT, "draft_changed", None, Some("申请内容已在其他页面修改,请返回核对信息页重新核对后再提交。")).await;
    let response = submit(&server, &cookie, "submit-key-0001", "renewal", &json!(5)).await;
    assert_eq!(response.status(), StatusCode::CREATED, "the refused key is free to succeed later");

    saved(&server, &cookie, "change", json!({ "step": "notice" })).await;
    let certificate = choosable(&server, &cookie, "change").await;
    saved(&server, &cookie, "change", json!({ "step": "certificate", "certificate_id": certificate })).await;
    let draft = saved(&server, &cookie, "change", json!({ "step": "personal_info", "info": info() })).await;
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
    sqlx::query("UPDATE certificates SET status = 'suspended' WHERE id = ?").bind(draft["certificate_id"].as_str()).execute(&pool).await.unwrap();
    let response = submit(&server, &cookie, "submit-key-0002", "renewal", &draft["revision"]).await;
    refused(response, StatusCode::BAD_REQUEST, "certificate_unavailable", Some("certificate"), Some("该证处于暂扣状态,暂扣期间不能办理此业务。")).await;
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
        refused(response, StatusCode::CONFLICT, "upload_in_case", None, Some("该照片已随申请提交,不能删除。")).await;
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
