//! Who may call what, over every operation of the contract: each is classified in one table
//! below, a new endpoint fails the test until it is, and each is then called without a session
//! and by a second driver against the first driver's objects. Another driver's case, photo or
//! voucher is a missing one (404, the same answer as for a made-up id), never a 403 that tells
//! it exists; staff endpoints refuse a driver's session; nothing but the public voucher check
//! and the dev outbox shows the first driver's data to anyone else.

use crate::common;

use std::collections::BTreeSet;

use common::{
    card_fields, database,
    flows::{
        act, add_staff, choosable, info, next_key, next_number, ok, other_card, saved, signed_in, photo_for,
        spawn_approving, submit_case, upload, OTHER_PHONE, PHONE, STAFF_PASSWORD,
    },
    json, log_in, verified_user, TestServer,
};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use taxicert_api::StaffRole;
use taxicert_testkit::CardData;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Answers anyone, with or without a session.
    Public,
    /// Names one of the driver's own objects: without a session 401; another driver's object is
    /// a missing one (404). Drafts are named by business and are always the caller's own.
    DriverOwn,
    /// The signed-in driver's own account, lists and new objects: without a session 401; with
    /// one, the caller's own and nobody else's.
    DriverAccount,
    /// The staff console: 401 `staff_unauthenticated` without a session, 403 `staff_only` with a
    /// driver's. (The viewer/clerk roles are staff.rs's.)
    Staff,
    /// The staff sign-in: open to anyone, the credentials decide.
    StaffLogin,
    /// Development mode only: open in the tests' dev server; gone otherwise (auth.rs checks).
    Dev,
    /// 微信登录's steps, which the matrix's server is not configured for: 404
    /// `wechat_unavailable` to anyone (wechat.rs tests them configured).
    WechatSignIn,
    /// 本机号码一键登录, not configured here either: 404 `number_login_unavailable` to anyone
    /// (number_login.rs tests it configured).
    NumberSignIn,
}
use Class::*;

