//! The REST client: plain async functions, no view code. [`ApiClient::endpoint`] is the one
//! place that builds endpoint URLs.

use serde::de::DeserializeOwned;
use serde::Serialize;
use taxicert_api::{
    AccountMove, AccountMoveConfirm, BusinessCode, BusinessDetail, BusinessSummary, CaseDetail, CaseSummary, Certificate,
    Draft, DraftSummary, ErrorBody, IdCardRead, LoginRequest, MarkRead, Me, Message, NumberLoginRequest, NumberToken, Profile, RealNameState,
    RealNameSubmission, Resubmission, ServiceHall, SessionInfo, Settings, SmsCodeRequest, SmsCodeSent, StepAnswers,
    Submission, UnreadCount, UploadReceipt, VoucherCheck, WechatAuthorize, WechatReturn, WechatSignIn,
};

use crate::browser::{self, FetchFailure};

mod staff;

/// Where the API lives: the absolute base URL, resolved once from `config.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiClient {
    base: String,
}

impl ApiClient {
    /// `base` is absolute and has no trailing slash.
    pub fn new(base: impl Into<String>) -> ApiClient {
        ApiClient { base: base.into().trim_end_matches('/').to_owned() }
    }

    /// The URL of an endpoint given by its path in `openapi.yaml` after `/api/v1`.
    pub fn endpoint(&self, path: &str) -> String {
        debug_assert!(path.starts_with('/'), "endpoint paths start with /");
        format!("{}{}", self.base, path)
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        let answer = browser::get(&self.endpoint(path)).await.map_err(ApiError::from)?;
        decode(answer.status, &answer.body)
    }

    async fn send<T: DeserializeOwned>(&self, method: &str, path: &str, body: &impl Serialize) -> Result<T, ApiError> {
        let body = serde_json::to_string(body).expect("request bodies serialise");
        let answer = browser::send(method, &self.endpoint(path), Some(&body)).await.map_err(ApiError::from)?;
        decode(answer.status, &answer.body)
    }

    pub async fn send_sms_code(&self, phone: &str) -> Result<SmsCodeSent, ApiError> {
        self.send("POST", "/auth/sms-codes", &SmsCodeRequest { phone: phone.into() }).await
    }

    /// Logs in with the SMS code; `bind_wechat` also binds the WeChat this browser just
    /// authorized (微信登录, first use).
    pub async fn login(&self, phone: &str, code: &str, bind_wechat: bool) -> Result<Me, ApiError> {
        self.send("POST", "/auth/session", &LoginRequest { phone: phone.into(), code: code.into(), bind_wechat }).await
    }

    /// 本机号码一键登录, step 1: the carrier's token for this SIM, from `token_url` (over mobile
    /// data, without cookies); `None` when the carrier gave none (on WLAN, say).
    pub async fn number_token(&self, token_url: &str) -> Option<String> {
        let answer = browser::get_elsewhere(token_url).await.ok().filter(|a| a.status == 200)?;
        serde_json::from_str::<NumberToken>(&answer.body).ok().map(|t| t.token)
    }

    /// 本机号码一键登录, step 2: signs in with the token; `bind_wechat` as for [`Self::login`].
    pub async fn number_login(&self, token: &str, bind_wechat: bool) -> Result<Me, ApiError> {
        self.send("POST", "/auth/number-session", &NumberLoginRequest { token: token.into(), bind_wechat }).await
    }

    /// Starts 微信登录: WeChat's authorization page to send the browser to.
    pub async fn wechat_authorize(&self) -> Result<WechatAuthorize, ApiError> {
        let answer = browser::send("POST", &self.endpoint("/auth/wechat/authorize"), None).await.map_err(ApiError::from)?;
        decode(answer.status, &answer.body)
    }

    /// Finishes 微信登录 with what WeChat sent the browser back with.
    pub async fn wechat_sign_in(&self, code: &str, state: &str) -> Result<WechatSignIn, ApiError> {
        self.send("POST", "/auth/wechat/session", &WechatReturn { code: code.into(), state: state.into() }).await
    }

    /// 解除微信绑定.
    pub async fn wechat_unbind(&self) -> Result<(), ApiError> {
        self.no_content("DELETE", "/account/wechat", None).await
    }

