//! The badge on 我的办件: how many cases changed since the driver last opened them. The server
//! keeps what he has seen, so the badge survives a closed app and is the same on every phone.

use leptos::{prelude::*, task::spawn_local};
use taxicert_api::{CaseSummary, RealNameStatus};

use crate::{api::ApiClient, state::session::Session};

#[derive(Clone, Copy)]
pub struct CaseBadge {
    changed: RwSignal<usize>,
}

impl CaseBadge {
    /// Counts the changes whenever a verified driver signs in (the app's start included).
    pub fn new(api: ApiClient, session: Session) -> CaseBadge {
        let badge = CaseBadge { changed: RwSignal::new(0) };
        Effect::new(move |_| match session.me().map(|me| me.realname_status) {
            Some(RealNameStatus::Approved) => badge.refresh(api.clone()),
            _ => badge.changed.set(0),
        });
        badge
    }

    pub fn count(self) -> usize {
        self.changed.get()
    }

    pub fn count_in(self, cases: &[CaseSummary]) {
        self.changed.set(cases.iter().filter(|c| c.changed).count());
    }

    /// Asks the server again; a failure leaves the badge as it was.
    pub fn refresh(self, api: ApiClient) {
        spawn_local(async move {
            if let Ok(cases) = api.cases().await {
                self.count_in(&cases);
            }
        });
    }
}

pub fn use_case_badge() -> CaseBadge {
    expect_context::<CaseBadge>()
}
