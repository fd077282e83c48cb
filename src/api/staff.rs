//! The staff console's endpoints (`/staff/...`). The staff session is its own HttpOnly cookie;
//! the app keeps nothing of it.

use taxicert_api::{
    AccountMoveDecision, AccountMoveReview, CaseQueueCounts, ClerkWork, AccountMoveStatus, AccountMoveSummary, CaseQueueFilter, RealNameDecision, RealNameReview, RealNameReviewSummary, RealNameStatus, StaffAction,
    NewStaffAccount, StaffAccountInfo, StaffCaseDetail, StaffCaseSummary, StaffLogin, StaffMe, StaffPasswordChange,
    StaffPasswordReset, StaffRole, StaffRoleChange,
};

use super::{decode, ApiClient, ApiError};
use crate::{browser, pages::staff::forms, routes::opaque};

impl ApiError {
    /// The staff session ended or never was (`staff_unauthenticated`), or only a driver is
    /// signed in on this browser (`staff_only`): the clerk must sign in.
    pub fn is_staff_signed_out(&self) -> bool {
        match self {
            ApiError::Server { status: 401, .. } => true,
            ApiError::Server { status: 403, body } => body.code == "staff_only",
            _ => false,
        }
    }
}

impl ApiClient {
    /// The signed-in staff member, or `None` when this browser has no staff session.
    pub async fn staff_me(&self) -> Result<Option<StaffMe>, ApiError> {
        match self.get::<StaffMe>("/staff/session").await {
            Ok(me) => Ok(Some(me)),
            Err(error) if error.is_staff_signed_out() => Ok(None),
            Err(error) => Err(error),
        }
    }

    pub async fn staff_login(&self, username: &str, password: &str) -> Result<StaffMe, ApiError> {
        self.send("POST", "/staff/session", &StaffLogin { username: username.into(), password: password.into() }).await
    }

    pub async fn staff_logout(&self) -> Result<(), ApiError> {
        let answer = browser::send("DELETE", &self.endpoint("/staff/session"), None).await.map_err(ApiError::from)?;
        match answer.status {
            204 | 401 => Ok(()),
            status => decode::<()>(status, &answer.body),
        }
    }

    /// 修改密码: the signed-in staff member's own; his other sessions end.
    pub async fn staff_change_password(&self, change: &StaffPasswordChange) -> Result<(), ApiError> {
        let body = serde_json::to_string(change).expect("request bodies serialise");
        self.no_content("PUT", "/staff/password", Some(&body)).await
    }

    /// 账号管理 (admins only): every account, by username.
    pub async fn staff_accounts(&self) -> Result<Vec<StaffAccountInfo>, ApiError> {
        self.get("/staff/accounts").await
    }

    pub async fn staff_account_create(&self, account: &NewStaffAccount) -> Result<StaffAccountInfo, ApiError> {
        self.send("POST", "/staff/accounts", account).await
    }

    pub async fn staff_account_role(&self, username: &str, role: StaffRole) -> Result<StaffAccountInfo, ApiError> {
        self.send("PUT", &format!("/staff/accounts/{}/role", opaque(username)), &StaffRoleChange { role }).await
    }

    /// A new password for `username`, set by an admin; the account's sessions end.
    pub async fn staff_account_password(&self, username: &str, reset: &StaffPasswordReset) -> Result<(), ApiError> {
        let body = serde_json::to_string(reset).expect("request bodies serialise");
        self.no_content("PUT", &format!("/staff/accounts/{}/password", opaque(username)), Some(&body)).await
    }

    pub async fn staff_account_unlock(&self, username: &str) -> Result<(), ApiError> {
        self.no_content("POST", &format!("/staff/accounts/{}/unlock", opaque(username)), None).await
    }

    pub async fn staff_account_disable(&self, username: &str) -> Result<(), ApiError> {
        self.no_content("POST", &format!("/staff/accounts/{}/disable", opaque(username)), None).await
    }


    pub async fn staff_realname_queue(&self, status: RealNameStatus) -> Result<Vec<RealNameReviewSummary>, ApiError> {
        self.get(&format!("/staff/realname?status={}", forms::realname_status_code(status))).await
    }

    pub async fn staff_realname(&self, id: i64) -> Result<RealNameReview, ApiError> {
        self.get(&format!("/staff/realname/{id}")).await
    }

