//! 实名认证: the separate consent for sensitive personal information, both sides of the ID
//! card, the fields the server read for the user to confirm (or type), 提交审核, the result.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_navigate};
use taxicert_api::{
    domain::{beijing_date, check_id_card, SmsCode},
    AccountMove, AccountMoveStatus, IdCardFields, IdCardRead, Material, PhotoRules, RealNameState, RealNameStatus,
    RealNameSubmission,
};

use crate::{
    api::ApiError,
    browser,
    components::{
        error_summary::{error_for, ErrorSummary, FieldError, FieldMessage},
        info_fields::growing_text_area,
        layout::PageTitle,
        login_prompt::LoginPrompt,
        status::{ErrorPanel, Loading},
        uploader::{Slot, SlotSignal, Uploader},
    },
    routes::Route,
    state::session::use_session,
    use_app,
};

/// What the user chose and confirmed so far; kept while he logs in again or reads the policy.
/// The photos (checked and shrunk on the phone by the shared uploader, not yet sent) stay in
/// this tab's memory only, never in browser storage.
#[derive(Clone, Copy)]
pub struct RealNameDraft {
    consent: RwSignal<bool>,
    portrait: SlotSignal,
    emblem: SlotSignal,
    read: RwSignal<Option<IdCardRead>>,
    fields: RwSignal<IdCardFields>,
    /// The application step that sent the driver here (去实名认证): once verified, he goes
    /// back to it instead of choosing the business and reading its notice again.
    pub return_to: RwSignal<Option<Route>>,
}

impl RealNameDraft {
    pub fn new() -> RealNameDraft {
        RealNameDraft {
            consent: RwSignal::new(false),
            portrait: RwSignal::new_local(Slot::default()),
            emblem: RwSignal::new_local(Slot::default()),
            read: RwSignal::new(None),
            fields: RwSignal::new(IdCardFields::default()),
            return_to: RwSignal::new(None),
        }
    }
}

impl RealNameDraft {
    /// Forgets the photos and fields: after the account moved, they are of no use.
    pub fn clear(&self) {
        self.consent.set(false);
        self.portrait.update(Slot::clear);
        self.emblem.update(Slot::clear);
        self.read.set(None);
        self.fields.set(IdCardFields::default());
    }
}

impl Default for RealNameDraft {
    fn default() -> Self {
        RealNameDraft::new()
    }
}

const LABELS: [(&str, &str); 9] = [
    ("name", "姓名"),
    ("gender", "性别"),
    ("ethnicity", "民族"),
    ("birth_date", "出生日期"),
    ("address", "住址"),
    ("id_number", "公民身份号码"),
    ("authority", "签发机关"),
    ("valid_from", "有效期起"),
    ("valid_until", "有效期至"),
];

fn field_value(fields: &IdCardFields, name: &str) -> String {
    fields.named().iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned()).unwrap_or_default()
}

#[component]
pub fn RealNamePage() -> impl IntoView {
    let session = use_session();
    // Only signing in or out swaps the page; a change of the real-name status must not
    // rebuild the form in the middle of its own update.
    let signed_in = Memo::new(move |_| session.is_signed_in());
    view! {
        <PageTitle title="实名认证" />
        {move || {
            if signed_in.get() {
                view! { <RealNameState /> }.into_any()
            } else {
                view! { <LoginPrompt next=Route::RealName why="实名认证前请先用手机号登录；登录后会回到这里，已选择的内容会保留。" /> }
                    .into_any()
            }
        }}
    }
}

