//! The black-box harness: the real server, in-process, on port 0 with a fresh database (a
//! SQLite file, or a PostgreSQL database with `TAXICERT_TEST_BACKEND=postgres`) and a clock the
//! test moves.

#![allow(dead_code)]

pub mod flows;
pub mod gateway;
pub mod postgres;
pub mod moto;
pub mod wechat;

use std::sync::Arc;

use reqwest::header;
use serde_json::Value;
use taxicert_server::{clock::ManualClock, config::normalize_base_path, db::Database, storage::Storage, Config};
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const INDEX_HTML: &str = "<!doctype html><html><head><script>boot()</script>\
    <script type=\"module\">import init from './taxicert-0123456789abcdef.js';</script></head>\
    <body>shell</body></html>";

/// The driver's entry: the same boot script, its own loader.
pub const DRIVER_HTML: &str = "<!doctype html><html><head><script>boot()</script>\
    <script type=\"module\">import init from './driver/taxicert-driver-0123456789abcdef.js';</script></head>\
    <body>driver</body></html>";

/// The clerks' console's entry: the same boot script, its own loader.
pub const STAFF_HTML: &str = "<!doctype html><html><head><script>boot()</script>\
    <script type=\"module\">import init from './staff/taxicert-staff-0123456789abcdef.js';</script></head>\
    <body>console</body></html>";

/// 2026-11-24 10:00 Beijing time.
pub const START: i64 = 1_795_485_600;

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub dir: TempDir,
    pub clock: ManualClock,
    /// Where the server keeps its data.
    pub database: Database,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

pub fn test_config(dir: &TempDir, base_path: &str) -> Config {
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), INDEX_HTML).unwrap();
    for (folder, html) in [("driver", DRIVER_HTML), ("staff", STAFF_HTML)] {
        std::fs::create_dir_all(dist.join(folder)).unwrap();
        std::fs::write(dist.join(folder).join("index.html"), html).unwrap();
    }
    std::fs::write(dist.join("taxicert-0123456789abcdef.js"), "export default 1").unwrap();
    std::fs::write(dist.join("config.json"), "{}").unwrap();
    Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        database: if postgres::wanted() {
            Database::Postgres(postgres::database_for(dir.path()))
        } else {
            Database::Sqlite(dir.path().join("data/taxicert.sqlite3"))
        },
        key_file: dir.path().join("data/taxicert.key"),
        upload_dir: dir.path().join("data/uploads"),
        dist,
        base_path: normalize_base_path(base_path),
        dev: true,
        ..Config::default()
    }
}

pub async fn spawn_config(dir: TempDir, config: Config) -> TestServer {
    let storage = Storage::open(&config).expect("the photo store opens");
    spawn_storage(dir, config, storage).await
}

/// A server keeping its photos in `storage`: a store that fails as the tests want.
pub async fn spawn_storage(dir: TempDir, config: Config, storage: Storage) -> TestServer {
    let clock = ManualClock::starting_at(START);
    let database = config.database.clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let running = taxicert_server::start_with_storage(config, Arc::new(clock.clone()), storage, async {
        let _ = stopped.await;
    })
    .await
    .expect("the server starts");
    TestServer {
        base: format!("http://{}", running.addr),
        client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
        dir,
        clock,
        database,
        stop: Some(stop),
        task: Some(running.task),
    }
}

pub async fn spawn_with(base_path: &str, dir: TempDir) -> TestServer {
    let config = test_config(&dir, base_path);
    spawn_config(dir, config).await
}

pub async fn spawn() -> TestServer {
    spawn_with("/", tempfile::tempdir().unwrap()).await
}

impl TestServer {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{}", self.base, path)).send().await.unwrap()
    }

    /// A GET with a session cookie.
    pub async fn get_as(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.client.get(format!("{}{}", self.base, path)).header(header::COOKIE, cookie).send().await.unwrap()
    }

    /// A state-changing request as the SPA sends it: JSON, the CSRF header, the page's origin.
    pub fn send(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.base, path))
            .header("x-taxicert-csrf", "1")
            .header(header::ORIGIN, &self.base)
    }

    pub async fn post_json(&self, path: &str, body: Value) -> reqwest::Response {
        self.send(reqwest::Method::POST, path).json(&body).send().await.unwrap()
    }


    /// Graceful shutdown; hands the folder back so that a restart can reuse the database.
    pub async fn stop(mut self) -> TempDir {
        self.stop.take().unwrap().send(()).unwrap();
        self.task.take().unwrap().await.unwrap().unwrap();
        self.dir
    }
}

/// What the servers of this test binary log (info and above, and the server's crate and its
/// HTTP layers at debug), kept to be searched; also shown as the test's output on a failure.
/// Installed once as the global subscriber: a per-thread one misses events whose interest
/// another thread cached first.
#[derive(Clone, Default)]
pub struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

