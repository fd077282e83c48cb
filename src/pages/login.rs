//! 登录: the agreements, the phone number, 获取验证码 with its countdown, 提交验证; inside
//! WeChat, when the server has it, 微信登录 (the first time, the phone number is then bound
//! with the same code). Signed in, the same page is 我的: the account, the bound WeChat with
//! 解除微信绑定, and 退出登录.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};
use taxicert_api::{
    domain::{PhoneNumber, SmsCode},
    Me, RealNameStatus, SmsCodeSent, WechatSignIn,
};

use crate::{
    api::ApiError,
    browser,
    components::{
        care_switch::CareModeSwitch,
        error_summary::{error_for, ErrorSummary, FieldError, FieldMessage},
        layout::PageTitle,
    },
    routes::Route,
    state::session::use_session,
    use_app,
};

/// What the user typed on the login page; kept while he reads an agreement and comes back.
#[derive(Clone, Copy)]
pub struct LoginDraft {
    consent: RwSignal<bool>,
    phone: RwSignal<String>,
    code: RwSignal<String>,
    /// The number the last code went to (in memory only): the countdown is for that number.
    sent_to: RwSignal<Option<String>>,
    /// The nickname of the WeChat just authorized for the first time, waiting for its phone
    /// number (in memory only): the login then binds it.
    wechat_nickname: RwSignal<Option<String>>,
}

impl LoginDraft {
    pub fn new() -> LoginDraft {
        LoginDraft {
            consent: RwSignal::new(false),
            phone: RwSignal::new(String::new()),
            code: RwSignal::new(String::new()),
            sent_to: RwSignal::new(None),
            wechat_nickname: RwSignal::new(None),
        }
    }
}

impl Default for LoginDraft {
    fn default() -> Self {
        LoginDraft::new()
    }
}

/// When another code may be asked for, in ms since the epoch: survives a reload of the tab
/// (it holds no personal data).
const RESEND_AT_KEY: &str = "taxicert.sms_resend_at";

/// A short fingerprint of a phone number (FNV-1a, 32 bits, hex): enough to tell numbers apart
/// in the tab's storage without keeping the number there.
fn fingerprint(number: &str) -> String {
    let hash = number.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    format!("{hash:08x}")
}

const CONSENT_MISSING: &str = "请先阅读并勾选同意《用户协议》和《隐私政策》。";

/// 我的 when signed in (the tab's name), 登录 otherwise; after 退出登录 the form says so.
#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let signed_out = RwSignal::new(false);
    view! {
        {move || match session.me() {
            Some(me) => view! { <PageTitle title="我的" /> <SignedIn me signed_out /> }.into_any(),
            None => view! { <PageTitle title="登录" /> <LoginForm signed_out /> <CareModeSwitch /> }.into_any(),
        }}
    }
}

