//! The photo store, black-box: photos kept in a real S3-compatible server (moto); a full disk
//! answers 507 and a stopped S3 server 503, with the service's apology, `Retry-After`, nothing
//! half-stored and `/health` degraded; the sweep removes what a crash left but not an upload in
//! flight; retention deletes the photos no longer needed and audits it; and the real server
//! binary, killed with SIGKILL mid-upload again and again, restarts consistent.

use std::{
    collections::BTreeSet,
    io::{BufRead, BufReader},
    path::{Path as FsPath, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant, SystemTime},
};

use futures::{stream::BoxStream, TryStreamExt};
use object_store::{
    aws::AmazonS3Builder, local::LocalFileSystem, path::Path, GetOptions, GetResult, ListResult, MultipartUpload,
    ObjectMeta, ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult,
};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use sqlx::AnyPool;
use taxicert_server::db::Database;
use taxicert_server::{storage::Storage, Config};

use crate::common::{
    self, database,
    flows::{complete_draft, next_key, photo_for, saved, send_as, spawn_approving, submit_case, upload, PHONE},
    json, log_in, moto, spawn_config, spawn_storage, test_config, TestServer,
};

/// The photo an upload sends, whatever the test.
const MATERIAL: &str = "cert_info_page";

/// A good photo of [`MATERIAL`], as the phone sends it.
fn photo_form() -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("material", MATERIAL)
        .part("file", reqwest::multipart::Part::bytes(photo_for(MATERIAL)).file_name("photo.jpg"))
}

/// One upload of a good photo: the answer, whatever it is.
async fn try_upload(server: &TestServer, cookie: &str) -> reqwest::Response {
    send_as(server, Method::POST, "/api/v1/uploads", cookie)
        .header("idempotency-key", next_key("upload"))
        .multipart(photo_form())
        .send()
        .await
        .unwrap()
}

async fn health(server: &TestServer) -> Value {
    let response = server.get("/api/v1/health").await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await
}

/// The answer must be the store's fault answer: `status`, `code`, the apology, `Retry-After`.
async fn assert_store_fault(response: reqwest::Response, status: StatusCode, code: &str) {
    assert_eq!(response.status(), status);
    let retry_after: u64 = response.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!(retry_after >= 60, "not to be retried at once: {retry_after}");
    let body = json(response).await;
    common::assert_error_body(&body, code);
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("这是我们这边的问题") && message.contains("请过几分钟再试"), "{message}");
    assert_eq!(body["retry_after_seconds"], retry_after);
}

/// The names of the files in a folder.
fn files_in(dir: &FsPath) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

/// The stored names of the uploads not deleted.
async fn live_names(pool: &AnyPool) -> BTreeSet<String> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT stored_name FROM uploads WHERE deleted_at IS NULL").fetch_all(pool).await.unwrap();
    rows.into_iter().map(|(name,)| name).collect()
}

// ---------------------------------------------------------------- a full disk

/// The upload folder, failing every write with "no space left on device" while `full` is set.
#[derive(Debug)]
struct FullDisk {
    inner: LocalFileSystem,
    full: Arc<AtomicBool>,
}

impl std::fmt::Display for FullDisk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FullDisk({})", self.inner)
    }
}

