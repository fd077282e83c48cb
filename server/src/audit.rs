//! The audit log: one row per security-relevant event. Never an ID number, a code or a token.

use sqlx::AnyExecutor;

#[derive(Clone, Copy, Debug)]
pub enum Event {
    SmsCodeSent,
    Login,
    LoginFailed,
    Logout,
    RealNameSubmitted,
    RealNameDecided,
    CaseSubmitted,
    CaseResubmitted,
    CaseWithdrawn,
    CaseAccepted,
    CaseReturned,
    CaseCompleted,
    CaseRefused,
    VoucherDownloaded,
    /// The voucher as a picture (`voucher.png`), shown in the page and saved from there.
    VoucherImageDownloaded,
    StaffLogin,
    StaffLoginFailed,
    StaffLogout,
    /// An admin's changes to staff accounts in the console, subject `staff:{username}`.
    StaffAccountCreated,
    StaffRoleChanged,
    StaffPasswordReset,
    StaffUnlocked,
    StaffDisabled,
    /// A staff member changed his own password (subject `staff:{username}`).
    StaffPasswordChanged,
    /// The driver of a new account asked a clerk to move the verified account to his number.
    AccountMoveReviewAsked,
    /// A wrong, expired or spent code for an account move (the outcome says which).
    AccountMoveCodeFailed,
    /// A clerk refused a move (`rejected`).
    AccountMoveDecided,
    /// An account moved to a new phone number: one entry for each of the two accounts,
    /// outcome `sms` or `clerk`.
    AccountMoved,
    /// Retention deleted a photo no longer needed: outcome `replaced` or `abandoned`, subject
    /// `upload:{id}`, no client address.
    UploadRemoved,
    /// 微信登录 refused: outcome `state` (wrong, missing, expired or replayed), `code` (WeChat
    /// refused the code) or `wechat_error` (WeChat failed otherwise). Never the openid.
    WechatLoginFailed,
    /// A WeChat was bound to the account (outcome `sms`: with the SMS code).
    WechatBound,
    /// The driver unbound his WeChat in 我的.
    WechatUnbound,
    /// A message's SMS was given up after every attempt failed: outcome `gateway`, subject
    /// `message:{id}`, no client address.
    MessageFailed,
    /// A staff member exported a list of cases as CSV (`GET /staff/reports/cases.csv`).
    CasesExported,
}

impl Event {
    fn as_str(self) -> &'static str {
        match self {
            Event::SmsCodeSent => "sms_code_sent",
            Event::Login => "login",
            Event::LoginFailed => "login_failed",
            Event::Logout => "logout",
            Event::RealNameSubmitted => "realname_submitted",
            Event::RealNameDecided => "realname_decided",
            Event::CaseSubmitted => "case_submitted",
            Event::CaseResubmitted => "case_resubmitted",
            Event::CaseWithdrawn => "case_withdrawn",
            Event::CaseAccepted => "case_accepted",
            Event::CaseReturned => "case_returned",
            Event::CaseCompleted => "case_completed",
            Event::CaseRefused => "case_refused",
            Event::VoucherDownloaded => "voucher_downloaded",
            Event::VoucherImageDownloaded => "voucher_image_downloaded",
            Event::StaffLogin => "staff_login",
            Event::StaffLoginFailed => "staff_login_failed",
            Event::StaffLogout => "staff_logout",
            Event::StaffAccountCreated => "staff_account_created",
            Event::StaffRoleChanged => "staff_role_changed",
            Event::StaffPasswordReset => "staff_password_reset",
            Event::StaffUnlocked => "staff_unlocked",
            Event::StaffDisabled => "staff_disabled",
            Event::StaffPasswordChanged => "staff_password_changed",
            Event::WechatLoginFailed => "wechat_login_failed",
            Event::WechatBound => "wechat_bound",
            Event::WechatUnbound => "wechat_unbound",
            Event::AccountMoveReviewAsked => "account_move_review_asked",
            Event::AccountMoveCodeFailed => "account_move_code_failed",
            Event::AccountMoveDecided => "account_move_decided",
            Event::AccountMoved => "account_moved",
            Event::UploadRemoved => "upload_removed",
            Event::MessageFailed => "message_failed",
            Event::CasesExported => "cases_exported",
        }
    }
}

pub struct Entry<'a> {
    pub event: Event,
    /// `ok`, or why it failed (`code_wrong`, `daily_limit`, …).
    pub outcome: &'a str,
    pub user_id: Option<i64>,
    pub phone_masked: Option<String>,
    pub client_ip: &'a str,
    /// The staff member who acted, for the console's actions.
    pub staff_id: Option<i64>,
    /// What was acted on: a case number, `realname:{submission id}`, `account_move:{id}`, `staff:{username}`,
    /// `upload:{id}` or `message:{id}`.
    pub subject: Option<&'a str>,
}

/// Recorded on the pool, or inside a transaction so that the entry stands or falls with the
/// change it records.
pub async fn record<'c>(db: impl AnyExecutor<'c>, at: i64, entry: Entry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, phone_masked, event, outcome, client_ip, staff_id, subject)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(at)
    .bind(entry.user_id)
    .bind(entry.phone_masked)
    .bind(entry.event.as_str())
    .bind(entry.outcome)
    .bind(entry.client_ip)
    .bind(entry.staff_id)
    .bind(entry.subject)
    .execute(db)
    .await?;
    Ok(())
}
