//! 完善个人信息: the name from the real-name check, shown; everything else editable, checked
//! on the phone by the same rules the server applies.

use leptos::prelude::*;
use taxicert_api::{Profile, ServiceHall, StepAnswers, LICENCE_CLASSES};

use super::{use_save_step, NextButton};
use crate::{
    components::{
        error_summary::{ErrorSummary, FieldError},
        info_fields::{Choice, DeliveryFields, InfoBinding, Text},
        status::{ErrorPanel, Loading},
    },
    routes::WizardStep,
    use_app,
    wizard::WizardDraft,
};

/// What the step needs from the server besides the draft.
#[derive(Clone)]
struct Lookups {
    profile: Profile,
    halls: Vec<ServiceHall>,
}

#[component]
pub fn InfoStep(draft: WizardDraft) -> impl IntoView {
    let api = use_app().api;
    let lookups = LocalResource::new(move || {
        let api = api.clone();
        async move {
            let (profile, halls) = futures::try_join!(api.profile(), api.service_halls())?;
            Ok::<_, crate::api::ApiError>(Lookups { profile, halls })
        }
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match lookups.await {
                    Ok(lookups) => view! { <PersonalInfoForm draft lookups /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error on_retry=move |_| lookups.refetch() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PersonalInfoForm(draft: WizardDraft, lookups: Lookups) -> impl IntoView {
    let Lookups { profile, halls } = lookups;
    if !draft.state.with_untracked(|s| s.info_prefilled) {
        draft.state.update(|s| {
            s.info.prefill(&profile);
            s.info_prefilled = true;
        });
    }
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errors_signal = Signal::from(errors);
    let save = use_save_step(draft, WizardStep::PersonalInfo, errors, |e| e);
    let hall_ids: Vec<String> = halls.iter().map(|h| h.id.clone()).collect();
    let on_next = move |()| {
        let info = draft.state.with_untracked(|s| s.info.to_info());
        let problems = info.problems(|id| hall_ids.iter().any(|h| h == id));
        if problems.is_empty() {
            errors.set(Vec::new());
            save.dispatch(StepAnswers::PersonalInfo { info });
        } else {
            errors.set(problems.into_iter().map(|p| FieldError::at(p.field, p.message)).collect());
        }
    };
    let binding = InfoBinding::new(Signal::derive(move || draft.state.with(|s| s.info.clone())), move |edit| draft.edit_info(edit));
    let class_options: Vec<(String, String)> = LICENCE_CLASSES.iter().map(|c| (c.to_string(), c.to_string())).collect();
    let reason_count = move || draft.state.with(|s| s.info.reason.trim().chars().count());
    view! {
        <ErrorSummary errors=errors_signal />
        <p class="page-lead">"请核对并完善以下信息,各项均为必填。"</p>
        <form novalidate class="info-form" on:submit=|ev| ev.prevent_default()>
            <h2 class="weui-cells__title">"申请人信息"</h2>
            <div class="weui-cells weui-cells_form">
                <div class="weui-cell">
                    <div class="weui-cell__hd"><span class="weui-label" id="name-label">"姓名"</span></div>
                    <div class="weui-cell__bd">
                        <span class="info-form__fixed" aria-labelledby="name-label">{profile.name}</span>
                        <p class="info-form__note">"姓名以实名认证的身份证为准,不可修改。"</p>
                    </div>
                </div>
                <Choice field="licence_class" label="准驾车型" options=class_options binding errors=errors_signal
                    get=|f| f.licence_class.clone() set=|f, v| f.licence_class = v />
                <Text field="reason" label="申请原因" binding errors=errors_signal multiline=true
                    get=|f| f.reason.clone() set=|f, v| f.reason = v />
                <p class="info-form__count" aria-live="polite">{move || format!("{}/200", reason_count())}</p>
                <Text field="address" label="住址" binding errors=errors_signal multiline=true
                    get=|f| f.address.clone() set=|f, v| f.address = v />
                <Text field="contact_name" label="联系人" binding errors=errors_signal
                    get=|f| f.contact_name.clone() set=|f, v| f.contact_name = v />
                <Text field="contact_phone" label="联系电话" binding errors=errors_signal kind="tel"
                    get=|f| f.contact_phone.clone() set=|f, v| f.contact_phone = v />
            </div>

            <DeliveryFields binding errors=errors_signal halls />
        </form>
        <NextButton pending=save.pending().into() on_next=Callback::new(on_next) />
    }
}
