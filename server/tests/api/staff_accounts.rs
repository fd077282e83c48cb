//! The staff accounts and roles, black-box (issue 18): what a viewer and an admin see of ID
//! numbers, wrong passwords that tell no usernames and lock nobody out from elsewhere, a staff
//! member's change of his own password, and the admin's account management.

use crate::common;

use common::{
    assert_error_body, audit_rows, database,
    flows::{add_staff, ok, refused, send_as, signed_in, spawn_approving, staff_login, PHONE, STAFF_PASSWORD},
    json, staff_id, verified_user, TestServer,
};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use taxicert_api::StaffRole;
use taxicert_testkit::CardData;

const CLERK: &str = "wang.clerk";
const VIEWER: &str = "li.viewer";
const ADMIN: &str = "zhao.admin";

/// A staff sign-in from the client address `ip` (the server trusts `X-Forwarded-For`).
async fn login_from(server: &TestServer, ip: &str, username: &str, password: &str) -> reqwest::Response {
    server
        .send(Method::POST, "/api/v1/staff/session")
        .header("x-forwarded-for", ip)
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap()
}

/// A server behind a trusted proxy with a clerk, a viewer and an admin.
async fn with_accounts() -> TestServer {
    let server = spawn_approving(|config| config.trust_forwarded_for = true).await;
    add_staff(&server, CLERK, "王办理", StaffRole::Clerk).await;
    add_staff(&server, VIEWER, "李查询", StaffRole::Viewer).await;
    add_staff(&server, ADMIN, "赵管理", StaffRole::Admin).await;
    server
}

/// (status, code, message, Retry-After): everything an answer tells.
async fn answer(response: reqwest::Response) -> (StatusCode, Value, Value, Option<String>) {
    let status = response.status();
    let retry = response.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().to_owned());
    let body = json(response).await;
    (status, body["code"].clone(), body["message"].clone(), retry)
}

// ---------------------------------------------------------------- ID numbers by role

#[tokio::test]
async fn only_a_clerk_sees_full_id_numbers_and_id_card_photos() {
    let server = with_accounts().await;
    let card = CardData::sample();
    let driver = verified_user(&server, PHONE, &card).await;
    let case = common::flows::submit_case(&server, &driver, "reissue").await;
    let case_id = case["id"].as_str().unwrap();
    let (realname_id,): (i64,) =
        sqlx::query_as("SELECT id FROM realname_submissions").fetch_one(&database(&server).await).await.unwrap();
    let reads = [
        "/api/v1/staff/realname?status=approved".to_owned(),
        format!("/api/v1/staff/realname/{realname_id}"),
        "/api/v1/staff/cases".to_owned(),
        format!("/api/v1/staff/cases/{case_id}"),
        "/api/v1/staff/account-moves".to_owned(),
    ];
    let masked = "1501**********1234";

    let clerk = signed_in(&server, CLERK).await;
    let review = ok(server.get_as(&format!("/api/v1/staff/realname/{realname_id}"), &clerk).await).await;
    assert_eq!(review["fields"]["id_number"], card.id_number.as_str(), "the clerk compares it with the photo");
    let photo = server.get_as(&format!("/api/v1/staff/realname/{realname_id}/photos/portrait"), &clerk).await;
    assert_eq!(photo.status(), StatusCode::OK);

    for (who, username) in [("viewer", VIEWER), ("admin", ADMIN)] {
        let cookie = signed_in(&server, username).await;
        for path in &reads {
            let response = server.get_as(path, &cookie).await;
            assert_eq!(response.status(), StatusCode::OK, "{who}: {path}");
            let text = response.text().await.unwrap();
            assert!(!text.contains(&card.id_number), "{who} sees the full ID number at {path}: {text}");
        }
        let review = ok(server.get_as(&format!("/api/v1/staff/realname/{realname_id}"), &cookie).await).await;
        assert_eq!(review["fields"]["id_number"], masked, "{who}");
        assert_eq!(review["fields"]["name"], card.name.as_str(), "{who}: the rest as it was");
        let detail = ok(server.get_as(&format!("/api/v1/staff/cases/{case_id}"), &cookie).await).await;
        assert_eq!(detail["id_number_masked"], masked, "{who}");
        // The photos show the number: not for them.
        for side in ["portrait", "emblem"] {
            let response = server.get_as(&format!("/api/v1/staff/realname/{realname_id}/photos/{side}"), &cookie).await;
            let role = if who == "viewer" { "查询人员" } else { "账号管理员" };
            let message = format!("您的账号为{role}，不能查看身份证照片（照片上有完整的身份证号码）。");
            refused(response, StatusCode::FORBIDDEN, "staff_role", None, Some(&message)).await;
        }
        let response = server.get_as("/api/v1/staff/account-moves/1/photos/old_portrait", &cookie).await;
        refused(response, StatusCode::FORBIDDEN, "staff_role", None, None).await;
    }
}

