//! The staff console's pure logic, tested natively: Beijing times, the names of statuses and
//! businesses, the queue filters in the URL, and the checks of the clerk's forms, which turn
//! what was typed into the request or into messages at the fields (by element id).

use taxicert_api::{
    domain::is_real_date, BusinessCode, CaseQueueFilter, CaseStatus, Completion, Correction, RealNameDecision,
    RealNameStatus, StaffAction, StaffActionKind, CREDIT_GRADES,
};

use crate::components::error_summary::FieldError;

/// `yyyy-mm-dd HH:MM` in Beijing time (UTC+8, no daylight saving) for Unix seconds.
pub fn beijing_time(unix_seconds: i64) -> String {
    let local = unix_seconds + 8 * 3600;
    let days = local.div_euclid(86_400);
    let seconds = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A due date `YYYY-MM-DD`, with 预计 when it was counted on weekends only.
pub fn due(date: &str, estimated: bool) -> String {
    if estimated {
        format!("{date}(预计)")
    } else {
        date.to_owned()
    }
}

// ---------------------------------------------------------------------------------------
// Names and URL codes

/// The business as a clerk names it in the filter.
pub fn business_name(business: BusinessCode) -> &'static str {
    match business {
        BusinessCode::Reissue => "补发",
        BusinessCode::Renewal => "换发",
        BusinessCode::Change => "变更",
        BusinessCode::Cancellation => "注销",
        BusinessCode::CreditAssessment => "服务质量信誉考核",
    }
}

/// The statuses of the real-name queue's filter.
pub const REALNAME_STATUSES: [RealNameStatus; 3] =
    [RealNameStatus::Pending, RealNameStatus::Approved, RealNameStatus::Rejected];

pub fn realname_status_code(status: RealNameStatus) -> &'static str {
    match status {
        RealNameStatus::None => "none",
        RealNameStatus::Pending => "pending",
        RealNameStatus::Approved => "approved",
        RealNameStatus::Rejected => "rejected",
    }
}

pub fn realname_status_name(status: RealNameStatus) -> &'static str {
    match status {
        RealNameStatus::None => "未提交",
        RealNameStatus::Pending => "待审核",
        RealNameStatus::Approved => "已通过",
        RealNameStatus::Rejected => "已驳回",
    }
}

/// The filter of the real-name queue from the URL's `status`: pending unless another is named.
pub fn parse_realname_status(code: Option<&str>) -> RealNameStatus {
    REALNAME_STATUSES.into_iter().find(|s| Some(realname_status_code(*s)) == code).unwrap_or(RealNameStatus::Pending)
}

/// The case queue's filter from the URL's `status` and `business`; unknown values are no filter.
pub fn parse_case_filter(status: Option<&str>, business: Option<&str>) -> CaseQueueFilter {
    CaseQueueFilter { status: status.and_then(CaseStatus::parse), business: business.and_then(BusinessCode::parse) }
}

