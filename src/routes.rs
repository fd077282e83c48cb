//! The one route table: every page of the app, the path it lives at, and the only place
//! that builds those paths. Paths are relative to the router's base (the folder the app is
//! hosted in), which the router adds.

use taxicert_api::BusinessCode;

/// The steps of the business wizard after its notice, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WizardStep {
    /// 须知: read the notice, 同意并确认.
    Notice,
    /// 选择从业资格证
    Certificate,
    /// 填写申请信息: each business's own form.
    PersonalInfo,
    /// 上传申请材料
    Materials,
    /// 核对信息
    Review,
    /// 提交成功
    Submitted,
}

impl WizardStep {
    pub const ALL: [WizardStep; 6] = [
        WizardStep::Notice,
        WizardStep::Certificate,
        WizardStep::PersonalInfo,
        WizardStep::Materials,
        WizardStep::Review,
        WizardStep::Submitted,
    ];

    /// The path segment after `/apply/{business}`; the notice has none.
    pub fn segment(self) -> Option<&'static str> {
        match self {
            WizardStep::Notice => None,
            WizardStep::Certificate => Some("certificate"),
            WizardStep::PersonalInfo => Some("info"),
            WizardStep::Materials => Some("materials"),
            WizardStep::Review => Some("review"),
            WizardStep::Submitted => Some("submitted"),
        }
    }

    pub fn from_segment(segment: &str) -> Option<WizardStep> {
        WizardStep::ALL.into_iter().find(|s| s.segment() == Some(segment))
    }

    pub fn title(self) -> &'static str {
        match self {
            WizardStep::Notice => "业务须知",
            WizardStep::Certificate => "选择从业资格证",
            WizardStep::PersonalInfo => "填写申请信息",
            WizardStep::Materials => "上传申请材料",
            WizardStep::Review => "核对信息",
            WizardStep::Submitted => "提交成功",
        }
    }

    /// 1-based, for 第 n 步 / 共 6 步.
    pub fn number(self) -> usize {
        WizardStep::ALL.iter().position(|s| *s == self).expect("every step is listed") + 1
    }

    pub fn next(self) -> Option<WizardStep> {
        WizardStep::ALL.get(self.number()).copied()
    }
}

/// Every page of the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// 首页: the service list.
    Home,
    Login,
    /// Where WeChat's authorization page sends the browser back (`?code&state`): 微信登录
    /// finishes there. The server names this path as its `redirect_uri` (wechat.rs).
    WechatReturn,
    UserAgreement,
    PrivacyPolicy,
    RealName,
    Apply(BusinessCode, WizardStep),
    MyCases,
    Case(String),
    /// 补正: the fields and materials a clerk sent back.
    CaseCorrection(String),
    /// 查看凭证: a finished case's voucher as a picture to save, and its PDF.
    CaseVoucher(String),
    /// The staff console: its sign-in, then the queues.
    Staff,
    StaffRealNameQueue,
    StaffRealName(i64),
    StaffCases,
    StaffCase(String),
    /// 账户转移: the drivers who lost their old number, waiting for a clerk.
    StaffAccountMoves,
    StaffAccountMove(i64),
    /// 账号管理: the staff accounts, for an admin.
    StaffAccounts,
    /// 工作统计: each staff member's decisions in a period.
    StaffReport,
    VerifyVoucher(String),
    /// 消息: the news of the driver's cases and the 换发 reminders.
    Messages,
}

/// The first path segments the app owns. `index.html`'s boot script strips the path from the
/// first of these on to find the folder the app is hosted in; a test keeps the two lists equal.
pub const TOP_SEGMENTS: [&str; 8] = ["login", "agreement", "realname", "apply", "cases", "messages", "staff", "verify"];

impl Route {
    pub fn path(&self) -> String {
        match self {
            Route::Home => "/".into(),
            Route::Login => "/login".into(),
            Route::WechatReturn => "/login/wechat".into(),
            Route::UserAgreement => "/agreement/user".into(),
            Route::PrivacyPolicy => "/agreement/privacy".into(),
            Route::RealName => "/realname".into(),
            Route::Apply(business, step) => match step.segment() {
                None => format!("/apply/{}", business.as_str()),
                Some(segment) => format!("/apply/{}/{segment}", business.as_str()),
            },
            Route::MyCases => "/cases".into(),
            Route::Case(id) => format!("/cases/{}", opaque(id)),
            Route::CaseCorrection(id) => format!("/cases/{}/correction", opaque(id)),
            Route::CaseVoucher(id) => format!("/cases/{}/voucher", opaque(id)),
            Route::Staff => "/staff".into(),
            Route::StaffRealNameQueue => "/staff/realname".into(),
            Route::StaffRealName(id) => format!("/staff/realname/{id}"),
            Route::StaffCases => "/staff/cases".into(),
            Route::StaffCase(id) => format!("/staff/cases/{}", opaque(id)),
            Route::StaffAccountMoves => "/staff/account-moves".into(),
            Route::StaffAccountMove(id) => format!("/staff/account-moves/{id}"),
            Route::StaffAccounts => "/staff/accounts".into(),
            Route::StaffReport => "/staff/report".into(),
            Route::VerifyVoucher(code) => format!("/verify/{}", opaque(code)),
            Route::Messages => "/messages".into(),
        }
    }

