//! 选择从业资格证: the certificates linked to the user's ID number; those that cannot be
//! chosen for this business are shown disabled, with the reason.

use leptos::prelude::*;
use leptos_router::components::A;
use taxicert_api::{Certificate, StepAnswers};

use super::{use_save_step, NextButton};
use crate::{
    components::{
        error_summary::{error_for, ErrorSummary, FieldError, FieldMessage},
        status::{ErrorPanel, Loading},
    },
    routes::{Route, WizardStep},
    use_app,
    state::wizard::WizardDraft,
};

const NONE_CHOSEN: &str = "请选择要办理的从业资格证。";

#[component]
pub fn CertificateStep(draft: WizardDraft) -> impl IntoView {
    let api = use_app().api;
    let business = draft.business;
    let certificates = LocalResource::new({
        let api = api.clone();
        move || {
            let api = api.clone();
            async move { api.certificates(business).await }
        }
    });
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let save = use_save_step(draft, WizardStep::Certificate, errors, |e| e);
    let on_next = move |()| match draft.state.with_untracked(|s| s.certificate_id.clone()) {
        None => errors.set(vec![FieldError::at("certificate", NONE_CHOSEN)]),
        Some(id) => {
            errors.set(Vec::new());
            save.dispatch(StepAnswers::Certificate { certificate_id: id });
        }
    };
    let errors_signal = Signal::from(errors);
    view! {
        <ErrorSummary errors=errors_signal />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match certificates.await {
                    Err(error) => view! { <ErrorPanel error on_retry=move |_| certificates.refetch() /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <NoCertificate /> }.into_any(),
                    Ok(list) => view! {
                        <fieldset
                            class="certificates"
                            id="certificate"
                            tabindex="-1"
                            aria-describedby=move || error_for(&errors_signal.read(), "certificate").map(|_| "certificate-error")
                        >
                            <legend class="certificates__legend">"请选择要办理业务的从业资格证"</legend>
                            <FieldMessage field="certificate" errors=errors_signal />
                            {list.into_iter().map(|certificate| view! { <CertificateCard certificate draft /> }).collect_view()}
                        </fieldset>
                        <NextButton pending=save.pending().into() on_next=Callback::new(on_next) />
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CertificateCard(certificate: Certificate, draft: WizardDraft) -> impl IntoView {
    let Certificate { id, number, kind, authority, first_issued, valid_until, status, unavailable_reason, open_case_id, notice, credit, .. } =
        certificate;
    let input_id = format!("certificate-{}", crate::routes::opaque(&id));
    let reason_id = format!("{input_id}-reason");
    let disabled = unavailable_reason.is_some();
    let chosen = {
        let id = id.clone();
        move || draft.state.with(|s| s.certificate_id.as_deref() == Some(id.as_str()))
    };
    // The reason why it cannot be chosen, or the advice for a choosable one (a late renewal).
    let described_by = (disabled || notice.is_some()).then(|| reason_id.clone());
    let label_for = input_id.clone();
    let checked = chosen.clone();
    let said = match (unavailable_reason, notice) {
        (Some(reason), _) => Some(view! { <span class="certificate__reason" id=reason_id>{reason}</span> }.into_any()),
        (None, Some(notice)) => Some(view! { <span class="certificate__notice" id=reason_id>{notice}</span> }.into_any()),
        (None, None) => None,
    };
    view! {
        <div class="certificate-item">
            <label class="certificate" class:certificate_disabled=disabled class:certificate_chosen=chosen for=label_for>
                <input
                    type="radio"
                    name="certificate"
                    class="certificate__radio"
                    id=input_id
                    value=id.clone()
                    disabled=disabled
                    aria-describedby=described_by
                    prop:checked=checked
                    on:change=move |_| draft.state.update(|s| s.certificate_id = Some(id.clone()))
                />
                <span class="certificate__body">
                    <span class="certificate__kind">{kind.name()}"从业资格证"</span>
                    <span class="certificate__status" class:certificate__status_bad=status != taxicert_api::CertificateStatus::Valid>
                        {status.name()}
                    </span>
                    <dl class="certificate__facts">
                        <dt>"证号"</dt>
                        <dd>{number}</dd>
                        <dt>"发证机关"</dt>
                        <dd>{authority}</dd>
                        <dt>"初领日期"</dt>
                        <dd>{first_issued}</dd>
                        <dt>"有效期至"</dt>
                        <dd>{valid_until}</dd>
                        // The latest 服务质量信誉考核 recorded on the certificate.
                        {credit.map(|credit| view! {
                            <dt>"信誉考核"</dt>
                            <dd>{format!("{}（{}，{}分）", credit.grade, credit.period.label(), credit.points)}</dd>
                        })}
                    </dl>
                    {said}
                </span>
            </label>
            // Outside the label, so that following it does not choose the certificate.
            {open_case_id.map(|case| view! {
                <p class="certificate__case">
                    <A href=crate::href(Route::Case(case.clone())) attr:aria-label=format!("查看办件 {case}")>"查看办件"</A>
                </p>
            })}
        </div>
    }
}

/// No certificate is linked to the ID number: what the driver can do.
#[component]
fn NoCertificate() -> impl IntoView {
    view! {
        <div class="weui-msg" role="status">
            <div class="weui-msg__text-area">
                <h2 class="weui-msg__title">"未查询到您的从业资格证"</h2>
                <p class="weui-msg__desc">
                    "与您身份证号码关联的从业资格证一张也没有查到。如您已取得出租汽车驾驶员从业资格证，"
                    "请携带身份证和从业资格证到当地道路运输服务大厅核实信息；如尚未取得，请先报名参加从业资格考试。"
                </p>
            </div>
            <div class="weui-msg__opr-area">
                <p class="weui-btn-area">
                    <A href=crate::href(Route::Home) exact=true>
                        <span class="weui-btn weui-btn_default">"返回首页"</span>
                    </A>
                </p>
            </div>
        </div>
    }
}
