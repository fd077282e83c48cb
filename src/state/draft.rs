//! The wizard's draft as the app holds it, and how it resumes: from the answers kept on this
//! phone or from the server's copy, whichever is newer. No `web_sys` here, so that the rules
//! are tested natively.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use taxicert_api::{
    divisions::Divisions, Address, AssessmentPeriod, BusinessCode, BusinessDetails, CancellationReason, CaseStatus,
    CaseSummary, Certificate, Change, ChangeItem, Delivery, Draft, DraftStep, FieldProblem, FormContext, PersonalInfo, PostalAddress, Profile,
    Region, ReissueReason, ServiceHall,
};

/// 领取方式, as the form holds it: both alternatives' fields are kept while the user switches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    #[default]
    Pickup,
    Post,
}

/// 填写申请信息, field by field as typed. One draft is one business, but the form keeps every
/// business's fields: a 变更 item unticked keeps its new value until the driver leaves, and a
/// radio not chosen yet is `None` (the form's own check, before the contract's).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InfoForm {
    /// 联系人 (personal).
    pub contact_name: String,
    /// 联系电话 (personal).
    pub contact_phone: String,
    /// 补发原因.
    pub reissue_reason: Option<ReissueReason>,
    /// 换发: 准驾车型, prefilled from the certificate.
    pub licence_class: String,
    /// 领取方式 of 补发 and 换发.
    pub method: DeliveryMethod,
    pub hall_id: String,
    /// 收件人 (personal).
    pub recipient: String,
    /// 收件人电话 (personal).
    pub recipient_phone: String,
    /// The postal region's GB/T 2260 code, as far as chosen (personal: part of an address).
    pub region: String,
    /// 详细地址 of the postal address (personal).
    pub street: String,
    /// 变更: the items ticked, in [`ChangeItem::ALL`] order.
    pub change_items: Vec<ChangeItem>,
    /// The new 住址's region code (personal).
    pub change_address_region: String,
    /// The new 住址's street (personal).
    pub change_address_street: String,
    /// The new 联系电话 (personal).
    pub change_phone: String,
    /// The new 准驾车型.
    pub change_licence_class: String,
    /// The new 服务单位 (personal: where the driver works).
    pub change_employer: String,
    /// 变更原因 (personal: free text, it may say where the driver moved or works).
    pub change_reason: String,
    /// 注销原因.
    pub cancellation_reason: Option<CancellationReason>,
    /// 其他注销原因 (personal: it may say why, health included).
    pub other_reason: String,
    /// 考核周期.
    pub period: Option<AssessmentPeriod>,
}

/// The form's own checks, before the contract's: a radio not chosen yet.
pub const NO_REISSUE_REASON: &str = "请选择补发原因。";
pub const NO_CANCELLATION_REASON: &str = "请选择注销原因。";

fn region(code: &str, divisions: Option<&Divisions>) -> Region {
    let name = divisions.and_then(|d| d.full_name(code)).unwrap_or_default();
    Region { code: code.to_owned(), name }
}

impl InfoForm {
    /// Whether the 变更 item is ticked (its new value is sent).
    pub fn is_ticked(&self, item: ChangeItem) -> bool {
        self.change_items.contains(&item)
    }

    /// Ticks or unticks a 变更 item; its new value stays either way.
    pub fn tick(&mut self, item: ChangeItem, on: bool) {
        self.change_items.retain(|i| *i != item);
        if on {
            self.change_items.push(item);
            self.change_items.sort();
        }
    }

    /// 领取方式 as sent: the alternative not chosen is left out. `divisions` names the region
    /// (the server names it again from the code, whatever is sent).
    fn delivery(&self, divisions: Option<&Divisions>) -> Delivery {
        match self.method {
            DeliveryMethod::Pickup => Delivery::Pickup { hall_id: self.hall_id.clone() },
            DeliveryMethod::Post => Delivery::Post(PostalAddress {
                recipient: self.recipient.trim().to_owned(),
                phone: self.recipient_phone.trim().to_owned(),
                region: region(&self.region, divisions),
                street: self.street.trim().to_owned(),
            }),
        }
    }

    fn change(&self, item: ChangeItem, divisions: Option<&Divisions>) -> Change {
        match item {
            ChangeItem::Address => Change::Address {
                new: Address {
                    region: region(&self.change_address_region, divisions),
                    street: self.change_address_street.trim().to_owned(),
                },
            },
            ChangeItem::Phone => Change::Phone { new: self.change_phone.trim().to_owned() },
            ChangeItem::LicenceClass => Change::LicenceClass { new: self.change_licence_class.clone() },
            ChangeItem::Employer => Change::Employer { new: self.change_employer.trim().to_owned() },
        }
    }

    /// What `business` sends, or the radios not chosen yet (field and message): a reason of
    /// 补发 or 注销 cannot be sent empty.
    pub fn details(&self, business: BusinessCode, divisions: Option<&Divisions>) -> Result<BusinessDetails, Vec<FieldProblem>> {
        let unchosen = |field: &str, message: &str| vec![FieldProblem { field: field.into(), message: message.into() }];
        Ok(match business {
            BusinessCode::Reissue => BusinessDetails::Reissue {
                reason: self.reissue_reason.ok_or_else(|| unchosen("reissue_reason", NO_REISSUE_REASON))?,
                delivery: self.delivery(divisions),
            },
            BusinessCode::Renewal => {
                BusinessDetails::Renewal { licence_class: self.licence_class.clone(), delivery: self.delivery(divisions) }
            }
            BusinessCode::Change => BusinessDetails::Change {
                changes: self.change_items.iter().map(|item| self.change(*item, divisions)).collect(),
                reason: self.change_reason.trim().to_owned(),
            },
            BusinessCode::Cancellation => {
                let reason = self.cancellation_reason.ok_or_else(|| unchosen("cancellation_reason", NO_CANCELLATION_REASON))?;
                // The words are asked for 其他 only; another reason sends none.
                let other_reason =
                    if reason == CancellationReason::Other { self.other_reason.trim().to_owned() } else { String::new() };
                BusinessDetails::Cancellation { reason, other_reason }
            }
            BusinessCode::CreditAssessment => {
                // Not chosen yet is an empty period, which the contract's check names.
                let none = AssessmentPeriod { start: String::new(), end: String::new() };
                BusinessDetails::CreditAssessment { period: self.period.clone().unwrap_or(none) }
            }
        })
    }