    /// The entry whose page holds the route (see [`taxicert_api::ENTRY_PAGES`]).
    pub fn entry(&self) -> crate::Entry {
        match self {
            Route::Home | Route::Login | Route::WechatReturn | Route::UserAgreement | Route::PrivacyPolicy => crate::Entry::Front,
            Route::RealName
            | Route::Apply(..)
            | Route::MyCases
            | Route::Case(_)
            | Route::CaseCorrection(_)
            | Route::CaseVoucher(_)
            | Route::Messages
            | Route::VerifyVoucher(_) => crate::Entry::Driver,
            Route::Staff
            | Route::StaffRealNameQueue
            | Route::StaffRealName(_)
            | Route::StaffCases
            | Route::StaffCase(_)
            | Route::StaffAccountMoves
            | Route::StaffAccountMove(_)
            | Route::StaffAccounts
            | Route::StaffReport => crate::Entry::Staff,
        }
    }

    /// The link to the route for an app hosted at `base` (`""` at the root, else e.g.
    /// `/taxicert`): the router strips the base when matching but does not add it to links.
    pub fn href(&self, base: &str) -> String {
        format!("{}{}", base.trim_end_matches('/'), self.path())
    }

    /// A step of the application's form (选择从业资格证 to 核对信息): the tab bar goes while the
    /// driver fills it in, so that nothing fixed covers the field an error sends him to and no
    /// tab draws him away mid-way (the header still leads home, and the answers are kept).
    pub fn is_form_step(&self) -> bool {
        matches!(
            self,
            Route::Apply(_, WizardStep::Certificate | WizardStep::PersonalInfo | WizardStep::Materials | WizardStep::Review)
        )
    }

    /// The route a path names, or `None` for the 404 page. The inverse of [`Route::path`].
    pub fn parse(path: &str) -> Option<Route> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
        Some(match segments.as_slice() {
            [] => Route::Home,
            ["login"] => Route::Login,
            ["login", "wechat"] => Route::WechatReturn,
            ["agreement", "user"] => Route::UserAgreement,
            ["agreement", "privacy"] => Route::PrivacyPolicy,
            ["realname"] => Route::RealName,
            ["apply", business] => Route::Apply(BusinessCode::parse(business)?, WizardStep::Notice),
            ["apply", business, step] => Route::Apply(BusinessCode::parse(business)?, WizardStep::from_segment(step)?),
            ["cases"] => Route::MyCases,
            ["cases", id] => Route::Case(decode_segment(id)?),
            ["cases", id, "correction"] => Route::CaseCorrection(decode_segment(id)?),
            ["cases", id, "voucher"] => Route::CaseVoucher(decode_segment(id)?),
            ["staff"] => Route::Staff,
            ["staff", "realname"] => Route::StaffRealNameQueue,
            ["staff", "realname", id] => Route::StaffRealName(id.parse().ok().filter(|n: &i64| *n > 0)?),
            ["staff", "cases"] => Route::StaffCases,
            ["staff", "cases", id] => Route::StaffCase(decode_segment(id)?),
            ["staff", "account-moves"] => Route::StaffAccountMoves,
            ["staff", "account-moves", id] => Route::StaffAccountMove(id.parse().ok().filter(|n: &i64| *n > 0)?),
            ["staff", "accounts"] => Route::StaffAccounts,
            ["staff", "report"] => Route::StaffReport,
            ["verify", code] => Route::VerifyVoucher(decode_segment(code)?),
            ["messages"] => Route::Messages,
            _ => return None,
        })
    }
}