    /// A request whose success is 204 No Content, with an optional JSON body.
    async fn no_content(&self, method: &str, path: &str, body: Option<&str>) -> Result<(), ApiError> {
        let answer = browser::send(method, &self.endpoint(path), body).await.map_err(ApiError::from)?;
        match answer.status {
            204 => Ok(()),
            status => decode::<()>(status, &answer.body),
        }
    }

    /// The address of the driver's WeChat avatar (our copy, sent to him only).
    pub fn wechat_avatar_url(&self) -> String {
        self.endpoint("/account/wechat/avatar")
    }

    pub async fn logout(&self) -> Result<(), ApiError> {
        let answer = browser::send("DELETE", &self.endpoint("/auth/session"), None).await.map_err(ApiError::from)?;
        match answer.status {
            204 | 401 => Ok(()),
            status => decode::<()>(status, &answer.body),
        }
    }

    /// The signed-in user (`None` when there is no session) and what sign-ins the server offers.
    pub async fn session_info(&self) -> Result<SessionInfo, ApiError> {
        self.get("/auth/session").await
    }

    pub async fn realname_state(&self) -> Result<RealNameState, ApiError> {
        self.get("/realname").await
    }

    /// Uploads both sides of the ID card (as checked and shrunk on the phone) and returns
    /// what the server read.
    pub async fn read_id_card(&self, portrait: &web_sys::Blob, emblem: &web_sys::Blob) -> Result<IdCardRead, ApiError> {
        let form = web_sys::FormData::new().map_err(|_| ApiError::Network)?;
        form.append_with_blob_and_filename("portrait", portrait, "portrait.jpg").map_err(|_| ApiError::Network)?;
        form.append_with_blob_and_filename("emblem", emblem, "emblem.jpg").map_err(|_| ApiError::Network)?;
        // Two photos up and the ID card read (turned up to four ways when nothing reads): on a
        // weak 4G link and a busy server that is an upload's time, not a request's 20 s.
        let answer =
            browser::upload_form(&self.endpoint("/realname/id-card"), &form, &[], |_| {}).await.map_err(ApiError::from)?;
        decode(answer.status, &answer.body)
    }

    pub async fn submit_realname(&self, submission: &RealNameSubmission) -> Result<RealNameState, ApiError> {
        self.send("POST", "/realname/submission", submission).await
    }

    /// The driver's move request (an ID number verified on his other account), or `None`.
    pub async fn account_move(&self) -> Result<Option<AccountMove>, ApiError> {
        self.get("/account/move").await
    }

    /// Sends a code to the old account's phone number.
    pub async fn send_account_move_code(&self) -> Result<SmsCodeSent, ApiError> {
        let answer =
            browser::send("POST", &self.endpoint("/account/move/sms-code"), None).await.map_err(ApiError::from)?;
        decode(answer.status, &answer.body)
    }

    /// Moves the old account to this phone number: the session is then the old account's.
    pub async fn confirm_account_move(&self, code: &str) -> Result<Me, ApiError> {
        self.send("POST", "/account/move/confirm", &AccountMoveConfirm { code: code.into() }).await
    }

    /// The old number is lost: asks a clerk to decide.
    pub async fn ask_account_move_review(&self) -> Result<AccountMove, ApiError> {
        let answer = browser::send("POST", &self.endpoint("/account/move/review"), None).await.map_err(ApiError::from)?;
        decode(answer.status, &answer.body)
    }

    /// Uploads the checked photo of a material; `key` is the same for every retry of it, so
    /// that the server stores one copy however often the answer is lost.
    pub async fn upload_photo(
        &self,
        material: &str,
        jpeg: &web_sys::Blob,
        key: &str,
        on_progress: impl Fn(f64) + 'static,
    ) -> Result<UploadReceipt, ApiError> {
        let form = web_sys::FormData::new().map_err(|_| ApiError::Network)?;
        form.append_with_str("material", material).map_err(|_| ApiError::Network)?;
        form.append_with_blob_and_filename("file", jpeg, "photo.jpg").map_err(|_| ApiError::Network)?;
        let answer = browser::upload_form(&self.endpoint("/uploads"), &form, &[("Idempotency-Key", key)], on_progress)
            .await
            .map_err(ApiError::from)?;
        decode(answer.status, &answer.body)
    }

