//! A fake WeChat on loopback speaking the documented formats of 公众号网页授权: the
//! authorization page (`/connect/oauth2/authorize`, which sends the browser straight back with a
//! code), the code exchange (`/sns/oauth2/access_token`), the profile (`/sns/userinfo`), and
//! the avatars its profiles link to; and for 模板消息 the server's token (`/cgi-bin/stable_token`)
//! and the send (`/cgi-bin/message/template/send`). Errors are HTTP 200 with `{errcode, errmsg}`,
//! as WeChat's.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Json, Router,
};
use serde_json::json;

pub const APP_ID: &str = "wx0123456789abcdef";
pub const APP_SECRET: &str = "fake-app-secret-0123456789";

#[derive(Default)]
struct Fake {
    base: String,
    /// Codes not yet exchanged: code → openid.
    codes: HashMap<String, String>,
    /// Exchanged codes: a second exchange is WeChat's 40163.
    used: Vec<String>,
    /// Access tokens given: token → openid.
    tokens: HashMap<String, String>,
    /// The user the authorization page signs in as.
    current: Option<String>,
    userinfo_fails: bool,
    next: u64,
    /// The server tokens given; a token not here (expired) is WeChat's 42001.
    server_tokens: Vec<String>,
    /// 模板消息 attempts, accepted or not.
    template_attempts: Vec<serde_json::Value>,
    /// 模板消息 accepted.
    templates: Vec<serde_json::Value>,
    /// Users who do not follow the 公众号: 43004.
    not_following: Vec<String>,
}

#[derive(Clone)]
pub struct FakeWechat {
    pub base: String,
    fake: Arc<Mutex<Fake>>,
}

/// The nickname of a user of the fake: a fixed one per openid.
pub fn nickname_of(openid: &str) -> String {
    format!("老司机{}", &openid[openid.len() - 4..])
}

impl FakeWechat {
    pub async fn start() -> FakeWechat {
        let fake = Arc::new(Mutex::new(Fake::default()));
        let app = Router::new()
            .route("/connect/oauth2/authorize", get(authorize))
            .route("/sns/oauth2/access_token", get(access_token))
            .route("/sns/userinfo", get(userinfo))
            .route("/avatar/{name}", get(avatar))
            .route("/cgi-bin/stable_token", post(stable_token))
            .route("/cgi-bin/message/template/send", post(template_send))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        fake.lock().unwrap().base = base.clone();
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeWechat { base, fake }
    }

    /// A code WeChat would send the browser back with after `openid` allowed the authorization.
    pub fn code_for(&self, openid: &str) -> String {
        let mut fake = self.fake.lock().unwrap();
        fake.next += 1;
        let code = format!("0{}fakecode{}", fake.next, fake.next * 7919);
        fake.codes.insert(code.clone(), openid.to_owned());
        code
    }

    /// The user who allows the authorization on the authorization page (the e2e tests).
    pub fn sign_in_as(&self, openid: &str) {
        self.fake.lock().unwrap().current = Some(openid.to_owned());
    }

    pub fn fail_userinfo(&self, fail: bool) {
        self.fake.lock().unwrap().userinfo_fails = fail;
    }

    /// Every server token given so far expires (WeChat's 42001 when used).
    pub fn expire_tokens(&self) {
        self.fake.lock().unwrap().server_tokens.clear();
    }

    /// `openid` unfollows the 公众号: his 模板消息 are refused (43004).
    pub fn unfollow(&self, openid: &str) {
        self.fake.lock().unwrap().not_following.push(openid.to_owned());
    }

    /// The 模板消息 accepted, in order.
    pub fn templates(&self) -> Vec<serde_json::Value> {
        self.fake.lock().unwrap().templates.clone()
    }

    /// Every 模板消息 request, accepted or not.
    pub fn template_attempts(&self) -> Vec<serde_json::Value> {
        self.fake.lock().unwrap().template_attempts.clone()
    }

