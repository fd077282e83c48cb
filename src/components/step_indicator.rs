use leptos::prelude::*;

use crate::routes::WizardStep;

/// 第 n 步 / 共 6 步, with the step's name for screen readers.
#[component]
pub fn StepIndicator(step: WizardStep) -> impl IntoView {
    let total = WizardStep::ALL.len();
    let number = step.number();
    view! {
        <div class="step-indicator">
            <span aria-hidden="true">{format!("第 {number} 步 / 共 {total} 步")}</span>
            <span class="visually-hidden">{format!("第 {number} 步，共 {total} 步：{}", step.title())}</span>
            <progress class="step-indicator__bar" max=total value=number aria-hidden="true"></progress>
        </div>
    }
}
