//! 账号管理, for an admin: every staff account with its role and state, 新增账号, and for the
//! chosen account 修改角色, 重置密码, 解锁 and 停用 (asked first). The server checks the role
//! and audits each change; another role that opens the page gets the server's refusal.

use leptos::prelude::*;
use taxicert_api::{StaffAccountInfo, StaffRole};

use super::{
    forms::{
        self, ACCOUNT_NAME, ACCOUNT_PASSWORD, ACCOUNT_PASSWORD_AGAIN, ACCOUNT_RESET_PASSWORD, ACCOUNT_ROLE, ACCOUNT_USERNAME,
    },
    loaded, refresh_button, InputField, StaffScreen,
};
use crate::{
    api::ApiError,
    browser,
    components::error_summary::{error_for, ErrorSummary, FieldError, FieldMessage},
    routes::Route,
    state::staff_session::use_staff_session,
    use_app,
};

#[component]
pub fn StaffAccountsPage() -> impl IntoView {
    view! {
        <StaffScreen title="账号管理" trail=vec![(Route::Staff, "业务办理")]>
            <Accounts />
        </StaffScreen>
    }
}

/// One change of an account, as the admin asked for it.
#[derive(Clone)]
enum Change {
    Create(taxicert_api::NewStaffAccount),
    Role(String, StaffRole),
    Password(String, taxicert_api::StaffPasswordReset),
    Unlock(String),
    Disable(String),
}

impl Change {
    /// What the status line says once it is done.
    fn done(&self) -> String {
        match self {
            Change::Create(account) => format!("已新增账号 {}，请把初始密码当面交给{}。", account.username, account.display_name),
            Change::Role(username, role) => format!("账号 {username} 的角色已改为{}。", role.name()),
            Change::Password(username, _) => format!("账号 {username} 的密码已重置，其已登录的设备已退出。"),
            Change::Unlock(username) => format!("账号 {username} 已解锁，可以重新登录。"),
            Change::Disable(username) => format!("账号 {username} 已停用，不能再登录。"),
        }
    }
}

/// A change done, or refused with the server's answer.
type Outcome = Result<Change, (Change, ApiError)>;

