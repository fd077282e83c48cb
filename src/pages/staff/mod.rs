//! The staff console (业务办理人员) at `/staff`: its own sign-in, then the queues.
//!
//! Every staff page puts its content in a [`StaffGate`]: it asks the server once per visit
//! who is signed in, shows the sign-in form instead of the page while nobody is, and then the
//! page itself, at the same address.

pub mod accounts;
pub mod cases;
pub mod forms;
pub mod moves;
pub mod realname;
pub mod report;

use std::future::Future;

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map},
    NavigateOptions,
};
use taxicert_api::{CaseQueueCounts, RealNameStatus, StaffRole};

use crate::{
    api::{ApiClient, ApiError},
    browser,
    components::{
        error_summary::{error_for, ErrorSummary, FieldError, FieldMessage},
        layout::PageTitle,
        status::{ErrorPanel, Loading},
    },
    routes::Route,
    state::staff_session::{use_staff_session, StaffSession, StaffState},
    use_app,
};

/// What the gate shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gate {
    Checking,
    SignedOut,
    SignedIn,
}

/// Shows `children` only to a signed-in staff member; otherwise the sign-in form, after which
/// the clerk is on the page he asked for.
#[component]
pub fn StaffGate(children: ChildrenFn) -> impl IntoView {
    let session = use_staff_session();
    let gate = Memo::new(move |_| match session.state() {
        StaffState::Unknown => Gate::Checking,
        StaffState::SignedOut => Gate::SignedOut,
        StaffState::SignedIn(_) => Gate::SignedIn,
    });
    move || match gate.get() {
        Gate::Checking => view! { <SessionCheck session /> }.into_any(),
        Gate::SignedOut => view! { <StaffSignIn session /> }.into_any(),
        Gate::SignedIn => children().into_any(),
    }
}

/// Asks the server who is signed in (`GET /staff/session`).
#[component]
fn SessionCheck(session: StaffSession) -> impl IntoView {
    let api = use_app().api;
    let check = LocalResource::new(move || {
        let api = api.clone();
        async move { api.staff_me().await }
    });
    Effect::new(move |_| match check.get() {
        Some(Ok(Some(me))) => session.signed_in(me),
        Some(Ok(None)) => session.signed_out(),
        _ => {}
    });
    move || match check.get() {
        Some(Err(error)) => view! { <ErrorPanel error on_retry=move |_| check.refetch() /> }.into_any(),
        _ => view! { <Loading /> }.into_any(),
    }
}

const USERNAME: &str = "staff-username";
const PASSWORD: &str = "staff-password";