    /// The form as sent for `business`, or every problem in the form's order: the radios not
    /// chosen yet, then the contract's checks ([`PersonalInfo::problems`], the server's own).
    pub fn to_info(&self, business: BusinessCode, context: &FormContext<'_>) -> Result<PersonalInfo, Vec<FieldProblem>> {
        let (info, mut problems) = self.checked_as_sent(business, context.divisions);
        problems.extend(info.problems(business, context));
        if problems.is_empty() {
            Ok(info)
        } else {
            Err(problems)
        }
    }

    /// The form as it would be sent, and the radios not chosen yet (a stand-in is sent in
    /// their place, so that the contract's checks report the rest of the form at once).
    pub fn checked_as_sent(&self, business: BusinessCode, divisions: &Divisions) -> (PersonalInfo, Vec<FieldProblem>) {
        let divisions = Some(divisions);
        let (details, problems) = match self.details(business, divisions) {
            Ok(details) => (details, Vec::new()),
            Err(unchosen) => {
                // Checked with a stand-in, so that the rest of the form is reported at once.
                let mut stand_in = self.clone();
                stand_in.reissue_reason.get_or_insert(ReissueReason::Lost);
                stand_in.cancellation_reason.get_or_insert(CancellationReason::OwnApplication);
                (stand_in.details(business, divisions).expect("every radio chosen"), unchosen)
            }
        };
        let info = PersonalInfo {
            contact_name: self.contact_name.trim().to_owned(),
            contact_phone: self.contact_phone.trim().to_owned(),
            details,
        };
        (info, problems)
    }

    /// The form of a saved or submitted application.
    pub fn from_info(info: &PersonalInfo) -> InfoForm {
        let mut form =
            InfoForm { contact_name: info.contact_name.clone(), contact_phone: info.contact_phone.clone(), ..InfoForm::default() };
        match &info.details {
            BusinessDetails::Reissue { reason, delivery } => {
                form.reissue_reason = Some(*reason);
                form.set_delivery(delivery);
            }
            BusinessDetails::Renewal { licence_class, delivery } => {
                form.licence_class.clone_from(licence_class);
                form.set_delivery(delivery);
            }
            BusinessDetails::Change { changes, reason } => {
                form.change_reason.clone_from(reason);
                for change in changes {
                    form.tick(change.item(), true);
                    match change {
                        Change::Address { new } => {
                            form.change_address_region.clone_from(&new.region.code);
                            form.change_address_street.clone_from(&new.street);
                        }
                        Change::Phone { new } => form.change_phone.clone_from(new),
                        Change::LicenceClass { new } => form.change_licence_class.clone_from(new),
                        Change::Employer { new } => form.change_employer.clone_from(new),
                    }
                }
            }
            BusinessDetails::Cancellation { reason, other_reason } => {
                form.cancellation_reason = Some(*reason);
                form.other_reason.clone_from(other_reason);
            }
            BusinessDetails::CreditAssessment { period } => form.period = Some(period.clone()),
        }
        form
    }

    fn set_delivery(&mut self, delivery: &Delivery) {
        match delivery {
            Delivery::Pickup { hall_id } => {
                self.method = DeliveryMethod::Pickup;
                self.hall_id.clone_from(hall_id);
            }
            Delivery::Post(post) => {
                self.method = DeliveryMethod::Post;
                self.recipient.clone_from(&post.recipient);
                self.recipient_phone.clone_from(&post.phone);
                self.region.clone_from(&post.region.code);
                self.street.clone_from(&post.street);
            }
        }
    }

    /// Fills the empty fields: from `previous` (the driver's last application of the business
    /// on this certificate that ended without a result, see [`previous_application`]) when the
    /// form is still blank, then from his profile and the chosen certificate (its 准驾车型 for
    /// 换发); what he typed stays. An assessment's period is not carried over: the periods
    /// offered change once one is assessed.
    pub fn prefill(&mut self, profile: &Profile, certificate: Option<&Certificate>, previous: Option<&PersonalInfo>) {
        if let Some(previous) = previous.filter(|_| *self == InfoForm::default()) {
            *self = InfoForm { period: None, ..InfoForm::from_info(previous) };
        }
        for (field, value) in [
            (&mut self.contact_name, &profile.name),
            (&mut self.contact_phone, &profile.phone),
            (&mut self.recipient, &profile.name),
            (&mut self.recipient_phone, &profile.phone),
        ] {
            if field.is_empty() {
                field.clone_from(value);
            }
        }
        if let Some(certificate) = certificate {
            if self.licence_class.is_empty() {
                self.licence_class.clone_from(&certificate.licence_class);
            }
        }
    }

    /// Splits the form into what may be kept on the phone for good (local storage) and the
    /// personal details (addresses and their regions, names, phone numbers, the employer, and
    /// every answer in free text: 变更原因, the words of another cancellation reason), which
    /// are kept for this tab only.
    pub fn split(&self) -> (InfoForm, PersonalFields) {
        let mut plain = self.clone();
        let personal = PersonalFields {
            contact_name: std::mem::take(&mut plain.contact_name),
            contact_phone: std::mem::take(&mut plain.contact_phone),
            recipient: std::mem::take(&mut plain.recipient),
            recipient_phone: std::mem::take(&mut plain.recipient_phone),
            region: std::mem::take(&mut plain.region),
            street: std::mem::take(&mut plain.street),
            change_address_region: std::mem::take(&mut plain.change_address_region),
            change_address_street: std::mem::take(&mut plain.change_address_street),
            change_phone: std::mem::take(&mut plain.change_phone),
            change_employer: std::mem::take(&mut plain.change_employer),
            change_reason: std::mem::take(&mut plain.change_reason),
            other_reason: std::mem::take(&mut plain.other_reason),
        };
        (plain, personal)
    }

