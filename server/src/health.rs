use axum::{extract::State, Json};
use taxicert_api::{ErrorBody, Health};

use crate::{error::AppResult, AppState};

/// Answers when the server and its database do; for load balancers and `make run`. A photo
/// store that cannot be written makes it `degraded` (still 200: everything but storing and
/// showing photos works), with the reason.
#[utoipa::path(
    get,
    path = "/health",
    tag = "operations",
    operation_id = "health",
    responses(
        (status = 200, description = "The server and its database answer: `ok`, or `degraded` with `reason` when the photo store cannot be written", body = Health),
        (status = 500, description = "The database does not answer", body = ErrorBody),
    )
)]
pub async fn health(State(state): State<AppState>) -> AppResult<Json<Health>> {
    sqlx::query("SELECT 1").execute(&state.db).await?;
    let fault = state.storage.probe().await;
    Ok(Json(Health {
        status: if fault.is_some() { "degraded" } else { "ok" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        database: "ok".into(),
        storage: fault.map_or("ok", |f| f.as_str()).into(),
        reason: fault.map(|f| f.reason().into()),
    }))
}
