//! The business wizard: the notice (须知) from the catalogue, then the steps that follow.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};
use taxicert_api::{BusinessCode, BusinessDetail, RealNameStatus};

use crate::{
    components::{
        layout::PageTitle,
        uploader::{use_uploads, Uploader},
        login_prompt::LoginPrompt,
        status::{ErrorPanel, Loading, NotYetAvailable},
        step_indicator::StepIndicator,
    },
    pages::not_found::NotFoundPage,
    routes::{Route, WizardStep},
    session::use_session,
    use_app,
};

#[component]
pub fn ApplyPage() -> impl IntoView {
    let params = use_params_map();
    let target = Memo::new(move |_| {
        let params = params.read();
        let business = params.get("business").and_then(|b| BusinessCode::parse(&b))?;
        let step = match params.get("step") {
            None => WizardStep::Notice,
            Some(segment) => WizardStep::from_segment(&segment)?,
        };
        Some((business, step))
    });
    move || match target.get() {
        None => view! { <NotFoundPage /> }.into_any(),
        Some((business, WizardStep::Notice)) => view! { <NoticeStep business /> }.into_any(),
        Some((business, step)) => view! { <LaterStep business step /> }.into_any(),
    }
}

/// Loads the business from the catalogue and shows it with `show`, or the error with 重试.
#[component]
fn WithBusiness(business: BusinessCode, show: fn(BusinessDetail) -> AnyView) -> impl IntoView {
    let api = use_app().api;
    let detail = LocalResource::new(move || {
        let api = api.clone();
        async move { api.business(business).await }
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => show(detail),
                    Err(error) => view! { <ErrorPanel error on_retry=move |_| detail.refetch() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn NoticeStep(business: BusinessCode) -> impl IntoView {
    view! { <WithBusiness business show=|detail| view! { <Notice detail /> }.into_any() /> }
}

#[component]
fn Notice(detail: BusinessDetail) -> impl IntoView {
    let next = crate::href(Route::Apply(detail.code, WizardStep::Certificate));
    view! {
        <StepIndicator step=WizardStep::Notice />
        <PageTitle title=format!("{}业务须知", detail.name) />
        <article class="weui-article notice">
            {detail.notice.into_iter().map(|paragraph| view! { <p>{paragraph}</p> }).collect_view()}
        </article>
        <h2 class="weui-cells__title">"需上传的材料"</h2>
        <ul class="weui-cells material-list">
            {detail
                .materials
                .into_iter()
                .map(|material| {
                    view! {
                        <li class="weui-cell">
                            <span class="weui-cell__bd">
                                <span class="material-list__name">{material.name}</span>
                                <span class="material-list__hint">{material.hint}</span>
                            </span>
                            <span class="weui-cell__ft">{if material.required { "必传" } else { "选传" }}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <div class="weui-btn-area">
            <A href=next>
                <span class="weui-btn weui-btn_primary">"同意并确认"</span>
            </A>
        </div>
    }
}

/// The steps after the notice need a signed-in, verified driver; they are not built yet.
#[component]
fn LaterStep(business: BusinessCode, step: WizardStep) -> impl IntoView {
    let session = use_session();
    let gate = move || match session.me() {
        None => view! { <LoginPrompt next=Route::Apply(business, step) why="网上办理业务前请先用手机号登录。" /> }.into_any(),
        Some(me) if me.realname_status != RealNameStatus::Approved => view! {
            <div class="weui-msg" role="alert">
                <div class="weui-msg__text-area">
                    <h2 class="weui-msg__title">"请先完成实名认证"</h2>
                    <p class="weui-msg__desc">"办理从业资格证业务需要先完成实名认证。"</p>
                </div>
                <div class="weui-msg__opr-area">
                    <p class="weui-btn-area">
                        <A href=crate::href(Route::RealName)>
                            <span class="weui-btn weui-btn_primary">"去实名认证"</span>
                        </A>
                    </p>
                </div>
            </div>
        }
        .into_any(),
        Some(_) if step == WizardStep::Materials => view! { <MaterialsStep business /> }.into_any(),
        Some(_) => view! {
            <NotYetAvailable what="网上申请的这一步(选择从业资格证、完善个人信息、核对并提交)正在建设中。" />
        }
        .into_any(),
    };
    view! {
        <StepIndicator step />
        <PageTitle title=step.title() />
        {gate}
        <p class="weui-btn-area">
            <A href=crate::href(Route::Apply(business, WizardStep::Notice))>
                <span class="weui-btn weui-btn_default">"返回业务须知"</span>
            </A>
        </p>
    }
}

/// 上传申请材料: one uploader per material of the business; 下一步 once every required one
/// shows 上传成功.
#[component]
fn MaterialsStep(business: BusinessCode) -> impl IntoView {
    view! { <WithBusiness business show=|detail| view! { <Materials detail /> }.into_any() /> }
}

#[component]
fn Materials(detail: BusinessDetail) -> impl IntoView {
    let uploads = use_uploads();
    let required: Vec<_> = detail.materials.iter().filter(|m| m.required).map(|m| uploads.slot(&m.code)).collect();
    let missing = move || required.iter().filter(|slot| slot.with(|s| s.uploaded_id().is_none())).count();
    let next = crate::href(Route::Apply(detail.code, WizardStep::Review));
    view! {
        <p class="materials__intro">"请按示例拍摄或从相册选择照片(png、jpg格式,不超过10M),手机会先检查清晰度并压缩后再上传。"</p>
        {detail.materials.into_iter().map(|material| view! { <Uploader material /> }).collect_view()}
        <div class="weui-btn-area">
            {move || match missing() {
                0 => view! {
                    <A href=next.clone()>
                        <span class="weui-btn weui-btn_primary">"下一步"</span>
                    </A>
                }
                .into_any(),
                n => view! {
                    <button type="button" class="weui-btn weui-btn_primary weui-btn_disabled" disabled=true>"下一步"</button>
                    <p class="materials__missing">{format!("还有{n}项必传材料未上传成功。")}</p>
                }
                .into_any(),
            }}
        </div>
    }
}
