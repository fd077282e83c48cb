//! The taxicert reference backend: the REST contract of `openapi.yaml` on axum + SQLite,
//! and the built SPA served beside it.

pub mod account_move;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod catalogue;
pub mod certificates;
pub mod clock;
pub mod config;
pub mod contract;
pub mod crypto;
pub mod db;
pub mod divisions;
pub mod drafts;
pub mod error;
pub mod health;
pub mod housekeeping;
pub mod idcard;
pub mod messages;
pub mod photo_check;
pub mod realname;
pub mod secrets;
pub mod sms;
pub mod staff;
pub mod storage;
pub mod uploads;
pub mod vouchers;
pub mod web;
pub mod wechat;
pub mod number_login;
pub mod wizard;
pub mod workdays;

use std::{net::SocketAddr, sync::Arc};

use axum::{middleware, response::IntoResponse, routing::any, Router};
use sqlx::AnyPool;
use taxicert_api::API_PREFIX;
use tokio::net::TcpListener;
use tower_http::{compression::CompressionLayer, trace::TraceLayer};
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use clock::{Clock, SystemClock};
pub use config::Config;
use error::AppError;
use secrets::Secrets;
use sms::{DevSender, HttpGatewaySender, SmsSender};

#[derive(Clone)]
pub struct AppState {
    pub db: AnyPool,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub secrets: Secrets,
    pub sms: Arc<dyn SmsSender>,
    /// The dev sender's outbox, in dev mode only.
    pub dev_outbox: Option<Arc<DevSender>>,
    pub vault: crypto::Vault,
    pub reader: Arc<dyn idcard::IdCardReader>,
    /// Where the photos are kept.
    pub storage: storage::Storage,
    /// Wakes this replica's message schedule (see `messages`): a clerk's action has written a message.
    pub messages: Arc<tokio::sync::Notify>,
    /// The carrier number-verification gateway of 本机号码一键登录, when configured.
    pub numbers: Option<Arc<dyn number_login::NumberVerifier>>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "taxicert API",
        description = "出租汽车驾驶员从业资格证网上办理：补发、换发、变更、注销、服务质量信誉考核。\n\n\
                       Every error answer is `ErrorBody`: a stable `code` and a Chinese `message` for the user.",
        license(name = "MIT")
    ),
    tags(
        (name = "catalogue", description = "The businesses, their notices and materials"),
        (name = "account", description = "Phone + SMS code login and sessions. State-changing requests must send the header `X-Taxicert-Csrf: 1`."),
        (name = "uploads", description = "Photos of the materials, re-checked and stored by the server"),
        (name = "wizard", description = "Applying for a business step by step: the user's certificates, the service halls, the profile that prefills the form, and the draft saved per step. Everything but the service halls needs a session and an approved real-name check (403 `realname_required`)."),
        (name = "cases", description = "Submitting a draft as a case (办件) and the user's cases; a session and an approved real-name check are needed"),
        (name = "staff", description = "The staff console (业务办理人员): username + password login with its own HttpOnly, SameSite=Strict cookie (5 wrong passwords in a row for one username from one address pause it there for 15 minutes, the same answer whether the username exists or not), the real-name review queue, the case queue with search, and the accounts. Every endpoint needs a staff session (401 `staff_unauthenticated`; 403 `staff_only` for a driver's session); decisions, actions and ID-card photos need the role `clerk`, account management the role `admin` (403 `staff_role`). Only a clerk sees full ID numbers."),
        (name = "messages", description = "The driver's 消息: the news of his cases and the 换发 reminders, also sent by SMS; and whether he wants the reminders. A session is needed."),
        (name = "operations", description = "Health and operations"),
        (name = "dev", description = "Development mode only"),
    )
)]
struct ApiDoc;

