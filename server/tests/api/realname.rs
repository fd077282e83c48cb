//! Real-name verification, black-box: ID card photos drawn by the tests with fictional data,
//! checked and re-encoded by the photo pipeline, read by the real Tesseract (whichever way up
//! they were photographed), confirmed, submitted; masked everywhere, sealed at rest.

use crate::common;

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
    let pool = common::database(&server).await;
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
    let pool = common::database(&server).await;
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
    assert!(body["message"].as_str().unwrap().starts_with("身份证人像面："));

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
    assert!(message.starts_with("身份证国徽面：") && message.contains("800×500") && message.contains("640×400"), "{body}");

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
    let pool = common::database(&server).await;
    sqlx::query("UPDATE realname_submissions SET status = 'rejected', reason = '照片模糊，请重新拍摄'").execute(&pool).await.unwrap();
    sqlx::query("UPDATE users SET realname_status = 'rejected'").execute(&pool).await.unwrap();
    let state = json(server.get_as("/api/v1/realname", &cookie).await).await;
    assert_eq!((state["status"].as_str(), state["reason"].as_str()), (Some("rejected"), Some("照片模糊，请重新拍摄")));
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
    let database = server.database.clone();
    let dir = server.stop().await;
    let mut raw = Vec::new();
    match database {
        // The file and its write-ahead log, byte for byte.
        taxicert_server::db::Database::Sqlite(_) => {
            for entry in std::fs::read_dir(dir.path().join("data")).unwrap() {
                let path = entry.unwrap().path();
                if path.to_string_lossy().contains("sqlite3") {
                    raw.extend(std::fs::read(&path).unwrap());
                }
            }
        }
        // Everything PostgreSQL holds, as pg_dump writes it out.
        taxicert_server::db::Database::Postgres(url) => {
            let dump = std::process::Command::new(common::postgres::bin_dir().join("pg_dump")).arg(&url).output().unwrap();
            assert!(dump.status.success(), "{dump:?}");
            raw = dump.stdout;
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

// ---------------------------------------------------------------- one person, one account

mod one_account {
    //! An ID number verified on one account cannot be verified on another; the second account
    //! gets the masked number of the first and moves that account to its own number instead:
    //! with a code sent to the old number, or by a clerk comparing the ID photos.

    use super::{submit, upload_card};
    use crate::common::{
        assert_error_body, database,
        flows::{add_staff, ok, other_card, refused, saved, send_as, signed_in, spawn_approving, OTHER_PHONE, PHONE},
        json, log_in, spawn, verified_user, TestServer,
    };
    use reqwest::{header, Method, StatusCode};
    use serde_json::{json, Value};
    use taxicert_api::StaffRole;
    use taxicert_testkit::CardData;

    /// The driver's new phone number, and how it shows.
    const NEW_PHONE: &str = "13700001111";
    const NEW_MASKED: &str = "137****1111";
    const OLD_MASKED: &str = "138****5678";
    const CLERK: &str = "zhao.clerk";
    const VIEWER: &str = "qian.viewer";

    /// Logs `phone` in again after the 60 s a number waits between codes.
    async fn log_in_again(server: &TestServer, phone: &str) -> String {
        server.clock.advance(61);
        log_in(server, phone).await
    }

    /// Logs in with `phone`, uploads `card` and submits it: the cookie and the answer.
    async fn submit_card(server: &TestServer, phone: &str, card: &CardData) -> (String, reqwest::Response) {
        let cookie = log_in(server, phone).await;
        // What the reader read does not matter: the driver confirms the card's fields.
        upload_card(server, &cookie, card).await;
        let response = submit(server, &cookie, &crate::common::card_fields(card), &[]).await;
        (cookie, response)
    }

    /// The new number's account, refused because the sample card is verified on [`PHONE`].
    async fn bound(server: &TestServer) -> String {
        let (cookie, response) = submit_card(server, NEW_PHONE, &CardData::sample()).await;
        refused(response, StatusCode::CONFLICT, "id_number_bound", None, None).await;
        cookie
    }

    async fn post(server: &TestServer, path: &str, cookie: &str, body: Value) -> reqwest::Response {
        send_as(server, Method::POST, path, cookie).json(&body).send().await.unwrap()
    }

    async fn move_of(server: &TestServer, cookie: &str) -> Value {
        ok(server.get_as("/api/v1/account/move", cookie).await).await
    }

    /// The newest code the dev outbox holds for `phone`.
    async fn outbox_code(server: &TestServer, phone: &str) -> Option<String> {
        let outbox = json(server.get("/api/v1/dev/sms-outbox").await).await;
        outbox.as_array().unwrap().iter().find(|m| m["phone"] == phone).map(|m| m["code"].as_str().unwrap().to_owned())
    }

    async fn user_id(server: &TestServer, phone: &str) -> i64 {
        let (id,): (i64,) =
            sqlx::query_as("SELECT id FROM users WHERE phone = $1").bind(phone).fetch_one(&database(server).await).await.unwrap();
        id
    }

    async fn audit(server: &TestServer, event: &str) -> Vec<(Option<i64>, String, Option<i64>, Option<String>)> {
        sqlx::query_as("SELECT user_id, outcome, staff_id, subject FROM audit_log WHERE event = $1 ORDER BY id")
            .bind(event)
            .fetch_all(&database(server).await)
            .await
            .unwrap()
    }

    /// What of the old account the tests look for after a move: its certificates (found by the
    /// ID number's key) and a draft of its own (kept by account).
    async fn belongings(server: &TestServer, cookie: &str) -> Value {
        let certificates = ok(server.get_as("/api/v1/certificates?business=renewal", cookie).await).await;
        let ids: Vec<Value> = certificates.as_array().unwrap().iter().map(|c| c["id"].clone()).collect();
        let draft = ok(server.get_as("/api/v1/drafts/renewal", cookie).await).await;
        json!({ "certificates": ids, "draft": draft["done"] })
    }

    /// The old account's belongings, made: certificates (demo ones, in dev mode) and a draft.
    async fn belongings_of_old(server: &TestServer, cookie: &str) -> Value {
        saved(server, cookie, "renewal", json!({ "step": "notice" })).await;
        let made = belongings(server, cookie).await;
        assert!(!made["certificates"].as_array().unwrap().is_empty());
        made
    }

    async fn signed_in_phone(server: &TestServer, cookie: &str) -> Value {
        json(server.get_as("/api/v1/auth/session", cookie).await).await["me"].clone()
    }

    #[tokio::test]
    async fn an_id_number_verified_on_one_account_is_refused_on_another_with_the_old_number_masked() {
        let server = spawn_approving(|_| {}).await;
        let old = verified_user(&server, PHONE, &CardData::sample()).await;
        let (new, response) = submit_card(&server, NEW_PHONE, &CardData::sample()).await;
        let body = refused(response, StatusCode::CONFLICT, "id_number_bound", None, None).await;
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(OLD_MASKED) && message.contains("一个身份证号码只能认证一个账户"), "{message}");
        assert!(message.contains("转移账户到本手机号"), "{message}");
        assert!(!message.contains(PHONE), "{message}");

        // Nothing was submitted; the move request waits for the code.
        assert_eq!(json(server.get_as("/api/v1/realname", &new).await).await["status"], "none");
        assert_eq!(signed_in_phone(&server, &new).await["realname_status"], "none");
        let pending = move_of(&server, &new).await;
        assert_eq!(
            pending,
            json!({ "status": "sms_pending", "old_phone_masked": OLD_MASKED, "reason": null, "code_sent": false, "sms_resend_after_seconds": null })
        );
        assert_eq!(move_of(&server, &old).await, Value::Null, "the old account has no request of its own");
        let refusals: Vec<String> = audit(&server, "realname_submitted").await.into_iter().map(|r| r.1).collect();
        assert_eq!(refusals, ["ok", "id_number_bound"]);

        // Submitting again keeps one request; another card of his own verifies and cancels it.
        let again = submit(&server, &new, &crate::common::card_fields(&CardData::sample()), &[]).await;
        refused(again, StatusCode::CONFLICT, "id_number_bound", None, None).await;
        let (open,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM account_moves WHERE status = 'sms_pending'")
            .fetch_one(&database(&server).await)
            .await
            .unwrap();
        assert_eq!(open, 1);
        upload_card(&server, &new, &other_card()).await;
        let state = json(submit(&server, &new, &crate::common::card_fields(&other_card()), &[]).await).await;
        assert_eq!(state["status"], "approved");
        assert_eq!(move_of(&server, &new).await, Value::Null);
    }

    #[tokio::test]
    async fn two_accounts_submitting_one_number_at_once_are_not_both_verified() {
        let server = spawn_approving(|_| {}).await;
        let card = CardData::sample();
        let first = log_in(&server, PHONE).await;
        let second = log_in(&server, NEW_PHONE).await;
        upload_card(&server, &first, &card).await;
        upload_card(&server, &second, &card).await;
        let fields = crate::common::card_fields(&card);
        let (a, b) = tokio::join!(submit(&server, &first, &fields, &[]), submit(&server, &second, &fields, &[]));
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409]);
        let (approved,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE realname_status = 'approved'")
            .fetch_one(&database(&server).await)
            .await
            .unwrap();
        assert_eq!(approved, 1);
    }

    #[tokio::test]
    async fn a_clerk_cannot_approve_a_number_verified_on_another_account_meanwhile() {
        let server = spawn().await;
        add_staff(&server, CLERK, "赵办理", StaffRole::Clerk).await;
        add_staff(&server, "sun.clerk", "孙办理", StaffRole::Clerk).await;
        let (clerk, other_clerk) = (signed_in(&server, CLERK).await, signed_in(&server, "sun.clerk").await);
        // Two submissions of one number wait at once: nothing is verified yet.
        let (_, first) = submit_card(&server, PHONE, &CardData::sample()).await;
        let (_, second) = submit_card(&server, NEW_PHONE, &CardData::sample()).await;
        assert_eq!((first.status(), second.status()), (StatusCode::OK, StatusCode::OK));
        let queue = ok(server.get_as("/api/v1/staff/realname", &clerk).await).await;
        let ids: Vec<i64> = queue.as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
        assert_eq!(ids.len(), 2);

        // Two clerks approve the two at once: one passes.
        let approve = |cookie: &str, id: i64| {
            send_as(&server, Method::POST, &format!("/api/v1/staff/realname/{id}/decision"), cookie)
                .json(&json!({ "approve": true, "reason": null }))
                .send()
        };
        let (a, b) = tokio::join!(approve(&clerk, ids[0]), approve(&other_clerk, ids[1]));
        let (a, b) = (a.unwrap(), b.unwrap());
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409]);
        let (loser, refusal) = if a.status() == StatusCode::CONFLICT { (ids[0], a) } else { (ids[1], b) };
        let body = json(refusal).await;
        assert_error_body(&body, "id_number_bound");
        assert!(body["message"].as_str().unwrap().contains("驳回"), "{body}");
        // Still waiting: the clerk rejects it with a reason.
        let rejected = ok(send_as(&server, Method::POST, &format!("/api/v1/staff/realname/{loser}/decision"), &clerk)
            .json(&json!({ "approve": false, "reason": "该身份证号码已在其他账户完成认证" }))
            .send()
            .await
            .unwrap())
        .await;
        assert_eq!(rejected["summary"]["status"], "rejected");
        let (approved,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE realname_status = 'approved'")
            .fetch_one(&database(&server).await)
            .await
            .unwrap();
        assert_eq!(approved, 1);
    }

    #[tokio::test]
    async fn the_account_moves_to_the_new_number_with_the_code_sent_to_the_old_one() {
        let server = spawn_approving(|_| {}).await;
        let old = verified_user(&server, PHONE, &CardData::sample()).await;
        let things = belongings_of_old(&server, &old).await;
        let old_again = log_in_again(&server, PHONE).await;
        let old_id = user_id(&server, PHONE).await;
        let new = bound(&server).await;
        let new_id = user_id(&server, NEW_PHONE).await;

        // The code goes to the OLD number, under the limits of every code.
        server.clock.advance(61);
        let sent = send_as(&server, Method::POST, "/api/v1/account/move/sms-code", &new).send().await.unwrap();
        assert_eq!(sent.status(), StatusCode::ACCEPTED);
        assert_eq!(json(sent).await["resend_after_seconds"], 60);
        let code = outbox_code(&server, PHONE).await.unwrap();
        let pending = move_of(&server, &new).await;
        assert_eq!((&pending["code_sent"], &pending["sms_resend_after_seconds"]), (&json!(true), &json!(60)));
        let again = send_as(&server, Method::POST, "/api/v1/account/move/sms-code", &new).send().await.unwrap();
        refused(again, StatusCode::TOO_MANY_REQUESTS, "resend_too_soon", None, None).await;

        // A wrong code costs a try, like at login; the right one moves the account.
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let body = refused(post(&server, "/api/v1/account/move/confirm", &new, json!({ "code": wrong })).await, StatusCode::BAD_REQUEST, "code_wrong", None, None).await;
        assert_eq!(body["tries_left"], 4);
        let me = ok(post(&server, "/api/v1/account/move/confirm", &new, json!({ "code": code })).await).await;
        assert_eq!((&me["phone_masked"], &me["realname_status"]), (&json!(NEW_MASKED), &json!("approved")));

        // The same session is now the old account: its certificates and drafts.
        assert_eq!(signed_in_phone(&server, &new).await["phone_masked"], NEW_MASKED);
        assert_eq!(belongings(&server, &new).await, things);
        assert_eq!(move_of(&server, &new).await, Value::Null);
        // Every session of the old account ended; the code is spent.
        for cookie in [&old, &old_again] {
            assert_eq!(signed_in_phone(&server, cookie).await, Value::Null);
        }
        refused(post(&server, "/api/v1/account/move/confirm", &new, json!({ "code": code })).await, StatusCode::NOT_FOUND, "no_account_move", None, None).await;

        // The new number logs in to the old account; the old number to a new, empty one.
        let by_new = log_in_again(&server, NEW_PHONE).await;
        assert_eq!(signed_in_phone(&server, &by_new).await["realname_status"], "approved");
        assert_eq!(belongings(&server, &by_new).await, things);
        let by_old = log_in_again(&server, PHONE).await;
        assert_eq!(signed_in_phone(&server, &by_old).await["realname_status"], "none");
        assert_eq!(server.get_as("/api/v1/cases", &by_old).await.status(), StatusCode::FORBIDDEN);
        assert_ne!(user_id(&server, PHONE).await, old_id);
        assert_eq!(user_id(&server, NEW_PHONE).await, old_id);
        let (tombstone, moved_into): (String, Option<i64>) = sqlx::query_as("SELECT phone, moved_into FROM users WHERE id = $1")
            .bind(new_id)
            .fetch_one(&database(&server).await)
            .await
            .unwrap();
        assert_eq!((tombstone, moved_into), (format!("moved:{new_id}"), Some(old_id)));

        // Audited for both accounts, with neither number in full.
        let moved = audit(&server, "account_moved").await;
        let move_id: (i64,) = sqlx::query_as("SELECT id FROM account_moves").fetch_one(&database(&server).await).await.unwrap();
        let subject = Some(format!("account_move:{}", move_id.0));
        assert_eq!(moved, [(Some(old_id), "sms".into(), None, subject.clone()), (Some(new_id), "sms".into(), None, subject)]);
        assert_eq!(audit(&server, "account_move_code_failed").await.len(), 1);
        let (full,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE phone_masked IN ($1, $2)")
            .bind(PHONE)
            .bind(NEW_PHONE)
            .fetch_one(&database(&server).await)
            .await
            .unwrap();
        assert_eq!(full, 0);
    }

    #[tokio::test]
    async fn five_wrong_codes_void_the_code_sent_to_the_old_number() {
        let server = spawn_approving(|_| {}).await;
        verified_user(&server, PHONE, &CardData::sample()).await;
        let new = bound(&server).await;
        let confirm = |code: String| post(&server, "/api/v1/account/move/confirm", &new, json!({ "code": code }));
        refused(confirm("123456".into()).await, StatusCode::BAD_REQUEST, "code_missing", None, None).await;
        refused(confirm("12345".into()).await, StatusCode::BAD_REQUEST, "invalid_code", Some("code"), None).await;
        server.clock.advance(61);
        assert_eq!(send_as(&server, Method::POST, "/api/v1/account/move/sms-code", &new).send().await.unwrap().status(), StatusCode::ACCEPTED);
        let code = outbox_code(&server, PHONE).await.unwrap();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..4 {
            refused(confirm(wrong.into()).await, StatusCode::BAD_REQUEST, "code_wrong", None, None).await;
        }
        refused(confirm(wrong.into()).await, StatusCode::BAD_REQUEST, "code_locked", None, None).await;
        refused(confirm(code).await, StatusCode::BAD_REQUEST, "code_locked", None, None).await;
        assert_eq!(signed_in_phone(&server, &new).await["phone_masked"], NEW_MASKED);
    }

    #[tokio::test]
    async fn a_clerk_compares_the_photos_and_moves_the_account_or_refuses_with_a_reason() {
        let server = spawn_approving(|_| {}).await;
        add_staff(&server, CLERK, "赵办理", StaffRole::Clerk).await;
        add_staff(&server, VIEWER, "钱查询", StaffRole::Viewer).await;
        let (clerk, viewer) = (signed_in(&server, CLERK).await, signed_in(&server, VIEWER).await);
        let old = verified_user(&server, PHONE, &CardData::sample()).await;
        let things = belongings_of_old(&server, &old).await;
        let old_id = user_id(&server, PHONE).await;
        let new = bound(&server).await;

        // The old number is lost: a clerk's review.
        let asked = ok(post(&server, "/api/v1/account/move/review", &new, json!(null)).await).await;
        assert_eq!((&asked["status"], &asked["old_phone_masked"]), (&json!("review_pending"), &json!(OLD_MASKED)));
        assert_eq!(move_of(&server, &new).await["status"], "review_pending");
        // Waiting: no new submission meanwhile.
        let response = submit(&server, &new, &crate::common::card_fields(&CardData::sample()), &[]).await;
        refused(response, StatusCode::CONFLICT, "realname_done", None, None).await;

        // The viewer sees the queue and the request, not the four photos (they show the full ID
        // number, which he sees masked), and decides nothing; the clerk sees the photos.
        let queue = ok(server.get_as("/api/v1/staff/account-moves", &viewer).await).await;
        assert_eq!(queue.as_array().unwrap().len(), 1);
        let id = queue[0]["id"].as_i64().unwrap();
        assert_eq!((&queue[0]["name_masked"], &queue[0]["id_number_masked"]), (&json!("王*国"), &json!("1501**********1234")));
        let detail = ok(server.get_as(&format!("/api/v1/staff/account-moves/{id}"), &viewer).await).await;
        assert_eq!(
            (&detail["old_phone_masked"], &detail["new_phone_masked"], &detail["name"], &detail["old_name"]),
            (&json!(OLD_MASKED), &json!(NEW_MASKED), &json!("王建国"), &json!("王建国"))
        );
        assert!(detail["old_verified_at"].as_i64().unwrap() > 0);
        let text = detail.to_string();
        assert!(!text.contains(PHONE) && !text.contains(NEW_PHONE) && !text.contains("150102198506151234"), "{text}");
        for which in ["new_portrait", "new_emblem", "old_portrait", "old_emblem"] {
            let photo = server.get_as(&format!("/api/v1/staff/account-moves/{id}/photos/{which}"), &clerk).await;
            assert_eq!(photo.status(), StatusCode::OK, "{which}");
            assert_eq!(photo.headers()[header::CACHE_CONTROL], "no-store");
            assert_eq!(photo.headers()[header::CONTENT_TYPE], "image/jpeg");
            let photo = server.get_as(&format!("/api/v1/staff/account-moves/{id}/photos/{which}"), &viewer).await;
            refused(photo, StatusCode::FORBIDDEN, "staff_role", None, None).await;
        }
        let missing = server.get_as(&format!("/api/v1/staff/account-moves/{id}/photos/portrait"), &clerk).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let decide = |cookie: &str, body: Value| {
            send_as(&server, Method::POST, &format!("/api/v1/staff/account-moves/{id}/decision"), cookie).json(&body).send()
        };
        refused(decide(&viewer, json!({ "approve": true, "reason": null })).await.unwrap(), StatusCode::FORBIDDEN, "staff_role", None, None).await;

        // Refused with a reason the driver reads; he may try again.
        refused(decide(&clerk, json!({ "approve": false, "reason": " " })).await.unwrap(), StatusCode::BAD_REQUEST, "invalid_field", Some("reason"), None).await;
        let decided = ok(decide(&clerk, json!({ "approve": false, "reason": "照片与原账户的身份证照片不一致" })).await.unwrap()).await;
        assert_eq!((&decided["summary"]["status"], &decided["reason"]), (&json!("rejected"), &json!("照片与原账户的身份证照片不一致")));
        let seen = move_of(&server, &new).await;
        assert_eq!((&seen["status"], &seen["reason"]), (&json!("rejected"), &json!("照片与原账户的身份证照片不一致")));
        refused(decide(&clerk, json!({ "approve": true, "reason": null })).await.unwrap(), StatusCode::CONFLICT, "already_decided", None, None).await;
        assert_eq!(audit(&server, "account_move_decided").await[0].1, "rejected");

        // Again, and approved: the new number's session is now the old account.
        upload_card(&server, &new, &CardData::sample()).await;
        let response = submit(&server, &new, &crate::common::card_fields(&CardData::sample()), &[]).await;
        refused(response, StatusCode::CONFLICT, "id_number_bound", None, None).await;
        ok(post(&server, "/api/v1/account/move/review", &new, json!(null)).await).await;
        let queue = ok(server.get_as("/api/v1/staff/account-moves", &clerk).await).await;
        let second = queue[0]["id"].as_i64().unwrap();
        assert_ne!(second, id);
        let done = ok(send_as(&server, Method::POST, &format!("/api/v1/staff/account-moves/{second}/decision"), &clerk)
            .json(&json!({ "approve": true, "reason": null }))
            .send()
            .await
            .unwrap())
        .await;
        assert_eq!((&done["summary"]["status"], &done["old_phone_masked"]), (&json!("done"), &json!(OLD_MASKED)));
        assert_eq!(signed_in_phone(&server, &old).await, Value::Null, "the old account's sessions ended");
        assert_eq!(signed_in_phone(&server, &new).await["realname_status"], "approved");
        assert_eq!(belongings(&server, &new).await, things);
        assert_eq!(user_id(&server, NEW_PHONE).await, old_id);
        let moved = audit(&server, "account_moved").await;
        assert_eq!(moved.len(), 2);
        assert!(moved.iter().all(|row| row.1 == "clerk" && row.2.is_some()), "{moved:?}");
        let done_queue = ok(server.get_as("/api/v1/staff/account-moves?status=done", &viewer).await).await;
        assert_eq!(done_queue.as_array().unwrap().len(), 1);
        refused(server.get_as("/api/v1/staff/account-moves?status=approved", &viewer).await, StatusCode::BAD_REQUEST, "invalid_filter", None, None).await;
    }

    /// A third number, which moves the account while another waits for a clerk.
    const THIRD_PHONE: &str = "13600002222";
    const THIRD_MASKED: &str = "136****2222";

    /// The reviewer's sequence: B asks a clerk to move the account on [`PHONE`], then C moves
    /// that account to itself with the SMS code. A: [`PHONE`], verified; B: [`NEW_PHONE`];
    /// C: [`THIRD_PHONE`]. Returns (clerk, B, C, B's request, the account's id).
    async fn moved_while_a_clerk_waits(server: &TestServer) -> (String, String, String, i64, i64) {
        add_staff(server, CLERK, "赵办理", StaffRole::Clerk).await;
        let clerk = signed_in(server, CLERK).await;
        verified_user(server, PHONE, &CardData::sample()).await;
        let account = user_id(server, PHONE).await;
        let b = bound(server).await;
        let asked = ok(post(server, "/api/v1/account/move/review", &b, json!(null)).await).await;
        assert_eq!((&asked["status"], &asked["old_phone_masked"]), (&json!("review_pending"), &json!(OLD_MASKED)));
        let queue = ok(server.get_as("/api/v1/staff/account-moves", &clerk).await).await;
        let b_move = queue[0]["id"].as_i64().unwrap();

        let (c, response) = submit_card(server, THIRD_PHONE, &CardData::sample()).await;
        refused(response, StatusCode::CONFLICT, "id_number_bound", None, None).await;
        server.clock.advance(61);
        let sent = send_as(server, Method::POST, "/api/v1/account/move/sms-code", &c).send().await.unwrap();
        assert_eq!(sent.status(), StatusCode::ACCEPTED);
        let code = outbox_code(server, PHONE).await.unwrap();
        let me = ok(post(server, "/api/v1/account/move/confirm", &c, json!({ "code": code })).await).await;
        assert_eq!(me["phone_masked"], THIRD_MASKED);
        assert_eq!(user_id(server, THIRD_PHONE).await, account);
        (clerk, b, c, b_move, account)
    }

    #[tokio::test]
    async fn a_move_cancels_the_other_requests_for_the_account_and_a_clerk_cannot_approve_them() {
        let server = spawn_approving(|_| {}).await;
        let (clerk, b, c, b_move, account) = moved_while_a_clerk_waits(&server).await;

        // B's request was cancelled with the move, with a reason he reads.
        let seen = move_of(&server, &b).await;
        assert_eq!((&seen["status"], &seen["old_phone_masked"]), (&json!("cancelled"), &json!(OLD_MASKED)));
        let reason = seen["reason"].as_str().unwrap();
        assert!(reason.contains("已转移到其他手机号") && reason.contains("服务大厅"), "{reason}");
        let (status,): (String,) =
            sqlx::query_as("SELECT status FROM account_moves WHERE id = $1").bind(b_move).fetch_one(&database(&server).await).await.unwrap();
        assert_eq!(status, "cancelled");

        // The console: no longer waiting, shown as it was asked, and 同意转移 refused.
        let queue = ok(server.get_as("/api/v1/staff/account-moves", &clerk).await).await;
        assert_eq!(queue, json!([]));
        let detail = ok(server.get_as(&format!("/api/v1/staff/account-moves/{b_move}"), &clerk).await).await;
        assert_eq!((&detail["summary"]["status"], &detail["old_phone_masked"]), (&json!("cancelled"), &json!(OLD_MASKED)));
        let approve = post(&server, &format!("/api/v1/staff/account-moves/{b_move}/decision"), &clerk, json!({ "approve": true, "reason": null })).await;
        refused(approve, StatusCode::CONFLICT, "already_decided", None, None).await;

        // C keeps the account and his session; B may submit again, against C's number now.
        assert_eq!(signed_in_phone(&server, &c).await["phone_masked"], THIRD_MASKED);
        assert_eq!(user_id(&server, THIRD_PHONE).await, account);
        assert_eq!(audit(&server, "account_moved").await.len(), 2);
        upload_card(&server, &b, &CardData::sample()).await;
        let again = submit(&server, &b, &crate::common::card_fields(&CardData::sample()), &[]).await;
        let body = refused(again, StatusCode::CONFLICT, "id_number_bound", None, None).await;
        assert!(body["message"].as_str().unwrap().contains(THIRD_MASKED), "{body}");
        assert_eq!(move_of(&server, &b).await["status"], "sms_pending");
    }

    #[tokio::test]
    async fn a_request_made_against_a_number_the_account_no_longer_has_never_moves_it() {
        let server = spawn_approving(|_| {}).await;
        let (clerk, b, c, b_move, account) = moved_while_a_clerk_waits(&server).await;
        // As a request left open by a move before the rule: waiting for a clerk again.
        let reopen = |status: &'static str| {
            let server = &server;
            async move {
                sqlx::query("UPDATE account_moves SET status = $1, reason = NULL, decided_at = NULL, code_sent_at = 1 WHERE id = $2")
                    .bind(status)
                    .bind(b_move)
                    .execute(&database(server).await)
                    .await
                    .unwrap();
            }
        };
        reopen("review_pending").await;
        let approve = post(&server, &format!("/api/v1/staff/account-moves/{b_move}/decision"), &clerk, json!({ "approve": true, "reason": null })).await;
        let body = refused(approve, StatusCode::CONFLICT, "account_move_closed", None, None).await;
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(OLD_MASKED) && message.contains("已转移到其他手机号"), "{message}");
        assert!(!message.contains(THIRD_PHONE) && !message.contains(THIRD_MASKED), "{message}");
        let seen = move_of(&server, &b).await;
        assert_eq!(seen["status"], "cancelled", "the refusal cancelled it");
        assert!(seen["reason"].as_str().unwrap().contains("已转移到其他手机号"));

        // By the SMS code neither: no code goes to C's number, and none confirms.
        reopen("sms_pending").await;
        server.clock.advance(61);
        let outbox = json(server.get("/api/v1/dev/sms-outbox").await).await;
        let sent = send_as(&server, Method::POST, "/api/v1/account/move/sms-code", &b).send().await.unwrap();
        refused(sent, StatusCode::CONFLICT, "account_move_closed", None, None).await;
        assert_eq!(json(server.get("/api/v1/dev/sms-outbox").await).await, outbox, "no code sent");
        let confirm = post(&server, "/api/v1/account/move/confirm", &b, json!({ "code": "123456" })).await;
        refused(confirm, StatusCode::CONFLICT, "account_move_closed", None, None).await;

        // C still has the account and his session.
        assert_eq!(signed_in_phone(&server, &c).await["phone_masked"], THIRD_MASKED);
        assert_eq!(user_id(&server, THIRD_PHONE).await, account);
        assert_eq!(audit(&server, "account_moved").await.len(), 2);
    }

    #[tokio::test]
    async fn nobody_else_sees_or_acts_on_a_move() {
        let server = spawn_approving(|_| {}).await;
        verified_user(&server, PHONE, &CardData::sample()).await;
        let new = bound(&server).await;
        ok(post(&server, "/api/v1/account/move/review", &new, json!(null)).await).await;
        let stranger = verified_user(&server, OTHER_PHONE, &other_card()).await;

        // Without a session, or without the app's CSRF header.
        let nobody = server.get("/api/v1/account/move").await;
        refused(nobody, StatusCode::UNAUTHORIZED, "unauthenticated", None, None).await;
        for path in ["/api/v1/account/move/sms-code", "/api/v1/account/move/review", "/api/v1/account/move/confirm"] {
            let response = server.post_json(path, json!({ "code": "123456" })).await;
            refused(response, StatusCode::UNAUTHORIZED, "unauthenticated", None, None).await;
            let response = server
                .client
                .post(format!("{}{path}", server.base))
                .header(header::COOKIE, &new)
                .json(&json!({ "code": "123456" }))
                .send()
                .await
                .unwrap();
            refused(response, StatusCode::FORBIDDEN, "csrf", None, None).await;
        }
        // Another driver has no move, and cannot act on this one.
        assert_eq!(move_of(&server, &stranger).await, Value::Null);
        for path in ["/api/v1/account/move/sms-code", "/api/v1/account/move/review", "/api/v1/account/move/confirm"] {
            let response = post(&server, path, &stranger, json!({ "code": "123456" })).await;
            refused(response, StatusCode::NOT_FOUND, "no_account_move", None, None).await;
        }
        // The console: staff only.
        let (id,): (i64,) = sqlx::query_as("SELECT id FROM account_moves").fetch_one(&database(&server).await).await.unwrap();
        for path in [
            "/api/v1/staff/account-moves".to_owned(),
            format!("/api/v1/staff/account-moves/{id}"),
            format!("/api/v1/staff/account-moves/{id}/photos/new_portrait"),
        ] {
            refused(server.get(&path).await, StatusCode::UNAUTHORIZED, "staff_unauthenticated", None, None).await;
            refused(server.get_as(&path, &stranger).await, StatusCode::FORBIDDEN, "staff_only", None, None).await;
        }
        let decision = format!("/api/v1/staff/account-moves/{id}/decision");
        refused(post(&server, &decision, &stranger, json!({ "approve": true })).await, StatusCode::FORBIDDEN, "staff_only", None, None).await;
        add_staff(&server, CLERK, "赵办理", StaffRole::Clerk).await;
        let clerk = signed_in(&server, CLERK).await;
        let no_csrf = server.client.post(format!("{}{decision}", server.base)).header(header::COOKIE, &clerk).json(&json!({ "approve": true })).send().await.unwrap();
        refused(no_csrf, StatusCode::FORBIDDEN, "csrf", None, None).await;
        let missing = server.get_as("/api/v1/staff/account-moves/999999", &clerk).await;
        refused(missing, StatusCode::NOT_FOUND, "not_found", None, None).await;
        assert_eq!(move_of(&server, &new).await["status"], "review_pending", "nothing changed");
    }

    #[tokio::test]
    async fn keys_stored_before_the_rule_are_filled_in_and_shared_ones_counted() {
        let server = spawn_approving(|_| {}).await;
        verified_user(&server, PHONE, &CardData::sample()).await;
        verified_user(&server, OTHER_PHONE, &other_card()).await;
        let db = database(&server).await;
        let keys = |db: sqlx::AnyPool| async move {
            type Keys = (Option<Vec<u8>>, Option<Vec<u8>>);
            let rows: Vec<Keys> = sqlx::query_as(
                "SELECT u.holder_key, r.holder_key FROM users u JOIN realname_submissions r ON r.user_id = u.id ORDER BY u.id",
            )
            .fetch_all(&db)
            .await
            .unwrap();
            rows
        };
        let before = keys(db.clone()).await;
        assert!(before.iter().all(|(u, r)| u.is_some() && u == r), "stored at submission and approval");
        sqlx::query("UPDATE users SET holder_key = NULL").execute(&db).await.unwrap();
        sqlx::query("UPDATE realname_submissions SET holder_key = NULL").execute(&db).await.unwrap();
        let key_file = server.dir.path().join("data/taxicert.key");
        let secrets = taxicert_server::secrets::Secrets::load(&key_file, false).unwrap();
        let vault = taxicert_server::crypto::Vault::new(&secrets);
        let (filled, sharing) = taxicert_server::realname::backfill_holder_keys(&db, &vault, &secrets).await.unwrap();
        assert_eq!((filled, sharing), (4, 0));
        assert_eq!(keys(db.clone()).await, before);
        // Two accounts verified with one number before the rule: counted, left as they are.
        sqlx::query("UPDATE users SET holder_key = (SELECT holder_key FROM users ORDER BY id LIMIT 1)").execute(&db).await.unwrap();
        let (_, sharing) = taxicert_server::realname::backfill_holder_keys(&db, &vault, &secrets).await.unwrap();
        assert_eq!(sharing, 2);
    }
}
