//! One case: where it stands and what to do next, its due dates and timeline, what was
//! submitted; 撤回 before acceptance, 去补正 when returned, the voucher when done.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};
use taxicert_api::{
    correctable_field_label, BusinessCode, CaseDetail, CasePhoto, CaseResult, CaseStatus, CaseSummary, Correction,
    ServiceHall, TimelineEvent,
};

use crate::{
    api::ApiError,
    browser,
    state::case_badge::use_case_badge,
    components::{
        layout::PageTitle,
        login_prompt::LoginPrompt,
        status::{CaseStatusName, ErrorPanel, Loading},
    },
    state::draft::{answers, Shown},
    pages::apply::{answer_rows, due_date, row},
    routes::Route,
    state::session::{use_session, Session},
    use_app,
};

/// A page of one case (`/cases/:id…`, its id from the route): the title, then `case` of the
/// id for a signed-in driver, else the login prompt (`why`) that comes back to `route` of it.
#[component]
pub fn CasePage(
    title: &'static str,
    route: fn(String) -> Route,
    why: &'static str,
    case: fn(String) -> AnyView,
) -> impl IntoView {
    let params = use_params_map();
    let session = use_session();
    let id = move || params.read().get("id").unwrap_or_default();
    view! {
        <PageTitle title=title />
        {move || match session.is_signed_in() {
            false => view! { <LoginPrompt next=route(id()) why=why /> }.into_any(),
            true => case(id()),
        }}
    }
}

/// What a case page shows when its case did not load: a lapsed `session` ends (the login
/// prompt follows), another driver's case or a made-up number is [`CaseNotFound`], anything
/// else an error with 重试.
pub fn case_load_failed(error: ApiError, session: Session, on_retry: impl Fn() + Send + Sync + 'static) -> AnyView {
    match error {
        error if error.is_unauthenticated() => {
            session.ended();
            view! { <Loading /> }.into_any()
        }
        ApiError::Server { status: 404, .. } => view! { <CaseNotFound /> }.into_any(),
        error => view! { <ErrorPanel error on_retry=move |_| on_retry() /> }.into_any(),
    }
}

#[component]
pub fn CaseDetailPage() -> impl IntoView {
    view! {
        <CasePage title="办件详情" route=Route::Case why="登录后可查看您的办件。" case=|id| view! { <CaseView id /> }.into_any() />
    }
}

#[component]
fn CaseView(id: String) -> impl IntoView {
    let api = use_app().api;
    let session = use_session();
    let badge = use_case_badge();
    let loaded = LocalResource::new({
        let (api, id) = (api.clone(), id.clone());
        move || {
            let (api, id) = (api.clone(), id.clone());
            async move {
                let found = futures::try_join!(api.case(&id), api.service_halls());
                // Opening the case marked its news as seen.
                badge.refresh(api);
                found
            }
        }
    });
    let withdraw = Action::new_local({
        let (api, id) = (api.clone(), id.clone());
        move |(): &()| {
            let (api, id) = (api.clone(), id.clone());
            async move { api.withdraw(&id).await }
        }
    });
    Effect::new(move |_| match withdraw.value().get() {
        Some(Ok(_)) => loaded.refetch(),
        Some(Err(error)) if error.is_unauthenticated() => session.ended(),
        _ => {}
    });
    let withdraw_error = move || withdraw.value().get().and_then(Result::err).map(|e| e.message());
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok((case, halls)) => view! {
                        <CaseBody case halls withdraw withdraw_error=Signal::derive(withdraw_error) />
                        <div class="weui-btn-area">
                            <button type="button" class="weui-btn weui-btn_default" on:click=move |_| loaded.refetch()>
                                "刷新"
                            </button>
                            <A href=crate::href(Route::MyCases)><span class="weui-btn weui-btn_default">"返回我的办件"</span></A>
                        </div>
                    }
                    .into_any(),
                    Err(error) => case_load_failed(error, session, move || loaded.refetch()),
                }
            })}
        </Transition>
    }
}

/// Another driver's case, or a made-up number: the server answers both alike.
#[component]
pub fn CaseNotFound() -> impl IntoView {
    view! {
        <div class="weui-msg" role="alert">
            <div class="weui-msg__text-area">
                <h2 class="weui-msg__title">"没有找到这个办件"</h2>
                <p class="weui-msg__desc">"办件编号可能有误，或不是您本人的申请。请在“我的办件”中查看您的申请。"</p>
            </div>
            <p class="weui-btn-area">
                <A href=crate::href(Route::MyCases)><span class="weui-btn weui-btn_primary">"查看我的办件"</span></A>
            </p>
        </div>
    }
}

