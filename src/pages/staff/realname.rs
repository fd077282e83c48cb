//! The real-name queue and one submission's review: the two photos, the fields (those the
//! user typed marked), and 通过 or 驳回 with a reason.

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map},
    NavigateOptions,
};
use taxicert_api::{RealNameDecision, RealNameReview, RealNameReviewSummary, RealNameStatus};

use super::{
    fact,
    forms::{self, REJECT_REASON},
    StaffCrumbs, StaffGate, StaffPhoto,
};
use crate::{
    api::ApiError,
    browser,
    components::{
        error_summary::{error_for, ErrorSummary, FieldError, FieldMessage},
        layout::PageTitle,
        status::{ErrorPanel, Loading},
    },
    routes::Route,
    staff_session::use_staff_session,
    use_app,
};

#[component]
pub fn RealNameQueuePage() -> impl IntoView {
    view! {
        <div class="staff">
            <StaffCrumbs trail=vec![(Route::Staff, "业务办理")] />
            <PageTitle title="实名认证审核" />
            <StaffGate>
                <RealNameQueue />
            </StaffGate>
        </div>
    }
}

#[component]
fn RealNameQueue() -> impl IntoView {
    let api = use_app().api;
    let session = use_staff_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let status = Memo::new(move |_| forms::parse_realname_status(query.read().get("status").as_deref()));
    let list = LocalResource::new(move || {
        let (api, status) = (api.clone(), status.get());
        async move { api.staff_realname_queue(status).await }
    });
    let on_status = move |ev: leptos::ev::Event| {
        let path = format!("{}?status={}", Route::StaffRealNameQueue.path(), event_target_value(&ev));
        navigate(&path, NavigateOptions { replace: true, scroll: false, ..Default::default() });
    };
    view! {
        <div class="staff-toolbar">
            <div class="staff-filter">
                <label class="staff-filter__label" for="realname-status">"审核状态"</label>
                <select id="realname-status" class="staff-select" on:change=on_status>
                    {forms::REALNAME_STATUSES
                        .into_iter()
                        .map(|option| view! {
                            <option value=forms::realname_status_code(option) prop:selected=move || status.get() == option>
                                {forms::realname_status_name(option)}
                            </option>
                        })
                        .collect_view()}
                </select>
            </div>
            <button type="button" class="weui-btn weui-btn_mini weui-btn_default staff-refresh" on:click=move |_| list.refetch()>
                "刷新"
            </button>
        </div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) if session.ends_on(&error) => view! { <Loading /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error on_retry=move |_| list.refetch() /> }.into_any(),
                    Ok(rows) if rows.is_empty() => {
                        let name = forms::realname_status_name(status.get_untracked());
                        view! { <p class="staff-empty" role="status">{format!("没有{name}的实名认证申请。")}</p> }.into_any()
                    }
                    Ok(rows) => view! { <QueueTable rows /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn QueueTable(rows: Vec<RealNameReviewSummary>) -> impl IntoView {
    view! {
        <p class="staff-count" role="status">{format!("共 {} 条", rows.len())}</p>
        <table class="staff-table">
            <caption class="visually-hidden">"实名认证申请"</caption>
            <thead>
                <tr>
                    <th scope="col">"提交时间"</th>
                    <th scope="col">"姓名"</th>
                    <th scope="col">"身份证号"</th>
                    <th scope="col">"状态"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|row| {
                        let href = crate::href(Route::StaffRealName(row.id));
                        view! {
                            <tr id=format!("realname-{}", row.id)>
                                <td data-label="提交时间">{forms::beijing_time(row.submitted_at)}</td>
                                <td data-label="姓名"><A href=href>{row.name_masked}</A></td>
                                <td data-label="身份证号">{row.id_number_masked}</td>
                                <td data-label="状态">
                                    <span class=status_class(row.status)>{forms::realname_status_name(row.status)}</span>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

fn status_class(status: RealNameStatus) -> &'static str {
    match status {
        RealNameStatus::Approved => "staff-status staff-status_good",
        RealNameStatus::Rejected => "staff-status staff-status_bad",
        _ => "staff-status",
    }
}

#[component]
pub fn RealNameReviewPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0));
    view! {
        <div class="staff">
            <StaffCrumbs trail=vec![(Route::Staff, "业务办理"), (Route::StaffRealNameQueue, "实名认证审核")] />
            <PageTitle title="实名认证审核详情" />
            <StaffGate>
                <ReviewLoader id />
            </StaffGate>
        </div>
    }
}

#[component]
fn ReviewLoader(id: Memo<i64>) -> impl IntoView {
    let api = use_app().api;
    let session = use_staff_session();
    let review = LocalResource::new(move || {
        let (api, id) = (api.clone(), id.get());
        async move { api.staff_realname(id).await }
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match review.await {
                    Err(error) if session.ends_on(&error) => view! { <Loading /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error on_retry=move |_| review.refetch() /> }.into_any(),
                    Ok(review) => view! { <Review review /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What a decision came back with: the review as decided, or the refusal (with the review as
/// it now stands when someone else decided first).
type Decided = Result<RealNameReview, (ApiError, Option<RealNameReview>)>;

#[component]
fn Review(review: RealNameReview) -> impl IntoView {
    let api = use_app().api;
    let session = use_staff_session();
    let id = review.summary.id;
    let portrait = api.staff_realname_photo_url(id, "portrait");
    let emblem = api.staff_realname_photo_url(id, "emblem");
    let review = RwSignal::new(review);
    let decided_here = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let decide: Action<RealNameDecision, Decided> = Action::new_local(move |decision: &RealNameDecision| {
        let (api, decision) = (api.clone(), decision.clone());
        async move {
            match api.staff_decide_realname(id, &decision).await {
                Ok(review) => Ok(review),
                Err(error) if error.code() == Some("already_decided") => {
                    let latest = api.staff_realname(id).await.ok();
                    Err((error, latest))
                }
                Err(error) => Err((error, None)),
            }
        }
    });
    Effect::new(move |_| match decide.value().get() {
        Some(Ok(decided)) => {
            errors.set(Vec::new());
            decided_here.set(true);
            review.set(decided);
            request_animation_frame(|| browser::focus_by_id("realname-result"));
        }
        Some(Err((error, latest))) => {
            if session.ends_on(&error) {
                return;
            }
            let at_reason = error.field() == Some("reason");
            errors.set(vec![if at_reason {
                FieldError::at(REJECT_REASON, error.message())
            } else {
                FieldError::form(error.message())
            }]);
            if let Some(latest) = latest {
                review.set(latest);
            }
        }
        None => {}
    });
    let status = Memo::new(move |_| review.with(|r| r.summary.status));

    view! {
        <section class="staff-section" aria-labelledby="realname-photos-title">
            <h2 class="staff-section__title" id="realname-photos-title">"身份证照片"</h2>
            <p class="staff-hint">"点击照片可在新窗口查看原图。"</p>
            <div class="staff-photos">
                <StaffPhoto src=portrait name="身份证人像面".to_owned() />
                <StaffPhoto src=emblem name="身份证国徽面".to_owned() />
            </div>
        </section>
        <section class="staff-section" aria-labelledby="realname-fields-title">
            <h2 class="staff-section__title" id="realname-fields-title">"身份信息"</h2>
            {move || review.with(|r| view! {
                <dl class="staff-facts">
                    {r.fields
                        .named()
                        .into_iter()
                        .map(|(name, value)| {
                            let typed = r.typed_fields.iter().any(|t| t == name);
                            let shown = if value.is_empty() { "未填写".to_owned() } else { value.to_owned() };
                            view! {
                                <div class="staff-facts__row" class:staff-facts__row_typed=typed>
                                    <dt class="staff-facts__key">{forms::id_card_field_label(name)}</dt>
                                    <dd class="staff-facts__value">
                                        {shown}
                                        {typed.then(|| view! { <span class="staff-tag">"申请人手动修改"</span> })}
                                    </dd>
                                </div>
                            }
                        })
                        .collect_view()}
                    {fact("手机号", r.phone_masked.clone())}
                    {fact("提交时间", forms::beijing_time(r.summary.submitted_at))}
                    {fact("审核状态", forms::realname_status_name(r.summary.status))}
                    {r.reason.clone().map(|reason| fact("驳回原因", reason))}
                </dl>
            })}
        </section>
        <section class="staff-section" aria-labelledby="realname-decision-title">
            <h2 class="staff-section__title" id="realname-decision-title">"审核"</h2>
            <ErrorSummary errors=Signal::from(errors) />
            {move || match status.get() {
                RealNameStatus::Pending if !session.is_clerk() => {
                    view! { <p class="staff-note">"查询人员不能办理。"</p> }.into_any()
                }
                RealNameStatus::Pending => view! { <DecisionForm decide errors /> }.into_any(),
                decided => {
                    let reason = review.with_untracked(|r| r.reason.clone());
                    view! {
                        <div class="staff-result" id="realname-result" tabindex="-1">
                            {decided_here.get().then(|| view! { <p class="staff-success" role="status">"操作成功,审核结果已保存。"</p> })}
                            <p class="staff-result__status">{format!("审核结果:{}", forms::realname_status_name(decided))}</p>
                            {reason.map(|reason| view! { <p class="staff-result__reason">{format!("驳回原因:{reason}")}</p> })}
                            <p>
                                <A href=crate::href(Route::StaffRealNameQueue) attr:class="staff-link">"返回审核列表"</A>
                            </p>
                        </div>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

/// 通过, or 驳回 with a reason of 2–200 characters.
#[component]
fn DecisionForm(decide: Action<RealNameDecision, Decided>, errors: RwSignal<Vec<FieldError>>) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let send = move |approve: bool| {
        match forms::realname_decision(approve, &reason.get_untracked()) {
            Ok(decision) => {
                errors.set(Vec::new());
                decide.dispatch(decision);
            }
            Err(problems) => errors.set(problems),
        }
    };
    let errors_signal = Signal::from(errors);
    let invalid = move || error_for(&errors.read(), REJECT_REASON).is_some();
    let described_by = move || {
        if invalid() {
            format!("{REJECT_REASON}-hint {REJECT_REASON}-error")
        } else {
            format!("{REJECT_REASON}-hint")
        }
    };
    let pending = decide.pending();
    view! {
        <form class="staff-form" novalidate on:submit=|ev| ev.prevent_default()>
            <div class="staff-field" class:staff-field_warn=invalid>
                <label class="staff-label" for=REJECT_REASON>"驳回原因"</label>
                <p class="staff-hint" id=format!("{REJECT_REASON}-hint")>"驳回时必填,2至200个字,申请人会看到。"</p>
                <FieldMessage field=REJECT_REASON errors=errors_signal />
                <textarea
                    id=REJECT_REASON
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
                    "通过"
                </button>
                <button type="button" class="weui-btn staff-btn staff-btn_danger" disabled=move || pending.get() on:click=move |_| send(false)>
                    "驳回"
                </button>
            </div>
            <p class="staff-pending" role="status">{move || pending.get().then_some("正在提交…")}</p>
        </form>
    }
}
