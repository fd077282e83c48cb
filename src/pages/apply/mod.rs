//! The business wizard: 须知 → 选择从业资格证 → 填写申请信息 → 上传申请材料 → 核对信息 → 提交成功.
//! Each step is its own route, so that the browser's back button goes one step back; the
//! answers live in the business's draft ([`crate::state::wizard`]), so that nothing is lost on the way.

mod certificate;
pub(crate) mod info;
mod materials;
mod notice;
mod review;
mod submitted;

pub use review::{answer_rows, row, LastSubmitted};
pub use submitted::due_date;

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map},
    NavigateOptions,
};
use taxicert_api::{BusinessCode, BusinessDetail, DraftStep, RealNameStatus, StepAnswers};

use crate::{
    api::ApiError,
    state::draft::DraftState,
    components::{
        error_summary::FieldError,
        layout::PageTitle,
        login_prompt::LoginPrompt,
        status::{ErrorPanel, Loading},
        step_indicator::StepIndicator,
    },
    pages::not_found::NotFoundPage,
    routes::{Route, WizardStep},
    state::session::use_session,
    use_app,
    state::wizard::{use_wizard, Load, WizardDraft},
};

#[component]
pub fn ApplyPage() -> impl IntoView {
    let params = use_params_map();
    let target = Memo::new(move |_| {
        let params = params.read();
        let business = params.get("business").and_then(|b| BusinessCode::parse(&b))?;
        let step = match params.get("step") {
            None => WizardStep::Notice,
            Some(segment) => WizardStep::from_segment(&segment)?,
        };
        Some((business, step))
    });
    move || match target.get() {
        None => view! { <NotFoundPage /> }.into_any(),
        Some((business, WizardStep::Notice)) => view! { <notice::NoticeStep business /> }.into_any(),
        Some((business, step)) => {
            crate::browser::scroll_to_top();
            view! { <LaterStep business step /> }.into_any()
        }
    }
}

