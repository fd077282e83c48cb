//! What several test files do the same way: a server that approves real names at once, a
//! second driver, the wizard filled in and submitted, a clerk signed in, a refusal checked.

use std::collections::BTreeMap;

use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use taxicert_api::StaffRole;
use taxicert_server::Config;
use taxicert_testkit::{hostile, photos, CardData};

use super::{assert_error_body, database, id_number, json, spawn_config, test_config, verified_user, TestServer};

/// The driver of `CardData::sample()`.
pub const PHONE: &str = "13812345678";
/// The driver of [`other_card`].
pub const OTHER_PHONE: &str = "13987654321";
/// The password of every staff account the tests make.
pub const STAFF_PASSWORD: &str = "correct horse battery";

// ---------------------------------------------------------------- servers and people

/// A server in dev mode that approves real names at once, with `configure` applied to its
/// configuration. The server's log shows with a failing test only: the cause of a 500 is there.
pub async fn spawn_approving(configure: impl FnOnce(&mut Config)) -> TestServer {
    super::captured_logs();
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    config.realname_auto_approve = true;
    configure(&mut config);
    spawn_config(dir, config).await
}

/// The server and the cookie of the verified driver of `CardData::sample()`.
pub async fn with_driver() -> (TestServer, String) {
    let server = spawn_approving(|_| {}).await;
    let cookie = verified_user(&server, PHONE, &CardData::sample()).await;
    (server, cookie)
}

/// A second fictional driver, from Baotou.
pub fn other_card() -> CardData {
    CardData {
        name: "李红梅".into(),
        gender: "女".into(),
        ethnicity: "蒙古".into(),
        birth: "1990年3月7日".into(),
        address: "内蒙古自治区包头市昆都仑区钢铁大街20号".into(),
        id_number: id_number("15020319900307122"),
        authority: "包头市公安局昆都仑区分局".into(),
        validity: "2018.03.01-2038.03.01".into(),
    }
}

/// A number no other call of this test binary gets.
pub fn next_number() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::SeqCst)
}

/// A fresh idempotency key: `what` and a number.
pub fn next_key(what: &str) -> String {
    format!("{what}-{:08}", next_number())
}

// ---------------------------------------------------------------- answers

