//! 账户转移: the queue of drivers who lost the phone number of their verified account, and one
//! request's review — the ID photos sent with the new number beside those of the verified
//! account, the two numbers masked, the names, and 同意转移 or 不同意 with a reason.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use taxicert_api::{AccountMoveDecision, AccountMoveReview, AccountMoveStatus, AccountMoveSummary};

use super::{
    decision_action, decision_section, fact, forms, photos_section, review_page, review_queue, review_status_class,
    Asks, DecisionWords, QueueRow, ReviewQueue, StaffScreen,
};
use crate::{
    components::error_summary::FieldError,
    routes::Route,
    use_app,
};

/// The statuses a clerk filters the queue by, the default first.
const STATUSES: [AccountMoveStatus; 3] = [AccountMoveStatus::ReviewPending, AccountMoveStatus::Done, AccountMoveStatus::Rejected];

const REASON: &str = "move-reason";

/// 同意转移, or 不同意 with a reason of 2–200 characters (the server's `checked_reason`).
pub fn move_decision(approve: bool, reason: &str) -> Result<AccountMoveDecision, Vec<FieldError>> {
    if approve {
        return Ok(AccountMoveDecision { approve: true, reason: None });
    }
    let reason = reason.trim();
    if !(2..=200).contains(&reason.chars().count()) {
        return Err(vec![FieldError::at(REASON, "请填写不同意转移的原因（2至200个字），申请人会看到这段说明。")]);
    }
    Ok(AccountMoveDecision { approve: false, reason: Some(reason.to_owned()) })
}

#[component]
pub fn AccountMoveQueuePage() -> impl IntoView {
    view! {
        <StaffScreen title="账户转移" trail=vec![(Route::Staff, "业务办理")]>
            <MoveQueue />
        </StaffScreen>
    }
}

static QUEUE: ReviewQueue<AccountMoveStatus> = ReviewQueue {
    prefix: "move",
    filter_label: "转移状态",
    what: "账户转移申请",
    at_label: "申请时间",
    route: Route::StaffAccountMoves,
    statuses: &STATUSES,
    code: AccountMoveStatus::as_str,
    name: AccountMoveStatus::name,
};

#[component]
fn MoveQueue() -> impl IntoView {
    let api = use_app().api;
    let query = use_query_map();
    let status = Memo::new(move |_| {
        query
            .read()
            .get("status")
            .and_then(|code| AccountMoveStatus::parse(&code))
            .filter(|s| STATUSES.contains(s))
            .unwrap_or(AccountMoveStatus::ReviewPending)
    });
    let list = LocalResource::new(move || {
        let (api, status) = (api.clone(), status.get());
        async move { api.staff_account_moves(status).await }
    });
    let row = |row: AccountMoveSummary| QueueRow {
        id: row.id,
        href: crate::href(Route::StaffAccountMove(row.id)),
        at: forms::beijing_time(row.requested_at),
        name_masked: row.name_masked,
        id_number_masked: row.id_number_masked,
        status: row.status,
    };
    let class = |s| review_status_class(s == AccountMoveStatus::Done, s == AccountMoveStatus::Rejected);
    review_queue(&QUEUE, status, list, row, class)
}

#[component]
pub fn AccountMoveReviewPage() -> impl IntoView {
    review_page(
        (Route::StaffAccountMoves, "账户转移"),
        "账户转移审核",
        |api, id| async move { api.staff_account_move(id).await },
        |review| view! { <Review review /> }.into_any(),
    )
}

/// 同意转移 or 不同意: decided like a real-name review, in other words.
static WORDS: DecisionWords = DecisionWords {
    prefix: "move",
    field: REASON,
    lead: Some("同意后，原账户（含证件和办件）改用新手机号登录，原账户在其他设备上的登录全部失效。"),
    reason_label: "不同意的原因",
    reason_hint: "不同意时必填，2至200个字，申请人会看到。",
    approve: "同意转移",
    reject: "不同意",
    back: (Route::StaffAccountMoves, "返回账户转移列表"),
};

