//! 核对信息: every answer, each business its own, each section with 修改 (which comes back here), then 提交 with an idempotency
//! key kept in the draft: however often it is tapped or retried, the server makes one case.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_navigate, NavigateOptions};
use std::sync::Arc;

use taxicert_api::{divisions::Divisions, BusinessDetail, CaseSummary, Certificate, Profile, ServiceHall, Submission};

use crate::{
    api::ApiError,
    browser,
    components::{
        error_summary::{ErrorSummary, FieldError},
        status::{ErrorPanel, Loading},
    },
    state::draft::{answers, Answer, DraftState, Shown},
    routes::{Route, WizardStep},
    state::session::use_session,
    use_app,
    state::wizard::{Load, WizardDraft},
};

/// The case just submitted in this tab, for the success page.
#[derive(Clone, Copy)]
pub struct LastSubmitted(pub RwSignal<Option<CaseSummary>>);

#[derive(Clone)]
struct Facts {
    detail: BusinessDetail,
    certificates: Vec<Certificate>,
    profile: Profile,
    halls: Vec<ServiceHall>,
    divisions: Arc<Divisions>,
}

#[component]
pub fn ReviewStep(draft: WizardDraft) -> impl IntoView {
    let api = use_app().api;
    let business = draft.business;
    let facts = LocalResource::new(move || {
        let api = api.clone();
        async move {
            let detail = api.business(business);
            let (detail, super::info::Lookups { profile, halls, certificates, divisions, .. }) =
                futures::try_join!(detail, super::info::lookups(api.clone(), business, false))?;
            Ok::<_, ApiError>(Facts { detail, certificates, profile, halls, divisions })
        }
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match facts.await {
                    Ok(facts) => view! { <Review draft facts /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error on_retry=move |_| facts.refetch() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One row of the answers: the question and the answer.
pub fn row(label: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="summary__row">
            <dt class="summary__key">{label}</dt>
            <dd class="summary__value">{value}</dd>
        </div>
    }
}

/// Every answer of an application, each business its own ([`crate::state::draft::answers`]), as rows.
pub fn answer_rows(answers: Vec<Answer>) -> impl IntoView {
    answers.into_iter().map(|a| row(a.label, a.value)).collect_view()
}

/// A section of the answers with its 修改 link.
#[component]
fn Section(title: &'static str, draft: WizardDraft, step: WizardStep, children: Children) -> impl IntoView {
    let href = format!("{}?from=review", crate::href(Route::Apply(draft.business, step)));
    view! {
        <section class="summary">
            <div class="summary__hd">
                <h2 class="summary__title">{title}</h2>
                <A href=href attr:class="summary__change" attr:aria-label=format!("修改{title}")>
                    "修改"
                </A>
            </div>
            <dl class="summary__list">{children()}</dl>
        </section>
    }
}

#[component]
fn Review(draft: WizardDraft, facts: Facts) -> impl IntoView {
    let api = use_app().api;
    let session = use_session();
    let navigate = use_navigate();
    let last = expect_context::<LastSubmitted>();
    let Facts { detail, certificates, profile, halls, divisions } = facts;
    let business = draft.business;
    let state: DraftState = draft.state.get_untracked();
    if state.submit_key.is_none() {
        draft.state.update(|s| s.submit_key = Some(browser::random_hex(16)));
    }

    let certificate = state.certificate_id.as_ref().and_then(|id| certificates.iter().find(|c| &c.id == id)).cloned();
    // As saved in 填写申请信息 (the step before checked it), with the regions named.
    let (info, _) = state.info.checked_as_sent(business, &divisions);
    let answers = answers(&info, certificate.as_ref(), &halls, Shown::Confirming);

    let errors = RwSignal::new(Vec::<FieldError>::new());
    // The open application of a 409 `duplicate_application`, to follow instead.
    let open_case = RwSignal::new(None::<String>);
    let submit = Action::new_local({
        let api = api.clone();
        move |(): &()| {
            let api = api.clone();
            let (revision, key) =
                draft.state.with_untracked(|s| (s.base_revision.unwrap_or_default(), s.submit_key.clone()));
            let key = key.unwrap_or_else(|| browser::random_hex(16));
            async move { api.submit(&Submission { business, revision }, &key).await }
        }
    });
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(case)) => {
            last.0.set(Some(case));
            draft.forget();
            // Back from the success page goes where the wizard began, not to a spent draft.
            navigate(
                &Route::Apply(business, WizardStep::Submitted).path(),
                NavigateOptions { replace: true, ..NavigateOptions::default() },
            );
        }
        Some(Err(error)) if error.is_unauthenticated() => session.ended(),
        Some(Err(error)) => {
            if error.code() == Some("draft_changed") {
                // Show what the server holds now; the user checks it again.
                draft.load.set(Load::NotLoaded);
            }
            open_case.set(error.case_id().map(str::to_owned));
            errors.set(vec![FieldError::form(error.message())]);
        }
        None => {}
    });

    let details = info.details.clone();
    let materials: Vec<_> = detail
        .materials
        .iter()
        .filter(|m| m.applies(Some(&details)))
        .map(|m| (m.name.clone(), m.required, state.uploads.get(&m.code).map(|id| api.upload_image_url(id))))
        .collect();
    let certificate_rows = match certificate {
        Some(c) => view! {
            {row("证件类型", format!("{}从业资格证", c.kind.name()))}
            {row("证号", c.number)}
            {row("发证机关", c.authority)}
            {row("有效期至", c.valid_until)}
            {c.notice.map(|n| row("提示", n))}
        }
        .into_any(),
        None => row("证件", "所选证件已不可办理，请点击“修改”重新选择".into()).into_any(),
    };
    view! {
        <ErrorSummary errors=Signal::from(errors) />
        {move || open_case.get().map(|id| view! {
            <p class="review__open-case">
                <A href=crate::href(Route::Case(id.clone()))>{format!("查看办件 {id}")}</A>
            </p>
        })}
        <p class="page-lead">"请核对以下信息，确认无误后点击“提交”。"</p>
        <section class="summary">
            <div class="summary__hd"><h2 class="summary__title">"办理业务"</h2></div>
            <dl class="summary__list">{row("业务名称", detail.name)}</dl>
        </section>
        <Section title="从业资格证" draft step=WizardStep::Certificate>{certificate_rows}</Section>
        <Section title="申请信息" draft step=WizardStep::PersonalInfo>
            {row("姓名", profile.name)}
            {answer_rows(answers)}
        </Section>
        <Section title="申请材料" draft step=WizardStep::Materials>
            {materials
                .into_iter()
                .map(|(name, required, image)| {
                    view! {
                        <div class="summary__row">
                            <dt class="summary__key">{name.clone()}</dt>
                            <dd class="summary__value">
                                {match (image, required) {
                                    (Some(src), _) => view! { <img class="summary__photo" src=src alt=format!("已上传的{name}") /> }.into_any(),
                                    (None, false) => view! { <span>"未上传（选传）"</span> }.into_any(),
                                    (None, true) => view! { <span class="field-error">"未上传（必传），请点击“修改”上传"</span> }.into_any(),
                                }}
                            </dd>
                        </div>
                    }
                })
                .collect_view()}
        </Section>
        <div class="weui-btn-area">
            <button
                type="button"
                class="weui-btn weui-btn_primary"
                disabled=move || submit.pending().get()
                on:click=move |_| {
                    if !submit.pending().get_untracked() {
                        submit.dispatch(());
                    }
                }
            >
                {move || if submit.pending().get() { "正在提交…" } else { "提交" }}
            </button>
        </div>
    }
}
