//! The staff console's pure logic, tested natively: Beijing times, the names of statuses and
//! businesses, the queue filters in the URL, and the checks of the clerk's forms, which turn
//! what was typed into the request or into messages at the fields (by element id).

use taxicert_api::{
    correctable_fields, domain::is_real_date, BusinessCode, CaseQueueCounts, BusinessDetails, CancellationReason, CaseQueueFilter,
    CaseQueueScope, CaseStatus, Certificate, Completion, Correction, CreditThresholds, Delivery, PersonalInfo, RealNameDecision, RealNameStatus,
    NewStaffAccount, ServiceHall, StaffAccountInfo, StaffAction, StaffActionKind, StaffPasswordChange, StaffPasswordReset, StaffRole,
    CREDIT_MAX_BONUS,
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
        format!("{date}（预计）")
    } else {
        date.to_owned()
    }
}

// ---------------------------------------------------------------------------------------
// Names and URL codes


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

/// The case queue's filter from the URL's `status`, `business` and `scope`; unknown values are
/// no filter (without a status: the cases waiting for a clerk).
pub fn parse_case_filter(
    status: Option<&str>,
    business: Option<&str>,
    scope: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    hall: Option<&str>,
) -> CaseQueueFilter {
    let status = status.and_then(CaseStatus::parse);
    let scope = match scope {
        Some("all") if status.is_none() => Some(CaseQueueScope::All),
        _ => None,
    };
    // A day that is no date is dropped, as an unknown status is.
    let day = |text: Option<&str>| text.filter(|t| is_iso_date(t)).map(str::to_owned);
    CaseQueueFilter {
        status,
        business: business.and_then(BusinessCode::parse),
        scope,
        q: None,
        from: day(from),
        to: day(to),
        hall: hall.filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')).map(str::to_owned),
        limit: None,
        offset: None,
    }
}

/// The first day of this month and today, in Beijing, `YYYY-MM-DD`: 工作统计's first period.
pub fn this_month(unix_seconds: i64) -> (String, String) {
    let today = beijing_time(unix_seconds)[..10].to_owned();
    (format!("{}-01", &today[..7]), today)
}

/// An average time in minutes as 工作统计 shows it: 3天2小时, 5小时10分钟, 45分钟; 无 without one.
pub fn duration_text(minutes: Option<i64>) -> String {
    let Some(minutes) = minutes.map(|m| m.max(0)) else {
        return "无".to_owned();
    };
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins}分钟"),
        (0, h) => format!("{h}小时{}", if mins > 0 { format!("{mins}分钟") } else { String::new() }),
        (d, h) => format!("{d}天{}", if h > 0 { format!("{h}小时") } else { String::new() }),
    }
}

/// The 办件受理 line of the console's first page: what waits, and what is overdue.
pub fn queue_counts_text(counts: &CaseQueueCounts) -> String {
    let mut text = format!("{} 件待受理，{} 件待办结", counts.submitted, counts.accepted);
    if counts.overdue > 0 {
        text.push_str(&format!("，{} 件已逾期", counts.overdue));
    }
    text
}

/// What a due date is from today: 剩N天, 今天到期, or 已逾期N天 (`due_in_days` of the queue),
/// and whether it is overdue.
pub fn due_in(days: i64) -> (String, bool) {
    match days {
        0 => ("今天到期".to_owned(), false),
        d if d > 0 => (format!("剩{d}天"), false),
        d => (format!("已逾期{}天", -d), true),
    }
}

