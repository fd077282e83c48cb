//! The JSON bodies of the taxicert REST contract (`openapi.yaml`).
//!
//! The SPA deserialises these and the reference server serialises them, so the two
//! cannot drift apart; the server also derives the OpenAPI schemas from them.

pub mod account;
pub mod cases;
pub mod divisions;
pub mod domain;
pub mod messages;
pub mod wizard;

pub use account::*;
pub use cases::*;
pub use messages::*;
pub use wizard::*;

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The path under which every endpoint of the contract lives, relative to the API origin.
pub const API_PREFIX: &str = "/api/v1";

/// The app's three entry pages, each its own HTML page and wasm under `dist/`, so that the
/// first screen downloads only what it shows: the front (首页, 登录, the agreements), the
/// driver's work (实名认证, the business wizard, 我的办件, 消息; and 凭证查验, whose voucher
/// reading alone is ~9 KB of brotli that no driver's first screen needs), and the clerks'
/// console. A page of the app (a path without a file extension, relative to the folder the
/// app is hosted in) is answered with the entry that holds it: the reference server does this,
/// a CDN is set up to (README, Hosting the app on a CDN), and the app loads the other entry's
/// page when a link leads there.
pub const ENTRY_PAGES: [(&[&str], &str); 3] =
    [(&["realname", "apply", "cases", "messages", "verify"], "driver/index.html"), (&["staff"], "staff/index.html"), (&[], "index.html")];

/// The entry page (relative to `dist/`) that answers the app's page at `path` (relative to
/// the folder the app is hosted in, e.g. `/apply/renewal`): by its first segment, see
/// [`ENTRY_PAGES`]; anything else is the front, `index.html`.
pub fn entry_page(path: &str) -> &'static str {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    ENTRY_PAGES.iter().find(|(segments, _)| segments.contains(&first)).map_or("index.html", |(_, page)| page)
}

/// The body of every error answer: a stable machine-readable code and a Chinese
/// sentence that tells the user what went wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    /// Stable identifier, e.g. `not_found`, `internal`.
    #[cfg_attr(feature = "openapi", schema(example = "not_found"))]
    pub code: String,
    /// A message in Simplified Chinese that a user can act on.
    #[cfg_attr(feature = "openapi", schema(example = "您要找的内容不存在，请返回首页重新选择。"))]
    pub message: String,
    /// When trying again makes sense only later: the seconds to wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
    /// For a wrong SMS code: how many more tries the code allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tries_left: Option<u32>,
    /// The form field the error is about, when it is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The case the error is about (`duplicate_application`: the open case to follow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
}

impl ErrorBody {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            code: code.into(),
            message: message.into(),
            retry_after_seconds: None,
            tries_left: None,
            field: None,
            case_id: None,
        }
    }
}

/// Asks for an SMS login code for a phone number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SmsCodeRequest {
    /// 11 digits, e.g. `13812345678` (spaces, hyphens and a leading `+86` are allowed, as
    /// `PhoneNumber::parse` reads it).
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[ -]*(\+?[ -]*8[ -]*6[ -]*)?1[ -]*[3-9]([ -]*[0-9]){9}[ -]*$"))]
    pub phone: String,
}

/// A code was sent (the answer is the same whether or not the number has an account).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SmsCodeSent {
    /// Seconds until another code may be asked for (the 获取验证码 countdown).
    pub resend_after_seconds: u64,
    /// Seconds the code stays valid.
    pub expires_in_seconds: u64,
}

/// Signs in with the phone number and the code it received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoginRequest {
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[ -]*(\+?[ -]*8[ -]*6[ -]*)?1[ -]*[3-9]([ -]*[0-9]){9}[ -]*$"))]
    pub phone: String,
    /// The 6 digits of the SMS.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\s*[0-9]{6}\s*$"))]
    pub code: String,
    /// Also bind the WeChat identity this browser authorized (微信登录, first use) to the
    /// number's account.
    #[serde(default)]
    pub bind_wechat: bool,
}

/// Where the user stands with real-name verification (实名认证).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RealNameStatus {
    /// Not submitted yet.
    None,
    /// Submitted, waiting for a decision.
    Pending,
    Approved,
    /// Refused, with a reason; the user may submit again.
    Rejected,
}

/// The signed-in user, as the user may see himself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    /// `138****5678`
    pub phone_masked: String,
    pub realname_status: RealNameStatus,
    /// Seconds of inactivity after which the session ends.
    pub idle_timeout_seconds: u64,
    /// The WeChat bound to the account (微信登录), or `null`.
    #[serde(default)]
    pub wechat: Option<WechatIdentity>,
}

