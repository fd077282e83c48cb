//! The business wizard's contract: certificates, service halls, the draft saved step by step,
//! and the submitted case. The checks of the personal-info form live here, so that the SPA
//! (before it sends) and the server (the authority) refuse the same things with the same words.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::{divisions::Divisions, domain::PhoneNumber, BusinessCode};

/// 巡游出租汽车 or 网络预约出租汽车.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CertificateKind {
    /// 巡游出租汽车驾驶员
    Cruising,
    /// 网络预约出租汽车驾驶员
    RideHailing,
}

impl CertificateKind {
    pub fn name(self) -> &'static str {
        match self {
            CertificateKind::Cruising => "巡游出租汽车驾驶员",
            CertificateKind::RideHailing => "网络预约出租汽车驾驶员",
        }
    }
}

/// Where a certificate stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    /// 有效
    Valid,
    /// 已过期: past its expiry date.
    Expired,
    /// 暂扣
    Suspended,
    /// 吊销
    Revoked,
    /// 已注销
    Cancelled,
}

impl CertificateStatus {
    pub fn name(self) -> &'static str {
        match self {
            CertificateStatus::Valid => "有效",
            CertificateStatus::Expired => "已过期",
            CertificateStatus::Suspended => "暂扣",
            CertificateStatus::Revoked => "吊销",
            CertificateStatus::Cancelled => "已注销",
        }
    }
}

/// A certificate (从业资格证) linked to the user's ID number, as listed for one business.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Certificate {
    /// Opaque id, to choose it.
    pub id: String,
    /// 证号
    pub number: String,
    pub kind: CertificateKind,
    /// 发证机关
    pub authority: String,
    /// 初领日期, `YYYY-MM-DD`.
    pub first_issued: String,
    /// 有效期至, `YYYY-MM-DD`.
    pub valid_until: String,
    pub status: CertificateStatus,
    /// 准驾车型 as recorded on the certificate, one of [`LICENCE_CLASSES`].
    #[serde(default)]
    pub licence_class: String,
    /// 住址 as recorded on the certificate.
    #[serde(default)]
    pub address: String,
    /// 联系电话 as recorded on the certificate.
    #[serde(default)]
    pub phone: String,
    /// 服务单位: the taxi company or ride-hailing platform the driver serves; empty when none
    /// is recorded.
    #[serde(default)]
    pub employer: String,
    /// The latest 服务质量信誉考核 result recorded on the certificate.
    #[serde(default)]
    pub credit: Option<CreditRecord>,
    /// Why it cannot be chosen for this business (expired, suspended, not yet in the renewal
    /// window, lapsed, an application already open…), in words for the user; `null` when it can.
    pub unavailable_reason: Option<String>,
    /// The open case that blocks this business on this certificate (the same business, or an
    /// accepted 注销): the driver follows it in 我的办件.
    #[serde(default)]
    pub open_case_id: Option<String>,
    /// Advice for this business that does not block it, e.g. a 换发 applied for later than 30
    /// days before expiry, or 逾期 after it; `null` when there is none.
    #[serde(default)]
    pub notice: Option<String>,
    /// For 服务质量信誉考核: the 12-month periods that can be applied for, the latest first;
    /// empty for other businesses.
    #[serde(default)]
    pub assessment_periods: Vec<AssessmentPeriod>,
}

/// A 服务质量信誉考核 result as recorded on the certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreditRecord {
    pub period: AssessmentPeriod,
    /// The period's points: 20 base points less deductions (not below 0) plus up to 10 bonus points.
    pub points: u32,
    /// One of [`CREDIT_GRADES`](crate::CREDIT_GRADES).
    pub grade: String,
}

/// A 考核周期: 12 months, from the month the certificate was first issued (出租汽车服务质量信誉
/// 考核办法, 交运规〔2022〕2号).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AssessmentPeriod {
    /// First day, `YYYY-MM-DD`.
    pub start: String,
    /// Last day, `YYYY-MM-DD`.
    pub end: String,
}

impl AssessmentPeriod {
    /// `2025-06-01 至 2026-05-31`
    pub fn label(&self) -> String {
        format!("{} 至 {}", self.start, self.end)
    }
}

