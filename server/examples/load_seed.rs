//! The load test's other half (`make bench`, `scripts/bench-load.sh`): it fills a running server
//! (dev mode, real-name auto-approval) with drivers through the API, as the phones would, and
//! measures the submissions, which `wrk` cannot: each one spends a completed draft.
//!
//! ```text
//! load_seed seed   --base URL --out DIR [--list-drivers 16] [--cases 20] [--submit-drivers 200] [--concurrency 6] [--upload-probe 60]
//! load_seed submit --base URL --file DIR/submissions.tsv [--concurrency 32]
//! ```
//!
//! `seed` writes `DIR/list-cookies.txt` (one `Cookie` value a line: drivers with `--cases` cases
//! each, for 我的办件) and `DIR/submissions.tsv` (cookie, business, revision: one completed draft
//! a line, five per driver — one per business, the most a driver can have at once). Then it
//! times photo uploads on their own, a figure the capacity estimate uses.
//!
//! `submit` sends every line once, `--concurrency` at a time, and prints the rate and the
//! latencies; every answer must be 201, or it says how many were not.

use std::{
    collections::BTreeMap,
    io::Write,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use taxicert_testkit::{hostile, photos, CardData};

type Error = Box<dyn std::error::Error + Send + Sync>;
type Result<T> = std::result::Result<T, Error>;

const BUSINESSES: [&str; 5] = ["reissue", "renewal", "change", "cancellation", "credit_assessment"];
/// The service hall the forms collect at (one of the built-in halls).
const HALL: &str = "hall_hhht_xincheng";
/// The ID card's fields, all typed by the driver: the bench server runs without tesseract
/// (see `scripts/bench-load.sh`), so nothing was read.
const CARD_FIELDS: [&str; 9] =
    ["name", "gender", "ethnicity", "birth_date", "address", "id_number", "authority", "valid_from", "valid_until"];

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    let outcome = match args.first().map(String::as_str) {
        Some("seed") => runtime.block_on(seed(Options::parse(&args[1..]))),
        Some("submit") => runtime.block_on(submit_all(Options::parse(&args[1..]))),
        _ => Err("usage: load_seed seed|submit --base URL …".into()),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("load_seed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `--name value` pairs.
struct Options(BTreeMap<String, String>);

impl Options {
    fn parse(args: &[String]) -> Options {
        let mut map = BTreeMap::new();
        for pair in args.chunks(2) {
            let name = pair[0].strip_prefix("--").unwrap_or_else(|| panic!("expected --name, got {}", pair[0]));
            map.insert(name.to_owned(), pair.get(1).cloned().unwrap_or_else(|| panic!("--{name} needs a value")));
        }
        Options(map)
    }

    fn text(&self, name: &str) -> Result<String> {
        self.0.get(name).cloned().ok_or_else(|| format!("--{name} is required").into())
    }

    fn number(&self, name: &str, default: usize) -> Result<usize> {
        match self.0.get(name) {
            Some(text) => Ok(text.parse().map_err(|_| format!("--{name} {text}: not a number"))?),
            None => Ok(default),
        }
    }
}

// ---------------------------------------------------------------- the API, as the SPA calls it

struct Api {
    base: String,
    client: reqwest::Client,
    next_key: AtomicU64,
}

impl Api {
    fn new(base: String) -> Api {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(256)
            .timeout(Duration::from_secs(60))
            .build()
            .expect("an HTTP client");
        Api { base, client, next_key: AtomicU64::new(0) }
    }

    /// A request as the SPA sends it: the CSRF header and the page's origin, and the session.
    fn request(&self, method: Method, path: &str, cookie: Option<&str>) -> reqwest::RequestBuilder {
        let mut request = self
            .client
            .request(method, format!("{}/api/v1{path}", self.base))
            .header("x-taxicert-csrf", "1")
            .header(header::ORIGIN, &self.base);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request
    }

    fn key(&self, what: &str) -> String {
        format!("{what}-{:010}", self.next_key.fetch_add(1, Ordering::Relaxed))
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> Result<Value> {
        expect(self.request(Method::GET, path, cookie).send().await?, &[StatusCode::OK], path).await
    }

    async fn put(&self, path: &str, cookie: &str, body: Value) -> Result<Value> {
        expect(self.request(Method::PUT, path, Some(cookie)).json(&body).send().await?, &[StatusCode::OK], path).await
    }

    /// Asks for a code, reads it from the dev outbox and logs in: the `Cookie` value.
    async fn log_in(&self, phone: &str) -> Result<String> {
        let sent = self.request(Method::POST, "/auth/sms-codes", None).json(&json!({ "phone": phone })).send().await?;
        expect(sent, &[StatusCode::ACCEPTED], "/auth/sms-codes").await?;
        let outbox = self.get("/dev/sms-outbox", None).await?;
        let code = outbox
            .as_array()
            .and_then(|messages| messages.iter().find(|m| m["phone"] == phone))
            .and_then(|m| m["code"].as_str())
            .ok_or_else(|| format!("no code for {phone} in the dev outbox (is the server in dev mode?)"))?
            .to_owned();
        let response =
            self.request(Method::POST, "/auth/session", None).json(&json!({ "phone": phone, "code": code })).send().await?;
        let cookie = response
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_owned);
        expect(response, &[StatusCode::OK], "/auth/session").await?;
        cookie.ok_or_else(|| "the login set no cookie".into())
    }

    /// Logs in and passes real-name verification with `card` (the photos drawn once, the same
    /// for every driver: only the typed fields tell them apart).
    async fn verified(&self, phone: &str, card: &CardData, sides: &(Vec<u8>, Vec<u8>)) -> Result<String> {
        let cookie = self.log_in(phone).await?;
        let form = reqwest::multipart::Form::new()
            .part("portrait", reqwest::multipart::Part::bytes(sides.0.clone()).file_name("portrait.png"))
            .part("emblem", reqwest::multipart::Part::bytes(sides.1.clone()).file_name("emblem.png"));
        let read = self.request(Method::POST, "/realname/id-card", Some(&cookie)).multipart(form).send().await?;
        expect(read, &[StatusCode::OK], "/realname/id-card").await?;
        let submitted = self
            .request(Method::POST, "/realname/submission", Some(&cookie))
            .json(&json!({ "fields": card_fields(card), "typed": CARD_FIELDS }))
            .send()
            .await?;
        let state = expect(submitted, &[StatusCode::OK], "/realname/submission").await?;
        if state["status"] != "approved" {
            return Err(format!("real name not approved at once ({state}): set TAXICERT_REALNAME_AUTO_APPROVE=true").into());
        }
        Ok(cookie)
    }

    /// A photo that passes `material`'s rules, uploaded: the upload id.
    async fn upload(&self, cookie: &str, material: &str, bytes: &[u8]) -> Result<String> {
        let form = reqwest::multipart::Form::new()
            .text("material", material.to_owned())
            .part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("photo.jpg"));
        let response = self
            .request(Method::POST, "/uploads", Some(cookie))
            .header("idempotency-key", self.key("upload"))
            .multipart(form)
            .send()
            .await?;
        let body = expect(response, &[StatusCode::CREATED], "/uploads").await?;
        Ok(body["id"].as_str().ok_or("an upload without id")?.to_owned())
    }
}

/// The body of a response with one of the `wanted` statuses; else an error that shows it.
async fn expect(response: reqwest::Response, wanted: &[StatusCode], what: &str) -> Result<Value> {
    let status = response.status();
    let text = response.text().await?;
    if !wanted.contains(&status) {
        return Err(format!("{what}: {status} {text}").into());
    }
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

// ---------------------------------------------------------------- fictional people and forms

/// A fictional ID number: the 17 digits given and the check character of GB 11643.
fn id_number(first17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{first17}{}", CHECK[(sum % 11) as usize])
}

/// The sample card with the `n`th ID number of its kind: a man born in June 1985 (day 1–28),
/// the order code odd, as a man's is. 500 numbers a day, 14,000 in all.
fn card(n: usize) -> CardData {
    let day = 1 + (n / 500) % 28;
    let order = 2 * (n % 500) + 1;
    CardData {
        birth: format!("1985年6月{day}日"),
        id_number: id_number(&format!("150102198506{day:02}{order:03}")),
        ..CardData::sample()
    }
}

/// The fields a driver confirms for `card`, in the contract's format.
fn card_fields(card: &CardData) -> Value {
    let birth: Vec<u32> =
        card.birth.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect();
    let (from, until) = card.validity.split_once('-').unwrap();
    json!({
        "name": card.name, "gender": card.gender, "ethnicity": card.ethnicity,
        "birth_date": format!("{:04}-{:02}-{:02}", birth[0], birth[1], birth[2]),
        "address": card.address, "id_number": card.id_number, "authority": card.authority,
        "valid_from": from.replace('.', "-"), "valid_until": until.replace('.', "-"),
    })
}

/// The answers of 填写申请信息 for `business` on `certificate` (as listed for it): 补发 for
/// loss and 换发 collected at a service hall, a 变更 of 服务单位, 注销 本人申请, a 考核 of the
/// first period that can be applied for.
fn info_for(business: &str, certificate: &Value, phone: &str) -> Value {
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
        _ => json!({ "business": "credit_assessment", "period": certificate["assessment_periods"][0] }),
    };
    json!({ "contact_name": "王建国", "contact_phone": phone, "details": details })
}

/// Whether a material of the catalogue is asked for with the form's `details`.
fn applies(material: &Value, details: &Value) -> bool {
    let condition = &material["condition"];
    match condition["when"].as_str() {
        None => true,
        Some("reissue_reason") => details["reason"] == condition["reason"],
        Some("change") => {
            details["changes"].as_array().is_some_and(|changes| changes.iter().any(|c| c["item"] == condition["item"]))
        }
        Some(_) => false,
    }
}

/// A JPEG that passes `material`'s rules: a 2-inch portrait of 450×630 or a page of 1200×900.
fn photo_for(material: &str) -> Vec<u8> {
    if material == "photo_2inch" {
        hostile::jpeg(&photos::portrait(450, 7), 90)
    } else {
        hostile::jpeg(&photos::document(1200, 900, 7), 85)
    }
}

/// What every driver shares: the API, the ID card's photos, a photo per material, the catalogue.
struct Shared {
    api: Api,
    sides: (Vec<u8>, Vec<u8>),
    photos: Mutex<BTreeMap<String, Arc<Vec<u8>>>>,
    /// business → its materials, as `GET /businesses/{code}` lists them.
    materials: BTreeMap<String, Vec<Value>>,
}

impl Shared {
    fn photo(&self, material: &str) -> Arc<Vec<u8>> {
        let mut photos = self.photos.lock().unwrap();
        photos.entry(material.to_owned()).or_insert_with(|| Arc::new(photo_for(material))).clone()
    }
}

/// One signed-in, verified driver with his photos uploaded once, reused by every draft.
struct Driver {
    phone: String,
    cookie: String,
    uploads: BTreeMap<String, String>,
}

impl Driver {
    async fn new(shared: &Shared, phone: String, n: usize) -> Result<Driver> {
        let cookie = shared.api.verified(&phone, &card(n), &shared.sides).await?;
        Ok(Driver { phone, cookie, uploads: BTreeMap::new() })
    }

    /// The certificate for `business`: the first that can be chosen, but for 补发 one that is
    /// not the 换发's (the two cannot be open on one certificate at once).
    async fn certificate(&self, shared: &Shared, business: &str) -> Result<Value> {
        let list = shared.api.get(&format!("/certificates?business={business}"), Some(&self.cookie)).await?;
        let choosable: Vec<&Value> =
            list.as_array().ok_or("certificates: not a list")?.iter().filter(|c| c["unavailable_reason"].is_null()).collect();
        let pick = if business == "reissue" { choosable.get(1).or(choosable.first()) } else { choosable.first() };
        pick.map(|c| (*c).clone()).ok_or_else(|| format!("no certificate can be chosen for {business}: {list}").into())
    }

    /// Every step of the draft of `business` saved: its revision.
    async fn complete_draft(&mut self, shared: &Shared, business: &str) -> Result<Value> {
        let path = format!("/drafts/{business}");
        let certificate = self.certificate(shared, business).await?;
        let info = info_for(business, &certificate, &self.phone);
        shared.api.put(&path, &self.cookie, json!({ "step": "notice" })).await?;
        shared.api.put(&path, &self.cookie, json!({ "step": "certificate", "certificate_id": certificate["id"] })).await?;
        shared.api.put(&path, &self.cookie, json!({ "step": "personal_info", "info": info })).await?;
        let mut chosen = BTreeMap::new();
        for material in &shared.materials[business] {
            if material["required"] != true || !applies(material, &info["details"]) {
                continue;
            }
            let code = material["code"].as_str().ok_or("a material without code")?.to_owned();
            if !self.uploads.contains_key(&code) {
                let id = shared.api.upload(&self.cookie, &code, &shared.photo(&code)).await?;
                self.uploads.insert(code.clone(), id);
            }
            chosen.insert(code.clone(), self.uploads[&code].clone());
        }
        let draft = shared.api.put(&path, &self.cookie, json!({ "step": "materials", "uploads": chosen })).await?;
        Ok(draft["revision"].clone())
    }

    /// The draft of `business` completed and submitted: the case number.
    async fn submit(&mut self, shared: &Shared, business: &str) -> Result<String> {
        let revision = self.complete_draft(shared, business).await?;
        let response = shared
            .api
            .request(Method::POST, "/cases", Some(&self.cookie))
            .header("idempotency-key", shared.api.key("submit"))
            .json(&json!({ "business": business, "revision": revision }))
            .send()
            .await?;
        let case = expect(response, &[StatusCode::CREATED], "POST /cases").await?;
        Ok(case["id"].as_str().ok_or("a case without id")?.to_owned())
    }
}

// ---------------------------------------------------------------- seed

async fn seed(options: Options) -> Result<()> {
    let base = options.text("base")?;
    let out = std::path::PathBuf::from(options.text("out")?);
    let list_drivers = options.number("list-drivers", 16)?;
    let cases = options.number("cases", 20)?;
    let submit_drivers = options.number("submit-drivers", 200)?;
    let concurrency = options.number("concurrency", 6)?.max(1);
    std::fs::create_dir_all(&out)?;

    let started = Instant::now();
    let api = Api::new(base);
    let mut materials = BTreeMap::new();
    for business in BUSINESSES {
        let detail = api.get(&format!("/businesses/{business}"), None).await?;
        materials.insert(business.to_owned(), detail["materials"].as_array().ok_or("a business without materials")?.clone());
    }
    let sample = CardData::sample();
    let sides = (taxicert_testkit::portrait_side(&sample), taxicert_testkit::emblem_side(&sample));
    let shared = Arc::new(Shared { api, sides, photos: Mutex::new(BTreeMap::new()), materials });

    // Drivers with `cases` cases each, for 我的办件: round after round of the five businesses,
    // each case withdrawn once made (a withdrawn case is still listed and no longer blocks its
    // certificate), but the last round's, left open: 15 withdrawn and 5 submitted of 20.
    let list_cookies = run_all(&shared, list_drivers, concurrency, move |shared, i| async move {
        let mut driver = Driver::new(&shared, format!("137{i:08}"), i).await?;
        let open_from = cases.saturating_sub(BUSINESSES.len());
        for c in 0..cases {
            let case_id = driver.submit(&shared, BUSINESSES[c % BUSINESSES.len()]).await?;
            if c < open_from {
                let withdrawn = shared.api.request(Method::POST, &format!("/cases/{case_id}/withdrawal"), Some(&driver.cookie));
                expect(withdrawn.send().await?, &[StatusCode::OK], "withdrawal").await?;
            }
        }
        let listed = shared.api.get("/cases", Some(&driver.cookie)).await?;
        let count = listed.as_array().map_or(0, Vec::len);
        if count != cases {
            return Err(format!("driver {i}: 我的办件 lists {count} cases, not {cases}").into());
        }
        Ok::<_, Error>(vec![driver.cookie])
    })
    .await?;
    std::fs::write(out.join("list-cookies.txt"), list_cookies.join("\n") + "\n")?;

    // Drivers with a completed draft of each business, for the submissions.
    let lines = run_all(&shared, submit_drivers, concurrency, move |shared, i| async move {
        let mut driver = Driver::new(&shared, format!("138{i:08}"), list_drivers + i).await?;
        let mut lines = Vec::new();
        for business in BUSINESSES {
            let revision = driver.complete_draft(&shared, business).await?;
            lines.push(format!("{}\t{business}\t{revision}", driver.cookie));
        }
        Ok::<_, Error>(lines)
    })
    .await?;
    std::fs::write(out.join("submissions.tsv"), lines.join("\n") + "\n")?;

    let seconds = started.elapsed().as_secs_f64();
    println!(
        "seeded in {seconds:.0} s: {list_drivers} drivers with {cases} cases each, {} completed drafts of {submit_drivers} drivers",
        lines.len()
    );

    // The photo uploads, timed on their own: a 1200×900 page (the size the tests use; a phone
    // sends up to `photo_max_side`, 2048 by default) sent `probe` times, 4 at a time, by the
    // first driver. The capacity estimate needs their cost; wrk cannot send them (each needs
    // its own idempotency key).
    let probe = options.number("upload-probe", 60)?;
    let mut upload_rps = 0.0;
    if let (Some(cookie), true) = (list_cookies.first(), probe > 0) {
        let photo = shared.photo("cert_info_page");
        let next = Arc::new(AtomicUsize::new(0));
        let probe_started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let (shared, next, photo, cookie) = (shared.clone(), next.clone(), photo.clone(), cookie.clone());
            tasks.push(tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < probe {
                    shared.api.upload(&cookie, "cert_info_page", &photo).await?;
                }
                Ok::<_, Error>(())
            }));
        }
        for task in tasks {
            task.await??;
        }
        let elapsed = probe_started.elapsed().as_secs_f64();
        upload_rps = probe as f64 / elapsed;
        println!("photo uploads (a 1200×900 JPEG page), {probe} sent 4 at a time: {upload_rps:.1}/s");
    }
    println!("RESULT upload_rps={upload_rps:.1} seconds={seconds:.1}");
    Ok(())
}

