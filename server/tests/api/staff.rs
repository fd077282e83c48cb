//! The staff console, black-box: accounts made with the CLI's own function (and once with the
//! binary itself), sign-in with lockout, the staff cookie, the real-name queue and decision,
//! the case queue and the clerk's four actions, 办结 of each business with its result and
//! voucher (and what a cancelled certificate no longer allows), and who may reach what.

use crate::common;

use std::collections::BTreeMap;

use common::{
    assert_error_body, audit_rows, card_fields, database,
    flows::{
        act, add_staff, certificates, next_key, ok, other_card, refused, saved, send_as, signed_in, spawn_approving,
        staff_login, submit, upload, upload_bytes, OTHER_PHONE, PHONE, STAFF_PASSWORD,
    },
    json, log_in, staff_id, verified_user, TestServer,
};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use taxicert_api::{BusinessDetails, Material, StaffRole};
use taxicert_server::{
    cases::decide_due,
    clock::Clock,
    staff,
    workdays::{holidays::OfficialCalendar, Date},
};
use taxicert_testkit::CardData;

const CLERK: &str = "wang.clerk";
const CLERK_NAME: &str = "王办理";
const VIEWER: &str = "li.viewer";

async fn spawn_staff(realname_auto_approve: bool) -> TestServer {
    spawn_approving(|config| config.realname_auto_approve = realname_auto_approve).await
}

/// A server with a clerk and a viewer signed in: (server, clerk cookie, viewer cookie).
async fn with_staff(realname_auto_approve: bool) -> (TestServer, String, String) {
    let server = spawn_staff(realname_auto_approve).await;
    add_staff(&server, CLERK, CLERK_NAME, StaffRole::Clerk).await;
    add_staff(&server, VIEWER, "李查询", StaffRole::Viewer).await;
    let clerk = signed_in(&server, CLERK).await;
    let viewer = signed_in(&server, VIEWER).await;
    (server, clerk, viewer)
}

// ---------------------------------------------------------------- sign-in

