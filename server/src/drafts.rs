//! The draft of a business, saved step by step (须知, 选择证件, 填写申请信息, 上传材料), so that a
//! driver can stop on one phone and carry on later. Each step is checked when it is saved, in
//! order, and again when the draft is submitted (see `cases.rs`): the checks live here.
//!
//! The answers hold addresses and phone numbers, so they are stored sealed, bound to the user
//! and the business.

use std::collections::BTreeMap;

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use taxicert_api::{
    divisions::Divisions, Address, AssessmentPeriod, BusinessCode, BusinessDetails, Certificate, Change,
    Delivery, Draft, DraftStep, DraftSummary, ErrorBody, FormContext, PersonalInfo, PostalAddress, Region, StepAnswers,
};

use crate::{
    catalogue::business_materials,
    certificates::{self, StoredCertificate},
    error::{AppError, AppResult, Body},
    realname::VerifiedUser,
    wizard::active_hall_ids,
    workdays::Date,
    AppState,
};
use crate::db::Flag;

/// What the steps answered, as sealed in the database.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    pub certificate_id: Option<String>,
    pub info: Option<PersonalInfo>,
    /// Material code → upload id.
    pub uploads: BTreeMap<String, String>,
}

#[derive(Clone, Debug)]
pub struct StoredDraft {
    pub business: BusinessCode,
    pub done: Vec<DraftStep>,
    pub answers: Answers,
    pub revision: i64,
    pub updated_at: i64,
}

impl StoredDraft {
    fn to_api(&self) -> Draft {
        Draft {
            business: self.business,
            done: self.done.clone(),
            certificate_id: self.answers.certificate_id.clone(),
            info: self.answers.info.clone(),
            uploads: self.answers.uploads.clone(),
            revision: self.revision,
            updated_at: self.updated_at,
        }
    }
}

/// The sealed answers open only for this user's draft of this business.
fn context(user_id: i64, business: BusinessCode) -> String {
    format!("draft:{user_id}:{}", business.as_str())
}

/// A business code from the URL; an unknown one is the JSON 404.
pub fn business_in_path(code: &str) -> AppResult<BusinessCode> {
    BusinessCode::parse(code).ok_or(AppError::NotFound)
}

fn parse_done(done: &str) -> AppResult<Vec<DraftStep>> {
    serde_json::from_str(done).map_err(|e| AppError::Internal(format!("a draft's steps do not parse: {e}")))
}

