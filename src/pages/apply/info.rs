//! 完善个人信息: the name from the real-name check, shown; everything else editable, checked
//! on the phone by the same rules the server applies.

use leptos::prelude::*;
use taxicert_api::{Profile, ServiceHall, StepAnswers, LICENCE_CLASSES, PROVINCES};

use super::{use_save_step, NextButton};
use crate::{
    components::{
        error_summary::{error_for, ErrorSummary, FieldError, FieldMessage},
        status::{ErrorPanel, Loading},
    },
    draft::{DeliveryMethod, InfoForm},
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
    let method = Memo::new(move |_| draft.state.with(|s| s.info.method));
    let class_options: Vec<(String, String)> = LICENCE_CLASSES.iter().map(|c| (c.to_string(), c.to_string())).collect();
    let province_options: Vec<(String, String)> = PROVINCES.iter().map(|p| (p.to_string(), p.to_string())).collect();
    let hall_options: Vec<(String, String)> = halls.iter().map(|h| (h.id.clone(), h.name.clone())).collect();
    let chosen_hall = move || {
        let id = draft.state.with(|s| s.info.hall_id.clone());
        halls.iter().find(|h| h.id == id).cloned()
    };
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
                <Choice field="licence_class" label="准驾车型" options=class_options draft errors=errors_signal
                    get=|f| f.licence_class.clone() set=|f, v| f.licence_class = v />
                <Text field="reason" label="申请原因" draft errors=errors_signal multiline=true
                    get=|f| f.reason.clone() set=|f, v| f.reason = v />
                <p class="info-form__count" aria-live="polite">{move || format!("{}/200", reason_count())}</p>
                <Text field="address" label="住址" draft errors=errors_signal multiline=true
                    get=|f| f.address.clone() set=|f, v| f.address = v />
                <Text field="contact_name" label="联系人" draft errors=errors_signal
                    get=|f| f.contact_name.clone() set=|f, v| f.contact_name = v />
                <Text field="contact_phone" label="联系电话" draft errors=errors_signal kind="tel"
                    get=|f| f.contact_phone.clone() set=|f, v| f.contact_phone = v />
            </div>

            <h2 class="weui-cells__title" id="delivery-title">"领取方式"</h2>
            <div class="weui-cells" role="radiogroup" aria-labelledby="delivery-title" id="delivery">
                <MethodOption value=DeliveryMethod::Pickup label="到服务大厅自取" draft />
                <MethodOption value=DeliveryMethod::Post label="邮寄到家" draft />
            </div>
            {move || match method.get() {
                DeliveryMethod::Pickup => view! {
                    <div class="weui-cells weui-cells_form">
                        <Choice field="hall" label="服务大厅" options=hall_options.clone() draft errors=errors_signal
                            get=|f| f.hall_id.clone() set=|f, v| f.hall_id = v />
                    </div>
                    {chosen_hall().map(|hall| view! {
                        <div class="hall-card" aria-live="polite">
                            <p class="hall-card__name">{hall.name}</p>
                            <p>"地址:"{hall.address}</p>
                            <p>"办公时间:"{hall.hours}</p>
                            <p>"咨询电话:"{hall.phone}</p>
                        </div>
                    })}
                }
                .into_any(),
                DeliveryMethod::Post => view! {
                    <div class="weui-cells weui-cells_form">
                        <Text field="recipient" label="收件人" draft errors=errors_signal
                            get=|f| f.recipient.clone() set=|f, v| f.recipient = v />
                        <Text field="recipient_phone" label="收件人电话" draft errors=errors_signal kind="tel"
                            get=|f| f.recipient_phone.clone() set=|f, v| f.recipient_phone = v />
                        <Choice field="province" label="省份" options=province_options.clone() draft errors=errors_signal
                            get=|f| f.province.clone() set=|f, v| f.province = v />
                        <Text field="city" label="城市" draft errors=errors_signal
                            get=|f| f.city.clone() set=|f, v| f.city = v />
                        <Text field="district" label="区县" draft errors=errors_signal
                            get=|f| f.district.clone() set=|f, v| f.district = v />
                        <Text field="street" label="详细地址" draft errors=errors_signal multiline=true
                            get=|f| f.street.clone() set=|f, v| f.street = v />
                    </div>
                }
                .into_any(),
            }}
        </form>
        <NextButton pending=save.pending().into() on_next=Callback::new(on_next) />
    }
}

