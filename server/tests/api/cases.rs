//! A driver's cases after submission, black-box: the case page and its badge, withdrawal,
//! resubmission after a correction, the voucher PDF, its picture and its public check, due dates on the
//! official holiday calendar. The clerk's actions are written into the database directly, so
//! that these tests do not depend on the staff console.

use crate::common;

use std::process::Command;

use common::{
    database,
    flows::{
        info, next_key, other_card, refused, required_materials, spawn_approving, submit_case, upload, with_driver,
        OTHER_PHONE, PHONE,
    },
    json, log_in, verified_user, TestServer,
};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use sqlx::AnyPool;
use taxicert_server::{clock::Clock, vouchers::new_voucher_code};
use taxicert_testkit::CardData;

async fn get_case(server: &TestServer, cookie: &str, id: &str) -> reqwest::Response {
    server.get_as(&format!("/api/v1/cases/{id}"), cookie).await
}

async fn withdraw(server: &TestServer, cookie: &str, id: &str) -> reqwest::Response {
    server
        .send(Method::POST, &format!("/api/v1/cases/{id}/withdrawal"))
        .header(header::COOKIE, cookie)
        .send()
        .await
        .unwrap()
}

async fn resubmit(server: &TestServer, cookie: &str, id: &str, key: &str, body: Value) -> reqwest::Response {
    server
        .send(Method::POST, &format!("/api/v1/cases/{id}/resubmission"))
        .header(header::COOKIE, cookie)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The `changed` badge of a case in 我的办件.
async fn badge(server: &TestServer, cookie: &str, id: &str) -> bool {
    let list = json(server.get_as("/api/v1/cases", cookie).await).await;
    list.as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()["changed"].as_bool().unwrap()
}

// ------------------------------------------------------------ the clerk, by hand

async fn staff_event(pool: &AnyPool, id: &str, at: i64, event: &str, note: Option<&str>) {
    sqlx::query("INSERT INTO case_events (case_id, at, event, note) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(at)
        .bind(event)
        .bind(note)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE cases SET status_changed_at = $1 WHERE id = $2").bind(at).bind(id).execute(pool).await.unwrap();
}

async fn accept(pool: &AnyPool, id: &str, at: i64) {
    sqlx::query("UPDATE cases SET status = 'accepted', accepted_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    staff_event(pool, id, at, "accepted", None).await;
}

async fn send_back(pool: &AnyPool, id: &str, at: i64, correction: Value) {
    let (from,): (String,) =
        sqlx::query_as("SELECT status FROM cases WHERE id = $1").bind(id).fetch_one(pool).await.unwrap();
    sqlx::query("UPDATE cases SET status = 'returned', returned_from = $1, correction = $2 WHERE id = $3")
        .bind(from)
        .bind(correction.to_string())
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    staff_event(pool, id, at, "returned", correction["reason"].as_str()).await;
}

/// 办结 with a new certificate number and expiry: the voucher code.
async fn complete(pool: &AnyPool, id: &str, at: i64) -> String {
    let code = new_voucher_code();
    sqlx::query("UPDATE cases SET status = 'completed' WHERE id = $1").bind(id).execute(pool).await.unwrap();
    sqlx::query(
        "INSERT INTO case_results (case_id, completed_at, certificate_number, valid_until, credit_grade, note, voucher_code,
             holder_name_masked) VALUES ($1, $2, '150100202699001', '2032-11-30', NULL, '请于工作日到新城区服务大厅领取新证。', $3, '王*国')",
    )
    .bind(id)
    .bind(at)
    .bind(&code)
    .execute(pool)
    .await
    .unwrap();
    staff_event(pool, id, at, "completed", Some("请于工作日到新城区服务大厅领取新证。")).await;
    code
}

// ------------------------------------------------------------ the case page

#[tokio::test]
async fn the_case_page_shows_the_timeline_photos_and_masked_name_and_clears_the_badge() {
    let (server, cookie) = with_driver().await;
    let case = submit_case(&server, &cookie, "reissue").await;
    let id = case["id"].as_str().unwrap();
    assert!(!badge(&server, &cookie, id).await, "his own submission is no news to him");

    let response = get_case(&server, &cookie, id).await;
    assert_eq!(response.status(), StatusCode::OK);
    let detail = json(response).await;
    assert_eq!(detail["summary"], case);
    assert_eq!(detail["applicant_name_masked"], "王*国");
    assert_eq!(detail["info"], info("reissue"));
    assert!(detail["certificate"]["number"].as_str().is_some_and(|n| !n.is_empty()));
    let expected = required_materials(&server, "reissue").await;
    let photos: Vec<(String, String)> = detail["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["material_code"].as_str().unwrap().to_owned(), p["material_name"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(photos, expected, "in the business's order, with names");
    assert_eq!(detail["timeline"], json!([{ "event": "submitted", "at": case["submitted_at"], "note": null }]));
    assert_eq!(
        (&detail["correction"], &detail["result"], &detail["can_withdraw"]),
        (&Value::Null, &Value::Null, &json!(true))
    );
    let text = detail.to_string();
    assert!(!text.contains("150102198506151234"), "no ID number");

    // The clerk accepts: the badge shows until the driver opens the case.
    let pool = database(&server).await;
    server.clock.advance(600);
    accept(&pool, id, server.clock.now()).await;
    assert!(badge(&server, &cookie, id).await);
    let detail = json(get_case(&server, &cookie, id).await).await;
    assert_eq!(detail["summary"]["status"], "accepted");
    assert_eq!(detail["summary"]["changed"], false);
    assert_eq!(detail["can_withdraw"], false);
    let events: Vec<&str> =
        detail["timeline"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["submitted", "accepted"], "oldest first");
    assert!(!badge(&server, &cookie, id).await, "seen");

    let response = get_case(&server, &cookie, "TC20261124999999").await;
    refused(response, StatusCode::NOT_FOUND, "not_found", None, None).await;
}

// ------------------------------------------------------------ withdrawal

#[tokio::test]
async fn a_case_is_withdrawn_only_before_it_is_accepted() {
    let (server, cookie) = with_driver().await;
    let first = submit_case(&server, &cookie, "renewal").await;
    let id = first["id"].as_str().unwrap();
    server.clock.advance(120);
    let response = withdraw(&server, &cookie, id).await;
    assert_eq!(response.status(), StatusCode::OK);
    let detail = json(response).await;
    assert_eq!(detail["summary"]["status"], "withdrawn");
    assert_eq!(detail["can_withdraw"], false);
    let last = detail["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last, json!({ "event": "withdrawn", "at": server.clock.now(), "note": null }));
    assert_eq!(detail["photos"].as_array().unwrap().len(), first_photos(&server, "renewal").await, "the photos stay");
    assert!(!badge(&server, &cookie, id).await, "his own withdrawal is no news to him");

    // Again: refused, with the same words each time.
    let again =
        refused(withdraw(&server, &cookie, id).await, StatusCode::CONFLICT, "cannot_withdraw", None, None).await;
    let third =
        refused(withdraw(&server, &cookie, id).await, StatusCode::CONFLICT, "cannot_withdraw", None, None).await;
    assert_eq!(again["message"], third["message"]);
    assert!(again["message"].as_str().unwrap().contains("已撤回"), "{again}");

    let pool = database(&server).await;
    let audit: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT subject, user_id FROM audit_log WHERE event = 'case_withdrawn'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].0, id);
    let (linked,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM case_uploads WHERE case_id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert!(linked > 0);

    // Accepted: the window must be asked.
    let second = submit_case(&server, &cookie, "change").await;
    let id = second["id"].as_str().unwrap();
    accept(&pool, id, server.clock.now()).await;
    let body = refused(withdraw(&server, &cookie, id).await, StatusCode::CONFLICT, "cannot_withdraw", None, None).await;
    assert_eq!(body["message"], "该办件已受理，不能撤回；如需撤回请联系办理窗口。");
    // Returned after acceptance and resubmitted to `accepted` is still accepted; returned is not withdrawable either.
    send_back(&pool, id, server.clock.now(), json!({ "reason": "变更事项不完整", "fields": ["changes"], "materials": [] }))
        .await;
    refused(withdraw(&server, &cookie, id).await, StatusCode::CONFLICT, "cannot_withdraw", None, None).await;
}

async fn first_photos(server: &TestServer, business: &str) -> usize {
    required_materials(server, business).await.len()
}

// ------------------------------------------------------------ resubmission

#[tokio::test]
async fn a_returned_case_takes_only_the_flagged_corrections() {
    let (server, cookie) = with_driver().await;
    let case = submit_case(&server, &cookie, "reissue").await;
    let id = case["id"].as_str().unwrap();
    let pool = database(&server).await;
    let before = json(get_case(&server, &cookie, id).await).await;
    let old_photo = before["photos"].as_array().unwrap().iter().find(|p| p["material_code"] == "photo_2inch").unwrap()
        ["upload_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Not returned (yet).
    let body = json!({ "info": info("reissue"), "uploads": {} });
    refused(
        resubmit(&server, &cookie, id, &next_key("resubmit"), body).await,
        StatusCode::CONFLICT,
        "not_returned",
        None,
        None,
    )
    .await;

    server.clock.advance(600);
    let correction = json!({ "reason": "领取大厅有误，照片模糊", "fields": ["delivery"], "materials": ["photo_2inch"] });
    send_back(&pool, id, server.clock.now(), correction.clone()).await;
    assert!(badge(&server, &cookie, id).await);
    let detail = json(get_case(&server, &cookie, id).await).await;
    assert_eq!(detail["summary"]["status"], "returned");
    assert_eq!(detail["correction"], correction);
    assert_eq!(detail["can_withdraw"], false);

    let mut corrected = info("reissue");
    corrected["details"]["delivery"] = json!({ "method": "pickup", "hall_id": "hall_baotou" });
    corrected["contact_name"] = json!("张三丰"); // not flagged: ignored
    let new_photo = upload(&server, &cookie, "photo_2inch").await;
    let licence = upload(&server, &cookie, "driving_licence").await; // not flagged: ignored

    // A flagged field that does not pass its check.
    let mut invalid = corrected.clone();
    invalid["details"]["delivery"]["hall_id"] = json!("");
    let body = json!({ "info": invalid, "uploads": { "photo_2inch": new_photo } });
    refused(
        resubmit(&server, &cookie, id, &next_key("resubmit"), body).await,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("hall"),
        Some("请选择领取证件的服务大厅。"),
    )
    .await;
    // A form of another business.
    let body = json!({ "info": info("renewal"), "uploads": { "photo_2inch": new_photo } });
    refused(
        resubmit(&server, &cookie, id, &next_key("resubmit"), body).await,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("business"),
        Some("申请信息与所办业务不符，请刷新页面后重新填写。"),
    )
    .await;
    // A flagged material not replaced: missing, or the same photo again.
    let body = json!({ "info": corrected, "uploads": {} });
    let missing = refused(
        resubmit(&server, &cookie, id, &next_key("resubmit"), body).await,
        StatusCode::BAD_REQUEST,
        "material_not_replaced",
        Some("photo_2inch"),
        None,
    )
    .await;
    assert!(missing["message"].as_str().unwrap().starts_with("请重新上传「近期二寸正面免冠彩色证件照」："), "{missing}");
    let body = json!({ "info": corrected, "uploads": { "photo_2inch": old_photo } });
    refused(
        resubmit(&server, &cookie, id, &next_key("resubmit"), body).await,
        StatusCode::BAD_REQUEST,
        "material_not_replaced",
        Some("photo_2inch"),
        None,
    )
    .await;
    // Another driver's photo.
    let other = verified_user(&server, OTHER_PHONE, &other_card()).await;
    let theirs = upload(&server, &other, "photo_2inch").await;
    let body = json!({ "info": corrected, "uploads": { "photo_2inch": theirs } });
    refused(
        resubmit(&server, &cookie, id, &next_key("resubmit"), body).await,
        StatusCode::BAD_REQUEST,
        "upload_not_found",
        Some("photo_2inch"),
        None,
    )
    .await;

    // Resubmitted on Friday 27 November: back to submitted, accepted by Tuesday, decided by Friday.
    server.clock.advance(3 * 24 * 3600 - 600);
    let cookie = log_in(&server, PHONE).await;
    let key = next_key("resubmit");
    let body = json!({ "info": corrected, "uploads": { "photo_2inch": new_photo, "driving_licence": licence } });
    let response = resubmit(&server, &cookie, id, &key, body.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let after = json(response).await;
    assert_eq!(after["summary"]["status"], "submitted");
    assert_eq!(
        (after["summary"]["accept_by"].as_str(), after["summary"]["decide_by"].as_str()),
        (Some("2026-12-01"), Some("2026-12-04"))
    );
    assert_eq!(after["summary"]["due_dates_estimated"], false);
    assert_eq!(after["correction"], Value::Null);
    assert_eq!(after["can_withdraw"], true, "never accepted");
    assert_eq!(after["info"]["details"]["delivery"], corrected["details"]["delivery"]);
    assert_eq!(after["info"]["details"]["reason"], "lost", "not flagged, kept");
    assert_eq!(after["info"]["contact_name"], "王建国", "not flagged, kept");
    let photo = |detail: &Value, code: &str| {
        detail["photos"].as_array().unwrap().iter().find(|p| p["material_code"] == code).unwrap()["upload_id"].clone()
    };
    assert_eq!(photo(&after, "photo_2inch"), json!(new_photo));
    assert_eq!(photo(&after, "driving_licence"), photo(&before, "driving_licence"), "not flagged, kept");
    let events: Vec<&str> =
        after["timeline"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["submitted", "returned", "resubmitted"]);
    assert!(!badge(&server, &cookie, id).await);

    // The same key again: the case as it stands.
    server.clock.advance(60);
    let replay = resubmit(&server, &cookie, id, &key, body).await;
    assert_eq!(replay.status(), StatusCode::OK);
    assert_eq!(json(replay).await, after);
    let (audits,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE event = 'case_resubmitted' AND subject = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(audits, 1);
    let (linked,): (String,) =
        sqlx::query_as("SELECT upload_id FROM case_uploads WHERE case_id = $1 AND material_code = 'photo_2inch'")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(linked, new_photo);
}

#[tokio::test]
async fn a_case_returned_after_acceptance_goes_back_to_accepted_with_a_new_decision_date() {
    let (server, cookie) = with_driver().await;
    let case = submit_case(&server, &cookie, "change").await;
    let id = case["id"].as_str().unwrap();
    let pool = database(&server).await;
    accept(&pool, id, server.clock.now()).await;
    send_back(
        &pool,
        id,
        server.clock.now(),
        json!({ "reason": "联系电话有误", "fields": ["contact_phone"], "materials": [] }),
    )
    .await;
    // Resubmitted on Thursday 26 November: decided within 3 working days, by Tuesday 1 December.
    server.clock.advance(2 * 24 * 3600);
    let cookie = log_in(&server, PHONE).await;
    let mut corrected = info("change");
    corrected["contact_phone"] = json!("13900001111");
    let response =
        resubmit(&server, &cookie, id, &next_key("resubmit"), json!({ "info": corrected, "uploads": {} })).await;
    assert_eq!(response.status(), StatusCode::OK);
    let after = json(response).await;
    assert_eq!(after["summary"]["status"], "accepted");
    assert_eq!(after["summary"]["accept_by"], case["accept_by"], "already accepted");
    assert_eq!(after["summary"]["decide_by"], "2026-12-01");
    assert_eq!(after["info"]["contact_phone"], "13900001111");
    assert_eq!(after["can_withdraw"], false);
}

#[tokio::test]
async fn a_corrected_reason_asks_for_the_materials_it_calls_for() {
    let (server, cookie) = with_driver().await;
    let case = submit_case(&server, &cookie, "reissue").await;
    let id = case["id"].as_str().unwrap();
    let pool = database(&server).await;
    send_back(&pool, id, server.clock.now(), json!({ "reason": "证件实为损毁", "fields": ["reissue_reason"], "materials": [] })).await;
    let mut damaged = info("reissue");
    damaged["details"]["reason"] = json!("damaged");
    // 损毁 calls for the damaged certificate, which was not submitted.
    let response = resubmit(&server, &cookie, id, &next_key("resubmit"), json!({ "info": damaged, "uploads": {} })).await;
    refused(response, StatusCode::BAD_REQUEST, "materials_missing", Some("damaged_certificate"), Some("请上传损毁的从业资格证。")).await;
    let photo = upload(&server, &cookie, "damaged_certificate").await;
    let response =
        resubmit(&server, &cookie, id, &next_key("resubmit"), json!({ "info": damaged, "uploads": { "damaged_certificate": photo } }))
            .await;
    assert_eq!(response.status(), StatusCode::OK);
    let after = json(response).await;
    assert_eq!(after["info"]["details"]["reason"], "damaged");
    let codes: Vec<&str> = after["photos"].as_array().unwrap().iter().map(|p| p["material_code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["photo_2inch", "driving_licence", "damaged_certificate"]);
}

#[tokio::test]
async fn a_change_is_corrected_as_a_whole_and_checked_against_the_certificate_as_submitted() {
    let (server, cookie) = with_driver().await;
    let case = submit_case(&server, &cookie, "change").await;
    let id = case["id"].as_str().unwrap();
    let detail = json(get_case(&server, &cookie, id).await).await;
    let pool = database(&server).await;
    send_back(&pool, id, server.clock.now(), json!({ "reason": "请核对变更事项", "fields": ["changes"], "materials": [] })).await;
    // The certificate's own 服务单位 is no change.
    let mut same = info("change");
    same["details"]["changes"] = json!([{ "item": "employer", "new": detail["certificate"]["employer"] }]);
    let response = resubmit(&server, &cookie, id, &next_key("resubmit"), json!({ "info": same, "uploads": {} })).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("change_employer"), None).await;
    // A phone instead: the labour contract no longer applies and leaves the case.
    let mut phone = info("change");
    phone["details"]["changes"] = json!([{ "item": "phone", "new": "13700002222" }]);
    phone["details"]["reason"] = json!("不会被采用"); // not flagged
    let response = resubmit(&server, &cookie, id, &next_key("resubmit"), json!({ "info": phone, "uploads": {} })).await;
    assert_eq!(response.status(), StatusCode::OK);
    let after = json(response).await;
    assert_eq!(after["info"]["details"]["changes"], json!([{ "item": "phone", "new": "13700002222" }]));
    assert_eq!(after["info"]["details"]["reason"], "更换服务单位");
    let codes: Vec<&str> = after["photos"].as_array().unwrap().iter().map(|p| p["material_code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["cert_info_page"]);
}

#[tokio::test]
async fn open_cases_from_before_get_their_certificate_at_start_up_the_oldest_first() {
    let server = spawn_approving(|_| {}).await;
    let cookie = verified_user(&server, PHONE, &CardData::sample()).await;
    let first = submit_case(&server, &cookie, "renewal").await;
    let pool = database(&server).await;
    // As submitted before cases named their certificate: a second renewal of the same
    // certificate could be opened then.
    sqlx::query("UPDATE cases SET certificate_id = NULL").execute(&pool).await.unwrap();
    server.clock.advance(60);
    let second = submit_case(&server, &cookie, "renewal").await;
    let withdrawn = submit_case(&server, &cookie, "reissue").await;
    sqlx::query("UPDATE cases SET certificate_id = NULL").execute(&pool).await.unwrap();
    sqlx::query("UPDATE cases SET status = 'withdrawn' WHERE id = $1").bind(withdrawn["id"].as_str()).execute(&pool).await.unwrap();
    pool.close().await;
    let dir = server.stop().await;
    let mut config = common::test_config(&dir, "/");
    config.realname_auto_approve = true;
    let server = common::spawn_config(dir, config).await;
    let pool = database(&server).await;
    let named = |id: &Value| {
        let pool = pool.clone();
        let id = id.as_str().unwrap().to_owned();
        async move {
            let (certificate,): (Option<String>,) =
                sqlx::query_as("SELECT certificate_id FROM cases WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
            certificate
        }
    };
    assert!(named(&first["id"]).await.is_some(), "the oldest gets its certificate");
    assert_eq!(named(&second["id"]).await, None, "the duplicate goes on as it was");
    assert_eq!(named(&withdrawn["id"]).await, None, "closed cases block nothing");
    // The named one now blocks a third (a new login: the restarted clock is back at the start).
    server.clock.advance(3600);
    let cookie = log_in(&server, PHONE).await;
    let listed = common::flows::certificates(&server, &cookie, "renewal").await;
    assert_eq!(listed[0]["open_case_id"], first["id"]);
}

// ------------------------------------------------------------ vouchers

fn tool(name: &str) -> Command {
    let probe = Command::new(name).arg("-v").output();
    assert!(probe.is_ok(), "{name} is missing: install poppler-utils (make setup-test does)");
    Command::new(name)
}

#[tokio::test]
async fn a_finished_case_gives_a_voucher_with_masked_data_and_a_qr_code_that_checks_it() {
    let (server, cookie) = with_driver().await;
    let case = submit_case(&server, &cookie, "renewal").await;
    let id = case["id"].as_str().unwrap();
    let voucher = format!("/api/v1/cases/{id}/voucher");
    refused(server.get_as(&voucher, &cookie).await, StatusCode::CONFLICT, "voucher_not_ready", None, None).await;

    let pool = database(&server).await;
    server.clock.advance(600);
    accept(&pool, id, server.clock.now()).await;
    refused(server.get_as(&voucher, &cookie).await, StatusCode::CONFLICT, "voucher_not_ready", None, None).await;
    server.clock.advance(24 * 3600);
    let cookie = log_in(&server, PHONE).await;
    let code = complete(&pool, id, server.clock.now()).await;
    let detail = json(get_case(&server, &cookie, id).await).await;
    assert_eq!(detail["result"]["voucher_code"], code);
    assert_eq!(detail["result"]["valid_until"], "2032-11-30");

    let response = server.get_as(&voucher, &cookie).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(
        response.headers()[header::CONTENT_DISPOSITION].to_str().unwrap(),
        format!("attachment; filename=\"taxicert-voucher-{id}.pdf\"")
    );
    let pdf = response.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    assert!(pdf.len() < 300 * 1024, "the font is subset: {} bytes", pdf.len());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("voucher.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = tool("pdftotext").args(["-layout"]).arg(&file).arg("-").output().unwrap();
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    let certificate = detail["certificate"]["number"].as_str().unwrap().to_owned();
    for expected in [
        "出租汽车驾驶员从业资格证业务办理凭证",
        id,
        "1501**********1234",
        "王*国",
        "150100202699001",
        "2032年11月30日",
        "请于工作日到新城区服务大厅领取新证。",
        detail["certificate"]["authority"].as_str().unwrap(),
        &code,
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    assert!(!text.contains("150102198506151234"), "never the full ID number");
    assert!(!text.contains("王建国"), "never the full name");
    assert_ne!(certificate, "", "the old certificate number is in the snapshot");

    // The QR code, read back from the printed page.
    let out = dir.path().join("page");
    let status = tool("pdftoppm").args(["-r", "150", "-png", "-singlefile"]).arg(&file).arg(&out).status().unwrap();
    assert!(status.success());
    let image = image::open(dir.path().join("page.png")).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(content, format!("{}/verify/{code}", server.base));

    let (downloads,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE event = 'voucher_downloaded' AND subject = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(downloads, 1);

    // The public check, without a session: masked name and certificate number, nothing else personal.
    let response = server.get(&format!("/api/v1/vouchers/{code}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let check = json(response).await;
    for (key, value) in [
        ("case_id", json!(id)),
        ("business_name", case["business_name"].clone()),
        ("holder_name_masked", json!("王*国")),
        ("certificate_number", json!("150100202699001")),
        ("completed_on", json!("2026-11-25")),
        ("valid_until", json!("2032-11-30")),
        ("credit_grade", Value::Null),
    ] {
        assert_eq!(check[key], value, "{key}: {check}");
    }
    let text = check.to_string();
    for secret in ["150102198506151234", "1501**", "兴安北路", PHONE, "王建国"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    for unknown in ["ABCDEFGHJKLMNPQRSTUV", "not-a-code", "abc"] {
        refused(
            server.get(&format!("/api/v1/vouchers/{unknown}")).await,
            StatusCode::NOT_FOUND,
            "voucher_not_found",
            None,
            None,
        )
        .await;
    }
}

/// The QR codes found in a picture, read back.
fn qr_codes(image: image::GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare(image);
    prepared.detect_grids().iter().map(|grid| grid.decode().expect("a readable QR code").1).collect()
}

#[tokio::test]
async fn the_voucher_picture_is_the_pdf_page_drawn_with_its_qr_code_and_only_for_a_finished_case() {
    let (server, cookie) = with_driver().await;
    let case = submit_case(&server, &cookie, "renewal").await;
    let id = case["id"].as_str().unwrap();
    let picture = format!("/api/v1/cases/{id}/voucher.png");
    refused(server.get_as(&picture, &cookie).await, StatusCode::CONFLICT, "voucher_not_ready", None, None).await;
    let pool = database(&server).await;
    server.clock.advance(600);
    accept(&pool, id, server.clock.now()).await;
    refused(server.get_as(&picture, &cookie).await, StatusCode::CONFLICT, "voucher_not_ready", None, None).await;
    server.clock.advance(24 * 3600);
    let cookie = log_in(&server, PHONE).await;
    let code = complete(&pool, id, server.clock.now()).await;

    let started = std::time::Instant::now();
    let response = server.get_as(&picture, &cookie).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(
        response.headers()[header::CONTENT_DISPOSITION].to_str().unwrap(),
        format!("inline; filename=\"taxicert-voucher-{id}.png\"")
    );
    let png = response.bytes().await.unwrap();
    println!("voucher.png: {} bytes in {} ms", png.len(), started.elapsed().as_millis());
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!((20 * 1024..400 * 1024).contains(&png.len()), "{} bytes", png.len());
    let decoded = image::load_from_memory_with_format(&png, image::ImageFormat::Png).unwrap();
    assert_eq!(decoded.color(), image::ColorType::L8, "grey");
    let picture = decoded.to_luma8();
    // The A4 page's width at 2 px per point, cut below the drawing: shorter than the page.
    let (width, height) = picture.dimensions();
    assert_eq!(width, 1190);
    assert!((900..1684).contains(&height), "{width}×{height}");
    // White margins all round, and the last rows (one margin below the drawing) blank.
    let ink = |x: u32, y: u32| picture.get_pixel(x, y).0[0] < 128;
    let inked_rows: Vec<u32> = (0..height).filter(|&y| (0..width).any(|x| ink(x, y))).collect();
    let (first, last) = (inked_rows[0], *inked_rows.last().unwrap());
    assert!(first > 100 && height - last > 100, "ink from row {first} to {last} of {height}");
    assert!((0..height).all(|y| (0..100).all(|x| !ink(x, y) && !ink(width - 1 - x, y))), "side margins");

    // The QR code leads to the check page, as the PDF's does.
    assert_eq!(qr_codes(picture.clone()), [format!("{}/verify/{code}", server.base)]);

    // The same page as the PDF: poppler's drawing of the PDF at the same scale (144 dpi) has its
    // ink in the same places, give or take the edges of the strokes.
    let started = std::time::Instant::now();
    let pdf = server.get_as(&format!("/api/v1/cases/{id}/voucher"), &cookie).await.bytes().await.unwrap();
    println!("voucher (PDF): {} bytes in {} ms", pdf.len(), started.elapsed().as_millis());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("voucher.pdf"), &pdf).unwrap();
    let status = tool("pdftoppm")
        .args(["-r", "144", "-png", "-gray", "-singlefile"])
        .arg(dir.path().join("voucher.pdf"))
        .arg(dir.path().join("page"))
        .status()
        .unwrap();
    assert!(status.success());
    let poppler = image::open(dir.path().join("page.png")).unwrap().to_luma8();
    assert_eq!(poppler.dimensions(), (1190, 1684), "A4 at 144 dpi");
    let (mut ink_here, mut ink_there, mut apart, mut text) = (0u32, 0u32, 0u32, 0u32);
    for y in 0..height {
        for x in 0..width {
            let (here, there) = (ink(x, y), poppler.get_pixel(x, y).0[0] < 128);
            ink_here += u32::from(here);
            ink_there += u32::from(there);
            apart += u32::from(here != there);
            // Left of the QR code (from x = 411 pt): text and rules only.
            text += u32::from(here && x < 800);
        }
    }
    println!("ink: hayro {ink_here} px ({text} left of the QR code), poppler {ink_there} px, differing {apart} px");
    assert!(text > 20_000, "the text is drawn: {text} dark pixels");
    assert!(apart * 10 < ink_there, "{apart} of {ink_there} dark pixels differ");
    // Below the cut, poppler's page is blank: nothing of the voucher is left off.
    assert!((height..1684).all(|y| (0..width).all(|x| poppler.get_pixel(x, y).0[0] >= 128)), "cut below the drawing");

    let (pictures,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE event = 'voucher_image_downloaded' AND subject = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(pictures, 1);
}

#[tokio::test]
async fn the_voucher_link_uses_the_configured_public_url_and_a_missing_font_is_a_503() {
    let server = spawn_approving(|config| {
        config.public_url = Some("https://taxi.example.gov.cn/app".into());
        config.voucher_font = Some(config.key_file.with_file_name("no-such-font.ttc"));
    })
    .await;
    let cookie = verified_user(&server, PHONE, &CardData::sample()).await;
    let case = submit_case(&server, &cookie, "credit_assessment").await;
    let id = case["id"].as_str().unwrap();
    let pool = database(&server).await;
    accept(&pool, id, server.clock.now()).await;
    complete(&pool, id, server.clock.now()).await;
    for form in ["voucher", "voucher.png"] {
        let response = server.get_as(&format!("/api/v1/cases/{id}/{form}"), &cookie).await;
        refused(response, StatusCode::SERVICE_UNAVAILABLE, "voucher_unavailable", None, None).await;
    }
}

// ------------------------------------------------------------ who may see what

#[tokio::test]
async fn another_driver_an_anonymous_visitor_and_an_unverified_user_are_kept_out() {
    let (server, cookie) = with_driver().await;
    let case = submit_case(&server, &cookie, "reissue").await;
    let id = case["id"].as_str().unwrap().to_owned();
    let pool = database(&server).await;
    send_back(
        &pool,
        &id,
        server.clock.now(),
        json!({ "reason": "领取方式有误", "fields": ["delivery"], "materials": [] }),
    )
    .await;
    let other = verified_user(&server, OTHER_PHONE, &other_card()).await;
    let unverified = log_in(&server, "13700001111").await;

    let missing = json(get_case(&server, &other, "TC20261124999999").await).await;
    for who in [&other] {
        let response = get_case(&server, who, &id).await;
        assert_eq!(json_of(response, StatusCode::NOT_FOUND).await, missing, "exactly like a missing case");
        let response = withdraw(&server, who, &id).await;
        assert_eq!(json_of(response, StatusCode::NOT_FOUND).await, missing);
        let response =
            resubmit(&server, who, &id, &next_key("resubmit"), json!({ "info": info("reissue"), "uploads": {} })).await;
        assert_eq!(json_of(response, StatusCode::NOT_FOUND).await, missing);
        for form in ["voucher", "voucher.png"] {
            let response = server.get_as(&format!("/api/v1/cases/{id}/{form}"), who).await;
            assert_eq!(json_of(response, StatusCode::NOT_FOUND).await, missing);
        }
    }
    let anonymous = [
        server.get(&format!("/api/v1/cases/{id}")).await,
        server.send(Method::POST, &format!("/api/v1/cases/{id}/withdrawal")).send().await.unwrap(),
        server
            .send(Method::POST, &format!("/api/v1/cases/{id}/resubmission"))
            .header("idempotency-key", next_key("k"))
            .json(&json!({ "info": info("reissue"), "uploads": {} }))
            .send()
            .await
            .unwrap(),
        server.get(&format!("/api/v1/cases/{id}/voucher")).await,
        server.get(&format!("/api/v1/cases/{id}/voucher.png")).await,
    ];
    for response in anonymous {
        refused(response, StatusCode::UNAUTHORIZED, "unauthenticated", None, None).await;
    }
    let unverified_attempts = [
        get_case(&server, &unverified, &id).await,
        withdraw(&server, &unverified, &id).await,
        resubmit(&server, &unverified, &id, &next_key("resubmit"), json!({ "info": info("reissue"), "uploads": {} })).await,
        server.get_as(&format!("/api/v1/cases/{id}/voucher"), &unverified).await,
        server.get_as(&format!("/api/v1/cases/{id}/voucher.png"), &unverified).await,
    ];
    for response in unverified_attempts {
        refused(response, StatusCode::FORBIDDEN, "realname_required", None, None).await;
    }
    // The owner's case is untouched.
    assert_eq!(json(get_case(&server, &cookie, &id).await).await["summary"]["status"], "returned");
}

async fn json_of(response: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    json(response).await
}

// ------------------------------------------------------------ the holiday calendar

/// Unix seconds of 10:00 Beijing time on `date`.
fn ten_oclock(date: &str) -> i64 {
    let date = taxicert_server::workdays::Date::parse(date).unwrap();
    let start = taxicert_server::workdays::Date::beijing_today(common::START);
    common::START + start.days_until(date) * 86_400
}

#[tokio::test]
async fn due_dates_follow_the_state_councils_holiday_calendar() {
    let server = spawn_approving(|_| {}).await;
    // Wednesday 30 September 2026, before National Day: 1–7 October off, Saturday 10 worked.
    server.clock.advance(ten_oclock("2026-09-30") - common::START);
    let cookie = verified_user(&server, PHONE, &CardData::sample()).await;
    let case = submit_case(&server, &cookie, "renewal").await;
    assert_eq!(case["id"], "TC20260930000001");
    assert_eq!((case["accept_by"].as_str(), case["decide_by"].as_str()), (Some("2026-10-09"), Some("2026-10-13")));
    assert_eq!(case["due_dates_estimated"], false);

    // Wednesday 30 December 2026: the 2027 notice is not in the calendar yet, so 预计.
    server.clock.advance(ten_oclock("2026-12-30") - server.clock.now());
    let cookie = log_in(&server, PHONE).await;
    let case = submit_case(&server, &cookie, "change").await;
    assert_eq!((case["accept_by"].as_str(), case["decide_by"].as_str()), (Some("2027-01-01"), Some("2027-01-06")));
    assert_eq!(case["due_dates_estimated"], true);
}
