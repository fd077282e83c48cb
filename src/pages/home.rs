//! 首页 / 服务事项: the five businesses, from the server's catalogue.

use leptos::prelude::*;
use leptos_router::components::A;
use taxicert_api::BusinessSummary;

use crate::{
    components::{
        layout::PageTitle,
        status::{ErrorPanel, Loading},
    },
    routes::{Route, WizardStep},
    use_app,
};

#[component]
pub fn HomePage() -> impl IntoView {
    let api = use_app().api;
    let businesses = LocalResource::new(move || {
        let api = api.clone();
        async move { api.businesses().await }
    });
    view! {
        <PageTitle title="服务事项" />
        <p class="page-lead">"巡游出租汽车、网络预约出租汽车驾驶员从业资格证业务,在手机上即可申请,无需到窗口排队。"</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match businesses.await {
                    Ok(list) => view! { <BusinessList list /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error on_retry=move |_| businesses.refetch() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn BusinessList(list: Vec<BusinessSummary>) -> impl IntoView {
    view! {
        <h2 class="weui-cells__title">"请选择要办理的业务"</h2>
        <ul class="weui-cells business-list">
            {list
                .into_iter()
                .map(|business| {
                    let href = crate::href(Route::Apply(business.code, WizardStep::Notice));
                    view! {
                        <li class="business-list__item">
                            <A href=href>
                                <span class="weui-cell weui-cell_access">
                                    <span class="weui-cell__bd">
                                        <span class="business-list__name">{business.name}</span>
                                        <span class="business-list__description">{business.description}</span>
                                    </span>
                                    <span class="weui-cell__ft" aria-hidden="true"></span>
                                </span>
                            </A>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
