//! 实名认证: upload both sides of the ID card, confirm what was read, submit for review.

use axum::{
    extract::{FromRequestParts, Multipart, State},
    http::{request::Parts, StatusCode},
    Json,
};
use sqlx::AnyConnection;
use taxicert_api::{
    domain::{beijing_date, check_id_card},
    ErrorBody, IdCardFields, IdCardRead, PhotoRules, RealNameState, RealNameStatus, RealNameSubmission,
};

use crate::{
    audit::{self, Entry, Event},
    auth::{ClientIp, CurrentUser},
    error::{AppError, AppResult, Body},
    uploads::{multipart_error, process_photo},
    AppState,
};
use crate::db::Flag;

/// Two photos of at most 10 MiB each, and the multipart framing around them.
pub const UPLOAD_BODY_LIMIT: usize = 2 * taxicert_api::domain::MAX_UPLOAD_BYTES + 64 * 1024;

fn field_error(code: &str, field: &str, message: impl Into<String>) -> AppError {
    AppError::bad_field(code, field, message)
}

/// Reads both sides of the ID card. Each photo goes through the photo pipeline with the ID
/// card's rules (`PhotoRules::ID_CARD`, at least 800×500): turned upright as its EXIF says,
/// re-encoded without any metadata (no GPS position, no camera model) or appended bytes. The
/// reader reads the re-encoded pictures, which are sealed and kept until the user submits;
/// the answer holds the full ID number for its owner to confirm.
#[utoipa::path(
    post,
    path = "/realname/id-card",
    tag = "account",
    operation_id = "read_id_card",
    request_body(content_type = "multipart/form-data", description = "Parts `portrait` (人像面) and `emblem` (国徽面): JPEG or PNG, at most 10 MiB each"),
    responses(
        (status = 200, description = "The fields read; `unread` lists those to type", body = IdCardRead),
        (status = 400, description = "`photo_missing`, `invalid_photo` (with `field` `portrait` or `emblem`: not a JPEG or PNG, damaged, too many pixels, or below 800×500) or `upload_broken`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 409, description = "`realname_done`: already verified or waiting for review", body = ErrorBody),
        (status = 413, description = "The upload is larger than two 10 MiB photos"),
    )
)]
pub async fn read_id_card(
    State(state): State<AppState>,
    user: CurrentUser,
    mut multipart: Multipart,
) -> AppResult<Json<IdCardRead>> {
    refuse_if_done(&state, user.user_id).await?;
    // The side being read when the body breaks off, for the refusal.
    let broken = |error, name: &str| match name {
        "emblem" => multipart_error(error, "身份证国徽面", "emblem"),
        _ => multipart_error(error, "身份证人像面", "portrait"),
    };
    let (mut portrait, mut emblem, mut last) = (None, None, String::new());
    while let Some(field) = multipart.next_field().await.map_err(|e| broken(e, &last))? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| broken(e, &name))?;
        last = name.clone();
        match name.as_str() {
            "portrait" => portrait = Some(bytes),
            "emblem" => emblem = Some(bytes),
            _ => {}
        }
    }
    let portrait = portrait.ok_or_else(|| field_error("photo_missing", "portrait", "请上传身份证人像面（有照片的一面）。"))?;
    let emblem = emblem.ok_or_else(|| field_error("photo_missing", "emblem", "请上传身份证国徽面（有国徽的一面）。"))?;
    // Never stored smaller than the minimum the rules ask for: the reader needs the small print.
    let max_side = state.config.photo_max_side.max(PhotoRules::ID_CARD.min_width);
    // One after the other: two 50 MP decodes at once would double the peak memory.
    let portrait = process_photo(portrait, PhotoRules::ID_CARD, max_side, "身份证人像面", "portrait").await?.jpeg;
    let emblem = process_photo(emblem, PhotoRules::ID_CARD, max_side, "身份证国徽面", "emblem").await?.jpeg;

    let fields = state.reader.read(&portrait, &emblem).await;
    let id = user.user_id;
    let read = serde_json::to_vec(&fields).map_err(|e| AppError::Internal(e.to_string()))?;
    sqlx::query(
        "INSERT INTO realname_drafts (user_id, portrait, emblem, read_fields, created_at, photos_reencoded)
         VALUES ($1, $2, $3, $4, $5, 1)
         ON CONFLICT (user_id) DO UPDATE SET portrait = excluded.portrait, emblem = excluded.emblem,
             read_fields = excluded.read_fields, created_at = excluded.created_at, photos_reencoded = 1",
    )
    .bind(id)
    .bind(state.vault.seal(&portrait, &format!("user:{id}:portrait")))
    .bind(state.vault.seal(&emblem, &format!("user:{id}:emblem")))
    .bind(state.vault.seal(&read, &format!("user:{id}:read_fields")))
    .bind(state.clock.now())
    .execute(&state.db)
    .await?;
    let unread = fields.named().iter().filter(|(_, value)| value.is_empty()).map(|(name, _)| (*name).to_owned()).collect();
    Ok(Json(IdCardRead { fields, unread }))
}

