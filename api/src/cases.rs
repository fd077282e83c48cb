//! After submission: the case page and its timeline, correction and withdrawal, vouchers and
//! their public check, and the staff console (业务办理人员) that works the queues.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::{BusinessCode, CaseStatus, CaseSummary, Certificate, PersonalInfo, RealNameStatus};

/// The fields of the application form a clerk can send back for correction, per business,
/// with the words the driver and the clerk see. `delivery` stands for the whole 领取方式 block,
/// `changes` for every change of a 变更.
pub fn correctable_fields(business: BusinessCode) -> &'static [(&'static str, &'static str)] {
    match business {
        BusinessCode::Reissue => &[
            ("reissue_reason", "补发原因"),
            ("delivery", "领取方式"),
            ("contact_name", "联系人"),
            ("contact_phone", "联系电话"),
        ],
        BusinessCode::Renewal => &[
            ("licence_class", "准驾车型"),
            ("delivery", "领取方式"),
            ("contact_name", "联系人"),
            ("contact_phone", "联系电话"),
        ],
        BusinessCode::Change => &[
            ("changes", "变更事项"),
            ("reason", "变更原因"),
            ("contact_name", "联系人"),
            ("contact_phone", "联系电话"),
        ],
        BusinessCode::Cancellation => &[
            ("cancellation_reason", "注销原因"),
            ("contact_name", "联系人"),
            ("contact_phone", "联系电话"),
        ],
        BusinessCode::CreditAssessment => &[
            ("period", "考核周期"),
            ("contact_name", "联系人"),
            ("contact_phone", "联系电话"),
        ],
    }
}

/// The label of a field the clerk may send back for `business`, `None` for a name that is not one.
pub fn correctable_field_label(business: BusinessCode, field: &str) -> Option<&'static str> {
    correctable_fields(business).iter().find(|(name, _)| *name == field).map(|(_, label)| *label)
}

/// What happened to a case, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimelineEvent {
    /// 已提交
    Submitted,
    /// 已受理
    Accepted,
    /// 退回补正
    Returned,
    /// 已补正并重新提交
    Resubmitted,
    /// 已办结
    Completed,
    /// 不予受理
    Refused,
    /// 已撤回
    Withdrawn,
}

impl TimelineEvent {
    pub fn name(self) -> &'static str {
        match self {
            TimelineEvent::Submitted => "已提交",
            TimelineEvent::Accepted => "已受理",
            TimelineEvent::Returned => "退回补正",
            TimelineEvent::Resubmitted => "已补正并重新提交",
            TimelineEvent::Completed => "已办结",
            TimelineEvent::Refused => "不予受理",
            TimelineEvent::Withdrawn => "已撤回",
        }
    }
}

/// One line of a case's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TimelineEntry {
    pub event: TimelineEvent,
    /// Unix seconds.
    pub at: i64,
    /// The reason given for 退回补正 or 不予受理, the note of 办结; `null` otherwise.
    pub note: Option<String>,
}

/// What a clerk sent back for correction (退回补正): only these may change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Correction {
    /// Why, in the clerk's words (2–200 characters).
    pub reason: String,
    /// Names from [`CORRECTABLE_FIELDS`].
    pub fields: Vec<String>,
    /// Material codes of the case's business.
    pub materials: Vec<String>,
}

/// A photo a case was submitted with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CasePhoto {
    pub material_code: String,
    pub material_name: String,
    /// The upload; its image is `GET /uploads/{id}/image` for the driver and
    /// `GET /staff/cases/{case}/photos/{material_code}` for staff.
    pub upload_id: String,
    /// The quality checks' advice on the photo, measured by the server when it was stored.
    #[serde(default)]
    pub warnings: Vec<crate::PhotoWarning>,
}