pub fn captured_logs() -> &'static Captured {
    use tracing_subscriber::fmt::writer::{MakeWriterExt, TestWriter};
    static CAPTURED: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        let keep = captured.clone();
        let filter = tracing_subscriber::EnvFilter::new("info,taxicert_server=debug,tower_http=debug");
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(TestWriter::new().and(move || keep.clone()))
            .try_init();
        captured
    })
}

pub async fn json(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

pub fn assert_error_body(body: &Value, code: &str) {
    assert_eq!(body["code"], code, "{body}");
    let message = body["message"].as_str().expect("a message");
    assert!(message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "not Chinese: {message}");
}

/// Asks for a code, reads it from the dev outbox and logs in: the `Cookie` header value.
pub async fn log_in(server: &TestServer, phone: &str) -> String {
    let response = server.post_json("/api/v1/auth/sms-codes", serde_json::json!({ "phone": phone })).await;
    assert_eq!(response.status(), reqwest::StatusCode::ACCEPTED);
    let outbox = json(server.get("/api/v1/dev/sms-outbox").await).await;
    let code =
        outbox.as_array().unwrap().iter().find(|m| m["phone"] == phone).unwrap()["code"].as_str().unwrap().to_owned();
    log_in_with(server, phone, &code).await
}

/// Logs in with the code sent to `phone`: the `Cookie` header value.
pub async fn log_in_with(server: &TestServer, phone: &str, code: &str) -> String {
    let response = server.post_json("/api/v1/auth/session", serde_json::json!({ "phone": phone, "code": code })).await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    response.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned()
}

/// A fictional ID number: the 17 digits given and the check character of GB 11643 they call for.
pub fn id_number(first17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{first17}{}", CHECK[(sum % 11) as usize])
}

/// The fields a driver confirms for `card`, in the contract's format.
pub fn card_fields(card: &taxicert_testkit::CardData) -> Value {
    let birth: Vec<u32> =
        card.birth.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect();
    let (from, until) = card.validity.split_once('-').unwrap();
    serde_json::json!({
        "name": card.name, "gender": card.gender, "ethnicity": card.ethnicity,
        "birth_date": format!("{:04}-{:02}-{:02}", birth[0], birth[1], birth[2]),
        "address": card.address, "id_number": card.id_number, "authority": card.authority,
        "valid_from": from.replace('.', "-"), "valid_until": until.replace('.', "-"),
    })
}

/// Logs in and passes real-name verification with the fictional `card`, both sides drawn by
/// the testkit: the `Cookie` header value. The server must run with dev auto-approval.
pub async fn verified_user(server: &TestServer, phone: &str, card: &taxicert_testkit::CardData) -> String {
    let cookie = log_in(server, phone).await;
    pass_realname(server, &cookie, card).await;
    cookie
}

/// Passes real-name verification with the fictional `card` for the signed-in `cookie`; the
/// server must run with dev auto-approval.
pub async fn pass_realname(server: &TestServer, cookie: &str, card: &taxicert_testkit::CardData) {
    let form = reqwest::multipart::Form::new()
        .part(
            "portrait",
            reqwest::multipart::Part::bytes(taxicert_testkit::portrait_side(card)).file_name("portrait.png"),
        )
        .part("emblem", reqwest::multipart::Part::bytes(taxicert_testkit::emblem_side(card)).file_name("emblem.png"));
    let response = server
        .send(reqwest::Method::POST, "/api/v1/realname/id-card")
        .header(header::COOKIE, cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    // The driver confirms (or types) the fields; what the OCR read does not matter here.
    let response = server
        .send(reqwest::Method::POST, "/api/v1/realname/submission")
        .header(header::COOKIE, cookie)
        .json(&serde_json::json!({ "fields": card_fields(card), "typed": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert_eq!(json(response).await["status"], "approved", "the server must auto-approve (dev mode)");
}

/// The server's database, opened beside it: to set up what no endpoint sets (a suspended
/// certificate, a closed hall) and to look at what is stored.
pub async fn database(server: &TestServer) -> sqlx::AnyPool {
    taxicert_server::db::open(&server.database).await.unwrap()
}

/// The audit log's rows for `event`, oldest first: (outcome, staff id, subject).
pub async fn audit_rows(server: &TestServer, event: &str) -> Vec<(String, Option<i64>, Option<String>)> {
    sqlx::query_as("SELECT outcome, staff_id, subject FROM audit_log WHERE event = $1 ORDER BY id")
        .bind(event)
        .fetch_all(&database(server).await)
        .await
        .unwrap()
}

/// The id of the staff account `username`.
pub async fn staff_id(server: &TestServer, username: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM staff WHERE username = $1")
        .bind(username)
        .fetch_one(&database(server).await)
        .await
        .unwrap();
    id
}