/// The WeChat a driver signs in with, as WeChat named it at his last sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WechatIdentity {
    /// The WeChat nickname.
    pub nickname: String,
    /// Whether `GET /account/wechat/avatar` has the avatar (our own copy).
    pub has_avatar: bool,
}

/// Who is signed in on this browser: always answered, `me` is `null` without a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionInfo {
    pub me: Option<Me>,
    /// Whether this server offers 微信登录 (the app offers it inside WeChat only).
    #[serde(default)]
    pub wechat_login: bool,
    /// Where the phone gets its carrier token for 本机号码一键登录 (`GET`, over mobile data,
    /// answering `{"token"}`), when the server has a number-verification gateway; else `null`.
    #[serde(default)]
    pub number_token_url: Option<String>,
}

/// 本机号码一键登录: the carrier's token for the SIM's number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NumberLoginRequest {
    /// What `number_token_url` answered, as is.
    pub token: String,
    /// Also bind the WeChat this browser authorized (微信登录, first use), as with the SMS code.
    #[serde(default)]
    pub bind_wechat: bool,
}

/// What the carrier's token address answers (`number_token_url`): not this API's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberToken {
    pub token: String,
}

/// Where to send the browser to authorize with WeChat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WechatAuthorize {
    /// WeChat's authorization page (`…/connect/oauth2/authorize?…#wechat_redirect`).
    pub url: String,
}

/// What WeChat's authorization page sent the browser back with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WechatReturn {
    /// WeChat's one-time `code`.
    pub code: String,
    /// The `state` this server gave, checked against the browser's.
    pub state: String,
}

/// The outcome of 微信登录: signed in (`me`), or, the first time, a phone number to bind
/// (`me` is `null`; log in with the SMS code and `bind_wechat: true` within 15 minutes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WechatSignIn {
    pub me: Option<Me>,
    /// The WeChat nickname, to greet the driver while he binds his number.
    pub nickname: String,
}

/// The SMS messages the dev sender would have sent (dev mode only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OutboxMessage {
    pub phone: String,
    pub code: String,
    /// Unix seconds.
    pub sent_at: i64,
}

/// The answer of the health endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    /// `ok` when the server, its database and its photo store answer; `degraded` when the
    /// database answers but the photo store cannot be written (uploads are refused with 503 or
    /// 507 until it can).
    pub status: String,
    /// The server's version.
    pub version: String,
    /// `ok` when a query against the database succeeded.
    pub database: String,
    /// `ok` when a small object was written to the photo store and deleted (probed at most
    /// every 5 seconds); `full` (no space left or quota reached) or `unavailable`.
    pub storage: String,
    /// Why the status is `degraded`, for the operator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The five businesses of the taxi driver's certificate, by their stable codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BusinessCode {
    /// 补发
    Reissue,
    /// 换发
    Renewal,
    /// 变更
    Change,
    /// 注销
    Cancellation,
    /// 服务质量信誉考核
    CreditAssessment,
}

impl BusinessCode {
    pub const ALL: [BusinessCode; 5] = [
        BusinessCode::Reissue,
        BusinessCode::Renewal,
        BusinessCode::Change,
        BusinessCode::Cancellation,
        BusinessCode::CreditAssessment,
    ];

    /// The code as it appears in URLs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            BusinessCode::Reissue => "reissue",
            BusinessCode::Renewal => "renewal",
            BusinessCode::Change => "change",
            BusinessCode::Cancellation => "cancellation",
            BusinessCode::CreditAssessment => "credit_assessment",
        }
    }

    /// The business in a word, as clerks name it and as messages use it: `补发`, `换发`, `变更`,
    /// `注销`, `服务质量信誉考核`.
    pub fn short_name(self) -> &'static str {
        match self {
            BusinessCode::Reissue => "补发",
            BusinessCode::Renewal => "换发",
            BusinessCode::Change => "变更",
            BusinessCode::Cancellation => "注销",
            BusinessCode::CreditAssessment => "服务质量信誉考核",
        }
    }

    /// The name on the service list, e.g. `从业资格证换发`, as the catalogue ships it
    /// (`server/migrations/0001_catalogue.sql`).
    pub fn name(self) -> &'static str {
        match self {
            BusinessCode::Reissue => "从业资格证补发",
            BusinessCode::Renewal => "从业资格证换发",
            BusinessCode::Change => "从业资格证变更",
            BusinessCode::Cancellation => "从业资格证注销",
            BusinessCode::CreditAssessment => "服务质量信誉考核",
        }
    }

    /// When to choose the business, as the catalogue ships it (migrations 0001 and 0008).
    pub fn description(self) -> &'static str {
        match self {
            BusinessCode::Reissue => "从业资格证遗失或损毁的，申请补发新证。",
            BusinessCode::Renewal => "从业资格证有效期即将届满的，申请换发新证。",
            BusinessCode::Change => "从业资格证记载的住址、联系电话、准驾车型或服务单位发生变化的，申请变更。",
            BusinessCode::Cancellation => "不再从事出租汽车客运服务的，申请注销从业资格证。",
            BusinessCode::CreditAssessment => "按考核周期申请出租汽车驾驶员服务质量信誉考核并查看结果。",
        }
    }

    /// Parses the code used in URLs; `None` for anything else.
    pub fn parse(code: &str) -> Option<BusinessCode> {
        BusinessCode::ALL.into_iter().find(|b| b.as_str() == code)
    }
}