/// The result of a finished case (办结).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CaseResult {
    /// Unix seconds.
    pub completed_at: i64,
    /// The certificate number after the business (unchanged, or the new one for 补发/换发).
    pub certificate_number: String,
    /// The new expiry date for 换发, `YYYY-MM-DD`; `null` when it did not change.
    pub valid_until: Option<String>,
    /// For 服务质量信誉考核: the grade, one of [`CREDIT_GRADES`]; `null` for other businesses.
    pub credit_grade: Option<String>,
    /// For 服务质量信誉考核: the period assessed and its points; `null` for other businesses.
    #[serde(default)]
    pub credit: Option<crate::CreditRecord>,
    /// For 变更: what was written to the certificate, old → new.
    #[serde(default)]
    pub changes: Vec<AppliedChange>,
    /// For 注销: the certificate is 已注销.
    #[serde(default)]
    pub cancelled: bool,
    /// The clerk's note for the driver, e.g. where to collect the certificate.
    pub note: String,
    /// The voucher's public code: `GET /cases/{id}/voucher` gives the PDF, and the page
    /// `/verify/{code}` checks it.
    pub voucher_code: String,
    /// The parcel's tracking number when the certificate was mailed and the clerk gave it.
    #[serde(default)]
    pub tracking_number: Option<String>,
}

/// A change a 变更 wrote to the certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AppliedChange {
    pub item: crate::ChangeItem,
    pub old: String,
    pub new: String,
}

/// The grades of the 服务质量信誉考核, best first.
pub const CREDIT_GRADES: [&str; 4] = ["AAA", "AA", "A", "B"];

/// The points of a 考核周期 (出租汽车服务质量信誉考核办法): 20 base points.
pub const CREDIT_BASE_POINTS: u32 = 20;
/// At most this many bonus points (加分) a period.
pub const CREDIT_MAX_BONUS: u32 = 10;

/// The lowest points of each grade above B. The defaults are AAA ≥ 20 and AA ≥ 11 as the
/// 考核办法 is quoted; A ≥ 4 is unverified (see `business-rules.md`), so all three are
/// configuration of the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreditThresholds {
    pub aaa: u32,
    pub aa: u32,
    pub a: u32,
}

impl Default for CreditThresholds {
    fn default() -> CreditThresholds {
        CreditThresholds { aaa: 20, aa: 11, a: 4 }
    }
}

impl CreditThresholds {
    /// The period's points: base less deductions (never below 0) plus bonus (at most 10).
    pub fn points(deductions: u32, bonus: u32) -> u32 {
        CREDIT_BASE_POINTS.saturating_sub(deductions) + bonus.min(CREDIT_MAX_BONUS)
    }

    /// The grade of `points`.
    pub fn grade(&self, points: u32) -> &'static str {
        if points >= self.aaa {
            "AAA"
        } else if points >= self.aa {
            "AA"
        } else if points >= self.a {
            "A"
        } else {
            "B"
        }
    }
}

/// A case as its driver sees it. Opening it marks its last change as seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CaseDetail {
    pub summary: CaseSummary,
    /// The certificate as it stood when the case was submitted.
    pub certificate: Certificate,
    /// The applicant's name from the real-name check, masked (`王*国`).
    pub applicant_name_masked: String,
    pub info: PersonalInfo,
    /// In the order of the business's materials.
    pub photos: Vec<CasePhoto>,
    /// Oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// While the case is `returned`: what to correct.
    pub correction: Option<Correction>,
    /// While the case is `returned`: the last day to correct it, `YYYY-MM-DD` (`correction_days`
    /// working days after it was returned); after it the case is closed as 逾期未补正. `null`
    /// for a case returned before the deadline existed.
    #[serde(default)]
    pub correct_by: Option<String>,
    /// When `completed`.
    pub result: Option<CaseResult>,
    /// While it can be withdrawn: submitted and not yet accepted.
    pub can_withdraw: bool,
}

/// The corrected answers of a returned case (`POST /cases/{id}/resubmission`, header
/// `Idempotency-Key`). Only the fields and materials named in the correction are taken:
/// `info` must be the whole form, and `uploads` must hold a new upload for each flagged
/// material.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Resubmission {
    pub info: PersonalInfo,
    /// Material code → upload id.
    pub uploads: BTreeMap<String, String>,
}

