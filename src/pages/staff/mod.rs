//! The staff console (业务办理人员) at `/staff`: its own sign-in, then the queues.
//!
//! Every staff page puts its content in a [`StaffGate`]: it asks the server once per visit
//! who is signed in, shows the sign-in form instead of the page while nobody is, and then the
//! page itself, at the same address.

pub mod cases;
pub mod forms;
pub mod realname;

use leptos::prelude::*;
use leptos_router::components::A;
use taxicert_api::{CaseQueueFilter, CaseStatus, RealNameStatus, StaffRole};

use crate::{
    api::ApiError,
    components::{
        error_summary::{error_for, ErrorSummary, FieldError, FieldMessage},
        layout::PageTitle,
        status::{ErrorPanel, Loading},
    },
    routes::Route,
    staff_session::{use_staff_session, StaffSession, StaffState},
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
            <p class="page-lead">"请使用业务办理人员账号登录。连续多次输错密码,账号将被暂时锁定。"</p>
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
        <div class="staff">
            <PageTitle title="业务办理" />
            <StaffGate>
                <StaffHome />
            </StaffGate>
        </div>
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
                let submitted = CaseQueueFilter { status: Some(CaseStatus::Submitted), business: None };
                futures::try_join!(api.staff_realname_queue(RealNameStatus::Pending), api.staff_cases(&submitted))
                    .map(|(realname, cases)| (realname.len(), cases.len()))
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Err(error)) = counts.get() {
            session.ends_on(&error);
        }
    });
    let count = move |pick: fn((usize, usize)) -> usize, unit: &'static str| {
        move || counts.get().and_then(Result::ok).map(|c| format!("{} {}", pick(c), unit))
    };
    let logout = Action::new_local(move |_: &()| {
        let api = api.clone();
        async move { api.staff_logout().await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            session.signed_out();
        }
    });
    let (hello, viewer) = match &me {
        Some(me) => (format!("您好,{}({})", me.display_name, me.role.name()), me.role == StaffRole::Viewer),
        None => (String::new(), false),
    };
    view! {
        <p class="staff-hello">{hello}</p>
        {viewer.then(|| view! { <p class="staff-note">"您是查询人员,可以查看审核和办件情况,不能办理。"</p> })}
        <nav class="weui-cells staff-menu" aria-label="业务办理">
            <A href=crate::href(Route::StaffRealNameQueue) attr:class="weui-cell weui-cell_access staff-menu__item">
                <span class="weui-cell__bd">"实名认证审核"</span>
                <span class="weui-cell__ft">{count(|c| c.0, "条待审核")}</span>
            </A>
            <A href=crate::href(Route::StaffCases) attr:class="weui-cell weui-cell_access staff-menu__item">
                <span class="weui-cell__bd">"办件受理"</span>
                <span class="weui-cell__ft">{count(|c| c.1, "件待受理")}</span>
            </A>
        </nav>
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