/// `aria-describedby` for a field with a message.
fn described_by(errors: Signal<Vec<FieldError>>, field: &'static str) -> impl Fn() -> Option<String> {
    move || error_for(&errors.read(), field).map(|_| format!("{field}-error"))
}

/// A text field of the form, bound to the draft.
#[component]
fn Text(
    field: &'static str,
    label: &'static str,
    draft: WizardDraft,
    errors: Signal<Vec<FieldError>>,
    get: fn(&InfoForm) -> String,
    set: fn(&mut InfoForm, String),
    #[prop(optional)] multiline: bool,
    #[prop(default = "text")] kind: &'static str,
) -> impl IntoView {
    let value = move || draft.state.with(|s| get(&s.info));
    let on_input = move |ev: web_sys::Event| {
        let typed = event_target_value(&ev);
        draft.edit_info(|f| set(f, typed));
    };
    let input = if multiline {
        view! {
            <textarea id=field class="weui-textarea" rows="2" aria-describedby=described_by(errors, field)
                prop:value=value on:input=on_input></textarea>
        }
        .into_any()
    } else {
        let mode = if kind == "tel" { "numeric" } else { "text" };
        view! {
            <input id=field class="weui-input" type=kind inputmode=mode autocomplete="off"
                aria-describedby=described_by(errors, field) prop:value=value on:input=on_input />
        }
        .into_any()
    };
    view! {
        <div class="weui-cell" class:weui-cell_warn=move || error_for(&errors.read(), field).is_some()>
            <div class="weui-cell__hd"><label class="weui-label" for=field>{label}</label></div>
            <div class="weui-cell__bd">{input}</div>
        </div>
        <FieldMessage field errors />
    }
}

/// A choice from a list, bound to the draft.
#[component]
fn Choice(
    field: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    draft: WizardDraft,
    errors: Signal<Vec<FieldError>>,
    get: fn(&InfoForm) -> String,
    set: fn(&mut InfoForm, String),
) -> impl IntoView {
    let value = move || draft.state.with(|s| get(&s.info));
    view! {
        <div class="weui-cell weui-cell_select weui-cell_select-after" class:weui-cell_warn=move || error_for(&errors.read(), field).is_some()>
            <div class="weui-cell__hd"><label class="weui-label" for=field>{label}</label></div>
            <div class="weui-cell__bd">
                <select id=field class="weui-select" aria-describedby=described_by(errors, field)
                    prop:value=value
                    on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        draft.edit_info(|f| set(f, chosen));
                    }
                >
                    <option value="">"请选择"</option>
                    {options
                        .into_iter()
                        .map(|(option, text)| {
                            let current = option.clone();
                            view! { <option value=option prop:selected=move || value() == current>{text}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
        </div>
        <FieldMessage field errors />
    }
}

#[component]
fn MethodOption(value: DeliveryMethod, label: &'static str, draft: WizardDraft) -> impl IntoView {
    let id = match value {
        DeliveryMethod::Pickup => "delivery-pickup",
        DeliveryMethod::Post => "delivery-post",
    };
    view! {
        <label class="weui-cell weui-cell_active" for=id>
            <div class="weui-cell__hd">
                <input type="radio" class="info-form__radio" name="delivery" id=id
                    prop:checked=move || draft.state.with(|s| s.info.method == value)
                    on:change=move |_| draft.edit_info(|f| f.method = value) />
            </div>
            <div class="weui-cell__bd"><p>{label}</p></div>
        </label>
    }
}
