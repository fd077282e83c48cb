//! Configuration: defaults, then an optional TOML file, then `TAXICERT_*` environment
//! variables, each overriding the one before.

use std::{net::SocketAddr, path::PathBuf, sync::Arc};

use serde::Deserialize;

use crate::workdays::holidays::OfficialCalendar;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Where the server listens; port 0 picks a free port (the tests use that).
    pub bind: SocketAddr,
    /// The SQLite file (created with its folder when missing; the default), or a PostgreSQL URL
    /// `postgres://user:password@host:port/name` that several replicas share.
    pub database: crate::db::Database,
    /// The built SPA (`dist/`), served with the history fallback.
    pub dist: PathBuf,
    /// The path the SPA is served under, `/` or e.g. `/taxicert/`; the API stays at `/api/v1`.
    pub base_path: String,
    /// Development conveniences (later: the SMS outbox, real-name auto-approval). Never in production.
    pub dev: bool,
    /// `json` for one JSON object per log line, `pretty` for people.
    pub log_format: LogFormat,
    /// Extra origins the SPA may call (`connect-src`), for an API hosted elsewhere.
    pub connect_src: Vec<String>,
    /// Origins besides this server's own from which state-changing requests are accepted
    /// (the SPA hosted on a CDN, say).
    pub allowed_origins: Vec<String>,
    /// The 32-byte secret key; created on first run in dev mode.
    pub key_file: PathBuf,
    /// SMS codes one phone number may receive in 24 hours.
    pub sms_daily_cap: u32,
    /// SMS codes one client address may ask for in an hour.
    pub sms_ip_hourly_limit: u32,
    /// The SMS gateway; required outside dev mode.
    pub sms_gateway_url: Option<String>,
    pub sms_gateway_key: Option<String>,
    /// A session ends after this long without a request…
    pub session_idle_minutes: u64,
    /// …and this long after login in any case.
    pub session_absolute_hours: u64,
    /// Served over HTTPS: the session cookie gets `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
    /// Behind a reverse proxy: take the client address from `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// Dev mode only: real-name submissions are approved at once (no clerk needed).
    pub realname_auto_approve: bool,
    /// Where uploaded photos are kept, sealed, under random names; never inside `dist`. Used
    /// unless `storage` names an S3 bucket.
    pub upload_dir: PathBuf,
    /// `s3://bucket/prefix`: photos go to an S3-compatible object store instead of `upload_dir`.
    pub storage: Option<S3Location>,
    /// The S3 service's address (`https://…`, or `http://…` for a test server); `None`: AWS's.
    pub storage_endpoint: Option<String>,
    /// The S3 region; `None`: `us-east-1`, which S3-compatible services accept.
    pub storage_region: Option<String>,
    /// The S3 credentials; `None`: taken from the environment the way AWS's tools do.
    pub storage_access_key_id: Option<String>,
    pub storage_secret_access_key: Option<String>,
    /// How often the store is swept of unfinished and unrecorded files and the photos no
    /// longer needed are deleted (also once at start-up).
    pub storage_sweep_interval_seconds: u64,
    /// Files younger than this are never swept: an upload in flight has written its file but not
    /// yet its row. A replaced photo is deleted once this old too.
    pub storage_sweep_grace_seconds: u64,
    /// Photos of drafts untouched for this many days, and photos never attached to a draft this
    /// old, are deleted; photos of submitted cases are kept.
    pub retention_days: u32,
    /// The long side, in pixels, of the JPEG the server keeps of every upload.
    pub photo_max_side: u32,
    /// 换发 can be applied for this many days before a certificate expires (1–365).
    pub renewal_window_days: u32,
    /// From this many days before expiry (0–365, less than `renewal_window_days`) a 换发 is late:
    /// the rules ask for it no later than 30 days before (道路运输从业人员管理规定 第29条), so the
    /// wizard says so, but still takes it.
    pub renewal_deadline_days: u32,
    /// Days after expiry (0–365) during which an expired certificate can still be renewed (逾期
    /// 换发); beyond them it has lapsed by law (同规定 第32条: 180 days) and the driver must
    /// re-qualify at a service hall.
    pub renewal_grace_days: u32,
    /// Fictional certificates are made up for a verified user who has none, so that the wizard
    /// can be tried without the transport authority's register. `None`: on in dev mode only.
    pub demo_certificates: Option<bool>,
    /// A holiday calendar file (format of `data/workdays-cn.txt`) used instead of the built-in
    /// one, e.g. once the next year's State Council notice is out. Checked when loaded.
    pub workday_calendar_file: Option<PathBuf>,
    /// The calendar due dates are counted on: `workday_calendar_file`'s, read when the
    /// configuration is loaded (a broken file stops the server at startup), else the built-in one.
    pub workdays: Arc<OfficialCalendar>,
    /// A TrueType/OpenType font (`.ttf`, `.otf`, `.ttc`) with Chinese characters, for the
    /// voucher PDFs. `None`: the first found of the usual Debian CJK fonts.
    pub voucher_font: Option<PathBuf>,
    /// The address the public reaches the app at (`https://example.gov.cn/taxicert`), for the
    /// check link in a voucher's QR code. `None`: taken from the request's `Host`.
    pub public_url: Option<String>,
    /// The lowest points of the 服务质量信誉考核 grades AAA, AA and A (B below): the 考核办法 as
    /// quoted says AAA ≥ 20 and AA ≥ 11; A ≥ 4 is unverified (see `business-rules.md`).
    /// Strictly decreasing, each from 1 to 30 (20 base points + 10 bonus at most).
    pub credit_thresholds: taxicert_api::CreditThresholds,
    /// The 公众号's AppID and AppSecret: WeChat sign-in (网页授权, `snsapi_userinfo`) is offered
    /// inside WeChat when both are set.
    pub wechat_app_id: Option<String>,
    pub wechat_app_secret: Option<String>,
    /// Where the browser is sent to authorize (`{base}/connect/oauth2/authorize`); another
    /// address for tests and private deployments.
    pub wechat_oauth_base: String,
    /// Where the server exchanges the code and reads the profile (`{base}/sns/…`), and sends
    /// the 模板消息 (`{base}/cgi-bin/…`).
    pub wechat_api_base: String,
    /// The 公众号's 模板消息 template IDs (`wechat_template_case`, `wechat_template_renewal`):
    /// when one is set (with the AppID and secret), a driver who signed in with WeChat also gets
    /// the news of his cases, or the 换发 reminders, in WeChat. The keywords each template must
    /// have are in the README (WeChat messages).
    pub wechat_template_case: Option<String>,
    pub wechat_template_renewal: Option<String>,
    /// 本机号码一键登录 (`number_login.rs`), offered when all three are set: where the phone
    /// gets its carrier token (an address of the operator's carrier adapter, reached over
    /// mobile data), where the server verifies it, and the key it sends there.
    pub number_token_url: Option<String>,
    pub number_verify_url: Option<String>,
    pub number_verify_key: Option<String>,
    /// Working days (1–60, on `workdays`) a driver has to correct a returned case, counted from
    /// the day it was returned; he is reminded the day before the last, and after it the case is
    /// closed as 逾期未补正.
    pub correction_days: u32,
    /// A 换发 reminder is sent this many days (1–180) before the renewal window opens (and
    /// another `renewal_deadline_days` before expiry if no 换发 is open by then).
    pub renewal_reminder_days: u32,
    /// How often (1–3600 seconds) each replica sends the messages due, closes overdue
    /// corrections and sends reminders; messages of a clerk's action go out at once besides.
    pub message_interval_seconds: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Pretty,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: crate::db::Database::Sqlite(PathBuf::from("data/taxicert.sqlite3")),
            dist: PathBuf::from("dist"),
            base_path: "/".into(),
            dev: false,
            log_format: LogFormat::Json,
            connect_src: Vec::new(),
            allowed_origins: Vec::new(),
            key_file: PathBuf::from("data/taxicert.key"),
            upload_dir: PathBuf::from("data/uploads"),
            storage: None,
            storage_endpoint: None,
            storage_region: None,
            storage_access_key_id: None,
            storage_secret_access_key: None,
            storage_sweep_interval_seconds: 3600,
            storage_sweep_grace_seconds: 3600,
            retention_days: 30,
            photo_max_side: 2048,
            sms_daily_cap: 10,
            sms_ip_hourly_limit: 30,
            sms_gateway_url: None,
            sms_gateway_key: None,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            secure_cookies: false,
            trust_forwarded_for: false,
            realname_auto_approve: false,
            renewal_window_days: 90,
            renewal_deadline_days: 30,
            renewal_grace_days: 180,
            demo_certificates: None,
            workday_calendar_file: None,
            workdays: Arc::new(OfficialCalendar::embedded()),
            voucher_font: None,
            public_url: None,
            credit_thresholds: taxicert_api::CreditThresholds::default(),
            wechat_app_id: None,
            wechat_app_secret: None,
            wechat_oauth_base: "https://open.weixin.qq.com".into(),
            wechat_api_base: "https://api.weixin.qq.com".into(),
            wechat_template_case: None,
            wechat_template_renewal: None,
            number_token_url: None,
            number_verify_url: None,
            number_verify_key: None,
            correction_days: 15,
            renewal_reminder_days: 7,
            message_interval_seconds: 60,
        }
    }
}

