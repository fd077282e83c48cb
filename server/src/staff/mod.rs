//! The staff console (业务办理人员): accounts, sessions, the queues and the actions.
//!
//! Accounts are made by the operator on the command line ([`accounts`]); a staff member signs
//! in with username and password and gets a session of the console's own ([`session`]). A
//! viewer (查询人员) reads the queues; a clerk also decides real-name submissions
//! ([`realname`]) and works the cases ([`cases`]). Every decision and action is recorded with
//! who made it, in the case's timeline and in the audit log.

pub mod accounts;
pub mod cases;
pub mod realname;
pub mod session;

pub use accounts::{create_account, disable, list, set_password, unlock, AccountError, StaffAccount};
pub use session::{Clerk, StaffUser};