#[component]
fn LoginForm(signed_out: RwSignal<bool>) -> impl IntoView {
    let api = use_app().api;
    let session = use_session();
    let draft = expect_context::<LoginDraft>();
    let query = use_query_map();
    let navigate = use_navigate();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let sent_to = RwSignal::new(None::<String>);

    let now = RwSignal::new(browser::now_ms());
    if let Ok(handle) = set_interval_with_handle(move || now.set(browser::now_ms()), Duration::from_secs(1)) {
        on_cleanup(move || handle.clear());
    }
    // Kept in the tab as "<when>|<fingerprint of the number>": the countdown survives a reload
    // (and the page load from another entry) and still holds for that number only, while the
    // number itself is not stored.
    let kept = browser::Keep::Tab.get(RESEND_AT_KEY).unwrap_or_default();
    let (kept_at, kept_for) = kept.split_once('|').unwrap_or((kept.as_str(), ""));
    let resend_at = RwSignal::new(kept_at.parse::<f64>().unwrap_or(0.0));
    let resend_for = RwSignal::new(kept_for.to_owned());
    let wait_seconds = move || {
        let typed = PhoneNumber::parse(&draft.phone.get()).ok().map(|p| p.as_str().to_owned());
        let other_number = match (draft.sent_to.get(), typed) {
            (Some(sent), Some(typed)) => sent != typed,
            (None, Some(typed)) => !resend_for.get().is_empty() && resend_for.get() != fingerprint(&typed),
            _ => false,
        };
        if other_number {
            0
        } else {
            ((resend_at.get() - now.get()) / 1000.0).ceil().max(0.0) as u64
        }
    };
    let start_countdown = move |seconds: u64, phone: &str| {
        let at = browser::now_ms() + seconds as f64 * 1000.0;
        browser::Keep::Tab.set(RESEND_AT_KEY, &format!("{at}|{}", fingerprint(phone)));
        now.set(browser::now_ms());
        resend_at.set(at);
        resend_for.set(fingerprint(phone));
    };

    let send_code = Action::new_local({
        let api = api.clone();
        move |phone: &String| {
            let (api, phone) = (api.clone(), phone.clone());
            async move { api.send_sms_code(&phone).await.map(|sent| (phone, sent)) }
        }
    });
    Effect::new(move |_| match send_code.value().get() {
        Some(Ok((phone, SmsCodeSent { resend_after_seconds, .. }))) => {
            errors.set(Vec::new());
            let phone = PhoneNumber::parse(&phone).ok();
            sent_to.set(phone.as_ref().map(PhoneNumber::masked));
            let number = phone.map(|p| p.as_str().to_owned()).unwrap_or_default();
            start_countdown(resend_after_seconds, &number);
            draft.sent_to.set(Some(number));
        }
        Some(Err(error)) => {
            if let ApiError::Server { body, .. } = &error {
                if let Some(wait) = body.retry_after_seconds.filter(|_| body.code == "resend_too_soon") {
                    let typed = draft.phone.get_untracked();
                    let number = PhoneNumber::parse(&typed).map(|p| p.as_str().to_owned()).unwrap_or(typed);
                    start_countdown(wait, &number);
                }
            }
            errors.set(vec![server_error(&error)]);
        }
        None => {}
    });

    // One sign-in for both ways of proving the number: what follows (the session, the page
    // asked for, a WeChat that cannot be bound) is the same.
    let login = Action::new_local({
        let api = api.clone();
        move |proof: &Proof| {
            let (api, proof) = (api.clone(), proof.clone());
            let bind_wechat = draft.wechat_nickname.get_untracked().is_some();
            async move {
                let answer = match proof {
                    Proof::SmsCode { phone, code } => api.login(&phone, &code, bind_wechat).await,
                    Proof::ThisSim { token_url } => match api.number_token(&token_url).await {
                        Some(token) => api.number_login(&token, bind_wechat).await,
                        None => return Err(FieldError::form(NO_CARRIER_TOKEN)),
                    },
                };
                answer.map_err(|error| {
                    // The WeChat cannot be bound now: the messages lead to 微信登录 again or to
                    // the SMS login alone, which the form then is.
                    if matches!(error.code(), Some("wechat_expired" | "wechat_taken" | "wechat_bound_other")) {
                        draft.wechat_nickname.set(None);
                    }
                    server_error(&error)
                })
            }
        }
    });
    Effect::new(move |_| match login.value().get() {
        Some(Ok(me)) => {
            draft.code.set(String::new());
            draft.wechat_nickname.set(None);
            session.signed_in(me);
            navigate(&return_path(query.read().get("next").as_deref()), Default::default());
        }
        Some(Err(error)) => errors.set(vec![error]),
        None => {}
    });

    let check = move |with_code: bool| -> Vec<FieldError> {
        let mut found = Vec::new();
        if !draft.consent.get_untracked() {
            found.push(FieldError::at("consent", CONSENT_MISSING));
        }
        if let Err(message) = PhoneNumber::parse(&draft.phone.get_untracked()) {
            found.push(FieldError::at("phone", message));
        }
        if with_code {
            if let Err(message) = SmsCode::parse(&draft.code.get_untracked()) {
                found.push(FieldError::at("code", message));
            }
        }
        found
    };
    let on_send_code = move |_| {
        let found = check(false);
        if found.is_empty() {
            send_code.dispatch(draft.phone.get_untracked());
        } else {
            errors.set(found);
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let found = check(true);
        if found.is_empty() {
            login.dispatch(Proof::SmsCode { phone: draft.phone.get_untracked(), code: draft.code.get_untracked() });
        } else {
            errors.set(found);
        }
    };

    let errors_signal = Signal::from(errors);
    let invalid = move |field: &'static str| error_for(&errors.read(), field).is_some();
    let described_by = move |field: &'static str| invalid(field).then(|| format!("{field}-error"));
    let code_button_label = move || match (send_code.pending().get(), wait_seconds()) {
        (true, _) => "发送中…".to_owned(),
        (false, 0) => "获取验证码".to_owned(),
        (false, n) => format!("{n}秒后重新获取"),
    };

    view! {
        <ErrorSummary errors=errors_signal />
        <Show when=move || signed_out.get()>
            <p class="login-signed-out" role="status">"已退出登录。"</p>
        </Show>
        {move || {
            let number_token_url = use_app().number_token_url;
            let sms_only = number_token_url.is_none() && !wechat_offered();
            let number = number_token_url.map(|token_url| view! {
                <NumberLogin token_url login errors consent=Signal::derive(move || draft.consent.get()) />
            });
            match draft.wechat_nickname.get() {
                Some(nickname) => view! {
                    <p class="page-lead login-wechat__bind" role="status">
                        {format!("微信“{nickname}”已授权。首次使用微信登录，请验证手机号完成绑定，以后可直接用微信登录。")}
                    </p>
                    {number}
                }.into_any(),
                None => view! {
                    {wechat_offered().then(|| view! { <WechatLogin errors consent=Signal::derive(move || draft.consent.get()) /> })}
                    {number}
                    <p class="page-lead">
                        {if sms_only { "使用手机号和短信验证码登录。" } else { "或使用手机号和短信验证码登录。" }}
                        "未注册的手机号验证后自动注册。"
                    </p>
                }.into_any(),
            }
        }}
        <form class="login-form" novalidate on:submit=on_submit>
            <div class="weui-cells weui-cells_form login-form__fields">
                <div class="weui-cell" class:weui-cell_warn=move || invalid("phone")>
                    <div class="weui-cell__hd">
                        <label class="weui-label" for="phone">"手机号"</label>
                    </div>
                    <div class="weui-cell__bd">
                        <input
                            id="phone"
                            class="weui-input"
                            type="tel"
                            inputmode="numeric"
                            autocomplete="tel-national"
                            maxlength="13"
                            placeholder="请输入11位手机号"
                            aria-invalid=move || invalid("phone").to_string()
                            aria-describedby=move || described_by("phone")
                            prop:value=move || draft.phone.get()
                            on:input=move |ev| draft.phone.set(event_target_value(&ev))
                        />
                    </div>
                </div>
                <FieldMessage field="phone" errors=errors_signal />
                <div class="weui-cell weui-cell_vcode" class:weui-cell_warn=move || invalid("code")>
                    <div class="weui-cell__hd">
                        <label class="weui-label" for="code">"验证码"</label>
                    </div>
                    <div class="weui-cell__bd">
                        <input
                            id="code"
                            class="weui-input"
                            type="text"
                            inputmode="numeric"
                            autocomplete="one-time-code"
                            maxlength="6"
                            placeholder="6位数字"
                            aria-invalid=move || invalid("code").to_string()
                            aria-describedby=move || described_by("code")
                            prop:value=move || draft.code.get()
                            on:input=move |ev| draft.code.set(event_target_value(&ev))
                        />
                    </div>
                    <div class="weui-cell__ft">
                        <button
                            type="button"
                            class="weui-btn weui-btn_default weui-vcode-btn"
                            disabled=move || send_code.pending().get() || (wait_seconds() != 0)
                            on:click=on_send_code
                        >
                            {code_button_label}
                        </button>
                    </div>
                </div>
                <FieldMessage field="code" errors=errors_signal />
            </div>
            {move || sent_to.get().map(|masked| view! {
                <p class="login-form__sent" role="status">{format!("验证码已发送至 {masked}，5分钟内有效。")}</p>
            })}
            <div class="login-form__consent" class:login-form__consent_warn=move || invalid("consent")>
                <input
                    id="consent"
                    type="checkbox"
                    aria-describedby=move || described_by("consent")
                    prop:checked=move || draft.consent.get()
                    on:change=move |ev| draft.consent.set(event_target_checked(&ev))
                />
                <label for="consent">"我已阅读并同意"</label>
                <A href=crate::href(Route::UserAgreement)>"《用户协议》"</A>
                "和"
                <A href=crate::href(Route::PrivacyPolicy)>"《隐私政策》"</A>
            </div>
            <FieldMessage field="consent" errors=errors_signal />
            <div class="weui-btn-area">
                <button type="submit" class="weui-btn weui-btn_primary" disabled=move || login.pending().get()>
                    {move || if login.pending().get() && !by_sim(login) { "正在验证…" } else { "提交验证" }}
                </button>
            </div>
        </form>
    }
}

/// 本机号码一键登录: the carrier's token for this SIM, then the server signs its number in
/// (through the form's `login`). Offered when the server has a number-verification gateway;
/// the SMS form stays below.
#[component]
fn NumberLogin(
    token_url: String,
    login: Action<Proof, Result<Me, FieldError>>,
    errors: RwSignal<Vec<FieldError>>,
    consent: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="weui-btn-area login-number">
            <button
                type="button"
                class="weui-btn weui-btn_primary"
                disabled=move || login.pending().get()
                on:click=move |_| {
                    if consented(consent, errors) {
                        login.dispatch(Proof::ThisSim { token_url: token_url.clone() });
                    }
                }
            >
                {move || if by_sim(login) { "正在验证本机号码…" } else { "本机号码一键登录" }}
            </button>
            <p class="login-wechat__note">"由运营商验证本机手机卡号码，需使用移动数据（不能使用WLAN）。"</p>
        </div>
    }
}