/// The file's shape: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<SocketAddr>,
    database: Option<String>,
    dist: Option<PathBuf>,
    base_path: Option<String>,
    dev: Option<bool>,
    log_format: Option<LogFormat>,
    connect_src: Option<Vec<String>>,
    allowed_origins: Option<Vec<String>>,
    key_file: Option<PathBuf>,
    sms_daily_cap: Option<u32>,
    sms_ip_hourly_limit: Option<u32>,
    sms_gateway_url: Option<String>,
    sms_gateway_key: Option<String>,
    session_idle_minutes: Option<u64>,
    session_absolute_hours: Option<u64>,
    secure_cookies: Option<bool>,
    trust_forwarded_for: Option<bool>,
    realname_auto_approve: Option<bool>,
    upload_dir: Option<PathBuf>,
    storage: Option<String>,
    storage_endpoint: Option<String>,
    storage_region: Option<String>,
    storage_access_key_id: Option<String>,
    storage_secret_access_key: Option<String>,
    storage_sweep_interval_seconds: Option<u64>,
    storage_sweep_grace_seconds: Option<u64>,
    retention_days: Option<u32>,
    photo_max_side: Option<u32>,
    renewal_window_days: Option<u32>,
    renewal_deadline_days: Option<u32>,
    renewal_grace_days: Option<u32>,
    demo_certificates: Option<bool>,
    workday_calendar_file: Option<PathBuf>,
    voucher_font: Option<PathBuf>,
    public_url: Option<String>,
    credit_grade_aaa: Option<u32>,
    credit_grade_aa: Option<u32>,
    credit_grade_a: Option<u32>,
    wechat_app_id: Option<String>,
    wechat_app_secret: Option<String>,
    wechat_oauth_base: Option<String>,
    wechat_api_base: Option<String>,
    wechat_template_case: Option<String>,
    wechat_template_renewal: Option<String>,
    number_token_url: Option<String>,
    number_verify_url: Option<String>,
    number_verify_key: Option<String>,
    correction_days: Option<u32>,
    renewal_reminder_days: Option<u32>,
    message_interval_seconds: Option<u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the configuration file {path} is not valid: {source}")]
    Parse { path: PathBuf, source: toml::de::Error },
    #[error("{name}={value:?} is not valid: {reason}")]
    Env { name: &'static str, value: String, reason: String },
    #[error("{name} = {value} in the configuration file is not valid: {reason}")]
    File { name: &'static str, value: String, reason: String },
    #[error("renewal_deadline_days ({deadline}) must be less than renewal_window_days ({window}): the late mark falls inside the window")]
    RenewalDeadline { deadline: u32, window: u32 },
    #[error("the workday calendar (workday_calendar_file, TAXICERT_WORKDAY_CALENDAR_FILE) is not valid: {0}")]
    Calendar(String),
    #[error("the credit grade thresholds (credit_grade_aaa, credit_grade_aa, credit_grade_a; TAXICERT_CREDIT_GRADE_AAA, _AA, _A) are not valid: {0}")]
    CreditThresholds(String),
}

/// The days before expiry from which 换发 can be applied for.
const RENEWAL_WINDOW_DAYS: std::ops::RangeInclusive<u32> = 1..=365;
const RENEWAL_WINDOW_REASON: &str = "expected a number of days from 1 to 365";
/// The late mark before expiry and the grace after it, in days.
const RENEWAL_DAYS: std::ops::RangeInclusive<u32> = 0..=365;
const RENEWAL_DAYS_REASON: &str = "expected a number of days from 0 to 365";

impl Config {
    /// Loads the configuration: `file` (when given) over the defaults, then the environment.
    pub fn load(file: Option<&std::path::Path>, env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        if let Some(path) = file {
            let text =
                std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.into(), source })?;
            let parsed: FileConfig =
                toml::from_str(&text).map_err(|source| ConfigError::Parse { path: path.into(), source })?;
            config.apply_file(parsed)?;
        }
        config.apply_env(env)?;
        check_credit_thresholds(&config.credit_thresholds).map_err(ConfigError::CreditThresholds)?;
        config.base_path = normalize_base_path(&config.base_path);
        // Checked once both are known: the file may set one and the environment the other.
        if config.renewal_deadline_days >= config.renewal_window_days {
            return Err(ConfigError::RenewalDeadline {
                deadline: config.renewal_deadline_days,
                window: config.renewal_window_days,
            });
        }
        if let Some(path) = &config.workday_calendar_file {
            config.workdays = Arc::new(OfficialCalendar::load(path).map_err(ConfigError::Calendar)?);
        }
        Ok(config)
    }

    fn apply_file(&mut self, file: FileConfig) -> Result<(), ConfigError> {
        let FileConfig {
            bind,
            database,
            dist,
            base_path,
            dev,
            log_format,
            connect_src,
            allowed_origins,
            key_file,
            sms_daily_cap,
            sms_ip_hourly_limit,
            sms_gateway_url,
            sms_gateway_key,
            session_idle_minutes,
            session_absolute_hours,
            secure_cookies,
            trust_forwarded_for,
            realname_auto_approve,
            upload_dir,
            storage,
            storage_endpoint,
            storage_region,
            storage_access_key_id,
            storage_secret_access_key,
            storage_sweep_interval_seconds,
            storage_sweep_grace_seconds,
            retention_days,
            photo_max_side,
            renewal_window_days,
            renewal_deadline_days,
            renewal_grace_days,
            demo_certificates,
            workday_calendar_file,
            voucher_font,
            public_url,
            credit_grade_aaa,
            credit_grade_aa,
            credit_grade_a,
            wechat_app_id,
            wechat_app_secret,
            wechat_oauth_base,
            wechat_api_base,
            wechat_template_case,
            wechat_template_renewal,
            number_token_url,
            number_verify_url,
            number_verify_key,
            correction_days,
            renewal_reminder_days,
            message_interval_seconds,
        } = file;
        for ((name, _, range, into), value) in
            self.message_numbers().into_iter().zip([correction_days, renewal_reminder_days, message_interval_seconds])
        {
            if let Some(v) = value {
                *into = Some(v).filter(|v| range.contains(v)).ok_or_else(|| ConfigError::File {
                    name,
                    value: v.to_string(),
                    reason: format!("expected a number from {} to {}", range.start(), range.end()),
                })?;
            }
        }
        if let Some(v) = bind {
            self.bind = v;
        }
        if let Some(v) = database {
            self.database = crate::db::Database::parse(&v);
        }
        if let Some(v) = dist {
            self.dist = v;
        }
        if let Some(v) = base_path {
            self.base_path = v;
        }
        if let Some(v) = dev {
            self.dev = v;
        }
        if let Some(v) = log_format {
            self.log_format = v;
        }
        if let Some(v) = connect_src {
            self.connect_src = v;
        }
        if let Some(v) = allowed_origins {
            self.allowed_origins = v;
        }
        if let Some(v) = key_file {
            self.key_file = v;
        }
        if let Some(v) = sms_daily_cap {
            self.sms_daily_cap = v;
        }
        if let Some(v) = sms_ip_hourly_limit {
            self.sms_ip_hourly_limit = v;
        }
        if sms_gateway_url.is_some() {
            self.sms_gateway_url = sms_gateway_url;
        }
        if sms_gateway_key.is_some() {
            self.sms_gateway_key = sms_gateway_key;
        }
        if let Some(v) = session_idle_minutes {
            self.session_idle_minutes = v;
        }
        if let Some(v) = session_absolute_hours {
            self.session_absolute_hours = v;
        }
        if let Some(v) = secure_cookies {
            self.secure_cookies = v;
        }
        if let Some(v) = trust_forwarded_for {
            self.trust_forwarded_for = v;
        }
        if let Some(v) = realname_auto_approve {
            self.realname_auto_approve = v;
        }
        if let Some(v) = upload_dir {
            self.upload_dir = v;
        }
        let file_error = |name, value: &str, reason: &str| ConfigError::File { name, value: value.into(), reason: reason.into() };
        if let Some(v) = storage {
            self.storage = Some(S3Location::parse(&v).ok_or_else(|| file_error("storage", &v, STORAGE_REASON))?);
        }
        if let Some(v) = storage_endpoint {
            self.storage_endpoint = Some(check_public_url(&v).ok_or_else(|| file_error("storage_endpoint", &v, ENDPOINT_REASON))?);
        }
        if storage_region.is_some() {
            self.storage_region = storage_region;
        }
        if storage_access_key_id.is_some() {
            self.storage_access_key_id = storage_access_key_id;
        }
        if storage_secret_access_key.is_some() {
            self.storage_secret_access_key = storage_secret_access_key;
        }
        if let Some(v) = storage_sweep_interval_seconds {
            self.storage_sweep_interval_seconds =
                Some(v).filter(|s| *s > 0).ok_or_else(|| file_error("storage_sweep_interval_seconds", &v.to_string(), SWEEP_INTERVAL_REASON))?;
        }
        if let Some(v) = storage_sweep_grace_seconds {
            self.storage_sweep_grace_seconds = v;
        }
        if let Some(v) = retention_days {
            self.retention_days = Some(v)
                .filter(|d| RETENTION_DAYS.contains(d))
                .ok_or_else(|| file_error("retention_days", &v.to_string(), RETENTION_DAYS_REASON))?;
        }
        if let Some(v) = photo_max_side {
            self.photo_max_side = v;
        }
        if let Some(v) = renewal_window_days {
            if !RENEWAL_WINDOW_DAYS.contains(&v) {
                return Err(ConfigError::File {
                    name: "renewal_window_days",
                    value: v.to_string(),
                    reason: RENEWAL_WINDOW_REASON.into(),
                });
            }
            self.renewal_window_days = v;
        }
        for (name, value, into) in [
            ("renewal_deadline_days", renewal_deadline_days, &mut self.renewal_deadline_days),
            ("renewal_grace_days", renewal_grace_days, &mut self.renewal_grace_days),
        ] {
            if let Some(v) = value {
                if !RENEWAL_DAYS.contains(&v) {
                    return Err(ConfigError::File { name, value: v.to_string(), reason: RENEWAL_DAYS_REASON.into() });
                }
                *into = v;
            }
        }
        if demo_certificates.is_some() {
            self.demo_certificates = demo_certificates;
        }
        if workday_calendar_file.is_some() {
            self.workday_calendar_file = workday_calendar_file;
        }
        if voucher_font.is_some() {
            self.voucher_font = voucher_font;
        }
        if let Some(v) = public_url {
            self.public_url = Some(check_public_url(&v).ok_or_else(|| ConfigError::File {
                name: "public_url",
                value: v.clone(),
                reason: PUBLIC_URL_REASON.into(),
            })?);
        }
        // Checked together once file and environment are applied: each may set only some.
        if let Some(v) = credit_grade_aaa {
            self.credit_thresholds.aaa = v;
        }
        if let Some(v) = credit_grade_aa {
            self.credit_thresholds.aa = v;
        }
        if let Some(v) = credit_grade_a {
            self.credit_thresholds.a = v;
        }
        if wechat_app_id.is_some() {
            self.wechat_app_id = wechat_app_id;
        }
        if wechat_app_secret.is_some() {
            self.wechat_app_secret = wechat_app_secret;
        }
        for (value, into) in [
            (wechat_template_case, &mut self.wechat_template_case),
            (wechat_template_renewal, &mut self.wechat_template_renewal),
            (number_verify_key, &mut self.number_verify_key),
        ] {
            if value.is_some() {
                *into = value.filter(|v| !v.is_empty());
            }
        }
        for (name, value, into) in [
            ("number_token_url", number_token_url, &mut self.number_token_url),
            ("number_verify_url", number_verify_url, &mut self.number_verify_url),
        ] {
            if let Some(v) = value {
                *into = Some(check_public_url(&v).ok_or_else(|| file_error(name, &v, ENDPOINT_REASON))?);
            }
        }
        for (name, value, into) in [
            ("wechat_oauth_base", wechat_oauth_base, &mut self.wechat_oauth_base),
            ("wechat_api_base", wechat_api_base, &mut self.wechat_api_base),
        ] {
            if let Some(v) = value {
                *into = check_public_url(&v).ok_or_else(|| file_error(name, &v, ENDPOINT_REASON))?;
            }
        }
        Ok(())
    }

    /// The message settings that are whole numbers in a range: (file key, environment variable,
    /// range, where it goes).
    fn message_numbers(&mut self) -> [(&'static str, &'static str, std::ops::RangeInclusive<u32>, &mut u32); 3] {
        [
            ("correction_days", "TAXICERT_CORRECTION_DAYS", 1..=60, &mut self.correction_days),
            ("renewal_reminder_days", "TAXICERT_RENEWAL_REMINDER_DAYS", 1..=180, &mut self.renewal_reminder_days),
            ("message_interval_seconds", "TAXICERT_MESSAGE_INTERVAL_SECONDS", 1..=3600, &mut self.message_interval_seconds),
        ]
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn invalid(name: &'static str, value: &str, reason: &str) -> ConfigError {
            ConfigError::Env { name, value: value.into(), reason: reason.into() }
        }
        for (_, name, range, into) in self.message_numbers() {
            if let Some(v) = env(name) {
                *into = v.parse().ok().filter(|v| range.contains(v)).ok_or_else(|| {
                    invalid(name, &v, &format!("expected a number from {} to {}", range.start(), range.end()))
                })?;
            }
        }
        if let Some(v) = env("TAXICERT_BIND") {
            self.bind = v.parse().map_err(|_| invalid("TAXICERT_BIND", &v, "expected ip:port"))?;
        }
        if let Some(v) = env("TAXICERT_DATABASE") {
            self.database = crate::db::Database::parse(&v);
        }
        if let Some(v) = env("TAXICERT_DIST") {
            self.dist = v.into();
        }
        if let Some(v) = env("TAXICERT_BASE_PATH") {
            self.base_path = v;
        }
        if let Some(v) = env("TAXICERT_DEV") {
            self.dev = parse_bool(&v).ok_or_else(|| invalid("TAXICERT_DEV", &v, "expected true or false"))?;
        }
        if let Some(v) = env("TAXICERT_LOG_FORMAT") {
            self.log_format = match v.as_str() {
                "json" => LogFormat::Json,
                "pretty" => LogFormat::Pretty,
                _ => return Err(invalid("TAXICERT_LOG_FORMAT", &v, "expected json or pretty")),
            };
        }
        if let Some(v) = env("TAXICERT_CONNECT_SRC") {
            self.connect_src = v.split_whitespace().map(str::to_owned).collect();
        }
        if let Some(v) = env("TAXICERT_ALLOWED_ORIGINS") {
            self.allowed_origins = v.split_whitespace().map(str::to_owned).collect();
        }
        if let Some(v) = env("TAXICERT_KEY_FILE") {
            self.key_file = v.into();
        }
        if let Some(v) = env("TAXICERT_SMS_DAILY_CAP") {
            self.sms_daily_cap = v.parse().map_err(|_| invalid("TAXICERT_SMS_DAILY_CAP", &v, "expected a number"))?;
        }
        if let Some(v) = env("TAXICERT_SMS_IP_HOURLY_LIMIT") {
            self.sms_ip_hourly_limit =
                v.parse().map_err(|_| invalid("TAXICERT_SMS_IP_HOURLY_LIMIT", &v, "expected a number"))?;
        }
        if let Some(v) = env("TAXICERT_SMS_GATEWAY_URL") {
            self.sms_gateway_url = Some(v);
        }
        if let Some(v) = env("TAXICERT_SMS_GATEWAY_KEY") {
            self.sms_gateway_key = Some(v);
        }
        if let Some(v) = env("TAXICERT_SESSION_IDLE_MINUTES") {
            self.session_idle_minutes =
                v.parse().map_err(|_| invalid("TAXICERT_SESSION_IDLE_MINUTES", &v, "expected a number"))?;
        }
        if let Some(v) = env("TAXICERT_SESSION_ABSOLUTE_HOURS") {
            self.session_absolute_hours =
                v.parse().map_err(|_| invalid("TAXICERT_SESSION_ABSOLUTE_HOURS", &v, "expected a number"))?;
        }
        if let Some(v) = env("TAXICERT_SECURE_COOKIES") {
            self.secure_cookies =
                parse_bool(&v).ok_or_else(|| invalid("TAXICERT_SECURE_COOKIES", &v, "expected true or false"))?;
        }
        if let Some(v) = env("TAXICERT_TRUST_FORWARDED_FOR") {
            self.trust_forwarded_for =
                parse_bool(&v).ok_or_else(|| invalid("TAXICERT_TRUST_FORWARDED_FOR", &v, "expected true or false"))?;
        }
        if let Some(v) = env("TAXICERT_REALNAME_AUTO_APPROVE") {
            self.realname_auto_approve = parse_bool(&v)
                .ok_or_else(|| invalid("TAXICERT_REALNAME_AUTO_APPROVE", &v, "expected true or false"))?;
        }
        if let Some(v) = env("TAXICERT_UPLOAD_DIR") {
            self.upload_dir = v.into();
        }
        if let Some(v) = env("TAXICERT_STORAGE") {
            // Empty: back to the local folder.
            self.storage = if v.is_empty() {
                None
            } else {
                Some(S3Location::parse(&v).ok_or_else(|| invalid("TAXICERT_STORAGE", &v, STORAGE_REASON))?)
            };
        }
        if let Some(v) = env("TAXICERT_STORAGE_ENDPOINT") {
            self.storage_endpoint = Some(check_public_url(&v).ok_or_else(|| invalid("TAXICERT_STORAGE_ENDPOINT", &v, ENDPOINT_REASON))?);
        }
        if let Some(v) = env("TAXICERT_STORAGE_REGION") {
            self.storage_region = Some(v);
        }
        if let Some(v) = env("TAXICERT_STORAGE_ACCESS_KEY_ID") {
            self.storage_access_key_id = Some(v);
        }
        if let Some(v) = env("TAXICERT_STORAGE_SECRET_ACCESS_KEY") {
            self.storage_secret_access_key = Some(v);
        }
        if let Some(v) = env("TAXICERT_STORAGE_SWEEP_INTERVAL_SECONDS") {
            self.storage_sweep_interval_seconds = v
                .parse()
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| invalid("TAXICERT_STORAGE_SWEEP_INTERVAL_SECONDS", &v, SWEEP_INTERVAL_REASON))?;
        }
        if let Some(v) = env("TAXICERT_STORAGE_SWEEP_GRACE_SECONDS") {
            self.storage_sweep_grace_seconds =
                v.parse().map_err(|_| invalid("TAXICERT_STORAGE_SWEEP_GRACE_SECONDS", &v, "expected a number of seconds"))?;
        }
        if let Some(v) = env("TAXICERT_RETENTION_DAYS") {
            self.retention_days = v
                .parse()
                .ok()
                .filter(|d| RETENTION_DAYS.contains(d))
                .ok_or_else(|| invalid("TAXICERT_RETENTION_DAYS", &v, RETENTION_DAYS_REASON))?;
        }
        if let Some(v) = env("TAXICERT_PHOTO_MAX_SIDE") {
            self.photo_max_side = v.parse().ok().filter(|side| (256..=8192).contains(side)).ok_or_else(|| {
                invalid("TAXICERT_PHOTO_MAX_SIDE", &v, "expected a number of pixels from 256 to 8192")
            })?;
        }
        if let Some(v) = env("TAXICERT_RENEWAL_WINDOW_DAYS") {
            self.renewal_window_days = v
                .parse()
                .ok()
                .filter(|days| RENEWAL_WINDOW_DAYS.contains(days))
                .ok_or_else(|| invalid("TAXICERT_RENEWAL_WINDOW_DAYS", &v, RENEWAL_WINDOW_REASON))?;
        }
        for (name, into) in [
            ("TAXICERT_RENEWAL_DEADLINE_DAYS", &mut self.renewal_deadline_days),
            ("TAXICERT_RENEWAL_GRACE_DAYS", &mut self.renewal_grace_days),
        ] {
            if let Some(v) = env(name) {
                *into = v
                    .parse()
                    .ok()
                    .filter(|days| RENEWAL_DAYS.contains(days))
                    .ok_or_else(|| invalid(name, &v, RENEWAL_DAYS_REASON))?;
            }
        }
        if let Some(v) = env("TAXICERT_DEMO_CERTIFICATES") {
            self.demo_certificates = Some(
                parse_bool(&v).ok_or_else(|| invalid("TAXICERT_DEMO_CERTIFICATES", &v, "expected true or false"))?,
            );
        }
        if let Some(v) = env("TAXICERT_WORKDAY_CALENDAR_FILE") {
            self.workday_calendar_file = Some(v.into());
        }
        if let Some(v) = env("TAXICERT_VOUCHER_FONT") {
            self.voucher_font = Some(v.into());
        }
        if let Some(v) = env("TAXICERT_PUBLIC_URL") {
            self.public_url =
                Some(check_public_url(&v).ok_or_else(|| invalid("TAXICERT_PUBLIC_URL", &v, PUBLIC_URL_REASON))?);
        }
        for (name, slot) in [
            ("TAXICERT_CREDIT_GRADE_AAA", &mut self.credit_thresholds.aaa),
            ("TAXICERT_CREDIT_GRADE_AA", &mut self.credit_thresholds.aa),
            ("TAXICERT_CREDIT_GRADE_A", &mut self.credit_thresholds.a),
        ] {
            if let Some(v) = env(name) {
                *slot = v.parse().map_err(|_| invalid(name, &v, "expected a number of points from 1 to 30"))?;
            }
        }
        if let Some(v) = env("TAXICERT_WECHAT_APP_ID") {
            self.wechat_app_id = Some(v).filter(|v| !v.is_empty());
        }
        if let Some(v) = env("TAXICERT_WECHAT_APP_SECRET") {
            self.wechat_app_secret = Some(v).filter(|v| !v.is_empty());
        }
        for (name, into) in [
            ("TAXICERT_NUMBER_TOKEN_URL", &mut self.number_token_url),
            ("TAXICERT_NUMBER_VERIFY_URL", &mut self.number_verify_url),
        ] {
            if let Some(v) = env(name) {
                *into = Some(check_public_url(&v).ok_or_else(|| invalid(name, &v, ENDPOINT_REASON))?);
            }
        }
        for (name, into) in [
            ("TAXICERT_WECHAT_TEMPLATE_CASE", &mut self.wechat_template_case),
            ("TAXICERT_WECHAT_TEMPLATE_RENEWAL", &mut self.wechat_template_renewal),
            ("TAXICERT_NUMBER_VERIFY_KEY", &mut self.number_verify_key),
        ] {
            if let Some(v) = env(name) {
                *into = Some(v).filter(|v| !v.is_empty());
            }
        }
        for (name, into) in [
            ("TAXICERT_WECHAT_OAUTH_BASE", &mut self.wechat_oauth_base),
            ("TAXICERT_WECHAT_API_BASE", &mut self.wechat_api_base),
        ] {
            if let Some(v) = env(name) {
                *into = check_public_url(&v).ok_or_else(|| invalid(name, &v, ENDPOINT_REASON))?;
            }
        }
        Ok(())
    }
}

