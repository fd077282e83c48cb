//! 首页 / 服务事项: the five businesses. The list as shipped is drawn at once (`index.html`
//! painted the same before the app ran, so nothing moves), then the server's catalogue.

use leptos::prelude::*;
use leptos_router::components::A;
use taxicert_api::BusinessSummary;

use crate::{
    components::{care_switch::CareModeSwitch, layout::PageTitle, status::ErrorPanel},
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
        <p class="page-lead">"巡游出租汽车、网络预约出租汽车驾驶员从业资格证业务，在手机上即可申请，无需到窗口排队。"</p>
        <Transition fallback=|| view! { <BusinessList list=BusinessSummary::shipped() /> }>
            {move || Suspend::new(async move {
                match businesses.await {
                    Ok(list) => view! { <BusinessList list /> }.into_any(),
                    // The shipped list still leads on; each business's page asks the server again.
                    Err(error) => view! {
                        <BusinessList list=BusinessSummary::shipped() />
                        <ErrorPanel error on_retry=move |_| businesses.refetch() />
                    }
                    .into_any(),
                }
            })}
        </Transition>
        <CareModeSwitch />
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

#[cfg(test)]
mod tests {
    use taxicert_api::BusinessSummary;

    const INDEX: &str = include_str!("../../index.html");

    /// index.html paints the service list before the wasm runs; the app then draws the same
    /// list in its place. Different words would move or change under the driver's finger.
    #[test]
    fn index_html_paints_the_list_the_app_draws() {
        let mut rest = INDEX;
        for business in BusinessSummary::shipped() {
            let link = format!(
                "<a href=\"apply/{}\"><span class=\"weui-cell weui-cell_access\"><span class=\"weui-cell__bd\">\
                 <span class=\"business-list__name\">{}</span><span class=\"business-list__description\">{}</span>",
                business.code.as_str(),
                business.name,
                business.description
            );
            let at = rest.find(&link).unwrap_or_else(|| panic!("index.html lacks, in this order: {link}"));
            rest = &rest[at + link.len()..];
        }
        for text in [
            "<h1 class=\"page-title\">服务事项</h1>",
            "巡游出租汽车、网络预约出租汽车驾驶员从业资格证业务，在手机上即可申请，无需到窗口排队。",
            "<h2 class=\"weui-cells__title\">请选择要办理的业务</h2>",
            "<span class=\"weui-tabbar__label\">首页</span>",
            "<span class=\"weui-tabbar__label\">我的办件</span>",
            "<span class=\"weui-tabbar__label\">登录</span>",
        ] {
            assert!(INDEX.contains(text), "index.html lacks {text}");
        }
        let home = include_str!("home.rs");
        assert!(
            home.contains("\"巡游出租汽车、网络预约出租汽车驾驶员从业资格证业务，在手机上即可申请，无需到窗口排队。\"")
        );
    }

    #[test]
    fn the_app_name_painted_is_the_shipped_config() {
        let config = crate::config::AppConfig::parse(include_str!("../../public/config.json")).unwrap();
        let header = format!("<span class=\"app-header__name\">{}</span>", config.app_name);
        assert!(INDEX.contains(&header), "index.html lacks {header}");
        assert!(include_str!("../../staff/index.html").contains(&header), "staff/index.html lacks {header}");
    }

    #[test]
    fn the_entry_pages_share_one_boot_script() {
        let boot = |html: &'static str| {
            let start = html.find("<script>").expect("a boot script");
            &html[start..start + html[start..].find("</script>").unwrap()]
        };
        assert_eq!(boot(INDEX), boot(include_str!("../../driver/index.html")), "driver/index.html");
        assert_eq!(boot(INDEX), boot(include_str!("../../staff/index.html")), "staff/index.html");
    }
}