    /// Where a side (`portrait` or `emblem`) of a submission's ID card is served.
    pub fn staff_realname_photo_url(&self, id: i64, side: &str) -> String {
        self.endpoint(&format!("/staff/realname/{id}/photos/{}", opaque(side)))
    }

    pub async fn staff_decide_realname(&self, id: i64, decision: &RealNameDecision) -> Result<RealNameReview, ApiError> {
        self.send("POST", &format!("/staff/realname/{id}/decision"), decision).await
    }

    pub async fn staff_account_moves(&self, status: AccountMoveStatus) -> Result<Vec<AccountMoveSummary>, ApiError> {
        self.get(&format!("/staff/account-moves?status={}", status.as_str())).await
    }

    pub async fn staff_account_move(&self, id: i64) -> Result<AccountMoveReview, ApiError> {
        self.get(&format!("/staff/account-moves/{id}")).await
    }

    /// Where one of a move's four ID photos is served: `new_portrait`, `new_emblem`,
    /// `old_portrait` or `old_emblem`.
    pub fn staff_account_move_photo_url(&self, id: i64, which: &str) -> String {
        self.endpoint(&format!("/staff/account-moves/{id}/photos/{}", opaque(which)))
    }

    pub async fn staff_decide_account_move(&self, id: i64, decision: &AccountMoveDecision) -> Result<AccountMoveReview, ApiError> {
        self.send("POST", &format!("/staff/account-moves/{id}/decision"), decision).await
    }

    pub async fn staff_cases(&self, filter: &CaseQueueFilter) -> Result<Vec<StaffCaseSummary>, ApiError> {
        self.get(&format!("/staff/cases{}", forms::case_request_query(filter))).await
    }

    pub async fn staff_case(&self, id: &str) -> Result<StaffCaseDetail, ApiError> {
        self.get(&format!("/staff/cases/{}", opaque(id))).await
    }

    /// How many cases wait in each queue.
    pub async fn staff_case_counts(&self) -> Result<CaseQueueCounts, ApiError> {
        self.get("/staff/case-counts").await
    }

    /// Where the CSV export of the cases of `filter` (without its search) is downloaded.
    pub fn staff_cases_export_url(&self, filter: &CaseQueueFilter) -> String {
        self.endpoint(&format!("/staff/reports/cases.csv{}", forms::case_filter_query(filter)))
    }

    /// Each staff member's decisions from `from` to `to` (Beijing days, `YYYY-MM-DD`).
    pub async fn staff_clerk_report(&self, from: &str, to: &str) -> Result<Vec<ClerkWork>, ApiError> {
        self.get(&format!("/staff/reports/clerks?from={}&to={}", opaque(from), opaque(to))).await
    }

    /// Where the photo of a case's material is served.
    pub fn staff_case_photo_url(&self, id: &str, material_code: &str) -> String {
        self.endpoint(&format!("/staff/cases/{}/photos/{}", opaque(id), opaque(material_code)))
    }

    /// Where the photo of a case's material that its last resubmission replaced is served.
    pub fn staff_case_previous_photo_url(&self, id: &str, material_code: &str) -> String {
        format!("{}?previous=true", self.staff_case_photo_url(id, material_code))
    }

    pub async fn staff_case_action(&self, id: &str, action: &StaffAction) -> Result<StaffCaseDetail, ApiError> {
        self.send("POST", &format!("/staff/cases/{}/actions", opaque(id)), action).await
    }
}

#[cfg(test)]
mod tests {
    use taxicert_api::ErrorBody;

    use super::*;

    #[test]
    fn only_a_missing_staff_session_means_signing_in() {
        let error = |status, code: &str| ApiError::Server { status, body: ErrorBody::new(code, "m") };
        assert!(error(401, "staff_unauthenticated").is_staff_signed_out());
        assert!(error(403, "staff_only").is_staff_signed_out());
        assert!(!error(403, "staff_role").is_staff_signed_out());
        assert!(!ApiError::Network.is_staff_signed_out());
    }

    #[test]
    fn staff_urls_carry_only_opaque_ids() {
        let api = ApiClient::new("https://a.example/api/v1");
        assert_eq!(api.staff_case_photo_url("TC1/../x", "photo_2inch"), "https://a.example/api/v1/staff/cases/TC1x/photos/photo_2inch");
        assert_eq!(api.staff_realname_photo_url(7, "portrait"), "https://a.example/api/v1/staff/realname/7/photos/portrait");
    }
}