#[component]
fn RealNameState() -> impl IntoView {
    let api = use_app().api;
    let session = use_session();
    let state = LocalResource::new(move || {
        let api = api.clone();
        async move { futures::try_join!(api.realname_state(), api.account_move()) }
    });
    let submitted = RwSignal::new(None::<RealNameState>);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match (submitted.get(), state.await) {
                    (Some(done), _) | (None, Ok((done, _))) if matches!(done.status, RealNameStatus::Approved | RealNameStatus::Pending) => {
                        view! { <Outcome state=done /> }.into_any()
                    }
                    (_, Ok((current, moving))) => {
                        let moving = RwSignal::new(moving);
                        view! { <RealNameOrMove current moving submitted /> }.into_any()
                    }
                    (_, Err(error)) if error.is_unauthenticated() => {
                        session.ended();
                        ().into_any()
                    }
                    (_, Err(error)) => view! { <ErrorPanel error on_retry=move |_| state.refetch() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The form, or, once the driver asked a clerk to move his old account here, the wait for the
/// clerk. Only that switch rebuilds the page: the form keeps what was typed meanwhile.
#[component]
fn RealNameOrMove(
    current: RealNameState,
    moving: RwSignal<Option<AccountMove>>,
    submitted: RwSignal<Option<RealNameState>>,
) -> impl IntoView {
    let reviewing =
        Memo::new(move |_| moving.with(|m| m.as_ref().is_some_and(|m| m.status == AccountMoveStatus::ReviewPending)));
    move || {
        if reviewing.get() {
            let old = moving.with_untracked(|m| m.as_ref().map(|m| m.old_phone_masked.clone()).unwrap_or_default());
            view! { <MoveWaiting old /> }.into_any()
        } else {
            view! { <RealNameForm current=current.clone() submitted moving /> }.into_any()
        }
    }
}

/// The move is with a clerk.
#[component]
fn MoveWaiting(old: String) -> impl IntoView {
    view! {
        <div class="weui-msg realname-outcome" role="status" id="move-waiting">
            <div class="weui-msg__text-area">
                <h2 class="weui-msg__title">"账户转移申请已提交"</h2>
                <p class="weui-msg__desc">
                    {format!("您申请把手机号为{old}的账户转移到本手机号，正在等待业务办理人员审核身份证照片。")}
                </p>
                <p class="weui-msg__desc">"审核结果会显示在这里，请稍后查看。审核通过后，用本手机号登录即可使用原账户的证件和办件。"</p>
            </div>
        </div>
    }
}

/// The ID number is verified on the driver's other account: move that account to this phone
/// number, by a code sent to the old number or, when it is lost, by a clerk's review.
#[component]
fn MovePanel(moving: RwSignal<Option<AccountMove>>, message: RwSignal<Option<String>>) -> impl IntoView {
    let api = use_app().api;
    let session = use_session();
    let navigate = use_navigate();
    let draft = expect_context::<RealNameDraft>();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let code = RwSignal::new(String::new());
    let old = move || moving.with(|m| m.as_ref().map(|m| m.old_phone_masked.clone()).unwrap_or_default());
    let sent = RwSignal::new(moving.with_untracked(|m| m.as_ref().is_some_and(|m| m.code_sent)));

    let now = RwSignal::new(browser::now_ms());
    if let Ok(handle) = set_interval_with_handle(move || now.set(browser::now_ms()), std::time::Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }
    let wait_from = moving.with_untracked(|m| m.as_ref().and_then(|m| m.sms_resend_after_seconds)).unwrap_or(0);
    let resend_at = RwSignal::new(browser::now_ms() + wait_from as f64 * 1000.0);
    let wait_seconds = move || ((resend_at.get() - now.get()) / 1000.0).ceil().max(0.0) as u64;
    let start_countdown = move |seconds: u64| {
        now.set(browser::now_ms());
        resend_at.set(browser::now_ms() + seconds as f64 * 1000.0);
    };

    let send_code = Action::new_local({
        let api = api.clone();
        move |_: &()| {
            let api = api.clone();
            async move { api.send_account_move_code().await }
        }
    });
    Effect::new(move |_| match send_code.value().get() {
        Some(Ok(answer)) => {
            errors.set(Vec::new());
            sent.set(true);
            start_countdown(answer.resend_after_seconds);
            request_animation_frame(|| browser::focus_by_id(MOVE_CODE));
        }
        Some(Err(error)) if error.is_unauthenticated() => session.ended(),
        Some(Err(error)) => {
            if let ApiError::Server { body, .. } = &error {
                if let Some(wait) = body.retry_after_seconds.filter(|_| body.code == "resend_too_soon") {
                    start_countdown(wait);
                }
            }
            errors.set(vec![FieldError::form(error.message())]);
        }
        None => {}
    });

    let confirm = Action::new_local({
        let api = api.clone();
        move |code: &String| {
            let (api, code) = (api.clone(), code.clone());
            async move { api.confirm_account_move(&code).await }
        }
    });
    Effect::new(move |_| match confirm.value().get() {
        Some(Ok(me)) => {
            // The session is now the old account's: his certificates and cases.
            moving.set(None);
            draft.clear();
            session.signed_in(me);
            navigate(&Route::Home.path(), Default::default());
        }
        Some(Err(error)) if error.is_unauthenticated() => session.ended(),
        Some(Err(error)) => {
            let at_code = matches!(
                error.code(),
                Some("invalid_code" | "code_wrong" | "code_locked" | "code_expired" | "code_missing")
            );
            errors.set(vec![if at_code {
                FieldError::at(MOVE_CODE, error.message())
            } else {
                FieldError::form(error.message())
            }]);
        }
        None => {}
    });

    let review = Action::new_local({
        let api = api.clone();
        move |_: &()| {
            let api = api.clone();
            async move { api.ask_account_move_review().await }
        }
    });
    Effect::new(move |_| match review.value().get() {
        Some(Ok(answer)) => moving.set(Some(answer)),
        Some(Err(error)) if error.is_unauthenticated() => session.ended(),
        Some(Err(error)) => errors.set(vec![FieldError::form(error.message())]),
        None => {}
    });

    let on_confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match SmsCode::parse(&code.get_untracked()) {
            Ok(valid) => {
                errors.set(Vec::new());
                confirm.dispatch(valid.as_str().to_owned());
            }
            Err(problem) => errors.set(vec![FieldError::at(MOVE_CODE, problem)]),
        }
    };
    let errors_signal = Signal::from(errors);
    let invalid = move || error_for(&errors.read(), MOVE_CODE).is_some();
    let busy = move || send_code.pending().get() || confirm.pending().get() || review.pending().get();
    let send_disabled = move || busy() || wait_seconds() > 0;
    let send_label = move || match (send_code.pending().get(), wait_seconds(), sent.get()) {
        (true, _, _) => "发送中…".to_owned(),
        (false, 0, false) => "转移账户到本手机号".to_owned(),
        (false, 0, true) => "重新发送验证码".to_owned(),
        (false, n, _) => format!("{n}秒后可重新发送"),
    };
    let lead = move || {
        message.get().unwrap_or_else(|| {
            format!(
                "该身份证号码已在手机号为{}的账户上完成实名认证。一个身份证号码只能认证一个账户。\
                 如果那是您本人的账户，可以点击下方的“转移账户到本手机号”，把该账户（包括其中的证件和办件）转移到本手机号。",
                old()
            )
        })
    };
    view! {
        <section class="realname-move" id="account-move" aria-labelledby="account-move-title" tabindex="-1">
            <h2 id="account-move-title">"身份证号码已在其他账户认证"</h2>
            <p role="alert">{lead}</p>
            <ErrorSummary errors=errors_signal />
            <div class="weui-btn-area">
                <button
                    type="button"
                    class="weui-btn weui-btn_primary"
                    id="move-send-code"
                    disabled=send_disabled
                    on:click=move |_| {
                        send_code.dispatch(());
                    }
                >
                    {send_label}
                </button>
            </div>
            <Show when=move || sent.get()>
                <p class="realname-move__sent" role="status">{move || format!("验证码已发送至{}，请输入短信中的6位验证码。", old())}</p>
                <form novalidate on:submit=on_confirm>
                    <div class="weui-cells weui-cells_form">
                        <div class="weui-cell" class:weui-cell_warn=invalid>
                            <div class="weui-cell__hd">
                                <label class="weui-label" for=MOVE_CODE>"验证码"</label>
                            </div>
                            <div class="weui-cell__bd">
                                <input
                                    id=MOVE_CODE
                                    class="weui-input"
                                    type="text"
                                    inputmode="numeric"
                                    autocomplete="one-time-code"
                                    maxlength="6"
                                    placeholder="6位数字"
                                    aria-invalid=move || invalid().to_string()
                                    aria-describedby=move || invalid().then(|| format!("{MOVE_CODE}-error"))
                                    prop:value=move || code.get()
                                    on:input=move |ev| code.set(event_target_value(&ev))
                                />
                            </div>
                        </div>
                        <FieldMessage field=MOVE_CODE errors=errors_signal />
                    </div>
                    <div class="weui-btn-area">
                        <button type="submit" class="weui-btn weui-btn_primary" id="move-confirm" disabled=busy>
                            {move || if confirm.pending().get() { "正在转移…" } else { "确认转移" }}
                        </button>
                    </div>
                </form>
            </Show>
            <div class="weui-btn-area">
                <button
                    type="button"
                    class="weui-btn weui-btn_default"
                    id="move-review"
                    disabled=busy
                    on:click=move |_| {
                        review.dispatch(());
                    }
                >
                    "原手机号已不用，申请人工审核"
                </button>
            </div>
            <p class="realname-move__hint">"申请人工审核后，业务办理人员会比对两次提交的身份证照片，审核结果显示在本页。"</p>
        </section>
    }
}

const MOVE_CODE: &str = "move-code";

#[component]
fn Outcome(state: RealNameState) -> impl IntoView {
    let (title, text) = match state.status {
        RealNameStatus::Approved => ("已完成实名认证", "现在可以在线办理从业资格证业务了。"),
        _ => ("实名认证审核中", "审核结果会显示在这里，请稍后查看。"),
    };
    // Verified on the way to an application: back to its step.
    let resume = match expect_context::<RealNameDraft>().return_to.get_untracked() {
        Some(route @ Route::Apply(business, _)) if state.status == RealNameStatus::Approved => {
            Some((crate::href(route), format!("继续办理{}", business.name())))
        }
        _ => None,
    };
    let other = if resume.is_some() { "weui-btn weui-btn_default" } else { "weui-btn weui-btn_primary" };
    view! {
        <div class="weui-msg realname-outcome" role="status">
            <div class="weui-msg__text-area">
                <h2 class="weui-msg__title">{title}</h2>
                <p class="weui-msg__desc">{text}</p>
                <p class="weui-msg__desc">
                    {format!("{} {}", state.name_masked.unwrap_or_default(), state.id_number_masked.unwrap_or_default())}
                </p>
            </div>
            <div class="weui-msg__opr-area">
                <p class="weui-btn-area">
                    {resume.map(|(href, label)| view! {
                        <A href=href>
                            <span class="weui-btn weui-btn_primary">{label}</span>
                        </A>
                    })}
                    <A href=crate::href(Route::Home) exact=true>
                        <span class=other>"去办理业务"</span>
                    </A>
                </p>
            </div>
        </div>
    }
}

#[component]
fn RealNameForm(
    current: RealNameState,
    submitted: RwSignal<Option<RealNameState>>,
    moving: RwSignal<Option<AccountMove>>,
) -> impl IntoView {
    let api = use_app().api;
    let session = use_session();
    let draft = expect_context::<RealNameDraft>();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errors_signal = Signal::from(errors);

    // The message of an `id_number_bound` refusal, shown with the ways to move the account.
    let bound = RwSignal::new(None::<String>);
    let on_api_error = move |error: ApiError| {
        if error.is_unauthenticated() {
            session.ended();
            return;
        }
        if error.code() == Some("id_number_bound") {
            errors.set(Vec::new());
            bound.set(Some(error.message()));
            let api = use_app().api;
            leptos::task::spawn_local(async move {
                if let Ok(Some(found)) = api.account_move().await {
                    moving.set(Some(found));
                }
                request_animation_frame(|| browser::focus_by_id("account-move"));
            });
            return;
        }
        let field = match error.field() {
            Some("portrait") => Some(PORTRAIT_FIELD),
            Some("emblem") => Some(EMBLEM_FIELD),
            Some(other) => LABELS.iter().map(|(n, _)| *n).find(|n| *n == other),
            None => None,
        };
        errors.set(vec![match field {
            Some(field) => FieldError::at(field, error.message()),
            None => FieldError::form(error.message()),
        }]);
    };

    let upload = Action::new_local({
        let api = api.clone();
        move |(portrait, emblem): &(web_sys::Blob, web_sys::Blob)| {
            let (api, portrait, emblem) = (api.clone(), portrait.clone(), emblem.clone());
            async move { api.read_id_card(&portrait, &emblem).await }
        }
    });
    Effect::new(move |_| match upload.value().get() {
        Some(Ok(read)) => {
            errors.set(Vec::new());
            draft.fields.set(read.fields.clone());
            draft.read.set(Some(read));
        }
        Some(Err(error)) => on_api_error(error),
        None => {}
    });

    let submit = Action::new_local({
        let api = api.clone();
        move |submission: &RealNameSubmission| {
            let (api, submission) = (api.clone(), submission.clone());
            async move { api.submit_realname(&submission).await }
        }
    });
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(state)) => {
            let status = state.status;
            draft.read.set(None);
            submitted.set(Some(state));
            session.set_realname_status(status);
        }
        Some(Err(error)) => on_api_error(error),
        None => {}
    });

    // The quality checks' advice on the two sides, which the driver chose to go past
    // (仍然使用这张): shown again above the fields read, where it explains a poor reading.
    let advice = RwSignal::new(Vec::<String>::new());
    let on_upload = move |_| {
        let mut found = Vec::new();
        if !draft.consent.get_untracked() {
            found.push(FieldError::at("consent-spi", "请先勾选同意处理身份证号码和身份证照片。"));
        }
        let mut chosen = Vec::new();
        let mut advised = Vec::new();
        for (field, what, slot) in [(PORTRAIT_FIELD, "身份证人像面", draft.portrait), (EMBLEM_FIELD, "身份证国徽面", draft.emblem)] {
            slot.with_untracked(|s| {
                if s.checking.is_some() {
                    found.push(FieldError::at(field, format!("{what}的照片还在检查，请稍候再点“上传并识别”。")));
                } else if s.advised.is_some() {
                    found.push(FieldError::at(field, format!("{what}的照片有提示，请先点“重新拍摄”或“仍然使用这张”。")));
                } else if let Some(photo) = &s.photo {
                    advised.extend(photo.warnings.iter().map(|w| format!("{what}：{}", w.message)));
                    chosen.push(photo.jpeg.clone());
                } else {
                    found.push(FieldError::at(field, format!("请选择{what}的照片。")));
                }
            });
        }
        // The same picture twice (a common slip when choosing from the album): the reading
        // would fail on the missing side with no hint why.
        if let [portrait, emblem] = chosen.as_slice() {
            if portrait.size() == emblem.size() {
                found.push(FieldError::at(EMBLEM_FIELD, "身份证人像面和国徽面选择了同一张照片，请点“重新选择”，选择国徽面的照片。"));
            }
        }
        if !found.is_empty() {
            errors.set(found);
            return;
        }
        // What was wrong before is answered by this try: no old message beside the progress.
        errors.set(Vec::new());
        advice.set(advised);
        let emblem = chosen.pop().expect("both sides");
        let portrait = chosen.pop().expect("both sides");
        upload.dispatch((portrait, emblem));
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let fields = draft.fields.get_untracked();
        let today = beijing_date((browser::now_ms() / 1000.0) as i64);
        if let Err((field, message)) = check_id_card(&fields, today) {
            errors.set(vec![FieldError::at(field, message)]);
            return;
        }
        let read = draft.read.get_untracked().map(|r| r.fields).unwrap_or_default();
        // A field typed where nothing was read, or changed from what was read, is marked for the reviewer.
        let typed = fields
            .named()
            .iter()
            .filter(|(name, value)| field_value(&read, name) != *value)
            .map(|(name, _)| (*name).to_owned())
            .collect();
        submit.dispatch(RealNameSubmission { fields, typed });
    };

    let rejected = (current.status == RealNameStatus::Rejected).then(|| current.reason.clone().unwrap_or_default());
    // A clerk refused the move: the reason, and the form to submit again.
    // …or the request was cancelled because the account moved to another number meanwhile.
    let move_ended = move |status: AccountMoveStatus| {
        moving.with(|m| m.as_ref().filter(|m| m.status == status).map(|m| m.reason.clone().unwrap_or_default()))
    };
    let move_refused = move || move_ended(AccountMoveStatus::Rejected);
    let move_cancelled = move || move_ended(AccountMoveStatus::Cancelled);
    let show_move = move || moving.with(|m| m.as_ref().is_some_and(|m| m.status == AccountMoveStatus::SmsPending));
    let invalid = move |field: &'static str| error_for(&errors.read(), field).is_some();

    view! {
        <ErrorSummary errors=errors_signal />
        {move || move_refused().map(|reason| view! {
            <div class="realname-rejected" role="alert">
                <h2>"账户转移未通过审核"</h2>
                <p>{format!("原因：{reason}")}</p>
                <p>"可以按原因重新上传身份证照片并提交。"</p>
            </div>
        })}
        {move || move_cancelled().map(|reason| view! {
            <div class="realname-rejected" role="alert">
                <h2>"账户转移申请已取消"</h2>
                <p>{format!("原因：{reason}")}</p>
            </div>
        })}
        <Show when=show_move>
            <MovePanel moving message=bound />
        </Show>
        {rejected.map(|reason| view! {
            <div class="realname-rejected" role="alert">
                <h2>"实名认证未通过"</h2>
                <p>{format!("原因：{reason}")}</p>
                <p>"请按原因重新上传并提交。"</p>
            </div>
        })}
        <Show
            when=move || draft.read.with(Option::is_some)
            fallback=move || view! {
                <p class="page-lead">"请上传本人居民身份证的两面照片，系统会自动读取证件信息，请核对后提交审核。"</p>
                <div class="realname-consent" class:realname-consent_warn=move || invalid("consent-spi")>
                    <input
                        id="consent-spi"
                        type="checkbox"
                        prop:checked=move || draft.consent.get()
                        on:change=move |ev| draft.consent.set(event_target_checked(&ev))
                    />
                    <label for="consent-spi">
                        "我同意为实名认证处理我的身份证号码和身份证照片。它们属于敏感个人信息，加密保存，仅用于核验身份和办理业务，详见"
                    </label>
                    <A href=crate::href(Route::PrivacyPolicy)>"《隐私政策》"</A>
                </div>
                <FieldMessage field="consent-spi" errors=errors_signal />
                <h2 class="weui-cells__title">"身份证照片"</h2>
                <Uploader material=id_card_side("portrait", "身份证人像面", "有照片的一面。") state=draft.portrait upload=false />
                <FieldMessage field=PORTRAIT_FIELD errors=errors_signal />
                <Uploader material=id_card_side("emblem", "身份证国徽面", "有国徽的一面。") state=draft.emblem upload=false />
                <FieldMessage field=EMBLEM_FIELD errors=errors_signal />
                <div class="weui-btn-area">
                    <button type="button" class="weui-btn weui-btn_primary" disabled=move || upload.pending().get() on:click=on_upload>
                        {move || if upload.pending().get() { "正在上传并识别…" } else { "上传并识别" }}
                    </button>
                </div>
            }
        >
            <p class="page-lead">"请核对系统读取的身份证信息。读取有误或未能读取的，请按身份证如实填写。"</p>
            {move || (!advice.read().is_empty()).then(|| view! {
                <div class="photo-advice realname-advice" role="status">
                    <p class="photo-advice__title">"照片提示（可继续提交；如读取有误较多，可点“重新上传”换一张照片）："</p>
                    <ul>{advice.get().into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
                </div>
            })}
            <form novalidate on:submit=on_submit>
                <div class="weui-cells weui-cells_form">
                    {LABELS.into_iter().map(|(field, label)| view! { <CardField field label draft errors=errors_signal /> }).collect_view()}
                </div>
                <div class="weui-btn-area realname-actions">
                    <button type="submit" class="weui-btn weui-btn_primary" disabled=move || submit.pending().get()>
                        {move || if submit.pending().get() { "正在提交…" } else { "提交审核" }}
                    </button>
                    <button
                        type="button"
                        class="weui-btn weui-btn_default"
                        on:click=move |_| {
                            errors.set(Vec::new());
                            draft.read.set(None);
                        }
                    >
                        "重新上传"
                    </button>
                </div>
            </form>
        </Show>
    }
}