#[component]
fn CaseBody(
    case: CaseDetail,
    halls: Vec<ServiceHall>,
    withdraw: Action<(), Result<CaseDetail, ApiError>>,
    withdraw_error: Signal<Option<String>>,
) -> impl IntoView {
    let api = use_app().api;
    let CaseDetail {
        summary,
        certificate,
        applicant_name_masked,
        info,
        photos,
        timeline,
        correction,
        correct_by,
        result,
        can_withdraw,
    } = case;
    let CaseSummary { id, business, business_name, status, submitted_at, accept_by, decide_by, due_dates_estimated, .. } =
        summary;
    let answers = answers(&info, Some(&certificate), &halls, Shown::Submitted);
    let refusal = timeline.iter().rev().find(|e| e.event == TimelineEvent::Refused).and_then(|e| e.note.clone());
    let due = |date: &str| format!("{}前", due_date(date, due_dates_estimated));
    let voucher = api.voucher_url(&id);
    view! {
        <section class="case-status" aria-labelledby="case-status-title">
            <p class="case-status__label">"办理状态"</p>
            <h2 class="case-status__name" id="case-status-title"><CaseStatusName status /></h2>
            <p class="case-status__what">{what_now(status, &accept_by, &decide_by, due_dates_estimated)}</p>
            {correction.map(|c| view! { <CorrectionNeeded id=id.clone() business correction=c correct_by=correct_by.clone() photos=photos.clone() /> })}
            {result.map(|r| view! { <Finished id=id.clone() result=r voucher=voucher.clone() /> })}
            {refusal.map(|reason| view! { <p class="case-status__reason">"不予受理的原因："{reason}</p> })}
        </section>

        <section class="summary">
            <div class="summary__hd"><h2 class="summary__title">"办件信息"</h2></div>
            <dl class="summary__list">
                <CaseNumberRow id=id.clone() />
                {row("办理业务", business_name)}
                {row("提交时间", browser::date_time(submitted_at))}
                {matches!(status, CaseStatus::Submitted | CaseStatus::Returned).then(|| row("受理时限", due(&accept_by)))}
                {matches!(status, CaseStatus::Submitted | CaseStatus::Accepted | CaseStatus::Returned)
                    .then(|| row("办结时限", due(&decide_by)))}
            </dl>
            {due_dates_estimated.then(|| view! {
                <p class="case-note">"标“预计”的日期按周末推算，尚未计入法定节假日，以实际办理为准。"</p>
            })}
        </section>

        <section class="summary" aria-labelledby="timeline-title">
            <div class="summary__hd"><h2 class="summary__title" id="timeline-title">"办理进度"</h2></div>
            <ol class="timeline">
                {timeline
                    .into_iter()
                    .map(|entry| view! {
                        <li class="timeline__item">
                            <p class="timeline__event">{entry.event.name()}</p>
                            <p class="timeline__time">{browser::date_time(entry.at)}</p>
                            {entry.note.map(|note| view! { <p class="timeline__note">{note}</p> })}
                        </li>
                    })
                    .collect_view()}
            </ol>
        </section>

        <section class="summary">
            <div class="summary__hd"><h2 class="summary__title">"申请内容"</h2></div>
            <dl class="summary__list">
                {row("申请人", applicant_name_masked)}
                {row("从业资格证", format!("{}（{}从业资格证）", certificate.number, certificate.kind.name()))}
                {row("有效期至", certificate.valid_until)}
                {answer_rows(answers)}
                {photos
                    .into_iter()
                    .map(|photo| {
                        let src = api.upload_image_url(&photo.upload_id);
                        let alt = format!("已提交的{}", photo.material_name);
                        view! {
                            <div class="summary__row">
                                <dt class="summary__key">{photo.material_name}</dt>
                                <dd class="summary__value"><img class="summary__photo" src=src alt=alt /></dd>
                            </div>
                        }
                    })
                    .collect_view()}
            </dl>
        </section>

        {can_withdraw.then(|| view! {
            <div class="weui-btn-area">
                {move || withdraw_error.get().map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
                <button
                    type="button"
                    class="weui-btn weui-btn_default case-withdraw"
                    disabled=move || withdraw.pending().get()
                    on:click=move |_| {
                        if browser::confirm("确定撤回这项申请吗？撤回后如需办理，须重新申请。") {
                            withdraw.dispatch(());
                        }
                    }
                >
                    {move || if withdraw.pending().get() { "正在撤回…" } else { "撤回申请" }}
                </button>
                <p class="case-note">"受理前可以撤回；受理后如需撤回，请联系办理窗口。"</p>
            </div>
        })}
    }
}

/// What happens next, in a sentence.
fn what_now(status: CaseStatus, accept_by: &str, decide_by: &str, estimated: bool) -> String {
    match status {
        CaseStatus::Submitted => {
            format!("等待受理：业务办理人员将在{}前受理您的申请。", due_date(accept_by, estimated))
        }
        CaseStatus::Accepted => format!("已受理，将在{}前办结。", due_date(decide_by, estimated)),
        CaseStatus::Returned => "您的申请需要补正，请按下面的说明修改后重新提交。".into(),
        CaseStatus::Completed => "已办结，可下载办理凭证。".into(),
        CaseStatus::Refused => "您的申请不予受理。如有疑问，请联系办理窗口。".into(),
        CaseStatus::Withdrawn => "您已撤回这项申请。如需办理，请重新申请。".into(),
    }
}

#[component]
fn CorrectionNeeded(
    id: String,
    business: BusinessCode,
    correction: Correction,
    correct_by: Option<String>,
    photos: Vec<CasePhoto>,
) -> impl IntoView {
    let Correction { reason, fields, materials } = correction;
    let items: Vec<String> = fields
        .iter()
        .filter_map(|f| correctable_field_label(business, f).map(str::to_owned))
        .chain(materials.iter().map(|m| material_name(&photos, m)))
        .collect();
    view! {
        <div class="case-correction">
            <p class="case-status__reason">"退回原因："{reason}</p>
            <p>"需要修改的内容："</p>
            <ul class="case-correction__items">{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul>
            {correct_by.map(|date| view! {
                <p class="case-correction__deadline">
                    {format!("请在{date}前（含当日）补正，逾期未补正的申请将终止办理。")}
                </p>
            })}
            <A href=crate::href(Route::CaseCorrection(id))><span class="weui-btn weui-btn_primary">"去补正"</span></A>
        </div>
    }
}

/// A material's name from the photos the case was submitted with.
pub fn material_name(photos: &[CasePhoto], code: &str) -> String {
    photos.iter().find(|p| p.material_code == code).map_or_else(|| code.to_owned(), |p| p.material_name.clone())
}

/// The result, and the voucher: 查看凭证 (its picture, which Android WeChat can save where it
/// cannot download the PDF), the PDF, and its public check page.
#[component]
fn Finished(id: String, result: CaseResult, voucher: String) -> impl IntoView {
    let rows = result_rows(&result);
    let CaseResult { cancelled, voucher_code, .. } = result;
    view! {
        {cancelled.then(|| view! { <p class="case-result__cancelled" role="status">"从业资格证已注销"</p> })}
        <dl class="summary__list case-result">
            {rows.into_iter().map(|(label, value)| row(label, value)).collect_view()}
        </dl>
        <p class="weui-btn-area">
            <A href=crate::href(Route::CaseVoucher(id))>
                <span class="weui-btn weui-btn_primary">{if cancelled { "查看注销凭证" } else { "查看凭证" }}</span>
            </A>
            <a class="weui-btn weui-btn_default" href=voucher download="">
                {if cancelled { "下载注销凭证（PDF）" } else { "下载凭证（PDF）" }}
            </a>
            <A href=crate::href(Route::VerifyVoucher(voucher_code))><span class="weui-btn weui-btn_default">"查看凭证核验页"</span></A>
        </p>
    }
}

/// What a finished case produced, as (label, value) rows: each business its own (the new
/// expiry of 换发, a 变更's old → new, the 考核's period, points and grade, 注销's mark).
pub fn result_rows(result: &CaseResult) -> Vec<(&'static str, String)> {
    let mut rows = vec![("办结时间", browser::date_time(result.completed_at)), ("证号", result.certificate_number.clone())];
    if let Some(valid_until) = &result.valid_until {
        rows.push(("新有效期至", valid_until.clone()));
    }
    for change in &result.changes {
        let old = if change.old.is_empty() { "（原未记载）" } else { change.old.as_str() };
        rows.push((change.item.name(), format!("{old} → {}", change.new)));
    }
    match (&result.credit, &result.credit_grade) {
        (Some(credit), _) => {
            rows.push(("考核周期", credit.period.label()));
            rows.push(("考核分数", format!("{}分", credit.points)));
            rows.push(("考核等级", credit.grade.clone()));
        }
        (None, Some(grade)) => rows.push(("考核等级", grade.clone())),
        (None, None) => {}
    }
    if result.cancelled {
        rows.push(("证件状态", "已注销".to_owned()));
    }
    if let Some(number) = &result.tracking_number {
        rows.push(("快递单号", number.clone()));
    }
    if !result.note.is_empty() {
        rows.push(("办理说明", result.note.clone()));
    }
    rows.push(("凭证编号", result.voucher_code.clone()));
    rows
}

/// 办件编号 with 复制: the driver quotes it on the phone to the office or pastes it in a
/// message. Where the browser cannot copy, it says to long-press the number instead.
#[component]
fn CaseNumberRow(id: String) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let copy = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            leptos::task::spawn_local(async move { copied.set(Some(browser::copy_text(&id).await)) });
        }
    };
    view! {
        <div class="summary__row">
            <dt class="summary__key">"办件编号"</dt>
            <dd class="summary__value case-number">
                <span class="case-number__id">{id}</span>
                <button type="button" class="weui-btn weui-btn_mini weui-btn_default case-number__copy" on:click=copy>
                    "复制"
                </button>
                <span class="case-number__said" role="status">
                    {move || match copied.get() {
                        Some(true) => "已复制",
                        Some(false) => "无法自动复制，请长按编号复制",
                        None => "",
                    }}
                </span>
            </dd>
        </div>
    }
}