/// The public check of a voucher (`GET /vouchers/{code}`): nothing personal beyond the
/// masked name and the certificate number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct VoucherCheck {
    pub case_id: String,
    pub business_name: String,
    pub holder_name_masked: String,
    pub certificate_number: String,
    /// `YYYY-MM-DD`, Beijing date of 办结.
    pub completed_on: String,
    pub valid_until: Option<String>,
    pub credit_grade: Option<String>,
    /// For 服务质量信誉考核.
    #[serde(default)]
    pub credit: Option<crate::CreditRecord>,
    /// For 注销: the voucher is a 注销凭证.
    #[serde(default)]
    pub cancelled: bool,
    /// For 变更: what was changed, by item only (the new address or phone number is personal
    /// and stays off the public check); empty for other businesses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed_items: Vec<crate::ChangeItem>,
}

// ---------------------------------------------------------------------------------------
// Staff (业务办理人员)

/// What a staff account may do. Every staff endpoint needs a staff session; the actions
/// need `clerk`, the account management `admin`. Only a clerk sees full ID numbers and the
/// photos of ID cards: the others get the number masked (`1501**********1234`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// 业务办理人员: reviews real-name submissions and works cases.
    Clerk,
    /// 查询人员: sees the queues and cases, changes nothing.
    Viewer,
    /// 账号管理员: manages the staff accounts (create, role, password, unlock, disable); sees
    /// the queues as a viewer does and works no case.
    Admin,
}

impl StaffRole {
    pub const ALL: [StaffRole; 3] = [StaffRole::Clerk, StaffRole::Viewer, StaffRole::Admin];

    pub fn name(self) -> &'static str {
        match self {
            StaffRole::Clerk => "业务办理人员",
            StaffRole::Viewer => "查询人员",
            StaffRole::Admin => "账号管理员",
        }
    }

    /// The code in JSON and on the command line: `clerk`, `viewer`, `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Clerk => "clerk",
            StaffRole::Viewer => "viewer",
            StaffRole::Admin => "admin",
        }
    }

    pub fn parse(code: &str) -> Option<StaffRole> {
        StaffRole::ALL.into_iter().find(|role| role.as_str() == code)
    }
}

/// A staff account as an admin sees it (`GET /staff/accounts`): never the password hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffAccountInfo {
    pub username: String,
    pub display_name: String,
    pub role: StaffRole,
    pub disabled: bool,
    /// Unix seconds: while in the future, sign-in with this username is paused from at least
    /// one address after too many wrong passwords (`POST /staff/accounts/{username}/unlock`
    /// lifts it).
    pub locked_until: Option<i64>,
    /// Unix seconds.
    pub created_at: i64,
}

/// `POST /staff/accounts`: a new account with its first password, which the admin hands over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewStaffAccount {
    /// `[a-z0-9_.-]{3,32}`, e.g. `wang.jianguo`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z0-9_.-]{3,32}$"))]
    pub username: String,
    /// 1–32 characters, e.g. 王建国.
    pub display_name: String,
    pub role: StaffRole,
    /// 12–128 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 128))]
    pub password: String,
}

/// `PUT /staff/accounts/{username}/role`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffRoleChange {
    pub role: StaffRole,
}

/// `PUT /staff/accounts/{username}/password`: a new password set by an admin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffPasswordReset {
    /// 12–128 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 128))]
    pub password: String,
}

/// `PUT /staff/password`: a staff member changes his own password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffPasswordChange {
    pub current_password: String,
    /// 12–128 characters, not the current one.
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 128))]
    pub new_password: String,
}

/// `POST /staff/session`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffLogin {
    pub username: String,
    pub password: String,
}

/// The signed-in staff member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffMe {
    pub username: String,
    pub display_name: String,
    pub role: StaffRole,
}

/// A line of the real-name queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RealNameReviewSummary {
    pub id: i64,
    /// Unix seconds.
    pub submitted_at: i64,
    pub name_masked: String,
    pub id_number_masked: String,
    pub status: RealNameStatus,
}

