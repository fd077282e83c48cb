//! Photos of the materials. The app checks and shrinks every photo first; the server is still
//! the authority: it runs the same pipeline again (`taxicert_photo::process`) with the
//! material's rules from the catalogue — type by content, size, pixel limits, a full decode,
//! the minimum resolution — keeps the quality checks' advice with the upload, stores the
//! re-encoded picture (no metadata block, nothing after the image) and keeps it sealed under a
//! random name in the photo store (`storage`), outside anything the server serves.

use axum::{
    extract::{multipart::MultipartError, Multipart, Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use taxicert_api::{domain::megabytes, ErrorBody, PhotoRules, PhotoWarning, UploadReceipt};
use taxicert_photo::{Options, Processed, Refusal};

use crate::{
    auth::CurrentUser,
    catalogue,
    crypto::random_hex,
    error::{AppError, AppResult},
    AppState,
};
use crate::db::Flag;

/// One photo of at most 10 MiB and the multipart framing around it. Larger bodies are cut off
/// and answered `file_too_large`; a 10 MiB + 1 byte photo still reaches the check that says so.
pub const UPLOAD_BODY_LIMIT: usize = taxicert_api::domain::MAX_UPLOAD_BYTES + 256 * 1024;
/// Photos one user may keep at a time (deleted ones do not count): a stop to filling the disk.
const MAX_LIVE_UPLOADS: i64 = 200;

/// Runs the photo pipeline on `bytes` with `rules`, as the phone did before sending it, on a
/// blocking thread (decoding a 50 MP photo takes a while). `Ok`: the re-encoded JPEG — at most
/// `max_side` px on its long side and 1 MiB, no EXIF/GPS/ICC/XMP/comment, nothing after its end —
/// and the quality advice (blur, light, glare, the portrait's shape, colour, background), which
/// never refuses. `Err`: 400 `invalid_photo` with `field` (413 over 10 MiB) when a rule refuses
/// (type, damage, pixel limits, below the material's minimum resolution); the message is
/// `what` (e.g. `身份证人像面`), a colon, and what is wrong and what to do.
pub async fn process_photo(
    bytes: impl AsRef<[u8]> + Send + 'static,
    rules: PhotoRules,
    max_side: u32,
    what: &str,
    field: &str,
) -> AppResult<Processed> {
    tokio::task::spawn_blocking(move || taxicert_photo::process(bytes.as_ref(), &rules, &Options::server(max_side)))
        .await
        .map_err(|e| AppError::Internal(format!("the photo check stopped: {e}")))?
        .map_err(|refusal| photo_error(refusal, what, field))
}

fn photo_error(refusal: Refusal, what: &str, field: &str) -> AppError {
    let mut body = ErrorBody::new("invalid_photo", format!("{what}：{}", refusal.message));
    body.field = Some(field.into());
    let status = if refusal.code == "file_too_large" { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::BAD_REQUEST };
    AppError::Client { status, body }
}

/// The advice as the `warnings` columns keep it: a JSON array of `{code, message}`.
pub fn warnings_json(warnings: &[PhotoWarning]) -> AppResult<String> {
    serde_json::to_string(warnings).map_err(|e| AppError::Internal(format!("photo warnings do not serialise: {e}")))
}

/// The advice read back from a `warnings` column.
pub fn warnings_from_json(stored: &str) -> AppResult<Vec<PhotoWarning>> {
    serde_json::from_str(stored).map_err(|e| AppError::Internal(format!("stored photo warnings do not parse: {e}")))
}

/// A multipart body that broke off while it was read: past the endpoint's body limit, 413
/// `invalid_photo` about the photo being read (`what`, `field`), as for a photo over 10 MiB;
/// otherwise 400 `upload_broken`.
pub fn multipart_error(error: MultipartError, what: &str, field: &str) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        let limit = megabytes(taxicert_api::domain::MAX_UPLOAD_BYTES);
        photo_error(Refusal::new("file_too_large", format!("照片超过了{limit}，请重新拍照后上传。")), what, field)
    } else {
        AppError::bad_request("upload_broken", "照片上传中断，请检查网络后重新上传。")
    }
}

/// A key the client chose for one request, so that a retry returns the first result instead
/// of doing the work twice: visible ASCII, 8 to 100 characters. `what` names the request in
/// the refusal (`上传请求`).
pub fn idempotency_key(headers: &HeaderMap, what: &str) -> AppResult<String> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !(8..=100).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::bad_request(
            "idempotency_key_missing",
            format!("{what}缺少有效的 Idempotency-Key 请求头（8至100个可见字符），请刷新页面后重试。"),
        ));
    }
    Ok(key.to_owned())
}