/// The error summary links to the side's uploader (its section, as for the materials).
const PORTRAIT_FIELD: &str = "material-portrait";
const EMBLEM_FIELD: &str = "material-emblem";

/// A side of the ID card, described for the shared uploader: the rules of
/// [`PhotoRules::ID_CARD`] (the card's small print must be readable), a drawn sample.
fn id_card_side(code: &str, name: &str, which: &str) -> Material {
    Material {
        code: code.into(),
        name: name.into(),
        hint: format!("{which}请将身份证平放，四角完整，文字清晰，无反光、无遮挡。"),
        required: true,
        photo: PhotoRules::ID_CARD,
        sample: format!("samples/idcard_{code}.svg"),
        condition: None,
    }
}

#[component]
fn CardField(
    field: &'static str,
    label: &'static str,
    draft: RealNameDraft,
    errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let unread = move || draft.read.with(|r| r.as_ref().is_some_and(|r| r.unread.iter().any(|u| u == field)));
    let described_by = move || {
        let mut ids = Vec::new();
        if error_for(&errors.read(), field).is_some() {
            ids.push(format!("{field}-error"));
        }
        if unread() {
            ids.push(format!("{field}-unread"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    view! {
        <div class="weui-cell" class:weui-cell_warn=move || error_for(&errors.read(), field).is_some()>
            <div class="weui-cell__hd">
                <label class="weui-label" for=field>{label}</label>
            </div>
            <div class="weui-cell__bd">
                {if field == "address" {
                    // An address runs long: the driver must see all of it to confirm it, so the
                    // box grows with it.
                    let area = growing_text_area(move || draft.fields.track());
                    view! {
                        <textarea
                            id=field
                            node_ref=area
                            class="card-field__address"
                            rows="2"
                            aria-describedby=described_by
                            prop:value=move || draft.fields.with(|f| field_value(f, field))
                            on:input=move |ev| {
                                draft.fields.update(|f| {
                                    if let Some(value) = f.field_mut(field) {
                                        *value = event_target_value(&ev);
                                    }
                                })
                            }
                        ></textarea>
                    }
                        .into_any()
                } else {
                    view! {
                        <input
                            id=field
                            class="weui-input"
                            type="text"
                            autocomplete="off"
                            aria-describedby=described_by
                            prop:value=move || draft.fields.with(|f| field_value(f, field))
                            on:input=move |ev| {
                                draft.fields.update(|f| {
                                    if let Some(value) = f.field_mut(field) {
                                        *value = event_target_value(&ev);
                                    }
                                })
                            }
                        />
                    }
                        .into_any()
                }}
                {move || unread().then(|| view! {
                    <p class="card-field__unread" id=format!("{field}-unread")>"未能读取，请按身份证填写"</p>
                })}
            </div>
        </div>
        <FieldMessage field errors />
    }
}
