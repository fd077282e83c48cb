//! 微信登录 (公众号网页授权, snsapi_userinfo) against a fake WeChat on loopback: the first
//! sign-in binds a phone number with the SMS code, later ones need WeChat alone; a wrong,
//! missing, expired or replayed state, and WeChat's errors, are refused in Chinese; the driver
//! unbinds in 我的; the openid is in no answer, no log line and no database column in the clear.

use crate::common;

use common::{
    assert_error_body, captured_logs, database, json, log_in, spawn, spawn_config, test_config,
    wechat::{nickname_of, FakeWechat, APP_ID, APP_SECRET},
    TestServer,
};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

const PHONE: &str = "13812345678";
const OTHER_PHONE: &str = "13912345678";
const OPENID: &str = "oWx_fake_0penid_AAAAAAAAAAAA0001";
const OTHER_OPENID: &str = "oWx_fake_0penid_BBBBBBBBBBBB0002";

async fn spawn_wechat() -> (TestServer, FakeWechat) {
    spawn_wechat_with(|_| {}).await
}

/// A server signing in with `fake`, configured further by `configure`.
async fn spawn_wechat_with(configure: impl FnOnce(&mut taxicert_server::Config)) -> (TestServer, FakeWechat) {
    let fake = FakeWechat::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    config.wechat_app_id = Some(APP_ID.into());
    config.wechat_app_secret = Some(APP_SECRET.into());
    config.wechat_oauth_base = fake.base.clone();
    config.wechat_api_base = fake.base.clone();
    configure(&mut config);
    (spawn_config(dir, config).await, fake)
}

/// `name=value` of the cookie `name` the answer sets.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap().to_owned())
        .find(|pair| pair.split_once('=').is_some_and(|(n, v)| n == name && !v.is_empty()))
}

/// 微信登录's start: the authorization page's address and this browser's state cookie.
async fn authorize(server: &TestServer) -> (String, String) {
    let response = server.send(Method::POST, "/api/v1/auth/wechat/authorize").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = set_cookie(&response, "taxicert_wechat_state").expect("the state cookie");
    let url = json(response).await["url"].as_str().unwrap().to_owned();
    (url, cookie)
}

fn state_of(url: &str) -> String {
    let query = url.split_once('?').unwrap().1.split('#').next().unwrap();
    query.split('&').find_map(|p| p.strip_prefix("state=")).unwrap().to_owned()
}

/// Back from WeChat with `code` and `state`, carrying `cookies`.
async fn come_back(server: &TestServer, cookies: &str, code: &str, state: &str) -> reqwest::Response {
    let mut request = server.send(Method::POST, "/api/v1/auth/wechat/session").json(&json!({ "code": code, "state": state }));
    if !cookies.is_empty() {
        request = request.header(header::COOKIE, cookies);
    }
    request.send().await.unwrap()
}

/// A whole authorization by `openid`: the answer to the return.
async fn wechat_sign_in(server: &TestServer, fake: &FakeWechat, openid: &str) -> reqwest::Response {
    let (url, cookie) = authorize(server).await;
    come_back(server, &cookie, &fake.code_for(openid), &state_of(&url)).await
}

/// The SMS code just sent to `phone`.
async fn code_for(server: &TestServer, phone: &str) -> String {
    let response = server.post_json("/api/v1/auth/sms-codes", json!({ "phone": phone })).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let outbox = json(server.get("/api/v1/dev/sms-outbox").await).await;
    outbox.as_array().unwrap().iter().find(|m| m["phone"] == phone).unwrap()["code"].as_str().unwrap().to_owned()
}

/// Logs in with `phone` binding the WeChat the `pending` cookie names.
async fn bind_phone(server: &TestServer, pending: &str, phone: &str) -> reqwest::Response {
    let code = code_for(server, phone).await;
    server
        .send(Method::POST, "/api/v1/auth/session")
        .header(header::COOKIE, pending)
        .json(&json!({ "phone": phone, "code": code, "bind_wechat": true }))
        .send()
        .await
        .unwrap()
}

async fn session_of(server: &TestServer, cookie: &str) -> Value {
    json(server.get_as("/api/v1/auth/session", cookie).await).await
}