/// One line of the service list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BusinessSummary {
    pub code: BusinessCode,
    /// The name a driver knows, e.g. `从业资格证换发`.
    pub name: String,
    /// One line saying when to choose this business.
    pub description: String,
}

impl BusinessSummary {
    /// The service list as the catalogue ships it. The app shows it at once, before the
    /// server's list arrives, and `index.html` paints the same before the app runs; the server
    /// starts with the same list (a test keeps all three equal).
    pub fn shipped() -> Vec<BusinessSummary> {
        BusinessCode::ALL
            .into_iter()
            .map(|code| BusinessSummary { code, name: code.name().into(), description: code.description().into() })
            .collect()
    }
}

/// A document the applicant uploads for a business.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Material {
    /// Stable identifier, e.g. `photo_2inch`.
    pub code: String,
    /// The title shown above the uploader.
    pub name: String,
    /// What a good photo of it looks like.
    pub hint: String,
    /// Whether the application can be submitted without it.
    pub required: bool,
    /// What the phone checks before sending a photo of it.
    pub photo: PhotoRules,
    /// A drawn example of a good photo, relative to the app's base URL.
    pub sample: String,
    /// When the material is asked for only with some answers (a damaged certificate for
    /// 补发 because of 损毁, a driving licence for a 变更 of 准驾车型); `null` when always.
    #[serde(default)]
    pub condition: Option<MaterialCondition>,
}

/// The answer of the application form that makes a material apply, tagged by `when`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "when", rename_all = "snake_case")]
pub enum MaterialCondition {
    /// 补发 for this reason.
    ReissueReason { reason: ReissueReason },
    /// A 变更 of this item.
    Change { item: ChangeItem },
}

impl MaterialCondition {
    /// Whether the form's answers make the material apply.
    pub fn holds(&self, details: &BusinessDetails) -> bool {
        match (self, details) {
            (MaterialCondition::ReissueReason { reason }, BusinessDetails::Reissue { reason: chosen, .. }) => {
                reason == chosen
            }
            (MaterialCondition::Change { item }, BusinessDetails::Change { changes, .. }) => {
                changes.iter().any(|c| c.item() == *item)
            }
            _ => false,
        }
    }

    /// The catalogue's spelling: `reissue_reason=damaged`, `change=licence_class`.
    pub fn as_code(&self) -> String {
        match self {
            MaterialCondition::ReissueReason { reason } => {
                format!("reissue_reason={}", reason.as_str())
            }
            MaterialCondition::Change { item } => format!("change={}", item.as_str()),
        }
    }

    pub fn parse_code(code: &str) -> Option<MaterialCondition> {
        let (what, value) = code.split_once('=')?;
        match what {
            "reissue_reason" => ReissueReason::ALL
                .into_iter()
                .find(|r| r.as_str() == value)
                .map(|reason| MaterialCondition::ReissueReason { reason }),
            "change" => ChangeItem::parse(value).map(|item| MaterialCondition::Change { item }),
            _ => None,
        }
    }
}

impl Material {
    /// Whether the material is asked for with these answers (`None`: not known yet — every
    /// material without a condition).
    pub fn applies(&self, details: Option<&BusinessDetails>) -> bool {
        match (&self.condition, details) {
            (None, _) => true,
            (Some(condition), Some(details)) => condition.holds(details),
            (Some(_), None) => false,
        }
    }
}

/// Whether a material is a 2-inch portrait photo or a photographed document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MaterialKind {
    /// 二寸证件照: portrait at about 35:49, in colour, on a plain light background.
    Portrait,
    /// A page or card, photographed: only a minimum resolution.
    Document,
}

/// The per-material rules of the photo check, from the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PhotoRules {
    pub kind: MaterialKind,
    /// The smallest width, in pixels, after the photo is turned upright. For documents the
    /// two minimums apply to the long and the short side, whichever way the page lies.
    pub min_width: u32,
    pub min_height: u32,
}

impl PhotoRules {
    /// Rules for a photographed document of at least `long` × `short` pixels.
    pub const fn document(long: u32, short: u32) -> PhotoRules {
        PhotoRules { kind: MaterialKind::Document, min_width: long, min_height: short }
    }

