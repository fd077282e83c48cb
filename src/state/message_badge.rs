//! The badge on 消息: how many messages the driver has not seen. The server keeps what he has
//! read, so the badge is the same on every phone.

use leptos::{prelude::*, task::spawn_local};

use crate::{api::ApiClient, state::session::Session};

#[derive(Clone, Copy)]
pub struct MessageBadge {
    unread: RwSignal<u32>,
}

impl MessageBadge {
    /// Counts whenever a driver signs in (the app's start included).
    pub fn new(api: ApiClient, session: Session) -> MessageBadge {
        let badge = MessageBadge { unread: RwSignal::new(0) };
        Effect::new(move |_| match session.is_signed_in() {
            true => badge.refresh(api.clone()),
            false => badge.unread.set(0),
        });
        badge
    }

    pub fn count(self) -> u32 {
        self.unread.get()
    }

    /// Asks the server again; a failure leaves the badge as it was.
    pub fn refresh(self, api: ApiClient) {
        spawn_local(async move {
            if let Ok(count) = api.unread_messages().await {
                self.unread.set(count.unread);
            }
        });
    }

    /// The 消息 page has shown every message.
    pub fn clear(self) {
        self.unread.set(0);
    }
}

pub fn use_message_badge() -> MessageBadge {
    expect_context::<MessageBadge>()
}