/// One real-name submission for review: the fields in full (the clerk compares them with
/// the photos), which the user typed rather than took from the reading, and the photos at
/// `GET /staff/realname/{id}/photos/{portrait|emblem}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RealNameReview {
    pub summary: RealNameReviewSummary,
    pub fields: crate::IdCardFields,
    pub typed_fields: Vec<String>,
    /// The login phone, masked.
    pub phone_masked: String,
    pub reason: Option<String>,
}

/// `POST /staff/realname/{id}/decision`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RealNameDecision {
    pub approve: bool,
    /// Required (2–200 characters) to reject; shown to the user.
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 200, pattern = r"\S[\s\S]*\S"))]
    pub reason: Option<String>,
}

/// A line of the case queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffCaseSummary {
    pub summary: CaseSummary,
    pub applicant_name_masked: String,
    pub certificate_number: String,
    /// The driver corrected and resubmitted the case since it was last returned (已补正): it
    /// waits for the clerk again, at the top of the queue.
    #[serde(default)]
    pub resubmitted: bool,
    /// While it waits for a clerk: calendar days from today (Beijing) to its due date —
    /// `accept_by` while 待受理, `decide_by` while 待办结; 0 on the day itself, negative once
    /// overdue. `null` for a case that waits for no clerk.
    #[serde(default)]
    pub due_in_days: Option<i64>,
}

/// `GET /staff/case-counts`: how many cases wait in each queue, for the console's first page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CaseQueueCounts {
    /// 待受理.
    pub submitted: u32,
    /// 待办结.
    pub accepted: u32,
    /// Of those two, resubmitted after a correction (已补正).
    pub resubmitted: u32,
    /// Of those two, past their due date.
    pub overdue: u32,
    /// 待补正: returned, waiting for the driver.
    pub returned: u32,
}

/// One staff member's decisions in a period (`GET /staff/reports/clerks`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ClerkWork {
    pub username: String,
    pub display_name: String,
    /// 受理.
    pub accepted: u32,
    /// 退回补正.
    pub returned: u32,
    /// 办结.
    pub completed: u32,
    /// 不予受理.
    pub refused: u32,
    /// From submission to his 办结 or 不予受理, on average, in minutes; `null` without either.
    pub average_decision_minutes: Option<i64>,
}

/// A case as the clerk sees it: every answer, the applicant's full name, the masked ID
/// number, and the timeline with who did what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffCaseDetail {
    pub case: CaseDetail,
    pub applicant_name: String,
    pub id_number_masked: String,
    pub phone_masked: String,
    /// The staff member's display name for each timeline entry (the driver's own entries
    /// say 申请人), same order as `case.timeline`.
    pub timeline_actors: Vec<String>,
    /// The actions this case allows now (empty for a viewer).
    pub allowed_actions: Vec<StaffActionKind>,
    /// For 换发: the new expiry 办结 proposes, the register's expiry + 6 years (道路运输从业人员
    /// 管理规定 第29条), `YYYY-MM-DD`.
    #[serde(default)]
    pub proposed_valid_until: Option<String>,
    /// For 服务质量信誉考核: the grade thresholds the server grades with.
    #[serde(default)]
    pub credit_thresholds: Option<CreditThresholds>,
    /// Why 办结 (or 受理) is refused now although the status allows it, e.g. the certificate was
    /// cancelled meanwhile; `null` when nothing stands in the way.
    #[serde(default)]
    pub blocked_reason: Option<String>,
    /// After the driver corrected and resubmitted the case: the case as the clerk returned it,
    /// to compare with `case`. `null` before any resubmission and while it is returned again.
    #[serde(default)]
    pub resubmission: Option<ResubmissionChanges>,
}