#[derive(sqlx::FromRow)]
struct UploadRow {
    id: String,
    material_code: String,
    #[sqlx(try_from = "i64")]
    width: u32,
    #[sqlx(try_from = "i64")]
    height: u32,
    bytes: i64,
    warnings: String,
}

impl UploadRow {
    fn into_receipt(self) -> AppResult<UploadReceipt> {
        Ok(UploadReceipt {
            warnings: warnings_from_json(&self.warnings)?,
            id: self.id,
            material: self.material_code,
            width: self.width,
            height: self.height,
            bytes: self.bytes as u64,
        })
    }
}

async fn by_key(state: &AppState, user_id: i64, key: &str) -> AppResult<Option<UploadRow>> {
    Ok(sqlx::query_as(
        "SELECT id, material_code, width, height, bytes, warnings FROM uploads WHERE user_id = $1 AND idempotency_key = $2",
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(&state.db)
    .await?)
}

/// Stores one photo of a material.
#[utoipa::path(
    post,
    path = "/uploads",
    tag = "uploads",
    operation_id = "upload_photo",
    params(("Idempotency-Key" = String, Header, min_length = 8, max_length = 100, pattern = "^[!-~]+$", description = "Chosen by the client for this photo (8–100 visible characters). Sent again, it returns the first result and stores nothing new.")),
    request_body(content_type = "multipart/form-data", description = "Parts `material` (a material code from the catalogue) and `file` (JPEG or PNG, at most 10 MiB)"),
    responses(
        (status = 201, description = "Stored: the photo as the server keeps it, re-encoded, with the quality checks' advice in `warnings`", body = UploadReceipt),
        (status = 200, description = "The same Idempotency-Key was sent before: its first result", body = UploadReceipt),
        (status = 400, description = "`idempotency_key_missing`, `unknown_material`, `photo_missing`, `upload_broken`, or `invalid_photo` (field `file`) with what is wrong and what to do: not a JPEG or PNG, damaged, too many pixels, or below the material's minimum resolution (named in the message)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 413, description = "`invalid_photo`: the photo is over 10 MiB", body = ErrorBody),
        (status = 429, description = "`upload_limit`: too many photos kept", body = ErrorBody),
        (status = 503, description = "`storage_unavailable`: the photo store cannot be reached — the service's problem, not the photo's; try again after `Retry-After` seconds. Nothing was stored.", body = ErrorBody),
        (status = 507, description = "`storage_full`: the photo store is full — the service's problem, not the photo's; try again after `Retry-After` seconds. Nothing was stored.", body = ErrorBody),
    )
)]
pub async fn upload_photo(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let key = idempotency_key(&headers, "上传请求")?;
    if let Some(first) = by_key(&state, user.user_id, &key).await? {
        return Ok((StatusCode::OK, Json(first.into_receipt()?)).into_response());
    }
    let broken = |error: MultipartError| multipart_error(error, "照片", "file");
    let (mut material, mut file) = (None, None);
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        match field.name().unwrap_or_default() {
            "material" => material = Some(field.text().await.map_err(broken)?),
            "file" => file = Some(field.bytes().await.map_err(broken)?),
            _ => {}
        }
    }
    let material = material.unwrap_or_default();
    let Some((material_name, rules)) = catalogue::material_photo(&state.db, &material).await? else {
        return Err(AppError::bad_request("unknown_material", "没有这项材料，请返回上一步重新进入材料上传页面。"));
    };
    let Some(file) = file else {
        return Err(AppError::bad_request("photo_missing", format!("请选择{material_name}的照片。")));
    };
    let (live,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM uploads WHERE user_id = $1 AND deleted_at IS NULL")
        .bind(user.user_id)
        .fetch_one(&state.db)
        .await?;
    if live >= MAX_LIVE_UPLOADS {
        return Err(AppError::client(
            StatusCode::TOO_MANY_REQUESTS,
            "upload_limit",
            "您已上传的照片太多，请先删除不用的照片后再上传。",
        ));
    }

    let processed = process_photo(file, rules, state.config.photo_max_side, &material_name, "file").await?;
    let warnings = warnings_json(&processed.warnings)?;

    let id = format!("upl_{}", random_hex(16));
    let stored_name = random_hex(16);
    let sealed = state.vault.seal(&processed.jpeg, &format!("upload:{id}"));
    // The object first, then its row: a crash in between leaves an object no row names, which
    // the sweep removes, never a row without its object.
    state.storage.put(&stored_name, sealed).await?;
    let inserted = sqlx::query(
        "INSERT INTO uploads (id, user_id, material_code, idempotency_key, stored_name, width, height, bytes, warnings, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (user_id, idempotency_key) DO NOTHING",
    )
    .bind(&id)
    .bind(user.user_id)
    .bind(&material)
    .bind(&key)
    .bind(&stored_name)
    .bind(i64::from(processed.width))
    .bind(i64::from(processed.height))
    .bind(processed.jpeg.len() as i64)
    .bind(&warnings)
    .bind(state.clock.now())
    .execute(&state.db)
    .await;
    let inserted = match inserted {
        Ok(inserted) => inserted,
        Err(e) => {
            let _ = state.storage.delete(&stored_name).await;
            return Err(e.into());
        }
    };
    if inserted.rows_affected() == 0 {
        // The same key arrived twice at once and the other request stored first: keep one copy.
        let _ = state.storage.delete(&stored_name).await;
        let first = by_key(&state, user.user_id, &key).await?.ok_or_else(|| AppError::Internal("an upload vanished".into()))?;
        return Ok((StatusCode::OK, Json(first.into_receipt()?)).into_response());
    }
    let receipt = UploadReceipt {
        id,
        material,
        width: processed.width,
        height: processed.height,
        bytes: processed.jpeg.len() as u64,
        warnings: processed.warnings,
    };
    Ok((StatusCode::CREATED, Json(receipt)).into_response())
}