    pub async fn delete_upload(&self, id: &str) -> Result<(), ApiError> {
        let answer = browser::send("DELETE", &self.endpoint(&format!("/uploads/{id}")), None).await.map_err(ApiError::from)?;
        match answer.status {
            204 | 404 => Ok(()),
            status => decode::<()>(status, &answer.body),
        }
    }

    /// The certificates linked to the user's ID number, each saying whether it can be chosen
    /// for `business`.
    pub async fn certificates(&self, business: BusinessCode) -> Result<Vec<Certificate>, ApiError> {
        self.get(&format!("/certificates?business={}", business.as_str())).await
    }

    pub async fn service_halls(&self) -> Result<Vec<ServiceHall>, ApiError> {
        self.get("/service-halls").await
    }

    pub async fn profile(&self) -> Result<Profile, ApiError> {
        self.get("/profile").await
    }

    /// The saved draft of a business, or `None` when there is none.
    pub async fn draft(&self, business: BusinessCode) -> Result<Option<Draft>, ApiError> {
        match self.get(&format!("/drafts/{}", business.as_str())).await {
            Err(ApiError::Server { status: 404, .. }) => Ok(None),
            other => other.map(Some),
        }
    }

    pub async fn drafts(&self) -> Result<Vec<DraftSummary>, ApiError> {
        self.get("/drafts").await
    }

    /// Saves the answers of one step; the server checks them and the order of the steps.
    pub async fn save_step(&self, business: BusinessCode, answers: &StepAnswers) -> Result<Draft, ApiError> {
        self.send("PUT", &format!("/drafts/{}", business.as_str()), answers).await
    }

    pub async fn delete_draft(&self, business: BusinessCode) -> Result<(), ApiError> {
        let answer = browser::send("DELETE", &self.endpoint(&format!("/drafts/{}", business.as_str())), None)
            .await
            .map_err(ApiError::from)?;
        match answer.status {
            204 | 404 => Ok(()),
            status => decode::<()>(status, &answer.body),
        }
    }

    /// Submits the checked draft; `key` is the same for every tap and retry, so the server
    /// makes one case.
    pub async fn submit(&self, submission: &Submission, key: &str) -> Result<CaseSummary, ApiError> {
        let body = serde_json::to_string(submission).expect("request bodies serialise");
        let answer = browser::send_with_headers("POST", &self.endpoint("/cases"), Some(&body), &[("Idempotency-Key", key)])
            .await
            .map_err(ApiError::from)?;
        decode(answer.status, &answer.body)
    }

    /// The driver's messages, the newest first.
    pub async fn messages(&self) -> Result<Vec<Message>, ApiError> {
        self.get("/messages").await
    }

    pub async fn unread_messages(&self) -> Result<UnreadCount, ApiError> {
        self.get("/messages/unread-count").await
    }

    /// Marks the messages up to `up_to` (the newest shown) as read.
    pub async fn mark_messages_read(&self, up_to: i64) -> Result<(), ApiError> {
        self.send("POST", "/messages/read", &MarkRead { up_to }).await
    }

    pub async fn settings(&self) -> Result<Settings, ApiError> {
        self.get("/settings").await
    }

    pub async fn save_settings(&self, settings: &Settings) -> Result<Settings, ApiError> {
        self.send("PUT", "/settings", settings).await
    }

    pub async fn cases(&self) -> Result<Vec<CaseSummary>, ApiError> {
        self.get("/cases").await
    }

    /// One of the user's cases with its timeline; opening it marks its change as seen.
    pub async fn case(&self, id: &str) -> Result<CaseDetail, ApiError> {
        self.get(&format!("/cases/{}", crate::routes::opaque(id))).await
    }

    pub async fn withdraw(&self, id: &str) -> Result<CaseDetail, ApiError> {
        let url = self.endpoint(&format!("/cases/{}/withdrawal", crate::routes::opaque(id)));
        let answer = browser::send("POST", &url, None).await.map_err(ApiError::from)?;
        decode(answer.status, &answer.body)
    }

    /// Sends the corrected answers of a returned case; `key` is the same for every tap and
    /// retry of this correction.
    pub async fn resubmit(&self, id: &str, resubmission: &Resubmission, key: &str) -> Result<CaseDetail, ApiError> {
        let body = serde_json::to_string(resubmission).expect("request bodies serialise");
        let url = self.endpoint(&format!("/cases/{}/resubmission", crate::routes::opaque(id)));
        let answer = browser::send_with_headers("POST", &url, Some(&body), &[("Idempotency-Key", key)])
            .await
            .map_err(ApiError::from)?;
        decode(answer.status, &answer.body)
    }