#[tokio::test]
async fn a_clerk_signs_in_with_a_strict_http_only_cookie_and_out_again() {
    let server = spawn_staff(true).await;
    add_staff(&server, CLERK, CLERK_NAME, StaffRole::Clerk).await;
    // The username is forgiven its case and spaces; the password is not.
    let response = staff_login(&server, " Wang.Clerk ", STAFF_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(set_cookie.starts_with("taxicert_staff="), "{set_cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(set_cookie.split("; ").any(|a| a == attribute), "{attribute} missing: {set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain HTTP in the tests");
    assert_eq!(json(response).await, json!({ "username": CLERK, "display_name": CLERK_NAME, "role": "clerk" }));
    let cookie = set_cookie.split(';').next().unwrap().to_owned();

    assert_eq!(ok(server.get_as("/api/v1/staff/session", &cookie).await).await["display_name"], CLERK_NAME);
    // Without the CSRF header, no sign-in and no sign-out.
    let bare = server.client.post(format!("{}/api/v1/staff/session", server.base));
    let response = bare.json(&json!({ "username": CLERK, "password": STAFF_PASSWORD })).send().await.unwrap();
    refused(response, StatusCode::FORBIDDEN, "csrf", None, None).await;
    let response = server
        .client
        .delete(format!("{}/api/v1/staff/session", server.base))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    refused(response, StatusCode::FORBIDDEN, "csrf", None, None).await;

    let response = send_as(&server, Method::DELETE, "/api/v1/staff/session", &cookie).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cleared = response.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cleared.starts_with("taxicert_staff=;") && cleared.contains("Max-Age=0"), "{cleared}");
    let response = server.get_as("/api/v1/staff/session", &cookie).await;
    refused(response, StatusCode::UNAUTHORIZED, "staff_unauthenticated", None, None).await;

    let id = staff_id(&server, CLERK).await;
    assert_eq!(audit_rows(&server, "staff_login").await, [("ok".into(), Some(id), None)]);
    assert_eq!(audit_rows(&server, "staff_logout").await, [("ok".into(), Some(id), None)]);
    let pool = database(&server).await;
    let (stored,): (Vec<u8>,) = sqlx::query_as("SELECT token_hash FROM staff_sessions").fetch_one(&pool).await.unwrap();
    assert_eq!(stored.len(), 32, "only the token's hash is kept");
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM staff").fetch_one(&pool).await.unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
}

#[tokio::test]
async fn the_staff_session_ends_when_idle_and_after_the_absolute_limit() {
    let server = spawn_staff(true).await;
    add_staff(&server, CLERK, CLERK_NAME, StaffRole::Clerk).await;
    let cookie = signed_in(&server, CLERK).await;
    server.clock.advance(29 * 60);
    assert_eq!(server.get_as("/api/v1/staff/session", &cookie).await.status(), StatusCode::OK);
    server.clock.advance(31 * 60);
    let response = server.get_as("/api/v1/staff/session", &cookie).await;
    refused(response, StatusCode::UNAUTHORIZED, "staff_unauthenticated", None, None).await;

    let cookie = signed_in(&server, CLERK).await;
    for _ in 0..24 {
        server.clock.advance(29 * 60);
        assert_eq!(server.get_as("/api/v1/staff/session", &cookie).await.status(), StatusCode::OK);
    }
    server.clock.advance(29 * 60);
    let response = server.get_as("/api/v1/staff/session", &cookie).await;
    refused(response, StatusCode::UNAUTHORIZED, "staff_unauthenticated", None, None).await;
}

#[tokio::test]
async fn a_wrong_password_an_unknown_user_and_a_disabled_account_get_the_same_answer() {
    let server = spawn_staff(true).await;
    add_staff(&server, CLERK, CLERK_NAME, StaffRole::Clerk).await;
    add_staff(&server, "zhao.left", "赵离职", StaffRole::Clerk).await;
    let leaver = signed_in(&server, "zhao.left").await;
    staff::disable(&database(&server).await, "zhao.left").await.unwrap();
    assert_eq!(
        server.get_as("/api/v1/staff/session", &leaver).await.status(),
        StatusCode::UNAUTHORIZED,
        "disabling ends the open sessions"
    );

    // (An unknown username still costs a password check against a dummy hash, so that the
    // answer's timing does not tell; timing is not asserted here, tests are not benchmarks.)
    for (username, password) in [
        (CLERK, "wrong password!"),
        ("nobody.here", STAFF_PASSWORD),
        ("zhao.left", STAFF_PASSWORD),
        (CLERK, ""),
        ("", ""),
    ] {
        let response = staff_login(&server, username, password).await;
        assert!(response.headers().get(header::SET_COOKIE).is_none());
        let body = refused(response, StatusCode::UNAUTHORIZED, "staff_login_failed", None, None).await;
        assert_eq!(body["message"], "用户名或密码错误，请重新输入。");
    }

    let outcomes: Vec<String> =
        audit_rows(&server, "staff_login_failed").await.into_iter().map(|(o, _, _)| o).collect();
    assert_eq!(outcomes, ["password_wrong", "unknown_user", "disabled", "password_wrong", "unknown_user"]);
}

#[tokio::test]
async fn five_wrong_passwords_in_a_row_lock_the_account_for_fifteen_minutes() {
    let server = spawn_staff(true).await;
    add_staff(&server, CLERK, CLERK_NAME, StaffRole::Clerk).await;
    // A success in between starts the count again.
    for _ in 0..4 {
        refused(
            staff_login(&server, CLERK, "wrong password!").await,
            StatusCode::UNAUTHORIZED,
            "staff_login_failed",
            None,
            None,
        )
        .await;
    }
    signed_in(&server, CLERK).await;
    for _ in 0..4 {
        refused(
            staff_login(&server, CLERK, "wrong password!").await,
            StatusCode::UNAUTHORIZED,
            "staff_login_failed",
            None,
            None,
        )
        .await;
    }
    let response = staff_login(&server, CLERK, "wrong password!").await;
    assert_eq!(response.headers()[header::RETRY_AFTER], "900");
    let body = refused(response, StatusCode::TOO_MANY_REQUESTS, "staff_locked", None, None).await;
    assert_eq!(body["message"], "密码连续输错5次，已暂停该用户名在本机登录，请15分钟后再试，或联系管理员解锁。");
    assert_eq!(body["retry_after_seconds"], 900);
    // Locked, the right password does not help either; the wait counts down.
    server.clock.advance(10 * 60);
    let body = refused(
        staff_login(&server, CLERK, STAFF_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "staff_locked",
        None,
        None,
    )
    .await;
    assert_eq!(body["retry_after_seconds"], 300);
    assert!(body["message"].as_str().unwrap().contains("请5分钟后再试"));
    server.clock.advance(5 * 60);
    signed_in(&server, CLERK).await;

    // Locked again, and unlocked by the operator before the time is up.
    for _ in 0..5 {
        staff_login(&server, CLERK, "wrong password!").await;
    }
    refused(
        staff_login(&server, CLERK, STAFF_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "staff_locked",
        None,
        None,
    )
    .await;
    let pool = database(&server).await;
    let listed = staff::list(&pool).await.unwrap();
    assert!(listed[0].locked_until.is_some_and(|until| until > server.clock.now()));
    staff::unlock(&pool, CLERK).await.unwrap();
    signed_in(&server, CLERK).await;
    let locks = audit_rows(&server, "staff_login_failed").await.into_iter().filter(|(o, _, _)| o == "locked").count();
    assert_eq!(locks, 4, "each lock, and each refusal while locked");
}

#[tokio::test]
async fn the_cli_adds_an_account_that_signs_in() {
    let server = spawn_staff(true).await;
    let bin = env!("CARGO_BIN_EXE_taxicert-server");
    let config_file = server.dir.path().join("taxicert.toml");
    std::fs::write(&config_file, format!("database = {:?}\n", server.database.setting())).unwrap();
    let run = |args: &[&str], password: Option<&str>, stdin: &str| {
        let mut command = std::process::Command::new(bin);
        command
            .args(args)
            .env_remove("TAXICERT_CONFIG")
            .env_remove("TAXICERT_DATABASE")
            .env_remove("TAXICERT_STAFF_PASSWORD");
        if let Some(password) = password {
            command.env("TAXICERT_STAFF_PASSWORD", password);
        }
        let mut child = command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        (output.status.success(), String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
    };
    let config = config_file.to_str().unwrap();

    let (success, stdout, stderr) = run(
        &["staff", "add", "zhang.cli", "--name", "张命令", "--role", "viewer", "--config", config],
        Some(STAFF_PASSWORD),
        "",
    );
    assert!(success, "{stderr}");
    assert!(stdout.contains("zhang.cli") && stdout.contains("查询人员"), "{stdout}");
    let response = staff_login(&server, "zhang.cli", STAFF_PASSWORD).await;
    assert_eq!(json(response).await, json!({ "username": "zhang.cli", "display_name": "张命令", "role": "viewer" }));

    // The password may come on standard input; the role defaults to clerk.
    let (success, _, stderr) =
        run(&["staff", "add", "--config", config, "liu.cli", "--name", "刘命令"], None, "a stdin password\n");
    assert!(success, "{stderr}");
    assert_eq!(json(staff_login(&server, "liu.cli", "a stdin password").await).await["role"], "clerk");

    // Refusals say what is wrong.
    let (success, _, stderr) =
        run(&["staff", "add", "Bad Name", "--name", "x", "--config", config], Some(STAFF_PASSWORD), "");
    assert!(!success && stderr.contains("用户名"), "{stderr}");
    let (success, _, stderr) = run(&["staff", "add", "short.pw", "--name", "x", "--config", config], Some("short"), "");
    assert!(!success && stderr.contains("至少需要12个字符"), "{stderr}");
    let (success, _, stderr) =
        run(&["staff", "add", "zhang.cli", "--name", "x", "--config", config], Some(STAFF_PASSWORD), "");
    assert!(!success && stderr.contains("已被使用"), "{stderr}");
    let (success, _, stderr) = run(&["staff", "add", "no.name", "--config", config], Some(STAFF_PASSWORD), "");
    assert!(!success && stderr.contains("usage"), "{stderr}");

    // passwd, disable, list — never a hash on screen.
    let (success, _, stderr) =
        run(&["staff", "passwd", "zhang.cli", "--config", config], Some("a brand new password"), "");
    assert!(success, "{stderr}");
    refused(
        staff_login(&server, "zhang.cli", STAFF_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "staff_login_failed",
        None,
        None,
    )
    .await;
    assert_eq!(staff_login(&server, "zhang.cli", "a brand new password").await.status(), StatusCode::OK);
    let (success, _, _) = run(&["staff", "disable", "liu.cli", "--config", config], None, "");
    assert!(success);
    refused(
        staff_login(&server, "liu.cli", "a stdin password").await,
        StatusCode::UNAUTHORIZED,
        "staff_login_failed",
        None,
        None,
    )
    .await;
    let (success, stdout, _) = run(&["staff", "list", "--config", config], None, "");
    assert!(success);
    assert!(
        stdout.contains("zhang.cli\t张命令\t查询人员\t正常")
            && stdout.contains("liu.cli\t刘命令\t业务办理人员\t已停用"),
        "{stdout}"
    );
    assert!(!stdout.contains("argon2"), "{stdout}");
    let (success, _, stderr) = run(&["staff", "unlock", "nobody", "--config", config], None, "");
    assert!(!success && stderr.contains("没有用户名为“nobody”的账号"), "{stderr}");
}

// ---------------------------------------------------------------- real-name review

/// Sends both sides of the ID card and submits the fields: pending review.
async fn submit_realname(server: &TestServer, cookie: &str, card: &CardData) -> Value {
    let form = reqwest::multipart::Form::new()
        .part(
            "portrait",
            reqwest::multipart::Part::bytes(taxicert_testkit::portrait_side(card)).file_name("portrait.png"),
        )
        .part("emblem", reqwest::multipart::Part::bytes(taxicert_testkit::emblem_side(card)).file_name("emblem.png"));
    let response =
        send_as(server, Method::POST, "/api/v1/realname/id-card", cookie).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = send_as(server, Method::POST, "/api/v1/realname/submission", cookie)
        .json(&json!({ "fields": card_fields(card), "typed": ["address"] }))
        .send()
        .await
        .unwrap();
    ok(response).await
}

async fn decide(server: &TestServer, cookie: &str, id: i64, decision: Value) -> reqwest::Response {
    send_as(server, Method::POST, &format!("/api/v1/staff/realname/{id}/decision"), cookie)
        .json(&decision)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_clerk_reviews_rejects_and_then_approves_a_real_name_submission() {
    let (server, clerk, _) = with_staff(false).await;
    let card = CardData::sample();
    let driver = log_in(&server, PHONE).await;
    assert_eq!(submit_realname(&server, &driver, &card).await["status"], "pending");

    let queue = ok(server.get_as("/api/v1/staff/realname", &clerk).await).await;
    assert_eq!(queue.as_array().unwrap().len(), 1);
    let id = queue[0]["id"].as_i64().unwrap();
    assert_eq!(queue[0]["name_masked"], "王*国");
    assert_eq!(queue[0]["status"], "pending");
    assert_eq!(ok(server.get_as("/api/v1/staff/realname?status=rejected", &clerk).await).await, json!([]));
    refused(
        server.get_as("/api/v1/staff/realname?status=maybe", &clerk).await,
        StatusCode::BAD_REQUEST,
        "invalid_filter",
        None,
        None,
    )
    .await;

    let review = ok(server.get_as(&format!("/api/v1/staff/realname/{id}"), &clerk).await).await;
    assert_eq!(review["fields"], card_fields(&card), "the fields in full, to compare with the photos");
    assert_eq!(review["typed_fields"], json!(["address"]));
    assert_eq!(review["phone_masked"], "138****5678");
    assert_eq!(review["summary"]["id_number_masked"], queue[0]["id_number_masked"]);
    for (side, sent) in
        [("portrait", taxicert_testkit::portrait_side(&card)), ("emblem", taxicert_testkit::emblem_side(&card))]
    {
        let response = server.get_as(&format!("/api/v1/staff/realname/{id}/photos/{side}"), &clerk).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "image/jpeg", "{side}: re-encoded by the pipeline");
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let shown = image::load_from_memory(&response.bytes().await.unwrap()).unwrap();
        let sent = image::load_from_memory(&sent).unwrap();
        assert_eq!((shown.width(), shown.height()), (sent.width(), sent.height()), "{side}: the whole card");
    }
    let response = server.get_as(&format!("/api/v1/staff/realname/{id}/photos/back"), &clerk).await;
    refused(response, StatusCode::NOT_FOUND, "not_found", None, None).await;
    refused(server.get_as("/api/v1/staff/realname/999", &clerk).await, StatusCode::NOT_FOUND, "not_found", None, None)
        .await;
    refused(server.get_as("/api/v1/staff/realname/abc", &clerk).await, StatusCode::NOT_FOUND, "not_found", None, None)
        .await;

    // A rejection needs its reason.
    for reason in [json!(null), json!(" 糊 "), json!("很".repeat(201))] {
        let response = decide(&server, &clerk, id, json!({ "approve": false, "reason": reason })).await;
        refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("reason"), None).await;
    }
    let reason = "身份证人像面照片模糊，请在光线充足处重新拍摄。";
    let decided = ok(decide(&server, &clerk, id, json!({ "approve": false, "reason": reason })).await).await;
    assert_eq!(decided["summary"]["status"], "rejected");
    assert_eq!(decided["reason"], reason);
    let response = decide(&server, &clerk, id, json!({ "approve": true, "reason": null })).await;
    refused(response, StatusCode::CONFLICT, "already_decided", None, None).await;
    let state = ok(server.get_as("/api/v1/realname", &driver).await).await;
    assert_eq!((state["status"].clone(), state["reason"].clone()), (json!("rejected"), json!(reason)));

    // The driver sends it again; this time it is approved.
    submit_realname(&server, &driver, &card).await;
    let queue = ok(server.get_as("/api/v1/staff/realname", &clerk).await).await;
    let second = queue[0]["id"].as_i64().unwrap();
    assert_ne!(second, id);
    let decided = ok(decide(&server, &clerk, second, json!({ "approve": true, "reason": null })).await).await;
    assert_eq!(decided["summary"]["status"], "approved");
    assert_eq!(ok(server.get_as("/api/v1/auth/session", &driver).await).await["me"]["realname_status"], "approved");
    assert_eq!(ok(server.get_as("/api/v1/profile", &driver).await).await["name"], "王建国", "the wizard opens");
    let decided_list = ok(server.get_as("/api/v1/staff/realname?status=approved", &clerk).await).await;
    assert_eq!(decided_list[0]["id"], second);

    let clerk_id = staff_id(&server, CLERK).await;
    let pool = database(&server).await;
    let rows: Vec<(Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT decided_by, decided_at FROM realname_submissions ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows, [(Some(clerk_id), Some(server.clock.now())), (Some(clerk_id), Some(server.clock.now()))]);
    assert_eq!(
        audit_rows(&server, "realname_decided").await,
        [
            ("rejected".into(), Some(clerk_id), Some(format!("realname:{id}"))),
            ("approved".into(), Some(clerk_id), Some(format!("realname:{second}")))
        ]
    );
}

/// Whether `haystack` holds `needle` anywhere.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A JPEG as a phone's camera leaves it: EXIF with the make, model, time and GPS position, and
/// bytes appended after the picture's end (a motion photo's video, a hidden archive).
fn camera_jpeg(png: &[u8]) -> Vec<u8> {
    let mut jpeg = taxicert_testkit::hostile::jpeg_with_exif(&image::load_from_memory(png).unwrap().to_rgb8(), 1, true);
    jpeg.extend_from_slice(b"PK\x03\x04 appended after the picture");
    jpeg
}

/// What a clerk may be shown of an ID-card photo: one clean JPEG and nothing else.
fn assert_clean_jpeg(jpeg: &[u8], what: &str) {
    assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]), "{what}: a JPEG");
    assert!(!contains(jpeg, b"Exif\0\0") && !contains(jpeg, &[0xFF, 0xE1]), "{what}: no EXIF / APP1 block");
    assert!(!contains(jpeg, b"TaxiCert Test") && !contains(jpeg, b"Fictional Phone"), "{what}: no camera make or model");
    assert!(jpeg.ends_with(&[0xFF, 0xD9]) && !contains(jpeg, b"appended"), "{what}: nothing after FFD9");
    image::load_from_memory(jpeg).unwrap_or_else(|e| panic!("{what}: does not decode: {e}"));
}

/// Sends both sides of the ID card as `camera_jpeg`s and submits the fields: the submission id.
async fn submit_camera_card(server: &TestServer, clerk: &str, cookie: &str, card: &CardData) -> i64 {
    let form = reqwest::multipart::Form::new()
        .part("portrait", reqwest::multipart::Part::bytes(camera_jpeg(&taxicert_testkit::portrait_side(card))).file_name("p.jpg"))
        .part("emblem", reqwest::multipart::Part::bytes(camera_jpeg(&taxicert_testkit::emblem_side(card))).file_name("e.jpg"));
    let response =
        send_as(server, Method::POST, "/api/v1/realname/id-card", cookie).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = send_as(server, Method::POST, "/api/v1/realname/submission", cookie)
        .json(&json!({ "fields": card_fields(card), "typed": [] }))
        .send()
        .await
        .unwrap();
    ok(response).await;
    let queue = ok(server.get_as("/api/v1/staff/realname", clerk).await).await;
    queue[0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn id_card_photos_reach_the_clerk_without_exif_gps_or_appended_bytes() {
    let (server, clerk, _) = with_staff(false).await;
    let driver = log_in(&server, PHONE).await;
    let id = submit_camera_card(&server, &clerk, &driver, &CardData::sample()).await;
    for side in ["portrait", "emblem"] {
        let response = server.get_as(&format!("/api/v1/staff/realname/{id}/photos/{side}"), &clerk).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "image/jpeg");
        assert_clean_jpeg(&response.bytes().await.unwrap(), side);
    }
}

#[tokio::test]
async fn id_card_photos_stored_as_sent_before_are_re_encoded_at_start_up() {
    let (server, clerk, _) = with_staff(false).await;
    let driver = log_in(&server, PHONE).await;
    let id = submit_camera_card(&server, &clerk, &driver, &CardData::sample()).await;
    // Made to look like a row from before the pipeline: the camera's file, sealed as it came.
    let pool = database(&server).await;
    let (user_id,): (i64,) =
        sqlx::query_as("SELECT user_id FROM realname_submissions WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    let secrets = taxicert_server::secrets::Secrets::load(&server.dir.path().join("data/taxicert.key"), false).unwrap();
    let vault = taxicert_server::crypto::Vault::new(&secrets);
    let raw = camera_jpeg(&taxicert_testkit::portrait_side(&CardData::sample()));
    sqlx::query("UPDATE realname_submissions SET portrait = $1, photos_reencoded = 0 WHERE id = $2")
        .bind(vault.seal(&raw, &format!("user:{user_id}:portrait")))
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    // And a draft whose photo no longer decodes: left as it is, and the server still starts.
    let broken = vault.seal(b"not a photo at all", &format!("user:{user_id}:portrait"));
    sqlx::query(
        "INSERT INTO realname_drafts (user_id, portrait, emblem, read_fields, created_at, photos_reencoded)
         VALUES ($1, $2, $3, $4, 0, 0)",
    )
    .bind(user_id)
    .bind(&broken)
    .bind(vault.seal(&raw, &format!("user:{user_id}:emblem")))
    .bind(vault.seal(b"{}", &format!("user:{user_id}:read_fields")))
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let dir = server.stop().await;
    let mut config = common::test_config(&dir, "/");
    config.realname_auto_approve = false;
    let server = common::spawn_config(dir, config).await;
    let clerk_cookie = signed_in(&server, CLERK).await;
    let response = server.get_as(&format!("/api/v1/staff/realname/{id}/photos/portrait"), &clerk_cookie).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_clean_jpeg(&response.bytes().await.unwrap(), "the re-encoded legacy portrait");
    let (taxicert_server::db::Flag(done),): (taxicert_server::db::Flag,) = sqlx::query_as("SELECT photos_reencoded FROM realname_submissions WHERE id = $1")
        .bind(id)
        .fetch_one(&database(&server).await)
        .await
        .unwrap();
    assert!(done);
    let (portrait, taxicert_server::db::Flag(done)): (Vec<u8>, taxicert_server::db::Flag) =
        sqlx::query_as("SELECT portrait, photos_reencoded FROM realname_drafts WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&database(&server).await)
            .await
            .unwrap();
    assert_eq!((portrait, done), (broken, false), "an undecodable photo is left for a person to look at");
}

// ---------------------------------------------------------------- cases

/// The service hall of the demo catalogue.
const HALL: &str = "hall_hhht_xincheng";
const NEW_EMPLOYER: &str = "呼和浩特市新示例出租汽车有限公司";
const NEW_PHONE: &str = "13900001111";
const NEW_STREET: &str = "新华大街8号3单元";

fn pickup() -> Value {
    json!({ "method": "pickup", "hall_id": HALL })
}

/// 补发 of a lost certificate, collected at the hall.
fn reissue() -> Value {
    json!({ "business": "reissue", "reason": "lost", "delivery": pickup() })
}

/// The 准驾车型 the certificate records (C1 when it records none).
fn licence_class(certificate: &Value) -> String {
    certificate["licence_class"].as_str().filter(|c| !c.is_empty()).unwrap_or("C1").to_owned()
}

/// 换发 with the certificate's own 准驾车型, collected at the hall.
fn renewal(certificate: &Value) -> Value {
    json!({ "business": "renewal", "licence_class": licence_class(certificate), "delivery": pickup() })
}

/// The 准驾车型 a 变更 asks for: another than the certificate's.
fn new_class(certificate: &Value) -> &'static str {
    if licence_class(certificate) == "A1" {
        "B1"
    } else {
        "A1"
    }
}

/// 变更 of all four items.
fn change(certificate: &Value) -> Value {
    json!({
        "business": "change",
        "changes": [
            { "item": "address", "new": { "region": { "code": "150102", "name": "" }, "street": NEW_STREET } },
            { "item": "phone", "new": NEW_PHONE },
            { "item": "licence_class", "new": new_class(certificate) },
            { "item": "employer", "new": NEW_EMPLOYER },
        ],
        "reason": "搬家、换号、增驾并换了服务单位",
    })
}

fn cancellation() -> Value {
    json!({ "business": "cancellation", "reason": "retirement_age", "other_reason": "" })
}

/// 服务质量信誉考核 of the latest period the certificate offers.
fn assessment(certificate: &Value) -> Value {
    json!({ "business": "credit_assessment", "period": certificate["assessment_periods"][0] })
}

/// Applies for `business` on the `nth` (from 0) certificate that can be chosen for it, with
/// the details `details` makes of that certificate: the case number.
async fn apply(
    server: &TestServer,
    cookie: &str,
    business: &str,
    nth: usize,
    details: impl FnOnce(&Value) -> Value,
) -> String {
    let list = certificates(server, cookie, business).await;
    let choosable: Vec<&Value> = list.iter().filter(|c| c["unavailable_reason"].is_null()).collect();
    let certificate = choosable.get(nth).unwrap_or_else(|| panic!("no certificate {nth} for {business}: {list:?}"));
    let details = details(certificate);
    apply_on(server, cookie, business, certificate, details).await
}

/// The certificate `id` as listed for `business`.
async fn certificate_for(server: &TestServer, cookie: &str, business: &str, id: &Value) -> Value {
    let list = certificates(server, cookie, business).await;
    list.into_iter().find(|c| c["id"] == *id).unwrap_or_else(|| panic!("certificate {id} not listed for {business}"))
}

/// Every step of `business` saved on `certificate` with `details`, a photo for each required
/// material that applies to them, and submitted: the case number.
async fn apply_on(server: &TestServer, cookie: &str, business: &str, certificate: &Value, details: Value) -> String {
    saved(server, cookie, business, json!({ "step": "notice" })).await;
    saved(server, cookie, business, json!({ "step": "certificate", "certificate_id": certificate["id"] })).await;
    let info = json!({ "contact_name": "王建国", "contact_phone": PHONE, "details": details });
    saved(server, cookie, business, json!({ "step": "personal_info", "info": info })).await;
    let parsed: BusinessDetails = serde_json::from_value(details).unwrap();
    let catalogue = ok(server.get(&format!("/api/v1/businesses/{business}")).await).await;
    let materials: Vec<Material> = serde_json::from_value(catalogue["materials"].clone()).unwrap();
    let mut uploads = BTreeMap::new();
    for material in materials.iter().filter(|m| m.required && m.applies(Some(&parsed))) {
        uploads.insert(material.code.clone(), upload(server, cookie, &material.code).await);
    }
    let draft = saved(server, cookie, business, json!({ "step": "materials", "uploads": uploads })).await;
    let response = submit(server, cookie, &next_key("submit"), business, &draft["revision"]).await;
    let status = response.status();
    let body = json(response).await;
    assert_eq!(status, StatusCode::CREATED, "{business}: {body}");
    body["id"].as_str().unwrap().to_owned()
}

/// 办结 of `business` with these fields: the action.
fn complete(business: &str, fields: Value) -> Value {
    let mut action = fields;
    action["action"] = json!("complete");
    action["business"] = json!(business);
    if action.get("note").is_none() {
        action["note"] = json!("");
    }
    action
}

/// The case's timeline as stored: (event, note, staff id).
async fn events(server: &TestServer, case_id: &str) -> Vec<(String, Option<String>, Option<i64>)> {
    sqlx::query_as("SELECT event, note, staff_id FROM case_events WHERE case_id = $1 ORDER BY id")
        .bind(case_id)
        .fetch_all(&database(server).await)
        .await
        .unwrap()
}

/// A driver with a verified real name and demo certificates: the cookie.
async fn driver(server: &TestServer) -> String {
    verified_user(server, PHONE, &CardData::sample()).await
}

/// The staff view of a case.
async fn staff_case(server: &TestServer, clerk: &str, case_id: &str) -> Value {
    ok(server.get_as(&format!("/api/v1/staff/cases/{case_id}"), clerk).await).await
}

/// The case's voucher PDF as text, read back with poppler's `pdftotext -layout`.
async fn voucher_text(server: &TestServer, cookie: &str, case_id: &str) -> String {
    let response = server.get_as(&format!("/api/v1/cases/{case_id}/voucher"), cookie).await;
    assert_eq!(response.status(), StatusCode::OK);
    let pdf = response.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("voucher.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let probe = std::process::Command::new("pdftotext").arg("-v").output();
    assert!(probe.is_ok(), "pdftotext is missing: install poppler-utils (make setup-test does)");
    let out = std::process::Command::new("pdftotext").arg("-layout").arg(&file).arg("-").output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The public check of a case's voucher.
async fn voucher_check(server: &TestServer, detail: &Value) -> Value {
    let code = detail["case"]["result"]["voucher_code"].as_str().unwrap();
    ok(server.get(&format!("/api/v1/vouchers/{code}")).await).await
}

/// `2025年6月1日` from `2025-06-01`.
fn chinese_date(iso: &str) -> String {
    let (y, m, d) = (Date::parse(iso).unwrap().ymd().0, &iso[5..7], &iso[8..10]);
    format!("{y}年{}月{}日", m.trim_start_matches('0'), d.trim_start_matches('0'))
}

#[tokio::test]
async fn a_clerk_accepts_and_completes_a_renewal_with_its_new_expiry() {
    let (server, clerk, _) = with_staff(true).await;
    let cookie = driver(&server).await;
    let certificate = certificates(&server, &cookie, "renewal").await.into_iter().find(|c| c["unavailable_reason"].is_null()).unwrap();
    let sent = renewal(&certificate);
    let case_id = apply_on(&server, &cookie, "renewal", &certificate, sent.clone()).await;
    let today = Date::beijing_today(server.clock.now());

    let queue = ok(server.get_as("/api/v1/staff/cases", &clerk).await).await;
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!(queue[0]["summary"]["id"], case_id.as_str());
    assert_eq!(queue[0]["applicant_name_masked"], "王*国");
    assert_eq!(queue[0]["certificate_number"], certificate["number"]);

    let detail = staff_case(&server, &clerk, &case_id).await;
    assert_eq!(detail["applicant_name"], "王建国");
    assert_eq!(detail["id_number_masked"], "1501**********1234");
    assert_eq!(detail["phone_masked"], "138****5678");
    assert_eq!(detail["timeline_actors"], json!(["申请人"]));
    assert_eq!(detail["allowed_actions"], json!(["accept", "return", "refuse"]));
    assert_eq!(detail["case"]["info"]["details"], sent, "the business's own answers");
    assert_eq!(detail["case"]["info"]["contact_name"], "王建国");
    // 办结 proposes the register's expiry + 6 years (道路运输从业人员管理规定 第29条).
    let old_until = certificate["valid_until"].as_str().unwrap();
    let proposed = Date::parse(old_until).unwrap().add_years(6);
    assert_eq!(detail["proposed_valid_until"], proposed.to_string());
    assert_eq!((detail["credit_thresholds"].clone(), detail["blocked_reason"].clone()), (Value::Null, Value::Null));
    let photo = &detail["case"]["photos"][0];
    let response = server
        .get_as(&format!("/api/v1/staff/cases/{case_id}/photos/{}", photo["material_code"].as_str().unwrap()), &clerk)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert!(response.bytes().await.unwrap().starts_with(&[0xFF, 0xD8, 0xFF]));
    let response = server.get_as(&format!("/api/v1/staff/cases/{case_id}/photos/nothing"), &clerk).await;
    refused(response, StatusCode::NOT_FOUND, "not_found", None, None).await;

    // 办结 before 受理 is not allowed, and says where the case stands.
    let response = act(&server, &clerk, &case_id, complete("renewal", json!({ "valid_until": proposed.to_string() }))).await;
    let body = refused(response, StatusCode::CONFLICT, "action_not_allowed", None, None).await;
    assert!(body["message"].as_str().unwrap().contains("已提交"), "{body}");

    // A day later (signed in again), 受理: the result is due 3 working days from that day.
    server.clock.advance(24 * 3600);
    let clerk = signed_in(&server, CLERK).await;
    let cookie = log_in(&server, PHONE).await;
    let accepted = ok(act(&server, &clerk, &case_id, json!({ "action": "accept" })).await).await;
    let (decide_by, estimated) = decide_due(&OfficialCalendar::embedded(), today.add_days(1));
    assert_eq!(accepted["case"]["summary"]["status"], "accepted");
    assert_eq!(accepted["case"]["summary"]["decide_by"], decide_by.to_string());
    assert_eq!(accepted["case"]["summary"]["due_dates_estimated"], estimated);
    assert_eq!(accepted["timeline_actors"], json!(["申请人", CLERK_NAME]));
    assert_eq!(accepted["allowed_actions"], json!(["return", "complete"]));
    let body = refused(
        act(&server, &clerk, &case_id, json!({ "action": "accept" })).await,
        StatusCode::CONFLICT,
        "action_not_allowed",
        None,
        None,
    )
    .await;
    assert!(body["message"].as_str().unwrap().contains("已受理"), "{body}");

    // 换发 needs the new expiry, after the old one; the number and the note are checked; a
    // completion of another business is refused with words for the clerk.
    let earlier = Date::parse(old_until).unwrap().add_days(-1).to_string();
    for (action, field) in [
        (complete("renewal", json!({ "valid_until": "2032-13-01" })), "valid_until"),
        (complete("renewal", json!({ "valid_until": old_until })), "valid_until"),
        (complete("renewal", json!({ "valid_until": earlier })), "valid_until"),
        (complete("renewal", json!({ "valid_until": proposed.to_string(), "certificate_number": "12-34" })), "certificate_number"),
        (complete("renewal", json!({ "valid_until": proposed.to_string(), "note": "字".repeat(201) })), "note"),
        (complete("reissue", json!({ "certificate_number": null })), "business"),
        (complete("credit_assessment", json!({ "deductions": 0, "bonus": 0 })), "business"),
    ] {
        let body = refused(act(&server, &clerk, &case_id, action.clone()).await, StatusCode::BAD_REQUEST, "invalid_field", Some(field), None).await;
        if field == "business" {
            assert!(body["message"].as_str().unwrap().contains("该办件办理的是“换发”"), "{body}");
        }
        if field == "valid_until" && action["valid_until"] != "2032-13-01" {
            assert_eq!(body["message"], format!("新的有效期至须晚于原有效期至{old_until}，请核对后重新填写。"));
        }
    }
    // Without its date, a 换发 completion is no completion at all.
    let response = act(&server, &clerk, &case_id, complete("renewal", json!({}))).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_body", None, None).await;

    // A date later than the proposal is the clerk's to give.
    let new_until = proposed.add_days(10).to_string();
    let note = "请于5个工作日后到新城区服务大厅领取新证。";
    let action = complete("renewal", json!({ "valid_until": new_until, "certificate_number": "HH2026000123", "note": note }));
    let completed = ok(act(&server, &clerk, &case_id, action).await).await;
    let result = &completed["case"]["result"];
    assert_eq!(completed["case"]["summary"]["status"], "completed");
    assert_eq!(
        (result["valid_until"].clone(), result["certificate_number"].clone()),
        (json!(new_until), json!("HH2026000123"))
    );
    assert_eq!((result["credit"].clone(), result["changes"].clone(), result["cancelled"].clone()), (Value::Null, json!([]), json!(false)));
    assert_eq!(result["note"], note);
    assert!(result["voucher_code"].as_str().unwrap().len() >= 16, "{result}");
    assert_eq!(completed["allowed_actions"], json!([]));
    assert_eq!(completed["proposed_valid_until"], Value::Null, "nothing left to propose");
    let queue = ok(server.get_as("/api/v1/staff/cases?scope=all", &clerk).await).await;
    assert_eq!(queue[0]["certificate_number"], "HH2026000123", "the number the case ended with");
    // The register has the new expiry and number.
    let renewed = certificate_for(&server, &cookie, "reissue", &certificate["id"]).await;
    assert_eq!((renewed["valid_until"].clone(), renewed["number"].clone()), (json!(new_until), json!("HH2026000123")));

    let text = voucher_text(&server, &cookie, &case_id).await;
    for expected in ["出租汽车驾驶员从业资格证业务办理凭证", "有效期至", &chinese_date(&new_until), "HH2026000123"] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    let check = voucher_check(&server, &completed).await;
    assert_eq!((check["valid_until"].clone(), check["certificate_number"].clone()), (json!(new_until), json!("HH2026000123")));
    assert_eq!((check["cancelled"].clone(), check["credit"].clone()), (json!(false), Value::Null));

    let clerk_id = staff_id(&server, CLERK).await;
    assert_eq!(
        events(&server, &case_id).await,
        [
            ("submitted".into(), None, None),
            ("accepted".into(), None, Some(clerk_id)),
            ("completed".into(), Some(note.into()), Some(clerk_id))
        ]
    );
    for event in ["case_accepted", "case_completed"] {
        assert_eq!(audit_rows(&server, event).await, [("ok".into(), Some(clerk_id), Some(case_id.clone()))], "{event}");
    }
    let pool = database(&server).await;
    let (holder,): (String,) =
        sqlx::query_as("SELECT holder_name_masked FROM case_results").fetch_one(&pool).await.unwrap();
    assert_eq!(holder, "王*国");
    // The driver sees it done.
    assert_eq!(ok(server.get_as("/api/v1/cases", &cookie).await).await[0]["status"], "completed");
}

#[tokio::test]
async fn a_reissue_keeps_or_replaces_the_number_and_its_voucher_shows_it() {
    let (server, clerk, _) = with_staff(true).await;
    let cookie = driver(&server).await;
    let case_id = apply(&server, &cookie, "reissue", 0, |_| reissue()).await;
    let detail = staff_case(&server, &clerk, &case_id).await;
    assert_eq!(detail["case"]["info"]["details"], reissue());
    assert_eq!(detail["proposed_valid_until"], Value::Null, "only 换发 has a new expiry");
    ok(act(&server, &clerk, &case_id, json!({ "action": "accept" })).await).await;
    // 补发 has no new expiry: a date sent along is not part of its completion.
    let response = act(&server, &clerk, &case_id, complete("renewal", json!({ "valid_until": "2040-01-01" }))).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("business"), None).await;
    // Another certificate's number cannot be given to this one.
    let list = certificates(&server, &cookie, "reissue").await;
    let own = &detail["case"]["certificate"]["id"];
    let others = list.iter().find(|c| c["id"] != *own).unwrap()["number"].clone();
    let response = act(&server, &clerk, &case_id, complete("reissue", json!({ "certificate_number": others }))).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("certificate_number"), Some("该证号已属于另一本从业资格证，请核对后重新填写。")).await;
    let done = ok(act(&server, &clerk, &case_id, complete("reissue", json!({ "certificate_number": " BX2026000777 " }))).await).await;
    let result = &done["case"]["result"];
    assert_eq!((result["certificate_number"].clone(), result["valid_until"].clone()), (json!("BX2026000777"), Value::Null));
    let text = voucher_text(&server, &cookie, &case_id).await;
    assert!(text.contains("BX2026000777") && text.contains("业务办理凭证"), "{text}");
    assert_eq!(voucher_check(&server, &done).await["certificate_number"], "BX2026000777");
}

#[tokio::test]
async fn a_change_is_written_to_the_certificate_and_the_clerk_sees_old_and_new() {
    let (server, clerk, _) = with_staff(true).await;
    let cookie = driver(&server).await;
    let before = certificates(&server, &cookie, "change").await.into_iter().find(|c| c["unavailable_reason"].is_null()).unwrap();
    let case_id = apply_on(&server, &cookie, "change", &before, change(&before)).await;

    // The clerk sees the certificate as it stood and each change's new value.
    let detail = staff_case(&server, &clerk, &case_id).await;
    let shown = &detail["case"];
    for item in ["address", "phone", "licence_class", "employer"] {
        assert_eq!(shown["certificate"][item], before[item], "{item}: the old value, as submitted");
    }
    let changes = shown["info"]["details"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 4);
    assert_eq!(changes[0]["new"]["region"]["name"], "内蒙古自治区呼和浩特市新城区", "named by the server from the code");
    ok(act(&server, &clerk, &case_id, json!({ "action": "accept" })).await).await;
    // 变更 issues no certificate: a number is not part of its completion.
    let response = act(&server, &clerk, &case_id, complete("reissue", json!({ "certificate_number": "CH2026000001" }))).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("business"), None).await;

    let done = ok(act(&server, &clerk, &case_id, complete("change", json!({ "note": "变更已记入从业资格证。" }))).await).await;
    let new_address = format!("内蒙古自治区呼和浩特市新城区{NEW_STREET}");
    let expected = json!([
        { "item": "address", "old": before["address"], "new": new_address },
        { "item": "phone", "old": before["phone"], "new": NEW_PHONE },
        { "item": "licence_class", "old": before["licence_class"], "new": new_class(&before) },
        { "item": "employer", "old": before["employer"], "new": NEW_EMPLOYER },
    ]);
    assert_eq!(done["case"]["result"]["changes"], expected, "old → new for the clerk");
    assert_eq!(done["case"]["result"]["certificate_number"], before["number"], "the number is kept");
    assert_eq!(done["case"]["result"]["valid_until"], Value::Null);
    // Read again later: the same, from the sealed snapshot (nothing of it stored in plain text).
    assert_eq!(staff_case(&server, &clerk, &case_id).await["case"]["result"]["changes"], expected);
    let driver_view = ok(server.get_as(&format!("/api/v1/cases/{case_id}"), &cookie).await).await;
    assert_eq!(driver_view["result"]["changes"], expected, "the driver's case page too");
    let pool = database(&server).await;
    let rows: Vec<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT note, certificate_number FROM case_results").fetch_all(&pool).await.unwrap();
    assert!(!format!("{rows:?}").contains(NEW_PHONE) && !format!("{rows:?}").contains(NEW_STREET));

    // The register has the new values: the wizard offers them as the current ones.
    let after = certificate_for(&server, &cookie, "reissue", &before["id"]).await;
    assert_eq!(after["address"], new_address.as_str());
    assert_eq!(after["phone"], NEW_PHONE);
    assert_eq!(after["licence_class"], new_class(&before));
    assert_eq!(after["employer"], NEW_EMPLOYER);
    assert_eq!(after["status"], "valid");

    // The voucher names the items, the phone numbers masked and the address not at all.
    let text = voucher_text(&server, &cookie, &case_id).await;
    for expected in ["住址", "已变更", "联系电话", "139****1111", "准驾车型", new_class(&before), "服务单位"] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    assert!(!text.contains(NEW_PHONE) && !text.contains(NEW_STREET), "{text}");
    // The public check: the items only.
    let check = voucher_check(&server, &done).await;
    assert_eq!(check["changed_items"], json!(["address", "phone", "licence_class", "employer"]));
    let public = check.to_string();
    assert!(!public.contains(NEW_PHONE) && !public.contains(NEW_STREET) && !public.contains(NEW_EMPLOYER), "{public}");
}

#[tokio::test]
async fn a_credit_assessment_records_points_and_grade_at_the_threshold_edges() {
    let (server, clerk, _) = with_staff(true).await;
    let first = driver(&server).await;
    let second = verified_user(&server, OTHER_PHONE, &other_card()).await;
    // Two drivers with two valid certificates each: four assessments, one per grade edge.
    // (deductions, bonus) → points, grade with the default thresholds AAA ≥ 20, AA ≥ 11, A ≥ 4.
    let edges = [((0, 0), 20, "AAA"), ((9, 0), 11, "AA"), ((16, 0), 4, "A"), ((25, 3), 3, "B")];
    let mut cases = Vec::new();
    for cookie in [&first, &second] {
        for nth in [0, 0] {
            // The first certificate's assessment is open after the first application: the
            // next one that can be chosen is the other certificate.
            let certificate = certificates(&server, cookie, "credit_assessment")
                .await
                .into_iter()
                .filter(|c| c["unavailable_reason"].is_null())
                .nth(nth)
                .unwrap();
            let case_id = apply_on(&server, cookie, "credit_assessment", &certificate, assessment(&certificate)).await;
            cases.push((cookie.to_string(), certificate, case_id));
        }
    }
    assert_eq!(cases.len(), edges.len());
    assert_ne!(cases[0].1["id"], cases[1].1["id"]);

    let (_, certificate, case_id) = &cases[0];
    let detail = staff_case(&server, &clerk, case_id).await;
    assert_eq!(detail["case"]["info"]["details"]["period"], certificate["assessment_periods"][0]);
    assert_eq!(detail["credit_thresholds"], json!({ "aaa": 20, "aa": 11, "a": 4 }));
    assert_eq!(detail["proposed_valid_until"], Value::Null);
    ok(act(&server, &clerk, case_id, json!({ "action": "accept" })).await).await;
    for (fields, field, words) in [
        (json!({ "deductions": 101, "bonus": 0 }), "deductions", "扣分须在0至100分之间，请核对考核周期内的扣分合计后重新填写。"),
        (json!({ "deductions": 0, "bonus": 11 }), "bonus", "加分每个考核周期最多10分，请核对后重新填写。"),
    ] {
        let response = act(&server, &clerk, case_id, complete("credit_assessment", fields)).await;
        refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some(field), Some(words)).await;
    }
    // No number and no grade to type: the grade follows from the points.
    let response = act(&server, &clerk, case_id, complete("change", json!({}))).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("business"), None).await;
    for field in [json!({ "deductions": -1, "bonus": 0 }), json!({ "bonus": 0 })] {
        let response = act(&server, &clerk, case_id, complete("credit_assessment", field)).await;
        refused(response, StatusCode::BAD_REQUEST, "invalid_body", None, None).await;
    }

    for ((cookie, certificate, case_id), ((deductions, bonus), points, grade)) in cases.iter().zip(edges) {
        if case_id != &cases[0].2 {
            ok(act(&server, &clerk, case_id, json!({ "action": "accept" })).await).await;
        }
        let action = complete("credit_assessment", json!({ "deductions": deductions, "bonus": bonus }));
        let done = ok(act(&server, &clerk, case_id, action).await).await;
        let period = certificate["assessment_periods"][0].clone();
        let record = json!({ "period": period, "points": points, "grade": grade });
        let result = &done["case"]["result"];
        assert_eq!(result["credit"], record, "{deductions}/{bonus}");
        assert_eq!(result["credit_grade"], grade);
        assert_eq!((result["valid_until"].clone(), result["certificate_number"].clone()), (Value::Null, certificate["number"].clone()));
        // The certificate shows its latest grade.
        let after = certificate_for(&server, cookie, "reissue", &certificate["id"]).await;
        assert_eq!(after["credit"], record);
        let check = voucher_check(&server, &done).await;
        assert_eq!((check["credit"].clone(), check["credit_grade"].clone()), (record.clone(), json!(grade)));
    }
    // The voucher: period, points and grade.
    let (cookie, certificate, case_id) = &cases[1];
    let period = &certificate["assessment_periods"][0];
    let text = voucher_text(&server, cookie, case_id).await;
    for expected in [
        "服务质量信誉考核结果凭证".to_owned(),
        "考核周期".into(),
        chinese_date(period["start"].as_str().unwrap()),
        chinese_date(period["end"].as_str().unwrap()),
        "考核分数".into(),
        "11分".into(),
        "考核等级".into(),
        "AA".into(),
    ] {
        assert!(text.contains(&expected), "{expected:?} missing from:\n{text}");
    }
    let pool = database(&server).await;
    let stored: Vec<(Option<String>, Option<i64>, Option<String>)> =
        sqlx::query_as("SELECT credit_period_start, credit_points, credit_grade FROM case_results ORDER BY completed_at, case_id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(stored.len(), 4);
    assert!(stored.iter().all(|(start, points, grade)| start.is_some() && points.is_some() && grade.is_some()), "{stored:?}");
}

#[tokio::test]
async fn the_grade_follows_the_configured_thresholds() {
    let server = spawn_approving(|config| {
        config.credit_thresholds = taxicert_api::CreditThresholds { aaa: 25, aa: 15, a: 5 };
    })
    .await;
    add_staff(&server, CLERK, CLERK_NAME, StaffRole::Clerk).await;
    let clerk = signed_in(&server, CLERK).await;
    let cookie = driver(&server).await;
    let case_id = apply(&server, &cookie, "credit_assessment", 0, assessment).await;
    assert_eq!(staff_case(&server, &clerk, &case_id).await["credit_thresholds"], json!({ "aaa": 25, "aa": 15, "a": 5 }));
    ok(act(&server, &clerk, &case_id, json!({ "action": "accept" })).await).await;
    // The bonus counts up to 10: 20 + 4 = 24, one short of this deployment's AAA.
    let done = ok(act(&server, &clerk, &case_id, complete("credit_assessment", json!({ "deductions": 0, "bonus": 4 }))).await).await;
    assert_eq!((done["case"]["result"]["credit"]["points"].clone(), done["case"]["result"]["credit_grade"].clone()), (json!(24), json!("AA")));
}

#[tokio::test]
async fn an_assessment_that_names_no_period_is_sent_back_rather_than_completed() {
    let (server, clerk, _) = with_staff(true).await;
    let cookie = driver(&server).await;
    let case_id = apply(&server, &cookie, "credit_assessment", 0, assessment).await;
    // Cases submitted before the per-business forms named no period: the server reads them as
    // an empty one. Made so here by resealing the snapshot as the server keeps it.
    let pool = database(&server).await;
    let (user_id, sealed): (i64, Vec<u8>) =
        sqlx::query_as("SELECT user_id, answers FROM cases WHERE id = $1").bind(&case_id).fetch_one(&pool).await.unwrap();
    let secrets = taxicert_server::secrets::Secrets::load(&server.dir.path().join("data/taxicert.key"), false).unwrap();
    let vault = taxicert_server::crypto::Vault::new(&secrets);
    let context = format!("case:{user_id}:{case_id}");
    let mut snapshot: Value = serde_json::from_slice(&vault.open(&sealed, &context).unwrap()).unwrap();
    snapshot["answers"]["info"]["details"]["period"] = json!({ "start": "", "end": "" });
    sqlx::query("UPDATE cases SET answers = $1 WHERE id = $2")
        .bind(vault.seal(&serde_json::to_vec(&snapshot).unwrap(), &context))
        .bind(&case_id)
        .execute(&pool)
        .await
        .unwrap();
    ok(act(&server, &clerk, &case_id, json!({ "action": "accept" })).await).await;
    let response = act(&server, &clerk, &case_id, complete("credit_assessment", json!({ "deductions": 0, "bonus": 0 }))).await;
    refused(
        response,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("period"),
        Some("该申请未选择考核周期，无法办结；请点击“退回补正”，勾选“考核周期”，请申请人补正。"),
    )
    .await;
    // The way the message names is open: 考核周期 can be sent back.
    let action = json!({ "action": "return", "reason": "请选择考核周期。", "fields": ["period"], "materials": [] });
    assert_eq!(ok(act(&server, &clerk, &case_id, action).await).await["case"]["summary"]["status"], "returned");
}

#[tokio::test]
async fn a_cancellation_ends_the_certificate_and_blocks_every_other_case_on_it() {
    let (server, clerk, _) = with_staff(true).await;
    let clerk_id = staff_id(&server, CLERK).await;
    let cookie = driver(&server).await;
    // The ride-hailing certificate, valid for years: a 补发, a 变更 and a 考核 on it first,
    // then its 注销.
    let target = certificates(&server, &cookie, "reissue").await.into_iter().filter(|c| c["unavailable_reason"].is_null()).nth(1).unwrap();
    let id = target["id"].clone();
    let reissue_case = apply_on(&server, &cookie, "reissue", &target, reissue()).await;
    let change_case = apply_on(&server, &cookie, "change", &certificate_for(&server, &cookie, "change", &id).await, change(&target)).await;
    let credit_listed = certificate_for(&server, &cookie, "credit_assessment", &id).await;
    let credit_case = apply_on(&server, &cookie, "credit_assessment", &credit_listed, assessment(&credit_listed)).await;
    let cancel_case = apply_on(&server, &cookie, "cancellation", &certificate_for(&server, &cookie, "cancellation", &id).await, cancellation()).await;
    let detail = staff_case(&server, &clerk, &cancel_case).await;
    assert_eq!(detail["case"]["info"]["details"], cancellation());
    ok(act(&server, &clerk, &change_case, json!({ "action": "accept" })).await).await;
    ok(act(&server, &clerk, &credit_case, json!({ "action": "accept" })).await).await;
    assert_eq!(staff_case(&server, &clerk, &reissue_case).await["blocked_reason"], Value::Null, "nothing in the way yet");
    ok(act(&server, &clerk, &cancel_case, json!({ "action": "accept" })).await).await;
    // The 考核 is sent back after acceptance: still open, waiting for the driver.
    let action = json!({ "action": "return", "reason": "请重新上传材料。", "fields": ["period"], "materials": [] });
    assert_eq!(ok(act(&server, &clerk, &credit_case, action).await).await["case"]["summary"]["status"], "returned");

    // The accepted 注销 will end the certificate: nothing else is accepted or completed on it
    // meanwhile, and the clerk is told before he tries what will happen, with nothing to do.
    let blocked = staff_case(&server, &clerk, &reissue_case).await;
    let reason = blocked["blocked_reason"].as_str().unwrap().to_owned();
    assert_eq!(
        reason,
        format!(
            "该从业资格证的注销申请（办件编号 {cancel_case}）已受理、正在办理，暂不能受理本办件。\
             注销办结时，本办件将自动终止办理，无需另行操作。"
        )
    );
    assert!(!reason.contains("联系申请人") && !reason.contains("请点击"), "no advice the console cannot follow: {reason}");
    let body = refused(act(&server, &clerk, &reissue_case, json!({ "action": "accept" })).await, StatusCode::CONFLICT, "certificate_cancelling", None, None).await;
    assert_eq!(body["message"], reason.as_str());
    let body = refused(act(&server, &clerk, &change_case, complete("change", json!({}))).await, StatusCode::CONFLICT, "certificate_cancelling", None, None).await;
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("暂不能办结本办件") && message.contains("自动终止办理") && message.contains(&cancel_case), "{body}");
    assert_eq!(staff_case(&server, &clerk, &change_case).await["blocked_reason"], body["message"]);
    assert_eq!(staff_case(&server, &clerk, &cancel_case).await["blocked_reason"], Value::Null, "the 注销 itself goes on");

    // 注销 takes no number: the completion of another business is refused.
    let response = act(&server, &clerk, &cancel_case, complete("reissue", json!({ "certificate_number": "ZX2026000001" }))).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("business"), None).await;
    // The driver has opened his cases: no badge before the 注销 is completed.
    for case_id in [&reissue_case, &change_case, &credit_case] {
        ok(server.get_as(&format!("/api/v1/cases/{case_id}"), &cookie).await).await;
    }
    server.clock.advance(60);
    let done = ok(act(&server, &clerk, &cancel_case, complete("cancellation", json!({ "note": "已注销。" }))).await).await;
    let result = &done["case"]["result"];
    assert_eq!(result["cancelled"], true);
    assert_eq!((result["valid_until"].clone(), result["certificate_number"].clone()), (Value::Null, target["number"].clone()));
    let pool = database(&server).await;
    let (taxicert_server::db::Flag(cancelled),): (taxicert_server::db::Flag,) = sqlx::query_as("SELECT cancelled FROM case_results WHERE case_id = $1").bind(&cancel_case).fetch_one(&pool).await.unwrap();
    assert!(cancelled);

    // Every other open case on the certificate — submitted, accepted, returned — ended with
    // it, as 不予受理 by the same clerk, with the reason in the timeline the driver sees.
    let today = Date::beijing_today(server.clock.now()).to_string();
    let note = format!("该从业资格证已于{today}注销（办件编号 {cancel_case}），本申请终止办理。");
    let list = ok(server.get_as("/api/v1/cases", &cookie).await).await;
    for case_id in [&reissue_case, &change_case, &credit_case] {
        let listed = list.as_array().unwrap().iter().find(|c| c["id"] == case_id.as_str()).unwrap();
        assert_eq!((listed["status"].clone(), listed["changed"].clone()), (json!("refused"), json!(true)), "{case_id}: the badge");
        assert_eq!(events(&server, case_id).await.last().unwrap(), &("refused".to_owned(), Some(note.clone()), Some(clerk_id)));
        let theirs = ok(server.get_as(&format!("/api/v1/cases/{case_id}"), &cookie).await).await;
        let last = theirs["timeline"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["event"].clone(), last["note"].clone()), (json!("refused"), json!(note)), "{case_id}");
        assert_eq!(theirs["correction"], Value::Null, "{case_id}: nothing left to correct");
        let staff_view = staff_case(&server, &clerk, case_id).await;
        assert_eq!(staff_view["blocked_reason"], Value::Null);
        assert_eq!(staff_view["allowed_actions"], json!([]));
        assert_eq!(staff_view["timeline_actors"].as_array().unwrap().last().unwrap(), CLERK_NAME);
    }
    let audited: Vec<_> = audit_rows(&server, "case_refused").await;
    assert_eq!(
        audited,
        [&reissue_case, &change_case, &credit_case].map(|c| ("ok".to_owned(), Some(clerk_id), Some(c.clone()))).to_vec()
    );
    // Ended, they are no longer acted on.
    refused(act(&server, &clerk, &change_case, complete("change", json!({}))).await, StatusCode::CONFLICT, "action_not_allowed", None, None).await;
    // Nothing was written by the ended 变更.
    assert_eq!(certificate_for(&server, &cookie, "reissue", &id).await["phone"], target["phone"]);

    // The certificate is unavailable for every business.
    for business in ["reissue", "renewal", "change", "cancellation", "credit_assessment"] {
        let listed = certificate_for(&server, &cookie, business, &id).await;
        assert_eq!(listed["status"], "cancelled", "{business}");
        assert!(listed["unavailable_reason"].as_str().is_some_and(|r| r.contains("已注销")), "{business}: {listed}");
    }
    // A case left open on it from before cases ended with their certificate can no longer be
    // accepted; refused, it can.
    sqlx::query("UPDATE cases SET status = 'submitted' WHERE id = $1").bind(&reissue_case).execute(&pool).await.unwrap();
    let reason = staff_case(&server, &clerk, &reissue_case).await["blocked_reason"].as_str().unwrap().to_owned();
    assert!(reason.contains("已注销"), "{reason}");
    refused(act(&server, &clerk, &reissue_case, json!({ "action": "accept" })).await, StatusCode::CONFLICT, "certificate_cancelled", None, Some(reason.as_str())).await;
    let why = "从业资格证已注销，不再补发。";
    let detail = ok(act(&server, &clerk, &reissue_case, json!({ "action": "refuse", "reason": why })).await).await;
    assert_eq!((detail["case"]["summary"]["status"].clone(), detail["blocked_reason"].clone()), (json!("refused"), Value::Null));

    // The 注销凭证.
    let text = voucher_text(&server, &cookie, &cancel_case).await;
    for expected in ["注销凭证", "从业资格证已注销", target["number"].as_str().unwrap()] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    let check = voucher_check(&server, &done).await;
    assert_eq!((check["cancelled"].clone(), check["valid_until"].clone()), (json!(true), Value::Null));
}

