//! 查看凭证: a finished case's voucher as a picture, with its PDF beside it. Android WeChat's
//! browser does not download files, so there the picture comes first — long-pressed, WeChat
//! offers to save it to the phone's album (and to read its QR code) — and the page says how to
//! get the PDF (open the page in the browser from the ··· menu). Elsewhere the PDF comes first.
//! The picture is the server's drawing of the very PDF (`GET /cases/{id}/voucher.png`), loaded
//! by an `<img>`, which sends the session cookie like the photos on the case page.

use leptos::prelude::*;
use leptos_router::components::A;
use taxicert_api::CaseDetail;

use crate::{
    browser,
    components::status::Loading,
    pages::case_detail::{case_load_failed, CasePage},
    routes::Route,
    state::session::use_session,
    use_app,
};

#[component]
pub fn CaseVoucherPage() -> impl IntoView {
    view! {
        <CasePage title="办理凭证" route=Route::CaseVoucher why="登录后可查看您的办理凭证。" case=|id| view! { <VoucherView id /> }.into_any() />
    }
}

#[component]
fn VoucherView(id: String) -> impl IntoView {
    let api = use_app().api;
    let session = use_session();
    // The case says whether there is a voucher yet, and whether it is a 注销凭证.
    let loaded = LocalResource::new(move || {
        let (api, id) = (api.clone(), id.clone());
        async move { api.case(&id).await }
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(case) => view! { <VoucherBody case /> }.into_any(),
                    Err(error) => case_load_failed(error, session, move || loaded.refetch()),
                }
            })}
        </Transition>
    }
}

#[component]
fn VoucherBody(case: CaseDetail) -> impl IntoView {
    let api = use_app().api;
    let id = case.summary.id.clone();
    let back = view! {
        <p class="weui-btn-area">
            <A href=crate::href(Route::Case(id.clone()))><span class="weui-btn weui-btn_default">"返回办件详情"</span></A>
        </p>
    };
    let Some(result) = case.result else {
        return view! {
            <div class="weui-msg" role="status">
                <div class="weui-msg__text-area">
                    <h2 class="weui-msg__title">"该办件尚未办结"</h2>
                    <p class="weui-msg__desc">"办结后可在这里查看和保存办理凭证。请在办件详情中查看办理进度。"</p>
                </div>
            </div>
            {back}
        }
        .into_any();
    };
    let name = if result.cancelled { "注销凭证" } else { "办理凭证" };
    let wechat = browser::in_wechat();
    let failed = RwSignal::new(false);
    let alt = format!(
        "{name}图片（办件编号{id}，{}）：申请人姓名和身份证号已部分隐藏，含办理结果和核验二维码",
        case.summary.business_name
    );
    let picture = view! {
        <figure class="voucher-picture">
            <img
                class="voucher-picture__img"
                src=api.voucher_image_url(&id)
                alt=alt
                decoding="async"
                on:error=move |_| failed.set(true)
            />
            {move || if failed.get() {
                view! {
                    <p class="voucher-picture__failed" role="alert">
                        "凭证图片暂时无法显示，请稍后刷新页面重试；也可以下载PDF凭证。"
                    </p>
                }
                .into_any()
            } else {
                view! { <figcaption class="voucher-picture__save">"长按图片保存到手机相册"</figcaption> }.into_any()
            }}
        </figure>
    };
    let pdf_class = if wechat { "weui-btn weui-btn_default" } else { "weui-btn weui-btn_primary" };
    let pdf = view! {
        <div class="voucher-pdf">
            <a class=pdf_class href=api.voucher_url(&id) download="">
                {if result.cancelled { "下载注销凭证（PDF）" } else { "下载凭证（PDF）" }}
            </a>
            {wechat.then(|| view! {
                <p class="voucher-pdf__wechat">
                    "在微信中，PDF文件可能无法下载。请长按上面的图片保存；如需PDF，请点右上角的“···”，选择“在浏览器中打开”，再下载。"
                </p>
            })}
        </div>
    };
    let (first, second) = if wechat { (picture.into_any(), pdf.into_any()) } else { (pdf.into_any(), picture.into_any()) };
    view! {
        <p class="page-lead">
            {format!("{}的{name}，内容与PDF凭证相同。", case.summary.business_name)}
        </p>
        {first}
        {second}
        <p class="weui-btn-area">
            <A href=crate::href(Route::VerifyVoucher(result.voucher_code))>
                <span class="weui-btn weui-btn_default">"查看凭证核验页"</span>
            </A>
        </p>
        {back}
    }
    .into_any()
}
