//! The staff console (业务办理人员): accounts, sessions, the queues and the actions.
//!
//! Accounts are made by the operator on the command line ([`accounts`]) or by an admin in the
//! console ([`admin`]); a staff member signs in with username and password and gets a session
//! of the console's own ([`session`]), wrong passwords counted by [`throttle`]. A viewer
//! (查询人员) reads the queues with ID numbers masked; a clerk also sees them in full, decides
//! real-name submissions ([`realname`]) and works the cases ([`cases`]); an admin (账号管理员)
//! reads as a viewer does and manages the accounts. Every role reads the counts, the CSV export
//! and the per-clerk figures ([`reports`]). Every decision and action is recorded with
//! who made it, in the case's timeline and in the audit log.

pub mod accounts;
pub mod admin;
pub mod cases;
pub mod realname;
pub mod reports;
pub mod session;
pub mod throttle;

pub use accounts::{create_account, disable, list, set_password, set_role, unlock, AccountError, StaffAccount};
pub use session::{Admin, Clerk, IdCardViewer, StaffUser};
