//! The case queue (filters in the URL) and one case's page: every answer, every photo, the
//! timeline with who did what, and the clerk's actions 受理, 退回补正, 办结, 不予受理.

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map},
    NavigateOptions,
};
use taxicert_api::{
    correctable_field_label, correctable_fields, BusinessCode, CaseQueueFilter, CaseQueueScope, CasePhoto, CaseStatus, Certificate,
    CreditThresholds, Delivery, PersonalInfo, ResubmissionChanges, ServiceHall, StaffAction, StaffActionKind, StaffCaseDetail,
    StaffCaseSummary, StatusTone, CASE_PAGE_SIZE,
};

use super::{
    fact,
    forms::{
        self, CompletionForm, COMPLETE_BONUS, COMPLETE_DEDUCTIONS, COMPLETE_NOTE, COMPLETE_NUMBER, COMPLETE_TRACKING,
        COMPLETE_VALID_UNTIL, REFUSE_REASON, RETURN_FIELDS, RETURN_MATERIALS, RETURN_REASON,
    },
    loaded, refresh_button, StaffPhoto, StaffScreen,
};
use crate::{
    api::ApiError,
    browser,
    components::error_summary::{error_for, ErrorSummary, FieldError, FieldMessage},
    routes::{opaque, Route},
    state::staff_session::use_staff_session,
    use_app,
};

// ---------------------------------------------------------------------------------------
// The queue

#[component]
pub fn CaseQueuePage() -> impl IntoView {
    view! {
        <StaffScreen title="办件受理" trail=vec![(Route::Staff, "业务办理")]>
            <CaseQueue />
        </StaffScreen>
    }
}

