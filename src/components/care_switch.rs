//! The 关怀模式 switch, on 首页 and 我的 (see [`crate::state::care_mode`]).

use leptos::prelude::*;

use crate::state::care_mode::use_care_mode;

/// One row: the name, what it does and WeUI's switch; the whole row is the switch's label, so
/// it is tapped anywhere on it.
#[component]
pub fn CareModeSwitch() -> impl IntoView {
    let care = use_care_mode();
    view! {
        <div class="weui-cells care-switch">
            <label class="weui-cell weui-cell_switch care-switch__row" for="care-mode">
                <span class="weui-cell__bd">
                    <span class="care-switch__name">"关怀模式"</span>
                    <span class="care-switch__hint">"字更大、按钮更大，看得清、点得准"</span>
                </span>
                <span class="weui-cell__ft">
                    <input
                        id="care-mode"
                        class="weui-switch"
                        type="checkbox"
                        prop:checked=move || care.is_on()
                        on:change=move |ev| care.set(event_target_checked(&ev))
                    />
                </span>
            </label>
        </div>
    }
}