/// A service hall where a certificate can be collected (自取).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ServiceHall {
    pub id: String,
    pub name: String,
    pub address: String,
    /// Opening hours, e.g. `周一至周五 9:00-12:00，13:30-17:30（法定节假日除外）`.
    pub hours: String,
    pub phone: String,
}

/// The signed-in, verified user's details that prefill the application form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Profile {
    /// The name on the ID card: shown, not editable.
    pub name: String,
    /// The login phone number, to prefill 联系电话.
    pub phone: String,
    /// The address on the ID card.
    pub address: String,
}

/// How the new certificate reaches the driver (补发 and 换发 only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Delivery {
    /// 自取 at a service hall.
    Pickup { hall_id: String },
    /// 邮寄
    Post(PostalAddress),
}

/// A county-level division (or a prefecture-level one without counties) by its GB/T 2260 code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Region {
    /// Six digits, e.g. `150102`; see [`crate::divisions`].
    pub code: String,
    /// Province, city and district joined (`内蒙古自治区呼和浩特市新城区`): filled in by the
    /// server from the code, whatever the client sent.
    #[serde(default)]
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PostalAddress {
    pub recipient: String,
    pub phone: String,
    pub region: Region,
    /// 详细地址: street, number, building, 5–100 characters.
    pub street: String,
}

/// An address as a region and a street.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Address {
    pub region: Region,
    /// 详细地址, 5–100 characters.
    pub street: String,
}

impl Address {
    /// As written on the certificate: the region's name and the street.
    pub fn text(&self) -> String {
        format!("{}{}", self.region.name, self.street)
    }
}

/// 补发原因 (出租汽车驾驶员从业资格管理规定 第31条: 遗失、毁损).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReissueReason {
    /// 遗失
    Lost,
    /// 损毁
    Damaged,
}

impl ReissueReason {
    pub const ALL: [ReissueReason; 2] = [ReissueReason::Lost, ReissueReason::Damaged];

    pub fn name(self) -> &'static str {
        match self {
            ReissueReason::Lost => "遗失",
            ReissueReason::Damaged => "损毁",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReissueReason::Lost => "lost",
            ReissueReason::Damaged => "damaged",
        }
    }
}

/// What a 变更 changes on the certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeItem {
    /// 住址
    Address,
    /// 联系电话
    Phone,
    /// 准驾车型
    LicenceClass,
    /// 服务单位
    Employer,
}

impl ChangeItem {
    pub const ALL: [ChangeItem; 4] = [ChangeItem::Address, ChangeItem::Phone, ChangeItem::LicenceClass, ChangeItem::Employer];

    pub fn name(self) -> &'static str {
        match self {
            ChangeItem::Address => "住址",
            ChangeItem::Phone => "联系电话",
            ChangeItem::LicenceClass => "准驾车型",
            ChangeItem::Employer => "服务单位",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeItem::Address => "address",
            ChangeItem::Phone => "phone",
            ChangeItem::LicenceClass => "licence_class",
            ChangeItem::Employer => "employer",
        }
    }

    pub fn parse(code: &str) -> Option<ChangeItem> {
        ChangeItem::ALL.into_iter().find(|i| i.as_str() == code)
    }

    /// The current value of this item on `certificate`.
    pub fn current(self, certificate: &Certificate) -> &str {
        match self {
            ChangeItem::Address => &certificate.address,
            ChangeItem::Phone => &certificate.phone,
            ChangeItem::LicenceClass => &certificate.licence_class,
            ChangeItem::Employer => &certificate.employer,
        }
    }
}

/// One change of a 变更, with the new value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "item", rename_all = "snake_case")]
pub enum Change {
    Address { new: Address },
    Phone { new: String },
    LicenceClass { new: String },
    Employer { new: String },
}

impl Change {
    pub fn item(&self) -> ChangeItem {
        match self {
            Change::Address { .. } => ChangeItem::Address,
            Change::Phone { .. } => ChangeItem::Phone,
            Change::LicenceClass { .. } => ChangeItem::LicenceClass,
            Change::Employer { .. } => ChangeItem::Employer,
        }
    }

    /// The new value as written on the certificate.
    pub fn new_text(&self) -> String {
        match self {
            Change::Address { new } => new.text(),
            Change::Phone { new } | Change::LicenceClass { new } | Change::Employer { new } => new.clone(),
        }
    }
}