impl Config {
    /// Whether fictional certificates are made up: as configured, else in dev mode only.
    pub fn demo_certificates(&self) -> bool {
        self.demo_certificates.unwrap_or(self.dev)
    }

    /// The gateway's address and key, when 本机号码一键登录 is configured (the token address too).
    pub fn number_verifier(&self) -> Option<(&str, &str)> {
        self.number_token_url.as_ref()?;
        Some((self.number_verify_url.as_deref()?, self.number_verify_key.as_deref()?))
    }

    /// The 公众号's AppID and AppSecret, when WeChat sign-in is configured.
    pub fn wechat(&self) -> Option<(&str, &str)> {
        Some((self.wechat_app_id.as_deref()?, self.wechat_app_secret.as_deref()?))
    }
}

/// The grades must be reachable and ordered: AAA > AA > A > 0, and AAA at most 30 points (20
/// base + 10 bonus), else a grade could never be given or two would overlap.
fn check_credit_thresholds(t: &taxicert_api::CreditThresholds) -> Result<(), String> {
    if !(t.aaa > t.aa && t.aa > t.a && t.a > 0 && t.aaa <= 30) {
        return Err(format!(
            "AAA {} > AA {} > A {} > 0 and AAA ≤ 30 points are required (defaults 20, 11, 4)",
            t.aaa, t.aa, t.a
        ));
    }
    Ok(())
}