/// Case ids and voucher codes are opaque; anything outside `[A-Za-z0-9_-]` is refused rather
/// than escaped, so that no path ever carries free text.
pub fn opaque(segment: &str) -> String {
    segment.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

fn decode_segment(segment: &str) -> Option<String> {
    let valid = !segment.is_empty()
        && segment.len() <= 64
        && segment.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then(|| segment.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tab_bar_goes_in_the_form_steps_only() {
        let form = |step| Route::Apply(BusinessCode::Renewal, step).is_form_step();
        assert!(!form(WizardStep::Notice), "the notice keeps it: nothing to fill in yet");
        assert!(form(WizardStep::Certificate) && form(WizardStep::PersonalInfo) && form(WizardStep::Materials));
        assert!(form(WizardStep::Review));
        assert!(!form(WizardStep::Submitted), "提交成功 leads on to 我的办件");
        assert!(!Route::Home.is_form_step() && !Route::MyCases.is_form_step());
    }

    fn every_route() -> Vec<Route> {
        let mut routes = vec![
            Route::Home,
            Route::Login,
            Route::WechatReturn,
            Route::UserAgreement,
            Route::PrivacyPolicy,
            Route::RealName,
            Route::MyCases,
            Route::Case("TC-2026-000042".into()),
            Route::CaseCorrection("TC20261125000001".into()),
            Route::CaseVoucher("TC20261125000001".into()),
            Route::Staff,
            Route::StaffRealNameQueue,
            Route::StaffRealName(7),
            Route::StaffCases,
            Route::StaffCase("TC20261125000001".into()),
            Route::StaffAccountMoves,
            Route::StaffAccountMove(3),
            Route::StaffAccounts,
            Route::StaffReport,
            Route::VerifyVoucher("V8K2M4Q9".into()),
            Route::Messages,
        ];
        for business in BusinessCode::ALL {
            for step in WizardStep::ALL {
                routes.push(Route::Apply(business, step));
            }
        }
        routes
    }

    #[test]
    fn every_route_parses_back_from_its_path() {
        for route in every_route() {
            assert_eq!(Route::parse(&route.path()), Some(route.clone()), "{}", route.path());
        }
    }

    #[test]
    fn every_non_home_path_starts_with_a_top_segment() {
        for route in every_route().into_iter().filter(|r| *r != Route::Home) {
            let path = route.path();
            let first = path.trim_start_matches('/').split('/').next().unwrap();
            assert!(TOP_SEGMENTS.contains(&first), "{path}");
        }
    }

    #[test]
    fn the_boot_script_knows_the_same_top_segments() {
        let index = include_str!("../index.html");
        let line = index.lines().find(|l| l.contains("var known")).expect("the boot script's list");
        for segment in TOP_SEGMENTS {
            assert!(line.contains(&format!("\"{segment}\"")), "index.html lacks {segment}");
        }
        assert_eq!(line.matches('"').count(), TOP_SEGMENTS.len() * 2, "index.html has extra segments: {line}");
    }

    #[test]
    fn each_route_is_answered_with_the_page_of_its_entry() {
        // The server and a CDN choose the page by the contract's list; the route table must agree.
        for route in every_route() {
            assert_eq!(taxicert_api::entry_page(&route.path()), route.entry().page(), "{}", route.path());
        }
        assert_eq!(taxicert_api::entry_page("/no/such/page"), "index.html");
    }

    #[test]
    fn links_carry_the_folder_the_app_is_hosted_in() {
        assert_eq!(Route::Home.href(""), "/");
        assert_eq!(Route::Home.href("/taxicert"), "/taxicert/");
        assert_eq!(Route::MyCases.href("/taxicert/"), "/taxicert/cases");
        assert_eq!(Route::Apply(BusinessCode::Renewal, WizardStep::Notice).href("/a/b"), "/a/b/apply/renewal");
    }

    #[test]
    fn unknown_paths_are_the_404_page() {
        for path in [
            "/nope",
            "/apply",
            "/apply/renew",
            "/apply/renewal/pay",
            "/cases/a/b",
            "/verify/<x>",
            "/agreement",
            "/staff/realname/0",
            "/staff/realname/x",
            "/staff/account-moves/0",
            "/staff/account-moves/x",
        ] {
            assert_eq!(Route::parse(path), None, "{path}");
        }
    }

    #[test]
    fn wizard_steps_count_from_one_to_six_and_chain() {
        assert_eq!(WizardStep::Notice.number(), 1);
        assert_eq!(WizardStep::PersonalInfo.number(), 3);
        assert_eq!(WizardStep::Submitted.number(), 6);
        assert_eq!(WizardStep::Review.next(), Some(WizardStep::Submitted));
        assert_eq!(WizardStep::Submitted.next(), None);
    }

    #[test]
    fn opaque_ids_never_carry_other_characters_into_a_path() {
        assert_eq!(Route::Case("../../etc?x=1".into()).path(), "/cases/etcx1");
    }
}