/// Every operation of the contract (paths under /api/v1), in the order the matrix runs them.
/// The order matters only for the draft: B's GET of /drafts/{business} comes before his PUT,
/// his DELETE after it, and POST /cases after the DELETE (B has no draft then).
#[rustfmt::skip]
const OPERATIONS: &[(&str, &str, Class)] = &[
    ("GET",    "/health",                                 Public),
    ("GET",    "/businesses",                             Public),
    ("GET",    "/businesses/{code}",                      Public),
    ("GET",    "/service-halls",                          Public),
    ("GET",    "/vouchers/{code}",                        Public),
    ("POST",   "/auth/sms-codes",                         Public),
    ("GET",    "/auth/session",                           Public),
    ("POST",   "/auth/session",                           Public),
    ("DELETE", "/auth/session",                           DriverAccount),
    ("GET",    "/dev/sms-outbox",                         Dev),
    ("POST",   "/auth/wechat/authorize",                  WechatSignIn),
    ("POST",   "/auth/wechat/session",                    WechatSignIn),
    ("POST",   "/auth/number-session",                    NumberSignIn),
    ("GET",    "/account/wechat/avatar",                  DriverAccount),
    ("DELETE", "/account/wechat",                         DriverAccount),
    ("GET",    "/realname",                               DriverAccount),
    ("POST",   "/realname/id-card",                       DriverAccount),
    ("POST",   "/realname/submission",                    DriverAccount),
    ("GET",    "/account/move",                           DriverAccount),
    ("POST",   "/account/move/sms-code",                  DriverAccount),
    ("POST",   "/account/move/confirm",                   DriverAccount),
    ("POST",   "/account/move/review",                    DriverAccount),
    ("GET",    "/profile",                                DriverAccount),
    ("GET",    "/certificates",                           DriverAccount),
    ("POST",   "/uploads",                                DriverAccount),
    ("GET",    "/uploads/{id}/image",                     DriverOwn),
    ("DELETE", "/uploads/{id}",                           DriverOwn),
    ("GET",    "/drafts",                                 DriverAccount),
    ("GET",    "/drafts/{business}",                      DriverOwn),
    ("PUT",    "/drafts/{business}",                      DriverOwn),
    ("DELETE", "/drafts/{business}",                      DriverOwn),
    ("POST",   "/cases",                                  DriverAccount),
    ("GET",    "/cases",                                  DriverAccount),
    ("GET",    "/cases/{id}",                             DriverOwn),
    ("POST",   "/cases/{id}/withdrawal",                  DriverOwn),
    ("POST",   "/cases/{id}/resubmission",                DriverOwn),
    ("GET",    "/cases/{id}/voucher",                     DriverOwn),
    ("GET",    "/cases/{id}/voucher.png",                 DriverOwn),
    ("GET",    "/messages",                               DriverAccount),
    ("GET",    "/messages/unread-count",                  DriverAccount),
    ("POST",   "/messages/read",                          DriverAccount),
    ("GET",    "/settings",                               DriverAccount),
    ("PUT",    "/settings",                               DriverAccount),
    ("POST",   "/staff/session",                          StaffLogin),
    ("GET",    "/staff/session",                          Staff),
    ("DELETE", "/staff/session",                          Staff),
    ("PUT",    "/staff/password",                         Staff),
    ("GET",    "/staff/accounts",                         Staff),
    ("POST",   "/staff/accounts",                         Staff),
    ("PUT",    "/staff/accounts/{username}/role",         Staff),
    ("PUT",    "/staff/accounts/{username}/password",     Staff),
    ("POST",   "/staff/accounts/{username}/unlock",       Staff),
    ("POST",   "/staff/accounts/{username}/disable",      Staff),
    ("GET",    "/staff/realname",                         Staff),
    ("GET",    "/staff/realname/{id}",                    Staff),
    ("GET",    "/staff/realname/{id}/photos/{side}",      Staff),
    ("POST",   "/staff/realname/{id}/decision",           Staff),
    ("GET",    "/staff/cases",                            Staff),
    ("GET",    "/staff/cases/{id}",                       Staff),
    ("GET",    "/staff/cases/{id}/photos/{material}",     Staff),
    ("POST",   "/staff/cases/{id}/actions",               Staff),
    ("GET",    "/staff/case-counts",                      Staff),
    ("GET",    "/staff/reports/cases.csv",                Staff),
    ("GET",    "/staff/reports/clerks",                   Staff),
    ("GET",    "/staff/account-moves",                    Staff),
    ("GET",    "/staff/account-moves/{id}",               Staff),
    ("GET",    "/staff/account-moves/{id}/photos/{which}", Staff),
    ("POST",   "/staff/account-moves/{id}/decision",      Staff),
];

const CLERK: &str = "zhou.clerk";
const MISSING_CASE: &str = "TC20261124999999";
const MISSING_UPLOAD: &str = "upl_00000000000000000000000000000000";

#[test]
fn every_operation_of_the_contract_is_classified_once() {
    let contract: BTreeSet<(String, String)> =
        taxicert_server::api_operations().into_iter().map(|(method, path)| (method.to_owned(), path)).collect();
    let table: Vec<(String, String)> = OPERATIONS.iter().map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned())).collect();
    let listed: BTreeSet<(String, String)> = table.iter().cloned().collect();
    assert_eq!(listed.len(), table.len(), "an operation is listed twice in OPERATIONS");
    let unlisted: Vec<_> = contract.difference(&listed).collect();
    assert!(unlisted.is_empty(), "operations of the contract missing from OPERATIONS (classify them): {unlisted:?}");
    let stale: Vec<_> = listed.difference(&contract).collect();
    assert!(stale.is_empty(), "OPERATIONS lists operations the contract no longer has: {stale:?}");
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    /// No cookie at all.
    Nobody,
    /// Driver B, verified, with objects of his own but none of A's.
    DriverB,
}

/// Driver A with one object of each kind, driver B, and the staff and voucher ids they lead to.
struct World {
    server: TestServer,
    a: String,
    b: String,
    /// A second session of B's, for the sign-out.
    b_spare: String,
    /// A's cases: submitted, completed by a clerk (with a voucher), returned for correction.
    open: String,
    done: String,
    returned: String,
    voucher: String,
    /// A's photo in no draft or case, and one of the open case's photos.
    live_upload: String,
    case_photo: String,
    /// A's renewal draft as A sees it.
    draft: Value,
    /// A's real-name submission, for the staff paths.
    realname_id: i64,
    /// What of A's no answer may show to anyone else: (what, text).
    secrets: Vec<(String, String)>,
}

