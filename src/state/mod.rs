//! What the app keeps between pages. New state goes here; the older modules
//! ([`crate::session`], [`crate::draft`], [`crate::case_badge`]) are to follow.

pub mod care_mode;
