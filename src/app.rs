//! The roots: context, router, layout and the route table's views, one per entry page. The
//! three apps share the one route table ([`crate::routes::Route`]); each mounts its own part
//! of it, and a link to another's page loads that page ([`pages::not_found::NotFoundPage`]).
//! The driver's entry also mounts the front's pages a signed-in driver goes back to (首页,
//! 我的/登录 and the agreements it links to): once his work has started, the tab bar and a
//! login asked for mid-way stay in the page, so what he chose in memory (the ID-card photos,
//! the materials) is still there when he comes back.

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use crate::{
    components::layout::{Layout, StaffLayout},
    pages, AppContext,
};

/// What both drivers' entries provide: the session and the counts on 我的办件 and 消息 (the tab bar).
fn provide_driver_context(context: &AppContext) {
    let session = crate::state::session::Session::new(context.me.clone());
    provide_context(session);
    provide_context(crate::state::care_mode::CareMode::new());
    provide_context(crate::state::case_badge::CaseBadge::new(context.api.clone(), session));
    provide_context(crate::state::message_badge::MessageBadge::new(context.api.clone(), session));
}

/// The front (`index.html`): the first screen and what a driver needs before signing in.
#[component]
pub fn FrontApp(context: AppContext) -> impl IntoView {
    let base = context.base.clone();
    provide_driver_context(&context);
    provide_context(pages::login::LoginDraft::new());
    provide_context(context);
    view! {
        <Router base>
            <Layout>
                <Routes fallback=pages::not_found::NotFoundPage>
                    <Route path=path!("/") view=pages::home::HomePage />
                    <Route path=path!("/login") view=pages::login::LoginPage />
                    <Route path=path!("/login/wechat") view=pages::login::WechatReturnPage />
                    <Route path=path!("/agreement/user") view=pages::agreement::UserAgreementPage />
                    <Route path=path!("/agreement/privacy") view=pages::agreement::PrivacyPolicyPage />
                </Routes>
            </Layout>
        </Router>
    }
}

/// The driver's work once signed in (`driver/index.html`).
#[component]
pub fn DriverApp(context: AppContext) -> impl IntoView {
    let base = context.base.clone();
    provide_driver_context(&context);
    provide_context(pages::realname::RealNameDraft::new());
    let uploads = crate::components::uploader::Uploads::new(context.api.clone());
    provide_context(uploads);
    provide_context(crate::state::wizard::Wizard::new(uploads));
    provide_context(pages::apply::LastSubmitted(RwSignal::new(None)));
    provide_context(pages::login::LoginDraft::new());
    provide_context(context);
    view! {
        <Router base>
            <Layout>
                <Routes fallback=pages::not_found::NotFoundPage>
                    <Route path=path!("/") view=pages::home::HomePage />
                    <Route path=path!("/login") view=pages::login::LoginPage />
                    <Route path=path!("/login/wechat") view=pages::login::WechatReturnPage />
                    <Route path=path!("/agreement/user") view=pages::agreement::UserAgreementPage />
                    <Route path=path!("/agreement/privacy") view=pages::agreement::PrivacyPolicyPage />
                    <Route path=path!("/realname") view=pages::realname::RealNamePage />
                    <Route path=path!("/apply/:business") view=pages::apply::ApplyPage />
                    <Route path=path!("/apply/:business/:step") view=pages::apply::ApplyPage />
                    <Route path=path!("/cases") view=pages::cases::MyCasesPage />
                    <Route path=path!("/cases/:id") view=pages::case_detail::CaseDetailPage />
                    <Route path=path!("/cases/:id/correction") view=pages::correction::CorrectionPage />
                    <Route path=path!("/cases/:id/voucher") view=pages::case_voucher::CaseVoucherPage />
                    <Route path=path!("/messages") view=pages::messages::MessagesPage />
                    <Route path=path!("/verify/:code") view=pages::verify::VerifyPage />
                </Routes>
            </Layout>
        </Router>
    }
}

/// The clerks' console (`staff/index.html`), under `/staff`.
#[component]
pub fn StaffApp(context: AppContext) -> impl IntoView {
    let base = context.base.clone();
    provide_context(crate::state::staff_session::StaffSession::new());
    provide_context(context);
    view! {
        <Router base>
            <StaffLayout>
                <Routes fallback=pages::not_found::NotFoundPage>
                    <Route path=path!("/staff") view=pages::staff::StaffPage />
                    <Route path=path!("/staff/realname") view=pages::staff::realname::RealNameQueuePage />
                    <Route path=path!("/staff/realname/:id") view=pages::staff::realname::RealNameReviewPage />
                    <Route path=path!("/staff/cases") view=pages::staff::cases::CaseQueuePage />
                    <Route path=path!("/staff/cases/:id") view=pages::staff::cases::StaffCasePage />
                    <Route path=path!("/staff/account-moves") view=pages::staff::moves::AccountMoveQueuePage />
                    <Route path=path!("/staff/account-moves/:id") view=pages::staff::moves::AccountMoveReviewPage />
                    <Route path=path!("/staff/accounts") view=pages::staff::accounts::StaffAccountsPage />
                    <Route path=path!("/staff/report") view=pages::staff::report::StaffReportPage />
                </Routes>
            </StaffLayout>
        </Router>
    }
}