impl World {
    async fn new() -> World {
        let server = spawn_approving(|_| {}).await;
        let a = verified_user(&server, PHONE, &CardData::sample()).await;
        // One open case per certificate and business: three businesses other than the renewal,
        // so that the renewal draft below can still choose the certificate.
        let done = id_of(&submit_case(&server, &a, "reissue").await);
        let open = id_of(&submit_case(&server, &a, "cancellation").await);
        let returned = id_of(&submit_case(&server, &a, "change").await);
        let live_upload = upload(&server, &a, "photo_2inch").await;
        let detail = ok(server.get_as(&format!("/api/v1/cases/{open}"), &a).await).await;
        let case_photo = detail["photos"][0]["upload_id"].as_str().unwrap().to_owned();

        // A clerk, through the staff API: one case completed, one returned.
        add_staff(&server, CLERK, "周办理", StaffRole::Clerk).await;
        let clerk = signed_in(&server, CLERK).await;
        ok(act(&server, &clerk, &done, json!({ "action": "accept" })).await).await;
        let completion = json!({ "action": "complete", "business": "reissue", "certificate_number": null, "note": "" });
        let completed = ok(act(&server, &clerk, &done, completion).await).await;
        let voucher = completed["case"]["result"]["voucher_code"].as_str().unwrap().to_owned();
        let correction =
            json!({ "action": "return", "reason": "请重新上传照片", "fields": [], "materials": ["cert_info_page"] });
        ok(act(&server, &clerk, &returned, correction).await).await;
        // The renewal draft, saved up to the personal information: after the reissue is done,
        // since an open 补发 blocks a 换发 of the same certificate.
        saved(&server, &a, "renewal", json!({ "step": "notice" })).await;
        let certificate = choosable(&server, &a, "renewal").await;
        saved(&server, &a, "renewal", json!({ "step": "certificate", "certificate_id": certificate })).await;
        saved(&server, &a, "renewal", json!({ "step": "personal_info", "info": info("renewal") })).await;
        let draft = ok(server.get_as("/api/v1/drafts/renewal", &a).await).await;

        let b = verified_user(&server, OTHER_PHONE, &other_card()).await;
        server.clock.advance(61); // the next code for B's number
        let b_spare = log_in(&server, OTHER_PHONE).await;
        let (realname_id,): (i64,) = sqlx::query_as("SELECT MIN(id) FROM realname_submissions")
            .fetch_one(&database(&server).await)
            .await
            .unwrap();

        let card = CardData::sample();
        let mut secrets: Vec<(String, String)> = vec![
            ("A's name".into(), card.name.clone()),
            ("A's masked name".into(), "王*国".into()),
            ("A's ID number".into(), card.id_number.clone()),
            ("A's masked ID number".into(), "1501**********1234".into()),
            ("A's phone".into(), PHONE.into()),
            ("A's masked phone".into(), "138****5678".into()),
            ("A's address".into(), card.address.clone()),
            ("A's voucher code".into(), voucher.clone()),
        ];
        for (what, id) in [("A's case", &open), ("A's case", &done), ("A's case", &returned)] {
            secrets.push((what.into(), id.clone()));
        }
        for (what, id) in [("A's upload", &live_upload), ("A's upload", &case_photo)] {
            secrets.push((what.into(), id.clone()));
        }
        let certificates = ok(server.get_as("/api/v1/certificates?business=renewal", &a).await).await;
        for certificate in certificates.as_array().unwrap() {
            secrets.push(("A's certificate".into(), certificate["id"].as_str().unwrap().to_owned()));
            secrets.push(("A's certificate number".into(), certificate["number"].as_str().unwrap().to_owned()));
        }
        World {
            server,
            a,
            b,
            b_spare,
            open,
            done,
            returned,
            voucher,
            live_upload,
            case_photo,
            draft,
            realname_id,
            secrets,
        }
    }

