//! The business wizard's contract: certificates, service halls, the draft saved step by step,
//! and the submitted case. The checks of the personal-info form live here, so that the SPA
//! (before it sends) and the server (the authority) refuse the same things with the same words.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::{domain::PhoneNumber, BusinessCode};

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
    /// Why it cannot be chosen for this business (expired, suspended, not yet in the renewal
    /// window…), in words for the user; `null` when it can.
    pub unavailable_reason: Option<String>,
}

/// A service hall where a certificate can be collected (自取).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ServiceHall {
    pub id: String,
    pub name: String,
    pub address: String,
    /// Opening hours, e.g. `周一至周五 9:00-12:00, 13:30-17:00(法定节假日除外)`.
    pub hours: String,
    pub phone: String,
}

/// The signed-in, verified user's details that prefill the personal-info step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Profile {
    /// The name on the ID card: shown, not editable.
    pub name: String,
    /// The login phone number, to prefill 联系电话.
    pub phone: String,
    /// The address on the ID card, to prefill 住址.
    pub address: String,
}

/// How the new certificate reaches the driver.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Delivery {
    /// 自取 at a service hall.
    Pickup { hall_id: String },
    /// 邮寄
    Post(PostalAddress),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PostalAddress {
    pub recipient: String,
    pub phone: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub street: String,
}

/// 完善个人信息: everything but the name, which comes from the real-name check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PersonalInfo {
    /// 准驾车型, one of [`LICENCE_CLASSES`].
    pub licence_class: String,
    /// 申请原因, 2–200 characters.
    pub reason: String,
    /// 住址
    pub address: String,
    /// 联系人
    pub contact_name: String,
    /// 联系电话: a mobile number.
    pub contact_phone: String,
    /// 领取方式
    pub delivery: Delivery,
}

/// The driving-licence classes (准驾车型) a taxi driver may hold.
pub const LICENCE_CLASSES: [&str; 7] = ["A1", "A2", "A3", "B1", "B2", "C1", "C2"];

/// The provinces a certificate can be posted to.
pub const PROVINCES: [&str; 31] = [
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
    "宁夏回族自治区", "新疆维吾尔自治区",
];

/// A problem with one field of the personal-info form: the field's name (also the id of its
/// input in the SPA) and what to do, in Chinese.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> FieldProblem {
    FieldProblem { field, message: message.into() }
}

/// A required text of `min..=max` characters after trimming.
fn check_length(problems: &mut Vec<FieldProblem>, field: &'static str, label: &str, text: &str, min: usize, max: usize) {
    let count = text.trim().chars().count();
    if count == 0 {
        problems.push(problem(field, format!("请填写{label}。")));
    } else if count < min {
        problems.push(problem(field, format!("{label}至少{min}个字,请补充完整。")));
    } else if count > max {
        problems.push(problem(field, format!("{label}最多{max}个字,您填写了{count}个字,请精简。")));
    }
}

fn check_phone(problems: &mut Vec<FieldProblem>, field: &'static str, label: &str, text: &str) {
    if text.trim().is_empty() {
        problems.push(problem(field, format!("请填写{label}。")));
    } else if PhoneNumber::parse(text).is_err() {
        problems.push(problem(field, format!("{label}应为11位手机号码,如 13812345678,请核对后重新填写。")));
    }
}

