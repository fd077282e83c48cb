//! The fields of 完善个人信息, bound to wherever the form lives: the wizard's draft, or the
//! correction of a returned case. Each field carries its label, its inline message and the
//! `aria-describedby` that links the two.

use leptos::prelude::*;
use taxicert_api::{ServiceHall, PROVINCES};

use crate::{
    components::error_summary::{error_for, FieldError, FieldMessage},
    draft::{DeliveryMethod, InfoForm},
};

/// One change to the form.
pub type InfoEdit = Box<dyn FnOnce(&mut InfoForm)>;

/// Where the fields read the form and send their changes.
#[derive(Clone, Copy)]
pub struct InfoBinding {
    form: Signal<InfoForm>,
    write: Callback<InfoEdit>,
}

impl InfoBinding {
    pub fn new(form: Signal<InfoForm>, write: impl Fn(InfoEdit) + Send + Sync + 'static) -> InfoBinding {
        InfoBinding { form, write: Callback::new(write) }
    }

    pub fn read<T>(self, get: impl FnOnce(&InfoForm) -> T) -> T {
        self.form.with(get)
    }

    pub fn edit(self, change: impl FnOnce(&mut InfoForm) + 'static) {
        self.write.run(Box::new(change));
    }
}

/// 领取方式: the two choices, then the hall (with its address and hours) or the postal
/// address.
#[component]
pub fn DeliveryFields(binding: InfoBinding, errors: Signal<Vec<FieldError>>, halls: Vec<ServiceHall>) -> impl IntoView {
    let method = Memo::new(move |_| binding.read(|f| f.method));
    let province_options: Vec<(String, String)> = PROVINCES.iter().map(|p| (p.to_string(), p.to_string())).collect();
    let hall_options: Vec<(String, String)> = halls.iter().map(|h| (h.id.clone(), h.name.clone())).collect();
    let chosen_hall = move || {
        let id = binding.read(|f| f.hall_id.clone());
        halls.iter().find(|h| h.id == id).cloned()
    };
    view! {
        <h2 class="weui-cells__title" id="delivery-title">"领取方式"</h2>
        <div class="weui-cells" role="radiogroup" aria-labelledby="delivery-title" id="delivery">
            <MethodOption value=DeliveryMethod::Pickup label="到服务大厅自取" binding />
            <MethodOption value=DeliveryMethod::Post label="邮寄到家" binding />
        </div>
        {move || match method.get() {
            DeliveryMethod::Pickup => view! {
                <div class="weui-cells weui-cells_form">
                    <Choice field="hall" label="服务大厅" options=hall_options.clone() binding errors=errors
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
                    <Text field="recipient" label="收件人" binding errors=errors
                        get=|f| f.recipient.clone() set=|f, v| f.recipient = v />
                    <Text field="recipient_phone" label="收件人电话" binding errors=errors kind="tel"
                        get=|f| f.recipient_phone.clone() set=|f, v| f.recipient_phone = v />
                    <Choice field="province" label="省份" options=province_options.clone() binding errors=errors
                        get=|f| f.province.clone() set=|f, v| f.province = v />
                    <Text field="city" label="城市" binding errors=errors
                        get=|f| f.city.clone() set=|f, v| f.city = v />
                    <Text field="district" label="区县" binding errors=errors
                        get=|f| f.district.clone() set=|f, v| f.district = v />
                    <Text field="street" label="详细地址" binding errors=errors multiline=true
                        get=|f| f.street.clone() set=|f, v| f.street = v />
                </div>
            }
            .into_any(),
        }}
    }
}

/// `aria-describedby` for a field with a message.
pub fn described_by(errors: Signal<Vec<FieldError>>, field: &'static str) -> impl Fn() -> Option<String> {
    move || error_for(&errors.read(), field).map(|_| format!("{field}-error"))
}

/// A text field of the form.
#[component]
pub fn Text(
    field: &'static str,
    label: &'static str,
    binding: InfoBinding,
    errors: Signal<Vec<FieldError>>,
    get: fn(&InfoForm) -> String,
    set: fn(&mut InfoForm, String),
    #[prop(optional)] multiline: bool,
    #[prop(default = "text")] kind: &'static str,
) -> impl IntoView {
    let value = move || binding.read(get);
    let on_input = move |ev: web_sys::Event| {
        let typed = event_target_value(&ev);
        binding.edit(move |f| set(f, typed));
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

/// A choice from a list.
#[component]
pub fn Choice(
    field: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    binding: InfoBinding,
    errors: Signal<Vec<FieldError>>,
    get: fn(&InfoForm) -> String,
    set: fn(&mut InfoForm, String),
) -> impl IntoView {
    let value = move || binding.read(get);
    view! {
        <div class="weui-cell weui-cell_select weui-cell_select-after" class:weui-cell_warn=move || error_for(&errors.read(), field).is_some()>
            <div class="weui-cell__hd"><label class="weui-label" for=field>{label}</label></div>
            <div class="weui-cell__bd">
                <select id=field class="weui-select" aria-describedby=described_by(errors, field)
                    prop:value=value
                    on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        binding.edit(move |f| set(f, chosen));
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
fn MethodOption(value: DeliveryMethod, label: &'static str, binding: InfoBinding) -> impl IntoView {
    let id = match value {
        DeliveryMethod::Pickup => "delivery-pickup",
        DeliveryMethod::Post => "delivery-post",
    };
    view! {
        <label class="weui-cell weui-cell_active" for=id>
            <div class="weui-cell__hd">
                <input type="radio" class="info-form__radio" name="delivery" id=id
                    prop:checked=move || binding.read(|f| f.method == value)
                    on:change=move |_| binding.edit(move |f| f.method = value) />
            </div>
            <div class="weui-cell__bd"><p>{label}</p></div>
        </label>
    }
}