    /// The form again from its two parts ([`InfoForm::split`]).
    pub fn join(mut self, personal: PersonalFields) -> InfoForm {
        let PersonalFields {
            contact_name,
            contact_phone,
            recipient,
            recipient_phone,
            region,
            street,
            change_address_region,
            change_address_street,
            change_phone,
            change_employer,
            change_reason,
            other_reason,
        } = personal;
        self.contact_name = contact_name;
        self.contact_phone = contact_phone;
        self.recipient = recipient;
        self.recipient_phone = recipient_phone;
        self.region = region;
        self.street = street;
        self.change_address_region = change_address_region;
        self.change_address_street = change_address_street;
        self.change_phone = change_phone;
        self.change_employer = change_employer;
        // A copy kept before 变更原因 was personal has it in the plain part; the next save on
        // the phone moves it to the tab's part.
        if !change_reason.is_empty() || self.change_reason.is_empty() {
            self.change_reason = change_reason;
        }
        self.other_reason = other_reason;
        self
    }
}

/// The personal details of the form: session storage only, never local storage.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonalFields {
    pub contact_name: String,
    pub contact_phone: String,
    pub recipient: String,
    pub recipient_phone: String,
    pub region: String,
    pub street: String,
    pub change_address_region: String,
    pub change_address_street: String,
    pub change_phone: String,
    pub change_employer: String,
    pub change_reason: String,
    pub other_reason: String,
}

/// One answer of an application in words, for 核对信息, the case page and the unchanged part
/// of a correction: `field` is the correctable field it belongs to
/// ([`taxicert_api::correctable_fields`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub field: &'static str,
    pub label: &'static str,
    pub value: String,
}

/// Whose eyes the answers are for. The driver confirming them before 提交 (核对信息) sees every
/// value whole; once submitted (提交成功, 办件详情, 补正) the names and phone numbers of 联系人
/// and 收件人 are masked like 申请人 (王*国, 139****5678): sensitive details are shown in full
/// only where their owner confirms them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Confirming,
    Submitted,
}

impl Shown {
    fn name(self, name: &str) -> String {
        match self {
            Shown::Confirming => name.to_owned(),
            Shown::Submitted => taxicert_api::domain::mask_name(name),
        }
    }

    fn phone(self, phone: &str) -> String {
        match (self, taxicert_api::domain::PhoneNumber::parse(phone)) {
            (Shown::Submitted, Ok(number)) => number.masked(),
            _ => phone.to_owned(),
        }
    }
}

/// 领取方式 in words: the hall with its address, or where it is posted (the region by name).
pub fn describe_delivery(delivery: &Delivery, halls: &[ServiceHall], shown: Shown) -> String {
    match delivery {
        Delivery::Pickup { hall_id } => {
            let hall = halls.iter().find(|h| &h.id == hall_id);
            format!("到服务大厅自取：{}", hall.map(|h| format!("{}（{}）", h.name, h.address)).unwrap_or_else(|| "未选择".into()))
        }
        Delivery::Post(post) => {
            format!("邮寄：{} {}，{}{}", shown.name(&post.recipient), shown.phone(&post.phone), post.region.name, post.street)
        }
    }
}

/// Every answer of `info` in form order, each business its own: 变更 as 原内容 → 新内容 against
/// `certificate` (the one chosen, or as it stood when the case was submitted).
pub fn answers(info: &PersonalInfo, certificate: Option<&Certificate>, halls: &[ServiceHall], shown: Shown) -> Vec<Answer> {
    let answer = |field, label, value: String| Answer { field, label, value };
    let mut rows = Vec::new();
    match &info.details {
        BusinessDetails::Reissue { reason, delivery } => {
            rows.push(answer("reissue_reason", "补发原因", reason.name().to_owned()));
            rows.push(answer("delivery", "领取方式", describe_delivery(delivery, halls, shown)));
        }
        BusinessDetails::Renewal { licence_class, delivery } => {
            rows.push(answer("licence_class", "准驾车型", licence_class.clone()));
            rows.push(answer("delivery", "领取方式", describe_delivery(delivery, halls, shown)));
        }
        BusinessDetails::Change { changes, reason } => {
            for change in changes {
                let item = change.item();
                let old = certificate.map(|c| item.current(c)).filter(|v| !v.is_empty()).unwrap_or("（证上未记载）");
                rows.push(answer("changes", item.name(), format!("{old} → {}", change.new_text())));
            }
            rows.push(answer("reason", "变更原因", reason.clone()));
        }
        BusinessDetails::Cancellation { reason, other_reason } => {
            let value = match reason {
                CancellationReason::Other => format!("{}：{other_reason}", reason.name()),
                _ => reason.name().to_owned(),
            };
            rows.push(answer("cancellation_reason", "注销原因", value));
        }
        BusinessDetails::CreditAssessment { period } => rows.push(answer("period", "考核周期", period.label())),
    }
    rows.push(answer("contact_name", "联系人", shown.name(&info.contact_name)));
    rows.push(answer("contact_phone", "联系电话", shown.phone(&info.contact_phone)));
    rows
}

