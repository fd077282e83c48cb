//! The staff console (业务办理人员) at `/staff`: its own sign-in, then the queues.

pub mod cases;
pub mod realname;

use leptos::prelude::*;

use crate::components::{layout::PageTitle, status::NotYetAvailable};

/// `/staff`: the sign-in, or the way to the two queues once signed in.
#[component]
pub fn StaffPage() -> impl IntoView {
    view! {
        <PageTitle title="业务办理" />
        <NotYetAvailable what="业务办理人员的受理、审核和办结功能正在建设中。" />
    }
}
