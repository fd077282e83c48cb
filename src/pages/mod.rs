//! One file per route.

pub mod agreement;
pub mod apply;
pub mod case_detail;
pub mod case_voucher;
pub mod cases;
pub mod config_error;
pub mod correction;
pub mod home;
pub mod login;
pub mod messages;
pub mod not_found;
pub mod realname;
pub mod staff;
pub mod verify;