#[tokio::test]
async fn the_clerk_and_the_driver_see_each_photos_warnings_beside_it() {
    let (server, clerk, _) = with_staff(true).await;
    let cookie = driver(&server).await;
    let business = "renewal";
    let certificate = certificates(&server, &cookie, business).await.into_iter().find(|c| c["unavailable_reason"].is_null()).unwrap();
    saved(&server, &cookie, business, json!({ "step": "notice" })).await;
    saved(&server, &cookie, business, json!({ "step": "certificate", "certificate_id": certificate["id"] })).await;
    let info = json!({ "contact_name": "王建国", "contact_phone": PHONE, "details": renewal(&certificate) });
    saved(&server, &cookie, business, json!({ "step": "personal_info", "info": info })).await;
    let catalogue = ok(server.get(&format!("/api/v1/businesses/{business}")).await).await;
    let materials: Vec<Material> = serde_json::from_value(catalogue["materials"].clone()).unwrap();
    let mut uploads = BTreeMap::new();
    for material in materials.iter().filter(|m| m.required) {
        uploads.insert(material.code.clone(), upload(&server, &cookie, &material.code).await);
    }
    // One page photographed with a shaking hand: stored, with the advice.
    let blurred_material = materials.iter().find(|m| m.required && m.code != "photo_2inch").unwrap().code.clone();
    let blurry = taxicert_testkit::hostile::jpeg(
        &image::imageops::blur(&taxicert_testkit::photos::document(1200, 900, 13), 7.0),
        90,
    );
    let receipt = upload_bytes(&server, &cookie, &blurred_material, blurry).await;
    assert!(receipt["warnings"].as_array().unwrap().iter().any(|w| w["code"] == "blurry"), "{receipt}");
    uploads.insert(blurred_material.clone(), receipt["id"].as_str().unwrap().to_owned());
    let draft = saved(&server, &cookie, business, json!({ "step": "materials", "uploads": uploads })).await;
    let response = submit(&server, &cookie, &next_key("submit"), business, &draft["revision"]).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let case_id = json(response).await["id"].as_str().unwrap().to_owned();

    let staff_detail = staff_case(&server, &clerk, &case_id).await;
    let driver_detail = ok(server.get_as(&format!("/api/v1/cases/{case_id}"), &cookie).await).await;
    for photos in [&staff_detail["case"]["photos"], &driver_detail["photos"]] {
        let photos = photos.as_array().unwrap();
        assert_eq!(photos.len(), uploads.len());
        for photo in photos {
            let warnings = &photo["warnings"];
            if photo["material_code"] == blurred_material.as_str() {
                assert_eq!(*warnings, receipt["warnings"], "the advice stored with the upload");
            } else if photo["material_code"] != "photo_2inch" {
                // Each photo has its own advice: the sharp pages none of the blurred one's.
                assert!(!warnings.as_array().unwrap().iter().any(|w| w["code"] == "blurry"), "{photo}");
            }
        }
    }
}