/// The query string of a case filter, `""` or starting with `?`: the same for the page's URL
/// and for `GET /staff/cases`.
pub fn case_filter_query(filter: &CaseQueueFilter) -> String {
    let mut parts = Vec::new();
    if let Some(status) = filter.status {
        parts.push(format!("status={}", status.as_str()));
    }
    if let Some(business) = filter.business {
        parts.push(format!("business={}", business.as_str()));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The label of an ID card field (JSON name) on the review page.
pub fn id_card_field_label(field: &str) -> &'static str {
    match field {
        "name" => "姓名",
        "gender" => "性别",
        "ethnicity" => "民族",
        "birth_date" => "出生日期",
        "address" => "住址",
        "id_number" => "公民身份号码",
        "authority" => "签发机关",
        "valid_from" => "有效期起始日期",
        "valid_until" => "有效期截止日期",
        _ => "其他",
    }
}

// ---------------------------------------------------------------------------------------
// Form checks

/// A reason the applicant will read: 2–200 characters after trimming. `what` names the
/// decision, in the server's words (`server/src/staff/realname.rs`, `checked_reason`).
fn check_reason(field: &'static str, what: &str, text: &str) -> Option<FieldError> {
    let count = text.trim().chars().count();
    (!(2..=200).contains(&count))
        .then(|| FieldError::at(field, format!("请填写{what}的原因(2至200个字),申请人会看到这段说明。")))
}

pub const REJECT_REASON: &str = "reject-reason";

/// 通过 or 驳回 of a real-name submission; 驳回 needs a reason of 2–200 characters.
pub fn realname_decision(approve: bool, reason: &str) -> Result<RealNameDecision, Vec<FieldError>> {
    if approve {
        return Ok(RealNameDecision { approve: true, reason: None });
    }
    match check_reason(REJECT_REASON, "不通过", reason) {
        Some(problem) => Err(vec![problem]),
        None => Ok(RealNameDecision { approve: false, reason: Some(reason.trim().to_owned()) }),
    }
}

pub const RETURN_FIELDS: &str = "return-fields";
pub const RETURN_MATERIALS: &str = "return-materials";
pub const RETURN_REASON: &str = "return-reason";
pub const COMPLETE_VALID_UNTIL: &str = "complete-valid-until";
pub const COMPLETE_CREDIT_GRADE: &str = "complete-credit-grade";
pub const COMPLETE_NUMBER: &str = "complete-certificate-number";
pub const COMPLETE_NOTE: &str = "complete-note";
pub const REFUSE_REASON: &str = "refuse-reason";

pub const CORRECTION_EMPTY: &str = "请至少选择一项需要补正的信息或材料,申请人只能修改所选的内容。";

/// The element id of a checkbox of 退回补正.
pub fn return_field_id(name: &str) -> String {
    format!("return-field-{name}")
}

pub fn return_material_id(code: &str) -> String {
    format!("return-material-{}", crate::routes::opaque(code))
}

/// 退回补正: at least one field or material, and a reason.
pub fn return_action(reason: &str, fields: &[String], materials: &[String]) -> Result<StaffAction, Vec<FieldError>> {
    let mut problems = Vec::new();
    if fields.is_empty() && materials.is_empty() {
        problems.push(FieldError::at(RETURN_FIELDS, CORRECTION_EMPTY));
    }
    problems.extend(check_reason(RETURN_REASON, "退回补正", reason));
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(StaffAction::Return(Correction {
        reason: reason.trim().to_owned(),
        fields: fields.to_vec(),
        materials: materials.to_vec(),
    }))
}

/// What the clerk typed in the 办结 form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompletionForm {
    pub valid_until: String,
    pub credit_grade: String,
    pub certificate_number: String,
    pub note: String,
}

/// Whether 办结 of this business asks for the new expiry date / the grade.
pub fn asks_valid_until(business: BusinessCode) -> bool {
    business == BusinessCode::Renewal
}

pub fn asks_credit_grade(business: BusinessCode) -> bool {
    business == BusinessCode::CreditAssessment
}

/// 办结: the new expiry date for 换发 (a real date after the old one), the grade for 考核,
/// an optional new number (6–32 letters and digits) and a note of at most 200 characters,
/// in the server's words. Fields the business does not ask for are not sent.
pub fn complete_action(
    business: BusinessCode,
    old_valid_until: &str,
    form: &CompletionForm,
) -> Result<StaffAction, Vec<FieldError>> {
    let mut problems = Vec::new();
    let mut valid_until = None;
    if asks_valid_until(business) {
        let date = form.valid_until.trim();
        if !is_iso_date(date) {
            problems.push(FieldError::at(COMPLETE_VALID_UNTIL, "换发须填写新的有效期至,格式为YYYY-MM-DD,例如2032-11-30。"));
        } else if is_iso_date(old_valid_until) && date <= old_valid_until {
            problems.push(FieldError::at(
                COMPLETE_VALID_UNTIL,
                format!("新的有效期至须晚于原有效期至{old_valid_until},请核对后重新填写。"),
            ));
        } else {
            valid_until = Some(date.to_owned());
        }
    }
    let mut credit_grade = None;
    if asks_credit_grade(business) {
        let grade = form.credit_grade.trim();
        if !CREDIT_GRADES.contains(&grade) {
            problems.push(FieldError::at(COMPLETE_CREDIT_GRADE, "请选择服务质量信誉考核等级:AAA、AA、A或B。"));
        } else {
            credit_grade = Some(grade.to_owned());
        }
    }
    let number = form.certificate_number.trim();
    if !number.is_empty() && (!(6..=32).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_alphanumeric())) {
        problems.push(FieldError::at(COMPLETE_NUMBER, "证号须为6至32位字母或数字,请核对后重新填写;不换证号请留空。"));
    }
    if form.note.trim().chars().count() > 200 {
        problems.push(FieldError::at(COMPLETE_NOTE, "给申请人的说明最多200个字,请精简后再办结。"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(StaffAction::Complete(Completion {
        certificate_number: (!number.is_empty()).then(|| number.to_owned()),
        valid_until,
        credit_grade,
        note: form.note.trim().to_owned(),
    }))
}

fn is_iso_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            match (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) {
                (Ok(y), Ok(m), Ok(d)) => is_real_date(y, m, d),
                _ => false,
            }
        }
        _ => false,
    }
}