/// What a resubmission changed: the answers and photos as they stood when the clerk returned
/// the case, beside which the clerk reads the case's present ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ResubmissionChanges {
    /// When the driver resubmitted, Unix seconds.
    pub resubmitted_at: i64,
    /// What the clerk asked to correct.
    pub correction: Correction,
    /// The form as it was returned; the present one is `case.info`.
    pub previous_info: PersonalInfo,
    /// The photos the resubmission replaced, as they were; each image is
    /// `GET /staff/cases/{case}/photos/{material_code}?previous=true`.
    pub replaced_photos: Vec<CasePhoto>,
}

/// `POST /staff/cases/{id}/actions`, tagged by `action`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum StaffAction {
    /// 受理: from `submitted`.
    Accept,
    /// 退回补正: from `submitted` or `accepted`; at least one field or material.
    Return(Correction),
    /// 办结: from `accepted`.
    Complete(Completion),
    /// 不予受理: from `submitted`.
    Refuse {
        /// Shown to the applicant: 2–200 characters.
        #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 200, pattern = r"\S[\s\S]*\S"))]
        reason: String,
    },
}

/// The kinds of [`StaffAction`], for `allowed_actions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StaffActionKind {
    Accept,
    Return,
    Complete,
    Refuse,
}

impl StaffActionKind {
    pub fn name(self) -> &'static str {
        match self {
            StaffActionKind::Accept => "受理",
            StaffActionKind::Return => "退回补正",
            StaffActionKind::Complete => "办结",
            StaffActionKind::Refuse => "不予受理",
        }
    }

    /// The actions a case in `status` allows.
    pub fn allowed(status: CaseStatus) -> &'static [StaffActionKind] {
        match status {
            CaseStatus::Submitted => &[StaffActionKind::Accept, StaffActionKind::Return, StaffActionKind::Refuse],
            CaseStatus::Accepted => &[StaffActionKind::Return, StaffActionKind::Complete],
            CaseStatus::Returned | CaseStatus::Completed | CaseStatus::Refused | CaseStatus::Withdrawn => &[],
        }
    }
}

/// 办结: what the business produced, tagged by `business` (it must be the case's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "business", rename_all = "snake_case")]
pub enum Completion {
    /// 补发: a new certificate number, or `null` to keep the old one; the parcel's tracking
    /// number when the driver asked for it by post (the message to him names it).
    Reissue {
        certificate_number: Option<String>,
        note: String,
        #[serde(default)]
        tracking_number: Option<String>,
    },
    /// 换发: the new expiry date `YYYY-MM-DD`, after the old one; a new number or `null`; the
    /// tracking number as for 补发.
    Renewal {
        certificate_number: Option<String>,
        valid_until: String,
        note: String,
        #[serde(default)]
        tracking_number: Option<String>,
    },
    /// 变更: the changes applied are the driver's, as submitted.
    Change { note: String },
    /// 注销: the certificate becomes 已注销.
    Cancellation { note: String },
    /// 服务质量信誉考核: the period's deductions (扣分, 0–20 counted) and bonus points (加分,
    /// 0–10); the points and grade follow.
    CreditAssessment { deductions: u32, bonus: u32, note: String },
}

impl Completion {
    pub fn business(&self) -> BusinessCode {
        match self {
            Completion::Reissue { .. } => BusinessCode::Reissue,
            Completion::Renewal { .. } => BusinessCode::Renewal,
            Completion::Change { .. } => BusinessCode::Change,
            Completion::Cancellation { .. } => BusinessCode::Cancellation,
            Completion::CreditAssessment { .. } => BusinessCode::CreditAssessment,
        }
    }

    /// For the driver (0–200 characters), e.g. where to collect the certificate.
    pub fn note(&self) -> &str {
        match self {
            Completion::Reissue { note, .. }
            | Completion::Renewal { note, .. }
            | Completion::Change { note }
            | Completion::Cancellation { note }
            | Completion::CreditAssessment { note, .. } => note,
        }
    }

    /// The parcel's tracking number, as the clerk typed it (补发 and 换发 by post).
    pub fn tracking_number(&self) -> Option<&str> {
        match self {
            Completion::Reissue { tracking_number, .. } | Completion::Renewal { tracking_number, .. } => {
                tracking_number.as_deref()
            }
            _ => None,
        }
    }
}