/// 业务办理人员登录: 用户名, 密码, 登录.
#[component]
fn StaffSignIn(session: StaffSession) -> impl IntoView {
    let api = use_app().api;
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let login = Action::new_local(move |(user, pass): &(String, String)| {
        let (api, user, pass) = (api.clone(), user.clone(), pass.clone());
        async move { api.staff_login(&user, &pass).await }
    });
    Effect::new(move |_| match login.value().get() {
        Some(Ok(me)) => session.signed_in(me),
        Some(Err(error)) => {
            password.set(String::new());
            errors.set(vec![sign_in_error(&error)]);
        }
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (user, pass) = (username.get_untracked().trim().to_owned(), password.get_untracked());
        let mut found = Vec::new();
        if user.is_empty() {
            found.push(FieldError::at(USERNAME, "请输入用户名。"));
        }
        if pass.is_empty() {
            found.push(FieldError::at(PASSWORD, "请输入密码。"));
        }
        if found.is_empty() {
            errors.set(Vec::new());
            login.dispatch((user, pass));
        } else {
            errors.set(found);
        }
    };
    let errors_signal = Signal::from(errors);
    let invalid = move |field: &'static str| error_for(&errors.read(), field).is_some();
    let described_by = move |field: &'static str| invalid(field).then(|| format!("{field}-error"));
    view! {
        <section class="staff-signin" aria-labelledby="staff-signin-title">
            <h2 class="staff-section__title" id="staff-signin-title">"业务办理人员登录"</h2>
            <ErrorSummary errors=errors_signal />
            <p class="page-lead">"请使用业务办理人员账号登录。连续多次输错密码，账号将被暂时锁定。"</p>
            <form class="staff-signin__form" novalidate on:submit=on_submit>
                <div class="weui-cells weui-cells_form">
                    <div class="weui-cell" class:weui-cell_warn=move || invalid(USERNAME)>
                        <div class="weui-cell__hd">
                            <label class="weui-label" for=USERNAME>"用户名"</label>
                        </div>
                        <div class="weui-cell__bd">
                            <input
                                id=USERNAME
                                class="weui-input"
                                type="text"
                                autocomplete="username"
                                autocapitalize="none"
                                spellcheck="false"
                                maxlength="64"
                                aria-invalid=move || invalid(USERNAME).to_string()
                                aria-describedby=move || described_by(USERNAME)
                                prop:value=move || username.get()
                                on:input=move |ev| username.set(event_target_value(&ev))
                            />
                        </div>
                    </div>
                    <FieldMessage field=USERNAME errors=errors_signal />
                    <div class="weui-cell" class:weui-cell_warn=move || invalid(PASSWORD)>
                        <div class="weui-cell__hd">
                            <label class="weui-label" for=PASSWORD>"密码"</label>
                        </div>
                        <div class="weui-cell__bd">
                            <input
                                id=PASSWORD
                                class="weui-input"
                                type="password"
                                autocomplete="current-password"
                                maxlength="128"
                                aria-invalid=move || invalid(PASSWORD).to_string()
                                aria-describedby=move || described_by(PASSWORD)
                                prop:value=move || password.get()
                                on:input=move |ev| password.set(event_target_value(&ev))
                            />
                        </div>
                    </div>
                    <FieldMessage field=PASSWORD errors=errors_signal />
                </div>
                <div class="weui-btn-area">
                    <button type="submit" class="weui-btn weui-btn_primary" disabled=move || login.pending().get()>
                        "登录"
                    </button>
                </div>
                <p class="staff-pending" role="status">{move || login.pending().get().then_some("正在登录…")}</p>
            </form>
        </section>
    }
}

/// A refusal of the sign-in, at the field it concerns.
fn sign_in_error(error: &ApiError) -> FieldError {
    match error.code() {
        Some("staff_login_failed") => FieldError::at(PASSWORD, error.message()),
        _ => match error.field() {
            Some("username") => FieldError::at(USERNAME, error.message()),
            Some("password") => FieldError::at(PASSWORD, error.message()),
            _ => FieldError::form(error.message()),
        },
    }
}

/// `/staff`: the sign-in, or the way to the two queues once signed in.
#[component]
pub fn StaffPage() -> impl IntoView {
    view! {
        <StaffScreen title="业务办理">
            <StaffHome />
        </StaffScreen>
    }
}

#[component]
fn StaffHome() -> impl IntoView {
    let api = use_app().api;
    let session = use_staff_session();
    let me = session.me();
    let counts = LocalResource::new({
        let api = api.clone();
        move || {
            let api = api.clone();
            async move {
                futures::try_join!(
                    api.staff_realname_queue(RealNameStatus::Pending),
                    api.staff_case_counts(),
                    api.staff_account_moves(taxicert_api::AccountMoveStatus::ReviewPending)
                )
                .map(|(realname, cases, moves)| (realname.len(), cases, moves.len()))
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Err(error)) = counts.get() {
            session.ends_on(&error);
        }
    });
    let count = move |pick: fn(&(usize, CaseQueueCounts, usize)) -> String| move || counts.get().and_then(Result::ok).map(|c| pick(&c));
    let logout = Action::new_local(move |_: &()| {
        let api = api.clone();
        async move { api.staff_logout().await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            session.signed_out();
        }
    });
    let (hello, note) = match &me {
        Some(me) => (format!("您好，{}（{}）", me.display_name, me.role.name()), role_note(me.role)),
        None => (String::new(), None),
    };
    view! {
        <p class="staff-hello">{hello}</p>
        {note.map(|note| view! { <p class="staff-note">{note}</p> })}
        <nav class="weui-cells staff-menu" aria-label="业务办理">
            <A href=crate::href(Route::StaffRealNameQueue) attr:class="weui-cell weui-cell_access staff-menu__item">
                <span class="weui-cell__bd">"实名认证审核"</span>
                <span class="weui-cell__ft">{count(|c| format!("{} 条待审核", c.0))}</span>
            </A>
            <A href=crate::href(Route::StaffCases) attr:class="weui-cell weui-cell_access staff-menu__item">
                <span class="weui-cell__bd">"办件受理"</span>
                <span class="weui-cell__ft">{count(|c| forms::queue_counts_text(&c.1))}</span>
            </A>
            <A href=crate::href(Route::StaffAccountMoves) attr:class="weui-cell weui-cell_access staff-menu__item">
                <span class="weui-cell__bd">"账户转移"</span>
                <span class="weui-cell__ft">{count(|c| format!("{} 条待审核", c.2))}</span>
            </A>
            <A href=crate::href(Route::StaffReport) attr:class="weui-cell weui-cell_access staff-menu__item">
                <span class="weui-cell__bd">"工作统计"</span>
                <span class="weui-cell__ft">"受理、退回、办结件数"</span>
            </A>
            {me.as_ref().is_some_and(|me| me.role == StaffRole::Admin).then(|| view! {
                <A href=crate::href(Route::StaffAccounts) attr:class="weui-cell weui-cell_access staff-menu__item">
                    <span class="weui-cell__bd">"账号管理"</span>
                    <span class="weui-cell__ft">"新增、停用、重置密码、解锁"</span>
                </A>
            })}
        </nav>
        <ChangePassword />
        {move || logout.value().get().and_then(Result::err).map(|error| view! {
            <p class="field-error staff-error" role="alert">{error.message()}</p>
        })}
        <div class="weui-btn-area">
            <button
                type="button"
                class="weui-btn weui-btn_default"
                disabled=move || logout.pending().get()
                on:click=move |_| {
                    logout.dispatch(());
                }
            >
                "退出登录"
            </button>
        </div>
    }
}

/// What the home page tells a role that does not act.
fn role_note(role: StaffRole) -> Option<&'static str> {
    match role {
        StaffRole::Clerk => None,
        StaffRole::Viewer => Some("您是查询人员，可以查看审核和办件情况，不能办理；身份证号码只显示部分。"),
        StaffRole::Admin => Some("您是账号管理员，可以查看审核和办件情况，不能办理；身份证号码只显示部分。"),
    }
}

/// One input of a console form (a password unless `kind` says otherwise), with its message
/// under it: 修改密码's, 账号管理's.
#[component]
fn InputField(
    id: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
    #[prop(default = "password")] kind: &'static str,
    #[prop(default = 128)] maxlength: u32,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    let invalid = move || error_for(&errors.read(), id).is_some();
    view! {
        <div class="weui-cell" class:weui-cell_warn=invalid>
            <div class="weui-cell__hd">
                <label class="weui-label" for=id>{label}</label>
            </div>
            <div class="weui-cell__bd">
                <input
                    id=id
                    class="weui-input"
                    type=kind
                    autocomplete=autocomplete
                    maxlength=maxlength.to_string()
                    placeholder=(!placeholder.is_empty()).then_some(placeholder)
                    aria-invalid=move || invalid().to_string()
                    aria-describedby=move || invalid().then(|| format!("{id}-error"))
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
            </div>
        </div>
        <FieldMessage field=id errors=Signal::from(errors) />
    }
}

/// 修改密码: the current password, the new one twice. The server ends the account's other
/// sessions; this one goes on.
#[component]
fn ChangePassword() -> impl IntoView {
    let api = use_app().api;
    let session = use_staff_session();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let done = RwSignal::new(false);
    let change = Action::new_local(move |change: &taxicert_api::StaffPasswordChange| {
        let (api, change) = (api.clone(), change.clone());
        async move { api.staff_change_password(&change).await }
    });
    Effect::new(move |_| match change.value().get() {
        Some(Ok(())) => {
            for field in [current, new, again] {
                field.set(String::new());
            }
            errors.set(Vec::new());
            done.set(true);
        }
        Some(Err(error)) => {
            if session.ends_on(&error) {
                return;
            }
            current.set(String::new());
            let at = match error.field() {
                Some("current_password") => FieldError::at(forms::CURRENT_PASSWORD, error.message()),
                Some("new_password") => FieldError::at(forms::NEW_PASSWORD, error.message()),
                _ => FieldError::form(error.message()),
            };
            errors.set(vec![at]);
        }
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        match forms::password_change(&current.get_untracked(), &new.get_untracked(), &again.get_untracked()) {
            Ok(request) => {
                errors.set(Vec::new());
                change.dispatch(request);
            }
            Err(found) => errors.set(found),
        }
    };
    view! {
        <details class="staff-section staff-password">
            <summary class="staff-section__title">"修改密码"</summary>
            <ErrorSummary errors=Signal::from(errors) />
            <p class="staff-hint">"新密码至少12个字符。修改后，该账号在其他设备上的登录将退出。"</p>
            <form novalidate on:submit=on_submit>
                <div class="weui-cells weui-cells_form">
                    <InputField id=forms::CURRENT_PASSWORD label="当前密码" autocomplete="current-password" value=current errors />
                    <InputField id=forms::NEW_PASSWORD label="新密码" autocomplete="new-password" value=new errors />
                    <InputField id=forms::NEW_PASSWORD_AGAIN label="再次输入新密码" autocomplete="new-password" value=again errors />
                </div>
                <div class="weui-btn-area">
                    <button type="submit" class="weui-btn weui-btn_primary" disabled=move || change.pending().get()>
                        "确认修改"
                    </button>
                </div>
                <p class="staff-pending" role="status">
                    {move || change.pending().get().then_some("正在修改…")}
                    {move || done.get().then_some("密码已修改，其他设备上的登录已退出。")}
                </p>
            </form>
        </details>
    }
}

/// A console page: the links up to it (none on the first page), its title, and `children`
/// once a staff member is signed in. `class` widens the page (`staff_desk`).
#[component]
fn StaffScreen(
    title: &'static str,
    #[prop(optional)] trail: Vec<(Route, &'static str)>,
    #[prop(optional)] class: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    view! {
        <div class=format!("staff {class}")>
            {(!trail.is_empty()).then(|| view! { <StaffCrumbs trail /> })}
            <PageTitle title />
            <StaffGate>{children()}</StaffGate>
        </div>
    }
}

/// Where a staff page sits: the links up to it.
#[component]
fn StaffCrumbs(trail: Vec<(Route, &'static str)>) -> impl IntoView {
    view! {
        <nav class="staff-crumbs" aria-label="当前位置">
            <ol>
                {trail
                    .into_iter()
                    .map(|(route, label)| view! { <li><A href=crate::href(route)>{label}</A></li> })
                    .collect_view()}
            </ol>
        </nav>
    }
}

/// One fact of a record: the name and the value.
fn fact(label: &'static str, value: impl Into<String>) -> impl IntoView {
    let value: String = value.into();
    view! {
        <div class="staff-facts__row">
            <dt class="staff-facts__key">{label}</dt>
            <dd class="staff-facts__value">{value}</dd>
        </div>
    }
}

/// A photo at full width; a click opens the picture itself in a new tab, at full size.
#[component]
fn StaffPhoto(
    src: String,
    name: String,
    /// The quality checks' advice the server measured on the photo, shown under it so that the
    /// clerk can return it for correction.
    #[prop(optional)]
    warnings: Vec<taxicert_api::PhotoWarning>,
) -> impl IntoView {
    let label = format!("在新窗口查看{name}原图");
    let (href, alt) = (src.clone(), name.clone());
    view! {
        <figure class="staff-photo">
            <a class="staff-photo__link" href=href target="_blank" rel="noopener" aria-label=label>
                <img class="staff-photo__img" src=src alt=alt />
            </a>
            <figcaption class="staff-photo__caption">
                {name}
                {(!warnings.is_empty()).then(|| view! {
                    <ul class="staff-photo__warnings" aria-label="照片检查提示">
                        {warnings.into_iter().map(|w| view! { <li data-code=w.code>{w.message}</li> }).collect_view()}
                    </ul>
                })}
            </figcaption>
        </figure>
    }
}

/// The record id in the address of a review page; 0 when it is no number, which the server
/// answers like any unknown id (404).
fn id_param() -> Memo<i64> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0))
}