    /// Where a finished case's voucher (PDF) is downloaded.
    pub fn voucher_url(&self, id: &str) -> String {
        self.endpoint(&format!("/cases/{}/voucher", crate::routes::opaque(id)))
    }

    /// A finished case's voucher as a picture (PNG), for an `<img>`: the browser sends the
    /// session cookie with it, as with the photos.
    pub fn voucher_image_url(&self, id: &str) -> String {
        self.endpoint(&format!("/cases/{}/voucher.png", crate::routes::opaque(id)))
    }

    /// The public check of a voucher code: `None` when no voucher has it.
    pub async fn check_voucher(&self, code: &str) -> Result<Option<VoucherCheck>, ApiError> {
        match self.get(&format!("/vouchers/{}", crate::routes::opaque(code))).await {
            Err(ApiError::Server { status: 404, .. }) => Ok(None),
            other => other.map(Some),
        }
    }

    /// Where a stored upload's picture is served (for the thumbnail of a resumed draft).
    pub fn upload_image_url(&self, id: &str) -> String {
        self.endpoint(&format!("/uploads/{}/image", crate::routes::opaque(id)))
    }

    pub async fn businesses(&self) -> Result<Vec<BusinessSummary>, ApiError> {
        self.get("/businesses").await
    }

    pub async fn business(&self, code: BusinessCode) -> Result<BusinessDetail, ApiError> {
        self.get(&format!("/businesses/{}", code.as_str())).await
    }
}

/// Why an API call failed, each with a message that tells the user what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// No answer: the phone is offline or the server is down.
    Network,
    /// No answer in time: the link is too slow.
    Timeout,
    /// The server answered with its error body.
    Server { status: u16, body: ErrorBody },
    /// The server answered something that is not the contract (a proxy's error page, say).
    Unexpected { status: u16 },
}

impl From<FetchFailure> for ApiError {
    fn from(failure: FetchFailure) -> ApiError {
        match failure {
            FetchFailure::Network => ApiError::Network,
            FetchFailure::Timeout => ApiError::Timeout,
        }
    }
}

impl ApiError {
    pub fn message(&self) -> String {
        match self {
            // No button is named: the same words show in ErrorPanel (beside its 重试) and on
            // forms whose only button is 下一步, 提交 or 获取验证码.
            ApiError::Network => "网络连接失败，请检查手机网络（移动数据或无线网络）后再试一次。".into(),
            ApiError::Timeout => "网络较慢，请求超时。请到信号较好的地方再试一次。".into(),
            ApiError::Server { body, .. } => body.message.clone(),
            ApiError::Unexpected { status } => format!(
                "服务暂时不可用（错误代码 {status}），请稍后再试；如多次失败，请联系当地道路运输服务窗口。"
            ),
        }
    }

    /// What went wrong, without what to do about it: for a message shown while the app itself
    /// tries again, where no button is to be pressed.
    pub fn cause(&self) -> String {
        match self {
            ApiError::Network => "网络连接失败。".into(),
            ApiError::Timeout => "网络较慢，请求超时。".into(),
            ApiError::Server { body, .. } => body.message.clone(),
            ApiError::Unexpected { status } => format!("服务暂时不可用（错误代码 {status}）。"),
        }
    }

    /// The server's error code, when it answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Server { body, .. } => Some(&body.code),
            _ => None,
        }
    }

    /// The form field the server's refusal is about.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Server { body, .. } => body.field.as_deref(),
            _ => None,
        }
    }

    /// The case the server's refusal is about: for `duplicate_application` (409), the open
    /// application of the same certificate and business, to follow instead.
    pub fn case_id(&self) -> Option<&str> {
        match self {
            ApiError::Server { body, .. } => body.case_id.as_deref(),
            _ => None,
        }
    }

    /// The session ended or never was: the user must log in (again).
    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, ApiError::Server { status: 401, .. })
    }

    /// A failure of the link or the server, not of the request: worth retrying by itself. Not
    /// when the server said how long to wait (`retry_after_seconds`, e.g. 507 `storage_full`):
    /// a thousand phones retrying a full store within seconds only add to its trouble, so the
    /// driver reads the server's message and retries with the button when it says.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Network | ApiError::Timeout => true,
            ApiError::Server { status, body } => *status >= 500 && body.retry_after_seconds.is_none(),
            ApiError::Unexpected { status } => *status >= 500,
        }
    }

    /// Whether trying again may help (the retry button is shown then).
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Network | ApiError::Timeout => true,
            ApiError::Server { status, .. } | ApiError::Unexpected { status } => *status >= 500 || *status == 429,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ApiError {}