async fn refuse_if_done(state: &AppState, user_id: i64) -> AppResult<()> {
    let (status, Flag(reviewing)): (String, Flag) = sqlx::query_as(
        "SELECT realname_status, EXISTS (SELECT 1 FROM account_moves WHERE to_user_id = users.id AND status = 'review_pending')
           FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_one(&state.db)
    .await?;
    let message = match status.as_str() {
        "approved" => "您已完成实名认证，无需重复提交。",
        "pending" => "您的实名认证正在审核中，请等待审核结果。",
        _ if reviewing => "您的账户转移申请正在等待业务办理人员审核，请等待审核结果。",
        _ => return Ok(()),
    };
    Err(AppError::client(StatusCode::CONFLICT, "realname_done", message))
}

/// The key of an ID number: the HMAC the certificates are found by (`users.holder_key`), and
/// by which an ID number verified on one account is found when another submits it.
pub fn holder_key_of(state: &AppState, id_number: &str) -> Vec<u8> {
    state.secrets.mac("certificate-holder", &[id_number.as_bytes()])
}

/// The key that finds an applicant by his full name in the clerks' search (the name is kept
/// sealed): an HMAC of the name without spaces, so that `王 建国` finds `王建国`.
pub fn name_key_of(secrets: &crate::secrets::Secrets, name: &str) -> Vec<u8> {
    let compact: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    secrets.mac("staff-search-name", &[compact.as_bytes()])
}

/// Another account verified with this key: its id and phone number. The oldest, when accounts
/// verified before the rule share it.
pub async fn bound_elsewhere(conn: &mut AnyConnection, key: &[u8], user_id: i64) -> AppResult<Option<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, phone FROM users WHERE holder_key = $1 AND realname_status = 'approved' AND id != $2 ORDER BY id LIMIT 1",
    )
    .bind(key)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?)
}

pub use taxicert_api::domain::mask_name;

