//! 提交成功: the case number, what happens next and by when.

use leptos::prelude::*;
use leptos_router::components::A;
use taxicert_api::{BusinessCode, CaseSummary};

use super::review::{answer_rows, row, LastSubmitted};
use crate::{
    components::status::{ErrorPanel, Loading},
    state::draft::{answers, Shown},
    routes::Route,
    use_app,
};

#[component]
pub fn Submitted(business: BusinessCode) -> impl IntoView {
    let api = use_app().api;
    let last = expect_context::<LastSubmitted>();
    // After a reload the tab no longer holds the answer: the newest case of the business.
    let case = LocalResource::new(move || {
        let (api, known) = (api.clone(), last.0.get_untracked().filter(|c| c.business == business));
        async move {
            match known {
                Some(case) => Ok(Some(case)),
                None => api.cases().await.map(|cases| cases.into_iter().find(|c| c.business == business)),
            }
        }
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match case.await {
                    Ok(Some(case)) => view! { <Success case /> }.into_any(),
                    Ok(None) => view! {
                        <div class="weui-msg" role="status">
                            <div class="weui-msg__text-area">
                                <h2 class="weui-msg__title">"没有找到已提交的申请"</h2>
                                <p class="weui-msg__desc">"请在“我的办件”中查看您的申请和草稿。"</p>
                            </div>
                            <p class="weui-btn-area">
                                <A href=crate::href(Route::MyCases)><span class="weui-btn weui-btn_primary">"查看我的办件"</span></A>
                            </p>
                        </div>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPanel error on_retry=move |_| case.refetch() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// `2026-11-27` as `2026年11月27日`, with 预计 when the calendar did not cover it.
pub fn due_date(date: &str, estimated: bool) -> String {
    let mut parts = date.splitn(3, '-').map(|p| p.trim_start_matches('0'));
    let text = match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) => format!("{y}年{m}月{d}日"),
        _ => date.to_owned(),
    };
    if estimated {
        format!("{text}（预计）")
    } else {
        text
    }
}

#[component]
fn Success(case: CaseSummary) -> impl IntoView {
    let CaseSummary { id, business_name, accept_by, decide_by, due_dates_estimated: estimated, .. } = case;
    let id_for_answers = id.clone();
    view! {
        <div class="weui-msg submitted" role="status">
            <div class="weui-msg__icon-area"><i class="weui-icon-success weui-icon_msg" aria-hidden="true"></i></div>
            <div class="weui-msg__text-area">
                <h2 class="weui-msg__title">"申请已提交"</h2>
                <p class="weui-msg__desc">{format!("您的{business_name}申请已提交，请记下办件编号。")}</p>
            </div>
        </div>
        <dl class="summary__list submitted__facts">
            <div class="summary__row"><dt class="summary__key">"办件编号"</dt><dd class="summary__value submitted__number">{id}</dd></div>
            {row("受理时限", format!("{}前", due_date(&accept_by, estimated)))}
            {row("办结时限", format!("{}前", due_date(&decide_by, estimated)))}
        </dl>
        <SubmittedAnswers id=id_for_answers />
        <ol class="submitted__next">
            <li>"业务办理人员将在2个工作日内受理您的申请。"</li>
            <li>"受理后3个工作日内办结；材料需补正的，会退回并说明原因，请留意“我的办件”。"</li>
            <li>"办结后可在“我的办件”中查看结果并下载凭证。"</li>
        </ol>
        {estimated.then(|| view! { <p class="submitted__note">"时限按工作日计算；标“预计”的日期尚未计入法定节假日，以实际办理为准。"</p> })}
        <div class="weui-btn-area">
            <A href=crate::href(Route::MyCases)><span class="weui-btn weui-btn_primary">"查看我的办件"</span></A>
            <A href=crate::href(Route::Home) exact=true><span class="weui-btn weui-btn_default">"返回首页"</span></A>
        </div>
    }
}

/// What was submitted, each business its own answers, as the case holds them.
#[component]
fn SubmittedAnswers(id: String) -> impl IntoView {
    let api = use_app().api;
    let case = LocalResource::new(move || {
        let (api, id) = (api.clone(), id.clone());
        async move { futures::try_join!(api.case(&id), api.service_halls()) }
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match case.await {
                    Ok((case, halls)) => view! {
                        <section class="summary">
                            <div class="summary__hd"><h2 class="summary__title">"申请内容"</h2></div>
                            <dl class="summary__list">
                                {answer_rows(answers(&case.info, Some(&case.certificate), &halls, Shown::Submitted))}
                            </dl>
                        </section>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPanel error on_retry=move |_| case.refetch() /> }.into_any(),
                }
            })}
        </Transition>
    }
}