/// 注销原因. 达到法定退休年龄 is verified in 出租汽车驾驶员从业资格管理规定 第38条; the others are
/// those the transport offices commonly list (see `business-rules.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CancellationReason {
    /// 本人申请
    OwnApplication,
    /// 达到法定退休年龄
    RetirementAge,
    /// 驾驶证被注销或吊销
    LicenceRevoked,
    /// 身体原因不适合继续从业
    Health,
    /// 其他, with `other_reason`.
    Other,
}

impl CancellationReason {
    pub const ALL: [CancellationReason; 5] = [
        CancellationReason::OwnApplication,
        CancellationReason::RetirementAge,
        CancellationReason::LicenceRevoked,
        CancellationReason::Health,
        CancellationReason::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CancellationReason::OwnApplication => "本人申请",
            CancellationReason::RetirementAge => "达到法定退休年龄",
            CancellationReason::LicenceRevoked => "驾驶证被注销或吊销",
            CancellationReason::Health => "身体原因不适合继续从业",
            CancellationReason::Other => "其他",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CancellationReason::OwnApplication => "own_application",
            CancellationReason::RetirementAge => "retirement_age",
            CancellationReason::LicenceRevoked => "licence_revoked",
            CancellationReason::Health => "health",
            CancellationReason::Other => "other",
        }
    }
}

/// What each business asks besides the contact, tagged by `business`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "business", rename_all = "snake_case")]
pub enum BusinessDetails {
    /// 补发: why, and how the new certificate reaches the driver.
    Reissue { reason: ReissueReason, delivery: Delivery },
    /// 换发: the 准驾车型 on the driving licence now, and delivery.
    Renewal { licence_class: String, delivery: Delivery },
    /// 变更: at least one change, each item once, with a new value that differs from the
    /// certificate's; `reason` 2–200 characters.
    Change { changes: Vec<Change>, reason: String },
    /// 注销: `other_reason` (2–200 characters) only with `other`; no delivery.
    Cancellation { reason: CancellationReason, other_reason: String },
    /// 服务质量信誉考核: one of the certificate's `assessment_periods`; no delivery.
    CreditAssessment { period: AssessmentPeriod },
}

impl BusinessDetails {
    pub fn business(&self) -> BusinessCode {
        match self {
            BusinessDetails::Reissue { .. } => BusinessCode::Reissue,
            BusinessDetails::Renewal { .. } => BusinessCode::Renewal,
            BusinessDetails::Change { .. } => BusinessCode::Change,
            BusinessDetails::Cancellation { .. } => BusinessCode::Cancellation,
            BusinessDetails::CreditAssessment { .. } => BusinessCode::CreditAssessment,
        }
    }

    pub fn delivery(&self) -> Option<&Delivery> {
        match self {
            BusinessDetails::Reissue { delivery, .. } | BusinessDetails::Renewal { delivery, .. } => Some(delivery),
            _ => None,
        }
    }

    pub fn delivery_mut(&mut self) -> Option<&mut Delivery> {
        match self {
            BusinessDetails::Reissue { delivery, .. } | BusinessDetails::Renewal { delivery, .. } => Some(delivery),
            _ => None,
        }
    }
}

/// 填写申请信息: the contact for this application and what the business asks. The name comes
/// from the real-name check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PersonalInfo {
    /// 联系人, 2–20 characters.
    pub contact_name: String,
    /// 联系电话: a mobile number.
    pub contact_phone: String,
    pub details: BusinessDetails,
}

/// The driving-licence classes (准驾车型) a taxi driver may hold.
pub const LICENCE_CLASSES: [&str; 7] = ["A1", "A2", "A3", "B1", "B2", "C1", "C2"];

/// A problem with one field of the application form: the field's name (also the id of its
/// input in the SPA) and what to do, in Chinese.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> FieldProblem {
    FieldProblem { field: field.into(), message: message.into() }
}