/// 不予受理: a reason.
pub fn refuse_action(reason: &str) -> Result<StaffAction, Vec<FieldError>> {
    match check_reason(REFUSE_REASON, "不予受理", reason) {
        Some(problem) => Err(vec![problem]),
        None => Ok(StaffAction::Refuse { reason: reason.trim().to_owned() }),
    }
}

/// Where the server's refusal of an action goes: the field of the open form it names, else
/// the form as a whole.
pub fn action_error(kind: StaffActionKind, code: Option<&str>, field: Option<&str>, message: String) -> FieldError {
    let at = match (kind, code, field) {
        (StaffActionKind::Return, Some("correction_empty"), _) => Some(RETURN_FIELDS),
        (StaffActionKind::Return, _, Some("reason")) => Some(RETURN_REASON),
        (StaffActionKind::Return, _, Some("fields")) => Some(RETURN_FIELDS),
        (StaffActionKind::Return, _, Some("materials")) => Some(RETURN_MATERIALS),
        (StaffActionKind::Complete, _, Some("valid_until")) => Some(COMPLETE_VALID_UNTIL),
        (StaffActionKind::Complete, _, Some("credit_grade")) => Some(COMPLETE_CREDIT_GRADE),
        (StaffActionKind::Complete, _, Some("certificate_number")) => Some(COMPLETE_NUMBER),
        (StaffActionKind::Complete, _, Some("note" | "reason")) => Some(COMPLETE_NOTE),
        (StaffActionKind::Refuse, _, Some("reason")) => Some(REFUSE_REASON),
        _ => None,
    };
    match at {
        Some(field) => FieldError::at(field, message),
        None => FieldError::form(message),
    }
}