// ---------------------------------------------------------------- wrong passwords

#[tokio::test]
async fn known_and_unknown_usernames_get_the_same_answers_up_to_and_after_the_pause() {
    let server = with_accounts().await;
    // Each from an address of its own, so that the per-address throttle plays no part.
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..7 {
        known.push(answer(login_from(&server, "10.0.0.1", CLERK, "wrong password!").await).await);
        unknown.push(answer(login_from(&server, "10.0.0.2", "no.such.clerk", "wrong password!").await).await);
    }
    assert_eq!(known, unknown, "an unknown username is told apart from a known one");
    for (n, (status, code, message, retry)) in known.iter().enumerate() {
        if n < 4 {
            assert_eq!((*status, code.as_str(), retry), (StatusCode::UNAUTHORIZED, Some("staff_login_failed"), &None));
            assert_eq!(message, "用户名或密码错误，请重新输入。");
        } else {
            assert_eq!((*status, code.as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("staff_locked")), "try {n}");
            assert_eq!(message, "密码连续输错5次，已暂停该用户名在本机登录，请15分钟后再试，或联系管理员解锁。");
            assert_eq!(retry.as_deref(), Some("900"));
        }
    }
    // A disabled account answers as an unknown one, the right password included.
    add_staff(&server, "qian.left", "钱离职", StaffRole::Clerk).await;
    taxicert_server::staff::disable(&database(&server).await, "qian.left").await.unwrap();
    let disabled = answer(login_from(&server, "10.0.0.3", "qian.left", STAFF_PASSWORD).await).await;
    let nobody = answer(login_from(&server, "10.0.0.4", "nobody.else", STAFF_PASSWORD).await).await;
    assert_eq!(disabled, nobody);
    // A password over 128 characters too.
    let long = "x".repeat(129);
    let known_long = answer(login_from(&server, "10.0.0.5", CLERK, &long).await).await;
    let unknown_long = answer(login_from(&server, "10.0.0.6", "nobody.else", &long).await).await;
    assert_eq!((known_long.0, &known_long), (StatusCode::UNAUTHORIZED, &unknown_long));

    // The pause is in the database: kept without the typed usernames.
    let pool = database(&server).await;
    let rows: Vec<(Vec<u8>, Option<i64>)> =
        sqlx::query_as("SELECT subject_key, staff_id FROM staff_login_throttle").fetch_all(&pool).await.unwrap();
    assert!(!rows.is_empty());
    for (key, _) in &rows {
        assert!(!String::from_utf8_lossy(key).contains("no.such.clerk"));
    }
    let clerk_id = staff_id(&server, CLERK).await;
    assert!(rows.iter().any(|(_, id)| *id == Some(clerk_id)), "the clerk's rows name him, for the unlock");
    let outcomes: Vec<String> = audit_rows(&server, "staff_login_failed").await.into_iter().map(|(o, _, _)| o).collect();
    assert!(outcomes.contains(&"unknown_user".to_owned()) && outcomes.contains(&"locked".to_owned()), "{outcomes:?}");

    // The pause ends after 15 minutes; then the right password signs in and the count starts again.
    server.clock.advance(15 * 60);
    assert_eq!(login_from(&server, "10.0.0.1", CLERK, STAFF_PASSWORD).await.status(), StatusCode::OK);
    for _ in 0..4 {
        assert_eq!(login_from(&server, "10.0.0.1", CLERK, "wrong").await.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_stranger_guessing_from_elsewhere_does_not_lock_the_clerk_out_of_his_desk() {
    let server = with_accounts().await;
    for _ in 0..5 {
        login_from(&server, "203.0.113.9", CLERK, "guess guess guess").await;
    }
    let (status, code, _, _) = answer(login_from(&server, "203.0.113.9", CLERK, STAFF_PASSWORD).await).await;
    assert_eq!((status, code), (StatusCode::TOO_MANY_REQUESTS, json!("staff_locked")), "paused where the guesses come from");
    // The clerk's own desk.
    let response = login_from(&server, "192.168.1.20", CLERK, STAFF_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(response).await["username"], CLERK);

    // The admin lifts the pause at the stranger's address too (an operator's unlock).
    let admin = signed_in(&server, ADMIN).await;
    let response = send_as(&server, Method::POST, &format!("/api/v1/staff/accounts/{CLERK}/unlock"), &admin).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(login_from(&server, "203.0.113.9", CLERK, STAFF_PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(audit_rows(&server, "staff_unlocked").await.len(), 1);
}

#[tokio::test]
async fn one_address_trying_many_usernames_is_paused_whatever_they_are() {
    let server = with_accounts().await;
    let usernames = [CLERK, VIEWER, "ghost.one", "ghost.two", "ghost.five"];
    for n in 0..19 {
        let response = login_from(&server, "198.51.100.7", usernames[n % 5], "wrong password!").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "try {n}: under 5 per username");
    }
    let twentieth = answer(login_from(&server, "198.51.100.7", "ghost.three", "wrong password!").await).await;
    assert_eq!((twentieth.0, &twentieth.1), (StatusCode::TOO_MANY_REQUESTS, &json!("staff_throttled")));
    assert_eq!(twentieth.2, "本机登录失败次数过多，已暂停登录，请15分钟后再试。");
    // Now every username from there gets the same answer, right password or not.
    let known = answer(login_from(&server, "198.51.100.7", ADMIN, STAFF_PASSWORD).await).await;
    let unknown = answer(login_from(&server, "198.51.100.7", "ghost.four", "anything at all").await).await;
    assert_eq!(known, unknown);
    assert_eq!(known.1, "staff_throttled");
    // Elsewhere nothing changed.
    assert_eq!(login_from(&server, "198.51.100.8", ADMIN, STAFF_PASSWORD).await.status(), StatusCode::OK);
    server.clock.advance(15 * 60);
    assert_eq!(login_from(&server, "198.51.100.7", ADMIN, STAFF_PASSWORD).await.status(), StatusCode::OK);
}

// ---------------------------------------------------------------- one's own password

async fn change_password(server: &TestServer, cookie: &str, current: &str, new: &str) -> reqwest::Response {
    send_as(server, Method::PUT, "/api/v1/staff/password", cookie)
        .json(&json!({ "current_password": current, "new_password": new }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_staff_member_changes_his_own_password_and_his_other_sessions_end() {
    let server = with_accounts().await;
    let here = signed_in(&server, VIEWER).await;
    let elsewhere = signed_in(&server, VIEWER).await;
    let new = "a new password of mine";

    let response = change_password(&server, &here, "not my password", new).await;
    refused(
        response,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("current_password"),
        Some("当前密码不正确，请重新输入；忘记密码请联系账号管理员重置。"),
    )
    .await;
    let response = change_password(&server, &here, STAFF_PASSWORD, "short").await;
    refused(
        response,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("new_password"),
        Some("密码太短：至少需要12个字符，请换一个更长的密码。"),
    )
    .await;
    let response = change_password(&server, &here, STAFF_PASSWORD, &"长".repeat(129)).await;
    refused(response, StatusCode::BAD_REQUEST, "invalid_field", Some("new_password"), None).await;
    let response = change_password(&server, &here, STAFF_PASSWORD, STAFF_PASSWORD).await;
    refused(
        response,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("new_password"),
        Some("新密码不能与当前密码相同，请换一个新密码。"),
    )
    .await;
    // Without a session, or with a malformed body.
    let response = server
        .send(Method::PUT, "/api/v1/staff/password")
        .json(&json!({ "current_password": STAFF_PASSWORD, "new_password": new }))
        .send()
        .await
        .unwrap();
    refused(response, StatusCode::UNAUTHORIZED, "staff_unauthenticated", None, None).await;
    let response = send_as(&server, Method::PUT, "/api/v1/staff/password", &here).json(&json!({ "new": 1 })).send().await.unwrap();
    refused(response, StatusCode::BAD_REQUEST, "invalid_body", None, None).await;

    let response = change_password(&server, &here, STAFF_PASSWORD, new).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(ok(server.get_as("/api/v1/staff/session", &here).await).await["username"], VIEWER, "this session goes on");
    let response = server.get_as("/api/v1/staff/session", &elsewhere).await;
    refused(response, StatusCode::UNAUTHORIZED, "staff_unauthenticated", None, None).await;
    refused(staff_login(&server, VIEWER, STAFF_PASSWORD).await, StatusCode::UNAUTHORIZED, "staff_login_failed", None, None)
        .await;
    assert_eq!(staff_login(&server, VIEWER, new).await.status(), StatusCode::OK);
    let viewer_id = staff_id(&server, VIEWER).await;
    assert_eq!(
        audit_rows(&server, "staff_password_changed").await,
        [("ok".to_owned(), Some(viewer_id), Some(format!("staff:{VIEWER}")))]
    );
}

#[tokio::test]
async fn wrong_current_passwords_count_like_wrong_sign_ins() {
    let server = with_accounts().await;
    let cookie = signed_in(&server, CLERK).await;
    for _ in 0..4 {
        let response = change_password(&server, &cookie, "not my password", "a new password of mine").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    let response = change_password(&server, &cookie, "not my password", "a new password of mine").await;
    refused(response, StatusCode::TOO_MANY_REQUESTS, "staff_locked", None, None).await;
    // Paused, the right password does not help until the pause ends.
    let response = change_password(&server, &cookie, STAFF_PASSWORD, "a new password of mine").await;
    refused(response, StatusCode::TOO_MANY_REQUESTS, "staff_locked", None, None).await;
    server.clock.advance(15 * 60);
    let cookie = signed_in(&server, CLERK).await;
    assert_eq!(change_password(&server, &cookie, STAFF_PASSWORD, "a new password of mine").await.status(), StatusCode::NO_CONTENT);
}

// ---------------------------------------------------------------- the admin's accounts

async fn accounts(server: &TestServer, cookie: &str) -> Vec<Value> {
    ok(server.get_as("/api/v1/staff/accounts", cookie).await).await.as_array().unwrap().clone()
}

fn listed<'a>(list: &'a [Value], username: &str) -> &'a Value {
    list.iter().find(|a| a["username"] == username).unwrap_or_else(|| panic!("{username} not listed"))
}

#[tokio::test]
async fn an_admin_creates_changes_resets_unlocks_and_disables_accounts() {
    let server = with_accounts().await;
    let admin = signed_in(&server, ADMIN).await;
    let admin_id = staff_id(&server, ADMIN).await;
    let list = accounts(&server, &admin).await;
    let usernames: Vec<&str> = list.iter().map(|a| a["username"].as_str().unwrap()).collect();
    assert_eq!(usernames, [VIEWER, CLERK, ADMIN], "by username");
    let clerk = listed(&list, CLERK);
    assert_eq!((&clerk["role"], &clerk["disabled"], &clerk["locked_until"]), (&json!("clerk"), &json!(false), &Value::Null));
    assert!(!serde_json::to_string(&list).unwrap().contains("argon2"), "never a hash");

    // Create: each refusal names its field.
    let create = |body: Value| send_as(&server, Method::POST, "/api/v1/staff/accounts", &admin).json(&body).send();
    let account = |username: &str, name: &str, password: &str| {
        json!({ "username": username, "display_name": name, "role": "clerk", "password": password })
    };
    for (body, status, code, field) in [
        (account("Bad Name", "孙新", STAFF_PASSWORD), StatusCode::BAD_REQUEST, "invalid_field", Some("username")),
        (account("sun.new", "", STAFF_PASSWORD), StatusCode::BAD_REQUEST, "invalid_field", Some("display_name")),
        (account("sun.new", "孙新", "short"), StatusCode::BAD_REQUEST, "invalid_field", Some("password")),
        (account(CLERK, "孙新", STAFF_PASSWORD), StatusCode::CONFLICT, "username_taken", None),
        (json!({ "username": "sun.new", "display_name": "孙新", "role": "boss", "password": STAFF_PASSWORD }), StatusCode::BAD_REQUEST, "invalid_body", None),
    ] {
        refused(create(body).await.unwrap(), status, code, field, None).await;
    }
    let response = create(account("sun.new", "孙新", "the first password")).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created = json(response).await;
    assert_eq!((&created["username"], &created["display_name"], &created["role"]), (&json!("sun.new"), &json!("孙新"), &json!("clerk")));
    let sun = signed_in_with(&server, "sun.new", "the first password").await;

    // Role: the sessions end, so that the new role applies at once.
    let role = |username: &str, role: &str| {
        send_as(&server, Method::PUT, &format!("/api/v1/staff/accounts/{username}/role"), &admin)
            .json(&json!({ "role": role }))
            .send()
    };
    let changed = ok(role("sun.new", "viewer").await.unwrap()).await;
    assert_eq!(changed["role"], "viewer");
    refused(server.get_as("/api/v1/staff/session", &sun).await, StatusCode::UNAUTHORIZED, "staff_unauthenticated", None, None).await;
    let sun = signed_in_with(&server, "sun.new", "the first password").await;
    assert_eq!(ok(server.get_as("/api/v1/staff/session", &sun).await).await["role"], "viewer");
    refused(role("nobody.here", "viewer").await.unwrap(), StatusCode::NOT_FOUND, "not_found", None, None).await;
    refused(role(ADMIN, "clerk").await.unwrap(), StatusCode::CONFLICT, "own_account", None, None).await;

    // Reset: the sessions end, the new password works, the old does not.
    let reset = |username: &str, password: &str| {
        send_as(&server, Method::PUT, &format!("/api/v1/staff/accounts/{username}/password"), &admin)
            .json(&json!({ "password": password }))
            .send()
    };
    refused(reset("sun.new", "short").await.unwrap(), StatusCode::BAD_REQUEST, "invalid_field", Some("password"), None).await;
    refused(reset("nobody.here", "a long enough password").await.unwrap(), StatusCode::NOT_FOUND, "not_found", None, None).await;
    refused(reset(ADMIN, "a long enough password").await.unwrap(), StatusCode::CONFLICT, "own_account", None, None).await;
    assert_eq!(reset("sun.new", "reset by the admin").await.unwrap().status(), StatusCode::NO_CONTENT);
    refused(server.get_as("/api/v1/staff/session", &sun).await, StatusCode::UNAUTHORIZED, "staff_unauthenticated", None, None).await;
    assert_eq!(staff_login(&server, "sun.new", "the first password").await.status(), StatusCode::UNAUTHORIZED);
    let sun = signed_in_with(&server, "sun.new", "reset by the admin").await;

    // Unlock: the list shows the pause, the unlock lifts it.
    for _ in 0..5 {
        staff_login(&server, CLERK, "wrong password!").await;
    }
    let clerk_locked = listed(&accounts(&server, &admin).await, CLERK)["locked_until"].clone();
    assert!(clerk_locked.as_i64().is_some_and(|until| until > common::START), "{clerk_locked}");
    let unlock = |username: &str| {
        send_as(&server, Method::POST, &format!("/api/v1/staff/accounts/{username}/unlock"), &admin).send()
    };
    assert_eq!(unlock(CLERK).await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(listed(&accounts(&server, &admin).await, CLERK)["locked_until"], Value::Null);
    signed_in(&server, CLERK).await;
    refused(unlock("nobody.here").await.unwrap(), StatusCode::NOT_FOUND, "not_found", None, None).await;

    // Disable: the sessions end at once and the account no longer signs in.
    let disable = |username: &str| {
        send_as(&server, Method::POST, &format!("/api/v1/staff/accounts/{username}/disable"), &admin).send()
    };
    refused(disable(ADMIN).await.unwrap(), StatusCode::CONFLICT, "own_account", None, None).await;
    assert_eq!(disable("sun.new").await.unwrap().status(), StatusCode::NO_CONTENT);
    refused(server.get_as("/api/v1/staff/session", &sun).await, StatusCode::UNAUTHORIZED, "staff_unauthenticated", None, None).await;
    assert_eq!(staff_login(&server, "sun.new", "reset by the admin").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(listed(&accounts(&server, &admin).await, "sun.new")["disabled"], true);

    // Each change audited with the admin and the account.
    let subject = Some("staff:sun.new".to_owned());
    for event in ["staff_account_created", "staff_password_reset", "staff_disabled"] {
        assert_eq!(audit_rows(&server, event).await, [("ok".to_owned(), Some(admin_id), subject.clone())], "{event}");
    }
    assert_eq!(audit_rows(&server, "staff_role_changed").await, [("ok".to_owned(), Some(admin_id), subject.clone())]);
    assert_eq!(
        audit_rows(&server, "staff_unlocked").await,
        [("ok".to_owned(), Some(admin_id), Some(format!("staff:{CLERK}")))]
    );
}

async fn signed_in_with(server: &TestServer, username: &str, password: &str) -> String {
    let response = staff_login(server, username, password).await;
    assert_eq!(response.status(), StatusCode::OK, "{username}");
    response.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn only_an_admin_manages_accounts_and_an_admin_works_no_case() {
    let server = with_accounts().await;
    let clerk = signed_in(&server, CLERK).await;
    let viewer = signed_in(&server, VIEWER).await;
    let admin = signed_in(&server, ADMIN).await;
    let calls: Vec<(Method, String, Value)> = vec![
        (Method::GET, "/api/v1/staff/accounts".into(), Value::Null),
        (Method::POST, "/api/v1/staff/accounts".into(), json!({ "username": "x.new", "display_name": "新", "role": "clerk", "password": STAFF_PASSWORD })),
        (Method::PUT, format!("/api/v1/staff/accounts/{CLERK}/role"), json!({ "role": "viewer" })),
        (Method::PUT, format!("/api/v1/staff/accounts/{CLERK}/password"), json!({ "password": "another long password" })),
        (Method::POST, format!("/api/v1/staff/accounts/{CLERK}/unlock"), Value::Null),
        (Method::POST, format!("/api/v1/staff/accounts/{CLERK}/disable"), Value::Null),
    ];
    for (who, cookie, role) in [("clerk", &clerk, "业务办理人员"), ("viewer", &viewer, "查询人员")] {
        for (method, path, body) in &calls {
            let mut request = send_as(&server, method.clone(), path, cookie);
            if !body.is_null() {
                request = request.json(body);
            }
            let body = json(request.send().await.unwrap()).await;
            assert_error_body(&body, "staff_role");
            assert_eq!(body["message"], format!("您的账号为{role}，不能管理账号。"), "{who}: {method} {path}");
        }
    }
    // Nothing changed: the clerk still signs in and works.
    assert_eq!(ok(server.get_as("/api/v1/staff/session", &clerk).await).await["role"], "clerk");
    assert_eq!(accounts(&server, &admin).await.len(), 3);

    // The admin reads the queues and acts on nothing.
    let driver = verified_user(&server, PHONE, &CardData::sample()).await;
    let case = common::flows::submit_case(&server, &driver, "reissue").await;
    let case_id = case["id"].as_str().unwrap();
    let detail = ok(server.get_as(&format!("/api/v1/staff/cases/{case_id}"), &admin).await).await;
    assert_eq!(detail["allowed_actions"], json!([]));
    let response = common::flows::act(&server, &admin, case_id, json!({ "action": "accept" })).await;
    refused(response, StatusCode::FORBIDDEN, "staff_role", None, Some("您的账号为账号管理员，不能办理业务。")).await;
}

#[tokio::test]
async fn the_cli_makes_the_first_admin_and_changes_roles() {
    let server = spawn_approving(|_| {}).await;
    let bin = env!("CARGO_BIN_EXE_taxicert-server");
    let config_file = server.dir.path().join("taxicert.toml");
    std::fs::write(&config_file, format!("database = {:?}\n", server.database.setting())).unwrap();
    let config = config_file.to_str().unwrap();
    let run = |args: &[&str]| {
        let output = std::process::Command::new(bin)
            .args(args)
            .env_remove("TAXICERT_CONFIG")
            .env_remove("TAXICERT_DATABASE")
            .env("TAXICERT_STAFF_PASSWORD", STAFF_PASSWORD)
            .output()
            .unwrap();
        (output.status.success(), String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
    };
    let (success, stdout, stderr) = run(&["staff", "add", "first.admin", "--name", "首管理", "--role", "admin", "--config", config]);
    assert!(success, "{stderr}");
    assert!(stdout.contains("账号管理员"), "{stdout}");
    let admin = signed_in(&server, "first.admin").await;
    assert_eq!(ok(server.get_as("/api/v1/staff/session", &admin).await).await["role"], "admin");
    assert_eq!(accounts(&server, &admin).await.len(), 1);

    let (success, _, stderr) = run(&["staff", "add", "zhou.cli", "--name", "周命令", "--config", config]);
    assert!(success, "{stderr}");
    let (success, stdout, stderr) = run(&["staff", "role", "zhou.cli", "--role", "viewer", "--config", config]);
    assert!(success && stdout.contains("查询人员"), "{stdout}{stderr}");
    assert_eq!(listed(&accounts(&server, &admin).await, "zhou.cli")["role"], "viewer");
    let (success, _, stderr) = run(&["staff", "role", "zhou.cli", "--config", config]);
    assert!(!success && stderr.contains("usage"), "a role is needed: {stderr}");
    let (success, _, stderr) = run(&["staff", "role", "nobody", "--role", "clerk", "--config", config]);
    assert!(!success && stderr.contains("没有用户名为“nobody”的账号"), "{stderr}");
}

/// The contract test found it: an admin's changes made at the same moment as other writes
/// answered 500 (SQLite's "database is locked" on a transaction that read before it wrote).
#[tokio::test]
async fn an_admins_changes_at_the_same_moment_all_go_through() {
    let server = with_accounts().await;
    let admin = signed_in(&server, ADMIN).await;
    let calls = (0..24).map(|n| {
        let (path, body) = match n % 4 {
            0 => (format!("/api/v1/staff/accounts/{CLERK}/unlock"), Value::Null),
            1 => (format!("/api/v1/staff/accounts/{VIEWER}/unlock"), Value::Null),
            2 => (format!("/api/v1/staff/accounts/{CLERK}/role"), json!({ "role": "clerk" })),
            _ => (format!("/api/v1/staff/accounts/{VIEWER}/password"), json!({ "password": format!("a long password {n}") })),
        };
        let method = if n % 4 >= 2 { Method::PUT } else { Method::POST };
        let mut request = send_as(&server, method, &path, &admin);
        if !body.is_null() {
            request = request.json(&body);
        }
        async move { request.send().await.unwrap().status() }
    });
    let statuses = futures::future::join_all(calls).await;
    assert!(statuses.iter().all(|s| s.is_success()), "{statuses:?}");
}
