//! 省份 → 城市 → 区县: the region of an address chosen from the GB/T 2260 divisions, as three
//! native selects in WeUI cells. The picker keeps no state of its own: it shows the one code
//! it is given (the deepest division chosen) and says which code a choice makes, so that the
//! form's draft stays the single source of truth.

use leptos::prelude::*;
use taxicert_api::divisions::Divisions;

use crate::components::error_summary::{error_for, FieldError};

/// The three selects' codes for `code`: province, city and district, `""` where none is
/// chosen. A code no longer in the data shows what is left of its path (the province and city
/// that still exist), so that only the missing part must be chosen again.
pub fn chosen(divisions: &Divisions, code: &str) -> (String, String, String) {
    let path = divisions.path(code);
    match path.as_slice() {
        [province, rest @ ..] if province.code.ends_with("0000") => (
            province.code.clone(),
            rest.first().map(|d| d.code.clone()).unwrap_or_default(),
            rest.get(1).map(|d| d.code.clone()).unwrap_or_default(),
        ),
        _ => Default::default(),
    }
}

/// The code that choosing `picked` (`""` for 请选择) in a select makes, given the code of the
/// level above (`""` for the province select).
pub fn after_choice(above: &str, picked: &str) -> String {
    if picked.is_empty() { above } else { picked }.to_owned()
}

#[component]
pub fn RegionPicker(
    /// Prefix of the element ids and error fields: "" gives ids `province`, `city`, `district`; "change_address_" gives `change_address_province` …
    prefix: &'static str,
    divisions: std::sync::Arc<Divisions>,
    /// The chosen code: "" (nothing), a province code, a city code or a county code (the deepest chosen).
    #[prop(into)]
    code: Signal<String>,
    on_change: Callback<String>,
    errors: Signal<Vec<crate::components::error_summary::FieldError>>,
) -> impl IntoView {
    let shown = {
        let divisions = divisions.clone();
        Memo::new(move |_| code.with(|code| chosen(&divisions, code)))
    };
    let province = Memo::new(move |_| shown.with(|s| s.0.clone()));
    let city = Memo::new(move |_| shown.with(|s| s.1.clone()));
    let district = Memo::new(move |_| shown.with(|s| s.2.clone()));

    let province_options: Vec<(String, String)> =
        divisions.provinces().into_iter().map(|d| (d.code.clone(), d.name.clone())).collect();
    let city_options = {
        let divisions = divisions.clone();
        Memo::new(move |_| options(&divisions, &province.read()))
    };
    let district_options = {
        let divisions = divisions.clone();
        Memo::new(move |_| options(&divisions, &city.read()))
    };
    // Hidden, not disabled, where the chosen city has no county-level divisions (东莞市).
    let district_shown = move || city.read().is_empty() || !district_options.read().is_empty();

    view! {
        <RegionSelect
            id=format!("{prefix}province")
            label="省份"
            options=Signal::derive(move || province_options.clone())
            value=province
            enabled=true
            errors
            on_pick=Callback::new(move |picked: String| on_change.run(after_choice("", &picked)))
        />
        <RegionSelect
            id=format!("{prefix}city")
            label="城市"
            options=city_options
            value=city
            enabled=Signal::derive(move || !province.read().is_empty())
            errors
            on_pick=Callback::new(move |picked: String| on_change.run(after_choice(&province.get_untracked(), &picked)))
        />
        <Show when=district_shown>
            <RegionSelect
                id=format!("{prefix}district")
                label="区县"
                options=district_options
                value=district
                enabled=Signal::derive(move || !city.read().is_empty())
                errors
                on_pick=Callback::new(move |picked: String| on_change.run(after_choice(&city.get_untracked(), &picked)))
            />
        </Show>
    }
}

/// The divisions below `code` as (code, name) options; none below nothing.
fn options(divisions: &Divisions, code: &str) -> Vec<(String, String)> {
    if code.is_empty() {
        return Vec::new();
    }
    divisions.children(code).into_iter().map(|d| (d.code.clone(), d.name.clone())).collect()
}

/// One select in its cell, with its label, its inline message and the `aria-describedby`
/// that links the two (as [`crate::components::info_fields::Choice`], with an owned id).
#[component]
fn RegionSelect(
    id: String,
    label: &'static str,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] enabled: Signal<bool>,
    errors: Signal<Vec<FieldError>>,
    on_pick: Callback<String>,
) -> impl IntoView {
    let message = {
        let id = id.clone();
        Memo::new(move |_| error_for(&errors.read(), &id))
    };
    let message_id = format!("{id}-error");
    let described_by = {
        let message_id = message_id.clone();
        move || message.read().as_ref().map(|_| message_id.clone())
    };
    view! {
        <div class="weui-cell weui-cell_select weui-cell_select-after region-picker__cell"
            class:weui-cell_warn=move || message.read().is_some()>
            <div class="weui-cell__hd"><label class="weui-label" for=id.clone()>{label}</label></div>
            <div class="weui-cell__bd">
                <select id=id.clone() class="weui-select" aria-describedby=described_by
                    prop:value=move || value.get()
                    disabled=move || !enabled.get()
                    on:change=move |ev| on_pick.run(event_target_value(&ev))
                >
                    <option value="" prop:selected=move || value.read().is_empty()>"请选择"</option>
                    <For
                        each=move || options.get()
                        key=|(code, _)| code.clone()
                        children=move |(code, name)| {
                            let current = code.clone();
                            view! { <option value=code prop:selected=move || *value.read() == current>{name}</option> }
                        }
                    />
                </select>
            </div>
        </div>
        {move || message.get().map(|text| view! { <p class="field-error" id=message_id.clone()>{text}</p> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "110000\t北京市\n110100\t市辖区\n110101\t东城区\n150000\t内蒙古自治区\n150100\t呼和浩特市\n150102\t新城区\n440000\t广东省\n441900\t东莞市\n";

    fn own(a: &str, b: &str, c: &str) -> (String, String, String) {
        (a.to_owned(), b.to_owned(), c.to_owned())
    }

    #[test]
    fn a_saved_code_restores_the_three_selects() {
        let d = Divisions::parse(SAMPLE).unwrap();
        assert_eq!(chosen(&d, ""), own("", "", ""));
        assert_eq!(chosen(&d, "150000"), own("150000", "", ""));
        assert_eq!(chosen(&d, "150100"), own("150000", "150100", ""));
        assert_eq!(chosen(&d, "150102"), own("150000", "150100", "150102"));
        assert_eq!(chosen(&d, "441900"), own("440000", "441900", ""));
        // A county gone from the data keeps its province and city; an unknown province, nothing.
        assert_eq!(chosen(&d, "150199"), own("150000", "150100", ""));
        assert_eq!(chosen(&d, "990101"), own("", "", ""));
        assert_eq!(chosen(&d, "新城区"), own("", "", ""));
    }

    #[test]
    fn a_choice_resets_what_is_below_it() {
        assert_eq!(after_choice("", "150000"), "150000");
        assert_eq!(after_choice("", ""), "");
        assert_eq!(after_choice("150000", "150100"), "150100");
        assert_eq!(after_choice("150000", ""), "150000", "请选择 as city leaves the province");
        assert_eq!(after_choice("150100", ""), "150100");
        assert_eq!(options(&Divisions::parse(SAMPLE).unwrap(), "441900"), Vec::<(String, String)>::new());
    }
}