/// A required text of `min..=max` characters after trimming.
fn check_length(problems: &mut Vec<FieldProblem>, field: &str, label: &str, text: &str, min: usize, max: usize) {
    let count = text.trim().chars().count();
    if count == 0 {
        problems.push(problem(field, format!("请填写{label}。")));
    } else if count < min {
        problems.push(problem(field, format!("{label}至少{min}个字，请补充完整。")));
    } else if count > max {
        problems.push(problem(field, format!("{label}最多{max}个字，您填写了{count}个字，请精简。")));
    }
}

fn check_phone(problems: &mut Vec<FieldProblem>, field: &str, label: &str, text: &str) {
    if text.trim().is_empty() {
        problems.push(problem(field, format!("请填写{label}。")));
    } else if PhoneNumber::parse(text).is_err() {
        problems.push(problem(field, format!("{label}应为11位手机号码，如 13812345678，请核对后重新填写。")));
    }
}

fn check_class(problems: &mut Vec<FieldProblem>, field: &str, class: &str) {
    if class.is_empty() {
        problems.push(problem(field, "请选择准驾车型。"));
    } else if !LICENCE_CLASSES.contains(&class) {
        problems.push(problem(field, "准驾车型应为驾驶证上的A1、A2、A3、B1、B2、C1或C2，请重新选择。"));
    }
}

/// The region's problem at `{prefix}province|city|district`.
fn check_region(problems: &mut Vec<FieldProblem>, prefix: &str, region: &Region, divisions: &Divisions) {
    if let Some((field, message)) = divisions.region_problem(&region.code) {
        problems.push(problem(format!("{prefix}{field}"), message));
    }
}

/// What the form is checked against besides itself.
pub struct FormContext<'a> {
    /// The certificate chosen in the step before: a change must differ from its value, the
    /// period must be one of its periods.
    pub certificate: &'a Certificate,
    /// Whether a service hall id is one of the server's open halls.
    pub hall_exists: &'a dyn Fn(&str) -> bool,
    pub divisions: &'a Divisions,
}

fn check_delivery(problems: &mut Vec<FieldProblem>, delivery: &Delivery, context: &FormContext<'_>) {
    match delivery {
        Delivery::Pickup { hall_id } if hall_id.is_empty() => problems.push(problem("hall", "请选择领取证件的服务大厅。")),
        Delivery::Pickup { hall_id } if !(context.hall_exists)(hall_id) => {
            problems.push(problem("hall", "所选服务大厅已停止办理，请重新选择。"))
        }
        Delivery::Pickup { .. } => {}
        Delivery::Post(post) => {
            check_length(problems, "recipient", "收件人", &post.recipient, 2, 20);
            check_phone(problems, "recipient_phone", "收件人电话", &post.phone);
            check_region(problems, "", &post.region, context.divisions);
            check_length(problems, "street", "详细地址", &post.street, 5, 100);
        }
    }
}

impl PersonalInfo {
    /// Every problem of the form for `business`, in the order of its fields; empty when it can
    /// be saved.
    pub fn problems(&self, business: BusinessCode, context: &FormContext<'_>) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        if self.details.business() != business {
            problems.push(problem("business", "申请信息与所办业务不符，请返回业务列表重新进入。"));
            return problems;
        }
        match &self.details {
            BusinessDetails::Reissue { delivery, .. } => check_delivery(&mut problems, delivery, context),
            BusinessDetails::Renewal { licence_class, delivery } => {
                check_class(&mut problems, "licence_class", licence_class);
                check_delivery(&mut problems, delivery, context);
            }
            BusinessDetails::Change { changes, reason } => {
                if changes.is_empty() {
                    problems.push(problem("changes", "请至少勾选一项变更事项。"));
                }
                let mut seen = Vec::new();
                for change in changes {
                    let item = change.item();
                    if seen.contains(&item) {
                        problems.push(problem("changes", format!("变更事项“{}”重复，请只保留一项。", item.name())));
                        continue;
                    }
                    seen.push(item);
                    let field = format!("change_{}", item.as_str());
                    let before = problems.len();
                    match change {
                        Change::Address { new } => {
                            check_region(&mut problems, "change_address_", &new.region, context.divisions);
                            check_length(&mut problems, "change_address_street", "新住址的详细地址", &new.street, 5, 100);
                        }
                        Change::Phone { new } => check_phone(&mut problems, &field, "新联系电话", new),
                        Change::LicenceClass { new } => check_class(&mut problems, &field, new),
                        Change::Employer { new } => check_length(&mut problems, &field, "新服务单位名称", new, 4, 50),
                    }
                    let current = item.current(context.certificate);
                    if problems.len() == before && !current.is_empty() && same_text(&change.new_text(), current) {
                        let field = if item == ChangeItem::Address { "change_address_street".to_owned() } else { field };
                        // A select is chosen, the other inputs are typed.
                        let verb = if item == ChangeItem::LicenceClass { "选择" } else { "填写" };
                        problems.push(problem(
                            field,
                            format!("新{}与证上现有的相同，无需变更；请{verb}新的{}或取消勾选此项。", item.name(), item.name()),
                        ));
                    }
                }
                check_length(&mut problems, "reason", "变更原因", reason, 2, 200);
            }
            BusinessDetails::Cancellation { reason, other_reason } => {
                if *reason == CancellationReason::Other {
                    check_length(&mut problems, "other_reason", "其他注销原因", other_reason, 2, 200);
                }
            }
            BusinessDetails::CreditAssessment { period } => {
                if period.start.is_empty() {
                    problems.push(problem("period", "请选择考核周期。"));
                } else if !context.certificate.assessment_periods.contains(period) {
                    problems.push(problem("period", "所选考核周期不可申请，请从列表中重新选择。"));
                }
            }
        }
        check_length(&mut problems, "contact_name", "联系人", &self.contact_name, 2, 20);
        check_phone(&mut problems, "contact_phone", "联系电话", &self.contact_phone);
        problems
    }
}