/// 200: the body.
pub async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body = json(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Refused with this status, code, field (`None`: no field) and, when given, message: the body.
pub async fn refused(
    response: reqwest::Response,
    status: StatusCode,
    code: &str,
    field: Option<&str>,
    message: Option<&str>,
) -> Value {
    assert_eq!(response.status(), status);
    let body = json(response).await;
    assert_error_body(&body, code);
    assert_eq!(body["field"].as_str(), field, "{body}");
    if let Some(message) = message {
        assert_eq!(body["message"], message);
    }
    body
}

/// A state-changing request (see [`TestServer::send`]) with a session cookie.
pub fn send_as(server: &TestServer, method: Method, path: &str, cookie: &str) -> reqwest::RequestBuilder {
    server.send(method, path).header(header::COOKIE, cookie)
}

// ---------------------------------------------------------------- the wizard

/// The service hall the forms collect at.
pub const HALL: &str = "hall_hhht_xincheng";

/// Valid answers of 填写申请信息 for `business`, for the demo set's first certificate: 补发 for
/// loss and 换发 (准驾车型 A1) collected at a service hall, a 变更 of 服务单位, 注销 本人申请; a
/// 考核 for the first period of `certificate` (as listed for 考核; `None`: an empty period).
pub fn info_for(business: &str, certificate: Option<&Value>) -> Value {
    let pickup = json!({ "method": "pickup", "hall_id": HALL });
    let details = match business {
        "reissue" => json!({ "business": "reissue", "reason": "lost", "delivery": pickup }),
        "renewal" => json!({ "business": "renewal", "licence_class": "A1", "delivery": pickup }),
        "change" => json!({
            "business": "change",
            "changes": [{ "item": "employer", "new": "呼和浩特市新城出租汽车有限公司" }],
            "reason": "更换服务单位",
        }),
        "cancellation" => json!({ "business": "cancellation", "reason": "own_application", "other_reason": "" }),
        "credit_assessment" => {
            let period = certificate
                .and_then(|c| c["assessment_periods"].get(0).cloned())
                .unwrap_or_else(|| json!({ "start": "", "end": "" }));
            json!({ "business": "credit_assessment", "period": period })
        }
        other => panic!("no business {other}"),
    };
    json!({ "contact_name": "王建国", "contact_phone": PHONE, "details": details })
}

/// [`info_for`] without a certificate (a 考核's period is then empty).
pub fn info(business: &str) -> Value {
    info_for(business, None)
}

/// Whether a material of the catalogue (`condition` as in the contract) is asked for with the
/// form's `details`.
pub fn applies(material: &Value, details: &Value) -> bool {
    let condition = &material["condition"];
    match condition["when"].as_str() {
        None => true,
        Some("reissue_reason") => details["reason"] == condition["reason"],
        Some("change") => {
            details["changes"].as_array().is_some_and(|changes| changes.iter().any(|c| c["item"] == condition["item"]))
        }
        Some(other) => panic!("unknown condition {other}"),
    }
}

/// A JPEG that passes `material`'s rules (the server refuses a photo below the material's
/// minimum resolution): a 2-inch portrait of 450×630 or a page of 1200×900.
pub fn photo_for(material: &str) -> Vec<u8> {
    if material == "photo_2inch" {
        hostile::jpeg(&photos::portrait(450, 7), 90)
    } else {
        hostile::jpeg(&photos::document(1200, 900, 7), 85)
    }
}

/// `bytes` uploaded for `material`, which must be stored: the receipt.
pub async fn upload_bytes(server: &TestServer, cookie: &str, material: &str, bytes: Vec<u8>) -> Value {
    let form = reqwest::multipart::Form::new()
        .text("material", material.to_owned())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name("photo.jpg"));
    let response = send_as(server, Method::POST, "/api/v1/uploads", cookie)
        .header("idempotency-key", next_key("upload"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = json(response).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// A photo that passes `material`'s rules, uploaded: the upload id.
pub async fn upload(server: &TestServer, cookie: &str, material: &str) -> String {
    upload_bytes(server, cookie, material, photo_for(material)).await["id"].as_str().unwrap().to_owned()
}

/// The required materials of a business that apply with the form's `details`, in catalogue
/// order: (code, name).
pub async fn required_materials_for(server: &TestServer, business: &str, details: &Value) -> Vec<(String, String)> {
    let detail = ok(server.get(&format!("/api/v1/businesses/{business}")).await).await;
    detail["materials"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["required"] == true && applies(m, details))
        .map(|m| (m["code"].as_str().unwrap().to_owned(), m["name"].as_str().unwrap().to_owned()))
        .collect()
}

/// The required materials of a business with the answers of [`info`]: (code, name).
pub async fn required_materials(server: &TestServer, business: &str) -> Vec<(String, String)> {
    required_materials_for(server, business, &info(business)["details"]).await
}

/// One photo per required material that applies with `details`: material code → upload id.
pub async fn upload_required_for(server: &TestServer, cookie: &str, business: &str, details: &Value) -> BTreeMap<String, String> {
    let mut uploads = BTreeMap::new();
    for (code, _) in required_materials_for(server, business, details).await {
        let id = upload(server, cookie, &code).await;
        uploads.insert(code, id);
    }
    uploads
}

/// One photo per required material with the answers of [`info`]: material code → upload id.
pub async fn upload_required(server: &TestServer, cookie: &str, business: &str) -> BTreeMap<String, String> {
    upload_required_for(server, cookie, business, &info(business)["details"]).await
}

/// The user's certificates with their reasons for `business`.
pub async fn certificates(server: &TestServer, cookie: &str, business: &str) -> Vec<Value> {
    let response = server.get_as(&format!("/api/v1/certificates?business={business}"), cookie).await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await.as_array().unwrap().clone()
}

/// The `nth` (from 0) of the certificates that can be chosen for the business, as listed.
pub async fn choosable_listed(server: &TestServer, cookie: &str, business: &str, nth: usize) -> Value {
    let list = certificates(server, cookie, business).await;
    let choosable: Vec<&Value> = list.iter().filter(|c| c["unavailable_reason"].is_null()).collect();
    choosable.get(nth).cloned().cloned().unwrap_or_else(|| panic!("no choosable certificate {nth} for {business}: {list:?}"))
}

/// The `nth` (from 0) of the certificates that can be chosen for the business.
pub async fn choosable_nth(server: &TestServer, cookie: &str, business: &str, nth: usize) -> String {
    choosable_listed(server, cookie, business, nth).await["id"].as_str().unwrap().to_owned()
}

/// The first certificate that can be chosen for the business.
pub async fn choosable(server: &TestServer, cookie: &str, business: &str) -> String {
    choosable_nth(server, cookie, business, 0).await
}

/// Saves one step of the draft: the answer, whatever it is.
pub async fn put_step(server: &TestServer, cookie: &str, business: &str, body: Value) -> reqwest::Response {
    send_as(server, Method::PUT, &format!("/api/v1/drafts/{business}"), cookie).json(&body).send().await.unwrap()
}

/// Saves one step of the draft, which must succeed: the draft.
pub async fn saved(server: &TestServer, cookie: &str, business: &str, body: Value) -> Value {
    let response = put_step(server, cookie, business, body.clone()).await;
    let status = response.status();
    let answer = json(response).await;
    assert_eq!(status, StatusCode::OK, "{body}: {answer}");
    answer
}

/// Every step saved with this certificate and form, and the required materials that apply:
/// the draft.
pub async fn complete_draft_with(server: &TestServer, cookie: &str, business: &str, certificate: &str, info: Value) -> Value {
    saved(server, cookie, business, json!({ "step": "notice" })).await;
    saved(server, cookie, business, json!({ "step": "certificate", "certificate_id": certificate })).await;
    saved(server, cookie, business, json!({ "step": "personal_info", "info": info.clone() })).await;
    let uploads = upload_required_for(server, cookie, business, &info["details"]).await;
    saved(server, cookie, business, json!({ "step": "materials", "uploads": uploads })).await
}

/// Every step saved, with the `nth` certificate that can be chosen and the form of
/// [`info_for`]: the draft.
pub async fn complete_draft_choosing(server: &TestServer, cookie: &str, business: &str, nth: usize) -> Value {
    let certificate = choosable_listed(server, cookie, business, nth).await;
    let id = certificate["id"].as_str().unwrap().to_owned();
    complete_draft_with(server, cookie, business, &id, info_for(business, Some(&certificate))).await
}

/// Every step saved, with the first certificate that can be chosen: the draft.
pub async fn complete_draft(server: &TestServer, cookie: &str, business: &str) -> Value {
    complete_draft_choosing(server, cookie, business, 0).await
}

/// Submits the draft of `business` checked at `revision`: the answer, whatever it is.
pub async fn submit(
    server: &TestServer,
    cookie: &str,
    key: &str,
    business: &str,
    revision: &Value,
) -> reqwest::Response {
    send_as(server, Method::POST, "/api/v1/cases", cookie)
        .header("idempotency-key", key)
        .json(&json!({ "business": business, "revision": revision }))
        .send()
        .await
        .unwrap()
}

/// A draft with every step saved (the `nth` certificate that can be chosen), submitted: the
/// case summary.
pub async fn submit_case_choosing(server: &TestServer, cookie: &str, business: &str, nth: usize) -> Value {
    let draft = complete_draft_choosing(server, cookie, business, nth).await;
    let response = submit(server, cookie, &next_key("submit"), business, &draft["revision"]).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    json(response).await
}

/// A draft with every step saved, submitted: the case summary.
pub async fn submit_case(server: &TestServer, cookie: &str, business: &str) -> Value {
    submit_case_choosing(server, cookie, business, 0).await
}

// ---------------------------------------------------------------- staff

/// An account made as `taxicert-server staff add` makes it, with [`STAFF_PASSWORD`].
pub async fn add_staff(server: &TestServer, username: &str, display_name: &str, role: StaffRole) {
    taxicert_server::staff::create_account(&database(server).await, username, display_name, role, STAFF_PASSWORD)
        .await
        .unwrap();
}

pub async fn staff_login(server: &TestServer, username: &str, password: &str) -> reqwest::Response {
    server.post_json("/api/v1/staff/session", json!({ "username": username, "password": password })).await
}

/// Signs a staff account in: the `Cookie` header value.
pub async fn signed_in(server: &TestServer, username: &str) -> String {
    let response = staff_login(server, username, STAFF_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned()
}

/// One of the clerk's actions on a case: the answer, whatever it is.
pub async fn act(server: &TestServer, cookie: &str, case_id: &str, action: Value) -> reqwest::Response {
    send_as(server, Method::POST, &format!("/api/v1/staff/cases/{case_id}/actions"), cookie)
        .json(&action)
        .send()
        .await
        .unwrap()
}