/// First use: WeChat, then the phone number; the avatar is ours. A user who had logged in with
/// the number before gets the binding (the same person).
async fn first_use(server: &TestServer, fake: &FakeWechat, openid: &str, phone: &str) -> String {
    let response = wechat_sign_in(server, fake, openid).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(set_cookie(&response, "taxicert_session"), None, "no session before the number is bound");
    let pending = set_cookie(&response, "taxicert_wechat_pending").expect("the pending cookie");
    let body = json(response).await;
    assert_eq!(body, json!({ "me": null, "nickname": nickname_of(openid) }));
    let response = bind_phone(server, &pending, phone).await;
    assert_eq!(response.status(), StatusCode::OK);
    let session = set_cookie(&response, "taxicert_session").unwrap();
    let me = json(response).await;
    assert_eq!(me["wechat"], json!({ "nickname": nickname_of(openid), "has_avatar": true }), "{me}");
    session
}

#[tokio::test]
async fn the_first_sign_in_binds_a_phone_number_and_later_ones_need_wechat_alone() {
    let logs = captured_logs();
    let (server, fake) = spawn_wechat().await;
    let mut bodies = String::new();
    assert_eq!(json(server.get("/api/v1/auth/session").await).await, json!({ "me": null, "wechat_login": true, "number_token_url": null }));

    // The authorization page, exactly as WeChat documents it.
    let (url, _) = authorize(&server).await;
    let redirect = format!("{}/login/wechat", server.base);
    let encoded: String = url::form_urlencoded::byte_serialize(redirect.as_bytes()).collect();
    let expected = format!(
        "{}/connect/oauth2/authorize?appid={APP_ID}&redirect_uri={encoded}&response_type=code&scope=snsapi_userinfo&state={}#wechat_redirect",
        fake.base,
        state_of(&url)
    );
    assert_eq!(url, expected);
    assert_eq!(state_of(&url).len(), 32);

    // The number had an account already: the WeChat joins it.
    let earlier = log_in(&server, PHONE).await;
    server.clock.advance(61); // another code for the number
    let session = first_use(&server, &fake, OPENID, PHONE).await;
    let me = session_of(&server, &earlier).await;
    assert_eq!(me["me"]["wechat"]["nickname"], nickname_of(OPENID), "the same account: {me}");
    bodies.push_str(&me.to_string());

    // Our own copy of the avatar: a JPEG.
    let response = server.get_as("/api/v1/account/wechat/avatar", &session).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(&response.bytes().await.unwrap()[..2], &[0xFF, 0xD8]);

    // Later: WeChat alone signs in, to the same account.
    let response = wechat_sign_in(&server, &fake, OPENID).await;
    assert_eq!(response.status(), StatusCode::OK);
    let again = set_cookie(&response, "taxicert_session").expect("a session");
    assert_eq!(set_cookie(&response, "taxicert_wechat_pending"), None);
    let body = json(response).await;
    bodies.push_str(&body.to_string());
    assert_eq!(body["me"]["phone_masked"], "138****5678");
    assert_eq!(body["me"]["wechat"]["nickname"], nickname_of(OPENID));
    let me = session_of(&server, &again).await;
    assert_eq!(me["me"]["phone_masked"], "138****5678");
    bodies.push_str(&me.to_string());

    // The openid is nowhere in the clear: answers, log, database.
    assert!(!bodies.contains(OPENID), "an answer shows the openid: {bodies}");
    let log = logs.text();
    assert!(log.contains("path=/api/v1/auth/wechat/session"), "the capture works");
    assert!(!log.contains(OPENID), "the log shows the openid");
    assert!(!log.contains(APP_SECRET), "the log shows the app secret");
    let pool = database(&server).await;
    let rows: Vec<(Vec<u8>, Vec<u8>, String, String)> =
        sqlx::query_as("SELECT openid_sealed, openid_key, province, city FROM wechat_accounts").fetch_all(&pool).await.unwrap();
    assert_eq!(rows.len(), 1);
    let (sealed, key, province, city) = &rows[0];
    for stored in [sealed, key] {
        assert!(!stored.windows(OPENID.len()).any(|w| w == OPENID.as_bytes()), "the openid is stored in the clear");
    }
    assert_eq!((province.as_str(), city.as_str()), ("内蒙古", "呼和浩特"));
    let (pending,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM wechat_pending").fetch_one(&pool).await.unwrap();
    assert_eq!(pending, 0, "the pending authorization is gone once bound");
    let events: Vec<(String, String)> =
        sqlx::query_as("SELECT event, outcome FROM audit_log WHERE event IN ('login', 'wechat_bound') ORDER BY id").fetch_all(&pool).await.unwrap();
    let events: Vec<(&str, &str)> = events.iter().map(|(e, o)| (e.as_str(), o.as_str())).collect();
    assert_eq!(events, [("login", "ok"), ("login", "ok"), ("wechat_bound", "sms"), ("login", "wechat")]);
}

#[tokio::test]
async fn a_wrong_missing_expired_or_replayed_state_is_refused() {
    let (server, fake) = spawn_wechat().await;
    let refused = |response: reqwest::Response| async move {
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(set_cookie(&response, "taxicert_session").is_none());
        let cleared = response.headers().get_all(header::SET_COOKIE).iter().any(|v| {
            v.to_str().unwrap().starts_with("taxicert_wechat_state=;") && v.to_str().unwrap().contains("Max-Age=0")
        });
        assert!(cleared, "the state cookie is cleared");
        let body = json(response).await;
        assert_error_body(&body, "wechat_state");
        assert!(body["message"].as_str().unwrap().contains("请重新点击“微信登录”"), "{body}");
    };

    // Another browser's state (a login forced on the driver), or none.
    let (url, cookie) = authorize(&server).await;
    let (other_url, _) = authorize(&server).await;
    refused(come_back(&server, &cookie, &fake.code_for(OPENID), &state_of(&other_url)).await).await;
    refused(come_back(&server, "", &fake.code_for(OPENID), &state_of(&url)).await).await;
    refused(come_back(&server, &cookie, &fake.code_for(OPENID), "made-up").await).await;

    // Used once, never again.
    let response = come_back(&server, &cookie, &fake.code_for(OPENID), &state_of(&url)).await;
    assert_eq!(response.status(), StatusCode::OK);
    refused(come_back(&server, &cookie, &fake.code_for(OPENID), &state_of(&url)).await).await;

    // Ten minutes to come back.
    let (url, cookie) = authorize(&server).await;
    server.clock.advance(601);
    refused(come_back(&server, &cookie, &fake.code_for(OPENID), &state_of(&url)).await).await;

    let pool = database(&server).await;
    let (failed,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE event = 'wechat_login_failed' AND outcome = 'state'").fetch_one(&pool).await.unwrap();
    assert_eq!(failed, 5);
}

#[tokio::test]
async fn wechat_refusing_the_code_or_failing_the_profile_is_explained() {
    let (server, fake) = spawn_wechat().await;
    // A code WeChat never gave: {"errcode":40029,"errmsg":"invalid code"} with HTTP 200.
    let (url, cookie) = authorize(&server).await;
    let response = come_back(&server, &cookie, "not-a-wechat-code", &state_of(&url)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = json(response).await;
    assert_error_body(&body, "wechat_code");
    assert!(body["message"].as_str().unwrap().contains("微信登录"), "{body}");

    // A code used already (40163).
    let code = fake.code_for(OPENID);
    let (url, cookie) = authorize(&server).await;
    assert_eq!(come_back(&server, &cookie, &code, &state_of(&url)).await.status(), StatusCode::OK);
    let (url, cookie) = authorize(&server).await;
    assert_error_body(&json(come_back(&server, &cookie, &code, &state_of(&url)).await).await, "wechat_code");

    // The profile fails (40001).
    fake.fail_userinfo(true);
    let response = wechat_sign_in(&server, &fake, OPENID).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(set_cookie(&response, "taxicert_wechat_pending").is_none());
    let body = json(response).await;
    assert_error_body(&body, "wechat_failed");
    assert!(body["message"].as_str().unwrap().contains("短信验证码登录"), "{body}");
    fake.fail_userinfo(false);

    // WeChat not answering at all.
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    config.wechat_app_id = Some(APP_ID.into());
    config.wechat_app_secret = Some(APP_SECRET.into());
    config.wechat_api_base = "http://127.0.0.1:9".into();
    let down = spawn_config(dir, config).await;
    let (url, cookie) = authorize(&down).await;
    let response = come_back(&down, &cookie, "0code", &state_of(&url)).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_error_body(&json(response).await, "wechat_failed");
}

#[tokio::test]
async fn binding_needs_a_live_authorization_and_one_wechat_per_driver() {
    let (server, fake) = spawn_wechat().await;
    // No WeChat authorized in this browser: the code is not spent.
    let code = code_for(&server, PHONE).await;
    let response = server.post_json("/api/v1/auth/session", json!({ "phone": PHONE, "code": code, "bind_wechat": true })).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = json(response).await;
    assert_error_body(&body, "wechat_expired");
    assert!(body["message"].as_str().unwrap().contains("验证码仍可使用"), "{body}");
    let response = server.post_json("/api/v1/auth/session", json!({ "phone": PHONE, "code": code })).await;
    assert_eq!(response.status(), StatusCode::OK, "the code still works");

    // 15 minutes to bind.
    let response = wechat_sign_in(&server, &fake, OPENID).await;
    let pending = set_cookie(&response, "taxicert_wechat_pending").unwrap();
    server.clock.advance(901);
    assert_error_body(&json(bind_phone(&server, &pending, PHONE).await).await, "wechat_expired");

    // One WeChat per driver: a second WeChat cannot join a number that has one.
    server.clock.advance(61);
    first_use(&server, &fake, OPENID, PHONE).await;
    let response = wechat_sign_in(&server, &fake, OTHER_OPENID).await;
    let pending = set_cookie(&response, "taxicert_wechat_pending").unwrap();
    server.clock.advance(61);
    let response = bind_phone(&server, &pending, PHONE).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body = json(response).await;
    assert_error_body(&body, "wechat_bound_other");
    assert!(body["message"].as_str().unwrap().contains("解除微信绑定"), "{body}");
    // …and goes to another number.
    let response = bind_phone(&server, &pending, OTHER_PHONE).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(response).await["wechat"]["nickname"], nickname_of(OTHER_OPENID));
}

#[tokio::test]
async fn the_driver_unbinds_wechat_and_its_next_sign_in_asks_for_a_number_again() {
    let (server, fake) = spawn_wechat().await;
    let session = first_use(&server, &fake, OPENID, PHONE).await;
    let unbind = || server.send(Method::DELETE, "/api/v1/account/wechat").header(header::COOKIE, &session).send();
    assert_eq!(unbind().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(session_of(&server, &session).await["me"]["wechat"], Value::Null, "still signed in, without WeChat");
    assert_eq!(server.get_as("/api/v1/account/wechat/avatar", &session).await.status(), StatusCode::NOT_FOUND);
    let response = unbind().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_error_body(&json(response).await, "no_wechat");

    let response = wechat_sign_in(&server, &fake, OPENID).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(set_cookie(&response, "taxicert_session").is_none());
    assert_eq!(json(response).await["me"], Value::Null, "asked to bind a number again");
    let pool = database(&server).await;
    let (unbound,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE event = 'wechat_unbound'").fetch_one(&pool).await.unwrap();
    assert_eq!(unbound, 1);
}

#[tokio::test]
async fn the_avatar_is_served_to_its_owner_only() {
    let (server, fake) = spawn_wechat().await;
    let owner = first_use(&server, &fake, OPENID, PHONE).await;
    let other = log_in(&server, OTHER_PHONE).await;
    assert_eq!(server.get_as("/api/v1/account/wechat/avatar", &owner).await.status(), StatusCode::OK);
    let response = server.get_as("/api/v1/account/wechat/avatar", &other).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_error_body(&json(response).await, "not_found");
    let response = server.get("/api/v1/account/wechat/avatar").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_configuration_there_is_no_wechat_sign_in_and_the_sms_login_is_unchanged() {
    let server = spawn().await;
    assert_eq!(json(server.get("/api/v1/auth/session").await).await, json!({ "me": null, "wechat_login": false, "number_token_url": null }));
    let response = server.send(Method::POST, "/api/v1/auth/wechat/authorize").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_error_body(&json(response).await, "wechat_unavailable");
    let cookie = log_in(&server, PHONE).await;
    let me = session_of(&server, &cookie).await;
    assert_eq!(me["me"]["wechat"], Value::Null);
}

/// A server with WeChat sign-in and both 模板消息 templates, sending every second.
async fn spawn_messaging() -> (TestServer, FakeWechat) {
    spawn_wechat_with(|config| {
        config.wechat_template_case = Some(CASE_TEMPLATE.into());
        config.wechat_template_renewal = Some("renewal-template-id".into());
        config.public_url = Some("https://taxicert.example.cn".into());
        messaging(config);
    })
    .await
}

/// Real-name checks pass by themselves and messages go every second.
fn messaging(config: &mut taxicert_server::Config) {
    config.realname_auto_approve = true;
    config.message_interval_seconds = 1;
}

const CASE_TEMPLATE: &str = "case-template-id-0123456789";

/// The deliveries of each channel, by status: `(channel, status, last_error)`.
async fn deliveries(server: &TestServer) -> Vec<(String, String, Option<String>)> {
    let pool = database(server).await;
    sqlx::query_as("SELECT channel, status, last_error FROM message_deliveries ORDER BY id").fetch_all(&pool).await.unwrap()
}

#[tokio::test]
async fn a_driver_who_signed_in_with_wechat_gets_each_case_message_in_wechat_too_once() {
    use common::flows::{act, add_staff, ok, other_card, signed_in, submit_case};
    let logs = captured_logs();
    let (server, fake) = spawn_messaging().await;
    add_staff(&server, "qian.clerk", "钱办理", taxicert_api::StaffRole::Clerk).await;
    let clerk = signed_in(&server, "qian.clerk").await;
    let driver = first_use(&server, &fake, OPENID, PHONE).await;
    common::pass_realname(&server, &driver, &taxicert_testkit::CardData::sample()).await;
    let case = submit_case(&server, &driver, "reissue").await["id"].as_str().unwrap().to_owned();

    ok(act(&server, &clerk, &case, json!({ "action": "accept" })).await).await;
    let sent = fake.wait_templates(1).await;
    assert_eq!(sent[0]["touser"], OPENID);
    assert_eq!(sent[0]["template_id"], CASE_TEMPLATE);
    assert_eq!(sent[0]["url"], format!("https://taxicert.example.cn/cases/{case}"));
    assert_eq!(sent[0]["data"]["character_string1"]["value"], case.as_str());
    assert_eq!(sent[0]["data"]["phrase2"]["value"], "已受理");
    assert_eq!(sent[0]["data"]["thing4"]["value"], "办件已受理");
    assert!(sent[0]["data"]["time3"]["value"].as_str().unwrap().contains('年'), "{}", sent[0]);

    // WeChat expired the server's token: a new one, at once, and the message goes once.
    fake.expire_tokens();
    let correction = json!({ "action": "return", "reason": "照片不清晰", "fields": [], "materials": ["photo_2inch"] });
    ok(act(&server, &clerk, &case, correction).await).await;
    let sent = fake.wait_templates(2).await;
    assert_eq!(sent[1]["data"]["phrase2"]["value"], "待补正");
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(fake.templates().len(), 2, "each message once");
    let statuses: Vec<(String, String)> = deliveries(&server).await.into_iter().map(|(c, s, _)| (c, s)).collect();
    let sent = |channel: &str| statuses.iter().filter(|(c, s)| c == channel && s == "sent").count();
    assert_eq!((sent("sms"), sent("wechat"), statuses.len()), (2, 2, 4), "{statuses:?}");

    // A driver who no longer follows the 公众号 gets his SMS, and WeChat is not asked again.
    let other = first_use(&server, &fake, OTHER_OPENID, OTHER_PHONE).await;
    common::pass_realname(&server, &other, &other_card()).await;
    fake.unfollow(OTHER_OPENID);
    let refused = submit_case(&server, &other, "reissue").await["id"].as_str().unwrap().to_owned();
    let attempts_before = fake.template_attempts().len();
    ok(act(&server, &clerk, &refused, json!({ "action": "refuse", "reason": "所附材料与申请事项不符" })).await).await;
    tokio::time::sleep(std::time::Duration::from_millis(3000)).await;
    let attempts: Vec<Value> = fake.template_attempts()[attempts_before..].to_vec();
    assert_eq!(attempts.len(), 1, "one try, no retries: {attempts:?}");
    let last = deliveries(&server).await;
    let wechat = last.iter().rev().find(|(c, _, _)| c == "wechat").unwrap();
    assert_eq!((wechat.1.as_str(), wechat.2.as_deref()), ("failed", Some("errcode 43004")));
    assert!(last.iter().rev().any(|(c, s, _)| c == "sms" && s == "sent"));

    // The openid goes to WeChat only: not in the log, the database's message rows or 消息.
    let log = logs.text();
    assert!(!log.contains(OPENID) && !log.contains(OTHER_OPENID), "the log shows an openid");
    assert!(!log.contains("SERVER_TOKEN_"), "the log shows an access token");
    let list = json(server.get_as("/api/v1/messages", &driver).await).await;
    assert!(!list.to_string().contains(OPENID));
}

#[tokio::test]
async fn without_a_template_a_wechat_driver_gets_his_sms_only() {
    use common::flows::{act, add_staff, ok, signed_in, submit_case};
    let (server, fake) = spawn_wechat_with(messaging).await;
    add_staff(&server, "qian.clerk", "钱办理", taxicert_api::StaffRole::Clerk).await;
    let clerk = signed_in(&server, "qian.clerk").await;
    let driver = first_use(&server, &fake, OPENID, PHONE).await;
    common::pass_realname(&server, &driver, &taxicert_testkit::CardData::sample()).await;
    let case = submit_case(&server, &driver, "reissue").await["id"].as_str().unwrap().to_owned();
    ok(act(&server, &clerk, &case, json!({ "action": "accept" })).await).await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert!(fake.template_attempts().is_empty(), "WeChat was not asked");
    let rows = deliveries(&server).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().any(|(c, s, _)| c == "sms" && s == "sent"));
    assert!(rows.iter().any(|(c, s, e)| c == "wechat" && s == "failed" && e.as_deref() == Some("no WeChat template is configured for it")));
}