/// Equal but for spaces: `C1` and ` C1 ` are the same value.
fn same_text(a: &str, b: &str) -> bool {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    squash(a) == squash(b)
}

/// The steps whose answers are saved, in the order they must be done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DraftStep {
    /// 须知 read, 同意并确认.
    Notice,
    Certificate,
    PersonalInfo,
    Materials,
}

impl DraftStep {
    pub const ALL: [DraftStep; 4] = [DraftStep::Notice, DraftStep::Certificate, DraftStep::PersonalInfo, DraftStep::Materials];

    /// The step that must be saved before this one.
    pub fn previous(self) -> Option<DraftStep> {
        DraftStep::ALL.iter().position(|s| *s == self).and_then(|i| i.checked_sub(1)).map(|i| DraftStep::ALL[i])
    }

    /// What the user is told when this step is missing.
    pub fn missing_message(self) -> &'static str {
        match self {
            DraftStep::Notice => "请先阅读业务须知并点击“同意并确认”。",
            DraftStep::Certificate => "请先选择要办理的从业资格证。",
            DraftStep::PersonalInfo => "请先填写申请信息。",
            DraftStep::Materials => "请先上传全部必传材料。",
        }
    }
}

/// The answers of one step, saved with `PUT /drafts/{business}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum StepAnswers {
    Notice,
    Certificate {
        #[cfg_attr(feature = "openapi", schema(min_length = 1))]
        certificate_id: String,
    },
    PersonalInfo { info: PersonalInfo },
    /// Material code → upload id, for every material uploaded.
    Materials { uploads: BTreeMap<String, String> },
}

impl StepAnswers {
    pub fn step(&self) -> DraftStep {
        match self {
            StepAnswers::Notice => DraftStep::Notice,
            StepAnswers::Certificate { .. } => DraftStep::Certificate,
            StepAnswers::PersonalInfo { .. } => DraftStep::PersonalInfo,
            StepAnswers::Materials { .. } => DraftStep::Materials,
        }
    }
}

/// A business being applied for, as saved on the server: one per user and business.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Draft {
    pub business: BusinessCode,
    /// The steps saved so far, in order.
    pub done: Vec<DraftStep>,
    pub certificate_id: Option<String>,
    pub info: Option<PersonalInfo>,
    pub uploads: BTreeMap<String, String>,
    /// Goes up with every save; a submission names the revision the user checked.
    pub revision: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

/// A line of the draft list in 我的办件.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DraftSummary {
    pub business: BusinessCode,
    pub business_name: String,
    /// The last step saved.
    pub last_step: DraftStep,
    /// Unix seconds.
    pub updated_at: i64,
}