async fn owned(state: &AppState, user_id: i64, id: &str) -> AppResult<String> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT stored_name FROM uploads WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL")
            .bind(id)
            .bind(user_id)
            .fetch_optional(&state.db)
            .await?;
    // Someone else's upload and no upload at all look the same.
    row.map(|(name,)| name).ok_or(AppError::NotFound)
}

/// The stored JPEG, for its owner.
#[utoipa::path(
    get,
    path = "/uploads/{id}/image",
    tag = "uploads",
    operation_id = "get_upload_image",
    params(("id" = String, Path, description = "The upload id")),
    responses(
        (status = 200, description = "The JPEG as the server keeps it", content_type = "image/jpeg"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "No such upload of this user", body = ErrorBody),
        (status = 503, description = "`storage_unavailable`: the photo store cannot be reached; try again after `Retry-After` seconds", body = ErrorBody),
    )
)]
pub async fn get_upload_image(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let stored_name = owned(&state, user.user_id, &id).await?;
    let sealed = state.storage.get(&stored_name).await?;
    let jpeg = state.vault.open(&sealed, &format!("upload:{id}"))?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg")], jpeg).into_response())
}

/// SQL, true when the upload `id_sql` names is part of a case's record: submitted with it, or a
/// photo a resubmission replaced (kept for the clerk's comparison). Such a photo is never
/// deleted.
pub fn held_by_a_case(id_sql: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM case_uploads WHERE upload_id = {id_sql})
          OR EXISTS (SELECT 1 FROM case_previous_uploads WHERE upload_id = {id_sql}))"
    )
}

/// Marks the upload `id` deleted at `at` unless a case holds it: whether it was marked. One
/// statement, so that a submission linking the photo at the same moment either sees it deleted
/// (and is refused) or keeps it. Its object is the caller's to remove.
pub async fn mark_deleted<'e>(db: impl sqlx::AnyExecutor<'e>, id: &str, at: i64) -> Result<bool, sqlx::Error> {
    let marked = sqlx::query(&format!(
        "UPDATE uploads SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL AND NOT {}",
        held_by_a_case("uploads.id")
    ))
    .bind(at)
    .bind(id)
    .execute(db)
    .await?;
    Ok(marked.rows_affected() == 1)
}

/// Deletes a photo: the file goes at once (or at the next sweep, if the store fails), the row
/// stays (marked) so that a replayed upload with the same key is not stored again. A photo
/// submitted with a case is part of that case's record and stays.
#[utoipa::path(
    delete,
    path = "/uploads/{id}",
    tag = "uploads",
    operation_id = "delete_upload",
    params(("id" = String, Path, description = "The upload id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`csrf`", body = ErrorBody),
        (status = 404, description = "No such upload of this user", body = ErrorBody),
        (status = 409, description = "`upload_in_case`: it was submitted with an application", body = ErrorBody),
    )
)]
pub async fn delete_upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let stored_name = owned(&state, user.user_id, &id).await?;
    if !mark_deleted(&state.db, &id, state.clock.now()).await? {
        let (Flag(in_case),): (Flag,) = sqlx::query_as(&format!("SELECT {}", held_by_a_case("$1")))
            .bind(&id)
            .fetch_one(&state.db)
            .await?;
        return Err(if in_case {
            AppError::client(StatusCode::CONFLICT, "upload_in_case", "该照片已随申请提交，不能删除。")
        } else {
            AppError::NotFound
        });
    }
    let _ = state.storage.delete(&stored_name).await;
    Ok(StatusCode::NO_CONTENT)
}