#[async_trait::async_trait]
impl ObjectStore for FullDisk {
    async fn put_opts(&self, location: &Path, payload: PutPayload, opts: PutOptions) -> object_store::Result<PutResult> {
        if self.full.load(Ordering::SeqCst) {
            // What the local store answers when write(2) fails with ENOSPC.
            let enospc = std::io::Error::from_raw_os_error(28);
            return Err(object_store::Error::Generic { store: "LocalFileSystem", source: Box::new(enospc) });
        }
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(&self, location: &Path, opts: PutMultipartOptions) -> object_store::Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> object_store::Result<GetResult> {
        self.inner.get_opts(location, options).await
    }

    async fn delete(&self, location: &Path) -> object_store::Result<()> {
        self.inner.delete(location).await
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy(&self, from: &Path, to: &Path) -> object_store::Result<()> {
        self.inner.copy(from, to).await
    }

    async fn copy_if_not_exists(&self, from: &Path, to: &Path) -> object_store::Result<()> {
        self.inner.copy_if_not_exists(from, to).await
    }
}

#[tokio::test]
async fn a_full_disk_answers_507_stores_nothing_and_health_says_degraded_until_it_has_room() {
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(&dir, "/");
    std::fs::create_dir_all(&config.upload_dir).unwrap();
    let full = Arc::new(AtomicBool::new(false));
    let disk = FullDisk { inner: LocalFileSystem::new_with_prefix(&config.upload_dir).unwrap(), full: full.clone() };
    let storage = Storage::new(Arc::new(disk), Some(config.upload_dir.clone()));
    let server = spawn_storage(dir, config.clone(), storage).await;
    let cookie = log_in(&server, PHONE).await;
    assert_eq!(health(&server).await["status"], "ok");

    full.store(true, Ordering::SeqCst);
    for _ in 0..3 {
        assert_store_fault(try_upload(&server, &cookie).await, StatusCode::INSUFFICIENT_STORAGE, "storage_full").await;
    }
    // Retried three times, and nothing half-stored, neither file nor row.
    assert_eq!(files_in(&config.upload_dir), BTreeSet::new());
    assert!(live_names(&database(&server).await).await.is_empty());
    let degraded = health(&server).await;
    assert_eq!((degraded["status"].as_str(), degraded["database"].as_str(), degraded["storage"].as_str()), (Some("degraded"), Some("ok"), Some("full")));
    assert!(degraded["reason"].as_str().unwrap().contains("no space"), "{degraded}");

    // Room again: the next probe (at most 5 s later) says so, and uploads are stored.
    full.store(false, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(5100)).await;
    let healthy = health(&server).await;
    assert_eq!((healthy["status"].as_str(), healthy["storage"].as_str()), (Some("ok"), Some("ok")));
    assert!(healthy.get("reason").is_none(), "{healthy}");
    assert_eq!(try_upload(&server, &cookie).await.status(), StatusCode::CREATED);
    assert_eq!(files_in(&config.upload_dir).len(), 1);
}

// ---------------------------------------------------------------- S3

/// A client of the bucket the server uses, to look at it from outside.
fn bucket_of(config: &Config) -> Arc<dyn ObjectStore> {
    let location = config.storage.clone().unwrap();
    let s3 = AmazonS3Builder::new()
        .with_bucket_name(location.bucket)
        .with_region("us-east-1")
        .with_endpoint(config.storage_endpoint.clone().unwrap())
        .with_allow_http(true)
        .with_access_key_id(config.storage_access_key_id.clone().unwrap())
        .with_secret_access_key(config.storage_secret_access_key.clone().unwrap())
        .build()
        .unwrap();
    Arc::new(object_store::prefix::PrefixStore::new(s3, location.prefix))
}

async fn keys(bucket: &Arc<dyn ObjectStore>) -> BTreeSet<String> {
    bucket.list(None).map_ok(|meta| meta.location.to_string()).try_collect().await.unwrap()
}

#[tokio::test]
async fn photos_are_kept_in_an_s3_bucket_and_rowless_objects_are_swept_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    if moto::s3_config("photos_are_kept_in_an_s3_bucket", &mut config).await.is_none() {
        return;
    }
    // Every object counts as old: the restart below sweeps at once.
    config.storage_sweep_grace_seconds = 0;
    let bucket = bucket_of(&config);
    let server = spawn_config(dir, config.clone()).await;
    let cookie = log_in(&server, PHONE).await;
    let kept = upload(&server, &cookie, MATERIAL).await;
    let gone = upload(&server, &cookie, MATERIAL).await;
    let image = server.get_as(&format!("/api/v1/uploads/{kept}/image"), &cookie).await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()[header::CONTENT_TYPE], "image/jpeg");
    let stored = live_names(&database(&server).await).await;
    assert_eq!(keys(&bucket).await, stored, "one object per upload, under the prefix, sealed under its random name");
    let sealed = bucket.get(&Path::from(stored.iter().next().unwrap().as_str())).await.unwrap().bytes().await.unwrap();
    assert!(!sealed.starts_with(&[0xff, 0xd8]), "stored sealed, not as a JPEG");

    let deleted = send_as(&server, Method::DELETE, &format!("/api/v1/uploads/{gone}"), &cookie).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(keys(&bucket).await.len(), 1);
    assert_eq!(health(&server).await["storage"], "ok");

