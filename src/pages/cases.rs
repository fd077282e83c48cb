//! 我的办件: drafts to resume or delete, and the submitted cases with their status and due
//! dates.

use leptos::prelude::*;
use leptos_router::components::A;
use taxicert_api::{BusinessCode, CaseStatus, CaseSummary, DraftStep, DraftSummary};

use crate::{
    api::ApiError,
    components::{
        layout::PageTitle,
        login_prompt::LoginPrompt,
        status::{CaseStatusName, ErrorPanel, Loading},
    },
    pages::apply::{due_date, step_of},
    routes::{Route, WizardStep},
    state::session::use_session,
    use_app,
    state::wizard::use_wizard,
};

#[component]
pub fn MyCasesPage() -> impl IntoView {
    let session = use_session();
    view! {
        <PageTitle title="我的办件" />
        {move || match session.is_signed_in() {
            false => view! { <LoginPrompt next=Route::MyCases why="登录后可查看您的申请和草稿。" /> }.into_any(),
            true => view! { <CaseList /> }.into_any(),
        }}
    }
}

/// The step to resume a draft at: the one after the last saved.
fn resume_step(last: DraftStep) -> WizardStep {
    step_of(last).next().unwrap_or(WizardStep::Review)
}

#[component]
fn CaseList() -> impl IntoView {
    let api = use_app().api;
    let session = use_session();
    let wizard = use_wizard();
    let badge = crate::state::case_badge::use_case_badge();
    let lists = LocalResource::new({
        let api = api.clone();
        move || {
            let api = api.clone();
            async move {
                let lists = futures::try_join!(api.drafts(), api.cases());
                if let Ok((_, cases)) = &lists {
                    badge.count_in(cases);
                }
                lists
            }
        }
    });
    let delete = Action::new_local(move |business: &BusinessCode| {
        let (api, business) = (api.clone(), *business);
        async move {
            api.delete_draft(business).await?;
            wizard.draft(business).forget();
            Ok::<_, ApiError>(())
        }
    });
    Effect::new(move |_| {
        if let Some(result) = delete.value().get() {
            match result {
                Err(error) if error.is_unauthenticated() => session.ended(),
                _ => lists.refetch(),
            }
        }
    });
    let delete_error = move || delete.value().get().and_then(Result::err).map(|e| e.message());
    view! {
        {move || delete_error().map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match lists.await {
                    Err(error) if error.is_unauthenticated() => {
                        session.ended();
                        view! { <Loading /> }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error on_retry=move |_| lists.refetch() /> }.into_any(),
                    Ok((drafts, cases)) => view! {
                        <h2 class="weui-cells__title">"未提交的草稿"</h2>
                        {if drafts.is_empty() {
                            view! { <p class="cases__empty">"没有未提交的草稿。"</p> }.into_any()
                        } else {
                            view! {
                                <ul class="weui-cells cases">
                                    {drafts.into_iter().map(|d| view! { <DraftRow draft=d delete pending=delete.pending().into() /> }).collect_view()}
                                </ul>
                            }
                            .into_any()
                        }}
                        <div class="cases__heading">
                            <h2 class="weui-cells__title">"已提交的申请"</h2>
                            <button type="button" class="weui-btn weui-btn_mini weui-btn_default" on:click=move |_| lists.refetch()>
                                "刷新"
                            </button>
                        </div>
                        {if cases.is_empty() {
                            view! { <p class="cases__empty">"还没有提交过申请。可在首页选择要办理的业务。"</p> }.into_any()
                        } else {
                            view! { <ul class="weui-cells cases">{cases.into_iter().map(|c| view! { <CaseRow case=c /> }).collect_view()}</ul> }.into_any()
                        }}
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DraftRow(draft: DraftSummary, delete: Action<BusinessCode, Result<(), ApiError>>, pending: Signal<bool>) -> impl IntoView {
    let DraftSummary { business, business_name, last_step, updated_at } = draft;
    let next = resume_step(last_step);
    let resume = crate::href(Route::Apply(business, next));
    let label = format!("删除{business_name}草稿");
    view! {
        <li class="weui-cell cases__item">
            <div class="weui-cell__bd">
                <p class="cases__name">{business_name.clone()}</p>
                <p class="cases__meta">{format!("草稿 · 下一步：{} · 保存于{}", next.title(), crate::browser::date_time(updated_at))}</p>
            </div>
            <div class="weui-cell__ft cases__actions">
                <A href=resume attr:class="weui-btn weui-btn_mini weui-btn_primary">"继续办理"</A>
                <button
                    type="button"
                    class="weui-btn weui-btn_mini weui-btn_default"
                    aria-label=label
                    disabled=move || pending.get()
                    on:click=move |_| {
                        if crate::browser::confirm(&format!("确定删除{business_name}的草稿吗？已上传的照片也将不再使用。")) {
                            delete.dispatch(business);
                        }
                    }
                >
                    "删除"
                </button>
            </div>
        </li>
    }
}

#[component]
fn CaseRow(case: CaseSummary) -> impl IntoView {
    let CaseSummary { id, business_name, status, accept_by, decide_by, due_dates_estimated, changed, .. } = case;
    let due = |date: &str| due_date(date, due_dates_estimated);
    let dates = match status {
        CaseStatus::Submitted | CaseStatus::Returned => Some(format!("受理时限 {}前 · 办结时限 {}前", due(&accept_by), due(&decide_by))),
        CaseStatus::Accepted => Some(format!("办结时限 {}前", due(&decide_by))),
        CaseStatus::Completed | CaseStatus::Refused | CaseStatus::Withdrawn => None,
    };
    // The link is named by what it shows (name, 新进展, number, dates, status), so that what a
    // screen reader says and what is seen are the same words.
    view! {
        <li class="cases__item-link">
            <A href=crate::href(Route::Case(id.clone())) attr:class="weui-cell weui-cell_access cases__item">
                <div class="weui-cell__bd">
                    <p class="cases__name">
                        {business_name}
                        {changed.then(|| view! { <span class="weui-badge cases__news">"新进展"</span> })}
                    </p>
                    <p class="cases__meta">{format!("办件编号 {id}")}</p>
                    {dates.map(|d| view! { <p class="cases__meta">{d}</p> })}
                </div>
                <div class="weui-cell__ft"><span class="cases__status"><CaseStatusName status /></span></div>
            </A>
        </li>
    }
}