/// The kind of an action, to say what succeeded.
pub fn action_kind(action: &StaffAction) -> StaffActionKind {
    match action {
        StaffAction::Accept => StaffActionKind::Accept,
        StaffAction::Return(_) => StaffActionKind::Return,
        StaffAction::Complete(_) => StaffActionKind::Complete,
        StaffAction::Refuse { .. } => StaffActionKind::Refuse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_beijing_time() {
        assert_eq!(beijing_time(0), "1970-01-01 08:00");
        assert_eq!(beijing_time(1_764_000_000), "2025-11-25 00:00");
        assert_eq!(beijing_time(951_753_659), "2000-02-29 00:00");
        assert_eq!(beijing_time(4_102_444_799), "2100-01-01 07:59");
        assert_eq!(beijing_time(-8 * 3600 - 60), "1969-12-31 23:59");
    }

    #[test]
    fn due_dates_say_when_they_are_estimated() {
        assert_eq!(due("2026-01-05", true), "2026-01-05(预计)");
        assert_eq!(due("2026-01-05", false), "2026-01-05");
    }

    #[test]
    fn filters_round_trip_through_the_url() {
        let filter = parse_case_filter(Some("submitted"), Some("renewal"));
        assert_eq!(case_filter_query(&filter), "?status=submitted&business=renewal");
        assert_eq!(parse_case_filter(Some("nope"), Some("")), CaseQueueFilter::default());
        assert_eq!(case_filter_query(&CaseQueueFilter::default()), "");
        let business_only = CaseQueueFilter { status: None, business: Some(BusinessCode::CreditAssessment) };
        assert_eq!(case_filter_query(&business_only), "?business=credit_assessment");
        assert_eq!(parse_realname_status(Some("approved")), RealNameStatus::Approved);
        assert_eq!(parse_realname_status(Some("none")), RealNameStatus::Pending);
        assert_eq!(parse_realname_status(None), RealNameStatus::Pending);
        for status in REALNAME_STATUSES {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", realname_status_code(status)));
        }
    }

    #[test]
    fn rejecting_needs_a_reason_of_two_to_two_hundred_characters() {
        assert_eq!(realname_decision(true, ""), Ok(RealNameDecision { approve: true, reason: None }));
        let words = "请填写不通过的原因(2至200个字),申请人会看到这段说明。";
        assert_eq!(realname_decision(false, "  ").unwrap_err(), vec![FieldError::at(REJECT_REASON, words)]);
        assert_eq!(realname_decision(false, "糊").unwrap_err()[0].message, words);
        assert_eq!(realname_decision(false, &"字".repeat(201)).unwrap_err()[0].message, words);
        assert!(realname_decision(false, &"字".repeat(200)).is_ok());
        assert_eq!(
            realname_decision(false, " 照片模糊 "),
            Ok(RealNameDecision { approve: false, reason: Some("照片模糊".into()) })
        );
    }

    #[test]
    fn a_return_names_at_least_one_field_or_material_and_a_reason() {
        let problems = return_action("", &[], &[]).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_deref().unwrap()).collect();
        assert_eq!(fields, [RETURN_FIELDS, RETURN_REASON]);
        assert_eq!(problems[0].message, CORRECTION_EMPTY);
        let action = return_action(" 照片模糊 ", &[], &["photo_2inch".into()]).unwrap();
        assert_eq!(
            action,
            StaffAction::Return(Correction { reason: "照片模糊".into(), fields: vec![], materials: vec!["photo_2inch".into()] })
        );
        assert!(return_action("住址不全", &["address".into()], &[]).is_ok());
    }

    #[test]
    fn completing_a_renewal_needs_a_later_real_date() {
        let form = |date: &str| CompletionForm { valid_until: date.into(), ..Default::default() };
        let check = |date: &str| complete_action(BusinessCode::Renewal, "2026-03-01", &form(date));
        let format = "换发须填写新的有效期至,格式为YYYY-MM-DD,例如2032-11-30。";
        assert_eq!(check("").unwrap_err()[0], FieldError::at(COMPLETE_VALID_UNTIL, format));
        assert_eq!(check("2031-02-30").unwrap_err()[0].message, format);
        assert_eq!(check("2026-03-01").unwrap_err()[0].message, "新的有效期至须晚于原有效期至2026-03-01,请核对后重新填写。");
        assert_eq!(
            check("2032-03-01"),
            Ok(StaffAction::Complete(Completion {
                certificate_number: None,
                valid_until: Some("2032-03-01".into()),
                credit_grade: None,
                note: String::new(),
            }))
        );
    }

    #[test]
    fn completing_an_assessment_needs_a_grade_and_other_businesses_send_neither() {
        let grade = |g: &str| CompletionForm { credit_grade: g.into(), valid_until: "2040-01-01".into(), ..Default::default() };
        let check = |g: &str| complete_action(BusinessCode::CreditAssessment, "2026-03-01", &grade(g));
        let words = "请选择服务质量信誉考核等级:AAA、AA、A或B。";
        assert_eq!(check("").unwrap_err()[0], FieldError::at(COMPLETE_CREDIT_GRADE, words));
        assert_eq!(check("C").unwrap_err()[0].field.as_deref(), Some(COMPLETE_CREDIT_GRADE));
        let Ok(StaffAction::Complete(done)) = check("AA") else { panic!("a grade is enough") };
        assert_eq!((done.credit_grade.as_deref(), done.valid_until), (Some("AA"), None));

        let bad_number = CompletionForm { certificate_number: "15-01".into(), ..Default::default() };
        assert_eq!(complete_action(BusinessCode::Reissue, "", &bad_number).unwrap_err()[0].field.as_deref(), Some(COMPLETE_NUMBER));
        let reissue = CompletionForm { certificate_number: " 1501001 ".into(), note: " 请到大厅领取 ".into(), ..Default::default() };
        let Ok(StaffAction::Complete(done)) = complete_action(BusinessCode::Reissue, "2026-03-01", &reissue) else {
            panic!("nothing is required for 补发")
        };
        assert_eq!(done.certificate_number.as_deref(), Some("1501001"));
        assert_eq!(done.note, "请到大厅领取");
        let long = CompletionForm { note: "字".repeat(201), ..Default::default() };
        let problems = complete_action(BusinessCode::Change, "", &long).unwrap_err();
        assert_eq!(problems, vec![FieldError::at(COMPLETE_NOTE, "给申请人的说明最多200个字,请精简后再办结。")]);
    }

    #[test]
    fn refusing_needs_a_reason() {
        let words = "请填写不予受理的原因(2至200个字),申请人会看到这段说明。";
        assert_eq!(refuse_action("").unwrap_err()[0], FieldError::at(REFUSE_REASON, words));
        assert_eq!(refuse_action("不符合条件"), Ok(StaffAction::Refuse { reason: "不符合条件".into() }));
    }

    #[test]
    fn server_refusals_land_at_the_field_of_the_open_form() {
        let at = |kind, code, field| action_error(kind, code, field, "x".into()).field;
        assert_eq!(at(StaffActionKind::Return, Some("correction_empty"), None), Some(RETURN_FIELDS.into()));
        assert_eq!(at(StaffActionKind::Return, Some("invalid_field"), Some("materials")), Some(RETURN_MATERIALS.into()));
        assert_eq!(at(StaffActionKind::Complete, Some("invalid_field"), Some("valid_until")), Some(COMPLETE_VALID_UNTIL.into()));
        assert_eq!(at(StaffActionKind::Refuse, Some("invalid_field"), Some("reason")), Some(REFUSE_REASON.into()));
        assert_eq!(at(StaffActionKind::Accept, Some("action_not_allowed"), None), None);
        assert_eq!(return_material_id("photo_2inch"), "return-material-photo_2inch");
        assert_eq!(action_kind(&StaffAction::Accept).name(), "受理");
    }
}
