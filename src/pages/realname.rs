//! 实名认证: the separate consent for sensitive personal information, both sides of the ID
//! card, the fields the server read for the user to confirm (or type), 提交审核, the result.

use leptos::prelude::*;
use leptos_router::components::A;
use taxicert_api::{
    domain::{beijing_date, check_id_card},
    IdCardFields, IdCardRead, PhotoRules, RealNameState, RealNameStatus, RealNameSubmission,
};

use crate::{
    api::ApiError,
    browser,
    components::{
        error_summary::{error_for, ErrorSummary, FieldError, FieldMessage},
        layout::PageTitle,
        login_prompt::LoginPrompt,
        status::{ErrorPanel, Loading},
    },
    photo_worker::check_and_shrink,
    routes::Route,
    session::use_session,
    use_app,
};

/// What the user chose and confirmed so far; kept while he logs in again or reads the policy.
/// The files stay in this tab's memory only, never in browser storage.
#[derive(Clone, Copy)]
pub struct RealNameDraft {
    consent: RwSignal<bool>,
    portrait: RwSignal<Option<web_sys::File>, LocalStorage>,
    emblem: RwSignal<Option<web_sys::File>, LocalStorage>,
    read: RwSignal<Option<IdCardRead>>,
    fields: RwSignal<IdCardFields>,
}

impl RealNameDraft {
    pub fn new() -> RealNameDraft {
        RealNameDraft {
            consent: RwSignal::new(false),
            portrait: RwSignal::new_local(None),
            emblem: RwSignal::new_local(None),
            read: RwSignal::new(None),
            fields: RwSignal::new(IdCardFields::default()),
        }
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
                view! { <LoginPrompt next=Route::RealName why="实名认证前请先用手机号登录;登录后会回到这里,已选择的内容会保留。" /> }
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
        async move { api.realname_state().await }
    });
    let submitted = RwSignal::new(None::<RealNameState>);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match (submitted.get(), state.await) {
                    (Some(done), _) | (None, Ok(done)) if matches!(done.status, RealNameStatus::Approved | RealNameStatus::Pending) => {
                        view! { <Outcome state=done /> }.into_any()
                    }
                    (_, Ok(current)) => view! { <RealNameForm current submitted /> }.into_any(),
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

#[component]
fn Outcome(state: RealNameState) -> impl IntoView {
    let (title, text) = match state.status {
        RealNameStatus::Approved => ("已完成实名认证", "现在可以在线办理从业资格证业务了。"),
        _ => ("实名认证审核中", "审核结果会显示在这里,请稍后查看。"),
    };
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
                    <A href=crate::href(Route::Home) exact=true>
                        <span class="weui-btn weui-btn_primary">"去办理业务"</span>
                    </A>
                </p>
            </div>
        </div>
    }
}