    // An object whose row never came (a crash between the two): swept at the next start.
    bucket.put(&Path::from("0123456789abcdef0123456789abcdef"), PutPayload::from_static(b"sealed")).await.unwrap();
    let dir = server.stop().await;
    let server = spawn_config(dir, config).await;
    let live = live_names(&database(&server).await).await;
    assert_eq!(keys(&bucket).await, live);
    assert_eq!(server.get_as(&format!("/api/v1/uploads/{kept}/image"), &cookie).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_stopped_s3_server_answers_503_and_health_says_degraded() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir, "/");
    let Some(mut s3) = moto::OwnMoto::start("a_stopped_s3_server_answers_503", &mut config).await else {
        return;
    };
    let server = spawn_config(dir, config).await;
    let cookie = log_in(&server, PHONE).await;
    let id = upload(&server, &cookie, MATERIAL).await;

    s3.stop();
    let started = Instant::now();
    assert_store_fault(try_upload(&server, &cookie).await, StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable").await;
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(20), "the phone waited {waited:?}");
    eprintln!("a stopped S3 server is answered 503 after {waited:?}");
    assert_eq!(live_names(&database(&server).await).await.len(), 1, "no row for the refused photo");
    let image = server.get_as(&format!("/api/v1/uploads/{id}/image"), &cookie).await;
    assert_eq!(image.status(), StatusCode::SERVICE_UNAVAILABLE);
    let degraded = health(&server).await;
    assert_eq!((degraded["status"].as_str(), degraded["database"].as_str(), degraded["storage"].as_str()), (Some("degraded"), Some("ok"), Some("unavailable")));
    assert!(degraded["reason"].as_str().is_some_and(|r| !r.is_empty()));
}

// ---------------------------------------------------------------- the sweep

/// Writes `name` in `dir`, last modified `age` ago.
fn leave(dir: &FsPath, name: &str, age: Duration) {
    let path = dir.join(name);
    std::fs::write(&path, b"half a photo").unwrap();
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(SystemTime::now() - age).unwrap();
}