    /// Waits up to 10 s for `count` accepted 模板消息.
    pub async fn wait_templates(&self, count: usize) -> Vec<serde_json::Value> {
        for _ in 0..100 {
            let sent = self.templates();
            if sent.len() >= count {
                return sent;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{count} 模板消息 expected, {} came", self.templates().len());
    }
}

fn error(errcode: i64, errmsg: &str) -> Response {
    Json(json!({ "errcode": errcode, "errmsg": format!("{errmsg}, rid: 6a1b2c3d-0000") })).into_response()
}

async fn authorize(State(fake): State<Arc<Mutex<Fake>>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let ok = q.get("appid").map(String::as_str) == Some(APP_ID)
        && q.get("response_type").map(String::as_str) == Some("code")
        && q.get("scope").map(String::as_str) == Some("snsapi_userinfo");
    let (Some(redirect), Some(state), true) = (q.get("redirect_uri"), q.get("state"), ok) else {
        return (axum::http::StatusCode::BAD_REQUEST, "参数错误").into_response();
    };
    let mut fake = fake.lock().unwrap();
    let Some(openid) = fake.current.clone() else {
        return (axum::http::StatusCode::FORBIDDEN, "no user").into_response();
    };
    fake.next += 1;
    let code = format!("0{}fakecode{}", fake.next, fake.next * 7919);
    fake.codes.insert(code.clone(), openid);
    Redirect::to(&format!("{redirect}?code={code}&state={state}")).into_response()
}

async fn access_token(State(fake): State<Arc<Mutex<Fake>>>, Query(q): Query<HashMap<String, String>>) -> Response {
    if q.get("appid").map(String::as_str) != Some(APP_ID) {
        return error(40013, "invalid appid");
    }
    if q.get("secret").map(String::as_str) != Some(APP_SECRET) {
        return error(40125, "invalid appsecret");
    }
    if q.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return error(40002, "invalid grant_type");
    }
    let code = q.get("code").cloned().unwrap_or_default();
    let mut fake = fake.lock().unwrap();
    if fake.used.contains(&code) {
        return error(40163, "code been used");
    }
    let Some(openid) = fake.codes.remove(&code) else {
        return error(40029, "invalid code");
    };
    fake.used.push(code.clone());
    let token = format!("ACCESS_TOKEN_{code}");
    fake.tokens.insert(token.clone(), openid.clone());
    Json(json!({
        "access_token": token, "expires_in": 7200, "refresh_token": format!("REFRESH_{code}"),
        "openid": openid, "scope": "snsapi_userinfo",
    }))
    .into_response()
}

async fn userinfo(State(fake): State<Arc<Mutex<Fake>>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let fake = fake.lock().unwrap();
    if fake.userinfo_fails {
        return error(40001, "invalid credential, access_token is invalid or not latest");
    }
    let token = q.get("access_token").cloned().unwrap_or_default();
    let Some(openid) = fake.tokens.get(&token).filter(|o| q.get("openid") == Some(*o)) else {
        return error(40003, "invalid openid");
    };
    if q.get("lang").map(String::as_str) != Some("zh_CN") {
        return error(40000, "the test expects lang=zh_CN");
    }
    Json(json!({
        "openid": openid, "nickname": nickname_of(openid), "sex": 1, "province": "内蒙古", "city": "呼和浩特",
        "country": "中国", "headimgurl": format!("{}/avatar/{openid}.png", fake.base), "privilege": [],
    }))
    .into_response()
}

/// A 132-pixel square avatar, as WeChat's `/132` size.
async fn avatar(Path(_name): Path<String>) -> Response {
    let image = image::RgbImage::from_fn(132, 132, |x, y| image::Rgb([(x * 2) as u8, (y * 2) as u8, 128]));
    let mut png = std::io::Cursor::new(Vec::new());
    image.write_to(&mut png, image::ImageFormat::Png).unwrap();
    ([(axum::http::header::CONTENT_TYPE, "image/png")], png.into_inner()).into_response()
}

/// The server's access token, as `stable_token` documents it (JSON body).
async fn stable_token(State(fake): State<Arc<Mutex<Fake>>>, Json(body): Json<serde_json::Value>) -> Response {
    if body["grant_type"] != "client_credential" {
        return error(40002, "invalid grant_type");
    }
    if body["appid"] != APP_ID {
        return error(40013, "invalid appid");
    }
    if body["secret"] != APP_SECRET {
        return error(40125, "invalid appsecret");
    }
    let mut fake = fake.lock().unwrap();
    fake.next += 1;
    let token = format!("SERVER_TOKEN_{}", fake.next);
    fake.server_tokens.push(token.clone());
    Json(json!({ "access_token": token, "expires_in": 7200 })).into_response()
}

/// A 模板消息: a live token, a known user who follows the 公众号, a template and its data.
async fn template_send(
    State(fake): State<Arc<Mutex<Fake>>>,
    Query(q): Query<HashMap<String, String>>,
    Json(body): Json<serde_json::Value>,
) -> Response {
    let mut fake = fake.lock().unwrap();
    fake.template_attempts.push(body.clone());
    let token = q.get("access_token").cloned().unwrap_or_default();
    if !fake.server_tokens.contains(&token) {
        return error(42001, "access_token expired");
    }
    let Some(openid) = body["touser"].as_str() else {
        return error(40003, "invalid openid");
    };
    if fake.not_following.iter().any(|o| o == openid) {
        return error(43004, "require subscribe");
    }
    if body["template_id"].as_str().is_none_or(str::is_empty) || !body["data"].is_object() {
        return error(40037, "invalid template_id");
    }
    fake.templates.push(body);
    fake.next += 1;
    Json(json!({ "errcode": 0, "errmsg": "ok", "msgid": fake.next })).into_response()
}