impl PersonalInfo {
    /// Every problem of the form, in the order of its fields; empty when it can be saved.
    /// `hall_exists` says whether a service hall id is one of the server's.
    pub fn problems(&self, hall_exists: impl Fn(&str) -> bool) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        if self.licence_class.is_empty() {
            problems.push(problem("licence_class", "请选择准驾车型。"));
        } else if !LICENCE_CLASSES.contains(&self.licence_class.as_str()) {
            problems.push(problem("licence_class", "准驾车型应为驾驶证上的A1、A2、A3、B1、B2、C1或C2,请重新选择。"));
        }
        check_length(&mut problems, "reason", "申请原因", &self.reason, 2, 200);
        check_length(&mut problems, "address", "住址", &self.address, 5, 100);
        check_length(&mut problems, "contact_name", "联系人", &self.contact_name, 2, 20);
        check_phone(&mut problems, "contact_phone", "联系电话", &self.contact_phone);
        match &self.delivery {
            Delivery::Pickup { hall_id } if hall_id.is_empty() => {
                problems.push(problem("hall", "请选择领取证件的服务大厅。"))
            }
            Delivery::Pickup { hall_id } if !hall_exists(hall_id) => {
                problems.push(problem("hall", "所选服务大厅已停止办理,请重新选择。"))
            }
            Delivery::Pickup { .. } => {}
            Delivery::Post(post) => {
                check_length(&mut problems, "recipient", "收件人", &post.recipient, 2, 20);
                check_phone(&mut problems, "recipient_phone", "收件人电话", &post.phone);
                if post.province.is_empty() {
                    problems.push(problem("province", "请选择省份。"));
                } else if !PROVINCES.contains(&post.province.as_str()) {
                    problems.push(problem("province", "请从列表中选择省份。"));
                }
                check_length(&mut problems, "city", "城市", &post.city, 2, 20);
                check_length(&mut problems, "district", "区县", &post.district, 2, 20);
                check_length(&mut problems, "street", "详细地址", &post.street, 5, 100);
            }
        }
        problems
    }
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
            DraftStep::PersonalInfo => "请先完善个人信息。",
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
    Certificate { certificate_id: String },
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

    fn good_info() -> PersonalInfo {
        PersonalInfo {
            licence_class: "A1".into(),
            reason: "有效期即将届满".into(),
            address: "内蒙古呼和浩特市新城区示例路1号".into(),
            contact_name: "王建国".into(),
            contact_phone: "13812345678".into(),
            delivery: Delivery::Pickup { hall_id: "hall-1".into() },
        }
    }

    #[test]
    fn a_complete_form_has_no_problems() {
        assert_eq!(good_info().problems(|id| id == "hall-1"), vec![]);
        let posted = PersonalInfo {
            delivery: Delivery::Post(PostalAddress {
                recipient: "王建国".into(),
                phone: "13912345678".into(),
                province: "内蒙古自治区".into(),
                city: "呼和浩特市".into(),
                district: "新城区".into(),
                street: "示例路1号2单元".into(),
            }),
            ..good_info()
        };
        assert_eq!(posted.problems(|_| false), vec![]);
    }

    #[test]
    fn every_field_says_what_is_wrong_in_form_order() {
        let empty = PersonalInfo {
            licence_class: String::new(),
            reason: " ".into(),
            address: String::new(),
            contact_name: String::new(),
            contact_phone: String::new(),
            delivery: Delivery::Post(PostalAddress::default()),
        };
        let fields: Vec<&str> = empty.problems(|_| true).iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            ["licence_class", "reason", "address", "contact_name", "contact_phone", "recipient", "recipient_phone", "province", "city", "district", "street"]
        );
        assert_eq!(empty.problems(|_| true)[1].message, "请填写申请原因。");
    }

    #[test]
    fn the_reason_is_two_to_two_hundred_characters() {
        let with = |reason: &str| PersonalInfo { reason: reason.into(), ..good_info() }.problems(|_| true);
        assert_eq!(with("换")[0].message, "申请原因至少2个字,请补充完整。");
        assert_eq!(with("换证"), vec![]);
        assert_eq!(with(&"字".repeat(200)), vec![]);
        assert_eq!(with(&"字".repeat(201))[0].message, "申请原因最多200个字,您填写了201个字,请精简。");
    }

    #[test]
    fn unknown_classes_halls_and_phones_are_refused() {
        let info = PersonalInfo { licence_class: "Z9".into(), contact_phone: "12345".into(), ..good_info() };
        let problems = info.problems(|_| false);
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["licence_class", "contact_phone", "hall"]);
        assert!(problems[1].message.contains("11位手机号码"));
        let no_hall = PersonalInfo { delivery: Delivery::Pickup { hall_id: String::new() }, ..good_info() };
        assert_eq!(no_hall.problems(|_| true)[0].message, "请选择领取证件的服务大厅。");
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
        let post: Delivery = serde_json::from_value(serde_json::json!({"method": "post", "recipient": "王", "phone": "", "province": "", "city": "", "district": "", "street": ""})).unwrap();
        assert!(matches!(post, Delivery::Post(_)));
    }
}