/// The API routes together with their OpenAPI description, so that the two cannot disagree.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest(
        API_PREFIX,
        OpenApiRouter::new()
            .routes(routes!(health::health))
            .routes(routes!(catalogue::list_businesses))
            .routes(routes!(catalogue::get_business))
            .routes(routes!(auth::send_sms_code))
            .routes(routes!(auth::session, auth::login, auth::logout))
            .routes(routes!(auth::dev_sms_outbox))
            .routes(routes!(wechat::authorize))
            .routes(routes!(wechat::sign_in))
            .routes(routes!(wechat::avatar))
            .routes(routes!(wechat::unbind))
            .routes(routes!(number_login::number_login))
            .routes(routes!(realname::realname_state))
            .routes(routes!(realname::submit_realname))
            .routes(routes!(account_move::account_move))
            .routes(routes!(account_move::send_account_move_code))
            .routes(routes!(account_move::confirm_account_move))
            .routes(routes!(account_move::ask_account_move_review))
            .merge(
                OpenApiRouter::new()
                    .routes(routes!(realname::read_id_card))
                    .layer(axum::extract::DefaultBodyLimit::max(realname::UPLOAD_BODY_LIMIT)),
            )
            .merge(
                OpenApiRouter::new()
                    .routes(routes!(uploads::upload_photo))
                    .layer(axum::extract::DefaultBodyLimit::max(uploads::UPLOAD_BODY_LIMIT)),
            )
            .routes(routes!(uploads::get_upload_image))
            .routes(routes!(uploads::delete_upload))
            .routes(routes!(certificates::list_certificates))
            .routes(routes!(wizard::list_service_halls))
            .routes(routes!(wizard::get_profile))
            .routes(routes!(drafts::list_drafts))
            .routes(routes!(drafts::get_draft, drafts::save_step, drafts::delete_draft))
            .routes(routes!(cases::submit_case, cases::list_cases))
            // Driver's case routes (cases.rs, vouchers.rs) go here.
            .routes(routes!(cases::get_case))
            .routes(routes!(cases::withdraw_case))
            .routes(routes!(cases::resubmit_case))
            .routes(routes!(vouchers::download_voucher))
            .routes(routes!(vouchers::voucher_image))
            .routes(routes!(vouchers::check_voucher))
            .routes(routes!(messages::list_messages))
            .routes(routes!(messages::unread_messages))
            .routes(routes!(messages::mark_messages_read))
            .routes(routes!(messages::get_settings, messages::put_settings))
            // Staff routes (staff/) go here.
            .routes(routes!(staff::session::staff_session, staff::session::staff_login, staff::session::staff_logout))
            .routes(routes!(staff::admin::staff_change_password))
            .routes(routes!(staff::admin::staff_accounts, staff::admin::staff_account_create))
            .routes(routes!(staff::admin::staff_account_role))
            .routes(routes!(staff::admin::staff_account_password))
            .routes(routes!(staff::admin::staff_account_unlock))
            .routes(routes!(staff::admin::staff_account_disable))
            .routes(routes!(staff::realname::staff_realname_queue))
            .routes(routes!(staff::realname::staff_realname_review))
            .routes(routes!(staff::realname::staff_realname_photo))
            .routes(routes!(staff::realname::staff_realname_decide))
            .routes(routes!(account_move::staff_account_move_queue))
            .routes(routes!(account_move::staff_account_move))
            .routes(routes!(account_move::staff_account_move_photo))
            .routes(routes!(account_move::staff_account_move_decide))
            .routes(routes!(staff::cases::staff_case_queue))
            .routes(routes!(staff::reports::staff_case_counts))
            .routes(routes!(staff::reports::staff_cases_export))
            .routes(routes!(staff::reports::staff_clerk_report))
            .routes(routes!(staff::cases::staff_case))
            .routes(routes!(staff::cases::staff_case_photo))
            .routes(routes!(staff::cases::staff_case_action)),
    )
}

/// The routes and the contract they fulfil, with the answers common to each kind of operation.
fn routes_and_contract() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, mut spec) = api().split_for_parts();
    contract::complete(&mut spec);
    (routes, spec)
}

/// The contract as served, in YAML: what `openapi.yaml` must say.
pub fn openapi_yaml() -> String {
    let (_, spec) = routes_and_contract();
    spec.to_yaml().expect("the OpenAPI document serialises")
}

/// Every operation of the contract as (method, path under the API prefix): the
/// authorization tests walk this list, so that a new endpoint cannot be left out of them.
pub fn api_operations() -> Vec<(&'static str, String)> {
    let (_, spec) = routes_and_contract();
    let mut operations = Vec::new();
    for (path, item) in spec.paths.paths {
        let path = path.strip_prefix(API_PREFIX).unwrap_or(&path).to_owned();
        for (method, operation) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ] {
            if operation.is_some() {
                operations.push((method, path.clone()));
            }
        }
    }
    operations
}

/// The whole application: API, SPA, headers, request logs.
pub fn app(state: AppState) -> Router {
    let config = state.config.clone();
    // The phone fetches its carrier token itself (本机号码一键登录): the page may connect there.
    let mut connect_src = config.connect_src.clone();
    if let Some(origin) = config.number_verifier().and(config.number_token_url.as_deref()).and_then(web::origin_of) {
        connect_src.push(origin);
    }
    let shell = web::Shell::load(&config.dist, &config.base_path, &connect_src);
    let (api_routes, _) = api().split_for_parts();
    // The order matters: each `layer` wraps what is routed so far. The CSRF guard wraps the
    // operations only, so that an unlisted method (405, with `Allow`) or path (404) is
    // answered as such; it must come before `method_not_allowed_fallback`, which replaces the
    // fallbacks it would wrap.
    let api_routes = api_routes
        .layer(middleware::from_fn_with_state(state.clone(), auth::csrf_guard))
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed.into_response() })
        .route("/api", any(|| async { AppError::NotFound }))
        .route("/api/{*rest}", any(|| async { AppError::NotFound }))
        .layer(middleware::from_fn(error::json_errors))
        // JSON answers are compressed as they go; the app's files were compressed by the build.
        .layer(CompressionLayer::new())
        .with_state(state);
    let spa = web::spa_service(&config.dist, shell.clone());
    let router = if config.base_path == "/" {
        api_routes.fallback_service(spa)
    } else {
        let base = config.base_path.trim_end_matches('/').to_owned();
        let redirect_to = config.base_path.clone();
        api_routes
            .route(&base, any(move || async move { axum::response::Redirect::permanent(&redirect_to) }))
            .nest_service(&config.base_path, spa)
            .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "Not Found") })
    };
    router.layer(middleware::from_fn_with_state(shell, web::headers)).layer(TraceLayer::new_for_http().make_span_with(
        |request: &axum::http::Request<_>| {
            // The path only: query strings are never logged.
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        },
    ))
}

