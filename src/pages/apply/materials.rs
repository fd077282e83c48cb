//! 上传申请材料: one uploader per material of the business; 下一步 once every required one
//! shows 上传成功. The uploads are part of the draft, so a reload shows them again.

use leptos::prelude::*;
use taxicert_api::{BusinessDetail, Material, StepAnswers};

use super::{use_save_step, NextButton, WithBusiness};
use crate::{
    components::{
        error_summary::{ErrorSummary, FieldError},
        uploader::{use_uploads, Slot, SlotSignal, Uploader},
    },
    routes::WizardStep,
    use_app,
    state::draft::uploads_to_send,
    state::wizard::WizardDraft,
};

#[component]
pub fn MaterialsStep(draft: WizardDraft) -> impl IntoView {
    view! {
        <WithBusiness business=draft.business show=Callback::new(move |detail| view! { <Materials detail draft /> }.into_any()) />
    }
}

/// The uploader state of a material, showing the draft's stored photo when the uploader has
/// none (after a reload), and writing what it uploads or deletes back into the draft.
fn bind_slot(draft: WizardDraft, material: &Material) -> SlotSignal {
    let api = use_app().api;
    let slot = use_uploads().slot(draft.business, &material.code);
    let code = material.code.clone();
    let stored = draft.state.with_untracked(|s| s.uploads.get(&code).cloned());
    if let Some(id) = stored {
        if slot.with_untracked(|s| s.uploaded_id().is_none() && s.photo.is_none() && s.checking.is_none()) {
            slot.set(Slot::stored(id.clone(), api.upload_image_url(&id)));
        }
    }
    Effect::new(move |_| {
        let uploaded = slot.with(|s| s.uploaded_id().map(str::to_owned));
        let in_draft = draft.state.with_untracked(|s| s.uploads.get(&code).cloned());
        if uploaded != in_draft {
            draft.state.update(|s| match uploaded {
                Some(id) => {
                    s.uploads.insert(code.clone(), id);
                }
                None => {
                    s.uploads.remove(&code);
                }
            });
        }
    });
    slot
}

#[component]
fn Materials(detail: BusinessDetail, draft: WizardDraft) -> impl IntoView {
    let errors = RwSignal::new(Vec::<FieldError>::new());
    // The answers saved in the step before decide which materials apply (a damaged
    // certificate for 补发 because of 损毁, a driving licence for a 变更 of 准驾车型).
    let details = draft.state.with_untracked(|s| s.info.details(draft.business, None).ok());
    let applying: Vec<Material> = detail.materials.iter().filter(|m| m.applies(details.as_ref())).cloned().collect();
    let slots: Vec<(Material, SlotSignal)> = applying.iter().map(|m| (m.clone(), bind_slot(draft, m))).collect();
    let required: Vec<SlotSignal> = slots.iter().filter(|(m, _)| m.required).map(|(_, slot)| *slot).collect();
    let missing = move || required.iter().filter(|slot| slot.with(|s| s.uploaded_id().is_none())).count();
    let codes: Vec<String> = applying.iter().map(|m| m.code.clone()).collect();
    // A material's refusal links to its uploader.
    let at_uploader = {
        let codes = codes.clone();
        move |mut error: FieldError| {
            if let Some(code) = error.field.as_ref().filter(|f| codes.contains(f)) {
                error.field = Some(format!("material-{code}"));
            }
            error
        }
    };
    let save = use_save_step(draft, WizardStep::Materials, errors, at_uploader);
    let pending = save.pending();
    // An upload kept in the draft for a material that no longer applies (the reason changed
    // from 损毁 to 遗失) stays on the phone in case the answer changes back, but is not sent.
    let applying_uploads = move || {
        draft.state.with_untracked(|s| uploads_to_send(&detail.materials, details.as_ref(), &s.uploads))
    };
    view! {
        <ErrorSummary errors=Signal::from(errors) />
        <p class="materials__intro">"请按示例拍摄或从相册选择照片（jpg、png格式，不超过50\u{a0}MB），手机会先检查并压缩后再上传；检查有提示时，可以重拍，也可以仍然使用。"</p>
        <h2 class="weui-cells__title">"申请材料"</h2>
        {slots.into_iter().map(|(material, slot)| view! { <Uploader material state=slot /> }).collect_view()}
        {move || match missing() {
            0 => {
                let applying_uploads = applying_uploads.clone();
                view! { <NextButton pending=pending.into() on_next=Callback::new(move |()| {
                    save.dispatch(StepAnswers::Materials { uploads: applying_uploads() });
                }) /> }.into_any()
            }
            n => view! {
                <div class="weui-btn-area">
                    <button type="button" class="weui-btn weui-btn_primary" disabled=true>"下一步"</button>
                    <p class="materials__missing">{format!("还有{n}项必传材料未上传成功。")}</p>
                </div>
            }
            .into_any(),
        }}
    }
}

