//! The fields of 填写申请信息, one set per business, bound to wherever the form lives: the
//! wizard's draft, or the correction of a returned case. Each field carries its label, its
//! inline message and the `aria-describedby` that links the two; its element id is the
//! contract's field name ([`taxicert_api::FieldProblem`]), so that the error summary links to it.

use std::sync::Arc;

use leptos::prelude::*;
use taxicert_api::{
    divisions::Divisions, AssessmentPeriod, BusinessCode, CancellationReason, Certificate, ChangeItem, ReissueReason,
    ServiceHall, LICENCE_CLASSES,
};

use crate::{
    components::{
        error_summary::{error_for, FieldError, FieldMessage},
        region_picker::RegionPicker,
    },
    state::draft::{DeliveryMethod, InfoForm},
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

/// Which correctable fields ([`taxicert_api::correctable_fields`]) are editable: all of them in
/// the wizard, the flagged ones in a correction.
pub type Editable = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Everything `business` asks, in the order of its form: its own fields, then 联系人 and 联系电话.
/// `certificate` is the one chosen (its current values beside a 变更's new ones, its periods
/// for 考核); `divisions` feeds the region choices. Fields `editable` refuses are left out.
#[component]
pub fn BusinessFields(
    business: BusinessCode,
    binding: InfoBinding,
    errors: Signal<Vec<FieldError>>,
    certificate: Certificate,
    halls: Vec<ServiceHall>,
    divisions: Arc<Divisions>,
    editable: Editable,
) -> impl IntoView {
    let class_options = || LICENCE_CLASSES.iter().map(|c| (c.to_string(), c.to_string())).collect::<Vec<_>>();
    let own = match business {
        BusinessCode::Reissue => view! {
            {editable("reissue_reason").then(|| view! {
                <Radios field="reissue_reason" legend="补发原因" binding errors
                    options=ReissueReason::ALL.iter().map(|r| (*r, r.name().to_owned())).collect()
                    get=|f| f.reissue_reason set=|f, v| f.reissue_reason = Some(v) />
            })}
            {editable("delivery").then(|| view! { <DeliveryFields binding errors halls divisions /> })}
        }
        .into_any(),
        BusinessCode::Renewal => view! {
            {editable("licence_class").then(|| view! {
                <div class="weui-cells weui-cells_form">
                    <Choice field="licence_class" label="准驾车型" options=class_options() binding errors
                        get=|f| f.licence_class.clone() set=|f, v| f.licence_class = v />
                </div>
                <p class="info-form__note info-form__note_block">"按您现在的机动车驾驶证填写。"</p>
            })}
            {editable("delivery").then(|| view! { <DeliveryFields binding errors halls divisions /> })}
        }
        .into_any(),
        BusinessCode::Change => view! {
            {editable("changes").then(|| view! { <ChangeFields binding errors certificate divisions /> })}
            {editable("reason").then(|| view! {
                <div class="weui-cells weui-cells_form">
                    <Text field="reason" label="变更原因" binding errors multiline=true
                        get=|f| f.change_reason.clone() set=|f, v| f.change_reason = v />
                </div>
                <p class="info-form__count" aria-live="polite">
                    {move || format!("{}/200", binding.read(|f| f.change_reason.trim().chars().count()))}
                </p>
            })}
        }
        .into_any(),
        BusinessCode::Cancellation => view! {
            {editable("cancellation_reason").then(|| view! {
                <Radios field="cancellation_reason" legend="注销原因" binding errors
                    options=CancellationReason::ALL.iter().map(|r| (*r, r.name().to_owned())).collect()
                    get=|f| f.cancellation_reason set=|f, v| f.cancellation_reason = Some(v) />
                {move || (binding.read(|f| f.cancellation_reason) == Some(CancellationReason::Other)).then(|| view! {
                    <div class="weui-cells weui-cells_form">
                        <Text field="other_reason" label="其他原因" binding errors multiline=true
                            get=|f| f.other_reason.clone() set=|f, v| f.other_reason = v />
                    </div>
                })}
                <p class="info-form__note info-form__note_block">"注销后该证即失效，不能再办理任何业务，也无需领取证件。"</p>
            })}
        }
        .into_any(),
        BusinessCode::CreditAssessment => {
            let periods = certificate.assessment_periods.clone();
            let period_options: Vec<(AssessmentPeriod, String)> = periods.iter().map(|p| (p.clone(), p.label())).collect();
            view! {
                {editable("period").then(|| if periods.is_empty() {
                    view! {
                        <p class="info-form__note info-form__note_block" id="period" tabindex="-1">
                            "这张从业资格证当前没有可申请考核的周期，请返回上一步查看证件信息，或咨询办理窗口。"
                        </p>
                        <FieldMessage field="period" errors />
                    }
                    .into_any()
                } else {
                    view! {
                        <Radios field="period" legend="考核周期" binding errors
                            options=period_options.clone()
                            get=|f| f.period.clone() set=|f, v| f.period = Some(v) />
                        <p class="info-form__note info-form__note_block">"考核周期为12个月，自初次领证的当月起计算；考核结果记入从业资格证。"</p>
                    }
                    .into_any()
                })}
            }
            .into_any()
        }
    };
    let contact = (editable("contact_name") || editable("contact_phone")).then(|| {
        view! {
            <h2 class="weui-cells__title">"联系方式"</h2>
            <div class="weui-cells weui-cells_form">
                {editable("contact_name").then(|| view! {
                    <Text field="contact_name" label="联系人" binding errors
                        get=|f| f.contact_name.clone() set=|f, v| f.contact_name = v />
                })}
                {editable("contact_phone").then(|| view! {
                    <Text field="contact_phone" label="联系电话" binding errors kind="tel"
                        get=|f| f.contact_phone.clone() set=|f, v| f.contact_phone = v />
                })}
            </div>
        }
    });
    view! { {own} {contact} }
}

/// 变更: a checkbox per item; each ticked one shows the certificate's current value, read-only,
/// beside the input for the new one. Unticking keeps what was typed.
#[component]
fn ChangeFields(
    binding: InfoBinding,
    errors: Signal<Vec<FieldError>>,
    certificate: Certificate,
    divisions: Arc<Divisions>,
) -> impl IntoView {
    let options = LICENCE_CLASSES.iter().map(|c| (c.to_string(), c.to_string())).collect::<Vec<_>>();
    let boxes = ChangeItem::ALL
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            // The error summary links to the group's first box.
            let id = if i == 0 { "changes".to_owned() } else { format!("changes-{}", item.as_str()) };
            let label_for = id.clone();
            view! {
                <label class="weui-cell weui-cell_active info-form__choice" for=label_for>
                    <div class="weui-cell__hd">
                        <input type="checkbox" class="info-form__radio" id=id value=item.as_str()
                            aria-describedby=described_by(errors, "changes")
                            prop:checked=move || binding.read(|f| f.is_ticked(item))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                binding.edit(move |f| f.tick(item, on));
                            } />
                    </div>
                    <div class="weui-cell__bd"><p>{item.name()}</p></div>
                </label>
            }
        })
        .collect_view();
    let current = move |item: ChangeItem| {
        let value = item.current(&certificate).to_owned();
        let value = if value.is_empty() { "证上未记载".to_owned() } else { value };
        view! {
            <div class="weui-cell info-form__current">
                <div class="weui-cell__hd"><span class="weui-label">{format!("现{}", item.name())}</span></div>
                <div class="weui-cell__bd"><span class="info-form__fixed">{value}</span></div>
            </div>
        }
    };
    let ticked = move |item: ChangeItem| binding.read(|f| f.is_ticked(item));
    view! {
        <fieldset class="info-form__group">
            <legend class="weui-cells__title">"变更事项（可多选）"</legend>
            <div class="weui-cells">{boxes}</div>
            <FieldMessage field="changes" errors />
        </fieldset>
        {
            let current = current.clone();
            move || ticked(ChangeItem::Address).then(|| view! {
                <h2 class="weui-cells__title">"住址"</h2>
                <div class="weui-cells weui-cells_form">
                    {current(ChangeItem::Address)}
                    <RegionPicker prefix="change_address_" divisions=divisions.clone()
                        code=Signal::derive(move || binding.read(|f| f.change_address_region.clone()))
                        on_change=Callback::new(move |code: String| binding.edit(move |f| f.change_address_region = code))
                        errors />
                    <Text field="change_address_street" label="新详细地址" binding errors multiline=true
                        get=|f| f.change_address_street.clone() set=|f, v| f.change_address_street = v />
                </div>
            })
        }
        {
            let current = current.clone();
            move || ticked(ChangeItem::Phone).then(|| view! {
                <h2 class="weui-cells__title">"联系电话"</h2>
                <div class="weui-cells weui-cells_form">
                    {current(ChangeItem::Phone)}
                    <Text field="change_phone" label="新联系电话" binding errors kind="tel"
                        get=|f| f.change_phone.clone() set=|f, v| f.change_phone = v />
                </div>
            })
        }
        {
            let current = current.clone();
            move || ticked(ChangeItem::LicenceClass).then(|| view! {
                <h2 class="weui-cells__title">"准驾车型"</h2>
                <div class="weui-cells weui-cells_form">
                    {current(ChangeItem::LicenceClass)}
                    <Choice field="change_licence_class" label="新准驾车型" options=options.clone() binding errors
                        get=|f| f.change_licence_class.clone() set=|f, v| f.change_licence_class = v />
                </div>
            })
        }
        {
            move || ticked(ChangeItem::Employer).then(|| view! {
                <h2 class="weui-cells__title">"服务单位"</h2>
                <div class="weui-cells weui-cells_form">
                    {current(ChangeItem::Employer)}
                    <Text field="change_employer" label="新服务单位" binding errors
                        get=|f| f.change_employer.clone() set=|f, v| f.change_employer = v />
                </div>
            })
        }
    }
}