/// 刷新 above a queue: loads the list again.
fn refresh_button<T: Clone + 'static>(list: LocalResource<T>) -> impl IntoView {
    view! {
        <button type="button" class="weui-btn weui-btn_mini weui-btn_default staff-refresh" on:click=move |_| list.refetch()>
            "刷新"
        </button>
    }
}

/// What the server answered for a queue or a record, the same on every staff page: a spinner
/// while it loads and when the staff session has ended (the gate then shows the sign-in), the
/// failure with 重试, else `show` of the answer.
fn loaded<T>(
    resource: LocalResource<Result<T, ApiError>>,
    show: impl Fn(T) -> AnyView + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + 'static,
{
    let session = use_staff_session();
    view! {
        <Transition fallback=Loading>
            {move || {
                let show = show.clone();
                Suspend::new(async move {
                    match resource.await {
                        Err(error) if session.ends_on(&error) => view! { <Loading /> }.into_any(),
                        Err(error) => view! { <ErrorPanel error on_retry=move |_| resource.refetch() /> }.into_any(),
                        Ok(value) => show(value),
                    }
                })
            }}
        </Transition>
    }
}

/// The ID photos of a review, side by side; a click opens one at full size. Only a clerk sees
/// them (they show the full ID number, which the server masks for the other roles): the others
/// get a line that says so instead of broken pictures.
fn photos_section(prefix: &'static str, title: &'static str, hint: &'static str, photos: Vec<(String, &'static str)>) -> impl IntoView {
    let clerk = use_staff_session().is_clerk();
    view! {
        <section class="staff-section" aria-labelledby=format!("{prefix}-photos-title")>
            <h2 class="staff-section__title" id=format!("{prefix}-photos-title")>{title}</h2>
            {clerk.then(|| view! {
                <p class="staff-hint">{hint}</p>
                <div class="staff-photos">
                    {photos.into_iter().map(|(src, name)| view! { <StaffPhoto src name=name.to_owned() /> }).collect_view()}
                </div>
            })}
            {(!clerk).then(|| view! {
                <p class="staff-note">"身份证照片上有完整的身份证号码，仅业务办理人员可以查看。"</p>
            })}
        </section>
    }
}

