//! Who is signed in, as the server said at start-up and after each login or logout. The
//! session itself is an HttpOnly cookie the app never sees.

use leptos::prelude::*;
use taxicert_api::Me;

#[derive(Clone, Copy)]
pub struct Session {
    me: RwSignal<Option<Me>>,
}

impl Session {
    pub fn new(me: Option<Me>) -> Session {
        Session { me: RwSignal::new(me) }
    }

    pub fn me(&self) -> Option<Me> {
        self.me.get()
    }

    pub fn is_signed_in(&self) -> bool {
        self.me.with(Option::is_some)
    }

    pub fn signed_in(&self, me: Me) {
        self.me.set(Some(me));
    }

    pub fn set_realname_status(&self, status: taxicert_api::RealNameStatus) {
        self.me.update(|me| {
            if let Some(me) = me {
                me.realname_status = status;
            }
        });
    }

    /// 解除微信绑定 done: the account has no WeChat any more.
    pub fn wechat_unbound(&self) {
        self.me.update(|me| {
            if let Some(me) = me {
                me.wechat = None;
            }
        });
    }

    pub fn signed_out(&self) {
        self.me.set(None);
    }

    /// The server said the session ended: show the login prompt, after the current update
    /// has finished (it replaces the component that noticed). What was typed stays.
    pub fn ended(self) {
        leptos::task::spawn_local(async move { self.signed_out() });
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