/// Turns an answer into the contract's type or the matching [`ApiError`].
pub fn decode<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        // An empty body is `null`, so that a 204 decodes into `()`.
        serde_json::from_str(if body.is_empty() { "null" } else { body }).map_err(|_| ApiError::Unexpected { status })
    } else {
        match serde_json::from_str::<ErrorBody>(body) {
            Ok(body) => Err(ApiError::Server { status, body }),
            Err(_) => Err(ApiError::Unexpected { status }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_built_in_one_place_without_double_slashes() {
        let api = ApiClient::new("https://a.example/api/v1/");
        assert_eq!(api.endpoint("/businesses"), "https://a.example/api/v1/businesses");
    }

    #[test]
    fn a_success_decodes_into_the_contract_type() {
        let list: Vec<BusinessSummary> =
            decode(200, r#"[{"code":"renewal","name":"从业资格证换发","description":"d"}]"#).unwrap();
        assert_eq!(list[0].code, BusinessCode::Renewal);
    }

    #[test]
    fn an_error_body_keeps_the_servers_chinese_message() {
        let err = decode::<Vec<BusinessSummary>>(404, r#"{"code":"not_found","message":"您要找的内容不存在"}"#)
            .unwrap_err();
        assert_eq!(err.message(), "您要找的内容不存在");
        assert!(!err.is_retryable());
    }

    #[test]
    fn a_server_fault_that_says_when_to_retry_is_not_retried_at_once() {
        let full = decode::<Vec<BusinessSummary>>(
            507,
            r#"{"code":"storage_full","message":"服务暂时无法保存照片","retry_after_seconds":300}"#,
        )
        .unwrap_err();
        assert!(!full.is_transient() && full.is_retryable(), "no automatic retry, the button stays");
        let busy = decode::<Vec<BusinessSummary>>(500, r#"{"code":"internal","message":"系统繁忙"}"#).unwrap_err();
        assert!(busy.is_transient());
    }

    #[test]
    fn a_proxy_page_or_a_garbled_body_is_unexpected_and_names_the_status() {
        let err = decode::<Vec<BusinessSummary>>(502, "<html>Bad Gateway</html>").unwrap_err();
        assert_eq!(err, ApiError::Unexpected { status: 502 });
        assert!(err.message().contains("502") && err.is_retryable());
        let err = decode::<Vec<BusinessSummary>>(200, "<html>").unwrap_err();
        assert_eq!(err, ApiError::Unexpected { status: 200 });
    }

    #[test]
    fn a_duplicate_application_names_the_open_case_to_follow() {
        let err = decode::<CaseSummary>(
            409,
            r#"{"code":"duplicate_application","message":"这张从业资格证已有一件换发申请正在办理","case_id":"TC20261125000001"}"#,
        )
        .unwrap_err();
        assert_eq!((err.code(), err.case_id()), (Some("duplicate_application"), Some("TC20261125000001")));
        assert_eq!(ApiError::Network.case_id(), None);
    }

    #[test]
    fn network_failures_say_to_check_the_network_and_retry() {
        assert!(ApiError::Network.message().contains("网络"));
        assert!(ApiError::Timeout.message().contains("超时"));
        assert!(ApiError::Network.is_retryable() && ApiError::Timeout.is_retryable());
    }

    #[test]
    fn the_app_s_own_messages_name_no_button_which_the_screen_may_not_show() {
        for error in [ApiError::Network, ApiError::Timeout, ApiError::Unexpected { status: 502 }] {
            let message = error.message();
            assert!(!message.contains('“') && !message.contains("重试") && !message.contains("点击"), "{message}");
            assert!(message.contains("再试"), "it still says to try again: {message}");
        }
    }
}
