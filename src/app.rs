//! The root: context, router, layout and the route table's views.

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use crate::{components::layout::Layout, pages, AppContext};

#[component]
pub fn App(context: AppContext) -> impl IntoView {
    let base = context.base.clone();
    let session = crate::session::Session::new(context.me.clone());
    provide_context(session);
    provide_context(crate::case_badge::CaseBadge::new(context.api.clone(), session));
    provide_context(crate::staff_session::StaffSession::new());
    provide_context(pages::login::LoginDraft::new());
    provide_context(pages::realname::RealNameDraft::new());
    let uploads = crate::components::uploader::Uploads::new(context.api.clone());
    provide_context(uploads);
    provide_context(crate::wizard::Wizard::new(uploads));
    provide_context(pages::apply::LastSubmitted(RwSignal::new(None)));
    provide_context(context);
    view! {
        <Router base>
            <Layout>
                <Routes fallback=pages::not_found::NotFoundPage>
                    <Route path=path!("/") view=pages::home::HomePage />
                    <Route path=path!("/login") view=pages::login::LoginPage />
                    <Route path=path!("/agreement/user") view=pages::agreement::UserAgreementPage />
                    <Route path=path!("/agreement/privacy") view=pages::agreement::PrivacyPolicyPage />
                    <Route path=path!("/realname") view=pages::realname::RealNamePage />
                    <Route path=path!("/apply/:business") view=pages::apply::ApplyPage />
                    <Route path=path!("/apply/:business/:step") view=pages::apply::ApplyPage />
                    <Route path=path!("/cases") view=pages::cases::MyCasesPage />
                    <Route path=path!("/cases/:id") view=pages::case_detail::CaseDetailPage />
                    <Route path=path!("/cases/:id/correction") view=pages::correction::CorrectionPage />
                    <Route path=path!("/staff") view=pages::staff::StaffPage />
                    <Route path=path!("/staff/realname") view=pages::staff::realname::RealNameQueuePage />
                    <Route path=path!("/staff/realname/:id") view=pages::staff::realname::RealNameReviewPage />
                    <Route path=path!("/staff/cases") view=pages::staff::cases::CaseQueuePage />
                    <Route path=path!("/staff/cases/:id") view=pages::staff::cases::StaffCasePage />
                    <Route path=path!("/staff/account-moves") view=pages::staff::moves::AccountMoveQueuePage />
                    <Route path=path!("/staff/account-moves/:id") view=pages::staff::moves::AccountMoveReviewPage />
                    <Route path=path!("/verify/:code") view=pages::verify::VerifyPage />
                </Routes>
            </Layout>
        </Router>
    }
}
