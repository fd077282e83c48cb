//! 消息: the news of the driver's cases (受理, 退回补正 and its last day, 办结, 不予受理) and the
//! 换发 reminders, the newest first, each leading to its case or to 换发; and the switch that
//! turns the reminders off. Shown messages are marked read, which clears the tab's badge.

use leptos::prelude::*;
use leptos_router::components::A;
use taxicert_api::{BusinessCode, Message, MessageKind, Settings};

use crate::{
    api::ApiError,
    components::{
        layout::PageTitle,
        login_prompt::LoginPrompt,
        status::{ErrorPanel, Loading},
    },
    routes::{Route, WizardStep},
    state::{message_badge::use_message_badge, session::use_session},
    use_app,
};

#[component]
pub fn MessagesPage() -> impl IntoView {
    let session = use_session();
    view! {
        <PageTitle title="消息" />
        {move || match session.is_signed_in() {
            false => view! { <LoginPrompt next=Route::Messages why="登录后可查看办件进展和换证提醒。" /> }.into_any(),
            true => view! { <MessageList /> <ReminderSwitch /> }.into_any(),
        }}
    }
}

/// Where a message leads: its case, or 换发 for a reminder.
fn target(message: &Message) -> Route {
    match &message.case_id {
        Some(id) => Route::Case(id.clone()),
        None => Route::Apply(BusinessCode::Renewal, WizardStep::Notice),
    }
}

#[component]
fn MessageList() -> impl IntoView {
    let api = use_app().api;
    let session = use_session();
    let badge = use_message_badge();
    let list = LocalResource::new(move || {
        let api = api.clone();
        async move {
            let messages = api.messages().await?;
            // Shown now: read, up to the newest (one arriving meanwhile stays unread).
            if let Some(newest) = messages.first().filter(|_| messages.iter().any(|m| !m.read)) {
                if api.mark_messages_read(newest.id).await.is_ok() {
                    badge.clear();
                }
            }
            Ok::<_, ApiError>(messages)
        }
    });
    view! {
        <div class="cases__heading">
            <h2 class="weui-cells__title">"办件进展和提醒"</h2>
            <button type="button" class="weui-btn weui-btn_mini weui-btn_default" on:click=move |_| list.refetch()>
                "刷新"
            </button>
        </div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) if error.is_unauthenticated() => {
                        session.ended();
                        view! { <Loading /> }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error on_retry=move |_| list.refetch() /> }.into_any(),
                    Ok(messages) if messages.is_empty() => {
                        view! { <p class="cases__empty">"还没有消息。办件有进展、证件快到换证时间时，会在这里告诉您。"</p> }.into_any()
                    }
                    Ok(messages) => view! {
                        <ul class="weui-cells cases messages">
                            {messages.into_iter().map(|m| view! { <MessageRow message=m /> }).collect_view()}
                        </ul>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn MessageRow(message: Message) -> impl IntoView {
    let href = crate::href(target(&message));
    let action = if message.kind == MessageKind::RenewalReminder { "去办理换发" } else { "查看办件" };
    let Message { title, body, created_at, read, .. } = message;
    view! {
        <li class="cases__item-link">
            <A href=href attr:class="weui-cell weui-cell_access cases__item messages__item">
                <div class="weui-cell__bd">
                    <p class="cases__name">
                        {title}
                        {(!read).then(|| view! { <span class="weui-badge cases__news">"新"</span> })}
                    </p>
                    <p class="messages__body">{body}</p>
                    <p class="cases__meta">{format!("{} · {action}", crate::browser::date_time(created_at))}</p>
                </div>
            </A>
        </li>
    }
}

/// 换发提醒 on or off, saved at once; the news of his cases is always sent.
#[component]
fn ReminderSwitch() -> impl IntoView {
    let api = use_app().api;
    let session = use_session();
    let settings = LocalResource::new({
        let api = api.clone();
        move || {
            let api = api.clone();
            async move { api.settings().await }
        }
    });
    let on = RwSignal::new(None::<bool>);
    Effect::new(move |_| {
        if let Some(Ok(saved)) = settings.get() {
            on.set(Some(saved.renewal_reminders));
        }
    });
    let save = Action::new_local(move |wanted: &bool| {
        let (api, wanted) = (api.clone(), *wanted);
        async move { api.save_settings(&Settings { renewal_reminders: wanted }).await }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(saved)) => on.set(Some(saved.renewal_reminders)),
        Some(Err(error)) if error.is_unauthenticated() => session.ended(),
        // Not saved: the switch shows what the server still has.
        Some(Err(_)) => on.update(|v| *v = v.map(|b| !b)),
        None => {}
    });
    let error = move || save.value().get().and_then(Result::err).map(|e| e.message());
    view! {
        <div class="weui-cells messages__settings">
            <label class="weui-cell weui-cell_switch" for="renewal-reminders">
                <span class="weui-cell__bd">
                    <span class="messages__setting-name">"换证提醒"</span>
                    <span class="messages__setting-hint">"证件快到换发时间时提醒我"</span>
                </span>
                <span class="weui-cell__ft">
                    <input
                        id="renewal-reminders"
                        class="weui-switch"
                        type="checkbox"
                        prop:checked=move || on.get().unwrap_or(true)
                        disabled=move || on.get().is_none() || save.pending().get()
                        on:change=move |ev| {
                            let wanted = event_target_checked(&ev);
                            on.set(Some(wanted));
                            save.dispatch(wanted);
                        }
                    />
                </span>
            </label>
        </div>
        {move || error().map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
    }
}
