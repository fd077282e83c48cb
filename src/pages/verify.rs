//! The public page a voucher's QR code opens: is this voucher genuine? Anyone may open it, so
//! it shows nothing personal beyond the masked name and the certificate number.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use taxicert_api::VoucherCheck;

use crate::{
    components::{
        layout::PageTitle,
        status::{ErrorPanel, Loading},
    },
    pages::apply::{due_date, row},
    use_app,
};

#[component]
pub fn VerifyPage() -> impl IntoView {
    let api = use_app().api;
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let check = LocalResource::new(move || {
        let (api, code) = (api.clone(), code());
        async move { api.check_voucher(&code).await }
    });
    view! {
        <PageTitle title="凭证核验" />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match check.await {
                    Ok(Some(voucher)) => view! { <Genuine voucher code=code() /> }.into_any(),
                    Ok(None) => view! {
                        <div class="weui-msg" role="alert">
                            <div class="weui-msg__icon-area"><i class="weui-icon-warn weui-icon_msg" aria-hidden="true"></i></div>
                            <div class="weui-msg__text-area">
                                <h2 class="weui-msg__title">"未查询到该凭证"</h2>
                                <p class="weui-msg__desc">{format!("凭证编号 {}。", code())}</p>
                                <p class="weui-msg__desc">
                                    "凭证可能不是本系统出具的。请核对凭证上的编号，或向出具凭证的道路运输管理机构核实。"
                                </p>
                            </div>
                        </div>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPanel error on_retry=move |_| check.refetch() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Genuine(voucher: VoucherCheck, code: String) -> impl IntoView {
    let VoucherCheck {
        case_id,
        business_name,
        holder_name_masked,
        certificate_number,
        completed_on,
        valid_until,
        credit_grade,
        credit,
        cancelled,
        changed_items,
    } = voucher;
    let title = if cancelled { "注销凭证真实有效" } else { "凭证真实有效" };
    // A 考核 from before points were recorded has its grade only.
    let grade_only = credit.is_none().then_some(credit_grade).flatten();
    let changed = changed_items.iter().map(|item| item.name()).collect::<Vec<_>>().join("、");
    view! {
        <div class="weui-msg verify" role="status">
            <div class="weui-msg__icon-area"><i class="weui-icon-success weui-icon_msg" aria-hidden="true"></i></div>
            <div class="weui-msg__text-area">
                <h2 class="weui-msg__title">{title}</h2>
                <p class="weui-msg__desc">"该凭证由本系统出具，信息如下。"</p>
            </div>
        </div>
        <section class="summary">
            <dl class="summary__list">
                {row("凭证编号", code)}
                {row("办件编号", case_id)}
                {row("办理业务", business_name)}
                {row("持证人", holder_name_masked)}
                {row("从业资格证号", certificate_number)}
                {row("办结日期", due_date(&completed_on, false))}
                {valid_until.map(|v| row("有效期至", due_date(&v, false)))}
                {credit.map(|c| view! {
                    {row("考核周期", c.period.label())}
                    {row("考核分数", format!("{}分", c.points))}
                    {row("考核等级", c.grade)}
                })}
                {grade_only.map(|g| row("考核等级", g))}
                // The items only: the new address or phone number is not for a public page.
                {(!changed.is_empty()).then(|| row("变更事项", changed))}
                {cancelled.then(|| row("办理结果", "从业资格证已注销".to_owned()))}
            </dl>
        </section>
    }
}