/// Submits the confirmed fields with the uploaded photos for review.
#[utoipa::path(
    post,
    path = "/realname/submission",
    tag = "account",
    operation_id = "submit_realname",
    request_body = RealNameSubmission,
    responses(
        (status = 200, description = "Submitted: pending, or approved at once in dev mode with auto-approval", body = RealNameState),
        (status = 400, description = "`photos_missing`, or `invalid_field` with `field` and what to fix (an expired card too)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 409, description = "`realname_done`; or `id_number_bound`: the ID number is verified on another account (the message names its phone number, masked). A move request for that account is kept: see `GET /account/move`", body = ErrorBody),
    )
)]
pub async fn submit_realname(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    Body(submission): Body<RealNameSubmission>,
) -> AppResult<Json<RealNameState>> {
    refuse_if_done(&state, user.user_id).await?;
    let id = user.user_id;
    let draft: Option<(Vec<u8>, Vec<u8>, Flag)> =
        sqlx::query_as("SELECT portrait, emblem, photos_reencoded FROM realname_drafts WHERE user_id = $1")
            .bind(id)
            .fetch_optional(&state.db)
            .await?;
    let Some((portrait, emblem, Flag(reencoded))) = draft else {
        return Err(AppError::bad_request("photos_missing", "请先上传身份证人像面和国徽面照片。"));
    };
    let now = state.clock.now();
    let fields = trimmed(submission.fields);
    let id_number = check_id_card(&fields, beijing_date(now)).map_err(|(field, message)| field_error("invalid_field", field, message))?;
    let typed: Vec<&str> = IdCardFields::NAMES.into_iter().filter(|name| submission.typed.iter().any(|t| t == name)).collect();
    let auto_approve = state.config.dev && state.config.realname_auto_approve;
    let status = if auto_approve { RealNameStatus::Approved } else { RealNameStatus::Pending };
    let stored_status = if auto_approve { "approved" } else { "pending" };
    let sealed = state.vault.seal(&serde_json::to_vec(&fields).map_err(|e| AppError::Internal(e.to_string()))?, &format!("user:{id}:realname_fields"));

    let key = holder_key_of(&state, &fields.id_number);

    // The write lock before the check: two accounts submitting one number at once cannot both
    // pass it.
    let mut tx = crate::db::begin_write(&state.db).await?;
    if let Some((other, phone)) = bound_elsewhere(&mut tx, &key, id).await? {
        let moving = crate::account_move::MoveRequest {
            from_user_id: other,
            to_user_id: id,
            old_phone: &phone,
            fields: &fields,
            id_number_masked: id_number.masked(),
            name_masked: mask_name(&fields.name),
        };
        let old_phone_masked = crate::account_move::keep_request(&mut tx, &state, moving, now).await?;
        let entry = Entry {
            event: Event::RealNameSubmitted,
            outcome: "id_number_bound",
            user_id: Some(id),
            phone_masked: None,
            client_ip: &ip,
            staff_id: None,
            subject: None,
        };
        audit::record(&mut *tx, now, entry).await?;
        tx.commit().await?;
        return Err(crate::account_move::id_number_bound(&old_phone_masked));
    }
    sqlx::query(
        "INSERT INTO realname_submissions (user_id, submitted_at, fields, typed_fields, id_number_masked, name_masked,
             portrait, emblem, status, decided_at, photos_reencoded, holder_key, name_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(id)
    .bind(now)
    .bind(sealed)
    .bind(serde_json::to_string(&typed).map_err(|e| AppError::Internal(e.to_string()))?)
    .bind(id_number.masked())
    .bind(mask_name(&fields.name))
    .bind(portrait)
    .bind(emblem)
    .bind(stored_status)
    .bind(auto_approve.then_some(now))
    .bind(i64::from(reencoded))
    .bind(&key)
    .bind(name_key_of(&state.secrets, &fields.name))
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM realname_drafts WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query("UPDATE users SET realname_status = $1 WHERE id = $2").bind(stored_status).bind(id).execute(&mut *tx).await?;
    if auto_approve {
        sqlx::query("UPDATE users SET holder_key = $1 WHERE id = $2").bind(&key).bind(id).execute(&mut *tx).await?;
    }
    // A move asked for with another ID number is no longer needed.
    crate::account_move::cancel_open(&mut tx, id).await?;
    tx.commit().await?;
    let entry = |event, outcome| Entry { event, outcome, user_id: Some(id), phone_masked: None, client_ip: &ip, staff_id: None, subject: None };
    audit::record(&state.db, now, entry(Event::RealNameSubmitted, "ok")).await?;
    if auto_approve {
        audit::record(&state.db, now, entry(Event::RealNameDecided, "auto_approved")).await?;
    }
    Ok(Json(RealNameState {
        status,
        id_number_masked: Some(id_number.masked()),
        name_masked: Some(mask_name(&fields.name)),
        reason: None,
    }))
}

fn trimmed(mut fields: IdCardFields) -> IdCardFields {
    for name in IdCardFields::NAMES {
        if let Some(value) = fields.field_mut(name) {
            *value = value.trim().to_owned();
        }
    }
    fields.id_number.make_ascii_uppercase();
    fields
}

/// Where the user's real-name verification stands, masked.
#[utoipa::path(
    get,
    path = "/realname",
    tag = "account",
    operation_id = "realname_state",
    responses(
        (status = 200, description = "The state of the newest submission", body = RealNameState),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    )
)]
pub async fn realname_state(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<RealNameState>> {
    let newest: Option<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT status, id_number_masked, name_masked, reason FROM realname_submissions WHERE user_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(user.user_id)
    .fetch_optional(&state.db)
    .await?;
    Ok(Json(match newest {
        None => RealNameState { status: RealNameStatus::None, id_number_masked: None, name_masked: None, reason: None },
        Some((status, id_masked, name_masked, reason)) => RealNameState {
            status: match status.as_str() {
                "approved" => RealNameStatus::Approved,
                "rejected" => RealNameStatus::Rejected,
                _ => RealNameStatus::Pending,
            },
            id_number_masked: Some(id_masked),
            name_masked: Some(name_masked),
            reason,
        },
    }))
}

/// A signed-in user whose real-name check is approved: the businesses are his own
/// certificate's, so nothing of the wizard past the notice is open to anyone else. Rejects
/// with 401 `unauthenticated`, then 403 `realname_required`.
pub struct VerifiedUser {
    pub user_id: i64,
}

impl FromRequestParts<AppState> for VerifiedUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if !user.realname_approved {
            return Err(realname_required());
        }
        Ok(VerifiedUser { user_id: user.user_id })
    }
}