/// Submits the saved draft of a business (header `Idempotency-Key`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Submission {
    pub business: BusinessCode,
    /// The draft revision the user checked on 核对信息; a newer one is refused.
    pub revision: i64,
}

/// Where a case stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// 已提交, waiting to be accepted.
    Submitted,
    /// 已受理
    Accepted,
    /// 退回补正
    Returned,
    /// 已办结
    Completed,
    /// 不予受理
    Refused,
    /// 已撤回
    Withdrawn,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 6] = [
        CaseStatus::Submitted,
        CaseStatus::Accepted,
        CaseStatus::Returned,
        CaseStatus::Completed,
        CaseStatus::Refused,
        CaseStatus::Withdrawn,
    ];

    /// The contract's spelling (JSON, query strings, the reference server's database).
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Submitted => "submitted",
            CaseStatus::Accepted => "accepted",
            CaseStatus::Returned => "returned",
            CaseStatus::Completed => "completed",
            CaseStatus::Refused => "refused",
            CaseStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(code: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|s| s.as_str() == code)
    }

    /// How the status reads at a glance: the colour and sign both consoles give it.
    pub fn tone(self) -> StatusTone {
        match self {
            CaseStatus::Submitted | CaseStatus::Accepted => StatusTone::Pending,
            CaseStatus::Returned => StatusTone::ActionNeeded,
            CaseStatus::Completed => StatusTone::Good,
            CaseStatus::Refused => StatusTone::Bad,
            CaseStatus::Withdrawn => StatusTone::Ended,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            CaseStatus::Submitted => "已提交",
            CaseStatus::Accepted => "已受理",
            CaseStatus::Returned => "退回补正",
            CaseStatus::Completed => "已办结",
            CaseStatus::Refused => "不予受理",
            CaseStatus::Withdrawn => "已撤回",
        }
    }
}

/// What a case's status means for the driver, for its colour and sign beside its name: a bad
/// outcome never looks like a good one, and the colour never carries the meaning alone
/// (WCAG 2.1 SC 1.4.1; MIIT 《移动互联网应用（App）适老化通用设计规范》).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusTone {
    /// With the office: 已提交, 已受理.
    Pending,
    /// The driver must act: 退回补正.
    ActionNeeded,
    /// 已办结.
    Good,
    /// 不予受理.
    Bad,
    /// Ended by the driver: 已撤回.
    Ended,
}

