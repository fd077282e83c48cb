//! Who is signed in to the staff console, as the server said. The session itself is the
//! HttpOnly cookie `taxicert_staff`, which the app never sees; nothing of it is kept in the
//! browser's storage.
//!
//! The state lives at the app's root for the whole visit, so that moving between the staff
//! pages does not ask the server again.

use leptos::prelude::*;
use taxicert_api::{StaffMe, StaffRole};

use crate::api::ApiError;

/// Where the console's sign-in stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StaffState {
    /// Not asked yet in this visit.
    Unknown,
    SignedOut,
    SignedIn(StaffMe),
}

#[derive(Clone, Copy)]
pub struct StaffSession {
    state: RwSignal<StaffState>,
}

impl StaffSession {
    /// Call at the app's root: nothing is known until a staff page asks the server.
    pub fn new() -> StaffSession {
        StaffSession { state: RwSignal::new(StaffState::Unknown) }
    }

    pub fn state(&self) -> StaffState {
        self.state.get()
    }

    pub fn me(&self) -> Option<StaffMe> {
        self.state.with(|s| match s {
            StaffState::SignedIn(me) => Some(me.clone()),
            _ => None,
        })
    }

    /// A clerk may act; a viewer (查询人员) only looks.
    pub fn is_clerk(&self) -> bool {
        self.state.with(|s| matches!(s, StaffState::SignedIn(me) if me.role == StaffRole::Clerk))
    }

    pub fn signed_in(&self, me: StaffMe) {
        self.state.set(StaffState::SignedIn(me));
    }

    pub fn signed_out(&self) {
        self.state.set(StaffState::SignedOut);
    }

    /// The server said the staff session is gone: show the sign-in form, after the current
    /// update has finished (it replaces the component that noticed).
    pub fn ended(self) {
        leptos::task::spawn_local(async move { self.signed_out() });
    }

    /// Ends the session when `error` says it is gone; whether it did.
    pub fn ends_on(self, error: &ApiError) -> bool {
        let gone = error.is_staff_signed_out();
        if gone {
            self.ended();
        }
        gone
    }
}

impl Default for StaffSession {
    fn default() -> StaffSession {
        StaffSession::new()
    }
}

pub fn use_staff_session() -> StaffSession {
    expect_context::<StaffSession>()
}