    /// The concrete paths an operation is called on: each of A's objects it can name, or made-up
    /// ones (`missing`) for what a missing object looks like.
    fn paths(&self, template: &str, missing: bool) -> Vec<String> {
        let pick = |real: Vec<&String>, made_up: &str| -> Vec<String> {
            if missing {
                vec![made_up.to_owned()]
            } else {
                real.into_iter().cloned().collect()
            }
        };
        let values: Vec<(&str, Vec<String>)> = match template.split('/').nth(1).unwrap() {
            "cases" => vec![("{id}", pick(vec![&self.open, &self.done, &self.returned], MISSING_CASE))],
            "uploads" => vec![("{id}", pick(vec![&self.live_upload, &self.case_photo], MISSING_UPLOAD))],
            "drafts" | "businesses" => vec![("{business}", vec!["renewal".into()]), ("{code}", vec!["renewal".into()])],
            "vouchers" => vec![("{code}", vec![self.voucher.clone()])],
            "certificates" => return vec![format!("{template}?business=renewal")],
            "staff" if template.starts_with("/staff/account-moves/") => {
                vec![("{id}", vec!["1".into()]), ("{which}", vec!["portrait".into()])]
            }
            "staff" if template.starts_with("/staff/accounts/") => vec![("{username}", vec![CLERK.into()])],
            "staff" if template.starts_with("/staff/cases/") => {
                vec![("{id}", vec![self.open.clone()]), ("{material}", vec!["photo_2inch".into()])]
            }
            "staff" => vec![("{id}", vec![self.realname_id.to_string()]), ("{side}", vec!["portrait".into()])],
            _ => vec![],
        };
        let mut paths = vec![template.to_owned()];
        for (placeholder, values) in values {
            paths = paths
                .iter()
                .flat_map(|path| {
                    if path.contains(placeholder) {
                        values.iter().map(|v| path.replace(placeholder, v)).collect()
                    } else {
                        vec![path.clone()]
                    }
                })
                .collect();
        }
        for path in &paths {
            assert!(!path.contains('{'), "{template}: say in World::paths which object its placeholder names");
        }
        paths
    }

