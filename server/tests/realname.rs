//! Real-name verification, black-box: ID card photos drawn by the tests with fictional data,
//! checked and re-encoded by the photo pipeline, read by the real Tesseract (whichever way up
//! they were photographed), confirmed, submitted; masked everywhere, sealed at rest.

mod common;

use common::{assert_error_body, json, log_in, spawn, spawn_config, test_config, TestServer};
use image::{imageops, RgbImage};
use reqwest::{header, multipart, StatusCode};
use serde_json::{json, Value};
use taxicert_testkit::{emblem_side, hostile, photos, portrait_side, CardData};

const PHONE: &str = "13812345678";
const FULL_ID: &str = "150102198506151234";

async fn upload(server: &TestServer, cookie: &str, portrait: Option<Vec<u8>>, emblem: Option<Vec<u8>>) -> reqwest::Response {
    let mut form = multipart::Form::new();
    if let Some(bytes) = portrait {
        form = form.part("portrait", multipart::Part::bytes(bytes).file_name("portrait.jpg"));
    }
    if let Some(bytes) = emblem {
        form = form.part("emblem", multipart::Part::bytes(bytes).file_name("emblem.jpg"));
    }
    server
        .send(reqwest::Method::POST, "/api/v1/realname/id-card")
        .header(header::COOKIE, cookie)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn upload_card(server: &TestServer, cookie: &str, card: &CardData) -> Value {
    let response = upload(server, cookie, Some(portrait_side(card)), Some(emblem_side(card))).await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await
}

async fn submit(server: &TestServer, cookie: &str, fields: &Value, typed: &[&str]) -> reqwest::Response {
    server
        .send(reqwest::Method::POST, "/api/v1/realname/submission")
        .header(header::COOKIE, cookie)
        .json(&json!({ "fields": fields, "typed": typed }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_card_is_read_confirmed_and_submitted_for_review() {
    let server = spawn().await;
    let cookie = log_in(&server, PHONE).await;
    let read = upload_card(&server, &cookie, &CardData::sample()).await;
    let fields = &read["fields"];
    assert_eq!(fields["name"], "王建国");
    assert_eq!(fields["gender"], "男");
    assert_eq!(fields["ethnicity"], "汉");
    assert_eq!(fields["birth_date"], "1985-06-15");
    assert_eq!(fields["address"], "内蒙古自治区呼和浩特市新城区兴安北路100号");
    assert_eq!(fields["id_number"], FULL_ID, "the owner sees the full number on the confirm step");
    assert_eq!(fields["authority"], "呼和浩特市公安局新城区分局");
    assert_eq!((fields["valid_from"].as_str(), fields["valid_until"].as_str()), (Some("2016-05-20"), Some("2036-05-20")));
    assert_eq!(read["unread"], json!([]));

    let response = submit(&server, &cookie, fields, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let state = json(response).await;
    assert_eq!(state, json!({ "status": "pending", "id_number_masked": "1501**********1234", "name_masked": "王*国", "reason": null }));
    assert_eq!(json(server.get_as("/api/v1/realname", &cookie).await).await, state);
    let session = json(server.get_as("/api/v1/auth/session", &cookie).await).await;
    assert_eq!(session["me"]["realname_status"], "pending");

    // Waiting for review: no second submission, no new upload.
    let again = submit(&server, &cookie, fields, &[]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_error_body(&json(again).await, "realname_done");
}

#[tokio::test]
async fn in_dev_mode_the_switch_approves_at_once_and_the_audit_log_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    config.realname_auto_approve = true;
    let server = spawn_config(dir, config).await;
    let cookie = log_in(&server, PHONE).await;
    let read = upload_card(&server, &cookie, &CardData::sample()).await;
    let state = json(submit(&server, &cookie, &read["fields"], &[]).await).await;
    assert_eq!(state["status"], "approved");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", server.database().display())).await.unwrap();
    let events: Vec<(String, String)> =
        sqlx::query_as("SELECT event, outcome FROM audit_log WHERE event LIKE 'realname%' ORDER BY id").fetch_all(&pool).await.unwrap();
    assert_eq!(events, [("realname_submitted".into(), "ok".into()), ("realname_decided".into(), "auto_approved".into())]);
}

#[tokio::test]
async fn a_field_the_reader_missed_is_typed_and_marked_for_the_reviewer() {
    let server = spawn().await;
    let cookie = log_in(&server, PHONE).await;
    let mut card = CardData::sample();
    card.ethnicity.clear();
    let read = upload_card(&server, &cookie, &card).await;
    assert_eq!(read["unread"], json!(["ethnicity"]));
    let mut fields = read["fields"].clone();
    let response = submit(&server, &cookie, &fields, &[]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = json(response).await;
    assert_error_body(&body, "invalid_field");
    assert_eq!(body["field"], "ethnicity");
    fields["ethnicity"] = json!("蒙古");
    assert_eq!(submit(&server, &cookie, &fields, &["ethnicity"]).await.status(), StatusCode::OK);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", server.database().display())).await.unwrap();
    let (typed,): (String,) = sqlx::query_as("SELECT typed_fields FROM realname_submissions").fetch_one(&pool).await.unwrap();
    assert_eq!(typed, r#"["ethnicity"]"#);
}

#[tokio::test]
async fn an_expired_card_and_a_wrong_check_digit_are_refused() {
    let server = spawn().await;
    let cookie = log_in(&server, PHONE).await;
    let mut card = CardData::sample();
    card.validity = "2006.05.20-2016.05.20".into();
    let read = upload_card(&server, &cookie, &card).await;
    let body = json(submit(&server, &cookie, &read["fields"], &[]).await).await;
    assert_error_body(&body, "invalid_field");
    assert_eq!(body["field"], "valid_until");
    assert!(body["message"].as_str().unwrap().contains("2016-05-20过期"), "{body}");

    let mut fields = read["fields"].clone();
    fields["valid_until"] = json!("长期");
    fields["id_number"] = json!("150102198506151235");
    let body = json(submit(&server, &cookie, &fields, &["id_number"]).await).await;
    assert_eq!(body["field"], "id_number");
    assert!(body["message"].as_str().unwrap().contains("校验码"), "{body}");
}

#[tokio::test]
async fn photos_are_checked_by_content_and_both_sides_are_needed() {
    let server = spawn().await;
    let cookie = log_in(&server, PHONE).await;
    let card = CardData::sample();
    let response = upload(&server, &cookie, Some(b"<html>not a photo</html>".to_vec()), Some(emblem_side(&card))).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = json(response).await;
    assert_error_body(&body, "invalid_photo");
    assert_eq!(body["field"], "portrait");
    assert!(body["message"].as_str().unwrap().starts_with("身份证人像面:"));

    let response = upload(&server, &cookie, Some(portrait_side(&card)), None).await;
    let body = json(response).await;
    assert_error_body(&body, "photo_missing");
    assert_eq!(body["field"], "emblem");

    let response = upload(&server, &cookie, Some(portrait_side(&card)), Some(vec![0xFF; 10 * 1024 * 1024 + 1])).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body = json(response).await;
    assert_eq!(body["field"], "emblem");
    assert!(body["message"].as_str().unwrap().contains("超过了10 MB"), "{body}");

    // Below the ID card's minimum (800×500): the small print would not read.
    let small = hostile::jpeg(&photos::document(640, 400, 21), 90);
    let response = upload(&server, &cookie, Some(portrait_side(&card)), Some(small)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = json(response).await;
    assert_error_body(&body, "invalid_photo");
    assert_eq!(body["field"], "emblem");
    let message = body["message"].as_str().unwrap();
    assert!(message.starts_with("身份证国徽面:") && message.contains("800×500") && message.contains("640×400"), "{body}");

    // Submitting before any upload went through.
    let fields = json!({ "name": "王建国", "gender": "男", "ethnicity": "汉", "birth_date": "1985-06-15",
        "address": "内蒙古自治区呼和浩特市", "id_number": FULL_ID, "authority": "呼和浩特市公安局",
        "valid_from": "2016-05-20", "valid_until": "长期" });
    assert_error_body(&json(submit(&server, &cookie, &fields, &[]).await).await, "photos_missing");
    // A body that is not the contract's shape.
    assert_error_body(&json(submit(&server, &cookie, &json!({}), &[]).await).await, "invalid_body");
}

#[tokio::test]
async fn without_a_session_nothing_is_read_or_submitted() {
    let server = spawn().await;
    let card = CardData::sample();
    let response = upload(&server, "taxicert_session=none", Some(portrait_side(&card)), Some(emblem_side(&card))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(server.get("/api/v1/realname").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_rejected_user_submits_again() {
    let server = spawn().await;
    let cookie = log_in(&server, PHONE).await;
    let read = upload_card(&server, &cookie, &CardData::sample()).await;
    submit(&server, &cookie, &read["fields"], &[]).await;
    // A clerk's rejection (the clerk console comes later).
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", server.database().display())).await.unwrap();
    sqlx::query("UPDATE realname_submissions SET status = 'rejected', reason = '照片模糊,请重新拍摄'").execute(&pool).await.unwrap();
    sqlx::query("UPDATE users SET realname_status = 'rejected'").execute(&pool).await.unwrap();
    let state = json(server.get_as("/api/v1/realname", &cookie).await).await;
    assert_eq!((state["status"].as_str(), state["reason"].as_str()), (Some("rejected"), Some("照片模糊,请重新拍摄")));
    let read = upload_card(&server, &cookie, &CardData::sample()).await;
    let state = json(submit(&server, &cookie, &read["fields"], &[]).await).await;
    assert_eq!(state["status"], "pending");
}

#[tokio::test]
async fn the_id_number_is_masked_in_every_answer_and_sealed_in_the_database() {
    let server = spawn().await;
    let cookie = log_in(&server, PHONE).await;
    let read = upload_card(&server, &cookie, &CardData::sample()).await;
    submit(&server, &cookie, &read["fields"], &[]).await;
    for path in ["/api/v1/realname", "/api/v1/auth/session"] {
        let text = server.get_as(path, &cookie).await.text().await.unwrap();
        assert!(!text.contains(FULL_ID), "{path}: {text}");
    }
    let dir = server.stop().await;
    let mut raw = Vec::new();
    for entry in std::fs::read_dir(dir.path().join("data")).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains("sqlite3") {
            raw.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(!raw.is_empty());
    assert!(!raw.windows(FULL_ID.len()).any(|w| w == FULL_ID.as_bytes()), "the ID number is in the database in clear");
    assert!(!raw.windows("王建国".len()).any(|w| w == "王建国".as_bytes()), "the name is in the database in clear");
    assert!(raw.windows(18).any(|w| w == b"1501**********1234"), "the masked copy is there");
}

// ---------------------------------------------------------------- orientation

/// Whether the real reader can run here; the OCR cases say so and pass without it.
fn tesseract_or_skip(test: &str) -> bool {
    let available = taxicert_server::idcard::tesseract_available();
    if !available {
        eprintln!("{test}: skipped, tesseract is not installed (make setup installs tesseract-ocr and chi_sim)");
    }
    available
}

fn picture(png: &[u8]) -> RgbImage {
    image::load_from_memory(png).unwrap().to_rgb8()
}

/// What must be read off both sides, whichever way up they were photographed.
fn assert_read(read: &Value, card: &CardData, how: &str) {
    let expected = common::card_fields(card);
    let fields = &read["fields"];
    for name in ["name", "gender", "birth_date", "id_number", "authority", "valid_from", "valid_until"] {
        assert_eq!(fields[name], expected[name], "{how}: {name} in {read}");
    }
    assert!(!fields["address"].as_str().unwrap().is_empty(), "{how}: {read}");
}

#[tokio::test]
async fn a_card_photographed_sideways_or_upside_down_is_read_all_the_same() {
    if !tesseract_or_skip("a_card_photographed_sideways_or_upside_down_is_read_all_the_same") {
        return;
    }
    let server = spawn().await;
    let cookie = log_in(&server, PHONE).await;
    let card = CardData::sample();
    let (front, back) = (picture(&portrait_side(&card)), picture(&emblem_side(&card)));

    // Held sideways: the camera stores the pixels on their side and says so in EXIF (6, turn
    // clockwise to view), with its GPS position; the pipeline turns it upright.
    let sideways = |upright: &RgbImage| hostile::jpeg_with_exif(&hostile::to_stored(upright, 6), 6, true);
    let read = json(upload(&server, &cookie, Some(sideways(&front)), Some(sideways(&back))).await).await;
    assert_read(&read, &card, "EXIF orientation 6");

    // Upside down, with nothing in the file to say so: the reader turns it itself.
    let upside_down = |upright: &RgbImage| hostile::jpeg(&imageops::rotate180(upright), 92);
    let read = json(upload(&server, &cookie, Some(upside_down(&front)), Some(upside_down(&back))).await).await;
    assert_read(&read, &card, "upside down");

    // On its side without EXIF (a screenshot of a sideways photo).
    let quarter = |upright: &RgbImage| hostile::jpeg(&imageops::rotate90(upright), 92);
    let read = json(upload(&server, &cookie, Some(quarter(&front)), Some(quarter(&back))).await).await;
    assert_read(&read, &card, "turned a quarter, no EXIF");
}

#[tokio::test]
async fn a_number_read_with_a_wrong_check_digit_is_left_for_the_driver_to_type() {
    if !tesseract_or_skip("a_number_read_with_a_wrong_check_digit_is_left_for_the_driver_to_type") {
        return;
    }
    let server = spawn().await;
    let cookie = log_in(&server, PHONE).await;
    let mut card = CardData::sample();
    // A misprinted (or misread) last digit, and a birth line that disagrees with the number.
    card.id_number = "150102198506151235".into();
    let read = upload_card(&server, &cookie, &card).await;
    assert_eq!(read["fields"]["id_number"], "", "{read}");
    assert!(read["unread"].as_array().unwrap().contains(&json!("id_number")), "{read}");

    let mut card = CardData::sample();
    card.birth = "1985年8月16日".into();
    let read = upload_card(&server, &cookie, &card).await;
    assert_eq!(read["fields"]["id_number"], FULL_ID);
    assert_eq!(read["fields"]["birth_date"], "1985-06-15", "the checked number's birth date wins: {read}");
}