/// The user's draft of `business`, unsealed.
pub async fn load(conn: &mut AnyConnection, state: &AppState, user_id: i64, business: BusinessCode) -> AppResult<Option<StoredDraft>> {
    let row: Option<(String, Vec<u8>, i64, i64)> =
        sqlx::query_as("SELECT done, answers, revision, updated_at FROM drafts WHERE user_id = $1 AND business_code = $2")
            .bind(user_id)
            .bind(business.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    let Some((done, sealed, revision, updated_at)) = row else {
        return Ok(None);
    };
    let plain = state.vault.open(&sealed, &context(user_id, business))?;
    let answers = serde_json::from_slice(&plain).map_err(|e| AppError::Internal(format!("a draft's answers do not parse: {e}")))?;
    Ok(Some(StoredDraft { business, done: parse_done(&done)?, answers, revision, updated_at }))
}

/// The uploads the drafts name, for retention, which keeps the photos of drafts in use.
#[derive(Default)]
pub struct NamedUploads {
    /// Each upload a draft names, with when that draft was last saved.
    pub named: Vec<(String, i64)>,
    /// Users with a draft whose answers do not unseal: none of their photos may be judged.
    pub unreadable: std::collections::HashSet<i64>,
}

/// The uploads every draft names; a draft that does not unseal is logged by user and business.
pub async fn named_uploads(state: &AppState) -> AppResult<NamedUploads> {
    let rows: Vec<(i64, String, Vec<u8>, i64)> =
        sqlx::query_as("SELECT user_id, business_code, answers, updated_at FROM drafts").fetch_all(&state.db).await?;
    let mut found = NamedUploads::default();
    for (user_id, code, sealed, updated_at) in rows {
        let answers = BusinessCode::parse(&code)
            .and_then(|business| state.vault.open(&sealed, &context(user_id, business)).ok())
            .and_then(|plain| serde_json::from_slice::<Answers>(&plain).ok());
        let Some(answers) = answers else {
            tracing::warn!(user_id, business = code, "a draft's answers do not unseal; retention leaves this user's photos");
            found.unreadable.insert(user_id);
            continue;
        };
        found.named.extend(answers.uploads.into_values().map(|id| (id, updated_at)));
    }
    Ok(found)
}

async fn store(conn: &mut AnyConnection, state: &AppState, user_id: i64, draft: &StoredDraft) -> AppResult<()> {
    let json = |e: serde_json::Error| AppError::Internal(e.to_string());
    let answers = serde_json::to_vec(&draft.answers).map_err(json)?;
    sqlx::query(
        "INSERT INTO drafts (user_id, business_code, done, answers, revision, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (user_id, business_code) DO UPDATE SET done = excluded.done, answers = excluded.answers,
             revision = excluded.revision, updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(draft.business.as_str())
    .bind(serde_json::to_string(&draft.done).map_err(json)?)
    .bind(state.vault.seal(&answers, &context(user_id, draft.business)))
    .bind(draft.revision)
    .bind(draft.updated_at)
    .bind(draft.updated_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The draft must have `step` saved: 409 `code` with that step's message otherwise.
pub fn missing(code: &str, step: DraftStep) -> AppError {
    AppError::conflict(code, step.missing_message())
}

/// The certificate must be the user's and choosable for the business today. Answers the
/// certificate as the register keeps it and as listed for the business (what the form is
/// checked against and the snapshot keeps).
///
/// Errors: 400 `certificate_not_found` (field `certificate`); 409 `duplicate_application` with
/// `case_id` when an application of this business (or an accepted 注销) is open on it; 400
/// `certificate_unavailable` (field `certificate`) with the reason otherwise.
pub async fn check_certificate(
    conn: &mut AnyConnection,
    state: &AppState,
    user_id: i64,
    business: BusinessCode,
    id: &str,
    today: Date,
) -> AppResult<(StoredCertificate, Certificate)> {
    let key = certificates::holder_key(conn, state, user_id).await?;
    let certificate = certificates::owned_one(conn, state, &key, id).await?.ok_or_else(|| {
        AppError::bad_field("certificate_not_found", "certificate", "所选从业资格证不存在或不属于您，请重新选择。")
    })?;
    let listed = certificates::listed(conn, state, &certificate, business, today).await?;
    if let (Some(reason), Some(case_id)) = (&listed.unavailable_reason, &listed.open_case_id) {
        return Err(AppError::conflict_with_case("duplicate_application", reason.clone(), case_id));
    }
    if let Some(reason) = &listed.unavailable_reason {
        return Err(AppError::bad_field("certificate_unavailable", "certificate", reason.clone()));
    }
    Ok((certificate, listed))
}

/// The form's values without the spaces around them, as they are kept.
fn trimmed(info: PersonalInfo) -> PersonalInfo {
    let t = |s: String| s.trim().to_owned();
    let region = |r: Region| Region { code: t(r.code), name: r.name };
    let delivery = |d: Delivery| match d {
        Delivery::Pickup { hall_id } => Delivery::Pickup { hall_id: t(hall_id) },
        Delivery::Post(post) => Delivery::Post(PostalAddress {
            recipient: t(post.recipient),
            phone: t(post.phone),
            region: region(post.region),
            street: t(post.street),
        }),
    };
    let details = match info.details {
        BusinessDetails::Reissue { reason, delivery: d } => BusinessDetails::Reissue { reason, delivery: delivery(d) },
        BusinessDetails::Renewal { licence_class, delivery: d } => {
            BusinessDetails::Renewal { licence_class: t(licence_class), delivery: delivery(d) }
        }
        BusinessDetails::Change { changes, reason } => BusinessDetails::Change {
            changes: changes
                .into_iter()
                .map(|change| match change {
                    Change::Address { new } => Change::Address { new: Address { region: region(new.region), street: t(new.street) } },
                    Change::Phone { new } => Change::Phone { new: t(new) },
                    Change::LicenceClass { new } => Change::LicenceClass { new: t(new) },
                    Change::Employer { new } => Change::Employer { new: t(new) },
                })
                .collect(),
            reason: t(reason),
        },
        BusinessDetails::Cancellation { reason, other_reason } => {
            BusinessDetails::Cancellation { reason, other_reason: t(other_reason) }
        }
        BusinessDetails::CreditAssessment { period } => {
            BusinessDetails::CreditAssessment { period: AssessmentPeriod { start: t(period.start), end: t(period.end) } }
        }
    };
    PersonalInfo { contact_name: t(info.contact_name), contact_phone: t(info.contact_phone), details }
}

/// The regions' names as the divisions give them for their codes, whatever the client sent:
/// the postal region and a 变更's new address. An unknown code gets an empty name (and the
/// form's check refuses it).
fn with_region_names(mut info: PersonalInfo, divisions: &Divisions) -> PersonalInfo {
    let fill = |region: &mut Region| region.name = divisions.full_name(&region.code).unwrap_or_default();
    if let Some(Delivery::Post(post)) = info.details.delivery_mut() {
        fill(&mut post.region);
    }
    if let BusinessDetails::Change { changes, .. } = &mut info.details {
        for change in changes {
            if let Change::Address { new } = change {
                fill(&mut new.region);
            }
        }
    }
    info
}

/// The personal-info form of `business`, by the same rules as the app's
/// ([`PersonalInfo::problems`]), against `certificate` as listed for the business (a 变更's new
/// values must differ from it, a 考核 period must be one of its periods). Answers the form
/// trimmed, with the regions' names filled in. Errors: 400 `invalid_field` with the first
/// problem's field and message.
pub async fn check_info(
    conn: &mut AnyConnection,
    business: BusinessCode,
    info: PersonalInfo,
    certificate: &Certificate,
) -> AppResult<PersonalInfo> {
    let divisions = crate::divisions::embedded();
    let info = with_region_names(trimmed(info), divisions);
    let halls = active_hall_ids(conn).await?;
    let hall_exists = |id: &str| halls.iter().any(|h| h == id);
    let context = FormContext { certificate, hall_exists: &hall_exists, divisions };
    if let Some(problem) = info.problems(business, &context).into_iter().next() {
        return Err(AppError::bad_field("invalid_field", &problem.field, problem.message));
    }
    Ok(info)
}

/// Every upload names a material of the business that applies with `details` (the form's
/// answers; `None` before they are given), is a live photo of this user taken for that
/// material, and every required material that applies has one.
///
/// Errors (400, the material code as `field`): `unknown_material`, `material_not_applicable`,
/// `upload_not_found`, `materials_missing`.
pub async fn check_materials(
    conn: &mut AnyConnection,
    user_id: i64,
    business: BusinessCode,
    details: Option<&BusinessDetails>,
    uploads: &BTreeMap<String, String>,
) -> AppResult<()> {
    let materials = business_materials(&mut *conn, business).await?;
    for code in uploads.keys() {
        let Some(material) = materials.iter().find(|m| &m.code == code) else {
            return Err(AppError::bad_field("unknown_material", code, "没有这项材料，请返回上一步重新进入材料上传页面。"));
        };
        if !material.applies(details) {
            return Err(AppError::bad_field(
                "material_not_applicable",
                code,
                format!("按您填写的申请信息，无需上传「{}」；请刷新页面，按页面列出的材料重新上传。", material.name),
            ));
        }
    }
    for (material, upload_id) in uploads {
        let (Flag(fits),): (Flag,) = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM uploads WHERE id = $1 AND user_id = $2 AND material_code = $3 AND deleted_at IS NULL)",
        )
        .bind(upload_id)
        .bind(user_id)
        .bind(material)
        .fetch_one(&mut *conn)
        .await?;
        if !fits {
            return Err(AppError::bad_field("upload_not_found", material, "所选照片已删除或不属于您，请重新上传。"));
        }
    }
    if let Some(missing) = materials.iter().find(|m| m.required && m.applies(details) && !uploads.contains_key(&m.code)) {
        return Err(AppError::bad_field("materials_missing", &missing.code, format!("请上传{}。", missing.name)));
    }
    Ok(())
}

/// After the form's answers changed: the uploads of materials that no longer apply are
/// dropped, and when a required material that now applies has none, the materials step is no
/// longer done (the driver is sent back to it rather than refused at submission).
async fn prune_materials(conn: &mut AnyConnection, draft: &mut StoredDraft) -> AppResult<()> {
    let materials = business_materials(&mut *conn, draft.business).await?;
    let details = draft.answers.info.as_ref().map(|info| &info.details);
    draft.answers.uploads.retain(|code, _| materials.iter().any(|m| &m.code == code && m.applies(details)));
    if materials.iter().any(|m| m.required && m.applies(details) && !draft.answers.uploads.contains_key(&m.code)) {
        draft.done.retain(|step| *step != DraftStep::Materials);
    }
    Ok(())
}

/// The drafts of the user, the latest first, for 我的办件.
#[utoipa::path(
    get,
    path = "/drafts",
    tag = "wizard",
    operation_id = "list_drafts",
    responses(
        (status = 200, description = "The user's drafts, the most recently saved first", body = [DraftSummary]),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`realname_required`", body = ErrorBody),
    )
)]
pub async fn list_drafts(State(state): State<AppState>, user: VerifiedUser) -> AppResult<Json<Vec<DraftSummary>>> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT d.business_code, b.name, d.done, d.updated_at FROM drafts d JOIN businesses b ON b.code = d.business_code
          WHERE d.user_id = $1 ORDER BY d.updated_at DESC, b.position",
    )
    .bind(user.user_id)
    .fetch_all(&state.db)
    .await?;
    let list = rows
        .into_iter()
        .map(|(code, business_name, done, updated_at)| {
            let business = BusinessCode::parse(&code).ok_or_else(|| AppError::Internal(format!("unknown business {code:?}")))?;
            let last_step = parse_done(&done)?.last().copied().unwrap_or(DraftStep::Notice);
            Ok(DraftSummary { business, business_name, last_step, updated_at })
        })
        .collect::<AppResult<_>>()?;
    Ok(Json(list))
}