/// Whether the agreements are accepted, which a sign-in button of its own (本机号码, 微信)
/// needs first; if not, the message at the checkbox.
fn consented(consent: Signal<bool>, errors: RwSignal<Vec<FieldError>>) -> bool {
    let given = consent.get_untracked();
    if !given {
        errors.set(vec![FieldError::at("consent", CONSENT_MISSING)]);
    }
    given
}

/// Whether a sign-in with this SIM's number is on its way (each button says what it waits for).
fn by_sim(login: Action<Proof, Result<Me, FieldError>>) -> bool {
    login.pending().get() && login.input().with(|proof| matches!(proof, Some(Proof::ThisSim { .. })))
}

/// How the driver proves the number is his.
#[derive(Clone)]
enum Proof {
    /// The number typed and the SMS code sent to it.
    SmsCode { phone: String, code: String },
    /// The carrier verifies this SIM's number (本机号码一键登录), from a token fetched at `token_url`.
    ThisSim { token_url: String },
}

/// The carrier gave no token: most often the phone is on WLAN.
const NO_CARRIER_TOKEN: &str =
    "未能获取本机号码。请关闭WLAN、打开移动数据后重新点击“本机号码一键登录”，或输入手机号，点击“获取验证码”用短信验证码登录。";

/// 微信登录 is offered inside WeChat when the server has it; elsewhere the SMS login alone.
fn wechat_offered() -> bool {
    use_app().wechat_login && browser::in_wechat()
}