#[component]
fn RealNameForm(current: RealNameState, submitted: RwSignal<Option<RealNameState>>) -> impl IntoView {
    let api = use_app().api;
    let session = use_session();
    let draft = expect_context::<RealNameDraft>();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errors_signal = Signal::from(errors);

    let on_api_error = move |error: ApiError| {
        if error.is_unauthenticated() {
            session.ended();
            return;
        }
        let field = match error.field() {
            Some("portrait") => Some("portrait"),
            Some("emblem") => Some("emblem"),
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

    // While the phone checks and shrinks the photos, before the upload starts.
    let checking = RwSignal::new(false);
    // The quality checks' advice on the two sides: the photos still go (the reading shows
    // whether they are good enough), and the advice is shown above the fields read.
    let advice = RwSignal::new(Vec::<String>::new());
    let max_side = use_app().config.photo_max_side;
    let on_upload = move |_| {
        if checking.get_untracked() {
            return;
        }
        checking.set(true);
        leptos::task::spawn_local(async move {
            let mut found = Vec::new();
            if !draft.consent.get_untracked() {
                found.push(FieldError::at("consent-spi", "请先勾选同意处理身份证号码和身份证照片。"));
            }
            // Checked and shrunk on the phone like every photo: the type, the size, blur,
            // exposure and glare, before anything is sent.
            let mut checked = Vec::new();
            let mut advised = Vec::new();
            for (field, what, file) in [
                ("portrait", "身份证人像面", draft.portrait.get_untracked()),
                ("emblem", "身份证国徽面", draft.emblem.get_untracked()),
            ] {
                match file {
                    None => found.push(FieldError::at(field, format!("请选择{what}的照片。"))),
                    Some(file) => match check_and_shrink(&file, PhotoRules::ID_CARD, max_side).await {
                        Ok(photo) => {
                            advised.extend(photo.warnings.into_iter().map(|w| format!("{what}:{}", w.message)));
                            checked.push(photo.jpeg);
                        }
                        Err(message) => found.push(FieldError::at(field, format!("{what}:{message}"))),
                    },
                }
            }
            checking.set(false);
            advice.set(advised);
            match (found.is_empty(), checked.pop(), checked.pop()) {
                (true, Some(emblem), Some(portrait)) => {
                    upload.dispatch((portrait, emblem));
                }
                _ => errors.set(found),
            }
        });
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
    let invalid = move |field: &'static str| error_for(&errors.read(), field).is_some();

    view! {
        <ErrorSummary errors=errors_signal />
        {rejected.map(|reason| view! {
            <div class="realname-rejected" role="alert">
                <h2>"实名认证未通过"</h2>
                <p>{format!("原因:{reason}")}</p>
                <p>"请按原因重新上传并提交。"</p>
            </div>
        })}
        <Show
            when=move || draft.read.with(Option::is_some)
            fallback=move || view! {
                <p class="page-lead">"请上传本人居民身份证的两面照片,系统会自动读取证件信息,请核对后提交审核。"</p>
                <div class="realname-consent" class:realname-consent_warn=move || invalid("consent-spi")>
                    <input
                        id="consent-spi"
                        type="checkbox"
                        prop:checked=move || draft.consent.get()
                        on:change=move |ev| draft.consent.set(event_target_checked(&ev))
                    />
                    <label for="consent-spi">
                        "我同意为实名认证处理我的身份证号码和身份证照片。它们属于敏感个人信息,加密保存,仅用于核验身份和办理业务,详见"
                    </label>
                    <A href=crate::href(Route::PrivacyPolicy)>"《隐私政策》"</A>
                </div>
                <FieldMessage field="consent-spi" errors=errors_signal />
                <div class="weui-cells weui-cells_form">
                    <PhotoInput field="portrait" label="身份证人像面(有照片的一面)" file=draft.portrait errors=errors_signal />
                    <PhotoInput field="emblem" label="身份证国徽面(有国徽的一面)" file=draft.emblem errors=errors_signal />
                </div>
                <div class="weui-btn-area">
                    <button type="button" class="weui-btn weui-btn_primary" disabled=move || checking.get() || upload.pending().get() on:click=on_upload>
                        {move || if checking.get() { "正在检查照片…" } else if upload.pending().get() { "正在上传并识别…" } else { "上传并识别" }}
                    </button>
                </div>
            }
        >
            <p class="page-lead">"请核对系统读取的身份证信息。读取有误或未能读取的,请按身份证如实填写。"</p>
            {move || (!advice.read().is_empty()).then(|| view! {
                <div class="photo-advice realname-advice" role="status">
                    <p class="photo-advice__title">"照片提示(可继续提交;如读取有误较多,可点“重新上传”换一张照片):"</p>
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

#[component]
fn PhotoInput(
    field: &'static str,
    label: &'static str,
    file: RwSignal<Option<web_sys::File>, LocalStorage>,
    errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let chosen = move || file.with(|f| f.as_ref().map(|f| f.name()));
    view! {
        <div class="weui-cell photo-input" class:weui-cell_warn=move || error_for(&errors.read(), field).is_some()>
            <div class="weui-cell__bd">
                <label class="photo-input__label" for=field>{label}</label>
                <input
                    id=field
                    class="photo-input__file"
                    type="file"
                    accept="image/*"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        file.set(input.files().and_then(|files| files.get(0)));
                    }
                />
                {move || chosen().map(|name| view! { <p class="photo-input__chosen">{format!("已选择:{name}")}</p> })}
            </div>
        </div>
        <FieldMessage field errors />
    }
}

#[component]
fn CardField(field: &'static str, label: &'static str, draft: RealNameDraft, errors: Signal<Vec<FieldError>>) -> impl IntoView {
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
                    // An address runs long: the driver must see all of it to confirm it.
                    view! {
                        <textarea
                            id=field
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
                    <p class="card-field__unread" id=format!("{field}-unread")>"未能读取,请按身份证填写"</p>
                })}
            </div>
        </div>
        <FieldMessage field errors />
    }
}