/// One business's draft as the app holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DraftState {
    /// Whose draft (the masked login number): another user on this phone starts afresh.
    pub owner: String,
    /// The server's revision these answers started from; `None` before the first save.
    pub base_revision: Option<i64>,
    /// The steps saved on the server.
    pub done: Vec<DraftStep>,
    /// 同意并确认 was pressed (saved with the next request if the user was not signed in).
    pub notice_agreed: bool,
    pub certificate_id: Option<String>,
    pub info: InfoForm,
    /// The form was filled from the profile in this visit: what the user clears stays cleared
    /// until the next visit, which fills the empty fields again (the personal details are not
    /// kept on the phone beyond the tab).
    #[serde(skip)]
    pub info_prefilled: bool,
    /// Material code → upload id.
    pub uploads: BTreeMap<String, String>,
    /// The idempotency key of the submission: the same for every tap and every retry.
    pub submit_key: Option<String>,
}

/// The case whose answers a new application of `business` starts from: the newest that ended
/// without a result (不予受理, 已撤回), so that the driver need not type 准驾车型, 申请原因 and the
/// rest again. A completed case is not one: its new values are now the certificate's.
pub fn previous_application(cases: &[CaseSummary], business: BusinessCode) -> Option<&CaseSummary> {
    cases
        .iter()
        .filter(|c| c.business == business && matches!(c.status, CaseStatus::Refused | CaseStatus::Withdrawn))
        .max_by_key(|c| c.submitted_at)
}

impl DraftState {
    /// Anything the driver chose, typed or uploaded: only then may a login prompt promise that
    /// it is kept.
    pub fn has_answers(&self) -> bool {
        self.certificate_id.is_some() || self.info != InfoForm::default() || !self.uploads.is_empty()
    }

    pub fn from_server(draft: &Draft, owner: &str) -> DraftState {
        DraftState {
            owner: owner.to_owned(),
            base_revision: Some(draft.revision),
            done: draft.done.clone(),
            notice_agreed: draft.done.contains(&DraftStep::Notice),
            certificate_id: draft.certificate_id.clone(),
            info: draft.info.as_ref().map(InfoForm::from_info).unwrap_or_default(),
            info_prefilled: draft.info.is_some(),
            uploads: draft.uploads.clone(),
            submit_key: None,
        }
    }

    /// The first step up to and including `step` that is not saved: the user is sent there.
    pub fn first_missing_through(&self, step: DraftStep) -> Option<DraftStep> {
        DraftStep::ALL.into_iter().take_while(|s| *s <= step).find(|s| !self.done.contains(s))
    }

    /// Records a step the server saved.
    pub fn saved(&mut self, draft: &Draft) {
        self.base_revision = Some(draft.revision);
        self.done = draft.done.clone();
    }
}

/// The wizard's copy on this phone: the answers kept for good (local storage), without the
/// personal details, and the personal details kept for this tab (session storage), which a new
/// tab does not have, nor a WeChat view opened again after it was closed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PhoneCopy {
    /// The draft with the plain part of the form ([`InfoForm::split`]).
    pub state: DraftState,
    /// The personal part, if this tab has it.
    pub personal: Option<PersonalFields>,
}

/// The draft to resume with: the phone's copy while it is based on the server's newest
/// revision (it may hold edits not saved yet), else the server's. The personal details the tab
/// no longer has come from the server's draft of that same revision, so that nothing saved is
/// shown blank while the phone's edits not saved yet still win. A phone copy based on a draft
/// the server no longer has (submitted or deleted elsewhere) is dropped.
pub fn resume(local: Option<PhoneCopy>, server: Option<&Draft>, owner: &str) -> DraftState {
    let local = local.filter(|l| l.state.owner == owner);
    match (local, server) {
        (Some(PhoneCopy { state, personal }), Some(server)) if state.base_revision == Some(server.revision) => {
            let (personal, info_prefilled) = match (personal, &server.info) {
                (Some(personal), _) => (personal, state.info_prefilled),
                // As `from_server`: what was saved is not filled again from the profile.
                (None, Some(saved)) => (InfoForm::from_info(saved).split().1, true),
                (None, None) => (PersonalFields::default(), state.info_prefilled),
            };
            let info = state.info.join(personal);
            DraftState { done: server.done.clone(), info, info_prefilled, ..state }
        }
        (_, Some(server)) => DraftState::from_server(server, owner),
        (Some(PhoneCopy { state, personal }), None) if state.base_revision.is_none() => {
            let info = state.info.join(personal.unwrap_or_default());
            DraftState { info, ..state }
        }
        _ => DraftState { owner: owner.to_owned(), ..DraftState::default() },
    }
}

