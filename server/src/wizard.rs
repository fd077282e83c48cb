//! What the wizard's personal-info step shows besides the form: the service halls to collect
//! a certificate at, and the verified user's own details to prefill it.

use axum::{extract::State, Json};
use sqlx::AnyConnection;
use taxicert_api::{ErrorBody, Profile, ServiceHall};

use crate::{error::AppResult, realname::approved_fields, realname::VerifiedUser, AppState};

/// The halls offered for 自取, in the order of the list. Public: where a hall is, is no secret.
#[utoipa::path(
    get,
    path = "/service-halls",
    tag = "wizard",
    operation_id = "list_service_halls",
    responses(
        (status = 200, description = "The service halls that hand out certificates", body = [ServiceHall]),
        (status = 500, description = "The server failed", body = ErrorBody),
    )
)]
pub async fn list_service_halls(State(state): State<AppState>) -> AppResult<Json<Vec<ServiceHall>>> {
    let halls: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT id, name, address, hours, phone FROM service_halls WHERE active = 1 ORDER BY position",
    )
    .fetch_all(&state.db)
    .await?;
    Ok(Json(
        halls.into_iter().map(|(id, name, address, hours, phone)| ServiceHall { id, name, address, hours, phone }).collect(),
    ))
}

/// The ids of the halls still offered: a draft naming another is refused.
pub async fn active_hall_ids(conn: &mut AnyConnection) -> AppResult<Vec<String>> {
    let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM service_halls WHERE active = 1").fetch_all(&mut *conn).await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// The name and address on the approved ID card and the full login phone number, for the
/// owner's form only.
#[utoipa::path(
    get,
    path = "/profile",
    tag = "wizard",
    operation_id = "get_profile",
    responses(
        (status = 200, description = "The details that prefill 填写申请信息", body = Profile),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`realname_required`", body = ErrorBody),
    )
)]
pub async fn get_profile(State(state): State<AppState>, user: VerifiedUser) -> AppResult<Json<Profile>> {
    let mut conn = state.db.acquire().await?;
    let fields = approved_fields(&mut conn, &state, user.user_id).await?;
    let (phone,): (String,) =
        sqlx::query_as("SELECT phone FROM users WHERE id = $1").bind(user.user_id).fetch_one(&mut *conn).await?;
    Ok(Json(Profile { name: fields.name, phone, address: fields.address }))
}