/// An S3 bucket and the prefix under which the photos are kept in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// Without slashes at either end; empty for the bucket's root.
    pub prefix: String,
}

impl S3Location {
    /// `s3://bucket` or `s3://bucket/some/prefix/`.
    fn parse(v: &str) -> Option<S3Location> {
        let rest = v.trim().strip_prefix("s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_bucket = !bucket.is_empty() && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        valid_bucket.then(|| S3Location { bucket: bucket.into(), prefix: prefix.trim_matches('/').into() })
    }
}

const STORAGE_REASON: &str = "expected s3://bucket or s3://bucket/prefix (leave it unset to keep photos in upload_dir)";
const ENDPOINT_REASON: &str = "expected an http:// or https:// address such as https://s3.example.com";
const SWEEP_INTERVAL_REASON: &str = "expected a number of seconds, at least 1";
/// How long the photos of an abandoned draft are kept.
const RETENTION_DAYS: std::ops::RangeInclusive<u32> = 1..=3650;
const RETENTION_DAYS_REASON: &str = "expected a number of days from 1 to 3650";

const PUBLIC_URL_REASON: &str = "expected an http:// or https:// address such as https://example.gov.cn/taxicert";

/// An `http(s)://` address without the trailing `/`, so that `{public_url}/verify/…` is right.
fn check_public_url(v: &str) -> Option<String> {
    let trimmed = v.trim().trim_end_matches('/');
    let rest = trimmed.strip_prefix("https://").or_else(|| trimmed.strip_prefix("http://"))?;
    (!rest.is_empty() && !rest.contains(char::is_whitespace) && !rest.contains(['?', '#'])).then(|| trimmed.to_owned())
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "true" | "yes" => Some(true),
        "0" | "false" | "no" => Some(false),
        _ => None,
    }
}