/// `work(shared, i)` for every `i` below `count`, `concurrency` at a time: every line they return.
async fn run_all<F, Fut>(shared: &Arc<Shared>, count: usize, concurrency: usize, work: F) -> Result<Vec<String>>
where
    F: Fn(Arc<Shared>, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Vec<String>>> + Send + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let work = Arc::new(work);
    let mut tasks = Vec::new();
    for _ in 0..concurrency.min(count.max(1)) {
        let (shared, next, work) = (shared.clone(), next.clone(), work.clone());
        tasks.push(tokio::spawn(async move {
            let mut lines = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return Ok::<_, Error>(lines);
                }
                lines.extend(work(shared.clone(), i).await?);
            }
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    all.sort();
    Ok(all)
}

// ---------------------------------------------------------------- submit

async fn submit_all(options: Options) -> Result<()> {
    let api = Arc::new(Api::new(options.text("base")?));
    let file = options.text("file")?;
    let concurrency = options.number("concurrency", 32)?.max(1);
    let drafts: Vec<(String, String, Value)> = std::fs::read_to_string(&file)?
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            let mut parts = line.splitn(3, '\t');
            let (cookie, business, revision) = (parts.next(), parts.next(), parts.next());
            match (cookie, business, revision.and_then(|r| serde_json::from_str(r).ok())) {
                (Some(c), Some(b), Some(r)) => Ok((c.to_owned(), b.to_owned(), r)),
                _ => Err(format!("{file}: a line is not cookie, business, revision")),
            }
        })
        .collect::<std::result::Result<_, _>>()?;
    // Mixed so that a driver's five drafts are not sent back to back by one task.
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by_key(|&i| (i % BUSINESSES.len(), i));
    let drafts = Arc::new(order.into_iter().map(|i| drafts[i].clone()).collect::<Vec<_>>());

    // Every connection opened before the clock starts, as wrk's are.
    let warm: Vec<_> = (0..concurrency).map(|_| api.request(Method::GET, "/health", None).send()).collect();
    for response in futures::future::join_all(warm).await {
        response?.bytes().await?;
    }

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (api, drafts, next) = (api.clone(), drafts.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((cookie, business, revision)) = drafts.get(i) else { return seen };
                let sent = Instant::now();
                let response = api
                    .request(Method::POST, "/cases", Some(cookie))
                    .header("idempotency-key", format!("bench-submit-{i:08}"))
                    .json(&json!({ "business": business, "revision": revision }))
                    .send()
                    .await;
                let status = match response {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let _ = response.bytes().await;
                        status
                    }
                    Err(_) => 0,
                };
                seen.push((sent.elapsed(), status));
            }
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.extend(task.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies: Vec<Duration> = results.iter().map(|(d, _)| *d).collect();
    latencies.sort();
    let percentile = |p: f64| {
        let index = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len().max(1)) - 1;
        latencies.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let created = results.iter().filter(|(_, s)| *s == 201).count();
    let mut others: BTreeMap<u16, usize> = BTreeMap::new();
    for (_, status) in results.iter().filter(|(_, s)| *s != 201) {
        *others.entry(*status).or_default() += 1;
    }
    let rps = results.len() as f64 / elapsed;
    println!(
        "{} submissions ({} drivers' completed drafts, {concurrency} at a time) in {elapsed:.2} s: {created} made a case{}",
        results.len(),
        drafts.len() / BUSINESSES.len(),
        if others.is_empty() { String::new() } else { format!(", others answered {others:?} (0: no answer)") }
    );
    println!(
        "RESULT rps={rps:.1} p50_ms={:.2} p99_ms={:.2} max_ms={:.2} requests={} errors={}",
        percentile(0.50),
        percentile(0.99),
        percentile(1.0),
        results.len(),
        results.len() - created
    );
    std::io::stdout().flush()?;
    Ok(())
}