fn realname_required() -> AppError {
    AppError::client(StatusCode::FORBIDDEN, "realname_required", "办理从业资格证业务需要先完成实名认证。")
}

/// The fields of the user's approved ID card, unsealed: the name and address that prefill
/// the wizard, the ID number that finds his certificates.
pub async fn approved_fields(conn: &mut AnyConnection, state: &AppState, user_id: i64) -> AppResult<IdCardFields> {
    let sealed: Option<(Vec<u8>,)> = sqlx::query_as(
        "SELECT fields FROM realname_submissions WHERE user_id = $1 AND status = 'approved' ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    let (sealed,) = sealed.ok_or_else(realname_required)?;
    let plain = state.vault.open(&sealed, &format!("user:{user_id}:realname_fields"))?;
    serde_json::from_slice(&plain).map_err(|e| AppError::Internal(format!("sealed real-name fields do not parse: {e}")))
}

/// The tables that keep ID-card photos, each with the column that names their owner.
const PHOTO_TABLES: [(&str, &str); 2] = [("realname_drafts", "user_id"), ("realname_submissions", "id")];

/// Re-encodes the ID-card photos stored before the server ran the photo pipeline on them (they
/// still carry what the phone sent: EXIF with the GPS position and the camera, bytes appended
/// after the image), so that no clerk sees them so. Run once at start-up, before the server
/// answers; each row is marked done. No minimum resolution: these photos were accepted under
/// the old rules and must stay for review. A photo that does not decode (or unseal) is left as
/// it is and logged by its row id only. Returns how many rows were re-encoded.
pub async fn reencode_legacy_photos(db: &sqlx::AnyPool, vault: &crate::crypto::Vault, max_side: u32) -> Result<usize, sqlx::Error> {
    let mut done = 0;
    for (table, key) in PHOTO_TABLES {
        // Both names come from the constant above, never from input. The keys first, then one
        // row's photos at a time: all of them at once could be gigabytes.
        let rows: Vec<(i64,)> = sqlx::query_as(&format!("SELECT {key} FROM {table} WHERE photos_reencoded = 0"))
            .fetch_all(db)
            .await?;
        for (row,) in rows {
            let (user_id, portrait, emblem): (i64, Vec<u8>, Vec<u8>) =
                sqlx::query_as(&format!("SELECT user_id, portrait, emblem FROM {table} WHERE {key} = $1"))
                    .bind(row)
                    .fetch_one(db)
                    .await?;
            let vault = vault.clone();
            let options = taxicert_photo::Options::server(max_side.max(PhotoRules::ID_CARD.min_width));
            let again = move |sealed: Vec<u8>, side: &str| {
                let context = format!("user:{user_id}:{side}");
                let image = vault.open(&sealed, &context).ok()?;
                let processed = taxicert_photo::process(&image, &PhotoRules::document(1, 1), &options).ok()?;
                Some(vault.seal(&processed.jpeg, &context))
            };
            let (portrait, emblem) =
                tokio::task::spawn_blocking(move || (again(portrait, "portrait"), again(emblem, "emblem")))
                    .await
                    .unwrap_or((None, None));
            let (Some(portrait), Some(emblem)) = (portrait, emblem) else {
                tracing::warn!(table, row, "an ID-card photo stored before re-encoding does not decode; left as it is");
                continue;
            };
            sqlx::query(&format!("UPDATE {table} SET portrait = $1, emblem = $2, photos_reencoded = 1 WHERE {key} = $3"))
                .bind(portrait)
                .bind(emblem)
                .bind(row)
                .execute(db)
                .await?;
            done += 1;
        }
    }
    if done > 0 {
        tracing::info!(rows = done, "ID-card photos stored before re-encoding were re-encoded without metadata");
    }
    Ok(done)
}

/// Fills the holder key of the real-name submissions made before it was stored, and of the
/// approved accounts that have none yet (it was computed at their first certificate lookup).
/// Run once at start-up, before the server answers. A row whose fields do not unseal is left
/// and logged by its row id. Then logs, as a count and never with an ID number, the approved
/// accounts that share an ID number with another: verified before one ID number could verify
/// one account only, they stay as they are. Returns (rows filled, accounts sharing a key).
pub async fn backfill_holder_keys(
    db: &sqlx::AnyPool,
    vault: &crate::crypto::Vault,
    secrets: &crate::secrets::Secrets,
) -> Result<(usize, i64), sqlx::Error> {
    let mut filled = 0;
    let rows: Vec<(i64, i64, Vec<u8>)> =
        sqlx::query_as("SELECT id, user_id, fields FROM realname_submissions WHERE holder_key IS NULL").fetch_all(db).await?;
    for (row, user_id, sealed) in rows {
        let fields = vault
            .open(&sealed, &format!("user:{user_id}:realname_fields"))
            .ok()
            .and_then(|plain| serde_json::from_slice::<IdCardFields>(&plain).ok());
        let Some(fields) = fields else {
            tracing::warn!(row, "a real-name submission's fields do not unseal; its holder key is left empty");
            continue;
        };
        let key = secrets.mac("certificate-holder", &[fields.id_number.as_bytes()]);
        sqlx::query("UPDATE realname_submissions SET holder_key = $1 WHERE id = $2").bind(key).bind(row).execute(db).await?;
        filled += 1;
    }
    // The newest approved submission's key, as `certificates::holder_key` computes it.
    let users = sqlx::query(
        "UPDATE users SET holder_key = (SELECT r.holder_key FROM realname_submissions r
                WHERE r.user_id = users.id AND r.status = 'approved' ORDER BY r.id DESC LIMIT 1)
          WHERE holder_key IS NULL AND realname_status = 'approved'",
    )
    .execute(db)
    .await?;
    filled += users.rows_affected() as usize;
    if filled > 0 {
        tracing::info!(rows = filled, "holder keys filled in for real-name submissions and accounts verified before they were stored");
    }
    let (sharing,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM users u WHERE u.realname_status = 'approved' AND u.holder_key IS NOT NULL
            AND EXISTS (SELECT 1 FROM users o WHERE o.holder_key = u.holder_key AND o.realname_status = 'approved' AND o.id != u.id)",
    )
    .fetch_one(db)
    .await?;
    if sharing > 0 {
        tracing::warn!(
            accounts = sharing,
            "verified accounts share an ID number with another (verified before one ID number could verify one account only); left as they are"
        );
    }
    Ok((filled, sharing))
}