    /// A side of the resident ID card, for the real-name check: small print, read by OCR.
    pub const ID_CARD: PhotoRules = PhotoRules::document(800, 500);
}

/// Advice from the photo's quality checks (blur, light, glare, the 2-inch photo's shape,
/// colour and background): the photo may still be used. The phone shows it before upload, the
/// server measures it again and keeps it with the upload, and the clerk sees it beside the photo.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PhotoWarning {
    /// Stable: `blurry`, `too_dark`, `too_bright`, `glare`, `portrait_shape`,
    /// `portrait_not_colour`, `portrait_background`.
    pub code: String,
    /// What is wrong and how to fix it, in Chinese, worded for the material's kind.
    pub message: String,
}

/// What the server answers for a stored upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UploadReceipt {
    /// The upload's id, to name it in an application.
    pub id: String,
    /// The material it was uploaded for.
    pub material: String,
    /// Size of the stored JPEG, after the server re-encoded it.
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    /// What the server's own quality checks advise about the stored photo (empty when none).
    #[serde(default)]
    pub warnings: Vec<PhotoWarning>,
}

/// A business with everything the wizard needs: its notice and its materials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BusinessDetail {
    pub code: BusinessCode,
    pub name: String,
    pub description: String,
    /// The notice (须知), one paragraph per element, read before applying.
    pub notice: Vec<String>,
    /// The materials, in the order they are asked for.
    pub materials: Vec<Material>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_card_field_is_named_once_in_form_order() {
        let mut fields = IdCardFields::default();
        for name in IdCardFields::NAMES {
            *fields.field_mut(name).unwrap() = format!("{name}!");
        }
        let named: Vec<(&str, String)> = fields.named().iter().map(|(n, v)| (*n, v.to_string())).collect();
        let expected: Vec<(&str, String)> = IdCardFields::NAMES.iter().map(|n| (*n, format!("{n}!"))).collect();
        assert_eq!(named, expected);
        assert!(fields.field_mut("photo").is_none());
        let json = serde_json::to_value(&fields).unwrap();
        assert_eq!(json.as_object().unwrap().len(), IdCardFields::NAMES.len(), "the JSON names are the field names");
    }

    #[test]
    fn business_codes_round_trip_through_urls_and_json() {
        for code in BusinessCode::ALL {
            assert_eq!(BusinessCode::parse(code.as_str()), Some(code));
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
        assert_eq!(BusinessCode::parse("renew"), None);
        assert_eq!(BusinessCode::parse(""), None);
    }
}

/// The fields of a resident identity card, as read from its photos or typed by the user.
/// An empty string is a field not read. Dates are `YYYY-MM-DD`; `valid_until` may be `长期`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IdCardFields {
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: String,
    pub address: String,
    pub id_number: String,
    pub authority: String,
    pub valid_from: String,
    pub valid_until: String,
}

impl IdCardFields {
    /// The JSON names of the fields, in the order of the form.
    pub const NAMES: [&'static str; 9] =
        ["name", "gender", "ethnicity", "birth_date", "address", "id_number", "authority", "valid_from", "valid_until"];

    /// The field with this JSON name, to edit; `None` for a name that is not a field.
    pub fn field_mut(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "name" => &mut self.name,
            "gender" => &mut self.gender,
            "ethnicity" => &mut self.ethnicity,
            "birth_date" => &mut self.birth_date,
            "address" => &mut self.address,
            "id_number" => &mut self.id_number,
            "authority" => &mut self.authority,
            "valid_from" => &mut self.valid_from,
            "valid_until" => &mut self.valid_until,
            _ => return None,
        })
    }

    /// Every field by its JSON name, in the order of the form.
    pub fn named(&self) -> [(&'static str, &str); 9] {
        [
            ("name", &self.name),
            ("gender", &self.gender),
            ("ethnicity", &self.ethnicity),
            ("birth_date", &self.birth_date),
            ("address", &self.address),
            ("id_number", &self.id_number),
            ("authority", &self.authority),
            ("valid_from", &self.valid_from),
            ("valid_until", &self.valid_until),
        ]
    }
}

/// What the server read from the two photos, for the owner to confirm (the full ID number
/// is shown here and nowhere else).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IdCardRead {
    pub fields: IdCardFields,
    /// The fields the reader could not read: the user types them.
    pub unread: Vec<String>,
}

/// The confirmed fields, and which of them the user typed or changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RealNameSubmission {
    pub fields: IdCardFields,
    pub typed: Vec<String>,
}

/// Where the user's real-name verification stands, masked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RealNameState {
    pub status: RealNameStatus,
    /// `1501**********123X`, once submitted.
    pub id_number_masked: Option<String>,
    /// `王*国`, once submitted.
    pub name_masked: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
}