/// The query string of a case filter, `""` or starting with `?`: the same for the page's URL
/// and for `GET /staff/cases`. Never the search `q` (a phone or ID number): the API client adds
/// it to its request only, so that it stays out of the page's URL and history.
pub fn case_filter_query(filter: &CaseQueueFilter) -> String {
    let mut parts = Vec::new();
    if let Some(status) = filter.status {
        parts.push(format!("status={}", status.as_str()));
    } else if filter.scope == Some(CaseQueueScope::All) {
        parts.push("scope=all".to_owned());
    }
    if let Some(business) = filter.business {
        parts.push(format!("business={}", business.as_str()));
    }
    // Days and hall ids need no escaping: `parse_case_filter` keeps only dates and [A-Za-z0-9_-].
    for (name, value) in [("from", &filter.from), ("to", &filter.to), ("hall", &filter.hall)] {
        if let Some(value) = value {
            parts.push(format!("{name}={value}"));
        }
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The query string of `GET /staff/cases` for `filter`: the page's ([`case_filter_query`]) and
/// the search `q`, percent-encoded, when there is one.
pub fn case_request_query(filter: &CaseQueueFilter) -> String {
    let mut base = case_filter_query(filter);
    // The page is the request's, not the page URL's: a reload starts on the first page.
    for (name, value) in [("limit", filter.limit), ("offset", filter.offset)] {
        if let Some(value) = value {
            base.push_str(&format!("{}{name}={value}", if base.is_empty() { "?" } else { "&" }));
        }
    }
    let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
        return base;
    };
    let mut encoded = String::new();
    for byte in q.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{base}{}q={encoded}", if base.is_empty() { "?" } else { "&" })
}

/// The fields of 修改密码, by element id.
pub const CURRENT_PASSWORD: &str = "staff-current-password";
pub const NEW_PASSWORD: &str = "staff-new-password";
pub const NEW_PASSWORD_AGAIN: &str = "staff-new-password-again";

/// 修改密码 as typed: the request, or the messages at the fields. The server checks the same
/// (12–128 characters, not the current one) and the current password itself.
pub fn password_change(current: &str, new: &str, again: &str) -> Result<StaffPasswordChange, Vec<FieldError>> {
    let mut errors = Vec::new();
    if current.is_empty() {
        errors.push(FieldError::at(CURRENT_PASSWORD, "请输入当前密码。"));
    }
    let chars = new.chars().count();
    if chars < 12 {
        errors.push(FieldError::at(NEW_PASSWORD, "新密码至少需要12个字符，请换一个更长的密码。"));
    } else if chars > 128 {
        errors.push(FieldError::at(NEW_PASSWORD, "新密码最多128个字符，请换一个短一些的密码。"));
    } else if new == current {
        errors.push(FieldError::at(NEW_PASSWORD, "新密码不能与当前密码相同，请换一个新密码。"));
    }
    if again != new {
        errors.push(FieldError::at(NEW_PASSWORD_AGAIN, "两次输入的新密码不一致，请重新输入。"));
    }
    if errors.is_empty() {
        Ok(StaffPasswordChange { current_password: current.to_owned(), new_password: new.to_owned() })
    } else {
        Err(errors)
    }
}

/// The fields of 账号管理, by element id: 新增账号's, and 重置密码's of the chosen account.
pub const ACCOUNT_USERNAME: &str = "account-username";
pub const ACCOUNT_NAME: &str = "account-display-name";
pub const ACCOUNT_ROLE: &str = "account-role";
pub const ACCOUNT_PASSWORD: &str = "account-password";
pub const ACCOUNT_PASSWORD_AGAIN: &str = "account-password-again";
pub const ACCOUNT_RESET_PASSWORD: &str = "account-reset-password";

/// A new password as an admin types it for someone (12–128 characters, the server's
/// `check_password`): the message at `field`, if it is not one.
fn new_password_problem(field: &str, password: &str) -> Option<FieldError> {
    let chars = password.chars().count();
    if chars < 12 {
        Some(FieldError::at(field, "密码至少需要12个字符，请换一个更长的密码。"))
    } else if chars > 128 {
        Some(FieldError::at(field, "密码最多128个字符，请换一个短一些的密码。"))
    } else {
        None
    }
}

/// 新增账号 as typed: the request (the username trimmed and in lower case, as the server keeps
/// it), or the messages at the fields. The rules are the server's (`staff::accounts`).
pub fn new_account(
    username: &str,
    display_name: &str,
    role: Option<StaffRole>,
    password: &str,
    again: &str,
) -> Result<NewStaffAccount, Vec<FieldError>> {
    let username = username.trim().to_lowercase();
    let display_name = display_name.trim();
    let mut errors = Vec::new();
    let username_ok = (3..=32).contains(&username.len())
        && username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-'));
    if !username_ok {
        errors.push(FieldError::at(
            ACCOUNT_USERNAME,
            "用户名须为3至32个字符，只能包含小写字母、数字和 _ . -，例如 wang.jianguo。",
        ));
    }
    if !(1..=32).contains(&display_name.chars().count()) {
        errors.push(FieldError::at(ACCOUNT_NAME, "请填写使用人的姓名（1至32个字），例如 王建国。"));
    }
    if role.is_none() {
        errors.push(FieldError::at(ACCOUNT_ROLE, "请选择账号的角色。"));
    }
    errors.extend(new_password_problem(ACCOUNT_PASSWORD, password));
    if again != password {
        errors.push(FieldError::at(ACCOUNT_PASSWORD_AGAIN, "两次输入的密码不一致，请重新输入。"));
    }
    match role {
        Some(role) if errors.is_empty() => Ok(NewStaffAccount {
            username,
            display_name: display_name.to_owned(),
            role,
            password: password.to_owned(),
        }),
        _ => Err(errors),
    }
}

/// 重置密码 as typed: the request, or the message at the field.
pub fn password_reset(password: &str) -> Result<StaffPasswordReset, Vec<FieldError>> {
    match new_password_problem(ACCOUNT_RESET_PASSWORD, password) {
        Some(problem) => Err(vec![problem]),
        None => Ok(StaffPasswordReset { password: password.to_owned() }),
    }
}

/// An account's state in the list: 已停用, 已锁定 until a Beijing time, or 正常.
pub fn account_state(account: &StaffAccountInfo, now: i64) -> String {
    match account.locked_until {
        _ if account.disabled => "已停用".to_owned(),
        Some(until) if until > now => format!("已锁定（至{}）", &beijing_time(until)[11..]),
        _ => "正常".to_owned(),
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
        .then(|| FieldError::at(field, format!("请填写{what}的原因（2至200个字），申请人会看到这段说明。")))
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
pub const COMPLETE_DEDUCTIONS: &str = "complete-deductions";
pub const COMPLETE_BONUS: &str = "complete-bonus";
pub const COMPLETE_NUMBER: &str = "complete-certificate-number";
pub const COMPLETE_NOTE: &str = "complete-note";
pub const COMPLETE_TRACKING: &str = "complete-tracking-number";
pub const REFUSE_REASON: &str = "refuse-reason";

pub const CORRECTION_EMPTY: &str = "请至少选择一项需要补正的信息或材料，申请人只能修改所选的内容。";

/// The most deductions (扣分) the server counts for a period (`server/src/staff/cases.rs`).
pub const MAX_DEDUCTIONS: u32 = 100;

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

/// The fields of 退回补正 for `business`, in the form's order: `correctable_fields` of the
/// contract, so that the clerk cannot flag what the driver's form does not have.
pub fn sorted_return_fields(business: BusinessCode, chosen: &[String]) -> Vec<String> {
    let order = correctable_fields(business);
    let mut fields: Vec<String> =
        chosen.iter().filter(|f| order.iter().any(|(name, _)| name == f)).cloned().collect();
    fields.sort_by_key(|f| order.iter().position(|(name, _)| name == f));
    fields.dedup();
    fields
}

/// What the clerk typed in the 办结 form. `deductions` and `bonus` start at `"0"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionForm {
    pub valid_until: String,
    pub certificate_number: String,
    pub deductions: String,
    pub bonus: String,
    pub note: String,
    /// The parcel's tracking number, when the driver asked for the certificate by post.
    pub tracking_number: String,
}

impl Default for CompletionForm {
    fn default() -> CompletionForm {
        CompletionForm {
            valid_until: String::new(),
            certificate_number: String::new(),
            deductions: "0".into(),
            bonus: "0".into(),
            note: String::new(),
            tracking_number: String::new(),
        }
    }
}

/// Whether 办结 of this business asks for the new expiry date.
pub fn asks_valid_until(business: BusinessCode) -> bool {
    business == BusinessCode::Renewal
}

/// Whether 办结 of this business may give a new certificate number: only 补发 and 换发 issue a
/// certificate.
pub fn asks_number(business: BusinessCode) -> bool {
    matches!(business, BusinessCode::Reissue | BusinessCode::Renewal)
}

/// Whether 办结 of this business records the period's points.
pub fn asks_credit(business: BusinessCode) -> bool {
    business == BusinessCode::CreditAssessment
}

/// A whole number of points from 0 to `max`, as typed (spaces and full-width digits forgiven).
fn parse_points(text: &str, max: u32) -> Option<u32> {
    let digits: String = text
        .trim()
        .chars()
        .map(|c| if ('０'..='９').contains(&c) { char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c) } else { c })
        .collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u32>().ok().filter(|n| *n <= max)
}

/// The live preview under the 扣分 and 加分 inputs: the period's points (分数) and grade (等级)
/// by the server's thresholds, `None` while either input is not a valid number.
pub fn credit_preview(form: &CompletionForm, thresholds: &CreditThresholds) -> Option<(u32, &'static str)> {
    let deductions = parse_points(&form.deductions, MAX_DEDUCTIONS)?;
    let bonus = parse_points(&form.bonus, CREDIT_MAX_BONUS)?;
    let points = CreditThresholds::points(deductions, bonus);
    Some((points, thresholds.grade(points)))
}

/// 办结 for `business`, in the server's words: 换发 a real date after `old_valid_until` and an
/// optional new number (6–32 letters and digits); 补发 the optional number; 考核 扣分 0–100 and
/// 加分 0–10; 变更 and 注销 only the note. Every business: a note of at most 200 characters.
pub fn complete_action(
    business: BusinessCode,
    old_valid_until: &str,
    form: &CompletionForm,
) -> Result<StaffAction, Vec<FieldError>> {
    let mut problems = Vec::new();
    let mut valid_until = String::new();
    if asks_valid_until(business) {
        let date = form.valid_until.trim();
        if !is_iso_date(date) {
            problems.push(FieldError::at(COMPLETE_VALID_UNTIL, "换发须填写新的有效期至，格式为YYYY-MM-DD，例如2032-11-30。"));
        } else if is_iso_date(old_valid_until) && date <= old_valid_until {
            problems.push(FieldError::at(
                COMPLETE_VALID_UNTIL,
                format!("新的有效期至须晚于原有效期至{old_valid_until}，请核对后重新填写。"),
            ));
        } else {
            valid_until = date.to_owned();
        }
    }
    let mut deductions = 0;
    let mut bonus = 0;
    if asks_credit(business) {
        match parse_points(&form.deductions, MAX_DEDUCTIONS) {
            Some(n) => deductions = n,
            None => problems.push(FieldError::at(
                COMPLETE_DEDUCTIONS,
                format!("扣分须填写0至{MAX_DEDUCTIONS}之间的整数，没有扣分请填0。"),
            )),
        }
        match parse_points(&form.bonus, CREDIT_MAX_BONUS) {
            Some(n) => bonus = n,
            None => problems.push(FieldError::at(
                COMPLETE_BONUS,
                format!("加分须填写0至{CREDIT_MAX_BONUS}之间的整数（每个考核周期最多加{CREDIT_MAX_BONUS}分），没有加分请填0。"),
            )),
        }
    }
    let number = form.certificate_number.trim();
    let certificate_number = if asks_number(business) && !number.is_empty() {
        if !(6..=32).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_alphanumeric()) {
            problems.push(FieldError::at(COMPLETE_NUMBER, "证号须为6至32位字母或数字，请核对后重新填写；不换证号请留空。"));
        }
        Some(number.to_owned())
    } else {
        None
    };
    let tracking = form.tracking_number.trim();
    let tracking_number = if asks_number(business) && !tracking.is_empty() {
        if !(8..=30).contains(&tracking.len()) || !tracking.bytes().all(|b| b.is_ascii_alphanumeric()) {
            problems.push(FieldError::at(COMPLETE_TRACKING, "快递单号须为8至30位字母或数字，请核对快递面单后重新填写。"));
        }
        Some(tracking.to_owned())
    } else {
        None
    };
    if form.note.trim().chars().count() > 200 {
        problems.push(FieldError::at(COMPLETE_NOTE, "给申请人的说明最多200个字，请精简后再办结。"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let note = form.note.trim().to_owned();
    Ok(StaffAction::Complete(match business {
        BusinessCode::Reissue => Completion::Reissue { certificate_number, note, tracking_number },
        BusinessCode::Renewal => Completion::Renewal { certificate_number, valid_until, note, tracking_number },
        BusinessCode::Change => Completion::Change { note },
        BusinessCode::Cancellation => Completion::Cancellation { note },
        BusinessCode::CreditAssessment => Completion::CreditAssessment { deductions, bonus, note },
    }))
}

// ---------------------------------------------------------------------------------------
// What the driver answered, per business

/// The rows of the 变更 table: 变更事项, 原内容 (the certificate as it stood when the case was
/// submitted), 新内容.
pub fn change_rows(certificate: &Certificate, details: &BusinessDetails) -> Vec<(&'static str, String, String)> {
    match details {
        BusinessDetails::Change { changes, .. } => changes
            .iter()
            .map(|change| {
                let old = change.item().current(certificate);
                let old = if old.trim().is_empty() { "（未记载）".to_owned() } else { old.to_owned() };
                (change.item().name(), old, change.new_text())
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// 领取方式 in words, with the hall's name and address when `halls` knows it.
pub fn delivery_text(delivery: &Delivery, halls: &[ServiceHall]) -> String {
    match delivery {
        Delivery::Pickup { hall_id } => {
            let hall = halls.iter().find(|h| &h.id == hall_id);
            format!(
                "到服务大厅自取：{}",
                hall.map(|h| format!("{}（{}）", h.name, h.address)).unwrap_or_else(|| hall_id.clone())
            )
        }
        Delivery::Post(post) => {
            format!("邮寄：{} {}，{}{}", post.recipient, post.phone, post.region.name, post.street)
        }
    }
}

/// The business's own answers as label and value, in the form's order (the 变更 table and the
/// contact come separately).
pub fn detail_rows(details: &BusinessDetails, halls: &[ServiceHall]) -> Vec<(&'static str, String)> {
    match details {
        BusinessDetails::Reissue { reason, delivery } => {
            vec![("补发原因", reason.name().to_owned()), ("领取方式", delivery_text(delivery, halls))]
        }
        BusinessDetails::Renewal { licence_class, delivery } => {
            vec![("准驾车型", licence_class.clone()), ("领取方式", delivery_text(delivery, halls))]
        }
        BusinessDetails::Change { reason, .. } => vec![("变更原因", reason.clone())],
        BusinessDetails::Cancellation { reason, other_reason } => {
            let mut rows = vec![("注销原因", reason.name().to_owned())];
            if *reason == CancellationReason::Other || !other_reason.trim().is_empty() {
                rows.push(("其他原因说明", other_reason.clone()));
            }
            rows
        }
        BusinessDetails::CreditAssessment { period } => {
            let label = if period.start.is_empty() { "未选择".to_owned() } else { period.label() };
            vec![("考核周期", label)]
        }
    }
}

/// The rows of the form a clerk compares after a resubmission: the business's answers, each
/// change of a 变更 (by its item), and the contact.
fn compared_rows(certificate: &Certificate, info: &PersonalInfo, halls: &[ServiceHall]) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> =
        detail_rows(&info.details, halls).into_iter().map(|(label, value)| (label.to_owned(), value)).collect();
    rows.extend(change_rows(certificate, &info.details).into_iter().map(|(item, _, new)| (format!("变更事项：{item}"), new)));
    rows.push(("联系人".to_owned(), info.contact_name.clone()));
    rows.push(("联系电话".to_owned(), info.contact_phone.clone()));
    rows
}

/// What a resubmission changed in the form: (row, as the clerk returned it, as resubmitted),
/// only the rows that differ, in the form's order; a row on one side only is `（无）` on the
/// other (a 变更 item added or dropped).
pub fn resubmitted_rows(
    certificate: &Certificate,
    before: &PersonalInfo,
    after: &PersonalInfo,
    halls: &[ServiceHall],
) -> Vec<(String, String, String)> {
    let old = compared_rows(certificate, before, halls);
    let new = compared_rows(certificate, after, halls);
    let none = || "（无）".to_owned();
    let value_in = |rows: &[(String, String)], label: &str| rows.iter().find(|(l, _)| l == label).map(|(_, v)| v.clone());
    let mut labels: Vec<&String> = new.iter().map(|(label, _)| label).collect();
    labels.extend(old.iter().map(|(label, _)| label).filter(|label| !new.iter().any(|(l, _)| &l == label)));
    labels
        .into_iter()
        .filter_map(|label| {
            let (was, is) = (value_in(&old, label), value_in(&new, label));
            (was != is).then(|| (label.clone(), was.unwrap_or_else(none), is.unwrap_or_else(none)))
        })
        .collect()
}

/// The labels of the fields a correction flagged (`fields`, [`correctable_fields`]' names) that
/// the resubmission left as they were: none of `rows` ([`resubmitted_rows`]) is theirs. A
/// field owns the row of its label and its sub-rows (`变更事项：住址`); 注销原因 also owns
/// 其他原因说明.
pub fn flagged_but_unchanged(business: BusinessCode, fields: &[String], rows: &[(String, String, String)]) -> Vec<&'static str> {
    let owns = |label: &str, row: &str| {
        row == label || row.strip_prefix(label).is_some_and(|rest| rest.starts_with('：')) || (label == "注销原因" && row == "其他原因说明")
    };
    correctable_fields(business)
        .iter()
        .filter(|(name, _)| fields.iter().any(|f| f == name))
        .map(|(_, label)| *label)
        .filter(|label| !rows.iter().any(|(row, ..)| owns(label, row)))
        .collect()
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
        (StaffActionKind::Complete, _, Some("deductions")) => Some(COMPLETE_DEDUCTIONS),
        (StaffActionKind::Complete, _, Some("bonus")) => Some(COMPLETE_BONUS),
        (StaffActionKind::Complete, _, Some("certificate_number")) => Some(COMPLETE_NUMBER),
        (StaffActionKind::Complete, _, Some("tracking_number")) => Some(COMPLETE_TRACKING),
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
    fn the_report_opens_on_this_month_and_says_durations_in_words() {
        // 2026-11-30 20:00 UTC is 12-01 04:00 in Beijing.
        assert_eq!(this_month(1_796_068_800), ("2026-12-01".to_owned(), "2026-12-01".to_owned()));
        assert_eq!(this_month(1_795_485_600), ("2026-11-01".to_owned(), "2026-11-24".to_owned()));
        assert_eq!(duration_text(None), "无");
        assert_eq!(duration_text(Some(45)), "45分钟");
        assert_eq!(duration_text(Some(120)), "2小时");
        assert_eq!(duration_text(Some(310)), "5小时10分钟");
        assert_eq!(duration_text(Some(3 * 1440 + 125)), "3天2小时");
        assert_eq!(duration_text(Some(2 * 1440 + 5)), "2天");
    }

    #[test]
    fn the_time_left_says_when_a_case_is_overdue() {
        assert_eq!(due_in(3), ("剩3天".to_owned(), false));
        assert_eq!(due_in(0), ("今天到期".to_owned(), false));
        assert_eq!(due_in(-2), ("已逾期2天".to_owned(), true));
        let counts = CaseQueueCounts { submitted: 3, accepted: 2, overdue: 0, ..CaseQueueCounts::default() };
        assert_eq!(queue_counts_text(&counts), "3 件待受理，2 件待办结");
        assert_eq!(queue_counts_text(&CaseQueueCounts { overdue: 1, ..counts }), "3 件待受理，2 件待办结，1 件已逾期");
    }

    #[test]
    fn due_dates_say_when_they_are_estimated() {
        assert_eq!(due("2026-01-05", true), "2026-01-05（预计）");
        assert_eq!(due("2026-01-05", false), "2026-01-05");
    }

    #[test]
    fn filters_round_trip_through_the_url() {
        let filter = parse_case_filter(Some("submitted"), Some("renewal"), Some("all"), None, None, None);
        assert_eq!(case_filter_query(&filter), "?status=submitted&business=renewal");
        assert_eq!(
            parse_case_filter(Some("nope"), Some(""), None, Some("2026-02-30"), Some(""), Some("a&b")),
            CaseQueueFilter::default()
        );
        assert_eq!(case_filter_query(&CaseQueueFilter::default()), "");
        let days = parse_case_filter(None, None, None, Some("2026-11-01"), Some("2026-11-30"), Some("hall_baotou"));
        assert_eq!(case_filter_query(&days), "?from=2026-11-01&to=2026-11-30&hall=hall_baotou");
        let all = parse_case_filter(None, None, Some("all"), None, None, None);
        assert_eq!(case_filter_query(&all), "?scope=all");
        let business_only =
            CaseQueueFilter { business: Some(BusinessCode::CreditAssessment), ..CaseQueueFilter::default() };
        assert_eq!(case_filter_query(&business_only), "?business=credit_assessment");
        let searched = CaseQueueFilter { q: Some("13812345678".into()), ..CaseQueueFilter::default() };
        assert_eq!(case_filter_query(&searched), "", "the search stays out of the page's URL");
        assert_eq!(case_request_query(&searched), "?q=13812345678");
        let named = CaseQueueFilter { q: Some(" 王 建国 ".into()), ..all };
        assert_eq!(case_request_query(&named), "?scope=all&q=%E7%8E%8B%20%E5%BB%BA%E5%9B%BD");
        let second_page = CaseQueueFilter { limit: Some(100), offset: Some(100), ..CaseQueueFilter::default() };
        assert_eq!(case_filter_query(&second_page), "", "the page stays out of the page's URL");
        assert_eq!(case_request_query(&second_page), "?limit=100&offset=100");
        assert_eq!(parse_realname_status(Some("approved")), RealNameStatus::Approved);
        assert_eq!(parse_realname_status(Some("none")), RealNameStatus::Pending);
        assert_eq!(parse_realname_status(None), RealNameStatus::Pending);
        for status in REALNAME_STATUSES {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", realname_status_code(status)));
        }
    }

    #[test]
    fn a_new_password_is_checked_as_the_server_does() {
        let at = |r: Result<StaffPasswordChange, Vec<FieldError>>| -> Vec<String> {
            r.unwrap_err().into_iter().map(|e| format!("{:?}", e)).collect()
        };
        assert!(password_change("old password", "a new password", "a new password").is_ok());

        // 账号管理: the server's rules, each message at its field, nothing typed is lost.
        let fields = |result: Result<NewStaffAccount, Vec<FieldError>>| -> Vec<String> {
            result.unwrap_err().into_iter().map(|e| e.field.unwrap()).collect()
        };
        assert_eq!(
            new_account(" Wang.JianGuo ", " 王建国 ", Some(StaffRole::Clerk), "a long password", "a long password"),
            Ok(NewStaffAccount {
                username: "wang.jianguo".into(),
                display_name: "王建国".into(),
                role: StaffRole::Clerk,
                password: "a long password".into()
            })
        );
        assert_eq!(
            fields(new_account("王建国", "", None, "short", "other")),
            [ACCOUNT_USERNAME, ACCOUNT_NAME, ACCOUNT_ROLE, ACCOUNT_PASSWORD, ACCOUNT_PASSWORD_AGAIN]
        );
        assert_eq!(fields(new_account("ab", &"名".repeat(33), Some(StaffRole::Viewer), &"长".repeat(129), &"长".repeat(129))), [
            ACCOUNT_USERNAME,
            ACCOUNT_NAME,
            ACCOUNT_PASSWORD
        ]);
        assert!(new_account("a_b-c.9", "李", Some(StaffRole::Admin), &"x".repeat(12), &"x".repeat(12)).is_ok());
        assert_eq!(password_reset("twelve chars").unwrap().password, "twelve chars");
        assert_eq!(password_reset("eleven char").unwrap_err()[0].field.as_deref(), Some(ACCOUNT_RESET_PASSWORD));
        let account = StaffAccountInfo {
            username: "wang.clerk".into(),
            display_name: "王办理".into(),
            role: StaffRole::Clerk,
            disabled: false,
            locked_until: Some(1_764_000_900),
            created_at: 0,
        };
        assert_eq!(account_state(&account, 1_764_000_000), "已锁定（至00:15）");
        assert_eq!(account_state(&account, 1_764_000_900), "正常", "the lock has passed");
        assert_eq!(account_state(&StaffAccountInfo { disabled: true, ..account }, 1_764_000_000), "已停用");
        assert_eq!(at(password_change("", "short", "other")).len(), 3);
        assert_eq!(at(password_change("same password", "same password", "same password")).len(), 1);
        assert_eq!(at(password_change("old", &"长".repeat(129), &"长".repeat(129))).len(), 1);
        assert_eq!(
            password_change("old password", "a new password", "a new password").unwrap(),
            StaffPasswordChange { current_password: "old password".into(), new_password: "a new password".into() }
        );
    }

    #[test]
    fn rejecting_needs_a_reason_of_two_to_two_hundred_characters() {
        assert_eq!(realname_decision(true, ""), Ok(RealNameDecision { approve: true, reason: None }));
        let words = "请填写不通过的原因（2至200个字），申请人会看到这段说明。";
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
        let format = "换发须填写新的有效期至，格式为YYYY-MM-DD，例如2032-11-30。";
        assert_eq!(check("").unwrap_err()[0], FieldError::at(COMPLETE_VALID_UNTIL, format));
        assert_eq!(check("2031-02-30").unwrap_err()[0].message, format);
        assert_eq!(check("2026-03-01").unwrap_err()[0].message, "新的有效期至须晚于原有效期至2026-03-01，请核对后重新填写。");
        assert_eq!(
            check("2032-03-01"),
            Ok(StaffAction::Complete(Completion::Renewal {
                certificate_number: None,
                valid_until: "2032-03-01".into(),
                note: String::new(),
                tracking_number: None,
            }))
        );
    }

    #[test]
    fn each_business_completes_with_its_own_variant_and_nothing_else() {
        let form = CompletionForm {
            valid_until: "2040-01-01".into(),
            certificate_number: "HH2026000123".into(),
            note: " 已办结 ".into(),
            ..Default::default()
        };
        let done = |business| match complete_action(business, "2026-03-01", &form) {
            Ok(StaffAction::Complete(completion)) => completion,
            other => panic!("{business:?}: {other:?}"),
        };
        assert_eq!(
            done(BusinessCode::Reissue),
            Completion::Reissue { certificate_number: Some("HH2026000123".into()), note: "已办结".into(), tracking_number: None }
        );
        // A number typed for 变更, 注销 or 考核 is not sent: they issue no certificate.
        assert_eq!(done(BusinessCode::Change), Completion::Change { note: "已办结".into() });
        assert_eq!(done(BusinessCode::Cancellation), Completion::Cancellation { note: "已办结".into() });
        assert_eq!(done(BusinessCode::CreditAssessment), Completion::CreditAssessment { deductions: 0, bonus: 0, note: "已办结".into() });
        for business in BusinessCode::ALL {
            assert_eq!(done(business).business(), business);
        }
        assert!(asks_number(BusinessCode::Reissue) && asks_number(BusinessCode::Renewal));
        assert!(!asks_number(BusinessCode::Change) && !asks_number(BusinessCode::Cancellation) && !asks_number(BusinessCode::CreditAssessment));

        let bad_tracking = CompletionForm { tracking_number: "SF-12".into(), ..Default::default() };
        assert_eq!(complete_action(BusinessCode::Reissue, "", &bad_tracking).unwrap_err()[0].field.as_deref(), Some(COMPLETE_TRACKING));
        let bad_number = CompletionForm { certificate_number: "15-01".into(), ..Default::default() };
        assert_eq!(complete_action(BusinessCode::Reissue, "", &bad_number).unwrap_err()[0].field.as_deref(), Some(COMPLETE_NUMBER));
        assert!(complete_action(BusinessCode::Change, "", &bad_number).is_ok(), "not asked, not checked");
        let long = CompletionForm { note: "字".repeat(201), ..Default::default() };
        let problems = complete_action(BusinessCode::Change, "", &long).unwrap_err();
        assert_eq!(problems, vec![FieldError::at(COMPLETE_NOTE, "给申请人的说明最多200个字，请精简后再办结。")]);
    }

    #[test]
    fn an_assessment_counts_deductions_and_bonus_and_previews_points_and_grade() {
        let form = |deductions: &str, bonus: &str| CompletionForm { deductions: deductions.into(), bonus: bonus.into(), ..Default::default() };
        let thresholds = CreditThresholds::default();
        let preview = |d: &str, b: &str| credit_preview(&form(d, b), &thresholds);
        assert_eq!(preview("0", "0"), Some((20, "AAA")));
        assert_eq!(preview("1", "0"), Some((19, "AA")));
        assert_eq!(preview("9", "0"), Some((11, "AA")));
        assert_eq!(preview("10", "0"), Some((10, "A")));
        assert_eq!(preview("16", "0"), Some((4, "A")));
        assert_eq!(preview("17", "0"), Some((3, "B")));
        assert_eq!(preview("30", "2"), Some((2, "B")), "the deductions floor at 0 before the bonus");
        assert_eq!(preview(" ３ ", "10"), Some((27, "AAA")), "full-width digits and spaces forgiven");
        assert_eq!(preview("", "0"), None);
        assert_eq!(preview("0", "11"), None, "beyond the bonus cap");
        assert_eq!(preview("101", "0"), None);
        let strict = CreditThresholds { aaa: 25, aa: 15, a: 5 };
        assert_eq!(credit_preview(&form("0", "0"), &strict), Some((20, "AA")), "the server's thresholds");

        let check = |d: &str, b: &str| complete_action(BusinessCode::CreditAssessment, "", &form(d, b));
        let problems = check("-1", "11").unwrap_err();
        assert_eq!(
            problems,
            vec![
                FieldError::at(COMPLETE_DEDUCTIONS, "扣分须填写0至100之间的整数，没有扣分请填0。"),
                FieldError::at(COMPLETE_BONUS, "加分须填写0至10之间的整数（每个考核周期最多加10分），没有加分请填0。"),
            ]
        );
        assert_eq!(
            check("3", "1"),
            Ok(StaffAction::Complete(Completion::CreditAssessment { deductions: 3, bonus: 1, note: String::new() }))
        );
    }

    #[test]
    fn the_clerk_sees_each_business_in_its_own_words() {
        use taxicert_api::{Address, AssessmentPeriod, Change, CertificateKind, CertificateStatus, PostalAddress, Region, ReissueReason};
        let certificate = Certificate {
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
            employer: String::new(),
            credit: None,
            unavailable_reason: None,
            open_case_id: None,
            notice: None,
            assessment_periods: vec![],
        };
        let change = BusinessDetails::Change {
            changes: vec![
                Change::LicenceClass { new: "A1".into() },
                Change::Employer { new: "呼和浩特市新示例出租汽车有限公司".into() },
                Change::Address {
                    new: Address { region: Region { code: "150102".into(), name: "内蒙古自治区呼和浩特市新城区".into() }, street: "新华大街8号".into() },
                },
            ],
            reason: "增驾A1并换公司".into(),
        };
        assert_eq!(
            change_rows(&certificate, &change),
            vec![
                ("准驾车型", "C1".to_owned(), "A1".to_owned()),
                ("服务单位", "（未记载）".to_owned(), "呼和浩特市新示例出租汽车有限公司".to_owned()),
                ("住址", "内蒙古自治区呼和浩特市新城区示例路1号".to_owned(), "内蒙古自治区呼和浩特市新城区新华大街8号".to_owned()),
            ]
        );
        assert_eq!(detail_rows(&change, &[]), vec![("变更原因", "增驾A1并换公司".to_owned())]);

        let halls = vec![ServiceHall {
            id: "hall-1".into(),
            name: "新城区服务大厅".into(),
            address: "新华大街1号".into(),
            hours: String::new(),
            phone: String::new(),
        }];
        let reissue = BusinessDetails::Reissue { reason: ReissueReason::Damaged, delivery: Delivery::Pickup { hall_id: "hall-1".into() } };
        assert_eq!(
            detail_rows(&reissue, &halls),
            vec![("补发原因", "损毁".to_owned()), ("领取方式", "到服务大厅自取：新城区服务大厅（新华大街1号）".to_owned())]
        );
        let renewal = BusinessDetails::Renewal {
            licence_class: "C1".into(),
            delivery: Delivery::Post(PostalAddress {
                recipient: "王建国".into(),
                phone: "13912345678".into(),
                region: Region { code: "150102".into(), name: "内蒙古自治区呼和浩特市新城区".into() },
                street: "示例路1号".into(),
            }),
        };
        assert_eq!(detail_rows(&renewal, &[])[1].1, "邮寄：王建国 13912345678，内蒙古自治区呼和浩特市新城区示例路1号");
        let other = BusinessDetails::Cancellation { reason: CancellationReason::Other, other_reason: "出国定居".into() };
        assert_eq!(detail_rows(&other, &[]), vec![("注销原因", "其他".to_owned()), ("其他原因说明", "出国定居".to_owned())]);
        let retired = BusinessDetails::Cancellation { reason: CancellationReason::RetirementAge, other_reason: String::new() };
        assert_eq!(detail_rows(&retired, &[]), vec![("注销原因", "达到法定退休年龄".to_owned())]);
        let period = AssessmentPeriod { start: "2025-06-01".into(), end: "2026-05-31".into() };
        assert_eq!(detail_rows(&BusinessDetails::CreditAssessment { period }, &[]), vec![("考核周期", "2025-06-01 至 2026-05-31".to_owned())]);
        assert!(change_rows(&certificate, &retired).is_empty());

        // After a resubmission: the rows that differ, a dropped or added 变更 item against （无）.
        let returned = PersonalInfo { contact_name: "王建国".into(), contact_phone: "13812345678".into(), details: change.clone() };
        let BusinessDetails::Change { changes, .. } = &change else { unreachable!() };
        let resubmitted = PersonalInfo {
            contact_name: "王建国".into(),
            contact_phone: "13912345678".into(),
            details: BusinessDetails::Change {
                changes: vec![changes[0].clone(), Change::Employer { new: "呼和浩特市另一出租汽车有限公司".into() }, Change::Phone { new: "13912345678".into() }],
                reason: "增驾A1并换公司".into(),
            },
        };
        assert_eq!(
            resubmitted_rows(&certificate, &returned, &resubmitted, &[]),
            vec![
                ("变更事项：服务单位".to_owned(), "呼和浩特市新示例出租汽车有限公司".to_owned(), "呼和浩特市另一出租汽车有限公司".to_owned()),
                ("变更事项：联系电话".to_owned(), "（无）".to_owned(), "13912345678".to_owned()),
                ("联系电话".to_owned(), "13812345678".to_owned(), "13912345678".to_owned()),
                ("变更事项：住址".to_owned(), "内蒙古自治区呼和浩特市新城区新华大街8号".to_owned(), "（无）".to_owned()),
            ]
        );
        assert!(resubmitted_rows(&certificate, &returned, &returned, &halls).is_empty(), "nothing changed, nothing listed");
        let rows = resubmitted_rows(&certificate, &returned, &resubmitted, &[]);
        let flagged = ["changes", "reason", "contact_name", "contact_phone"].map(String::from);
        assert_eq!(flagged_but_unchanged(BusinessCode::Change, &flagged, &rows), vec!["变更原因", "联系人"]);
        assert_eq!(flagged_but_unchanged(BusinessCode::Change, &flagged[..1], &[]), vec!["变更事项"]);
        let other_reason = vec![("其他原因说明".to_owned(), "出国".to_owned(), "出国定居".to_owned())];
        assert!(flagged_but_unchanged(BusinessCode::Cancellation, &["cancellation_reason".to_owned()], &other_reason).is_empty());
        let pickup = PersonalInfo { contact_name: "王建国".into(), contact_phone: "13812345678".into(), details: reissue.clone() };
        let posted = PersonalInfo {
            details: BusinessDetails::Reissue { reason: ReissueReason::Damaged, delivery: Delivery::Post(PostalAddress {
                recipient: "王建国".into(),
                phone: "13912345678".into(),
                region: Region { code: "150102".into(), name: "内蒙古自治区呼和浩特市新城区".into() },
                street: "示例路1号".into(),
            }) },
            ..pickup.clone()
        };
        assert_eq!(
            resubmitted_rows(&certificate, &pickup, &posted, &halls),
            vec![(
                "领取方式".to_owned(),
                "到服务大厅自取：新城区服务大厅（新华大街1号）".to_owned(),
                "邮寄：王建国 13912345678，内蒙古自治区呼和浩特市新城区示例路1号".to_owned()
            )]
        );

        assert_eq!(sorted_return_fields(BusinessCode::Cancellation, &["contact_phone".into(), "delivery".into(), "cancellation_reason".into()]),
            ["cancellation_reason", "contact_phone"], "注销 has no 领取方式 to correct");
    }

    #[test]
    fn refusing_needs_a_reason() {
        let words = "请填写不予受理的原因（2至200个字），申请人会看到这段说明。";
        assert_eq!(refuse_action("").unwrap_err()[0], FieldError::at(REFUSE_REASON, words));
        assert_eq!(refuse_action("不符合条件"), Ok(StaffAction::Refuse { reason: "不符合条件".into() }));
    }

    #[test]
    fn server_refusals_land_at_the_field_of_the_open_form() {
        let at = |kind, code, field| action_error(kind, code, field, "x".into()).field;
        assert_eq!(at(StaffActionKind::Return, Some("correction_empty"), None), Some(RETURN_FIELDS.into()));
        assert_eq!(at(StaffActionKind::Return, Some("invalid_field"), Some("materials")), Some(RETURN_MATERIALS.into()));
        assert_eq!(at(StaffActionKind::Complete, Some("invalid_field"), Some("valid_until")), Some(COMPLETE_VALID_UNTIL.into()));
        assert_eq!(at(StaffActionKind::Complete, Some("invalid_field"), Some("bonus")), Some(COMPLETE_BONUS.into()));
        assert_eq!(at(StaffActionKind::Complete, Some("certificate_cancelled"), None), None, "said above the buttons");
        assert_eq!(at(StaffActionKind::Refuse, Some("invalid_field"), Some("reason")), Some(REFUSE_REASON.into()));
        assert_eq!(at(StaffActionKind::Accept, Some("action_not_allowed"), None), None);
        assert_eq!(return_material_id("photo_2inch"), "return-material-photo_2inch");
        assert_eq!(action_kind(&StaffAction::Accept).name(), "受理");
    }
}