/// Fills the name key (see [`name_key_of`]) of the real-name submissions made before it was
/// stored. Run once at start-up, before the server answers; a row whose fields do not unseal
/// is left and logged by its row id. Returns the rows filled.
pub async fn backfill_name_keys(
    db: &sqlx::AnyPool,
    vault: &crate::crypto::Vault,
    secrets: &crate::secrets::Secrets,
) -> Result<usize, sqlx::Error> {
    let rows: Vec<(i64, i64, Vec<u8>)> =
        sqlx::query_as("SELECT id, user_id, fields FROM realname_submissions WHERE name_key IS NULL").fetch_all(db).await?;
    let mut filled = 0;
    for (row, user_id, sealed) in rows {
        let fields = vault
            .open(&sealed, &format!("user:{user_id}:realname_fields"))
            .ok()
            .and_then(|plain| serde_json::from_slice::<IdCardFields>(&plain).ok());
        let Some(fields) = fields else {
            tracing::warn!(row, "a real-name submission's fields do not unseal; its name key is left empty");
            continue;
        };
        sqlx::query("UPDATE realname_submissions SET name_key = $1 WHERE id = $2")
            .bind(name_key_of(secrets, &fields.name))
            .bind(row)
            .execute(db)
            .await?;
        filled += 1;
    }
    if filled > 0 {
        tracing::info!(rows = filled, "name keys filled in for real-name submissions made before they were stored");
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_between_the_first_and_last_character() {
        assert_eq!(mask_name("王建国"), "王*国");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_name("王五"), "王*");
    }
}