/// 微信登录: after the agreements are accepted (`consent`), off to WeChat's authorization page.
#[component]
fn WechatLogin(errors: RwSignal<Vec<FieldError>>, consent: Signal<bool>) -> impl IntoView {
    let api = use_app().api;
    let authorize = Action::new_local(move |_: &()| {
        let api = api.clone();
        async move { api.wechat_authorize().await }
    });
    Effect::new(move |_| match authorize.value().get() {
        Some(Ok(answer)) => browser::leave_for(&answer.url),
        Some(Err(error)) => errors.set(vec![FieldError::form(error.message())]),
        None => {}
    });
    view! {
        <div class="weui-btn-area login-wechat">
            <button
                type="button"
                class="weui-btn weui-btn_primary"
                disabled=move || authorize.pending().get() || authorize.value().with(|v| matches!(v, Some(Ok(_))))
                on:click=move |_| {
                    if consented(consent, errors) {
                        authorize.dispatch(());
                    }
                }
            >
                {move || if authorize.pending().get() { "正在前往微信…" } else { "微信登录" }}
            </button>
            <p class="login-wechat__note">"将获取您的微信昵称、头像、地区及性别，作为个人登录信息。"</p>
        </div>
    }
}

/// Back from WeChat's authorization page (`?code&state`): signed in, or, the first time, on to
/// the login form to bind a phone number. The query leaves the address as the page moves on.
#[component]
pub fn WechatReturnPage() -> impl IntoView {
    let api = use_app().api;
    let session = use_session();
    let draft = expect_context::<LoginDraft>();
    let query = use_query_map();
    let navigate = use_navigate();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let finish = Action::new_local(move |(code, state): &(String, String)| {
        let (api, code, state) = (api.clone(), code.clone(), state.clone());
        async move { api.wechat_sign_in(&code, &state).await }
    });
    let (code, state) = query.with_untracked(|q| (q.get("code").unwrap_or_default(), q.get("state").unwrap_or_default()));
    if code.is_empty() {
        // WeChat sends no code when the driver did not allow the authorization.
        errors.set(vec![FieldError::form(
            "未获得微信授权。如需使用微信登录，请重新点击“微信登录”并点击“允许”；也可以使用手机号和短信验证码登录。",
        )]);
    } else {
        finish.dispatch((code, state));
    }
    let replace = NavigateOptions { replace: true, ..Default::default() };
    Effect::new(move |_| match finish.value().get() {
        Some(Ok(WechatSignIn { me: Some(me), .. })) => {
            session.signed_in(me);
            navigate(&Route::Home.path(), replace.clone());
        }
        Some(Ok(WechatSignIn { me: None, nickname })) => {
            draft.wechat_nickname.set(Some(nickname));
            navigate(&Route::Login.path(), replace.clone());
        }
        Some(Err(error)) => errors.set(vec![FieldError::form(error.message())]),
        None => {}
    });
    view! {
        <PageTitle title="微信登录" />
        <ErrorSummary errors=Signal::from(errors) />
        <Show when=move || finish.pending().get()>
            <p class="page-lead" role="status">"正在完成微信登录…"</p>
        </Show>
        <Show when=move || !errors.read().is_empty()>
            <WechatLogin errors consent=Signal::derive(|| true) />
            <p class="login-wechat__sms">
                <A href=crate::href(Route::Login)>"使用手机号和短信验证码登录"</A>
            </p>
        </Show>
    }
}

