//! The real-name queue and one submission's review: the two photos, the fields (those the
//! user typed marked), and 通过 or 驳回 with a reason.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use taxicert_api::{RealNameDecision, RealNameReview, RealNameReviewSummary, RealNameStatus};

use super::{
    decision_action, decision_section, fact,
    forms::{self, REJECT_REASON},
    photos_section, review_page, review_queue, review_status_class, Asks, DecisionWords, QueueRow, ReviewQueue,
    StaffScreen,
};
use crate::{routes::Route, use_app};

#[component]
pub fn RealNameQueuePage() -> impl IntoView {
    view! {
        <StaffScreen title="实名认证审核" trail=vec![(Route::Staff, "业务办理")]>
            <RealNameQueue />
        </StaffScreen>
    }
}

static QUEUE: ReviewQueue<RealNameStatus> = ReviewQueue {
    prefix: "realname",
    filter_label: "审核状态",
    what: "实名认证申请",
    at_label: "提交时间",
    route: Route::StaffRealNameQueue,
    statuses: &forms::REALNAME_STATUSES,
    code: forms::realname_status_code,
    name: forms::realname_status_name,
};

#[component]
fn RealNameQueue() -> impl IntoView {
    let api = use_app().api;
    let query = use_query_map();
    let status = Memo::new(move |_| forms::parse_realname_status(query.read().get("status").as_deref()));
    let list = LocalResource::new(move || {
        let (api, status) = (api.clone(), status.get());
        async move { api.staff_realname_queue(status).await }
    });
    let row = |row: RealNameReviewSummary| QueueRow {
        id: row.id,
        href: crate::href(Route::StaffRealName(row.id)),
        at: forms::beijing_time(row.submitted_at),
        name_masked: row.name_masked,
        id_number_masked: row.id_number_masked,
        status: row.status,
    };
    let class = |s| review_status_class(s == RealNameStatus::Approved, s == RealNameStatus::Rejected);
    review_queue(&QUEUE, status, list, row, class)
}

#[component]
pub fn RealNameReviewPage() -> impl IntoView {
    review_page(
        (Route::StaffRealNameQueue, "实名认证审核"),
        "实名认证审核详情",
        |api, id| async move { api.staff_realname(id).await },
        |review| view! { <Review review /> }.into_any(),
    )
}

/// 通过, or 驳回 with a reason of 2–200 characters.
static WORDS: DecisionWords = DecisionWords {
    prefix: "realname",
    field: REJECT_REASON,
    lead: None,
    reason_label: "驳回原因",
    reason_hint: "驳回时必填，2至200个字，申请人会看到。",
    approve: "通过",
    reject: "驳回",
    back: (Route::StaffRealNameQueue, "返回审核列表"),
};

#[component]
fn Review(review: RealNameReview) -> impl IntoView {
    let api = use_app().api;
    let id = review.summary.id;
    let photos = vec![
        (api.staff_realname_photo_url(id, "portrait"), "身份证人像面"),
        (api.staff_realname_photo_url(id, "emblem"), "身份证国徽面"),
    ];
    let review = RwSignal::new(review);
    let decide = decision_action(
        {
            let api = api.clone();
            move |decision: RealNameDecision| {
                let api = api.clone();
                async move { api.staff_decide_realname(id, &decision).await }
            }
        },
        move || {
            let api = api.clone();
            async move { api.staff_realname(id).await }
        },
        // Another clerk decided first.
        &["already_decided"],
    );

    view! {
        {photos_section("realname", "身份证照片", "点击照片可在新窗口查看原图。", photos)}
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
        {decision_section(
            &WORDS,
            review,
            decide,
            forms::realname_decision,
            |r| (r.summary.status != RealNameStatus::Pending).then(|| forms::realname_status_name(r.summary.status)),
            |r| r.reason.clone(),
            Asks { approve: None, refuse: Some(reject_question) },
        )}
    }
}

/// 驳回 asks first: the applicant must then submit the card again.
fn reject_question(review: &RealNameReview) -> String {
    format!("确定驳回{}的实名认证申请吗？驳回后申请人须重新提交身份证照片。", review.summary.name_masked)
}