fn no_draft() -> AppError {
    AppError::client(StatusCode::NOT_FOUND, "no_draft", "没有找到这项业务的草稿，请从业务须知开始办理。")
}

/// The user's draft of one business.
#[utoipa::path(
    get,
    path = "/drafts/{business}",
    tag = "wizard",
    operation_id = "get_draft",
    params(("business" = BusinessCode, Path, description = "The business code")),
    responses(
        (status = 200, description = "The draft", body = Draft),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`realname_required`", body = ErrorBody),
        (status = 404, description = "`no_draft`, or `not_found` for an unknown business", body = ErrorBody),
    )
)]
pub async fn get_draft(State(state): State<AppState>, user: VerifiedUser, Path(business): Path<String>) -> AppResult<Json<Draft>> {
    let business = business_in_path(&business)?;
    let draft = load(&mut *state.db.acquire().await?, &state, user.user_id, business).await?.ok_or_else(no_draft)?;
    Ok(Json(draft.to_api()))
}

/// Saves one step. The notice starts the draft; every other step needs the one before it, and
/// its answers are checked as a clerk would. Saving an earlier step again keeps the later ones
/// while they still fit: another certificate that the form no longer passes with sends the
/// driver back to the form, and a form whose answers change the materials drops the photos no
/// longer asked for (and the materials step, when a required one is now missing).
#[utoipa::path(
    put,
    path = "/drafts/{business}",
    tag = "wizard",
    operation_id = "save_draft_step",
    params(("business" = BusinessCode, Path, description = "The business code")),
    request_body = StepAnswers,
    responses(
        (status = 200, description = "Saved: the draft with the step in `done` and a new `revision`", body = Draft),
        (status = 400, description = "`invalid_body`; `certificate_not_found` or `certificate_unavailable` (field `certificate`); `invalid_field` with the form field; `unknown_material`, `material_not_applicable` (not asked for with the form's answers), `upload_not_found` or `materials_missing` with the material code as `field`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`realname_required` or `csrf`", body = ErrorBody),
        (status = 404, description = "No such business", body = ErrorBody),
        (status = 409, description = "`step_out_of_order`: the step before is not saved yet; the message says which. `duplicate_application` with `case_id`: the certificate already has an application of this business open, or an accepted 注销 (the message says which case to follow)", body = ErrorBody),
    )
)]
pub async fn save_step(
    State(state): State<AppState>,
    user: VerifiedUser,
    Path(business): Path<String>,
    Body(answers): Body<StepAnswers>,
) -> AppResult<Json<Draft>> {
    let business = business_in_path(&business)?;
    let now = state.clock.now();
    let today = Date::beijing_today(now);
    let id = user.user_id;
    // One save at a time per database: two tabs saving at once cannot lose a step.
    let mut tx = crate::db::begin_write(&state.db).await?;
    let step = answers.step();
    let mut draft = match load(&mut tx, &state, id, business).await? {
        Some(draft) => draft,
        None if step == DraftStep::Notice => {
            StoredDraft { business, done: Vec::new(), answers: Answers::default(), revision: 0, updated_at: now }
        }
        None => return Err(missing("step_out_of_order", DraftStep::Notice)),
    };
    if let Some(previous) = step.previous().filter(|p| !draft.done.contains(p)) {
        return Err(missing("step_out_of_order", previous));
    }
    match answers {
        StepAnswers::Notice => {}
        StepAnswers::Certificate { certificate_id } => {
            let (_, listed) = check_certificate(&mut tx, &state, id, business, &certificate_id, today).await?;
            // The form was checked against the certificate chosen before (a 变更's current
            // values, a 考核's periods): with another one it may no longer pass, and the driver
            // is sent back to it rather than refused at submission. The answers stay, to edit.
            if let Some(info) = draft.answers.info.clone() {
                match check_info(&mut tx, business, info, &listed).await {
                    Ok(_) => {}
                    Err(AppError::Client { .. }) => {
                        draft.done.retain(|s| *s != DraftStep::PersonalInfo && *s != DraftStep::Materials)
                    }
                    Err(other) => return Err(other),
                }
            }
            draft.answers.certificate_id = Some(certificate_id);
        }
        StepAnswers::PersonalInfo { info } => {
            let certificate_id = draft
                .answers
                .certificate_id
                .clone()
                .ok_or_else(|| missing("step_out_of_order", DraftStep::Certificate))?;
            let (_, listed) = check_certificate(&mut tx, &state, id, business, &certificate_id, today).await?;
            draft.answers.info = Some(check_info(&mut tx, business, info, &listed).await?);
            prune_materials(&mut tx, &mut draft).await?;
        }
        StepAnswers::Materials { uploads } => {
            let details = draft.answers.info.as_ref().map(|info| &info.details);
            check_materials(&mut tx, id, business, details, &uploads).await?;
            draft.answers.uploads = uploads;
        }
    }
    if !draft.done.contains(&step) {
        draft.done.push(step);
        draft.done.sort();
    }
    draft.revision += 1;
    draft.updated_at = now;
    store(&mut tx, &state, id, &draft).await?;
    tx.commit().await?;
    Ok(Json(draft.to_api()))
}

/// Discards the user's draft of one business (none is fine too).
#[utoipa::path(
    delete,
    path = "/drafts/{business}",
    tag = "wizard",
    operation_id = "delete_draft",
    params(("business" = BusinessCode, Path, description = "The business code")),
    responses(
        (status = 204, description = "No draft of this business is left"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`realname_required` or `csrf`", body = ErrorBody),
        (status = 404, description = "No such business", body = ErrorBody),
    )
)]
pub async fn delete_draft(State(state): State<AppState>, user: VerifiedUser, Path(business): Path<String>) -> AppResult<StatusCode> {
    let business = business_in_path(&business)?;
    sqlx::query("DELETE FROM drafts WHERE user_id = $1 AND business_code = $2")
        .bind(user.user_id)
        .bind(business.as_str())
        .execute(&state.db)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
