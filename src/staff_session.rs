//! Who is signed in to the staff console, as the server said. The session itself is the
//! HttpOnly cookie `taxicert_staff`, which the app never sees; nothing of it is kept in the
//! browser's storage.
//!
//! The state lives for the whole visit (moving between the staff pages does not ask the
//! server again); each staff page's gate (`pages::staff::StaffGate`) provides a handle to it
//! as context, for [`use_staff_session`].

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

thread_local! {
    /// Reference-counted, not owned by any page: it outlives the page that first asked.
    static SHARED: ArcRwSignal<StaffState> = ArcRwSignal::new(StaffState::Unknown);
}

#[derive(Clone, Copy)]
pub struct StaffSession {
    state: RwSignal<StaffState>,
}

impl StaffSession {
    /// A handle, owned by the calling component, to the visit's one staff state.
    pub fn shared() -> StaffSession {
        StaffSession { state: SHARED.with(Clone::clone).into() }
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
        self.state.try_set(StaffState::SignedIn(me));
    }

    pub fn signed_out(&self) {
        self.state.try_set(StaffState::SignedOut);
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

/// The staff session of the current staff page (provided by its gate).
pub fn use_staff_session() -> StaffSession {
    expect_context::<StaffSession>()
}
