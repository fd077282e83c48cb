//! The case queue (filters in the URL) and one case's page: every answer, every photo, the
//! timeline with who did what, and the clerk's actions 受理, 退回补正, 办结, 不予受理.

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map},
    NavigateOptions,
};
use taxicert_api::{
    correctable_field_label, BusinessCode, CaseQueueFilter, CaseStatus, Delivery, ServiceHall, StaffAction,
    StaffActionKind, StaffCaseDetail, StaffCaseSummary, CORRECTABLE_FIELDS, CREDIT_GRADES,
};

use super::{
    fact,
    forms::{
        self, CompletionForm, COMPLETE_CREDIT_GRADE, COMPLETE_NOTE, COMPLETE_NUMBER, COMPLETE_VALID_UNTIL,
        REFUSE_REASON, RETURN_FIELDS, RETURN_MATERIALS, RETURN_REASON,
    },
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
    routes::{opaque, Route},
    staff_session::use_staff_session,
    use_app,
};

// ---------------------------------------------------------------------------------------
// The queue

#[component]
pub fn CaseQueuePage() -> impl IntoView {
    view! {
        <div class="staff">
            <StaffCrumbs trail=vec![(Route::Staff, "业务办理")] />
            <PageTitle title="办件受理" />
            <StaffGate>
                <CaseQueue />
            </StaffGate>
        </div>
    }
}