/// Loads the business from the catalogue and shows it with `show`, or the error with 重试.
#[component]
fn WithBusiness(business: BusinessCode, show: Callback<BusinessDetail, AnyView>) -> impl IntoView {
    let api = use_app().api;
    let detail = LocalResource::new(move || {
        let api = api.clone();
        async move { api.business(business).await }
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => show.run(detail),
                    Err(error) => view! { <ErrorPanel error on_retry=move |_| detail.refetch() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The saved step that must be done before a wizard step can be shown.
fn needs(step: WizardStep) -> DraftStep {
    match step {
        WizardStep::Notice | WizardStep::Certificate => DraftStep::Notice,
        WizardStep::PersonalInfo => DraftStep::Certificate,
        WizardStep::Materials => DraftStep::PersonalInfo,
        WizardStep::Review | WizardStep::Submitted => DraftStep::Materials,
    }
}

/// The wizard step where a saved step is answered.
pub fn step_of(saved: DraftStep) -> WizardStep {
    match saved {
        DraftStep::Notice => WizardStep::Notice,
        DraftStep::Certificate => WizardStep::Certificate,
        DraftStep::PersonalInfo => WizardStep::PersonalInfo,
        DraftStep::Materials => WizardStep::Materials,
    }
}

/// The steps after the notice need a signed-in, verified driver and his resumed draft.
#[component]
fn LaterStep(business: BusinessCode, step: WizardStep) -> impl IntoView {
    let session = use_session();
    let answered = use_wizard().draft(business).state;
    let gate = move || {
        match session.me() {
        None => {
            let why = if answered.with_untracked(DraftState::has_answers) {
                "网上办理业务前请先用手机号登录；您已填写的内容会保留。"
            } else {
                "网上办理业务前请先用手机号登录，登录后回到这一步继续办理。"
            };
            view! { <LoginPrompt next=Route::Apply(business, step) why /> }.into_any()
        }
        Some(me) if me.realname_status != RealNameStatus::Approved => {
            expect_context::<crate::pages::realname::RealNameDraft>().return_to.set(Some(Route::Apply(business, step)));
            view! {
            <div class="weui-msg" role="alert">
                <div class="weui-msg__text-area">
                    <h2 class="weui-msg__title">"请先完成实名认证"</h2>
                    <p class="weui-msg__desc">"办理从业资格证业务需要先完成实名认证。"</p>
                </div>
                <div class="weui-msg__opr-area">
                    <p class="weui-btn-area">
                        <A href=crate::href(Route::RealName)>
                            <span class="weui-btn weui-btn_primary">"去实名认证"</span>
                        </A>
                    </p>
                </div>
            </div>
            }
            .into_any()
        }
        Some(_) if step == WizardStep::Submitted => view! { <submitted::Submitted business /> }.into_any(),
        Some(me) => view! { <DraftGate business step owner=me.phone_masked /> }.into_any(),
    }
    };
    view! {
        <StepIndicator step />
        <PageTitle title=step.title() />
        {gate}
    }
}

/// Resumes the draft, sends the user back to the first step he has not saved, else shows
/// the step.
#[component]
fn DraftGate(business: BusinessCode, step: WizardStep, owner: String) -> impl IntoView {
    let api = use_app().api;
    let session = use_session();
    let draft = use_wizard().draft(business);
    // Resumed now, and again whenever it is dropped (a retry, or a draft changed elsewhere).
    Effect::new(move |_| {
        if draft.load.get() == Load::NotLoaded {
            draft.ensure_loaded(api.clone(), owner.clone());
        }
    });
    let load = Memo::new(move |_| draft.load.get());
    // A memo, so that typing in the step does not redraw it.
    let missing = Memo::new(move |_| draft.state.with(|s| s.first_missing_through(needs(step))));
    let retry = move |_| draft.load.set(Load::NotLoaded);
    let last = expect_context::<LastSubmitted>();
    move || match load.get() {
        Load::NotLoaded | Load::Loading => view! { <Loading /> }.into_any(),
        Load::Failed(error) if error.is_unauthenticated() => {
            session.ended();
            view! { <Loading /> }.into_any()
        }
        Load::Failed(error) => view! { <ErrorPanel error on_retry=retry /> }.into_any(),
        Load::Ready => match missing.get() {
            Some(first) => match last.0.get_untracked().filter(|case| case.business == business) {
                Some(case) => view! { <AlreadySubmitted case /> }.into_any(),
                // After a reload the tab no longer knows: an empty draft may be one just
                // submitted (the server drops the draft with 提交), so the cases are asked.
                None if !draft.state.with_untracked(DraftState::has_answers) => {
                    view! { <MissingOrSubmitted business first /> }.into_any()
                }
                None => view! { <MissingStep business first /> }.into_any(),
            },
            None => match step {
                WizardStep::Certificate => view! { <certificate::CertificateStep draft /> }.into_any(),
                WizardStep::PersonalInfo => view! { <info::InfoStep draft /> }.into_any(),
                WizardStep::Materials => view! { <materials::MaterialsStep draft /> }.into_any(),
                _ => view! { <review::ReviewStep draft /> }.into_any(),
            },
        },
    }
}

/// A step of the application submitted a moment ago (back from 提交成功): says that it went
/// through, with the case, rather than 请按顺序办理, which reads as if it had not.
#[component]
fn AlreadySubmitted(case: taxicert_api::CaseSummary) -> impl IntoView {
    view! {
        <div class="weui-msg" role="status">
            <div class="weui-msg__icon-area"><i class="weui-icon-success weui-icon_msg" aria-hidden="true"></i></div>
            <div class="weui-msg__text-area">
                <h2 class="weui-msg__title">"这项申请已经提交"</h2>
                <p class="weui-msg__desc">
                    {format!("{}申请已提交，办件编号 {}。点击“查看办件”可查看办理进度。", case.business_name, case.id)}
                </p>
            </div>
            <div class="weui-msg__opr-area">
                <p class="weui-btn-area">
                    <A href=crate::href(Route::Case(case.id.clone()))>
                        <span class="weui-btn weui-btn_primary">"查看办件"</span>
                    </A>
                    <A href=crate::href(Route::Home)>
                        <span class="weui-btn weui-btn_default">"返回首页"</span>
                    </A>
                </p>
            </div>
        </div>
    }
}

/// How long after 提交 a step of the same business, opened with an empty draft, says
/// 这项申请已经提交 rather than 请按顺序办理: the browser's back button within a visit.
const JUST_SUBMITTED_SECONDS: i64 = 60 * 60;

/// The case of `business` submitted in the last [`JUST_SUBMITTED_SECONDS`] before `now` (Unix
/// seconds), the newest if several.
fn just_submitted(cases: Vec<taxicert_api::CaseSummary>, business: BusinessCode, now: i64) -> Option<taxicert_api::CaseSummary> {
    cases
        .into_iter()
        .filter(|c| c.business == business && now - c.submitted_at <= JUST_SUBMITTED_SECONDS)
        .max_by_key(|c| c.submitted_at)
}

/// [`AlreadySubmitted`] for a case of the business just submitted, else [`MissingStep`]; a
/// failure to ask the server is no reason to hide the way on.
#[component]
fn MissingOrSubmitted(business: BusinessCode, first: DraftStep) -> impl IntoView {
    let api = use_app().api;
    let recent = LocalResource::new(move || {
        let api = api.clone();
        async move {
            let now = (crate::browser::now_ms() / 1000.0) as i64;
            api.cases().await.ok().and_then(|cases| just_submitted(cases, business, now))
        }
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match recent.await {
                    Some(case) => view! { <AlreadySubmitted case /> }.into_any(),
                    None => view! { <MissingStep business first /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A step opened before the ones it needs: says which, with a link there.
#[component]
fn MissingStep(business: BusinessCode, first: DraftStep) -> impl IntoView {
    let target = crate::href(Route::Apply(business, step_of(first)));
    view! {
        <div class="weui-msg" role="alert">
            <div class="weui-msg__text-area">
                <h2 class="weui-msg__title">"请按顺序办理"</h2>
                <p class="weui-msg__desc">{first.missing_message()}</p>
            </div>
            <div class="weui-msg__opr-area">
                <p class="weui-btn-area">
                    <A href=target>
                        <span class="weui-btn weui-btn_primary">{format!("前往“{}”", step_of(first).title())}</span>
                    </A>
                </p>
            </div>
        </div>
    }
}

/// Whether the step was opened with 修改 from 核对信息: 下一步 then returns there.
fn opened_from_review() -> Signal<bool> {
    let query = use_query_map();
    Signal::derive(move || query.read().get("from").as_deref() == Some("review"))
}

/// The label of the button that saves a step.
fn next_label(from_review: bool, pending: bool) -> &'static str {
    match (pending, from_review) {
        (true, _) => "正在保存…",
        (false, true) => "保存并返回核对",
        (false, false) => "下一步",
    }
}

/// Saves a step's answers for its 下一步 (whose button shows `pending()`): saved, the wizard
/// goes on to the next step, or back to 核对信息; refused, the server's message shows at the
/// field `at_field` names for it. Call in a step's body.
fn use_save_step(
    draft: WizardDraft,
    step: WizardStep,
    errors: RwSignal<Vec<FieldError>>,
    at_field: impl Fn(FieldError) -> FieldError + 'static,
) -> Action<StepAnswers, Result<(), ApiError>> {
    let api = use_app().api;
    let session = use_session();
    let navigate = use_navigate();
    let from_review = opened_from_review();
    let save = Action::new_local(move |answers: &StepAnswers| {
        let (api, answers) = (api.clone(), answers.clone());
        async move { draft.save(&api, answers).await }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(())) => {
            let next = if from_review.get_untracked() {
                // An answer that asks for another material (损毁 instead of 遗失, one more
                // 变更 item) undoes the materials step on the server: that step comes first.
                let missing = draft.state.with_untracked(|s| s.first_missing_through(DraftStep::Materials));
                missing.map_or(WizardStep::Review, step_of)
            } else {
                step.next().unwrap_or(WizardStep::Review)
            };
            navigate(&Route::Apply(draft.business, next).path(), NavigateOptions::default());
        }
        Some(Err(error)) => errors.set(refusal(error, session).into_iter().map(&at_field).collect()),
        None => {}
    });
    save
}

/// A refusal of the server, at the field it names; an ended session shows the login prompt
/// instead (the answers stay).
fn refusal(error: ApiError, session: crate::state::session::Session) -> Vec<FieldError> {
    if error.is_unauthenticated() {
        session.ended();
        return Vec::new();
    }
    vec![FieldError { field: error.field().map(str::to_owned), message: error.message() }]
}

/// The 下一步 button of a step, disabled while its answers are saved.
#[component]
fn NextButton(pending: Signal<bool>, on_next: Callback<()>) -> impl IntoView {
    let from_review = opened_from_review();
    view! {
        <div class="weui-btn-area">
            <button
                type="button"
                class="weui-btn weui-btn_primary"
                disabled=move || pending.get()
                on:click=move |_| on_next.run(())
            >
                {move || next_label(from_review.get(), pending.get())}
            </button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use taxicert_api::{BusinessCode, CaseStatus, CaseSummary};

    fn case(id: &str, business: BusinessCode, submitted_at: i64) -> CaseSummary {
        CaseSummary {
            id: id.into(),
            business,
            business_name: String::new(),
            status: CaseStatus::Submitted,
            submitted_at,
            accept_by: String::new(),
            decide_by: String::new(),
            due_dates_estimated: false,
            changed: false,
        }
    }

    #[test]
    fn only_a_case_of_the_business_from_the_last_hour_counts_as_just_submitted() {
        let now = 1_800_000_000;
        let cases = || {
            vec![
                case("old", BusinessCode::Renewal, now - 2 * 3600),
                case("other", BusinessCode::Change, now - 60),
                case("new", BusinessCode::Renewal, now - 120),
                case("older", BusinessCode::Renewal, now - 600),
            ]
        };
        assert_eq!(super::just_submitted(cases(), BusinessCode::Renewal, now).map(|c| c.id), Some("new".into()));
        assert_eq!(super::just_submitted(cases(), BusinessCode::Reissue, now), None);
        assert_eq!(super::just_submitted(vec![case("old", BusinessCode::Renewal, now - 3601)], BusinessCode::Renewal, now), None);
    }
}