#[component]
fn CaseQueue() -> impl IntoView {
    let api = use_app().api;
    let api_for_export = api.clone();
    let api_for_halls = api.clone();
    let query = use_query_map();
    let navigate = use_navigate();
    let filter = Memo::new(move |_| {
        let query = query.read();
        forms::parse_case_filter(
            query.get("status").as_deref(),
            query.get("business").as_deref(),
            query.get("scope").as_deref(),
            query.get("from").as_deref(),
            query.get("to").as_deref(),
            query.get("hall").as_deref(),
        )
    });
    // The search is kept in the page only, never in its URL: it may be a phone or ID number.
    let typed = RwSignal::new(String::new());
    let searched = RwSignal::new(None::<String>);
    // The first case of the page shown, in the queue's order; a new filter or search starts over.
    let offset = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        let page = CaseQueueFilter { q: searched.get(), limit: Some(CASE_PAGE_SIZE), offset: Some(offset.get()), ..filter.get() };
        let api = api.clone();
        async move { api.staff_cases(&page).await }
    });
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = typed.get_untracked().trim().to_owned();
        offset.set(0);
        searched.set((!text.is_empty()).then_some(text));
    };
    let clear = move |_| {
        typed.set(String::new());
        offset.set(0);
        searched.set(None);
    };
    let go = move |filter: CaseQueueFilter| {
        offset.set(0);
        let path = format!("{}{}", Route::StaffCases.path(), forms::case_filter_query(&filter));
        navigate(&path, NavigateOptions { replace: true, scroll: false, ..Default::default() });
    };
    let on_status = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            let status = CaseStatus::parse(&value);
            // "": 待处理 (the default queue); "all": 全部状态.
            let scope = (value == "all").then_some(CaseQueueScope::All);
            go(CaseQueueFilter { status, scope, ..filter.get_untracked() });
        }
    };
    let on_business = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            let business = BusinessCode::parse(&event_target_value(&ev));
            go(CaseQueueFilter { business, ..filter.get_untracked() });
        }
    };
    // A date input gives `YYYY-MM-DD` or "" (cleared).
    let day = |ev: &leptos::ev::Event| Some(event_target_value(ev)).filter(|d| !d.is_empty());
    let on_from = {
        let go = go.clone();
        move |ev: leptos::ev::Event| go(CaseQueueFilter { from: day(&ev), ..filter.get_untracked() })
    };
    let on_to = {
        let go = go.clone();
        move |ev: leptos::ev::Event| go(CaseQueueFilter { to: day(&ev), ..filter.get_untracked() })
    };
    let on_hall = move |ev: leptos::ev::Event| go(CaseQueueFilter { hall: day(&ev), ..filter.get_untracked() });
    // The halls to filter by; without them (a failed load) the filter is simply not offered.
    let halls = LocalResource::new({
        let api = api_for_halls.clone();
        move || {
            let api = api.clone();
            async move { api.service_halls().await.unwrap_or_default() }
        }
    });
    let export = move || api_for_export.staff_cases_export_url(&filter.get());
    view! {
        <form class="staff-toolbar staff-search" role="search" on:submit=on_search>
            <div class="staff-filter">
                <label class="staff-filter__label" for="case-search">"查找办件"</label>
                <input
                    id="case-search"
                    class="staff-input staff-search__input"
                    type="search"
                    maxlength="40"
                    autocomplete="off"
                    placeholder="办件编号、姓名、手机号或后4位、身份证号、证号"
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                />
            </div>
            <button type="submit" class="weui-btn weui-btn_mini weui-btn_primary">"查找"</button>
            {move || searched.get().is_some().then(|| view! {
                <button type="button" class="weui-btn weui-btn_mini weui-btn_default" on:click=clear>"清除查找"</button>
            })}
        </form>
        <p class="staff-hint" role="status">
            {move || searched.get().map(|_| "查找结果包括所有状态的办件；可再按状态或业务筛选。")}
        </p>
        <div class="staff-toolbar">
            <div class="staff-filter">
                <label class="staff-filter__label" for="case-status">"状态"</label>
                <select id="case-status" class="staff-select" on:change=on_status>
                    <option value="" prop:selected=move || filter.with(|f| f.status.is_none() && f.scope.is_none())>
                        "待处理（待受理、待办结）"
                    </option>
                    <option value="all" prop:selected=move || filter.with(|f| f.status.is_none() && f.scope.is_some())>
                        "全部状态"
                    </option>
                    {CaseStatus::ALL
                        .into_iter()
                        .map(|option| view! {
                            <option value=option.as_str() prop:selected=move || filter.with(|f| f.status == Some(option))>
                                {option.name()}
                            </option>
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="staff-filter">
                <label class="staff-filter__label" for="case-business">"业务"</label>
                <select id="case-business" class="staff-select" on:change=on_business>
                    <option value="" prop:selected=move || filter.with(|f| f.business.is_none())>"全部业务"</option>
                    {BusinessCode::ALL
                        .into_iter()
                        .map(|option| view! {
                            <option value=option.as_str() prop:selected=move || filter.with(|f| f.business == Some(option))>
                                {option.short_name()}
                            </option>
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="staff-filter">
                <label class="staff-filter__label" for="case-from">"提交日期从"</label>
                <input id="case-from" class="staff-input" type="date" prop:value=move || filter.with(|f| f.from.clone().unwrap_or_default()) on:change=on_from />
            </div>
            <div class="staff-filter">
                <label class="staff-filter__label" for="case-to">"至"</label>
                <input id="case-to" class="staff-input" type="date" prop:value=move || filter.with(|f| f.to.clone().unwrap_or_default()) on:change=on_to />
            </div>
            {move || halls.get().filter(|halls| !halls.is_empty()).map(|halls| view! {
                <div class="staff-filter">
                    <label class="staff-filter__label" for="case-hall">"领取大厅"</label>
                    <select id="case-hall" class="staff-select" on:change=on_hall.clone()>
                        <option value="" prop:selected=move || filter.with(|f| f.hall.is_none())>"全部大厅"</option>
                        {halls
                            .into_iter()
                            .map(|hall| {
                                let id = hall.id.clone();
                                view! {
                                    <option value=hall.id.clone() prop:selected=move || filter.with(|f| f.hall.as_deref() == Some(id.as_str()))>
                                        {hall.name}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
            })}
            {refresh_button(list)}
            // The export has the filters, never the search: a phone or ID number stays out of links.
            <a class="weui-btn weui-btn_mini weui-btn_default staff-export" href=export download="">"导出CSV"</a>
        </div>
        {loaded(list, move |rows| {
            if rows.is_empty() && offset.get_untracked() == 0 {
                return view! { <p class="staff-empty" role="status">"没有符合条件的办件。"</p> }.into_any();
            }
            let full = rows.len() == CASE_PAGE_SIZE as usize;
            let first = offset.get_untracked();
            view! {
                <p class="staff-count" role="status">
                    {if rows.is_empty() {
                        "没有更多办件。".to_owned()
                    } else {
                        format!("第 {} 至 {} 件", first + 1, first as usize + rows.len())
                    }}
                </p>
                <CaseTable rows />
                {(first > 0 || full).then(|| view! {
                    <div class="staff-toolbar staff-pager">
                        <button
                            type="button"
                            class="weui-btn weui-btn_mini weui-btn_default"
                            disabled=first == 0
                            on:click=move |_| offset.set(first.saturating_sub(CASE_PAGE_SIZE))
                        >
                            "上一页"
                        </button>
                        <button
                            type="button"
                            class="weui-btn weui-btn_mini weui-btn_default"
                            disabled=!full
                            on:click=move |_| offset.set(first + CASE_PAGE_SIZE)
                        >
                            "下一页"
                        </button>
                    </div>
                })}
            }
            .into_any()
        })}
    }
}

#[component]
fn CaseTable(rows: Vec<StaffCaseSummary>) -> impl IntoView {
    view! {
        <table class="staff-table">
            <caption class="visually-hidden">"办件"</caption>
            <thead>
                <tr>
                    <th scope="col">"办件编号"</th>
                    <th scope="col">"业务"</th>
                    <th scope="col">"申请人"</th>
                    <th scope="col">"证号"</th>
                    <th scope="col">"状态"</th>
                    <th scope="col">"受理时限"</th>
                    <th scope="col">"办结时限"</th>
                    <th scope="col">"剩余时间"</th>
                    <th scope="col">"提交时间"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|row| {
                        let case = row.summary;
                        let href = crate::href(Route::StaffCase(case.id.clone()));
                        let row_id = format!("case-{}", opaque(&case.id));
                        view! {
                            <tr id=row_id>
                                <td data-label="办件编号"><A href=href attr:class="staff-case-number">{case.id.clone()}</A></td>
                                <td data-label="业务">{case.business_name}</td>
                                <td data-label="申请人">{row.applicant_name_masked}</td>
                                <td data-label="证号">{row.certificate_number}</td>
                                <td data-label="状态">
                                    <span class=case_status_class(case.status)>{case.status.name()}</span>
                                    {row.resubmitted.then(|| view! { <span class="staff-tag">"已补正"</span> })}
                                </td>
                                <td data-label="受理时限">{forms::due(&case.accept_by, case.due_dates_estimated)}</td>
                                <td data-label="办结时限">{forms::due(&case.decide_by, case.due_dates_estimated)}</td>
                                <td data-label="剩余时间">{row.due_in_days.map(|days| {
                                    let (text, overdue) = forms::due_in(days);
                                    view! { <span class:staff-overdue=overdue>{text}</span> }
                                })}</td>
                                <td data-label="提交时间">{forms::beijing_time(case.submitted_at)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

fn case_status_class(status: CaseStatus) -> &'static str {
    match status.tone() {
        StatusTone::Good => "staff-status staff-status_good",
        StatusTone::Bad | StatusTone::ActionNeeded => "staff-status staff-status_bad",
        StatusTone::Pending | StatusTone::Ended => "staff-status",
    }
}

// ---------------------------------------------------------------------------------------
// One case

#[component]
pub fn StaffCasePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").map(|id| opaque(&id)).unwrap_or_default());
    let queue_moved = QueueMoved(RwSignal::new(0));
    provide_context(queue_moved);
    view! {
        <StaffScreen title="办件详情" trail=vec![(Route::Staff, "业务办理"), (Route::StaffCases, "办件受理")] class="staff_desk">
            <div class="staff-desk">
                <QueueAside moved=queue_moved />
                <div class="staff-desk__detail">
                    <CaseLoader id />
                </div>
            </div>
        </StaffScreen>
    }
}

/// Bumped when the clerk acts on the case: the queue beside it is read again.
#[derive(Clone, Copy)]
struct QueueMoved(RwSignal<u32>);

/// Where a desk is wide enough to show the queue beside the case (the CSS's breakpoint too).
const DESK_MIN_WIDTH: f64 = 1024.0;

/// On a desk, the waiting queue (待处理) beside the case: the clerk goes on to the next case
/// without going back. Not loaded on a phone, where the page is one column.
#[component]
fn QueueAside(moved: QueueMoved) -> impl IntoView {
    (browser::viewport_width() >= DESK_MIN_WIDTH).then(|| {
        let api = use_app().api;
        let list = LocalResource::new(move || {
            moved.0.track();
            let api = api.clone();
            async move { api.staff_cases(&CaseQueueFilter::default()).await }
        });
        view! {
            <nav class="staff-desk__queue" aria-labelledby="desk-queue-title">
                <div class="staff-desk__queue-head">
                    <h2 class="staff-section__title" id="desk-queue-title">"待处理办件"</h2>
                    {refresh_button(list)}
                </div>
                {loaded(list, move |rows: Vec<StaffCaseSummary>| {
                    if rows.is_empty() {
                        return view! { <p class="staff-empty">"没有待处理的办件。"</p> }.into_any();
                    }
                    view! {
                        <ul class="staff-queue-list">
                            {rows
                                .into_iter()
                                .map(|row| {
                                    let case = row.summary;
                                    // The router's link marks the case on screen aria-current="page".
                                    view! {
                                        <li>
                                            <A href=crate::href(Route::StaffCase(case.id.clone())) attr:class="staff-queue-list__item">
                                                <span class="staff-queue-list__id">{case.id.clone()}</span>
                                                <span class="staff-queue-list__meta">
                                                    {format!("{} · {}", case.business.short_name(), row.applicant_name_masked)}
                                                </span>
                                                <span class="staff-queue-list__meta">
                                                    <span class=case_status_class(case.status)>{case.status.name()}</span>
                                                    {row.resubmitted.then(|| view! { <span class="staff-tag">"已补正"</span> })}
                                                </span>
                                            </A>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any()
                })}
            </nav>
        }
    })
}

#[component]
fn CaseLoader(id: Memo<String>) -> impl IntoView {
    let api = use_app().api;
    let case = LocalResource::new(move || {
        let (api, id) = (api.clone(), id.get());
        async move {
            // The halls only name the 自取 hall: without them the page still works.
            let (detail, halls) = futures::join!(api.staff_case(&id), api.service_halls());
            detail.map(|detail| (detail, halls.unwrap_or_default()))
        }
    });
    loaded(case, |(detail, halls)| view! { <CaseView detail halls /> }.into_any())
}

/// What an action came back with: its kind and the case after it, or its kind, the refusal
/// and (when the case moved on meanwhile) the case as it now stands.
type Outcome = Result<(StaffActionKind, StaffCaseDetail), (StaffActionKind, ApiError, Option<StaffCaseDetail>)>;

const DONE_ID: &str = "staff-case-done";

#[component]
fn CaseView(detail: StaffCaseDetail, halls: Vec<ServiceHall>) -> impl IntoView {
    let detail = RwSignal::new(detail);
    let done = RwSignal::new(None::<StaffActionKind>);
    if let Some(QueueMoved(moved)) = use_context::<QueueMoved>() {
        Effect::new(move |_| {
            if done.get().is_some() {
                moved.update(|n| *n += 1);
            }
        });
    }
    view! {
        <div class="staff-status-line" role="status">
            {move || done.get().map(|kind| view! {
                <p class="staff-success" id=DONE_ID tabindex="-1">{format!("操作成功，{}", done_message(kind))}</p>
            })}
        </div>
        <div class="staff-case">
            <div class="staff-case__main">
                {move || view! { <CaseFacts detail=detail.get() halls=halls.clone() /> }}
            </div>
            <div class="staff-case__side">
                <ActionPanel detail done />
                {move || view! { <Timeline detail=detail.get() /> }}
            </div>
        </div>
    }
}

fn done_message(kind: StaffActionKind) -> &'static str {
    match kind {
        StaffActionKind::Accept => "办件已受理。",
        StaffActionKind::Return => "办件已退回补正。",
        StaffActionKind::Complete => "办件已办结。",
        StaffActionKind::Refuse => "已决定不予受理。",
    }
}

#[component]
fn CaseFacts(detail: StaffCaseDetail, halls: Vec<ServiceHall>) -> impl IntoView {
    let api = use_app().api;
    let StaffCaseDetail { case, applicant_name, id_number_masked, phone_masked, resubmission, .. } = detail;
    let summary = case.summary;
    let business = summary.business;
    let certificate = case.certificate;
    let info = case.info;
    let answers = forms::detail_rows(&info.details, &halls).into_iter().map(|(label, value)| fact(label, value)).collect_view();
    let change_rows = forms::change_rows(&certificate, &info.details);
    let change_table = (!change_rows.is_empty()).then(|| view! { <ChangeTable caption="变更事项" rows=change_rows /> });
    let material_name = {
        let photos = case.photos.clone();
        move |code: &str| photos.iter().find(|p| p.material_code == code).map(|p| p.material_name.clone()).unwrap_or_else(|| code.to_owned())
    };
    let correction = case.correction.map(|c| {
        let fields: Vec<&str> = c.fields.iter().map(|f| correctable_field_label(business, f).unwrap_or(f.as_str())).collect();
        let materials: Vec<String> = c.materials.iter().map(|m| material_name(m)).collect();
        view! {
            <section class="staff-section" aria-labelledby="case-correction-title">
                <h2 class="staff-section__title" id="case-correction-title">"退回补正内容"</h2>
                <dl class="staff-facts">
                    {fact("退回原因", c.reason)}
                    {fact("需补正的信息", if fields.is_empty() { "无".to_owned() } else { fields.join("、") })}
                    {fact("需重新上传的材料", if materials.is_empty() { "无".to_owned() } else { materials.join("、") })}
                </dl>
            </section>
        }
    });
    let result = case.result.map(|r| {
        let applied: Vec<(&'static str, String, String)> =
            r.changes.iter().map(|c| (c.item.name(), c.old.clone(), c.new.clone())).collect();
        // A 考核 completed before points were recorded has its grade only.
        let grade_only = r.credit.is_none().then_some(r.credit_grade).flatten();
        view! {
            <section class="staff-section" aria-labelledby="case-result-title">
                <h2 class="staff-section__title" id="case-result-title">"办结结果"</h2>
                <dl class="staff-facts" id="case-result">
                    {fact("办结时间", forms::beijing_time(r.completed_at))}
                    {fact("证号", r.certificate_number)}
                    {r.valid_until.map(|v| fact("有效期至", v))}
                    {r.credit.map(|c| view! {
                        {fact("考核周期", c.period.label())}
                        {fact("考核分数", format!("{}分", c.points))}
                        {fact("考核等级", c.grade)}
                    })}
                    {grade_only.map(|g| fact("考核等级", g))}
                    {r.cancelled.then(|| fact("办理结果", "从业资格证已注销"))}
                    {fact("备注", if r.note.is_empty() { "无".to_owned() } else { r.note })}
                    {fact("凭证编号", r.voucher_code)}
                </dl>
                {(!applied.is_empty()).then(|| view! { <ChangeTable caption="已记入从业资格证的变更" rows=applied /> })}
            </section>
        }
    });
    let case_id = summary.id.clone();
    let resubmission = resubmission.map(|changes| {
        view! {
            <ResubmissionSection
                case_id=case_id.clone()
                changes
                certificate=certificate.clone()
                present=info.clone()
                photos=case.photos.clone()
                halls=halls.clone()
            />
        }
    });
    let photos = case
        .photos
        .into_iter()
        .map(|photo| {
            view! {
                <StaffPhoto src=api.staff_case_photo_url(&case_id, &photo.material_code) name=photo.material_name warnings=photo.warnings />
            }
        })
        .collect_view();
    view! {
        <section class="staff-section" aria-labelledby="case-summary-title">
            <h2 class="staff-section__title" id="case-summary-title">"办件信息"</h2>
            <dl class="staff-facts">
                {fact("办件编号", summary.id.clone())}
                {fact("业务", summary.business_name)}
                <div class="staff-facts__row">
                    <dt class="staff-facts__key">"状态"</dt>
                    <dd class="staff-facts__value" id="case-status-value">
                        <span class=case_status_class(summary.status)>{summary.status.name()}</span>
                    </dd>
                </div>
                {fact("提交时间", forms::beijing_time(summary.submitted_at))}
                {fact("受理时限", forms::due(&summary.accept_by, summary.due_dates_estimated))}
                {fact("办结时限", forms::due(&summary.decide_by, summary.due_dates_estimated))}
            </dl>
        </section>
        {result}
        {correction}
        {resubmission}
        <section class="staff-section" aria-labelledby="case-applicant-title">
            <h2 class="staff-section__title" id="case-applicant-title">"申请人"</h2>
            <dl class="staff-facts">
                {fact("姓名", applicant_name)}
                {fact("身份证号", id_number_masked)}
                {fact("手机号", phone_masked)}
            </dl>
        </section>
        <section class="staff-section" aria-labelledby="case-certificate-title">
            <h2 class="staff-section__title" id="case-certificate-title">"从业资格证"</h2>
            <dl class="staff-facts">
                {fact("证号", certificate.number)}
                {fact("类别", certificate.kind.name())}
                {fact("发证机关", certificate.authority)}
                {fact("初领日期", certificate.first_issued)}
                {fact("有效期至", certificate.valid_until)}
                {fact("提交时状态", certificate.status.name())}
                {(!certificate.licence_class.is_empty()).then(|| fact("准驾车型", certificate.licence_class.clone()))}
                {(!certificate.employer.is_empty()).then(|| fact("服务单位", certificate.employer.clone()))}
                {certificate.credit.clone().map(|c| fact("最近考核", format!("{}：{}分，{}", c.period.label(), c.points, c.grade)))}
            </dl>
            // 换发 applied for late (fewer than 30 days before expiry) or after expiry (逾期):
            // the clerk should see it before deciding.
            {certificate.notice.clone().map(|notice| view! {
                <p class="staff-notice" id="case-certificate-notice" role="note">
                    <strong>"提示："</strong>{notice}
                </p>
            })}
        </section>
        <section class="staff-section" aria-labelledby="case-info-title">
            <h2 class="staff-section__title" id="case-info-title">"申请信息"</h2>
            <dl class="staff-facts" id="case-answers">
                {answers}
            </dl>
            {change_table}
            <dl class="staff-facts">
                {fact("联系人", info.contact_name)}
                {fact("联系电话", info.contact_phone)}
            </dl>
        </section>
        <section class="staff-section" aria-labelledby="case-photos-title">
            <h2 class="staff-section__title" id="case-photos-title">"申请材料"</h2>
            <p class="staff-hint">"点击照片可在新窗口查看原图。"</p>
            <div class="staff-photos">{photos}</div>
        </section>
    }
}

/// 变更事项 | 原内容 | 新内容: what the driver asked to change, or what 办结 wrote.
#[component]
fn ChangeTable<L: Into<String> + 'static>(
    caption: &'static str,
    rows: Vec<(L, String, String)>,
    /// The heads of the item, old and new columns.
    #[prop(default = ["变更事项", "原内容", "新内容"])]
    columns: [&'static str; 3],
    #[prop(optional)] id: &'static str,
) -> impl IntoView {
    let [item_head, old_head, new_head] = columns;
    view! {
        <table class="staff-table staff-change-table" id=(!id.is_empty()).then_some(id)>
            <caption class="staff-change-table__caption">{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">{item_head}</th>
                    <th scope="col">{old_head}</th>
                    <th scope="col">{new_head}</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|(item, old, new)| view! {
                        <tr>
                            <th scope="row" data-label=item_head>{Into::<String>::into(item)}</th>
                            <td data-label=old_head>{old}</td>
                            <td data-label=new_head>{new}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// After a resubmission: what the driver changed since the clerk returned the case — the
/// rows of the form that differ, the flagged ones left as they were, and each replaced photo
/// beside its new one.
#[component]
fn ResubmissionSection(
    case_id: String,
    changes: ResubmissionChanges,
    certificate: Certificate,
    present: PersonalInfo,
    photos: Vec<CasePhoto>,
    halls: Vec<ServiceHall>,
) -> impl IntoView {
    let api = use_app().api;
    let business = present.details.business();
    let rows = forms::resubmitted_rows(&certificate, &changes.previous_info, &present, &halls);
    let unchanged = forms::flagged_but_unchanged(business, &changes.correction.fields, &rows);
    let pairs = changes
        .replaced_photos
        .into_iter()
        .map(|old| {
            let new = photos.iter().find(|p| p.material_code == old.material_code).cloned();
            view! {
                <div class="staff-compare" data-material=old.material_code.clone()>
                    <StaffPhoto
                        src=api.staff_case_previous_photo_url(&case_id, &old.material_code)
                        name=format!("补正前：{}", old.material_name)
                        warnings=old.warnings
                    />
                    {new.map(|new| view! {
                        <StaffPhoto
                            src=api.staff_case_photo_url(&case_id, &new.material_code)
                            name=format!("补正后：{}", new.material_name)
                            warnings=new.warnings
                        />
                    })}
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="staff-section staff-section--changes" id="case-resubmission" aria-labelledby="case-resubmission-title">
            <h2 class="staff-section__title" id="case-resubmission-title">"补正前后对比"</h2>
            <dl class="staff-facts">
                {fact("补正提交时间", forms::beijing_time(changes.resubmitted_at))}
                {fact("退回原因", changes.correction.reason)}
            </dl>
            {if rows.is_empty() {
                view! { <p class="staff-hint">"申请信息没有改动。"</p> }.into_any()
            } else {
                view! {
                    <ChangeTable caption="改动的申请信息" rows columns=["项目", "补正前", "补正后"] id="case-resubmission-rows" />
                }.into_any()
            }}
            {(!unchanged.is_empty()).then(|| view! {
                <p class="staff-notice" role="note">
                    <strong>"提示："</strong>{format!("要求补正的{}未改动。", unchanged.join("、"))}
                </p>
            })}
            <div class="staff-photos staff-photos--compare">{pairs}</div>
        </section>
    }
}

#[component]
fn Timeline(detail: StaffCaseDetail) -> impl IntoView {
    let actors = detail.timeline_actors;
    let entries = detail
        .case
        .timeline
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            let actor = actors.get(i).cloned().unwrap_or_default();
            view! {
                <li class="staff-timeline__item">
                    <p class="staff-timeline__event">
                        <strong>{entry.event.name()}</strong>
                        <span class="staff-timeline__time">{forms::beijing_time(entry.at)}</span>
                    </p>
                    <p class="staff-timeline__meta">{format!("办理人：{actor}")}</p>
                    {entry.note.map(|note| view! { <p class="staff-timeline__note">{format!("说明：{note}")}</p> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="staff-section" aria-labelledby="case-timeline-title">
            <h2 class="staff-section__title" id="case-timeline-title">"办理记录"</h2>
            <ol class="staff-timeline">{entries}</ol>
        </section>
    }
}

// ---------------------------------------------------------------------------------------
// The actions

/// What the clerk typed in the forms; kept while another form is open, emptied after an
/// action went through.
#[derive(Clone, Copy)]
struct Typed {
    return_fields: RwSignal<Vec<String>>,
    return_materials: RwSignal<Vec<String>>,
    return_reason: RwSignal<String>,
    valid_until: RwSignal<String>,
    deductions: RwSignal<String>,
    bonus: RwSignal<String>,
    certificate_number: RwSignal<String>,
    note: RwSignal<String>,
    tracking_number: RwSignal<String>,
    refuse_reason: RwSignal<String>,
}

impl Typed {
    /// `proposed_valid_until` prefills 换发's new expiry: the register's expiry + 6 years.
    fn new(proposed_valid_until: Option<String>) -> Typed {
        let blank = CompletionForm::default();
        Typed {
            return_fields: RwSignal::new(Vec::new()),
            return_materials: RwSignal::new(Vec::new()),
            return_reason: RwSignal::new(String::new()),
            valid_until: RwSignal::new(proposed_valid_until.unwrap_or_default()),
            deductions: RwSignal::new(blank.deductions),
            bonus: RwSignal::new(blank.bonus),
            certificate_number: RwSignal::new(String::new()),
            note: RwSignal::new(String::new()),
            tracking_number: RwSignal::new(String::new()),
            refuse_reason: RwSignal::new(String::new()),
        }
    }

    fn clear(&self) {
        self.return_fields.set(Vec::new());
        self.return_materials.set(Vec::new());
        for text in
            [self.return_reason, self.valid_until, self.certificate_number, self.note, self.tracking_number, self.refuse_reason]
        {
            text.set(String::new());
        }
        let blank = CompletionForm::default();
        self.deductions.set(blank.deductions);
        self.bonus.set(blank.bonus);
    }

    fn completion(&self) -> CompletionForm {
        CompletionForm {
            valid_until: self.valid_until.get_untracked(),
            certificate_number: self.certificate_number.get_untracked(),
            deductions: self.deductions.get_untracked(),
            bonus: self.bonus.get_untracked(),
            note: self.note.get_untracked(),
            tracking_number: self.tracking_number.get_untracked(),
        }
    }
}

fn form_id(kind: StaffActionKind) -> &'static str {
    match kind {
        StaffActionKind::Accept => "accept-form",
        StaffActionKind::Return => "return-form",
        StaffActionKind::Complete => "complete-form",
        StaffActionKind::Refuse => "refuse-form",
    }
}

#[component]
fn ActionPanel(detail: RwSignal<StaffCaseDetail>, done: RwSignal<Option<StaffActionKind>>) -> impl IntoView {
    let api = use_app().api;
    let session = use_staff_session();
    let (id, business, old_valid_until, materials, proposed, thresholds) = detail.with_untracked(|d| {
        (
            d.case.summary.id.clone(),
            d.case.summary.business,
            d.case.certificate.valid_until.clone(),
            d.case.photos.iter().map(|p| (p.material_code.clone(), p.material_name.clone())).collect::<Vec<_>>(),
            d.proposed_valid_until.clone(),
            d.credit_thresholds.unwrap_or_default(),
        )
    });
    let open = RwSignal::new(None::<StaffActionKind>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let typed = Typed::new(proposed.clone());
    let act: Action<StaffAction, Outcome> = Action::new_local({
        let id = id.clone();
        move |action: &StaffAction| {
            let (api, id, action) = (api.clone(), id.clone(), action.clone());
            let kind = forms::action_kind(&action);
            async move {
                match api.staff_case_action(&id, &action).await {
                    Ok(detail) => Ok((kind, detail)),
                    Err(error) => {
                        // The case moved on, or its certificate was (being) cancelled meanwhile:
                        // show it as it now stands, with the reason above the buttons.
                        let stale = matches!(
                            error.code(),
                            Some("action_not_allowed" | "certificate_cancelled" | "certificate_cancelling")
                        );
                        let latest = if stale { api.staff_case(&id).await.ok() } else { None };
                        Err((kind, error, latest))
                    }
                }
            }
        }
    });
    Effect::new(move |_| match act.value().get() {
        Some(Ok((kind, updated))) => {
            errors.set(Vec::new());
            open.set(None);
            typed.clear();
            typed.valid_until.set(updated.proposed_valid_until.clone().unwrap_or_default());
            detail.set(updated);
            done.set(Some(kind));
            request_animation_frame(|| browser::focus_by_id(DONE_ID));
        }
        Some(Err((kind, error, latest))) => {
            if session.ends_on(&error) {
                return;
            }
            errors.set(vec![forms::action_error(kind, error.code(), error.field(), error.message())]);
            if let Some(latest) = latest {
                let still = latest.allowed_actions.contains(&kind);
                detail.set(latest);
                if !still {
                    open.set(None);
                }
            }
        }
        None => {}
    });
    // 办结 and 不予受理 end the case for good: asked once more, naming the case, as 受理 is.
    let case_number = StoredValue::new(id.clone());
    let send = move |checked: Result<StaffAction, Vec<FieldError>>| match checked {
        Ok(action) => {
            let question = match &action {
                StaffAction::Complete(_) => Some(case_number.with_value(|id| format!("确定办结办件 {id} 吗？办结后不能撤回。"))),
                StaffAction::Refuse { .. } => {
                    Some(case_number.with_value(|id| format!("确定对办件 {id} 不予受理吗？不予受理后不能撤回。")))
                }
                _ => None,
            };
            if question.is_some_and(|question| !browser::confirm(&question)) {
                return;
            }
            errors.set(Vec::new());
            done.set(None);
            act.dispatch(action);
        }
        Err(problems) => errors.set(problems),
    };
    let pending = act.pending();
    let allowed = Memo::new(move |_| detail.with(|d| d.allowed_actions.clone()));
    let accept = {
        let id = id.clone();
        move |_| {
            if browser::confirm(&format!("确定受理办件 {id} 吗？")) {
                send(Ok(StaffAction::Accept));
            }
        }
    };
    let toggle = move |kind: StaffActionKind| {
        errors.set(Vec::new());
        open.update(|o| *o = if *o == Some(kind) { None } else { Some(kind) });
    };
    let buttons = move || {
        allowed
            .get()
            .into_iter()
            .map(|kind| match kind {
                StaffActionKind::Accept => view! {
                    <button type="button" class="weui-btn weui-btn_primary staff-btn" disabled=move || pending.get() on:click=accept.clone()>
                        "受理"
                    </button>
                }
                .into_any(),
                kind => {
                    let class = if kind == StaffActionKind::Refuse { "weui-btn staff-btn staff-btn_danger-outline" } else { "weui-btn weui-btn_default staff-btn" };
                    view! {
                        <button
                            type="button"
                            class=class
                            aria-expanded=move || (open.get() == Some(kind)).to_string()
                            aria-controls=form_id(kind)
                            disabled=move || pending.get()
                            on:click=move |_| toggle(kind)
                        >
                            {kind.name()}
                        </button>
                    }
                    .into_any()
                }
            })
            .collect_view()
    };
    let errors_signal = Signal::from(errors);
    let form = move || {
        let materials = materials.clone();
        let old_valid_until = old_valid_until.clone();
        open.get().map(|kind| match kind {
            StaffActionKind::Return => view! { <ReturnForm typed business materials errors=errors_signal pending send /> }.into_any(),
            StaffActionKind::Complete => {
                let changes = detail.with_untracked(|d| forms::change_rows(&d.case.certificate, &d.case.info.details));
                let mailed = detail.with_untracked(|d| matches!(d.case.info.details.delivery(), Some(Delivery::Post(_))));
                let proposed = proposed.clone();
                view! { <CompleteForm typed business old_valid_until proposed thresholds changes mailed errors=errors_signal pending send /> }.into_any()
            }
            StaffActionKind::Refuse => view! { <RefuseForm typed errors=errors_signal pending send /> }.into_any(),
            StaffActionKind::Accept => ().into_any(),
        })
    };
    view! {
        <section class="staff-section staff-actions" aria-labelledby="case-actions-title">
            <h2 class="staff-section__title" id="case-actions-title">"办理"</h2>
            <ErrorSummary errors=errors_signal />
            {move || {
                if !session.is_clerk() {
                    view! { <p class="staff-note">"查询人员不能办理。"</p> }.into_any()
                } else if allowed.with(Vec::is_empty) {
                    let status = detail.with(|d| d.case.summary.status.name());
                    view! { <p class="staff-note">{format!("该办件{status}，当前无需办理。")}</p> }.into_any()
                } else {
                    view! { <div class="staff-buttons">{buttons.clone()}</div> }.into_any()
                }
            }}
            // Said before the clerk tries: the certificate was cancelled, or a 注销 of it is
            // under way, so 受理 and 办结 would be refused.
            {move || detail.with(|d| d.blocked_reason.clone()).map(|reason| view! {
                <p class="staff-blocked" id="case-blocked-reason" role="note">{reason}</p>
            })}
            {form}
            <p class="staff-pending" role="status">{move || pending.get().then_some("正在提交…")}</p>
        </section>
    }
}

/// `aria-describedby` of a field: its hint, and its message when it has one.
fn described_by(errors: Signal<Vec<FieldError>>, field: &'static str, hint: bool) -> impl Fn() -> Option<String> {
    move || {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("{field}-hint"));
        }
        if error_for(&errors.read(), field).is_some() {
            ids.push(format!("{field}-error"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// A labelled text, date or multi-line field with its hint and message.
#[component]
fn TextField(
    id: &'static str,
    label: &'static str,
    /// Shown under the label; `""` for none.
    #[prop(into, optional)] hint: String,
    value: RwSignal<String>,
    errors: Signal<Vec<FieldError>>,
    #[prop(optional)] multiline: bool,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] counter: Option<usize>,
) -> impl IntoView {
    let invalid = move || error_for(&errors.read(), id).is_some();
    let has_hint = !hint.is_empty();
    let input = if multiline {
        view! {
            <textarea
                id=id
                class="staff-textarea"
                rows="3"
                aria-invalid=move || invalid().to_string()
                aria-describedby=described_by(errors, id, has_hint)
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id
                class="staff-input"
                type=kind
                autocomplete="off"
                aria-invalid=move || invalid().to_string()
                aria-describedby=described_by(errors, id, has_hint)
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:change=move |ev| value.set(event_target_value(&ev))
            />
        }
        .into_any()
    };
    view! {
        <div class="staff-field" class:staff-field_warn=invalid>
            <label class="staff-label" for=id>{label}</label>
            {has_hint.then(|| view! { <p class="staff-hint" id=format!("{id}-hint")>{hint}</p> })}
            <FieldMessage field=id errors />
            {input}
            {counter.map(|max| view! {
                <p class="staff-counter">{move || format!("{}/{max}", value.with(|v| v.trim().chars().count()))}</p>
            })}
        </div>
    }
}

/// A visible checkbox with its label, adding or removing `value` from `chosen`.
#[component]
fn Check(id: String, label: String, value: String, chosen: RwSignal<Vec<String>>) -> impl IntoView {
    let current = value.clone();
    view! {
        <div class="staff-check">
            <input
                type="checkbox"
                id=id.clone()
                prop:checked=move || chosen.with(|c| c.contains(&current))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    chosen.update(|c| {
                        c.retain(|v| v != &value);
                        if on {
                            c.push(value.clone());
                        }
                    });
                }
            />
            <label for=id>{label}</label>
        </div>
    }
}

type SendAction = Callback<Result<StaffAction, Vec<FieldError>>>;

/// 退回补正: the fields and materials to correct, and why.
#[component]
fn ReturnForm(
    typed: Typed,
    business: BusinessCode,
    materials: Vec<(String, String)>,
    errors: Signal<Vec<FieldError>>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] send: SendAction,
) -> impl IntoView {
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // In the order of the form, whatever the order of the clicks.
        let fields = forms::sorted_return_fields(business, &typed.return_fields.get_untracked());
        send.run(forms::return_action(&typed.return_reason.get_untracked(), &fields, &typed.return_materials.get_untracked()));
    };
    let invalid = move |field: &'static str| error_for(&errors.read(), field).is_some();
    let has_materials = !materials.is_empty();
    view! {
        <form id="return-form" class="staff-form" novalidate aria-labelledby="return-form-title" on:submit=on_submit>
            <h3 class="staff-form__title" id="return-form-title">"退回补正"</h3>
            <fieldset
                class="staff-fieldset"
                class:staff-field_warn=move || invalid(RETURN_FIELDS)
                id=RETURN_FIELDS
                tabindex="-1"
                aria-describedby=described_by(errors, RETURN_FIELDS, false)
            >
                <legend class="staff-label">"需要补正的信息"</legend>
                <FieldMessage field=RETURN_FIELDS errors />
                {correctable_fields(business)
                    .iter()
                    .map(|(name, label)| view! {
                        <Check id=forms::return_field_id(name) label=label.to_string() value=name.to_string() chosen=typed.return_fields />
                    })
                    .collect_view()}
            </fieldset>
            {has_materials.then(|| view! {
                <fieldset
                    class="staff-fieldset"
                    class:staff-field_warn=move || invalid(RETURN_MATERIALS)
                    id=RETURN_MATERIALS
                    tabindex="-1"
                    aria-describedby=described_by(errors, RETURN_MATERIALS, false)
                >
                    <legend class="staff-label">"需要重新上传的材料"</legend>
                    <FieldMessage field=RETURN_MATERIALS errors />
                    {materials
                        .into_iter()
                        .map(|(code, name)| view! {
                            <Check id=forms::return_material_id(&code) label=name value=code chosen=typed.return_materials />
                        })
                        .collect_view()}
                </fieldset>
            })}
            <TextField id=RETURN_REASON label="退回原因" hint="2至200个字，申请人会看到，请写明需要怎样补正。"
                value=typed.return_reason errors multiline=true counter=200 />
            <div class="staff-buttons">
                <button type="submit" class="weui-btn weui-btn_primary staff-btn" disabled=move || pending.get()>"确认退回"</button>
            </div>
        </form>
    }
}

/// 办结, per business: 换发 the new expiry (prefilled with the proposal) and an optional new
/// number; 补发 an optional new number; 变更 what will be written; 注销 what it does; 考核 扣分
/// and 加分 with the points and grade worked out as the clerk types. A note for all.
#[component]
#[allow(clippy::too_many_arguments)]
fn CompleteForm(
    typed: Typed,
    business: BusinessCode,
    old_valid_until: String,
    proposed: Option<String>,
    thresholds: CreditThresholds,
    changes: Vec<(&'static str, String, String)>,
    /// The driver asked for the certificate by post: the tracking number is asked for.
    mailed: bool,
    errors: Signal<Vec<FieldError>>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] send: SendAction,
) -> impl IntoView {
    let on_submit = {
        let old_valid_until = old_valid_until.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            send.run(forms::complete_action(business, &old_valid_until, &typed.completion()));
        }
    };
    let preview = move || {
        let form = CompletionForm { deductions: typed.deductions.get(), bonus: typed.bonus.get(), ..Default::default() };
        match forms::credit_preview(&form, &thresholds) {
            Some((points, grade)) => format!("考核分数 {points} 分，考核等级 {grade}"),
            None => "请填写扣分和加分，分数和等级随即算出。".to_owned(),
        }
    };
    view! {
        <form id="complete-form" class="staff-form" novalidate aria-labelledby="complete-form-title" on:submit=on_submit>
            <h3 class="staff-form__title" id="complete-form-title">"办结"</h3>
            {forms::asks_valid_until(business).then(|| {
                let mut hint = if old_valid_until.is_empty() {
                    "必填。".to_owned()
                } else {
                    format!("必填，应晚于原有效期至 {old_valid_until}。")
                };
                if let Some(proposed) = &proposed {
                    hint.push_str(&format!("已按有效期6年预填 {proposed}，可修改。"));
                }
                view! {
                    <TextField id=COMPLETE_VALID_UNTIL label="新有效期至" hint value=typed.valid_until errors kind="date" />
                }
            })}
            {(business == BusinessCode::Change).then(|| {
                let empty = changes.is_empty();
                view! {
                    <div class="staff-field">
                        <p class="staff-label">"办结后将记入从业资格证"</p>
                        {if empty {
                            view! { <p class="staff-hint">"该申请未填写变更事项，办结不会修改从业资格证。"</p> }.into_any()
                        } else {
                            view! { <ChangeTable caption="将写入的变更" rows=changes /> }.into_any()
                        }}
                    </div>
                }
            })}
            {(business == BusinessCode::Cancellation).then(|| view! {
                <p class="staff-blocked" id="complete-cancellation-warning" role="note">
                    "办结后该从业资格证即注销，不能再办理任何业务；注销后无法撤销，请核对注销原因和材料后再办结。"
                </p>
            })}
            {forms::asks_credit(business).then(|| view! {
                <TextField id=COMPLETE_DEDUCTIONS label="扣分" hint="考核周期内违章、投诉等扣分的合计，0至100；基础分20分，扣完为止。"
                    value=typed.deductions errors kind="text" />
                <TextField id=COMPLETE_BONUS label="加分" hint="考核周期内表彰、奖励等加分的合计，0至10。"
                    value=typed.bonus errors kind="text" />
                <p class="staff-credit-preview" id="complete-credit-preview" role="status" aria-live="polite">{preview}</p>
            })}
            {forms::asks_number(business).then(|| view! {
                <TextField id=COMPLETE_NUMBER label="新证号" hint="选填，6至32位字母或数字；不换证号请留空。"
                    value=typed.certificate_number errors />
            })}
            {(forms::asks_number(business) && mailed).then(|| view! {
                <TextField id=COMPLETE_TRACKING label="快递单号" hint="申请人选择邮寄：寄出后填写，8至30位字母或数字，短信会告诉申请人。"
                    value=typed.tracking_number errors />
            })}
            <TextField id=COMPLETE_NOTE label="备注" hint="选填，最多200个字，申请人会看到，如领证地点和时间。"
                value=typed.note errors multiline=true counter=200 />
            <div class="staff-buttons">
                <button type="submit" class="weui-btn weui-btn_primary staff-btn" disabled=move || pending.get()>"确认办结"</button>
            </div>
        </form>
    }
}

/// 不予受理: why.
#[component]
fn RefuseForm(typed: Typed, errors: Signal<Vec<FieldError>>, #[prop(into)] pending: Signal<bool>, #[prop(into)] send: SendAction) -> impl IntoView {
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send.run(forms::refuse_action(&typed.refuse_reason.get_untracked()));
    };
    view! {
        <form id="refuse-form" class="staff-form" novalidate aria-labelledby="refuse-form-title" on:submit=on_submit>
            <h3 class="staff-form__title" id="refuse-form-title">"不予受理"</h3>
            <TextField id=REFUSE_REASON label="不予受理原因" hint="2至200个字，申请人会看到。"
                value=typed.refuse_reason errors multiline=true counter=200 />
            <div class="staff-buttons">
                <button type="submit" class="weui-btn staff-btn staff-btn_danger" disabled=move || pending.get()>"确认不予受理"</button>
            </div>
        </form>
    }
}