/// A submitted application (办件).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CaseSummary {
    /// The case number, e.g. `TC20261125000001`.
    pub id: String,
    pub business: BusinessCode,
    pub business_name: String,
    pub status: CaseStatus,
    /// Unix seconds.
    pub submitted_at: i64,
    /// The last day to accept it, `YYYY-MM-DD`: 2 working days after submission.
    pub accept_by: String,
    /// The last day for the result, `YYYY-MM-DD`: 3 working days after acceptance (counted
    /// from `accept_by` until it is accepted).
    pub decide_by: String,
    /// The dates were counted on weekends only (the calendar file does not cover them): 预计.
    pub due_dates_estimated: bool,
    /// The status changed since the driver last opened the case: the badge of 我的办件.
    pub changed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_outcomes_never_share_a_tone_with_good_ones() {
        assert_eq!(CaseStatus::Completed.tone(), StatusTone::Good);
        assert_eq!(CaseStatus::Refused.tone(), StatusTone::Bad);
        assert_eq!(CaseStatus::Returned.tone(), StatusTone::ActionNeeded);
        for status in CaseStatus::ALL {
            assert!(status == CaseStatus::Completed || status.tone() != StatusTone::Good, "{status:?}");
        }
    }

    const DIVISIONS: &str = "150000\t内蒙古自治区\n150100\t呼和浩特市\n150102\t新城区\n441900\t东莞市\n440000\t广东省\n";

    fn certificate() -> Certificate {
        Certificate {
            id: "crt_1".into(),
            number: "1501002021123456".into(),
            kind: CertificateKind::Cruising,
            authority: "呼和浩特市交通运输局".into(),
            first_issued: "2021-06-15".into(),
            valid_until: "2027-06-14".into(),
            status: CertificateStatus::Valid,
            licence_class: "C1".into(),
            address: "内蒙古自治区呼和浩特市新城区示例路1号".into(),
            phone: "13812345678".into(),
            employer: "呼和浩特市示例出租汽车有限公司".into(),
            credit: None,
            unavailable_reason: None,
            open_case_id: None,
            notice: None,
            assessment_periods: vec![AssessmentPeriod { start: "2025-06-01".into(), end: "2026-05-31".into() }],
        }
    }

    fn check(info: &PersonalInfo) -> Vec<FieldProblem> {
        let divisions = Divisions::parse(DIVISIONS).unwrap();
        let certificate = certificate();
        let halls = |id: &str| id == "hall-1";
        let context = FormContext { certificate: &certificate, hall_exists: &halls, divisions: &divisions };
        info.problems(info.details.business(), &context)
    }

    fn fields(problems: &[FieldProblem]) -> Vec<&str> {
        problems.iter().map(|p| p.field.as_str()).collect()
    }

    fn with(details: BusinessDetails) -> PersonalInfo {
        PersonalInfo { contact_name: "王建国".into(), contact_phone: "13812345678".into(), details }
    }

    fn pickup() -> Delivery {
        Delivery::Pickup { hall_id: "hall-1".into() }
    }

    #[test]
    fn a_complete_form_of_each_business_has_no_problems() {
        let post = Delivery::Post(PostalAddress {
            recipient: "王建国".into(),
            phone: "13912345678".into(),
            region: Region { code: "150102".into(), name: String::new() },
            street: "示例路1号2单元".into(),
        });
        for details in [
            BusinessDetails::Reissue { reason: ReissueReason::Lost, delivery: pickup() },
            BusinessDetails::Renewal { licence_class: "C1".into(), delivery: post },
            BusinessDetails::Change { changes: vec![Change::LicenceClass { new: "A1".into() }], reason: "增驾A1".into() },
            BusinessDetails::Cancellation { reason: CancellationReason::RetirementAge, other_reason: String::new() },
            BusinessDetails::CreditAssessment {
                period: AssessmentPeriod { start: "2025-06-01".into(), end: "2026-05-31".into() },
            },
        ] {
            assert_eq!(check(&with(details.clone())), vec![], "{details:?}");
        }
    }

    #[test]
    fn a_form_of_another_business_is_refused() {
        let info = with(BusinessDetails::Reissue { reason: ReissueReason::Lost, delivery: pickup() });
        let divisions = Divisions::default();
        let certificate = certificate();
        let context = FormContext { certificate: &certificate, hall_exists: &|_| true, divisions: &divisions };
        assert_eq!(fields(&info.problems(BusinessCode::Renewal, &context)), ["business"]);
    }

    #[test]
    fn every_field_says_what_is_wrong_in_form_order() {
        let mut info = with(BusinessDetails::Renewal {
            licence_class: String::new(),
            delivery: Delivery::Post(PostalAddress::default()),
        });
        info.contact_name = " ".into();
        info.contact_phone = "12345".into();
        let problems = check(&info);
        assert_eq!(
            fields(&problems),
            ["licence_class", "recipient", "recipient_phone", "province", "street", "contact_name", "contact_phone"]
        );
        assert_eq!(problems[5].message, "请填写联系人。");
        assert!(problems[6].message.contains("11位手机号码"));
    }

    #[test]
    fn a_region_is_chosen_down_to_the_district() {
        let at = |code: &str| {
            check(&with(BusinessDetails::Reissue {
                reason: ReissueReason::Damaged,
                delivery: Delivery::Post(PostalAddress {
                    recipient: "王建国".into(),
                    phone: "13912345678".into(),
                    region: Region { code: code.into(), name: String::new() },
                    street: "示例路1号2单元".into(),
                }),
            }))
        };
        assert_eq!(fields(&at("150000")), ["city"]);
        assert_eq!(fields(&at("150100")), ["district"]);
        assert_eq!(fields(&at("441900")), Vec::<&str>::new(), "东莞市 has no districts");
        assert_eq!(at("999999")[0].message, "所选地区已调整或不存在，请重新选择省份、城市和区县。");
    }

    #[test]
    fn a_change_needs_an_item_a_new_value_and_a_reason() {
        let change = |changes: Vec<Change>, reason: &str| {
            check(&with(BusinessDetails::Change { changes, reason: reason.into() }))
        };
        assert_eq!(fields(&change(vec![], "换")), ["changes", "reason"]);
        let same = change(vec![Change::LicenceClass { new: "C1".into() }], "增驾");
        assert_eq!(fields(&same), ["change_licence_class"]);
        assert_eq!(same[0].message, "新准驾车型与证上现有的相同，无需变更；请选择新的准驾车型或取消勾选此项。");
        let twice = change(vec![Change::Phone { new: "13900000000".into() }, Change::Phone { new: "13900000001".into() }], "换号");
        assert_eq!(fields(&twice), ["changes"]);
        let address = change(
            vec![Change::Address { new: Address { region: Region { code: "150100".into(), name: String::new() }, street: "".into() } }],
            "搬家",
        );
        assert_eq!(fields(&address), ["change_address_district", "change_address_street"]);
        let employer = change(vec![Change::Employer { new: "某公司".into() }], "换公司");
        assert_eq!(employer[0].message, "新服务单位名称至少4个字，请补充完整。");
    }

    #[test]
    fn cancellation_asks_for_words_only_for_other_reasons() {
        let other = check(&with(BusinessDetails::Cancellation { reason: CancellationReason::Other, other_reason: "".into() }));
        assert_eq!(fields(&other), ["other_reason"]);
        assert_eq!(other[0].message, "请填写其他注销原因。");
        let own = check(&with(BusinessDetails::Cancellation { reason: CancellationReason::OwnApplication, other_reason: "".into() }));
        assert_eq!(own, vec![]);
    }

    #[test]
    fn an_assessment_names_one_of_the_certificates_periods() {
        let period = |start: &str, end: &str| {
            check(&with(BusinessDetails::CreditAssessment { period: AssessmentPeriod { start: start.into(), end: end.into() } }))
        };
        assert_eq!(period("", "")[0].message, "请选择考核周期。");
        assert_eq!(fields(&period("2024-06-01", "2025-05-31")), ["period"]);
    }

    #[test]
    fn unknown_classes_and_halls_are_refused() {
        let info = with(BusinessDetails::Renewal { licence_class: "Z9".into(), delivery: Delivery::Pickup { hall_id: "gone".into() } });
        assert_eq!(fields(&check(&info)), ["licence_class", "hall"]);
        let no_hall = with(BusinessDetails::Reissue { reason: ReissueReason::Lost, delivery: Delivery::Pickup { hall_id: String::new() } });
        assert_eq!(check(&no_hall)[0].message, "请选择领取证件的服务大厅。");
    }

    #[test]
    fn details_are_tagged_by_their_business() {
        let json = serde_json::to_value(with(BusinessDetails::Change {
            changes: vec![Change::Employer { new: "呼和浩特市新公司".into() }],
            reason: "换单位".into(),
        }))
        .unwrap();
        assert_eq!(
            json["details"],
            serde_json::json!({"business": "change", "changes": [{"item": "employer", "new": "呼和浩特市新公司"}], "reason": "换单位"})
        );
    }

    #[test]
    fn case_statuses_are_spelled_as_in_json() {
        for status in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::to_string(&status).unwrap(), format!("\"{}\"", status.as_str()));
        }
        assert_eq!(CaseStatus::parse("done"), None);
    }

    #[test]
    fn steps_come_in_order() {
        assert_eq!(DraftStep::Notice.previous(), None);
        assert_eq!(DraftStep::Materials.previous(), Some(DraftStep::PersonalInfo));
        assert!(DraftStep::Certificate < DraftStep::Materials);
    }

    #[test]
    fn step_answers_are_tagged_by_their_step() {
        let json = serde_json::to_value(StepAnswers::Certificate { certificate_id: "c1".into() }).unwrap();
        assert_eq!(json, serde_json::json!({"step": "certificate", "certificate_id": "c1"}));
        let delivery = serde_json::to_value(Delivery::Pickup { hall_id: "h".into() }).unwrap();
        assert_eq!(delivery, serde_json::json!({"method": "pickup", "hall_id": "h"}));
        let post: Delivery = serde_json::from_value(serde_json::json!({"method": "post", "recipient": "王", "phone": "", "region": {"code": ""}, "street": ""})).unwrap();
        assert!(matches!(post, Delivery::Post(_)));
    }
}
