//! 须知: the notice and the materials, in a box the user scrolls through; 同意并确认 is
//! enabled once he has reached its end.

use leptos::{html, prelude::*};
use leptos_router::{hooks::use_navigate, NavigateOptions};
use taxicert_api::{BusinessCode, BusinessDetail, DraftStep, Material, MaterialCondition};

use super::WithBusiness;
use crate::{
    browser,
    components::{layout::PageTitle, step_indicator::StepIndicator},
    routes::{Route, WizardStep},
    state::wizard::{agreed_key, use_wizard, Load},
};

#[component]
pub fn NoticeStep(business: BusinessCode) -> impl IntoView {
    view! { <WithBusiness business show=Callback::new(|detail| view! { <Notice detail /> }.into_any()) /> }
}

#[component]
fn Notice(detail: BusinessDetail) -> impl IntoView {
    let business = detail.code;
    let wizard = use_wizard();
    let navigate = use_navigate();
    let scroller = NodeRef::<html::Div>::new();
    let read_to_end = RwSignal::new(false);
    let check_end = move || {
        if let Some(element) = scroller.get_untracked() {
            // A pixel of slack for fractional scroll positions on high-density screens.
            if element.scroll_top() + element.client_height() + 2 >= element.scroll_height() {
                read_to_end.set(true);
            }
        }
    };
    // A notice short enough to fit has been read once it is shown.
    Effect::new(move |_| {
        if scroller.get().is_some() {
            request_animation_frame(check_end);
        }
    });
    let agree = move |_| {
        browser::Keep::Tab.set(&agreed_key(business), "1");
        let draft = wizard.draft(business);
        let saved = draft.state.with_untracked(|s| s.done.contains(&DraftStep::Notice));
        if !saved {
            // Resumed again on the next step, which saves the agreement.
            draft.load.set(Load::NotLoaded);
        }
        navigate(&Route::Apply(business, WizardStep::Certificate).path(), NavigateOptions::default());
    };
    view! {
        <StepIndicator step=WizardStep::Notice />
        <PageTitle title=format!("{}业务须知", detail.name) />
        <div
            class="notice"
            node_ref=scroller
            tabindex="0"
            role="region"
            aria-label="业务须知全文"
            on:scroll=move |_| check_end()
        >
            <article class="weui-article notice__text">
                {detail.notice.into_iter().map(|paragraph| view! { <p>{paragraph}</p> }).collect_view()}
            </article>
            <h2 class="notice__subtitle">"需上传的材料"</h2>
            <ul class="material-list">
                {detail
                    .materials
                    .into_iter()
                    .map(|material| {
                        let needed = need(&material);
                        view! {
                            <li class="material-list__item">
                                <span class="material-list__name">{material.name}</span>
                                <span class="material-list__need">{needed}</span>
                                <span class="material-list__hint">{material.hint}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="notice__end">"— 须知到此结束 —"</p>
        </div>
        <div class="weui-btn-area">
            <button type="button" class="weui-btn weui-btn_primary" disabled=move || !read_to_end.get() on:click=agree>
                "同意并确认"
            </button>
            <p class="notice__hint" aria-live="polite">
                {move || (!read_to_end.get()).then_some("请将须知滑动到底部，阅读完毕后点击“同意并确认”。")}
            </p>
        </div>
    }
}

/// Whether a material must be uploaded, and with which answers when it depends on them:
/// `必传`, `选传`, `损毁时必传`, `变更住址时必传`.
pub fn need(material: &Material) -> String {
    let need = if material.required { "必传" } else { "选传" };
    match &material.condition {
        None => need.to_owned(),
        Some(MaterialCondition::ReissueReason { reason }) => format!("{}时{need}", reason.name()),
        Some(MaterialCondition::Change { item }) => format!("变更{}时{need}", item.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn material(required: bool, condition: Option<&str>) -> Material {
        serde_json::from_value(serde_json::json!({
            "code": "m", "name": "m", "hint": "", "required": required, "sample": "",
            "photo": {"kind": "document", "min_width": 1000, "min_height": 700},
            "condition": condition.and_then(MaterialCondition::parse_code),
        }))
        .unwrap()
    }

    #[test]
    fn a_material_that_follows_the_answers_says_with_which() {
        assert_eq!(need(&material(true, None)), "必传");
        assert_eq!(need(&material(false, None)), "选传");
        assert_eq!(need(&material(true, Some("reissue_reason=damaged"))), "损毁时必传");
        assert_eq!(need(&material(false, Some("reissue_reason=lost"))), "遗失时选传");
        assert_eq!(need(&material(true, Some("change=employer"))), "变更服务单位时必传");
    }
}