/// What a decision came back with: the record as decided, or the refusal (with the record as it
/// now stands when it was decided or closed meanwhile).
type Decided<R> = Result<R, (ApiError, Option<R>)>;

/// The words and ids of one kind of review that a clerk approves or refuses with a reason the
/// applicant reads (实名认证: 通过/驳回; 账户转移: 同意转移/不同意). Both decide alike, so they
/// share the form, the answer's handling and the result.
struct DecisionWords {
    /// The ids' prefix: `{prefix}-decision-title`, `{prefix}-result`.
    prefix: &'static str,
    /// The reason field's id (its hint and error ids follow from it).
    field: &'static str,
    /// What an approval does, above the form, if it needs saying.
    lead: Option<&'static str>,
    /// The reason field's label, also the result's: 驳回原因, 不同意的原因.
    reason_label: &'static str,
    reason_hint: &'static str,
    approve: &'static str,
    reject: &'static str,
    /// The way back to the queue.
    back: (Route, &'static str),
}

/// The decision as an action: `send` posts it; when the answer is one of the `closed` codes (the
/// record was decided or closed meanwhile), `reload` fetches the record as it now stands.
fn decision_action<D, R, S, SF, L, LF>(send: S, reload: L, closed: &'static [&'static str]) -> Action<D, Decided<R>>
where
    D: Clone + 'static,
    R: 'static,
    S: Fn(D) -> SF + 'static,
    SF: Future<Output = Result<R, ApiError>> + 'static,
    L: Fn() -> LF + Clone + 'static,
    LF: Future<Output = Result<R, ApiError>> + 'static,
{
    Action::new_local(move |decision: &D| {
        let (sent, reload) = (send(decision.clone()), reload.clone());
        async move {
            match sent.await {
                Ok(record) => Ok(record),
                Err(error) if error.code().is_some_and(|code| closed.contains(&code)) => {
                    let latest = reload().await.ok();
                    Err((error, latest))
                }
                Err(error) => Err((error, None)),
            }
        }
    })
}

