use leptos::prelude::*;

use crate::components::{layout::PageTitle, status::NotYetAvailable};

/// 我的办件: cases and drafts with their progress.
#[component]
pub fn MyCasesPage() -> impl IntoView {
    view! {
        <PageTitle title="我的办件" />
        <NotYetAvailable what="“我的办件”可查看已提交业务的办理进度、办理时限和凭证下载,正在建设中。" />
    }
}
