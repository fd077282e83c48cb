//! Shared view pieces; each has its CSS beside it under the same name.

pub mod care_switch;
pub mod error_summary;
pub mod info_fields;
pub mod layout;
pub mod login_prompt;
pub mod region_picker;
pub mod status;
pub mod step_indicator;
pub mod uploader;
