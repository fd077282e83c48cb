//! The business catalogue endpoints: the service list and one business with its notice
//! and materials, read from the database.

use axum::{
    extract::{Path, State},
    Json,
};
use taxicert_api::{BusinessCode, BusinessDetail, BusinessSummary, ErrorBody, Material, MaterialCondition, MaterialKind, PhotoRules};

use crate::{
    error::{AppError, AppResult},
    AppState,
};

/// The five businesses, in the order of the service list.
#[utoipa::path(
    get,
    path = "/businesses",
    tag = "catalogue",
    operation_id = "list_businesses",
    responses(
        (status = 200, description = "The service list", body = [BusinessSummary]),
        (status = 500, description = "The server failed", body = ErrorBody),
    )
)]
pub async fn list_businesses(State(state): State<AppState>) -> AppResult<Json<Vec<BusinessSummary>>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, name, description FROM businesses ORDER BY position")
            .fetch_all(&state.db)
            .await?;
    let list = rows
        .into_iter()
        .map(|(code, name, description)| {
            Ok(BusinessSummary { code: stored_code(&code)?, name, description })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Json(list))
}

/// One business with its notice (须知) and the materials it asks for.
#[utoipa::path(
    get,
    path = "/businesses/{code}",
    tag = "catalogue",
    operation_id = "get_business",
    params(("code" = BusinessCode, Path, description = "The business code")),
    responses(
        (status = 200, description = "The business", body = BusinessDetail),
        (status = 404, description = "No such business", body = ErrorBody),
        (status = 500, description = "The server failed", body = ErrorBody),
    )
)]
pub async fn get_business(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Json<BusinessDetail>> {
    let code = BusinessCode::parse(&code).ok_or(AppError::NotFound)?;
    let (name, description): (String, String) =
        sqlx::query_as("SELECT name, description FROM businesses WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(&state.db)
            .await?
            .ok_or(AppError::NotFound)?;
    let notice: Vec<(String,)> = sqlx::query_as(
        "SELECT text FROM business_notice_paragraphs WHERE business_code = $1 ORDER BY position",
    )
    .bind(code.as_str())
    .fetch_all(&state.db)
    .await?;
    let materials = business_materials(&state.db, code).await?;
    Ok(Json(BusinessDetail {
        code,
        name,
        description,
        notice: notice.into_iter().map(|(text,)| text).collect(),
        materials,
    }))
}

/// The materials of `business` in the order they are asked for, each with the answer that
/// makes it apply (`business_materials.condition`, see [`MaterialCondition::as_code`]).
/// Errors: `Internal` for a kind or condition the contract does not know (a broken migration).
pub async fn business_materials<'e>(db: impl sqlx::AnyExecutor<'e>, business: BusinessCode) -> AppResult<Vec<Material>> {
    let rows: Vec<MaterialRow> = sqlx::query_as(
        "SELECT m.code, m.name, m.hint, bm.required, m.kind, m.min_width, m.min_height, m.sample, bm.condition
           FROM business_materials bm JOIN materials m ON m.code = bm.material_code
          WHERE bm.business_code = $1 ORDER BY bm.position",
    )
    .bind(business.as_str())
    .fetch_all(db)
    .await?;
    rows.into_iter().map(MaterialRow::into_material).collect()
}

#[derive(sqlx::FromRow)]
struct MaterialRow {
    code: String,
    name: String,
    hint: String,
    #[sqlx(try_from = "crate::db::Flag")]
    required: bool,
    kind: String,
    #[sqlx(try_from = "i64")]
    min_width: u32,
    #[sqlx(try_from = "i64")]
    min_height: u32,
    sample: String,
    condition: Option<String>,
}

impl MaterialRow {
    fn into_material(self) -> AppResult<Material> {
        let condition = self
            .condition
            .as_deref()
            .map(|code| {
                MaterialCondition::parse_code(code).ok_or_else(|| {
                    AppError::Internal(format!("material {}: unknown condition {code:?} in the database", self.code))
                })
            })
            .transpose()?;
        Ok(Material {
            condition,
            photo: photo_rules(&self.kind, self.min_width, self.min_height)?,
            code: self.code,
            name: self.name,
            hint: self.hint,
            required: self.required,
            sample: self.sample,
        })
    }
}

/// The rules of a material's photo as the `materials` table keeps them.
/// A stored pixel count as the rules hold it; a negative or huge one is a broken migration.
fn pixels(stored: i64) -> AppResult<u32> {
    u32::try_from(stored).map_err(|_| AppError::Internal(format!("minimum size {stored} in the database")))
}

fn photo_rules(kind: &str, min_width: u32, min_height: u32) -> AppResult<PhotoRules> {
    let kind = match kind {
        "portrait" => MaterialKind::Portrait,
        "document" => MaterialKind::Document,
        other => return Err(AppError::Internal(format!("unknown material kind {other:?} in the database"))),
    };
    Ok(PhotoRules { kind, min_width, min_height })
}

/// The name (`机动车驾驶证`) and photo rules of the material `code`, as the catalogue shows them
/// to the phone: the server checks a photo against the same rules. `None` for an unknown code.
pub async fn material_photo<'e>(
    db: impl sqlx::AnyExecutor<'e>,
    code: &str,
) -> AppResult<Option<(String, PhotoRules)>> {
    let row: Option<(String, String, i64, i64)> =
        sqlx::query_as("SELECT name, kind, min_width, min_height FROM materials WHERE code = $1")
            .bind(code)
            .fetch_optional(db)
            .await?;
    row.map(|(name, kind, min_width, min_height)| Ok((name, photo_rules(&kind, pixels(min_width)?, pixels(min_height)?)?)))
        .transpose()
}

/// A code in the database that the contract does not know is a broken migration, not a user error.
fn stored_code(code: &str) -> AppResult<BusinessCode> {
    BusinessCode::parse(code).ok_or_else(|| AppError::Internal(format!("unknown business code {code:?} in the database")))
}