/// The questions a review asks before a decision that cannot be undone (the browser's own
/// dialog): before approving, before refusing; `None` sends at once.
#[derive(Clone, Copy)]
struct Asks<R: 'static> {
    approve: Option<fn(&R) -> String>,
    refuse: Option<fn(&R) -> String>,
}

/// The 审核 section of a review: the form while the record waits (a viewer only reads), then the
/// result. `outcome` is `None` while it waits, else the decided status's name; `reason` the
/// refusal's reason; `check` turns the buttons and the reason into the decision or the errors;
/// a decision `asks` about is sent only once the clerk confirms it.
fn decision_section<D, R>(
    words: &'static DecisionWords,
    record: RwSignal<R>,
    decide: Action<D, Decided<R>>,
    check: fn(bool, &str) -> Result<D, Vec<FieldError>>,
    outcome: fn(&R) -> Option<&'static str>,
    reason: fn(&R) -> Option<String>,
    asks: Asks<R>,
) -> impl IntoView
where
    D: Clone + Send + Sync + 'static,
    R: Clone + Send + Sync + 'static,
{
    let approved = move |approve: bool| {
        let question = if approve { asks.approve } else { asks.refuse };
        question.is_none_or(|question| browser::confirm(&record.with_untracked(question)))
    };
    let session = use_staff_session();
    let decided_here = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let result_id = format!("{}-result", words.prefix);
    Effect::new({
        let result_id = result_id.clone();
        move |_| match decide.value().get() {
            Some(Ok(decided)) => {
                errors.set(Vec::new());
                decided_here.set(true);
                record.set(decided);
                let result_id = result_id.clone();
                request_animation_frame(move || browser::focus_by_id(&result_id));
            }
            Some(Err((error, latest))) => {
                if session.ends_on(&error) {
                    return;
                }
                let at_reason = error.field() == Some("reason");
                errors.set(vec![if at_reason {
                    FieldError::at(words.field, error.message())
                } else {
                    FieldError::form(error.message())
                }]);
                if let Some(latest) = latest {
                    record.set(latest);
                }
            }
            None => {}
        }
    });
    let outcome = Memo::new(move |_| record.with(outcome));
    view! {
        <section class="staff-section" aria-labelledby=format!("{}-decision-title", words.prefix)>
            <h2 class="staff-section__title" id=format!("{}-decision-title", words.prefix)>"审核"</h2>
            <ErrorSummary errors=Signal::from(errors) />
            {move || match outcome.get() {
                None if !session.is_clerk() => view! { <p class="staff-note">"查询人员不能办理。"</p> }.into_any(),
                None => untrack(|| decision_form(words, decide, errors, check, approved)).into_any(),
                Some(decided) => {
                    let reason = record.with_untracked(reason);
                    let (back, back_text) = &words.back;
                    view! {
                        <div class="staff-result" id=result_id.clone() tabindex="-1">
                            {decided_here.get().then(|| view! { <p class="staff-success" role="status">"操作成功，审核结果已保存。"</p> })}
                            <p class="staff-result__status">{format!("审核结果：{decided}")}</p>
                            {reason.map(|reason| view! {
                                <p class="staff-result__reason">{format!("{}：{reason}", words.reason_label)}</p>
                            })}
                            <p>
                                <A href=crate::href(back.clone()) attr:class="staff-link">{*back_text}</A>
                            </p>
                        </div>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

/// Approve or refuse with a reason of 2–200 characters, each once `approved` confirms it.
fn decision_form<D, R>(
    words: &'static DecisionWords,
    decide: Action<D, Decided<R>>,
    errors: RwSignal<Vec<FieldError>>,
    check: fn(bool, &str) -> Result<D, Vec<FieldError>>,
    approved: impl Fn(bool) -> bool + Copy + 'static,
) -> impl IntoView
where
    D: Clone + Send + Sync + 'static,
    R: Clone + Send + Sync + 'static,
{
    let field = words.field;
    let reason = RwSignal::new(String::new());
    let send = move |approve: bool| match check(approve, &reason.get_untracked()) {
        Ok(decision) => {
            errors.set(Vec::new());
            if !approved(approve) {
                return;
            }
            decide.dispatch(decision);
        }
        Err(problems) => errors.set(problems),
    };
    let errors_signal = Signal::from(errors);
    let invalid = move || error_for(&errors.read(), field).is_some();
    let described_by = move || if invalid() { format!("{field}-hint {field}-error") } else { format!("{field}-hint") };
    let pending = decide.pending();
    view! {
        <form class="staff-form" novalidate on:submit=|ev| ev.prevent_default()>
            {words.lead.map(|lead| view! { <p class="staff-hint">{lead}</p> })}
            <div class="staff-field" class:staff-field_warn=invalid>
                <label class="staff-label" for=field>{words.reason_label}</label>
                <p class="staff-hint" id=format!("{field}-hint")>{words.reason_hint}</p>
                <FieldMessage field=field errors=errors_signal />
                <textarea
                    id=field
                    class="staff-textarea"
                    rows="3"
                    aria-invalid=move || invalid().to_string()
                    aria-describedby=described_by
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))
                ></textarea>
                <p class="staff-counter">{move || format!("{}/200", reason.with(|r| r.trim().chars().count()))}</p>
            </div>
            <div class="staff-buttons">
                <button type="button" class="weui-btn weui-btn_primary staff-btn" disabled=move || pending.get() on:click=move |_| send(true)>
                    {words.approve}
                </button>
                <button type="button" class="weui-btn staff-btn staff-btn_danger" disabled=move || pending.get() on:click=move |_| send(false)>
                    {words.reject}
                </button>
            </div>
            <p class="staff-pending" role="status">{move || pending.get().then_some("正在提交…")}</p>
        </form>
    }
}

/// A queue of reviews filtered by status (实名认证, 账户转移): the same toolbar, list and
/// table, with these words and statuses.
struct ReviewQueue<S: 'static> {
    /// The ids' prefix: the filter `{prefix}-status`, a row `{prefix}-{id}`.
    prefix: &'static str,
    filter_label: &'static str,
    /// What the rows are: the table's caption, and the end of the empty list's message.
    what: &'static str,
    /// The first column: when the driver sent it.
    at_label: &'static str,
    /// The queue's own address, which the filter changes the `status` of.
    route: Route,
    statuses: &'static [S],
    code: fn(S) -> &'static str,
    name: fn(S) -> &'static str,
}

/// One row of a review queue, in the words shown.
struct QueueRow<S> {
    id: i64,
    href: String,
    at: String,
    name_masked: String,
    id_number_masked: String,
    status: S,
}

/// How a review's status looks in a queue: approved/done green, refused red, the others plain.
fn review_status_class(good: bool, bad: bool) -> &'static str {
    match (good, bad) {
        (true, _) => "staff-status staff-status_good",
        (_, true) => "staff-status staff-status_bad",
        _ => "staff-status",
    }
}

/// The status filter, 刷新, and the list of `queue` at `status`; `row` turns an answer's row into
/// what the table shows, `class` a status into its look.
fn review_queue<S, T>(
    queue: &'static ReviewQueue<S>,
    status: Memo<S>,
    list: LocalResource<Result<Vec<T>, ApiError>>,
    row: fn(T) -> QueueRow<S>,
    class: fn(S) -> &'static str,
) -> impl IntoView
where
    S: Copy + PartialEq + Send + Sync + 'static,
    T: Clone + 'static,
{
    let navigate = use_navigate();
    let on_status = move |ev: leptos::ev::Event| {
        let path = format!("{}?status={}", queue.route.path(), event_target_value(&ev));
        navigate(&path, NavigateOptions { replace: true, scroll: false, ..Default::default() });
    };
    let select_id = format!("{}-status", queue.prefix);
    view! {
        <div class="staff-toolbar">
            <div class="staff-filter">
                <label class="staff-filter__label" for=select_id.clone()>{queue.filter_label}</label>
                <select id=select_id class="staff-select" on:change=on_status>
                    {queue
                        .statuses
                        .iter()
                        .map(|&option| view! {
                            <option value=(queue.code)(option) prop:selected=move || status.get() == option>
                                {(queue.name)(option)}
                            </option>
                        })
                        .collect_view()}
                </select>
            </div>
            {refresh_button(list)}
        </div>
        {loaded(list, move |rows| {
            if rows.is_empty() {
                let name = (queue.name)(status.get_untracked());
                view! { <p class="staff-empty" role="status">{format!("没有{name}的{}。", queue.what)}</p> }.into_any()
            } else {
                queue_table(queue, rows.into_iter().map(row).collect(), class).into_any()
            }
        })}
    }
}

fn queue_table<S: Copy + 'static>(queue: &'static ReviewQueue<S>, rows: Vec<QueueRow<S>>, class: fn(S) -> &'static str) -> impl IntoView {
    view! {
        <p class="staff-count" role="status">{format!("共 {} 条", rows.len())}</p>
        <table class="staff-table">
            <caption class="visually-hidden">{queue.what}</caption>
            <thead>
                <tr>
                    <th scope="col">{queue.at_label}</th>
                    <th scope="col">"姓名"</th>
                    <th scope="col">"身份证号"</th>
                    <th scope="col">"状态"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|row| view! {
                        <tr id=format!("{}-{}", queue.prefix, row.id)>
                            <td data-label=queue.at_label>{row.at}</td>
                            <td data-label="姓名"><A href=row.href>{row.name_masked}</A></td>
                            <td data-label="身份证号">{row.id_number_masked}</td>
                            <td data-label="状态"><span class=class(row.status)>{(queue.name)(row.status)}</span></td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// A review page (实名认证, 账户转移): the crumbs up to its queue, the title and, for a signed-in
/// staff member, the record at the address's id as `load` fetches it, shown by `show`.
fn review_page<T, F, Fut>(queue: (Route, &'static str), title: &'static str, load: F, show: fn(T) -> AnyView) -> impl IntoView
where
    T: Clone + 'static,
    F: Fn(ApiClient, i64) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let id = id_param();
    view! {
        <StaffScreen title trail=vec![(Route::Staff, "业务办理"), queue.clone()]>
            // Fetched only once signed in, like a component's body: untracked.
            {untrack(|| {
                let api = use_app().api;
                let record = LocalResource::new(move || load(api.clone(), id.get()));
                loaded(record, show)
            })}
        </StaffScreen>
    }
}