#[component]
fn Accounts() -> impl IntoView {
    let api = use_app().api;
    let session = use_staff_session();
    let list = LocalResource::new({
        let api = api.clone();
        move || {
            let api = api.clone();
            async move { api.staff_accounts().await }
        }
    });
    // The account the 管理账号 panel is open on.
    let chosen = RwSignal::new(None::<String>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let done = RwSignal::new(None::<String>);
    let change = Action::new_local(move |change: &Change| {
        let (api, change) = (api.clone(), change.clone());
        async move {
            match &change {
                Change::Create(account) => api.staff_account_create(account).await.map(drop),
                Change::Role(username, role) => api.staff_account_role(username, *role).await.map(drop),
                Change::Password(username, reset) => api.staff_account_password(username, reset).await,
                Change::Unlock(username) => api.staff_account_unlock(username).await,
                Change::Disable(username) => api.staff_account_disable(username).await,
            }
            .map(|()| change.clone())
            .map_err(|error| (change, error))
        }
    });
    Effect::new(move |_| match change.value().get() {
        Some(Ok(changed)) => {
            errors.set(Vec::new());
            done.set(Some(changed.done()));
            list.refetch();
        }
        Some(Err((what, error))) => {
            if session.ends_on(&error) {
                return;
            }
            errors.set(vec![change_error(&what, &error)]);
        }
        None => {}
    });
    let form_errors = Signal::from(errors);
    view! {
        <ErrorSummary errors=form_errors />
        <div class="staff-status-line" role="status">
            {move || done.get().map(|message| view! { <p class="staff-success" id="account-done">{message}</p> })}
        </div>
        <div class="staff-toolbar">{refresh_button(list)}</div>
        {loaded(list, move |accounts: Vec<StaffAccountInfo>| {
            view! { <AccountList accounts chosen change errors /> }.into_any()
        })}
        <NewAccount change errors done />
    }
}

/// Where the server's refusal of `change` goes: the field it names on the open form, else the
/// form as a whole (a taken username, one's own account, a lost account).
fn change_error(change: &Change, error: &ApiError) -> FieldError {
    let field = match (change, error.field()) {
        (Change::Create(_), Some("username")) => Some(ACCOUNT_USERNAME),
        (Change::Create(_), Some("display_name")) => Some(ACCOUNT_NAME),
        (Change::Create(_), Some("password")) => Some(ACCOUNT_PASSWORD),
        (Change::Password(..), Some("password")) => Some(ACCOUNT_RESET_PASSWORD),
        _ => None,
    };
    let message = if matches!(error, ApiError::Server { status: 404, .. }) {
        "没有找到该账号，可能已被其他管理员修改；请点击“刷新”后重试。".to_owned()
    } else {
        error.message()
    };
    match (change, field, error.code()) {
        (Change::Create(_), None, Some("username_taken")) => FieldError::at(ACCOUNT_USERNAME, message),
        (_, Some(field), _) => FieldError::at(field, message),
        _ => FieldError::form(message),
    }
}

#[component]
fn AccountList(
    accounts: Vec<StaffAccountInfo>,
    chosen: RwSignal<Option<String>>,
    change: Action<Change, Outcome>,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let me = use_staff_session().me().map(|me| me.username).unwrap_or_default();
    let now = (browser::now_ms() / 1000.0) as i64;
    let rows = accounts
        .iter()
        .map(|account| {
            let username = account.username.clone();
            let is_me = username == me;
            let label = format!("管理账号 {username}");
            view! {
                <tr class:staff-table__row--muted=account.disabled>
                    <th scope="row" data-label="用户名">{account.username.clone()}</th>
                    <td data-label="姓名">{account.display_name.clone()}{is_me.then_some("（本人）")}</td>
                    <td data-label="角色">{account.role.name()}</td>
                    <td data-label="状态">{forms::account_state(account, now)}</td>
                    <td data-label="操作">
                        <button
                            type="button"
                            class="weui-btn weui-btn_mini weui-btn_default"
                            aria-label=label
                            on:click=move |_| {
                                errors.set(Vec::new());
                                chosen.set(Some(username.clone()));
                            }
                        >
                            "管理"
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let panel = move || {
        let username = chosen.get()?;
        let account = accounts.iter().find(|a| a.username == username)?.clone();
        Some(view! { <AccountPanel account is_me={username == me} change errors /> })
    };
    view! {
        <table class="staff-table staff-accounts" id="staff-accounts">
            <caption class="staff-change-table__caption">"员工账号"</caption>
            <thead>
                <tr>
                    <th scope="col">"用户名"</th>
                    <th scope="col">"姓名"</th>
                    <th scope="col">"角色"</th>
                    <th scope="col">"状态"</th>
                    <th scope="col">"操作"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {panel}
    }
}

/// 管理账号: the chosen account's role, password, lock and 停用. An admin's own account is
/// changed by another admin (the server refuses it too).
#[component]
fn AccountPanel(
    account: StaffAccountInfo,
    is_me: bool,
    change: Action<Change, Outcome>,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let role = RwSignal::new(account.role);
    let password = RwSignal::new(String::new());
    let pending = change.pending();
    let now = (browser::now_ms() / 1000.0) as i64;
    let locked = account.locked_until.is_some_and(|until| until > now);
    let StaffAccountInfo { username, display_name, disabled, .. } = account;
    let title = format!("管理账号：{display_name}（{username}）");
    // A password typed for the reset is not kept once it went through.
    Effect::new(move |_| {
        if let Some(Ok(Change::Password(..))) = change.value().get() {
            password.set(String::new());
        }
    });
    let save_role = {
        let username = username.clone();
        move |_| {
            errors.set(Vec::new());
            change.dispatch(Change::Role(username.clone(), role.get_untracked()));
        }
    };
    let reset = {
        let username = username.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            match forms::password_reset(&password.get_untracked()) {
                Ok(reset) => {
                    errors.set(Vec::new());
                    change.dispatch(Change::Password(username.clone(), reset));
                }
                Err(found) => errors.set(found),
            }
        }
    };
    let unlock = {
        let username = username.clone();
        move |_| {
            errors.set(Vec::new());
            change.dispatch(Change::Unlock(username.clone()));
        }
    };
    let disable = {
        let (username, display_name) = (username.clone(), display_name.clone());
        move |_| {
            let question = format!("确定停用账号 {username}（{display_name}）吗？停用后该账号不能再登录，且不能恢复。");
            if browser::confirm(&question) {
                errors.set(Vec::new());
                change.dispatch(Change::Disable(username.clone()));
            }
        }
    };
    view! {
        <section class="staff-section staff-account-panel" id="account-panel" aria-labelledby="account-panel-title">
            <h2 class="staff-section__title" id="account-panel-title">{title}</h2>
            {if is_me {
                view! { <p class="staff-hint">"这是您本人的账号：角色、停用和重置密码须由另一位账号管理员操作；修改自己的密码请回到首页的“修改密码”。"</p> }.into_any()
            } else if disabled {
                view! { <p class="staff-hint">"该账号已停用。"</p> }.into_any()
            } else {
                view! {
                    <div class="weui-cells weui-cells_form">
                        <div class="weui-cell weui-cell_select weui-cell_select-after">
                            <div class="weui-cell__hd">
                                <label class="weui-label" for="account-role-change">"角色"</label>
                            </div>
                            <div class="weui-cell__bd">
                                <select
                                    id="account-role-change"
                                    class="weui-select"
                                    on:change=move |ev| {
                                        if let Some(picked) = StaffRole::parse(&event_target_value(&ev)) {
                                            role.set(picked);
                                        }
                                    }
                                >
                                    {StaffRole::ALL
                                        .into_iter()
                                        .map(|r| view! { <option value=r.as_str() selected=move || role.get() == r>{r.name()}</option> })
                                        .collect_view()}
                                </select>
                            </div>
                        </div>
                    </div>
                    <div class="weui-btn-area staff-account-panel__buttons">
                        <button type="button" class="weui-btn weui-btn_default" disabled=move || pending.get() on:click=save_role>
                            "保存角色"
                        </button>
                    </div>
                    <form novalidate on:submit=reset>
                        <div class="weui-cells weui-cells_form">
                            <InputField id=ACCOUNT_RESET_PASSWORD label="新密码" autocomplete="new-password" value=password errors />
                        </div>
                        <p class="staff-hint">"至少12个字符。重置后，该账号已登录的设备会退出；请把新密码当面交给使用人。"</p>
                        <div class="weui-btn-area">
                            <button type="submit" class="weui-btn weui-btn_default" disabled=move || pending.get()>
                                "重置密码"
                            </button>
                        </div>
                    </form>
                    <div class="weui-btn-area staff-account-panel__buttons">
                        {locked.then(|| view! {
                            <button type="button" class="weui-btn weui-btn_default" disabled=move || pending.get() on:click=unlock>
                                "解锁"
                            </button>
                        })}
                        <button type="button" class="weui-btn weui-btn_warn" disabled=move || pending.get() on:click=disable>
                            "停用账号"
                        </button>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// 新增账号: username, the person's name, the role, and the first password twice.
#[component]
fn NewAccount(
    change: Action<Change, Outcome>,
    errors: RwSignal<Vec<FieldError>>,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(None::<StaffRole>);
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    // Created: the form is emptied for the next one; refused, everything typed stays.
    Effect::new(move |_| {
        if let Some(Ok(Change::Create(_))) = change.value().get() {
            for field in [username, name, password, again] {
                field.set(String::new());
            }
            role.set(None);
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        match forms::new_account(
            &username.get_untracked(),
            &name.get_untracked(),
            role.get_untracked(),
            &password.get_untracked(),
            &again.get_untracked(),
        ) {
            Ok(account) => {
                errors.set(Vec::new());
                change.dispatch(Change::Create(account));
            }
            Err(found) => errors.set(found),
        }
    };
    let role_invalid = move || error_for(&errors.read(), ACCOUNT_ROLE).is_some();
    view! {
        <section class="staff-section" aria-labelledby="account-new-title">
            <h2 class="staff-section__title" id="account-new-title">"新增账号"</h2>
            <form novalidate on:submit=on_submit>
                <div class="weui-cells weui-cells_form">
                    <InputField id=ACCOUNT_USERNAME label="用户名" autocomplete="off" value=username errors kind="text" maxlength=32 placeholder="如 wang.jianguo" />
                    <InputField id=ACCOUNT_NAME label="姓名" autocomplete="off" value=name errors kind="text" maxlength=32 placeholder="使用人的姓名" />
                    <div class="weui-cell weui-cell_select weui-cell_select-after" class:weui-cell_warn=role_invalid>
                        <div class="weui-cell__hd">
                            <label class="weui-label" for=ACCOUNT_ROLE>"角色"</label>
                        </div>
                        <div class="weui-cell__bd">
                            <select
                                id=ACCOUNT_ROLE
                                class="weui-select"
                                aria-invalid=move || role_invalid().to_string()
                                on:change=move |ev| role.set(StaffRole::parse(&event_target_value(&ev)))
                            >
                                <option value="" selected=move || role.get().is_none()>"请选择"</option>
                                {StaffRole::ALL
                                    .into_iter()
                                    .map(|r| view! { <option value=r.as_str() selected=move || role.get() == Some(r)>{r.name()}</option> })
                                    .collect_view()}
                            </select>
                        </div>
                    </div>
                    <FieldMessage field=ACCOUNT_ROLE errors=Signal::from(errors) />
                    <InputField id=ACCOUNT_PASSWORD label="初始密码" autocomplete="new-password" value=password errors />
                    <InputField id=ACCOUNT_PASSWORD_AGAIN label="再次输入" autocomplete="new-password" value=again errors />
                </div>
                <p class="staff-hint">"初始密码至少12个字符，请当面交给使用人，并提醒其登录后在首页“修改密码”。"</p>
                <div class="weui-btn-area">
                    <button type="submit" class="weui-btn weui-btn_primary" disabled=move || change.pending().get()>
                        "新增账号"
                    </button>
                </div>
            </form>
        </section>
    }
}
