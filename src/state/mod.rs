//! What the app keeps between pages: the session, the drafts and the wizard's state per
//! business, the badges on 我的办件 and 消息, the clerks' session and 关怀模式.

pub mod care_mode;
pub mod case_badge;
pub mod draft;
pub mod message_badge;
pub mod session;
pub mod staff_session;
pub mod wizard;