/// The uploads the materials step sends: those of the materials that apply to `details` (the
/// answers saved in the step before). An upload kept for a material that no longer applies
/// stays in the draft, in case the answer changes back, but is not sent.
pub fn uploads_to_send(
    materials: &[taxicert_api::Material],
    details: Option<&BusinessDetails>,
    uploads: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    uploads
        .iter()
        .filter(|(code, _)| materials.iter().any(|m| &m.code == *code && m.applies(details)))
        .map(|(code, id)| (code.clone(), id.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIVISIONS: &str = "150000\t内蒙古自治区\n150100\t呼和浩特市\n150102\t新城区\n";

    fn server(revision: i64) -> Draft {
        Draft {
            business: BusinessCode::Renewal,
            done: vec![DraftStep::Notice, DraftStep::Certificate],
            certificate_id: Some("c-server".into()),
            info: None,
            uploads: BTreeMap::new(),
            revision,
            updated_at: 0,
        }
    }

    /// The phone's copy, its personal part still in this tab.
    fn local(base: Option<i64>) -> PhoneCopy {
        let state = DraftState {
            owner: "138****5678".into(),
            base_revision: base,
            notice_agreed: true,
            certificate_id: Some("c-local".into()),
            info: InfoForm { licence_class: "typed, not saved yet".into(), ..InfoForm::default() },
            ..DraftState::default()
        };
        PhoneCopy { state, personal: Some(PersonalFields::default()) }
    }

    /// A 变更 saved on the server at `revision`: new 联系电话 and 服务单位, and the contact.
    fn saved_change(revision: i64) -> Draft {
        let info = PersonalInfo {
            contact_name: "王建国".into(),
            contact_phone: "13812345678".into(),
            details: BusinessDetails::Change {
                changes: vec![Change::Phone { new: "13500008881".into() }, Change::Employer { new: "呼和浩特市新出租汽车公司".into() }],
                reason: "搬家并更换服务单位".into(),
            },
        };
        Draft {
            business: BusinessCode::Change,
            done: vec![DraftStep::Notice, DraftStep::Certificate, DraftStep::PersonalInfo],
            certificate_id: Some("crt_1".into()),
            info: Some(info),
            uploads: BTreeMap::new(),
            revision,
            updated_at: 0,
        }
    }

    fn certificate() -> Certificate {
        serde_json::from_value(serde_json::json!({
            "id": "crt_1", "number": "1501002021123456", "kind": "cruising", "authority": "呼和浩特市交通运输局",
            "first_issued": "2021-06-15", "valid_until": "2027-06-14", "status": "valid", "licence_class": "C1",
            "address": "内蒙古自治区呼和浩特市新城区示例路1号", "phone": "13812345678",
            "employer": "呼和浩特市示例出租汽车有限公司", "unavailable_reason": null,
            "assessment_periods": [{"start": "2025-06-01", "end": "2026-05-31"}]
        }))
        .unwrap()
    }

    /// The form checked as the info step checks it.
    fn check(form: &InfoForm, business: BusinessCode) -> Result<PersonalInfo, Vec<FieldProblem>> {
        let divisions = Divisions::parse(DIVISIONS).unwrap();
        let certificate = certificate();
        let context = FormContext { certificate: &certificate, hall_exists: &|id| id == "hall-1", divisions: &divisions };
        form.to_info(business, &context)
    }

    fn fields(problems: &[FieldProblem]) -> Vec<&str> {
        problems.iter().map(|p| p.field.as_str()).collect()
    }

    fn contact() -> InfoForm {
        InfoForm { contact_name: "王建国".into(), contact_phone: "13812345678".into(), hall_id: "hall-1".into(), ..InfoForm::default() }
    }

    #[test]
    fn only_a_draft_with_answers_is_promised_to_be_kept() {
        assert!(!DraftState::default().has_answers());
        assert!(!DraftState { notice_agreed: true, ..DraftState::default() }.has_answers(), "agreeing is no answer");
        assert!(DraftState { info: contact(), ..DraftState::default() }.has_answers());
        assert!(DraftState { certificate_id: Some("crt_1".into()), ..DraftState::default() }.has_answers());
    }

    #[test]
    fn the_phones_copy_wins_while_it_is_based_on_the_servers_newest_revision() {
        let resumed = resume(Some(local(Some(3))), Some(&server(3)), "138****5678");
        assert_eq!(resumed.info.licence_class, "typed, not saved yet");
        assert_eq!(resumed.done, server(3).done, "what is saved is the server's to say");
    }

    #[test]
    fn a_tab_without_the_personal_part_takes_it_from_the_servers_draft_of_the_same_revision() {
        // Filled in a WeChat view since closed: the phone kept the plain part, and one more
        // item ticked after the save; the new view's tab has no personal part.
        let server = saved_change(4);
        let (mut plain, _) = InfoForm::from_info(server.info.as_ref().unwrap()).split();
        plain.tick(ChangeItem::Address, true);
        let state = DraftState { owner: "138****5678".into(), base_revision: Some(4), info: plain, ..DraftState::default() };
        let copy = PhoneCopy { state, personal: None };

        let resumed = resume(Some(copy.clone()), Some(&server), "138****5678");
        let info = &resumed.info;
        assert_eq!((info.contact_name.as_str(), info.contact_phone.as_str()), ("王建国", "13812345678"));
        assert_eq!((info.change_phone.as_str(), info.change_employer.as_str()), ("13500008881", "呼和浩特市新出租汽车公司"));
        assert_eq!(info.change_reason, "搬家并更换服务单位");
        assert_eq!(info.change_items, [ChangeItem::Address, ChangeItem::Phone, ChangeItem::Employer], "the phone's edit not saved yet wins");
        assert!(resumed.info_prefilled, "what was saved is not filled again from the profile");

        // 核对信息 shows every value the server has: nothing blank after an arrow.
        let mut saved_items = resumed.info.clone();
        saved_items.tick(ChangeItem::Address, false);
        let (sent, _) = saved_items.checked_as_sent(BusinessCode::Change, &Divisions::parse(DIVISIONS).unwrap());
        assert_eq!(sent, server.info.clone().unwrap());
        for row in answers(&sent, Some(&certificate()), &[], Shown::Confirming) {
            assert!(!row.value.trim().is_empty() && !row.value.ends_with('→') && !row.value.ends_with("→ "), "{row:?}");
        }

        // In the tab that has its personal part, what it holds wins (typed, not saved yet).
        let typed = PersonalFields { contact_name: "李四".into(), ..copy.state.info.split().1 };
        let resumed = resume(Some(PhoneCopy { personal: Some(typed), ..copy.clone() }), Some(&server), "138****5678");
        assert_eq!(resumed.info.contact_name, "李四");

        // Nothing saved yet on the server: nothing to take, and the profile fills the contact.
        let unsaved = Draft { info: None, ..server.clone() };
        let resumed = resume(Some(copy), Some(&unsaved), "138****5678");
        assert_eq!((resumed.info.change_phone.as_str(), resumed.info_prefilled), ("", false));
    }

    #[test]
    fn a_newer_server_copy_from_another_device_wins() {
        let resumed = resume(Some(local(Some(2))), Some(&server(3)), "138****5678");
        assert_eq!(resumed.certificate_id.as_deref(), Some("c-server"));
        assert_eq!(resumed.base_revision, Some(3));
    }

    #[test]
    fn a_copy_never_saved_resumes_and_a_copy_of_a_vanished_draft_is_dropped() {
        assert_eq!(resume(Some(local(None)), None, "138****5678").certificate_id.as_deref(), Some("c-local"));
        assert_eq!(resume(Some(PhoneCopy { personal: None, ..local(None) }), None, "138****5678").certificate_id.as_deref(), Some("c-local"));
        assert_eq!(resume(Some(local(Some(3))), None, "138****5678").certificate_id, None);
    }

    #[test]
    fn another_users_copy_on_the_same_phone_is_ignored() {
        let resumed = resume(Some(local(None)), None, "139****0000");
        assert_eq!(resumed, DraftState { owner: "139****0000".into(), ..DraftState::default() });
    }

    #[test]
    fn the_missing_step_is_the_first_not_saved_up_to_the_one_needed() {
        let state = DraftState { done: vec![DraftStep::Notice], ..DraftState::default() };
        assert_eq!(state.first_missing_through(DraftStep::Materials), Some(DraftStep::Certificate));
        assert_eq!(state.first_missing_through(DraftStep::Notice), None);
        assert_eq!(DraftState::default().first_missing_through(DraftStep::Notice), Some(DraftStep::Notice));
    }

    #[test]
    fn each_business_sends_its_own_details() {
        let reissue = InfoForm { reissue_reason: Some(ReissueReason::Damaged), ..contact() };
        let info = check(&reissue, BusinessCode::Reissue).unwrap();
        assert_eq!(info.details, BusinessDetails::Reissue { reason: ReissueReason::Damaged, delivery: Delivery::Pickup { hall_id: "hall-1".into() } });

        let renewal = InfoForm {
            licence_class: "A1".into(),
            method: DeliveryMethod::Post,
            recipient: "王建国".into(),
            recipient_phone: "13912345678".into(),
            region: "150102".into(),
            street: " 示例路1号2单元 ".into(),
            ..contact()
        };
        match check(&renewal, BusinessCode::Renewal).unwrap().details {
            BusinessDetails::Renewal { licence_class, delivery: Delivery::Post(post) } => {
                assert_eq!(licence_class, "A1");
                assert_eq!(post.region, Region { code: "150102".into(), name: "内蒙古自治区呼和浩特市新城区".into() });
                assert_eq!(post.street, "示例路1号2单元");
            }
            other => panic!("{other:?}"),
        }

        let mut change = InfoForm {
            change_phone: "13900000000".into(),
            change_employer: "呼和浩特市新出租汽车公司".into(),
            change_reason: "换了单位".into(),
            ..contact()
        };
        change.tick(ChangeItem::Employer, true);
        change.tick(ChangeItem::Phone, true);
        let info = check(&change, BusinessCode::Change).unwrap();
        assert_eq!(
            info.details,
            BusinessDetails::Change {
                changes: vec![Change::Phone { new: "13900000000".into() }, Change::Employer { new: "呼和浩特市新出租汽车公司".into() }],
                reason: "换了单位".into(),
            },
            "in the order of the items, whatever the order ticked"
        );

        let cancellation = InfoForm { cancellation_reason: Some(CancellationReason::Health), other_reason: "不发送".into(), ..contact() };
        assert_eq!(
            check(&cancellation, BusinessCode::Cancellation).unwrap().details,
            BusinessDetails::Cancellation { reason: CancellationReason::Health, other_reason: String::new() },
            "the words of 其他 are sent only with 其他"
        );

        let period = AssessmentPeriod { start: "2025-06-01".into(), end: "2026-05-31".into() };
        let assessment = InfoForm { period: Some(period.clone()), ..contact() };
        assert_eq!(check(&assessment, BusinessCode::CreditAssessment).unwrap().details, BusinessDetails::CreditAssessment { period });
    }

    #[test]
    fn a_radio_not_chosen_is_named_first_and_the_rest_is_checked_too() {
        let reissue = InfoForm { contact_phone: "123".into(), ..contact() };
        let problems = check(&reissue, BusinessCode::Reissue).unwrap_err();
        assert_eq!(fields(&problems), ["reissue_reason", "contact_phone"]);
        assert_eq!(problems[0].message, NO_REISSUE_REASON);

        let problems = check(&contact(), BusinessCode::Cancellation).unwrap_err();
        assert_eq!(fields(&problems), ["cancellation_reason"]);
        assert_eq!(problems[0].message, "请选择注销原因。");

        let other = InfoForm { cancellation_reason: Some(CancellationReason::Other), ..contact() };
        assert_eq!(fields(&check(&other, BusinessCode::Cancellation).unwrap_err()), ["other_reason"]);

        let problems = check(&contact(), BusinessCode::CreditAssessment).unwrap_err();
        assert_eq!(problems[0].message, "请选择考核周期。");

        let problems = check(&contact(), BusinessCode::Change).unwrap_err();
        assert_eq!(fields(&problems), ["changes", "reason"]);
    }

    #[test]
    fn a_change_is_checked_against_the_certificate_and_the_regions() {
        let mut form = InfoForm { change_licence_class: "C1".into(), change_reason: "增驾".into(), ..contact() };
        form.tick(ChangeItem::LicenceClass, true);
        let same = check(&form, BusinessCode::Change).unwrap_err();
        assert_eq!(fields(&same), ["change_licence_class"]);
        form.tick(ChangeItem::LicenceClass, false);
        form.tick(ChangeItem::Address, true);
        form.change_address_region = "150100".into();
        assert_eq!(fields(&check(&form, BusinessCode::Change).unwrap_err()), ["change_address_district", "change_address_street"]);
    }

    #[test]
    fn unticking_a_change_or_switching_delivery_keeps_what_was_typed() {
        let mut form = InfoForm { change_employer: "呼和浩特市新出租汽车公司".into(), ..contact() };
        form.tick(ChangeItem::Employer, true);
        form.tick(ChangeItem::Employer, false);
        assert!(!form.is_ticked(ChangeItem::Employer));
        assert_eq!(form.change_employer, "呼和浩特市新出租汽车公司", "kept while the driver is on the form");
        form.tick(ChangeItem::Employer, true);
        form.tick(ChangeItem::Employer, true);
        assert_eq!(form.change_items, [ChangeItem::Employer], "ticked once");

        let mut post = InfoForm { method: DeliveryMethod::Post, street: "示例路1号2单元".into(), ..contact() };
        post.method = DeliveryMethod::Pickup;
        assert_eq!(post.street, "示例路1号2单元");
        assert_eq!(post.details(BusinessCode::Renewal, None).unwrap().delivery(), Some(&Delivery::Pickup { hall_id: "hall-1".into() }));
        // An unticked change is not sent either.
        let mut change = InfoForm { change_phone: "13900000000".into(), ..contact() };
        change.tick(ChangeItem::Phone, false);
        assert!(matches!(change.details(BusinessCode::Change, None).unwrap(), BusinessDetails::Change { changes, .. } if changes.is_empty()));
    }

    #[test]
    fn personal_details_never_reach_local_storage() {
        let mut form = InfoForm {
            contact_name: "王建国".into(),
            contact_phone: "13812345678".into(),
            recipient: "李四".into(),
            recipient_phone: "13912345678".into(),
            region: "150102".into(),
            street: "示例路2号".into(),
            change_address_region: "150102".into(),
            change_address_street: "新家路3号".into(),
            change_phone: "13700000000".into(),
            change_employer: "呼和浩特市新出租汽车公司".into(),
            other_reason: "病休".into(),
            licence_class: "A1".into(),
            change_reason: "搬家并更换服务单位".into(),
            hall_id: "hall-1".into(),
            ..InfoForm::default()
        };
        form.tick(ChangeItem::Address, true);
        let (plain, personal) = form.split();
        let kept = serde_json::to_string(&plain).unwrap();
        for secret in
            ["王建国", "13812345678", "李四", "13912345678", "150102", "示例路2号", "新家路3号", "13700000000", "新出租汽车", "病休", "搬家"]
        {
            assert!(!kept.contains(secret), "{secret} in local storage: {kept}");
        }
        assert_eq!((plain.licence_class.as_str(), plain.hall_id.as_str()), ("A1", "hall-1"));
        assert_eq!(plain.change_items, [ChangeItem::Address], "which items are ticked is not personal");
        assert_eq!(plain.clone().join(personal.clone()), form);
        // A user who clears the reason in this tab has it cleared.
        let cleared = PersonalFields { change_reason: String::new(), ..personal };
        assert_eq!(plain.join(cleared).change_reason, "");
        // A copy kept before 变更原因 was personal: its reason is still resumed.
        let old_plain = InfoForm { change_reason: "旧的原因".into(), ..InfoForm::default() };
        assert_eq!(old_plain.join(PersonalFields::default()).change_reason, "旧的原因");
    }

    #[test]
    fn every_business_round_trips_through_the_contract() {
        let mut change = InfoForm {
            change_address_region: "150102".into(),
            change_address_street: "新家路3号".into(),
            change_reason: "搬家".into(),
            ..contact()
        };
        change.tick(ChangeItem::Address, true);
        let forms = [
            (BusinessCode::Reissue, InfoForm { reissue_reason: Some(ReissueReason::Lost), ..contact() }),
            (BusinessCode::Renewal, InfoForm { licence_class: "B1".into(), ..contact() }),
            (BusinessCode::Change, InfoForm { hall_id: String::new(), ..change }),
            (BusinessCode::Cancellation, InfoForm { cancellation_reason: Some(CancellationReason::Other), other_reason: "转行".into(), hall_id: String::new(), ..contact() }),
            (
                BusinessCode::CreditAssessment,
                InfoForm { period: Some(AssessmentPeriod { start: "2025-06-01".into(), end: "2026-05-31".into() }), hall_id: String::new(), ..contact() },
            ),
        ];
        for (business, form) in forms {
            let info = check(&form, business).unwrap();
            assert_eq!(InfoForm::from_info(&info), form, "{business:?}");
        }
    }

    #[test]
    fn a_blank_form_starts_from_the_last_application_that_ended_without_a_result() {
        let profile = Profile { name: "王建国".into(), phone: "13812345678".into(), address: String::new() };
        let previous = PersonalInfo {
            contact_name: "王建国".into(),
            contact_phone: "13900000000".into(),
            details: BusinessDetails::Change {
                changes: vec![Change::LicenceClass { new: "A1".into() }],
                reason: "增驾A1".into(),
            },
        };
        let mut form = InfoForm::default();
        form.prefill(&profile, Some(&certificate()), Some(&previous));
        assert_eq!((form.change_licence_class.as_str(), form.change_reason.as_str()), ("A1", "增驾A1"));
        assert_eq!(form.contact_phone, "13900000000", "the number he gave last time, not the profile's");
        // Something typed already: nothing is taken from the last application.
        let mut typed = InfoForm { change_reason: "换证".into(), ..InfoForm::default() };
        typed.prefill(&profile, Some(&certificate()), Some(&previous));
        assert_eq!((typed.change_reason.as_str(), typed.change_licence_class.as_str()), ("换证", ""));
        // An assessment's period is not carried over.
        let assessed = PersonalInfo {
            details: BusinessDetails::CreditAssessment { period: certificate().assessment_periods[0].clone() },
            ..previous.clone()
        };
        let mut form = InfoForm::default();
        form.prefill(&profile, Some(&certificate()), Some(&assessed));
        assert_eq!(form.period, None);
    }

    #[test]
    fn only_a_case_that_ended_without_a_result_is_started_from() {
        let case = |id: &str, business, status, submitted_at| CaseSummary {
            id: id.into(),
            business,
            business_name: String::new(),
            status,
            submitted_at,
            accept_by: String::new(),
            decide_by: String::new(),
            due_dates_estimated: false,
            changed: false,
        };
        let cases = [
            case("done", BusinessCode::Change, CaseStatus::Completed, 30),
            case("refused", BusinessCode::Change, CaseStatus::Refused, 10),
            case("withdrawn", BusinessCode::Change, CaseStatus::Withdrawn, 20),
            case("other", BusinessCode::Renewal, CaseStatus::Refused, 40),
        ];
        assert_eq!(previous_application(&cases, BusinessCode::Change).map(|c| c.id.as_str()), Some("withdrawn"));
        assert_eq!(previous_application(&cases, BusinessCode::Reissue), None);
    }

    #[test]
    fn prefill_keeps_what_was_typed_and_takes_the_licence_class_from_the_certificate() {
        let mut form = InfoForm { contact_name: "李四".into(), ..InfoForm::default() };
        form.prefill(&Profile { name: "王建国".into(), phone: "13812345678".into(), address: "示例路1号".into() }, Some(&certificate()), None);
        assert_eq!(form.contact_name, "李四");
        assert_eq!(form.recipient, "王建国");
        assert_eq!(form.contact_phone, "13812345678");
        assert_eq!(form.licence_class, "C1");
        let mut typed = InfoForm { licence_class: "A1".into(), ..InfoForm::default() };
        typed.prefill(&Profile { name: String::new(), phone: String::new(), address: String::new() }, Some(&certificate()), None);
        assert_eq!(typed.licence_class, "A1");
    }

    #[test]
    fn answers_are_each_businesss_own_in_words() {
        let mut form = InfoForm {
            change_employer: "呼和浩特市新出租汽车公司".into(),
            change_reason: "换了单位".into(),
            ..contact()
        };
        form.tick(ChangeItem::Employer, true);
        let info = check(&form, BusinessCode::Change).unwrap();
        let rows = answers(&info, Some(&certificate()), &[], Shown::Confirming);
        assert_eq!(rows[0], Answer { field: "changes", label: "服务单位", value: "呼和浩特市示例出租汽车有限公司 → 呼和浩特市新出租汽车公司".into() });
        assert_eq!(rows.iter().map(|r| r.field).collect::<Vec<_>>(), ["changes", "reason", "contact_name", "contact_phone"]);

        let other = InfoForm { cancellation_reason: Some(CancellationReason::Other), other_reason: "转行".into(), ..contact() };
        let rows = answers(&check(&other, BusinessCode::Cancellation).unwrap(), None, &[], Shown::Confirming);
        assert_eq!(rows[0].value, "其他：转行");

        let hall = ServiceHall { id: "hall-1".into(), name: "新城区服务大厅".into(), address: "示例路9号".into(), hours: String::new(), phone: String::new() };
        let reissue = InfoForm { reissue_reason: Some(ReissueReason::Damaged), ..contact() };
        let rows = answers(&check(&reissue, BusinessCode::Reissue).unwrap(), None, &[hall], Shown::Confirming);
        assert_eq!((rows[0].value.as_str(), rows[1].value.as_str()), ("损毁", "到服务大厅自取：新城区服务大厅（示例路9号）"));

        let post = Delivery::Post(PostalAddress {
            recipient: "王建国".into(),
            phone: "13912345678".into(),
            region: Region { code: "150102".into(), name: "内蒙古自治区呼和浩特市新城区".into() },
            street: "示例路1号".into(),
        });
        assert_eq!(describe_delivery(&post, &[], Shown::Confirming), "邮寄：王建国 13912345678，内蒙古自治区呼和浩特市新城区示例路1号");
        // Once submitted, masked like 申请人: on 提交成功, 办件详情 and 补正.
        assert_eq!(describe_delivery(&post, &[], Shown::Submitted), "邮寄：王*国 139****5678，内蒙古自治区呼和浩特市新城区示例路1号");
        let rows = answers(&check(&reissue, BusinessCode::Reissue).unwrap(), None, &[], Shown::Submitted);
        let contact: Vec<_> = rows.iter().filter(|r| r.field.starts_with("contact_")).map(|r| r.value.as_str()).collect();
        assert!(contact.iter().all(|v| v.contains('*')), "{contact:?}");
    }
    #[test]
    fn an_upload_for_a_material_that_no_longer_applies_is_not_sent() {
        let material = |code: &str, condition: Option<&str>| -> taxicert_api::Material {
            serde_json::from_value(serde_json::json!({
                "code": code, "name": code, "hint": "", "required": true, "sample": "",
                "photo": {"kind": "document", "min_width": 1000, "min_height": 700},
                "condition": condition.and_then(taxicert_api::MaterialCondition::parse_code),
            }))
            .unwrap()
        };
        let materials = [material("photo_2inch", None), material("damaged_certificate", Some("reissue_reason=damaged"))];
        let uploads = BTreeMap::from([("photo_2inch".to_owned(), "u1".to_owned()), ("damaged_certificate".to_owned(), "u2".to_owned())]);
        let lost = InfoForm { reissue_reason: Some(ReissueReason::Lost), ..contact() }.details(BusinessCode::Reissue, None).unwrap();
        assert_eq!(uploads_to_send(&materials, Some(&lost), &uploads).into_keys().collect::<Vec<_>>(), ["photo_2inch"]);
        let damaged = InfoForm { reissue_reason: Some(ReissueReason::Damaged), ..contact() }.details(BusinessCode::Reissue, None).unwrap();
        assert_eq!(uploads_to_send(&materials, Some(&damaged), &uploads), uploads);
        assert_eq!(uploads_to_send(&materials, None, &uploads).len(), 1, "not known yet: only what always applies");
    }
}