#[tokio::test]
async fn the_sweep_removes_what_a_crash_left_but_not_an_upload_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(&dir, "/");
    let server = spawn_config(dir, config.clone()).await;
    let cookie = log_in(&server, PHONE).await;
    let id = upload(&server, &cookie, MATERIAL).await;
    let live = live_names(&database(&server).await).await;
    let dir = server.stop().await;

    let uploads = &config.upload_dir;
    let two_hours = Duration::from_secs(2 * 3600);
    // Left by a crash two hours ago: an earlier version's partial file, the store's own
    // temporary file, an object whose row never came.
    leave(uploads, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.partial", two_hours);
    leave(uploads, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb#1", two_hours);
    leave(uploads, "cccccccccccccccccccccccccccccccc", two_hours);
    // Uploads in flight right now: their rows are still to come.
    leave(uploads, "dddddddddddddddddddddddddddddddd#1", Duration::ZERO);
    leave(uploads, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", Duration::ZERO);

    let started = Instant::now();
    let server = spawn_config(dir, config.clone()).await;
    eprintln!("started with a sweep in {:?}", started.elapsed());
    let mut expected = live.clone();
    expected.extend(["dddddddddddddddddddddddddddddddd#1".to_owned(), "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee".to_owned()]);
    assert_eq!(files_in(uploads), expected);
    assert_eq!(server.get_as(&format!("/api/v1/uploads/{id}/image"), &cookie).await.status(), StatusCode::OK);
}

// ---------------------------------------------------------------- retention

/// Waits (the sweep runs every second here) until `done` holds of the database.
async fn eventually(pool: &AnyPool, what: &str, done: impl AsyncFn(&AnyPool) -> bool) {
    let started = Instant::now();
    while !done(pool).await {
        assert!(started.elapsed() < Duration::from_secs(15), "retention did not {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn is_deleted(pool: &AnyPool, id: &str) -> bool {
    let (deleted,): (Option<i64>,) =
        sqlx::query_as("SELECT deleted_at FROM uploads WHERE id = $1").bind(id).fetch_one(pool).await.unwrap();
    deleted.is_some()
}

async fn stored_name(pool: &AnyPool, id: &str) -> String {
    sqlx::query_as::<_, (String,)>("SELECT stored_name FROM uploads WHERE id = $1").bind(id).fetch_one(pool).await.unwrap().0
}

fn ids(uploads: &Value) -> Vec<String> {
    uploads.as_object().unwrap().values().map(|id| id.as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn retention_deletes_replaced_and_abandoned_photos_keeps_those_of_cases_and_audits_each() {
    let server = spawn_approving(|c| c.storage_sweep_interval_seconds = 1).await;
    let cookie = common::verified_user(&server, PHONE, &taxicert_testkit::CardData::sample()).await;
    let pool = database(&server).await;
    // The draft first: an open case makes its certificate unavailable to other businesses.
    let draft = complete_draft(&server, &cookie, "renewal").await;
    let case = submit_case(&server, &cookie, "reissue").await;
    let case_id = case["id"].as_str().unwrap().to_owned();
    let in_case: Vec<(String,)> =
        sqlx::query_as("SELECT upload_id FROM case_uploads WHERE case_id = $1").bind(&case_id).fetch_all(&pool).await.unwrap();
    let mut uploads = draft["uploads"].clone();
    let (material, first) = uploads.as_object().unwrap().iter().next().map(|(m, id)| (m.clone(), id.as_str().unwrap().to_owned())).unwrap();
    // 重新拍摄 a minute later: a new photo of the same material takes the first one's place.
    server.clock.advance(60);
    let second = upload(&server, &cookie, &material).await;
    uploads[&material] = json!(second);
    saved(&server, &cookie, "renewal", json!({ "step": "materials", "uploads": uploads })).await;
    // Uploaded and never used in a draft.
    let loose = upload(&server, &cookie, MATERIAL).await;
    let first_file = config_dir(&server).join(stored_name(&pool, &first).await);
    assert!(first_file.exists());

    // Within the grace a replaced photo may still be in flight in another tab; after it, gone.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!is_deleted(&pool, &first).await);
    server.clock.advance(2 * 3600);
    eventually(&pool, "delete the replaced photo and its object", async |pool| {
        is_deleted(pool, &first).await && !first_file.exists()
    })
    .await;
    assert!(!is_deleted(&pool, &second).await && !is_deleted(&pool, &loose).await);

    // 31 days without a save: the draft is abandoned, and so is the photo never used.
    server.clock.advance(31 * 86_400);
    let draft_photos = ids(&uploads);
    let mut abandoned_files = Vec::new();
    for id in draft_photos.iter().chain([&loose]) {
        abandoned_files.push(config_dir(&server).join(stored_name(&pool, id).await));
    }
    eventually(&pool, "delete the abandoned photos and their objects", async |pool| {
        let mut all = abandoned_files.iter().all(|file| !file.exists());
        for id in draft_photos.iter().chain([&loose]) {
            all &= is_deleted(pool, id).await;
        }
        all
    })
    .await;
    for (id,) in &in_case {
        assert!(!is_deleted(&pool, id).await, "a submitted case's photo is kept");
        assert!(config_dir(&server).join(stored_name(&pool, id).await).exists());
    }

    let audited: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT subject, outcome, user_id FROM audit_log WHERE event = 'upload_removed' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let of = |id: &str| audited.iter().filter(|(subject, _, _)| subject == &format!("upload:{id}")).map(|(_, outcome, _)| outcome.as_str()).collect::<Vec<_>>();
    assert_eq!(of(&first), ["replaced"]);
    assert_eq!(of(&loose), ["abandoned"]);
    for id in &draft_photos {
        assert_eq!(of(id), ["abandoned"]);
    }
    assert_eq!(audited.len(), draft_photos.len() + 2, "{audited:?}");
    assert!(audited.iter().all(|(_, _, user)| user.is_some()));
}

fn config_dir(server: &TestServer) -> PathBuf {
    server.dir.path().join("data/uploads")
}

// ---------------------------------------------------------------- kill -9

/// The real server binary on `dir`'s data, started as `make run` starts it: its address.
fn start_binary(dir: &FsPath, database: &str) -> (Child, String) {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("server.log")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_taxicert-server"))
        .env_clear()
        .env("TAXICERT_BIND", "127.0.0.1:0")
        .env("TAXICERT_DEV", "true")
        .env("TAXICERT_DATABASE", database)
        .env("TAXICERT_KEY_FILE", dir.join("data/taxicert.key"))
        .env("TAXICERT_UPLOAD_DIR", dir.join("data/uploads"))
        .env("TAXICERT_DIST", dir.join("dist"))
        // What a crash left is old at once: the start-up sweep removes all of it.
        .env("TAXICERT_STORAGE_SWEEP_GRACE_SECONDS", "0")
        .env("TAXICERT_STORAGE_SWEEP_INTERVAL_SECONDS", "86400")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let address = line.trim().strip_prefix("taxicert listening on ").unwrap_or_else(|| panic!("no address: {line:?}"));
    (child, address.trim_end_matches('/').to_owned())
}

/// One upload to the binary: its status, or `None` once the server is gone.
async fn upload_to(client: &reqwest::Client, base: &str, cookie: &str) -> Option<StatusCode> {
    let sent = client
        .post(format!("{base}/api/v1/uploads"))
        .header("x-taxicert-csrf", "1")
        .header(header::COOKIE, cookie)
        .header("idempotency-key", next_key("killed"))
        .multipart(photo_form())
        .send()
        .await;
    sent.ok().map(|response| response.status())
}

/// Uploads one after another until the server stops answering: how many were stored.
async fn upload_until_killed(client: reqwest::Client, base: String, cookie: String) -> usize {
    let mut stored = 0;
    while let Some(status) = upload_to(&client, &base, &cookie).await {
        assert_eq!(status, StatusCode::CREATED);
        stored += 1;
    }
    stored
}

/// A login against the binary, as the phone does it: the cookie.
async fn log_in_to(client: &reqwest::Client, base: &str, phone: &str) -> String {
    let sent = client.post(format!("{base}/api/v1/auth/sms-codes")).header("x-taxicert-csrf", "1").json(&json!({ "phone": phone }));
    assert_eq!(sent.send().await.unwrap().status(), StatusCode::ACCEPTED);
    let outbox: Value = client.get(format!("{base}/api/v1/dev/sms-outbox")).send().await.unwrap().json().await.unwrap();
    let code = outbox.as_array().unwrap().iter().find(|m| m["phone"] == phone).unwrap()["code"].clone();
    let response = client
        .post(format!("{base}/api/v1/auth/session"))
        .header("x-taxicert-csrf", "1")
        .json(&json!({ "phone": phone, "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned()
}

/// The database is whole, every upload row has its object, and nothing else is stored.
async fn assert_consistent(dir: &FsPath, database: &Database, round: usize) {
    let pool = taxicert_server::db::open(database).await.unwrap();
    // PostgreSQL's write-ahead log makes it whole after a crash by design; SQLite's file is checked.
    if database.sqlite_path().is_some() {
        let (integrity,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&pool).await.unwrap();
        assert_eq!(integrity, "ok", "round {round}");
    }
    let live = live_names(&pool).await;
    pool.close().await;
    assert_eq!(files_in(&dir.join("data/uploads")), live, "round {round}: exactly one object per upload row, nothing half-written");
}

#[tokio::test]
async fn killed_with_sigkill_mid_upload_the_server_restarts_with_database_and_store_in_agreement() {
    let dir = tempfile::tempdir().unwrap();
    // The folders and files of a server's data, as the other tests have them.
    let database = test_config(&dir, "/").database;
    let setting = database.setting();
    let uploads = dir.path().join("data/uploads");
    let client = reqwest::Client::new();
    let (mut server, mut base) = start_binary(dir.path(), &setting);
    let (mut stored, mut leftovers, mut last_cookie) = (0, 0, None);
    // Killed at different moments of the uploads: decoding, sealing, writing, inserting. A
    // driver per round, each below the limit of photos kept.
    for (round, after_ms) in [350u64, 800, 1300, 1900, 2600].into_iter().enumerate() {
        let cookie = log_in_to(&client, &base, &format!("1381234560{round}")).await;
        let senders: Vec<_> =
            (0..3).map(|_| tokio::spawn(upload_until_killed(client.clone(), base.clone(), cookie.clone()))).collect();
        tokio::time::sleep(Duration::from_millis(after_ms)).await;
        server.kill().unwrap();
        server.wait().unwrap();
        for sender in senders {
            stored += sender.await.unwrap();
        }
        let before = files_in(&uploads).len();
        (server, base) = start_binary(dir.path(), &setting);
        assert_consistent(dir.path(), &database, round).await;
        leftovers += before.saturating_sub(files_in(&uploads).len());
        let health: Value = client.get(format!("{base}/api/v1/health")).send().await.unwrap().json().await.unwrap();
        assert_eq!(health["status"], "ok", "round {round}");
        last_cookie = Some(cookie);
    }
    // The last session survived its kill, and the server still stores photos.
    assert_eq!(upload_to(&client, &base, &last_cookie.unwrap()).await, Some(StatusCode::CREATED));
    server.kill().unwrap();
    server.wait().unwrap();
    eprintln!("{stored} uploads stored across five kills; the start-up sweeps removed {leftovers} leftovers");
    assert!(stored > 0, "the uploads ran before the kills");
}