    /// Calls one operation on `path` as `caller`, with the CSRF header, a fresh idempotency key
    /// on every POST and a plausible body, so that a refusal is about who calls, not what is sent.
    async fn call(&self, method: &str, template: &str, path: &str, caller: Caller) -> (StatusCode, Vec<u8>) {
        let server = &self.server;
        let mut request = server.send(Method::from_bytes(method.as_bytes()).unwrap(), &format!("/api/v1{path}"));
        if caller == Caller::DriverB {
            let cookie = if (method, template) == ("DELETE", "/auth/session") { &self.b_spare } else { &self.b };
            request = request.header(header::COOKIE, cookie);
        }
        if method == "POST" {
            request = request.header("idempotency-key", next_key("authorization"));
        }
        let request = match (method, template) {
            ("GET" | "DELETE", _)
            | (
                "POST",
                "/cases/{id}/withdrawal"
                | "/account/move/sms-code"
                | "/account/move/review"
                | "/auth/wechat/authorize"
                | "/staff/accounts/{username}/unlock"
                | "/staff/accounts/{username}/disable",
            ) => {
                request
            }
            ("POST", "/auth/wechat/session") => request.json(&json!({ "code": "0code", "state": "a-state" })),
            ("POST", "/auth/number-session") => request.json(&json!({ "token": "a-carrier-token" })),
            ("POST", "/account/move/confirm") => request.json(&json!({ "code": "123456" })),
            ("POST", "/staff/account-moves/{id}/decision") => request.json(&json!({ "approve": true, "reason": null })),
            ("POST", "/auth/sms-codes") => request.json(&json!({ "phone": fresh_phone() })),
            ("POST", "/auth/session") => {
                let phone = fresh_phone();
                request.json(&json!({ "phone": phone, "code": sms_code(server, &phone).await }))
            }
            ("POST", "/realname/id-card") => {
                let card = other_card();
                let side =
                    |bytes: Vec<u8>, name: &str| reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
                request.multipart(
                    reqwest::multipart::Form::new()
                        .part("portrait", side(taxicert_testkit::portrait_side(&card), "portrait.png"))
                        .part("emblem", side(taxicert_testkit::emblem_side(&card), "emblem.png")),
                )
            }
            ("POST", "/realname/submission") => {
                request.json(&json!({ "fields": card_fields(&other_card()), "typed": [] }))
            }
            ("POST", "/uploads") => request.multipart(
                reqwest::multipart::Form::new()
                    .text("material", "photo_2inch")
                    .part("file", reqwest::multipart::Part::bytes(photo_for("photo_2inch")).file_name("photo.jpg")),
            ),
            ("PUT", "/drafts/{business}") => request.json(&json!({ "step": "notice" })),
            ("POST", "/messages/read") => request.json(&json!({ "up_to": i64::MAX })),
            ("PUT", "/settings") => request.json(&json!({ "renewal_reminders": false })),
            ("POST", "/cases") => request.json(&json!({ "business": "renewal", "revision": self.draft["revision"] })),
            ("POST", "/cases/{id}/resubmission") => request.json(&json!({ "info": info("change"), "uploads": {} })),
            ("POST", "/staff/session") => request.json(&json!({ "username": CLERK, "password": STAFF_PASSWORD })),
            ("POST", "/staff/realname/{id}/decision") => request.json(&json!({ "approve": true, "reason": null })),
            ("POST", "/staff/cases/{id}/actions") => request.json(&json!({ "action": "accept" })),
            ("PUT", "/staff/password") => {
                request.json(&json!({ "current_password": STAFF_PASSWORD, "new_password": "a new long password" }))
            }
            ("POST", "/staff/accounts") => request.json(
                &json!({ "username": "new.one", "display_name": "新", "role": "clerk", "password": STAFF_PASSWORD }),
            ),
            ("PUT", "/staff/accounts/{username}/role") => request.json(&json!({ "role": "viewer" })),
            ("PUT", "/staff/accounts/{username}/password") => request.json(&json!({ "password": "a new long password" })),
            _ => panic!("{method} {template}: give it a plausible body in World::call"),
        };
        let response = request.send().await.unwrap();
        (response.status(), response.bytes().await.unwrap().to_vec())
    }

    /// What A has, as A sees it: compared before and after the matrix.
    async fn a_sees(&self) -> Value {
        let server = &self.server;
        let mut cases = serde_json::Map::new();
        for id in [&self.open, &self.done, &self.returned] {
            let detail = ok(server.get_as(&format!("/api/v1/cases/{id}"), &self.a).await).await;
            cases.insert(id.clone(), json!([detail["summary"]["status"], detail["result"], detail["correction"]]));
        }
        let mut photos = serde_json::Map::new();
        for id in [&self.live_upload, &self.case_photo] {
            let response = server.get_as(&format!("/api/v1/uploads/{id}/image"), &self.a).await;
            photos.insert(id.clone(), json!(response.status().as_u16()));
        }
        let list = ok(server.get_as("/api/v1/cases", &self.a).await).await;
        let listed: Vec<&Value> = list.as_array().unwrap().iter().map(|c| &c["id"]).collect();
        json!({
            "cases": cases,
            "listed": listed,
            "photos": photos,
            "draft": ok(server.get_as("/api/v1/drafts/renewal", &self.a).await).await,
            "drafts": ok(server.get_as("/api/v1/drafts", &self.a).await).await,
            "voucher": server.get(&format!("/api/v1/vouchers/{}", self.voucher)).await.status().as_u16(),
            "messages": ok(server.get_as("/api/v1/messages", &self.a).await).await,
            "settings": ok(server.get_as("/api/v1/settings", &self.a).await).await,
        })
    }
}

fn id_of(case: &Value) -> String {
    case["id"].as_str().unwrap().to_owned()
}

/// A phone number no one has used yet.
fn fresh_phone() -> String {
    format!("137{:08}", next_number())
}