#[tokio::test]
async fn the_queue_puts_open_cases_first_and_filters_by_status_and_business() {
    let (server, clerk, _) = with_staff(true).await;
    let cookie = driver(&server).await;
    let credit = apply(&server, &cookie, "credit_assessment", 1, assessment).await;
    let reissued = apply(&server, &cookie, "reissue", 0, |_| reissue()).await;
    for case_id in [&credit, &reissued] {
        ok(act(&server, &clerk, case_id, json!({ "action": "accept" })).await).await;
    }
    ok(act(&server, &clerk, &credit, complete("credit_assessment", json!({ "deductions": 3, "bonus": 1 }))).await).await;
    ok(act(&server, &clerk, &reissued, complete("reissue", json!({}))).await).await;
    assert_eq!(events(&server, &credit).await.last().unwrap().1, None, "no note, no note in the timeline");

    // The queue: open cases by their due date, then the others newest first; and its filters.
    // Without a status it shows the open ones only; `scope=all` every case.
    let open = apply(&server, &cookie, "change", 0, change).await;
    let queue = ok(server.get_as("/api/v1/staff/cases?scope=all", &clerk).await).await;
    let ids: Vec<&str> = queue.as_array().unwrap().iter().map(|c| c["summary"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [open.as_str(), reissued.as_str(), credit.as_str()]);
    let waiting = ok(server.get_as("/api/v1/staff/cases", &clerk).await).await;
    assert_eq!(waiting.as_array().unwrap().len(), 1);
    assert_eq!(waiting[0]["summary"]["id"], open.as_str());
    let completed =
        ok(server.get_as("/api/v1/staff/cases?status=completed&business=credit_assessment", &clerk).await).await;
    assert_eq!(completed.as_array().unwrap().len(), 1);
    assert_eq!(completed[0]["summary"]["id"], credit.as_str());
    let response = server.get_as("/api/v1/staff/cases?status=lost", &clerk).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_filter", None, None).await;
}

#[tokio::test]
async fn a_clerk_returns_a_case_for_correction_and_refuses_another() {
    let (server, clerk, _) = with_staff(true).await;
    let cookie = driver(&server).await;
    let returned = apply(&server, &cookie, "reissue", 0, |_| reissue()).await;
    let refused_case = apply(&server, &cookie, "change", 1, change).await;

    let ret = |fields: Value, materials: Value, reason: &str| json!({ "action": "return", "reason": reason, "fields": fields, "materials": materials });
    for (action, code, field) in [
        (ret(json!(["delivery"]), json!([]), "糊"), "invalid_field", Some("reason")),
        (ret(json!(["name"]), json!([]), "领取方式不对"), "invalid_field", Some("fields")),
        // 补发 has no 准驾车型 on its form: the clerk cannot send it back.
        (ret(json!(["licence_class"]), json!([]), "领取方式不对"), "invalid_field", Some("fields")),
        (ret(json!([]), json!(["cert_info_page"]), "领取方式不对"), "invalid_field", Some("materials")),
        (ret(json!([]), json!([]), "领取方式不对"), "correction_empty", None),
    ] {
        refused(act(&server, &clerk, &returned, action).await, StatusCode::BAD_REQUEST, code, field, None).await;
    }
    let body = refused(
        act(&server, &clerk, &returned, ret(json!(["licence_class"]), json!([]), "领取方式不对")).await,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("fields"),
        None,
    )
    .await;
    assert_eq!(body["message"], "“licence_class”不是该业务可退回补正的信息项，请从补发原因、领取方式、联系人、联系电话中选择。");
    let reason = "自取大厅选错了，两寸照片背景不是白色。";
    let action = ret(json!(["contact_phone", "delivery", "delivery"]), json!(["photo_2inch"]), reason);
    let detail = ok(act(&server, &clerk, &returned, action).await).await;
    assert_eq!(detail["case"]["summary"]["status"], "returned");
    assert_eq!(
        detail["case"]["correction"],
        json!({ "reason": reason, "fields": ["contact_phone", "delivery"], "materials": ["photo_2inch"] })
    );
    assert_eq!(detail["allowed_actions"], json!([]));
    let pool = database(&server).await;
    let (from,): (String,) =
        sqlx::query_as("SELECT returned_from FROM cases WHERE id = $1").bind(&returned).fetch_one(&pool).await.unwrap();
    assert_eq!(from, "submitted");

    for reason in ["", "不"] {
        let response = act(&server, &clerk, &refused_case, json!({ "action": "refuse", "reason": reason })).await;
        refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("reason"), None).await;
    }
    let why = "该证不属于本市核发，请到原发证机关办理。";
    let detail = ok(act(&server, &clerk, &refused_case, json!({ "action": "refuse", "reason": why })).await).await;
    assert_eq!(detail["case"]["summary"]["status"], "refused");
    assert_eq!(detail["case"]["timeline"][1]["note"], why);
    refused(
        act(&server, &clerk, &refused_case, json!({ "action": "accept" })).await,
        StatusCode::CONFLICT,
        "action_not_allowed",
        None,
        None,
    )
    .await;
    refused(
        act(&server, &clerk, "TC20990101000001", json!({ "action": "accept" })).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
        None,
    )
    .await;
    let response = act(&server, &clerk, &returned, json!({ "action": "approve" })).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_body", None, None).await;

    let clerk_id = staff_id(&server, CLERK).await;
    assert_eq!(events(&server, &returned).await[1], ("returned".into(), Some(reason.into()), Some(clerk_id)));
    assert_eq!(events(&server, &refused_case).await[1], ("refused".into(), Some(why.into()), Some(clerk_id)));
    assert_eq!(audit_rows(&server, "case_returned").await, [("ok".into(), Some(clerk_id), Some(returned.clone()))]);
    assert_eq!(audit_rows(&server, "case_refused").await, [("ok".into(), Some(clerk_id), Some(refused_case.clone()))]);
    let statuses: Vec<Value> = ok(server.get_as("/api/v1/cases", &cookie).await)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].clone())
        .collect();
    assert!(statuses.contains(&json!("returned")) && statuses.contains(&json!("refused")), "{statuses:?}");
}