/// Filters of `GET /staff/cases` (query string).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct CaseQueueFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CaseStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business: Option<BusinessCode>,
    /// Without `status`: `waiting` (the default without `q`) the cases waiting for a clerk
    /// (待受理 and 待办结, the resubmitted first), `all` every case (the default with `q`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<CaseQueueScope>,
    /// A search: a case number (exact), the applicant's full name, his phone number (all 11
    /// digits or the last 4), his ID number, or a certificate number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Submitted on or after this day (Beijing), `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Submitted on or before this day (Beijing), `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Collected (自取) at this service hall (its id, `GET /service-halls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hall: Option<String>,
    /// A page: at most this many cases (1–500, default [`CASE_PAGE_SIZE`]) …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// … after skipping this many, in the queue's order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
}

/// How many cases one page of `GET /staff/cases` holds unless `limit` says otherwise.
pub const CASE_PAGE_SIZE: u32 = 100;

/// The period of `GET /staff/reports/clerks` (query string): Beijing days, both included.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPeriod {
    /// `YYYY-MM-DD`.
    pub from: String,
    /// `YYYY-MM-DD`, not before `from`.
    pub to: String,
}

/// Which cases `GET /staff/cases` lists when no status is given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseQueueScope {
    /// 待处理: submitted (待受理) or accepted (待办结), what a clerk has to act on.
    #[default]
    Waiting,
    /// 全部状态.
    All,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_tagged_and_flat() {
        let json = serde_json::to_value(StaffAction::Return(Correction {
            reason: "照片模糊".into(),
            fields: vec!["address".into()],
            materials: vec!["photo_2inch".into()],
        }))
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"action": "return", "reason": "照片模糊", "fields": ["address"], "materials": ["photo_2inch"]})
        );
        let accept: StaffAction = serde_json::from_value(serde_json::json!({"action": "accept"})).unwrap();
        assert_eq!(accept, StaffAction::Accept);
        let refuse = serde_json::to_value(StaffAction::Refuse { reason: "不符合条件".into() }).unwrap();
        assert_eq!(refuse, serde_json::json!({"action": "refuse", "reason": "不符合条件"}));
    }

    #[test]
    fn only_open_cases_allow_actions() {
        assert_eq!(
            StaffActionKind::allowed(CaseStatus::Accepted),
            [StaffActionKind::Return, StaffActionKind::Complete]
        );
        assert!(StaffActionKind::allowed(CaseStatus::Returned).is_empty());
        assert_eq!(correctable_field_label(BusinessCode::Renewal, "delivery"), Some("领取方式"));
        assert_eq!(correctable_field_label(BusinessCode::Cancellation, "delivery"), None, "注销 issues nothing");
        assert_eq!(correctable_field_label(BusinessCode::Renewal, "name"), None);
    }

    #[test]
    fn points_and_grades_follow_the_assessment_rules() {
        assert_eq!(CreditThresholds::points(0, 0), 20);
        assert_eq!(CreditThresholds::points(25, 3), 3, "never below 0 before the bonus");
        assert_eq!(CreditThresholds::points(0, 15), 30, "at most 10 bonus points");
        let t = CreditThresholds::default();
        assert_eq!([t.grade(20), t.grade(19), t.grade(11), t.grade(10), t.grade(4), t.grade(3)], ["AAA", "AA", "AA", "A", "A", "B"]);
        let json = serde_json::to_value(StaffAction::Complete(Completion::CreditAssessment { deductions: 3, bonus: 1, note: String::new() })).unwrap();
        assert_eq!(json, serde_json::json!({"action": "complete", "business": "credit_assessment", "deductions": 3, "bonus": 1, "note": ""}));
        let back: StaffAction = serde_json::from_value(json).unwrap();
        assert!(matches!(back, StaffAction::Complete(Completion::CreditAssessment { deductions: 3, .. })));
    }
}