/// Asks for a code for `phone` and reads it from the dev outbox.
async fn sms_code(server: &TestServer, phone: &str) -> String {
    let response = server.post_json("/api/v1/auth/sms-codes", json!({ "phone": phone })).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let outbox = json(server.get("/api/v1/dev/sms-outbox").await).await;
    let message = outbox.as_array().unwrap().iter().rev().find(|m| m["phone"] == phone).unwrap();
    message["code"].as_str().unwrap().to_owned()
}

fn body_json(what: &str, body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|_| panic!("{what}: not JSON"))
}

/// The error answer `what` must be: this status and code.
fn refusal(what: &str, (status, body): &(StatusCode, Vec<u8>), expected: StatusCode, code: &str) {
    let body = body_json(what, body);
    assert_eq!((*status, body["code"].as_str()), (expected, Some(code)), "{what}: {body}");
    common::assert_error_body(&body, code);
}

#[tokio::test]
async fn every_operation_refuses_whom_it_must_and_shows_nobody_another_drivers_data() {
    every_operation_of_the_contract_is_classified_once();
    let world = World::new().await;
    let before = world.a_sees().await;
    let case = |id: &String| before["cases"][id.as_str()].clone();
    assert_eq!((&case(&world.open)[0], &case(&world.done)[0]), (&json!("submitted"), &json!("completed")));
    assert_eq!(case(&world.done)[1]["voucher_code"], world.voucher.as_str());
    let correction = json!({ "reason": "请重新上传照片", "fields": [], "materials": ["cert_info_page"] });
    assert_eq!(case(&world.returned), json!(["returned", null, correction]));
    for id in [&world.live_upload, &world.case_photo] {
        assert_eq!(before["photos"][id.as_str()], 200, "A sees the photo");
    }

    let mut calls = 0;
    for &(method, template, class) in OPERATIONS {
        for caller in [Caller::Nobody, Caller::DriverB] {
            for path in world.paths(template, false) {
                let what = format!("{method} {path} ({class:?}) as {caller:?}");
                let answer = world.call(method, template, &path, caller).await;
                calls += 1;
                expect(&world, &what, (method, template, class), caller, &answer).await;
                // Only the public voucher check (by design) and the dev outbox name A's things.
                if !matches!(template, "/vouchers/{code}" | "/dev/sms-outbox") {
                    let text = String::from_utf8_lossy(&answer.1);
                    for (secret, value) in &world.secrets {
                        assert!(!text.contains(value.as_str()), "{what}: the answer shows {secret}");
                    }
                }
            }
        }
    }
    println!("{} operations × 2 callers: {calls} calls", OPERATIONS.len());

    // A's things are as they were, and B still has no case.
    assert_eq!(world.a_sees().await, before);
    assert_eq!(ok(world.server.get_as("/api/v1/cases", &world.b).await).await, json!([]));
}