/// `taxicert`, `/taxicert` and `/taxicert/` all mean `/taxicert/`; empty means `/`.
pub fn normalize_base_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        format!("/{trimmed}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_serve_on_localhost_8080_with_a_file_under_data() {
        let c = Config::load(None, env_of(&[])).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database, crate::db::Database::Sqlite(PathBuf::from("data/taxicert.sqlite3")));
        assert!(!c.dev);
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taxicert.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:9000\"\ndev = true\nbase_path = \"sub\"\n").unwrap();
        let c = Config::load(Some(&file), env_of(&[("TAXICERT_BIND", "0.0.0.0:7000")])).unwrap();
        assert_eq!(c.bind.to_string(), "0.0.0.0:7000");
        assert!(c.dev);
        assert_eq!(c.base_path, "/sub/");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = Config::load(None, env_of(&[("TAXICERT_DEV", "maybe")])).unwrap_err();
        assert!(err.to_string().contains("TAXICERT_DEV"), "{err}");
        let err = Config::load(None, env_of(&[("TAXICERT_BIND", "localhost")])).unwrap_err();
        assert!(err.to_string().contains("TAXICERT_BIND"), "{err}");
    }

    #[test]
    fn the_renewal_window_is_one_to_365_days() {
        assert_eq!(Config::load(None, env_of(&[])).unwrap().renewal_window_days, 90);
        let c = Config::load(None, env_of(&[("TAXICERT_RENEWAL_WINDOW_DAYS", "365")])).unwrap();
        assert_eq!(c.renewal_window_days, 365);
        for bad in ["0", "366", "-1", "ninety"] {
            let err = Config::load(None, env_of(&[("TAXICERT_RENEWAL_WINDOW_DAYS", bad)])).unwrap_err();
            assert!(err.to_string().contains("TAXICERT_RENEWAL_WINDOW_DAYS"), "{err}");
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taxicert.toml");
        std::fs::write(&file, "renewal_window_days = 0\n").unwrap();
        let err = Config::load(Some(&file), env_of(&[])).unwrap_err();
        assert!(err.to_string().contains("renewal_window_days"), "{err}");
        std::fs::write(&file, "renewal_window_days = 31\n").unwrap();
        assert_eq!(Config::load(Some(&file), env_of(&[])).unwrap().renewal_window_days, 31);
    }

    #[test]
    fn credit_thresholds_default_to_the_assessment_rules_and_must_decrease() {
        let c = Config::load(None, env_of(&[])).unwrap();
        assert_eq!(c.credit_thresholds, taxicert_api::CreditThresholds { aaa: 20, aa: 11, a: 4 });
        let c = Config::load(None, env_of(&[("TAXICERT_CREDIT_GRADE_A", "6")])).unwrap();
        assert_eq!(c.credit_thresholds.a, 6);
        for bad in [
            vec![("TAXICERT_CREDIT_GRADE_A", "0")],
            vec![("TAXICERT_CREDIT_GRADE_AAA", "31")],
            vec![("TAXICERT_CREDIT_GRADE_AA", "20")],
            vec![("TAXICERT_CREDIT_GRADE_A", "11")],
        ] {
            let err = Config::load(None, env_of(&bad)).unwrap_err();
            assert!(matches!(err, ConfigError::CreditThresholds(_)), "{bad:?}: {err}");
        }
        let err = Config::load(None, env_of(&[("TAXICERT_CREDIT_GRADE_AA", "many")])).unwrap_err();
        assert!(err.to_string().contains("TAXICERT_CREDIT_GRADE_AA"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taxicert.toml");
        std::fs::write(&file, "credit_grade_aaa = 25\ncredit_grade_aa = 15\n").unwrap();
        let c = Config::load(Some(&file), env_of(&[])).unwrap();
        assert_eq!(c.credit_thresholds, taxicert_api::CreditThresholds { aaa: 25, aa: 15, a: 4 });
        std::fs::write(&file, "credit_grade_aa = 3\n").unwrap();
        assert!(Config::load(Some(&file), env_of(&[])).unwrap_err().to_string().contains("credit_grade_aa"));
    }

    #[test]
    fn the_renewal_deadline_and_grace_are_days_and_the_deadline_falls_inside_the_window() {
        let c = Config::load(None, env_of(&[])).unwrap();
        assert_eq!((c.renewal_window_days, c.renewal_deadline_days, c.renewal_grace_days), (90, 30, 180));
        let c = Config::load(None, env_of(&[("TAXICERT_RENEWAL_DEADLINE_DAYS", "0"), ("TAXICERT_RENEWAL_GRACE_DAYS", "365")]))
            .unwrap();
        assert_eq!((c.renewal_deadline_days, c.renewal_grace_days), (0, 365));
        for name in ["TAXICERT_RENEWAL_DEADLINE_DAYS", "TAXICERT_RENEWAL_GRACE_DAYS"] {
            for bad in ["366", "-1", "thirty", ""] {
                let err = Config::load(None, env_of(&[(name, bad)])).unwrap_err();
                assert!(err.to_string().contains(name), "{err}");
            }
        }
        let err = Config::load(None, env_of(&[("TAXICERT_RENEWAL_WINDOW_DAYS", "30")])).unwrap_err();
        assert!(matches!(err, ConfigError::RenewalDeadline { deadline: 30, window: 30 }), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taxicert.toml");
        std::fs::write(&file, "renewal_grace_days = 400\n").unwrap();
        let err = Config::load(Some(&file), env_of(&[])).unwrap_err();
        assert!(err.to_string().contains("renewal_grace_days"), "{err}");
        std::fs::write(&file, "renewal_window_days = 60\nrenewal_deadline_days = 10\nrenewal_grace_days = 90\n").unwrap();
        let c = Config::load(Some(&file), env_of(&[])).unwrap();
        assert_eq!((c.renewal_window_days, c.renewal_deadline_days, c.renewal_grace_days), (60, 10, 90));
    }

    #[test]
    fn demo_certificates_follow_dev_mode_unless_set() {
        assert!(!Config::load(None, env_of(&[])).unwrap().demo_certificates());
        assert!(Config::load(None, env_of(&[("TAXICERT_DEV", "true")])).unwrap().demo_certificates());
        let off =
            Config::load(None, env_of(&[("TAXICERT_DEV", "true"), ("TAXICERT_DEMO_CERTIFICATES", "false")])).unwrap();
        assert!(!off.demo_certificates());
        let err = Config::load(None, env_of(&[("TAXICERT_DEMO_CERTIFICATES", "sometimes")])).unwrap_err();
        assert!(err.to_string().contains("TAXICERT_DEMO_CERTIFICATES"), "{err}");
    }

    #[test]
    fn a_broken_workday_calendar_stops_the_start_and_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("workdays.txt");
        std::fs::write(&file, "year 2027\noff 2027-01-01\nwork 2027-01-05\n").unwrap();
        let path = file.to_str().unwrap();
        let err = Config::load(None, env_of(&[("TAXICERT_WORKDAY_CALENDAR_FILE", path)])).unwrap_err();
        assert!(matches!(err, ConfigError::Calendar(_)), "{err}");
        assert!(err.to_string().contains("line 3"), "{err}");
        let missing = dir.path().join("none.txt");
        let err =
            Config::load(None, env_of(&[("TAXICERT_WORKDAY_CALENDAR_FILE", missing.to_str().unwrap())])).unwrap_err();
        assert!(err.to_string().contains("none.txt"), "{err}");
    }

    #[test]
    fn the_public_url_is_an_http_address_without_its_last_slash() {
        let c = Config::load(None, env_of(&[("TAXICERT_PUBLIC_URL", "https://example.gov.cn/taxicert/")])).unwrap();
        assert_eq!(c.public_url.as_deref(), Some("https://example.gov.cn/taxicert"));
        assert_eq!(Config::load(None, env_of(&[])).unwrap().public_url, None);
        for bad in ["example.gov.cn", "ftp://x", "https://", "https://a b"] {
            let err = Config::load(None, env_of(&[("TAXICERT_PUBLIC_URL", bad)])).unwrap_err();
            assert!(err.to_string().contains("TAXICERT_PUBLIC_URL"), "{err}");
        }
        let c = Config::load(None, env_of(&[("TAXICERT_VOUCHER_FONT", "/fonts/x.ttc")])).unwrap();
        assert_eq!(c.voucher_font, Some(PathBuf::from("/fonts/x.ttc")));
    }

    #[test]
    fn storage_is_the_upload_folder_unless_an_s3_bucket_is_named() {
        let c = Config::load(None, env_of(&[])).unwrap();
        assert_eq!((c.storage, c.retention_days, c.storage_sweep_interval_seconds), (None, 30, 3600));
        let c = Config::load(
            None,
            env_of(&[("TAXICERT_STORAGE", "s3://photos/taxicert/uploads/"), ("TAXICERT_STORAGE_ENDPOINT", "http://127.0.0.1:9000/")]),
        )
        .unwrap();
        assert_eq!(c.storage, Some(S3Location { bucket: "photos".into(), prefix: "taxicert/uploads".into() }));
        assert_eq!(c.storage_endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        for (name, bad) in [
            ("TAXICERT_STORAGE", "/srv/photos"),
            ("TAXICERT_STORAGE", "s3://"),
            ("TAXICERT_STORAGE", "s3://Bad_Bucket"),
            ("TAXICERT_STORAGE_ENDPOINT", "s3.example.com"),
            ("TAXICERT_STORAGE_SWEEP_INTERVAL_SECONDS", "0"),
            ("TAXICERT_RETENTION_DAYS", "0"),
        ] {
            let err = Config::load(None, env_of(&[(name, bad)])).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taxicert.toml");
        std::fs::write(&file, "storage = \"s3://photos\"\nstorage_region = \"cn-north-1\"\nretention_days = 90\n").unwrap();
        let c = Config::load(Some(&file), env_of(&[])).unwrap();
        assert_eq!(c.storage, Some(S3Location { bucket: "photos".into(), prefix: String::new() }));
        assert_eq!((c.storage_region.as_deref(), c.retention_days), (Some("cn-north-1"), 90));
    }

    #[test]
    fn wechat_sign_in_needs_both_app_id_and_secret_and_its_bases_are_addresses() {
        let c = Config::load(None, env_of(&[("TAXICERT_WECHAT_APP_ID", "wx123")])).unwrap();
        assert_eq!(c.wechat(), None);
        assert_eq!((c.wechat_oauth_base.as_str(), c.wechat_api_base.as_str()), ("https://open.weixin.qq.com", "https://api.weixin.qq.com"));
        let c = Config::load(
            None,
            env_of(&[("TAXICERT_WECHAT_APP_ID", "wx123"), ("TAXICERT_WECHAT_APP_SECRET", "s"), ("TAXICERT_WECHAT_API_BASE", "http://127.0.0.1:9/")]),
        )
        .unwrap();
        assert_eq!(c.wechat(), Some(("wx123", "s")));
        assert_eq!(c.wechat_api_base, "http://127.0.0.1:9");
        let err = Config::load(None, env_of(&[("TAXICERT_WECHAT_OAUTH_BASE", "open.weixin.qq.com")])).unwrap_err();
        assert!(err.to_string().contains("TAXICERT_WECHAT_OAUTH_BASE"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taxicert.toml");
        std::fs::write(&file, "wechat_app_id = \"wx1\"\nwechat_app_secret = \"s1\"\n").unwrap();
        assert_eq!(Config::load(Some(&file), env_of(&[])).unwrap().wechat(), Some(("wx1", "s1")));
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taxicert.toml");
        std::fs::write(&file, "bnid = \"127.0.0.1:9000\"\n").unwrap();
        let err = Config::load(Some(&file), env_of(&[])).unwrap_err();
        assert!(matches!(err, ConfigError::Parse { .. }), "{err}");
    }

    #[test]
    fn base_paths_are_normalized() {
        assert_eq!(normalize_base_path(""), "/");
        assert_eq!(normalize_base_path("/"), "/");
        assert_eq!(normalize_base_path("a/b"), "/a/b/");
        assert_eq!(normalize_base_path("/a/"), "/a/");
    }

    #[test]
    fn the_message_settings_have_defaults_and_ranges() {
        let c = Config::load(None, env_of(&[])).unwrap();
        assert_eq!((c.correction_days, c.renewal_reminder_days, c.message_interval_seconds), (15, 7, 60));
        let c = Config::load(None, env_of(&[("TAXICERT_CORRECTION_DAYS", "10"), ("TAXICERT_MESSAGE_INTERVAL_SECONDS", "1")]))
            .unwrap();
        assert_eq!((c.correction_days, c.message_interval_seconds), (10, 1));
        let err = Config::load(None, env_of(&[("TAXICERT_CORRECTION_DAYS", "0")])).unwrap_err();
        assert!(err.to_string().contains("from 1 to 60"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("taxicert.toml");
        std::fs::write(&file, "renewal_reminder_days = 30\n").unwrap();
        assert_eq!(Config::load(Some(&file), env_of(&[])).unwrap().renewal_reminder_days, 30);
        std::fs::write(&file, "renewal_reminder_days = 181\n").unwrap();
        let err = Config::load(Some(&file), env_of(&[])).unwrap_err();
        assert!(err.to_string().contains("renewal_reminder_days"), "{err}");
    }
}