/// Asked before 同意转移: the move cannot be undone and ends the old number's sessions.
pub fn approve_question(review: &AccountMoveReview) -> String {
    format!("确定把该账户转到新手机号 {} 吗？转移后原手机号的登录将失效，且不能撤销。", review.new_phone_masked)
}

#[component]
fn Review(review: AccountMoveReview) -> impl IntoView {
    let api = use_app().api;
    let id = review.summary.id;
    let photo = |which: &str| api.staff_account_move_photo_url(id, which);
    // New beside old, row by row: the portraits, then the emblems.
    let photos = vec![
        (photo("new_portrait"), "本次提交：身份证人像面"),
        (photo("old_portrait"), "原账户认证：身份证人像面"),
        (photo("new_emblem"), "本次提交：身份证国徽面"),
        (photo("old_emblem"), "原账户认证：身份证国徽面"),
    ];
    let review = RwSignal::new(review);
    let decide = decision_action(
        {
            let api = api.clone();
            move |decision: AccountMoveDecision| {
                let api = api.clone();
                async move { api.staff_decide_account_move(id, &decision).await }
            }
        },
        move || {
            let api = api.clone();
            async move { api.staff_account_move(id).await }
        },
        // Decided by another clerk, or the driver moved by SMS or cancelled meanwhile.
        &["already_decided", "account_move_closed"],
    );

    view! {
        {photos_section(
            "move",
            "身份证照片比对",
            "左侧为本次提交的照片，右侧为原账户实名认证时的照片。点击照片可在新窗口查看原图。",
            photos,
        )}
        <section class="staff-section" aria-labelledby="move-facts-title">
            <h2 class="staff-section__title" id="move-facts-title">"申请信息"</h2>
            {move || review.with(|r| view! {
                <dl class="staff-facts">
                    {fact("姓名（本次提交）", r.name.clone())}
                    {fact("姓名（原账户）", r.old_name.clone())}
                    {fact("身份证号", r.summary.id_number_masked.clone())}
                    {fact("原账户手机号", r.old_phone_masked.clone())}
                    {fact("新手机号", r.new_phone_masked.clone())}
                    {fact("原账户实名认证时间", forms::beijing_time(r.old_verified_at))}
                    {fact("申请时间", forms::beijing_time(r.summary.requested_at))}
                    {fact("状态", r.summary.status.name())}
                    {r.reason.clone().map(|reason| {
                        let label = if r.summary.status == AccountMoveStatus::Cancelled { "取消的原因" } else { "不同意的原因" };
                        fact(label, reason)
                    })}
                </dl>
            })}
        </section>
        {decision_section(
            &WORDS,
            review,
            decide,
            move_decision,
            |r| (r.summary.status != AccountMoveStatus::ReviewPending).then(|| r.summary.status.name()),
            // The result's 不同意的原因: a cancellation's reason shows among the facts.
            |r| r.reason.clone().filter(|_| r.summary.status == AccountMoveStatus::Rejected),
            Asks { approve: Some(approve_question), refuse: None },
        )}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_needs_a_reason_and_an_approval_none() {
        assert_eq!(move_decision(true, "").unwrap(), AccountMoveDecision { approve: true, reason: None });
        assert_eq!(move_decision(false, " 不 ").unwrap_err()[0], FieldError::at(REASON, "请填写不同意转移的原因（2至200个字），申请人会看到这段说明。"));
        assert_eq!(move_decision(false, " 照片不一致 ").unwrap().reason.as_deref(), Some("照片不一致"));
    }

    #[test]
    fn the_approval_asks_first_naming_the_new_number_and_that_it_cannot_be_undone() {
        let summary = AccountMoveSummary {
            id: 7,
            requested_at: 0,
            name_masked: "王*国".into(),
            id_number_masked: "1501**********1234".into(),
            status: AccountMoveStatus::ReviewPending,
        };
        let review = AccountMoveReview {
            summary,
            old_phone_masked: "138****1111".into(),
            new_phone_masked: "139****3333".into(),
            name: "王建国".into(),
            old_name: "王建国".into(),
            old_verified_at: 0,
            decided_at: None,
            reason: None,
        };
        assert_eq!(approve_question(&review), "确定把该账户转到新手机号 139****3333 吗？转移后原手机号的登录将失效，且不能撤销。");
    }
}