/// What `caller`'s call of the operation must have answered.
async fn expect(
    world: &World,
    what: &str,
    (method, template, class): (&str, &str, Class),
    caller: Caller,
    answer: &(StatusCode, Vec<u8>),
) {
    let status = answer.0;
    match (class, caller) {
        (Public | StaffLogin | Dev, _) => assert!(status.is_success(), "{what}: {status}"),
        (WechatSignIn, _) => refusal(what, answer, StatusCode::NOT_FOUND, "wechat_unavailable"),
        (NumberSignIn, _) => refusal(what, answer, StatusCode::NOT_FOUND, "number_login_unavailable"),
        (Staff, Caller::Nobody) => refusal(what, answer, StatusCode::UNAUTHORIZED, "staff_unauthenticated"),
        (Staff, Caller::DriverB) => refusal(what, answer, StatusCode::FORBIDDEN, "staff_only"),
        (DriverOwn | DriverAccount, Caller::Nobody) => {
            refusal(what, answer, StatusCode::UNAUTHORIZED, "unauthenticated")
        }
        (DriverOwn, Caller::DriverB) if template == "/drafts/{business}" => {
            // Named by business: B's own draft, whatever A has.
            match method {
                "GET" => refusal(what, answer, StatusCode::NOT_FOUND, "no_draft"),
                "PUT" => {
                    let draft = body_json(what, &answer.1);
                    let saved = (status, &draft["revision"], &draft["done"]);
                    assert_eq!(
                        saved,
                        (StatusCode::OK, &json!(1), &json!(["notice"])),
                        "{what}: not a new draft of B's"
                    );
                }
                "DELETE" => assert_eq!(status, StatusCode::NO_CONTENT, "{what}"),
                _ => panic!("{what}: say what B's call answers"),
            }
            let draft = ok(world.server.get_as("/api/v1/drafts/renewal", &world.a).await).await;
            assert_eq!(draft, world.draft, "{what}: A's draft changed");
        }
        (DriverOwn, Caller::DriverB) => {
            // Exactly what a made-up id gets.
            let missing_path = world.paths(template, true).remove(0);
            let missing = world.call(method, template, &missing_path, Caller::DriverB).await;
            refusal(&format!("{method} {missing_path}"), &missing, StatusCode::NOT_FOUND, "not_found");
            assert_eq!(
                (status, body_json(what, &answer.1)),
                (missing.0, body_json(what, &missing.1)),
                "{what}: not like a missing object"
            );
        }
        (DriverAccount, Caller::DriverB) => match (method, template) {
            ("DELETE", "/auth/session") => assert_eq!(status, StatusCode::NO_CONTENT, "{what}"),
            ("GET", "/realname") => {
                assert_eq!((status, &body_json(what, &answer.1)["status"]), (StatusCode::OK, &json!("approved")))
            }
            ("POST", "/realname/id-card" | "/realname/submission") => {
                refusal(what, answer, StatusCode::CONFLICT, "realname_done")
            }
            ("GET", "/profile") => {
                assert_eq!((status, &body_json(what, &answer.1)["name"]), (StatusCode::OK, &json!(other_card().name)))
            }
            ("GET", "/certificates") => assert_eq!(status, StatusCode::OK, "{what}"),
            // B, verified on his own account, has no move to make: nothing of A's either.
            ("GET", "/account/move") => {
                assert_eq!((status, body_json(what, &answer.1)), (StatusCode::OK, Value::Null), "{what}")
            }
            ("POST", "/account/move/sms-code" | "/account/move/confirm" | "/account/move/review") => {
                refusal(what, answer, StatusCode::NOT_FOUND, "no_account_move")
            }
            ("POST", "/uploads") => assert_eq!(status, StatusCode::CREATED, "{what}"),
            // B has bound no WeChat; A's is not his to see or unbind.
            ("GET", "/account/wechat/avatar") => refusal(what, answer, StatusCode::NOT_FOUND, "not_found"),
            ("DELETE", "/account/wechat") => refusal(what, answer, StatusCode::NOT_FOUND, "no_wechat"),
            ("GET", "/drafts") => {
                let list = body_json(what, &answer.1);
                let theirs = ok(world.server.get_as("/api/v1/drafts", &world.a).await).await;
                assert_eq!(status, StatusCode::OK, "{what}");
                for draft in theirs.as_array().unwrap() {
                    assert!(!list.as_array().unwrap().contains(draft), "{what}: A's draft {draft} listed");
                }
            }
            // A's draft's business and revision do not submit it for B, who has no draft.
            ("POST", "/cases") => refusal(what, answer, StatusCode::CONFLICT, "no_draft"),
            ("GET", "/cases") => {
                assert_eq!((status, body_json(what, &answer.1)), (StatusCode::OK, json!([])), "{what}")
            }
            // B has no case, so no message; A's stay A's (compared in `a_sees`).
            ("GET", "/messages") => {
                assert_eq!((status, body_json(what, &answer.1)), (StatusCode::OK, json!([])), "{what}")
            }
            ("GET", "/messages/unread-count") => {
                assert_eq!((status, body_json(what, &answer.1)), (StatusCode::OK, json!({ "unread": 0 })), "{what}")
            }
            ("POST", "/messages/read") => assert_eq!(status, StatusCode::NO_CONTENT, "{what}"),
            ("GET" | "PUT", "/settings") => assert_eq!(status, StatusCode::OK, "{what}"),
            _ => panic!("{what}: say what B's own call answers"),
        },
    }
}