#[component]
fn CaseQueue() -> impl IntoView {
    let api = use_app().api;
    let session = use_staff_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let filter = Memo::new(move |_| {
        let query = query.read();
        forms::parse_case_filter(query.get("status").as_deref(), query.get("business").as_deref())
    });
    let list = LocalResource::new(move || {
        let (api, filter) = (api.clone(), filter.get());
        async move { api.staff_cases(&filter).await }
    });
    let go = move |filter: CaseQueueFilter| {
        let path = format!("{}{}", Route::StaffCases.path(), forms::case_filter_query(&filter));
        navigate(&path, NavigateOptions { replace: true, scroll: false, ..Default::default() });
    };
    let on_status = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            let status = CaseStatus::parse(&event_target_value(&ev));
            go(CaseQueueFilter { status, ..filter.get_untracked() });
        }
    };
    let on_business = move |ev: leptos::ev::Event| {
        let business = BusinessCode::parse(&event_target_value(&ev));
        go(CaseQueueFilter { business, ..filter.get_untracked() });
    };
    view! {
        <div class="staff-toolbar">
            <div class="staff-filter">
                <label class="staff-filter__label" for="case-status">"状态"</label>
                <select id="case-status" class="staff-select" on:change=on_status>
                    <option value="" prop:selected=move || filter.with(|f| f.status.is_none())>"全部状态"</option>
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
                                {forms::business_name(option)}
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
                        view! { <p class="staff-empty" role="status">"没有符合条件的办件。"</p> }.into_any()
                    }
                    Ok(rows) => view! { <CaseTable rows /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CaseTable(rows: Vec<StaffCaseSummary>) -> impl IntoView {
    view! {
        <p class="staff-count" role="status">{format!("共 {} 件", rows.len())}</p>
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
                                <td data-label="状态"><span class=case_status_class(case.status)>{case.status.name()}</span></td>
                                <td data-label="受理时限">{forms::due(&case.accept_by, case.due_dates_estimated)}</td>
                                <td data-label="办结时限">{forms::due(&case.decide_by, case.due_dates_estimated)}</td>
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
    match status {
        CaseStatus::Completed => "staff-status staff-status_good",
        CaseStatus::Refused | CaseStatus::Returned => "staff-status staff-status_bad",
        _ => "staff-status",
    }
}

// ---------------------------------------------------------------------------------------
// One case

#[component]
pub fn StaffCasePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").map(|id| opaque(&id)).unwrap_or_default());
    view! {
        <div class="staff">
            <StaffCrumbs trail=vec![(Route::Staff, "业务办理"), (Route::StaffCases, "办件受理")] />
            <PageTitle title="办件详情" />
            <StaffGate>
                <CaseLoader id />
            </StaffGate>
        </div>
    }
}

#[component]
fn CaseLoader(id: Memo<String>) -> impl IntoView {
    let api = use_app().api;
    let session = use_staff_session();
    let loaded = LocalResource::new(move || {
        let (api, id) = (api.clone(), id.get());
        async move {
            // The halls only name the 自取 hall: without them the page still works.
            let (detail, halls) = futures::join!(api.staff_case(&id), api.service_halls());
            detail.map(|detail| (detail, halls.unwrap_or_default()))
        }
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match loaded.await {
                    Err(error) if session.ends_on(&error) => view! { <Loading /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error on_retry=move |_| loaded.refetch() /> }.into_any(),
                    Ok((detail, halls)) => view! { <CaseView detail halls /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What an action came back with: its kind and the case after it, or its kind, the refusal
/// and (when the case moved on meanwhile) the case as it now stands.
type Outcome = Result<(StaffActionKind, StaffCaseDetail), (StaffActionKind, ApiError, Option<StaffCaseDetail>)>;

const DONE_ID: &str = "staff-case-done";

#[component]
fn CaseView(detail: StaffCaseDetail, halls: Vec<ServiceHall>) -> impl IntoView {
    let detail = RwSignal::new(detail);
    let done = RwSignal::new(None::<StaffActionKind>);
    view! {
        <div class="staff-status-line" role="status">
            {move || done.get().map(|kind| view! {
                <p class="staff-success" id=DONE_ID tabindex="-1">{format!("操作成功,{}", done_message(kind))}</p>
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
    let StaffCaseDetail { case, applicant_name, id_number_masked, phone_masked, .. } = detail;
    let summary = case.summary;
    let certificate = case.certificate;
    let info = case.info;
    let delivery = match &info.delivery {
        Delivery::Pickup { hall_id } => {
            let hall = halls.iter().find(|h| &h.id == hall_id);
            format!(
                "到服务大厅自取:{}",
                hall.map(|h| format!("{}({})", h.name, h.address)).unwrap_or_else(|| hall_id.clone())
            )
        }
        Delivery::Post(post) => format!(
            "邮寄:{} {},{}{}{}{}",
            post.recipient, post.phone, post.province, post.city, post.district, post.street
        ),
    };
    let material_name = {
        let photos = case.photos.clone();
        move |code: &str| photos.iter().find(|p| p.material_code == code).map(|p| p.material_name.clone()).unwrap_or_else(|| code.to_owned())
    };
    let correction = case.correction.map(|c| {
        let fields: Vec<&str> = c.fields.iter().map(|f| correctable_field_label(f).unwrap_or(f.as_str())).collect();
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
    let result = case.result.map(|r| view! {
        <section class="staff-section" aria-labelledby="case-result-title">
            <h2 class="staff-section__title" id="case-result-title">"办结结果"</h2>
            <dl class="staff-facts">
                {fact("办结时间", forms::beijing_time(r.completed_at))}
                {fact("证号", r.certificate_number)}
                {r.valid_until.map(|v| fact("有效期至", v))}
                {r.credit_grade.map(|g| fact("考核等级", g))}
                {fact("备注", if r.note.is_empty() { "无".to_owned() } else { r.note })}
                {fact("凭证编号", r.voucher_code)}
            </dl>
        </section>
    });
    let case_id = summary.id.clone();
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
            </dl>
        </section>
        <section class="staff-section" aria-labelledby="case-info-title">
            <h2 class="staff-section__title" id="case-info-title">"个人信息"</h2>
            <dl class="staff-facts">
                {fact("准驾车型", info.licence_class)}
                {fact("申请原因", info.reason)}
                {fact("住址", info.address)}
                {fact("联系人", info.contact_name)}
                {fact("联系电话", info.contact_phone)}
                {fact("领取方式", delivery)}
            </dl>
        </section>
        <section class="staff-section" aria-labelledby="case-photos-title">
            <h2 class="staff-section__title" id="case-photos-title">"申请材料"</h2>
            <p class="staff-hint">"点击照片可在新窗口查看原图。"</p>
            <div class="staff-photos">{photos}</div>
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
                    <p class="staff-timeline__meta">{format!("办理人:{actor}")}</p>
                    {entry.note.map(|note| view! { <p class="staff-timeline__note">{format!("说明:{note}")}</p> })}
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
    credit_grade: RwSignal<String>,
    certificate_number: RwSignal<String>,
    note: RwSignal<String>,
    refuse_reason: RwSignal<String>,
}

impl Typed {
    fn new() -> Typed {
        Typed {
            return_fields: RwSignal::new(Vec::new()),
            return_materials: RwSignal::new(Vec::new()),
            return_reason: RwSignal::new(String::new()),
            valid_until: RwSignal::new(String::new()),
            credit_grade: RwSignal::new(String::new()),
            certificate_number: RwSignal::new(String::new()),
            note: RwSignal::new(String::new()),
            refuse_reason: RwSignal::new(String::new()),
        }
    }

    fn clear(&self) {
        self.return_fields.set(Vec::new());
        self.return_materials.set(Vec::new());
        for text in [self.return_reason, self.valid_until, self.credit_grade, self.certificate_number, self.note, self.refuse_reason] {
            text.set(String::new());
        }
    }

    fn completion(&self) -> CompletionForm {
        CompletionForm {
            valid_until: self.valid_until.get_untracked(),
            credit_grade: self.credit_grade.get_untracked(),
            certificate_number: self.certificate_number.get_untracked(),
            note: self.note.get_untracked(),
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
    let (id, business, old_valid_until, materials) = detail.with_untracked(|d| {
        (
            d.case.summary.id.clone(),
            d.case.summary.business,
            d.case.certificate.valid_until.clone(),
            d.case.photos.iter().map(|p| (p.material_code.clone(), p.material_name.clone())).collect::<Vec<_>>(),
        )
    });
    let open = RwSignal::new(None::<StaffActionKind>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let typed = Typed::new();
    let act: Action<StaffAction, Outcome> = Action::new_local({
        let id = id.clone();
        move |action: &StaffAction| {
            let (api, id, action) = (api.clone(), id.clone(), action.clone());
            let kind = forms::action_kind(&action);
            async move {
                match api.staff_case_action(&id, &action).await {
                    Ok(detail) => Ok((kind, detail)),
                    Err(error) => {
                        let latest = if error.code() == Some("action_not_allowed") { api.staff_case(&id).await.ok() } else { None };
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
    let send = move |checked: Result<StaffAction, Vec<FieldError>>| match checked {
        Ok(action) => {
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
            if browser::confirm(&format!("确定受理办件 {id} 吗?")) {
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
            StaffActionKind::Return => view! { <ReturnForm typed materials errors=errors_signal pending send /> }.into_any(),
            StaffActionKind::Complete => {
                view! { <CompleteForm typed business old_valid_until errors=errors_signal pending send /> }.into_any()
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
                    view! { <p class="staff-note">{format!("该办件{status},当前无需办理。")}</p> }.into_any()
                } else {
                    view! { <div class="staff-buttons">{buttons.clone()}</div> }.into_any()
                }
            }}
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
    materials: Vec<(String, String)>,
    errors: Signal<Vec<FieldError>>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] send: SendAction,
) -> impl IntoView {
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // In the order of the form, whatever the order of the clicks.
        let mut fields = typed.return_fields.get_untracked();
        fields.sort_by_key(|f| CORRECTABLE_FIELDS.iter().position(|(name, _)| name == f));
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
                {CORRECTABLE_FIELDS
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
            <TextField id=RETURN_REASON label="退回原因" hint="2至200个字,申请人会看到,请写明需要怎样补正。"
                value=typed.return_reason errors multiline=true counter=200 />
            <div class="staff-buttons">
                <button type="submit" class="weui-btn weui-btn_primary staff-btn" disabled=move || pending.get()>"确认退回"</button>
            </div>
        </form>
    }
}

/// 办结: the new expiry date (换发) or the grade (考核), an optional new number, a note.
#[component]
fn CompleteForm(
    typed: Typed,
    business: BusinessCode,
    old_valid_until: String,
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
    let invalid = move || error_for(&errors.read(), COMPLETE_CREDIT_GRADE).is_some();
    let grade = typed.credit_grade;
    view! {
        <form id="complete-form" class="staff-form" novalidate aria-labelledby="complete-form-title" on:submit=on_submit>
            <h3 class="staff-form__title" id="complete-form-title">"办结"</h3>
            {forms::asks_valid_until(business).then(|| {
                let hint = if old_valid_until.is_empty() {
                    "必填。".to_owned()
                } else {
                    format!("必填,应晚于原有效期至 {old_valid_until}。")
                };
                view! {
                    <TextField id=COMPLETE_VALID_UNTIL label="新有效期至" hint value=typed.valid_until errors kind="date" />
                }
            })}
            {forms::asks_credit_grade(business).then(|| view! {
                <div class="staff-field" class:staff-field_warn=invalid>
                    <label class="staff-label" for=COMPLETE_CREDIT_GRADE>"考核等级"</label>
                    <FieldMessage field=COMPLETE_CREDIT_GRADE errors />
                    <select
                        id=COMPLETE_CREDIT_GRADE
                        class="staff-select"
                        aria-invalid=move || invalid().to_string()
                        aria-describedby=described_by(errors, COMPLETE_CREDIT_GRADE, false)
                        on:change=move |ev| grade.set(event_target_value(&ev))
                    >
                        <option value="" prop:selected=move || grade.with(String::is_empty)>"请选择"</option>
                        {CREDIT_GRADES
                            .into_iter()
                            .map(|g| view! { <option value=g prop:selected=move || grade.with(|v| v == g)>{g}</option> })
                            .collect_view()}
                    </select>
                </div>
            })}
            <TextField id=COMPLETE_NUMBER label="新证号" hint="选填,6至32位字母或数字;不换证号请留空。"
                value=typed.certificate_number errors />
            <TextField id=COMPLETE_NOTE label="备注" hint="选填,最多200个字,申请人会看到,如领证地点和时间。"
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
            <TextField id=REFUSE_REASON label="不予受理原因" hint="2至200个字,申请人会看到。"
                value=typed.refuse_reason errors multiline=true counter=200 />
            <div class="staff-buttons">
                <button type="submit" class="weui-btn staff-btn staff-btn_danger" disabled=move || pending.get()>"确认不予受理"</button>
            </div>
        </form>
    }
}
