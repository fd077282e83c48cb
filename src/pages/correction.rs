//! 补正: the driver changes what the clerk sent back (only that: the other answers are shown,
//! not editable) and submits the case again. What he types and uploads is kept for the tab,
//! so that a reload loses nothing.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::use_navigate,
    NavigateOptions,
};
use std::sync::Arc;

use taxicert_api::{divisions::Divisions, CaseDetail, CaseStatus, Correction, FormContext, Material, Resubmission, ServiceHall};

use crate::{
    api::ApiError,
    browser::{self, Keep},
    components::{
        error_summary::{ErrorSummary, FieldError},
        info_fields::{BusinessFields, InfoBinding},
        status::{ErrorPanel, Loading},
        uploader::{use_uploads, Slot, SlotSignal, Uploader},
    },
    correction::{check, correctable_field_of, CorrectionDraft},
    pages::case_detail::CasePage,
    state::draft::{answers, InfoForm, Shown},
    pages::apply::{answer_rows, info::needs_divisions},
    routes::Route,
    state::session::use_session,
    use_app,
};

#[component]
pub fn CorrectionPage() -> impl IntoView {
    view! {
        <CasePage title="补正材料" route=Route::CaseCorrection why="登录后可补正您的申请。" case=|id| view! { <CorrectionLoader id /> }.into_any() />
    }
}

#[derive(Clone)]
struct Loaded {
    case: CaseDetail,
    halls: Vec<ServiceHall>,
    materials: Vec<Material>,
    /// Empty for a business with no address.
    divisions: Arc<Divisions>,
}