// ---------------------------------------------------------------- who may reach what

/// What a viewer's call of a staff endpoint answers.
#[derive(Clone, Copy)]
enum Viewer {
    /// 2xx: he may.
    Reads,
    /// Past the role check, refused for what was sent.
    Refused(StatusCode),
    /// 403 `staff_role` with this message.
    Role(&'static str),
}

#[tokio::test]
async fn every_staff_endpoint_needs_a_staff_session_and_every_action_a_clerk() {
    let (server, _clerk, viewer) = with_staff(true).await;
    let driver = driver(&server).await;
    let case_id = apply(&server, &driver, "reissue", 0, |_| reissue()).await;
    let pool = database(&server).await;
    let (realname_id,): (i64,) = sqlx::query_as("SELECT id FROM realname_submissions").fetch_one(&pool).await.unwrap();

    // Every staff endpoint but the sign-in itself: (method, path, body, what a viewer gets).
    let act = Viewer::Role("您的账号为查询人员，不能办理业务。");
    let id_photo = Viewer::Role("您的账号为查询人员，不能查看身份证照片（照片上有完整的身份证号码）。");
    let manage = Viewer::Role("您的账号为查询人员，不能管理账号。");
    let endpoints: Vec<(Method, String, Value, Viewer)> = vec![
        (Method::GET, "/api/v1/staff/session".into(), Value::Null, Viewer::Reads),
        (Method::GET, "/api/v1/staff/realname".into(), Value::Null, Viewer::Reads),
        (Method::GET, format!("/api/v1/staff/realname/{realname_id}"), Value::Null, Viewer::Reads),
        (Method::GET, format!("/api/v1/staff/realname/{realname_id}/photos/portrait"), Value::Null, id_photo),
        (Method::POST, format!("/api/v1/staff/realname/{realname_id}/decision"), json!({ "approve": true }), act),
        (Method::GET, "/api/v1/staff/account-moves".into(), Value::Null, Viewer::Reads),
        (Method::GET, "/api/v1/staff/account-moves/1/photos/new_portrait".into(), Value::Null, id_photo),
        (Method::POST, "/api/v1/staff/account-moves/1/decision".into(), json!({ "approve": true }), act),
        (Method::GET, "/api/v1/staff/cases".into(), Value::Null, Viewer::Reads),
        (Method::GET, format!("/api/v1/staff/cases/{case_id}"), Value::Null, Viewer::Reads),
        (Method::GET, format!("/api/v1/staff/cases/{case_id}/photos/photo_2inch"), Value::Null, Viewer::Reads),
        (Method::POST, format!("/api/v1/staff/cases/{case_id}/actions"), json!({ "action": "accept" }), act),
        // The counts, the export and the figures: every role reads them.
        (Method::GET, "/api/v1/staff/case-counts".into(), Value::Null, Viewer::Reads),
        (Method::GET, "/api/v1/staff/reports/cases.csv".into(), Value::Null, Viewer::Reads),
        (Method::GET, "/api/v1/staff/reports/clerks?from=2026-11-01&to=2026-11-30".into(), Value::Null, Viewer::Reads),
        // His own password, the current one wrong: he reached the check.
        (
            Method::PUT,
            "/api/v1/staff/password".into(),
            json!({ "current_password": "not the password", "new_password": "a new long password" }),
            Viewer::Refused(StatusCode::BAD_REQUEST),
        ),
        (Method::GET, "/api/v1/staff/accounts".into(), Value::Null, manage),
        (
            Method::POST,
            "/api/v1/staff/accounts".into(),
            json!({ "username": "new.one", "display_name": "新", "role": "clerk", "password": STAFF_PASSWORD }),
            manage,
        ),
        (Method::PUT, format!("/api/v1/staff/accounts/{CLERK}/role"), json!({ "role": "viewer" }), manage),
        (Method::PUT, format!("/api/v1/staff/accounts/{CLERK}/password"), json!({ "password": "a new long password" }), manage),
        (Method::POST, format!("/api/v1/staff/accounts/{CLERK}/unlock"), Value::Null, manage),
        (Method::POST, format!("/api/v1/staff/accounts/{CLERK}/disable"), Value::Null, manage),
        (Method::DELETE, "/api/v1/staff/session".into(), Value::Null, Viewer::Reads),
    ];
    let request = |method: &Method, path: &str, body: &Value| {
        let builder = server.send(method.clone(), path);
        if body.is_null() {
            builder
        } else {
            builder.json(body)
        }
    };
    for (method, path, body, viewer_gets) in &endpoints {
        let what = format!("{method} {path}");
        let response = request(method, path, body).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
        assert_error_body(&json(response).await, "staff_unauthenticated");

        let response = request(method, path, body).header(header::COOKIE, &driver).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{what}");
        let body_json = json(response).await;
        assert_eq!(body_json["code"], "staff_only", "{what}");
        assert_eq!(body_json["message"], "此功能仅限业务办理人员使用。");

        let response = request(method, path, body).header(header::COOKIE, &viewer).send().await.unwrap();
        match viewer_gets {
            Viewer::Reads => assert!(response.status().is_success(), "{what}: {}", response.status()),
            Viewer::Refused(status) => assert_eq!(response.status(), *status, "{what}"),
            Viewer::Role(message) => {
                assert_eq!(response.status(), StatusCode::FORBIDDEN, "{what}");
                let body_json = json(response).await;
                assert_eq!(body_json["code"], "staff_role", "{what}");
                assert_eq!(body_json["message"], *message, "{what}");
            }
        }
    }
    // The viewer saw the case without actions, and changed nothing.
    let viewer = signed_in(&server, VIEWER).await;
    let detail = ok(server.get_as(&format!("/api/v1/staff/cases/{case_id}"), &viewer).await).await;
    assert_eq!(detail["allowed_actions"], json!([]));
    assert_eq!(detail["case"]["summary"]["status"], "submitted");

    // A staff session is not a driver's session, and a driver's plus a staff cookie stays staff.
    let response = server.get_as("/api/v1/cases", &viewer).await;
    refused(response, StatusCode::UNAUTHORIZED, "unauthenticated", None, None).await;
    let response = server.get_as("/api/v1/auth/session", &viewer).await;
    assert_eq!(json(response).await["me"], Value::Null);
    let both = format!("{driver}; {viewer}");
    assert_eq!(ok(server.get_as("/api/v1/staff/session", &both).await).await["username"], VIEWER);
}