/// 领取方式: the two choices, then the hall (with its address and hours) or the postal
/// address, its region chosen province → city → district.
#[component]
pub fn DeliveryFields(
    binding: InfoBinding,
    errors: Signal<Vec<FieldError>>,
    halls: Vec<ServiceHall>,
    divisions: Arc<Divisions>,
) -> impl IntoView {
    let method = Memo::new(move |_| binding.read(|f| f.method));
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
                        <p>"地址："{hall.address}</p>
                        <p>"办公时间："{hall.hours}</p>
                        <p>"咨询电话："{hall.phone}</p>
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
                    <RegionPicker prefix="" divisions=divisions.clone()
                        code=Signal::derive(move || binding.read(|f| f.region.clone()))
                        on_change=Callback::new(move |code: String| binding.edit(move |f| f.region = code))
                        errors />
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

/// One choice of several, as radios in a fieldset: the first radio carries the field's id, so
/// that the error summary's link lands on the group.
#[component]
pub fn Radios<T>(
    field: &'static str,
    legend: &'static str,
    options: Vec<(T, String)>,
    binding: InfoBinding,
    errors: Signal<Vec<FieldError>>,
    get: fn(&InfoForm) -> Option<T>,
    set: fn(&mut InfoForm, T),
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let radios = options
        .into_iter()
        .enumerate()
        .map(|(i, (value, text))| {
            let id = if i == 0 { field.to_owned() } else { format!("{field}-{i}") };
            let label_for = id.clone();
            let current = value.clone();
            view! {
                <label class="weui-cell weui-cell_active info-form__choice" for=label_for>
                    <div class="weui-cell__hd">
                        <input type="radio" class="info-form__radio" name=field id=id
                            aria-describedby=described_by(errors, field)
                            prop:checked=move || binding.read(|f| get(f).as_ref() == Some(&current))
                            on:change=move |_| {
                                let chosen = value.clone();
                                binding.edit(move |f| set(f, chosen));
                            } />
                    </div>
                    <div class="weui-cell__bd"><p>{text}</p></div>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="info-form__group" class:info-form__group_warn=move || error_for(&errors.read(), field).is_some()>
            <legend class="weui-cells__title">{legend}</legend>
            <div class="weui-cells">{radios}</div>
            <FieldMessage field errors />
        </fieldset>
    }
}

/// What an empty text field shows inside its box: an example where the format matters (a
/// mobile number, an address), else 请输入 and the label.
fn placeholder(label: &str, kind: &str) -> String {
    if kind == "tel" {
        "如 13812345678".to_owned()
    } else if label.ends_with("详细地址") {
        "如 新华大街1号2单元301室".to_owned()
    } else {
        format!("请输入{label}")
    }
}

/// A text field of the form, drawn as a box with its placeholder, so that an empty field is
/// seen as one to fill and not as a label with nothing beside it.
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
    let hint = placeholder(label, kind);
    let input = if multiline {
        let area = growing_text_area(move || {
            value();
        });
        view! {
            <textarea id=field class="weui-textarea info-form__input" rows="2" placeholder=hint node_ref=area
                aria-describedby=described_by(errors, field) prop:value=value on:input=on_input></textarea>
        }
        .into_any()
    } else {
        let mode = if kind == "tel" { "numeric" } else { "text" };
        view! {
            <input id=field class="weui-input info-form__input" type=kind inputmode=mode autocomplete="off" placeholder=hint
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

/// The node of a text area that is kept as tall as its text (an address runs long) whenever
/// `text` (read to be tracked) changes, typed or loaded. Measured after the frame's layout: a
/// box not yet in the page has no height to measure.
pub fn growing_text_area(text: impl Fn() + 'static) -> NodeRef<leptos::html::Textarea> {
    let area = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |_| {
        text();
        if let Some(area) = area.get() {
            request_animation_frame(move || crate::browser::fit_to_text(&area));
        }
    });
    area
}

#[cfg(test)]
mod tests {
    use super::placeholder;

    #[test]
    fn every_text_field_says_what_goes_in_it() {
        assert_eq!(placeholder("新联系电话", "tel"), "如 13812345678");
        assert_eq!(placeholder("新详细地址", "text"), "如 新华大街1号2单元301室");
        assert_eq!(placeholder("新服务单位", "text"), "请输入新服务单位");
        assert_eq!(placeholder("其他原因", "text"), "请输入其他原因");
    }
}