/// A server that has bound its socket and is accepting connections.
pub struct Running {
    pub addr: SocketAddr,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Opens the database, binds the socket and serves until `shutdown` completes.
pub async fn start(
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<Running, StartError> {
    start_with_clock(config, Arc::new(SystemClock), shutdown).await
}

/// [`start`] with a clock of the caller's: the tests move time by hand.
pub async fn start_with_clock(
    config: Config,
    clock: Arc<dyn Clock>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<Running, StartError> {
    let storage = storage::Storage::open(&config).map_err(StartError::Storage)?;
    start_with_storage(config, clock, storage, shutdown).await
}

/// [`start_with_clock`] with a store of the caller's: the tests make one fail as a full disk.
pub async fn start_with_storage(
    config: Config,
    clock: Arc<dyn Clock>,
    storage: storage::Storage,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<Running, StartError> {
    let secrets = Secrets::load(&config.key_file, config.dev).map_err(StartError::Secrets)?;
    let (sms, dev_outbox): (Arc<dyn SmsSender>, Option<Arc<DevSender>>) = match (&config.sms_gateway_url, config.dev) {
        (Some(url), _) => {
            let key = config.sms_gateway_key.clone().ok_or(StartError::SmsGatewayKey)?;
            (Arc::new(HttpGatewaySender::new(url.clone(), key)), None)
        }
        (None, true) => {
            let dev = Arc::new(DevSender::default());
            (dev.clone(), Some(dev))
        }
        (None, false) => return Err(StartError::SmsGateway),
    };
    // Said at startup, not at the first driver's download: vouchers need a CJK font.
    vouchers::check_font(&config);
    let db = db::open(&config.database).await.map_err(StartError::Database)?;
    let listener = TcpListener::bind(config.bind).await.map_err(StartError::Bind)?;
    let addr = listener.local_addr().map_err(StartError::Bind)?;
    let vault = crypto::Vault::new(&secrets);
    realname::reencode_legacy_photos(&db, &vault, config.photo_max_side).await.map_err(StartError::Database)?;
    realname::backfill_holder_keys(&db, &vault, &secrets).await.map_err(StartError::Database)?;
    realname::backfill_name_keys(&db, &vault, &secrets).await.map_err(StartError::Database)?;
    cases::backfill_certificate_ids(&db, &vault).await.map_err(StartError::Database)?;
    cases::backfill_hall_ids(&db, &vault).await.map_err(StartError::Database)?;
    let reader = Arc::new(idcard::TesseractReader);
    let numbers = config.number_verifier().map(|(url, key)| {
        Arc::new(number_login::HttpNumberVerifier::new(url.to_owned(), key.to_owned())) as Arc<dyn number_login::NumberVerifier>
    });
    let nudge = Arc::new(tokio::sync::Notify::new());
    let state = AppState {
        db: db.clone(),
        config: Arc::new(config),
        clock,
        secrets,
        sms,
        dev_outbox,
        vault,
        reader,
        storage,
        messages: nudge,
        numbers,
    };
    // Before the first answer: what a crash left is gone, and no answer names it.
    housekeeping::run(&state).await;
    let schedule = housekeeping::spawn_schedule(state.clone());
    let message_schedule = messages::spawn_schedule(state.clone());
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
        schedule.abort();
        message_schedule.abort();
        db.close().await;
        served
    });
    Ok(Running { addr, task })
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database: {0}")]
    Database(sqlx::Error),
    #[error("{0}")]
    Storage(storage::StorageError),
    #[error("cannot listen: {0}")]
    Bind(std::io::Error),
    #[error("{0}")]
    Secrets(secrets::SecretsError),
    #[error("no SMS gateway: set sms_gateway_url and sms_gateway_key (TAXICERT_SMS_GATEWAY_URL, TAXICERT_SMS_GATEWAY_KEY), or run in dev mode")]
    SmsGateway,
    #[error("sms_gateway_url is set but sms_gateway_key is not (TAXICERT_SMS_GATEWAY_KEY)")]
    SmsGatewayKey,
}