/// Where to go after login: the page the user came from (an in-app path), or home.
fn return_path(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains("://") => path.to_owned(),
        _ => Route::Home.path(),
    }
}

/// A server refusal, at the field it concerns.
fn server_error(error: &ApiError) -> FieldError {
    match error.code() {
        Some("invalid_phone") => FieldError::at("phone", error.message()),
        Some("invalid_code" | "code_missing" | "code_expired" | "code_wrong" | "code_locked") => {
            FieldError::at("code", error.message())
        }
        _ => FieldError::form(error.message()),
    }
}

#[component]
fn SignedIn(me: Me, signed_out: RwSignal<bool>) -> impl IntoView {
    let api = use_app().api;
    let session = use_session();
    let logout = Action::new_local(move |_: &()| {
        let api = api.clone();
        async move { api.logout().await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            // Nothing of this driver's applications stays on the phone. 我的 is on the front,
            // which keeps no drafts in memory: only what the phone stores.
            for business in taxicert_api::BusinessCode::ALL {
                crate::state::wizard::forget_stored(business);
            }
            signed_out.set(true);
            session.signed_out();
        }
    });
    let unbind = Action::new_local({
        let api = use_app().api;
        move |_: &()| {
            let api = api.clone();
            async move { api.wechat_unbind().await }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = unbind.value().get() {
            session.wechat_unbound();
        }
    });
    let wechat = me.wechat.clone().map(|wechat| {
        let avatar = wechat.has_avatar.then(|| use_app().api.wechat_avatar_url());
        view! {
            <div class="weui-cells__title">"微信"</div>
            <div class="weui-cells">
                <div class="weui-cell login-wechat__identity">
                    {avatar.map(|src| view! {
                        <div class="weui-cell__hd">
                            <img class="login-wechat__avatar" src=src alt="微信头像" width="48" height="48" />
                        </div>
                    })}
                    <div class="weui-cell__bd">{wechat.nickname}</div>
                    <div class="weui-cell__ft">"已绑定"</div>
                </div>
            </div>
            {move || unbind.value().get().and_then(Result::err).map(|error| view! {
                <p class="field-error login-form__logout-error" role="alert">{error.message()}</p>
            })}
            <div class="weui-btn-area">
                <button
                    type="button"
                    class="weui-btn weui-btn_default"
                    disabled=move || unbind.pending().get()
                    on:click=move |_| {
                        if browser::confirm("确定解除微信绑定吗？解除后，再用微信登录时需要重新验证手机号。") {
                            unbind.dispatch(());
                        }
                    }
                >
                    {move || if unbind.pending().get() { "正在解除…" } else { "解除微信绑定" }}
                </button>
            </div>
        }
    });
    let status = match me.realname_status {
        RealNameStatus::None => "未实名认证",
        RealNameStatus::Pending => "实名认证审核中",
        RealNameStatus::Approved => "已实名认证",
        RealNameStatus::Rejected => "实名认证未通过",
    };
    view! {
        <div class="weui-cells">
            <div class="weui-cell">
                <div class="weui-cell__bd">"手机号"</div>
                <div class="weui-cell__ft">{me.phone_masked}</div>
            </div>
            <A href=crate::href(Route::RealName)>
                <span class="weui-cell weui-cell_access">
                    <span class="weui-cell__bd">"实名认证"</span>
                    <span class="weui-cell__ft">{status}</span>
                </span>
            </A>
        </div>
        {wechat}
        // Above 退出登录, in sight on a small phone.
        <CareModeSwitch />
        {move || logout.value().get().and_then(Result::err).map(|error| view! {
            <p class="field-error login-form__logout-error" role="alert">{error.message()}</p>
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

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_get_different_fingerprints() {
        let (a, b) = (super::fingerprint("13812345678"), super::fingerprint("13912345678"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 8);
        assert_eq!(a, super::fingerprint("13812345678"));
    }

    use super::*;

    #[test]
    fn only_in_app_paths_are_returned_to() {
        assert_eq!(return_path(Some("/apply/renewal")), "/apply/renewal");
        assert_eq!(return_path(None), "/");
        assert_eq!(return_path(Some("https://evil.example/")), "/");
        assert_eq!(return_path(Some("//evil.example/")), "/");
        assert_eq!(return_path(Some("apply")), "/");
    }
}