#[component]
fn CorrectionLoader(id: String) -> impl IntoView {
    let api = use_app().api;
    let session = use_session();
    let loaded = LocalResource::new({
        let id = id.clone();
        move || {
            let (api, id) = (api.clone(), id.clone());
            async move {
                let (case, halls) = futures::try_join!(api.case(&id), api.service_halls())?;
                let business = case.summary.business;
                let divisions = async {
                    match needs_divisions(business) {
                        true => crate::divisions::load().await,
                        false => Ok(Arc::new(Divisions::default())),
                    }
                };
                let (detail, divisions) = futures::try_join!(api.business(business), divisions)?;
                Ok::<_, ApiError>(Loaded { case, halls, materials: detail.materials, divisions })
            }
        }
    });
    view! {
        <Transition fallback=Loading>
            {move || {
                let id = id.clone();
                Suspend::new(async move {
                    match loaded.await {
                        Ok(Loaded { case, halls, materials, divisions }) => match case.correction.clone() {
                            Some(correction) if case.summary.status == CaseStatus::Returned => {
                                view! { <CorrectionForm case correction halls materials divisions /> }.into_any()
                            }
                            _ => view! { <NothingToCorrect id /> }.into_any(),
                        },
                        Err(error) if error.is_unauthenticated() => {
                            session.ended();
                            view! { <Loading /> }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error on_retry=move |_| loaded.refetch() /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn NothingToCorrect(id: String) -> impl IntoView {
    view! {
        <div class="weui-msg" role="status">
            <div class="weui-msg__text-area">
                <h2 class="weui-msg__title">"这个办件当前不需要补正"</h2>
                <p class="weui-msg__desc">"它可能已经补正提交，或已被受理、办结。请在办件详情中查看办理进度。"</p>
            </div>
            <p class="weui-btn-area">
                <A href=crate::href(Route::Case(id))><span class="weui-btn weui-btn_primary">"查看办件详情"</span></A>
            </p>
        </div>
    }
}

/// The tab's copy of a case's correction.
fn kept_key(id: &str) -> String {
    format!("taxicert.correction.{}", crate::routes::opaque(id))
}

#[component]
fn CorrectionForm(
    case: CaseDetail,
    correction: Correction,
    halls: Vec<ServiceHall>,
    materials: Vec<Material>,
    divisions: Arc<Divisions>,
) -> impl IntoView {
    let app = use_app();
    let session = use_session();
    let navigate = use_navigate();
    let id = case.summary.id.clone();
    let business = case.summary.business;
    let key = kept_key(&id);
    let kept: Option<CorrectionDraft> = Keep::Tab.get(&key).and_then(|text| serde_json::from_str(&text).ok());
    let kept =
        kept.unwrap_or_else(|| CorrectionDraft { form: InfoForm::from_info(&case.info), ..CorrectionDraft::default() });
    let form = RwSignal::new(kept.form);
    let binding = InfoBinding::new(form.into(), move |edit| form.update(edit));

    // One uploader per flagged material, showing a photo uploaded before a reload.
    let slots: Vec<(Material, SlotSignal)> = materials
        .into_iter()
        .filter(|m| correction.materials.contains(&m.code))
        .map(|m| {
            let slot = use_uploads().slot(business, &format!("{}/{}", crate::routes::opaque(&id), m.code));
            if let Some(upload) = kept.uploads.get(&m.code) {
                if slot.with_untracked(|s| s.uploaded_id().is_none() && s.photo.is_none()) {
                    slot.set(Slot::stored(upload.clone(), app.api.upload_image_url(upload)));
                }
            }
            (m, slot)
        })
        .collect();
    let uploaded = {
        let slots = slots.clone();
        move || -> BTreeMap<String, String> {
            slots
                .iter()
                .filter_map(|(m, slot)| slot.with(|s| s.uploaded_id().map(|id| (m.code.clone(), id.to_owned()))))
                .collect()
        }
    };
    Effect::new({
        let (key, uploaded) = (key.clone(), uploaded.clone());
        move |_| {
            let draft = CorrectionDraft { form: form.get(), uploads: uploaded() };
            Keep::Tab.set(&key, &serde_json::to_string(&draft).expect("the correction serialises"));
        }
    });

    let errors = RwSignal::new(Vec::<FieldError>::new());
    let submission_key = StoredValue::new(browser::random_hex(16));
    let resubmit = Action::new_local({
        let (api, id) = (app.api.clone(), id.clone());
        move |resubmission: &Resubmission| {
            let (api, id, resubmission) = (api.clone(), id.clone(), resubmission.clone());
            async move { api.resubmit(&id, &resubmission, &submission_key.get_value()).await }
        }
    });
    Effect::new({
        let (id, key, flagged_materials) = (id.clone(), key.clone(), correction.materials.clone());
        move |_| match resubmit.value().get() {
            Some(Ok(_)) => {
                Keep::Tab.remove(&key);
                navigate(
                    &Route::Case(id.clone()).path(),
                    NavigateOptions { replace: true, ..NavigateOptions::default() },
                );
            }
            Some(Err(error)) if error.is_unauthenticated() => session.ended(),
            Some(Err(error)) => {
                // A material's refusal names its code: the summary links to its file input.
                let at = error.field().map(|field| match flagged_materials.contains(&field.to_owned()) {
                    true => crate::correction::material_input_id(field),
                    false => field.to_owned(),
                });
                errors.set(vec![match at {
                    Some(field) => FieldError::at(field, error.message()),
                    None => FieldError::form(error.message()),
                }]);
            }
            None => {}
        }
    });

    let hall_ids: Vec<String> = halls.iter().map(|h| h.id.clone()).collect();
    let on_submit = {
        let (correction, submitted, certificate, divisions) =
            (correction.clone(), case.photos.clone(), case.certificate.clone(), divisions.clone());
        move |_| {
            if resubmit.pending().get_untracked() {
                return;
            }
            let hall_exists = |id: &str| hall_ids.iter().any(|h| h == id);
            let context = FormContext { certificate: &certificate, hall_exists: &hall_exists, divisions: &divisions };
            let uploads = uploaded();
            let checked = form.with_untracked(|form| check(business, &correction, form, &context, &uploads, &submitted));
            match checked {
                Ok(info) => {
                    errors.set(Vec::new());
                    resubmit.dispatch(Resubmission { info, uploads });
                }
                Err(found) => errors.set(found.into_iter().map(|(field, message)| FieldError::at(field, message)).collect()),
            }
        }
    };

    let flagged: Arc<Vec<String>> = Arc::new(correction.fields.clone());
    let errors_signal = Signal::from(errors);
    // What was submitted and is not sent back stays as it was: shown, not editable.
    let unchanged: Vec<_> = answers(&case.info, Some(&case.certificate), &halls, Shown::Submitted)
        .into_iter()
        .filter(|a| !flagged.iter().any(|f| f == correctable_field_of(a.field)))
        .collect();
    let unchanged = (!unchanged.is_empty()).then(|| view! {
        <section class="summary">
            <div class="summary__hd"><h2 class="summary__title">"无需修改的内容"</h2></div>
            <dl class="summary__list">{answer_rows(unchanged)}</dl>
        </section>
    });
    let editable = {
        let flagged = flagged.clone();
        Arc::new(move |field: &str| flagged.iter().any(|f| f == field))
    };
    let any_field = !correction.fields.is_empty();
    view! {
        <ErrorSummary errors=errors_signal />
        <div class="case-correction">
            <p class="case-status__reason">"退回原因："{correction.reason.clone()}</p>
            <p>{format!("办件编号 {id}。请修改下面标出的内容，其余内容保持不变。")}</p>
        </div>
        <form novalidate class="info-form" on:submit=|ev| ev.prevent_default()>
            {any_field.then(|| view! { <h2 class="weui-cells__title">"需要修改的信息"</h2> })}
            <BusinessFields business binding errors=errors_signal certificate=case.certificate.clone() halls divisions editable />
        </form>
        {(!slots.is_empty()).then(|| view! {
            <h2 class="weui-cells__title">"需要重新上传的材料"</h2>
            <div class="materials">
                {slots.into_iter().map(|(material, state)| view! { <Uploader material state /> }).collect_view()}
            </div>
        })}
        {unchanged}
        <div class="weui-btn-area">
            <button type="button" class="weui-btn weui-btn_primary" disabled=move || resubmit.pending().get() on:click=on_submit>
                {move || if resubmit.pending().get() { "正在提交…" } else { "提交补正" }}
            </button>
        </div>
    }
}
