//! 填写申请信息: the name from the real-name check, shown; then what this business asks (each
//! business its own form), checked on the phone by the same rules the server applies.

use std::sync::Arc;

use leptos::prelude::*;
use taxicert_api::{
    divisions::Divisions, BusinessCode, Certificate, FormContext, PersonalInfo, Profile, ServiceHall, StepAnswers,
};

use super::{use_save_step, NextButton};
use crate::{
    api::ApiError,
    components::{
        error_summary::{ErrorSummary, FieldError},
        info_fields::{BusinessFields, InfoBinding},
        status::{ErrorPanel, Loading},
    },
    routes::{Route, WizardStep},
    use_app,
    state::{
        draft::{previous_application, InfoForm},
        wizard::WizardDraft,
    },
};

/// What the step needs from the server besides the draft.
#[derive(Clone)]
pub struct Lookups {
    pub profile: Profile,
    pub halls: Vec<ServiceHall>,
    /// The certificates as listed for this business (the chosen one among them).
    pub certificates: Vec<Certificate>,
    /// Empty for a business with no address (注销, 考核): not fetched then.
    pub divisions: Arc<Divisions>,
    /// The answers of the driver's last application of the business that ended without a
    /// result (不予受理, 撤回) and the certificate it was for: a blank form starts from them.
    /// Fetched only with `with_previous`.
    pub previous: Option<(String, PersonalInfo)>,
}

/// Whether a business's form has an address to choose (postal delivery, a 变更 of 住址).
pub fn needs_divisions(business: BusinessCode) -> bool {
    matches!(business, BusinessCode::Reissue | BusinessCode::Renewal | BusinessCode::Change)
}

/// Fetches what the form of `business` is shown and checked with; `with_previous` for a form
/// not yet filled in (see [`Lookups::previous`]).
pub async fn lookups(api: crate::api::ApiClient, business: BusinessCode, with_previous: bool) -> Result<Lookups, ApiError> {
    let divisions = async {
        if needs_divisions(business) {
            crate::divisions::load().await
        } else {
            Ok(Arc::new(Divisions::default()))
        }
    };
    let previous = async {
        if !with_previous {
            return Ok(None);
        }
        let cases = api.cases().await?;
        match previous_application(&cases, business) {
            Some(case) => api.case(&case.id).await.map(|detail| Some((detail.certificate.id, detail.info))),
            None => Ok(None),
        }
    };
    let (profile, halls, certificates, divisions, previous) =
        futures::try_join!(api.profile(), api.service_halls(), api.certificates(business), divisions, previous)?;
    Ok(Lookups { profile, halls, certificates, divisions, previous })
}

#[component]
pub fn InfoStep(draft: WizardDraft) -> impl IntoView {
    let api = use_app().api;
    let business = draft.business;
    let with_previous = !draft.state.with_untracked(|s| s.info_prefilled);
    let lookups = LocalResource::new(move || lookups(api.clone(), business, with_previous));
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match lookups.await {
                    Ok(lookups) => {
                        let chosen = draft.state.with_untracked(|s| s.certificate_id.clone());
                        match lookups.certificates.iter().find(|c| Some(&c.id) == chosen.as_ref()).cloned() {
                            Some(certificate) if certificate.unavailable_reason.is_none() => {
                                view! { <ApplicationForm draft lookups certificate /> }.into_any()
                            }
                            _ => view! { <CertificateGone business /> }.into_any(),
                        }
                    }
                    Err(error) => view! { <ErrorPanel error on_retry=move |_| lookups.refetch() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The certificate chosen in the step before can no longer be chosen (a case opened on it
/// elsewhere, it expired meanwhile): back to that step.
#[component]
fn CertificateGone(business: BusinessCode) -> impl IntoView {
    view! {
        <div class="weui-msg" role="alert">
            <div class="weui-msg__text-area">
                <h2 class="weui-msg__title">"所选从业资格证现在不能办理这项业务"</h2>
                <p class="weui-msg__desc">"请返回上一步查看原因，或重新选择证件。"</p>
            </div>
            <p class="weui-btn-area">
                <leptos_router::components::A href=crate::href(Route::Apply(business, WizardStep::Certificate))>
                    <span class="weui-btn weui-btn_primary">"返回选择从业资格证"</span>
                </leptos_router::components::A>
            </p>
        </div>
    }
}

#[component]
fn ApplicationForm(draft: WizardDraft, lookups: Lookups, certificate: Certificate) -> impl IntoView {
    let Lookups { profile, halls, divisions, previous, .. } = lookups;
    let business = draft.business;
    let previous = previous.filter(|(certificate_id, _)| *certificate_id == certificate.id).map(|(_, info)| info);
    let mut from_previous = false;
    if !draft.state.with_untracked(|s| s.info_prefilled) {
        draft.state.update(|s| {
            from_previous = previous.is_some() && s.info == InfoForm::default();
            s.info.prefill(&profile, Some(&certificate), previous.as_ref());
            s.info_prefilled = true;
        });
    }
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errors_signal = Signal::from(errors);
    let save = use_save_step(draft, WizardStep::PersonalInfo, errors, |e| e);
    let hall_ids: Vec<String> = halls.iter().map(|h| h.id.clone()).collect();
    let on_next = {
        let (certificate, divisions) = (certificate.clone(), divisions.clone());
        move |()| {
            let hall_exists = |id: &str| hall_ids.iter().any(|h| h == id);
            let context = FormContext { certificate: &certificate, hall_exists: &hall_exists, divisions: &divisions };
            match draft.state.with_untracked(|s| s.info.to_info(business, &context)) {
                Ok(info) => {
                    errors.set(Vec::new());
                    save.dispatch(StepAnswers::PersonalInfo { info });
                }
                Err(problems) => errors.set(problems.into_iter().map(|p| FieldError::at(p.field, p.message)).collect()),
            }
        }
    };
    let binding = InfoBinding::new(Signal::derive(move || draft.state.with(|s| s.info.clone())), move |edit| draft.edit_info(edit));
    let notice = certificate.notice.clone();
    view! {
        <ErrorSummary errors=errors_signal />
        <p class="page-lead">"请填写并核对以下信息，各项均为必填。"</p>
        {notice.map(|notice| view! { <p class="certificate__notice" role="note">{notice}</p> })}
        {from_previous.then(|| view! {
            <p class="info-form__previous" role="note">"已按您上次撤回或不予受理的申请填好，请逐项核对，有变化的请修改。"</p>
        })}
        <form novalidate class="info-form" on:submit=|ev| ev.prevent_default()>
            <h2 class="weui-cells__title">"申请人"</h2>
            <div class="weui-cells weui-cells_form">
                <div class="weui-cell">
                    <div class="weui-cell__hd"><span class="weui-label" id="name-label">"姓名"</span></div>
                    <div class="weui-cell__bd">
                        <span class="info-form__fixed" aria-labelledby="name-label">{profile.name}</span>
                        <p class="info-form__note">"姓名以实名认证的身份证为准，不可修改。"</p>
                    </div>
                </div>
                <div class="weui-cell">
                    <div class="weui-cell__hd"><span class="weui-label">"证号"</span></div>
                    <div class="weui-cell__bd"><span class="info-form__fixed">{certificate.number.clone()}</span></div>
                </div>
            </div>
            <BusinessFields business binding errors=errors_signal certificate halls divisions editable=Arc::new(|_| true) />
        </form>
        <NextButton pending=save.pending().into() on_next=Callback::new(on_next) />
    }
}
