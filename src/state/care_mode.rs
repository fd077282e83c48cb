//! 关怀模式 (care mode): larger text and touch targets for older drivers, after the MIIT
//! 《移动互联网应用（App）适老化通用设计规范》 (2021). The stylesheet does the work
//! (`style/modes.css`, keyed on [`ATTRIBUTE`] on `<html>`); this keeps the driver's choice on
//! the phone. The entry pages' boot script reads the same [`STORAGE_KEY`] and sets the
//! attribute before the first paint, so a driver who chose it never sees small text first.

use leptos::prelude::*;

use crate::browser::{self, Keep};

/// Local storage (not personal): `"1"` when 关怀模式 is on; absent otherwise.
pub const STORAGE_KEY: &str = "taxicert.care";
/// The attribute on `<html>` that `style/modes.css` keys on.
pub const ATTRIBUTE: &str = "data-care";

#[derive(Clone, Copy, Debug)]
pub struct CareMode {
    on: RwSignal<bool>,
}

impl CareMode {
    /// As the boot script left it.
    pub fn new() -> CareMode {
        CareMode { on: RwSignal::new(browser::root_attribute(ATTRIBUTE)) }
    }

    pub fn is_on(self) -> bool {
        self.on.get()
    }

    /// Switches it on or off for this page and every later visit on this phone.
    pub fn set(self, on: bool) {
        self.on.set(on);
        browser::set_root_attribute(ATTRIBUTE, on);
        if on {
            Keep::Phone.set(STORAGE_KEY, "1");
        } else {
            Keep::Phone.remove(STORAGE_KEY);
        }
    }
}

impl Default for CareMode {
    fn default() -> Self {
        CareMode::new()
    }
}

/// The app's care mode (provided by the drivers' entries).
pub fn use_care_mode() -> CareMode {
    expect_context::<CareMode>()
}

#[cfg(test)]
mod tests {
    /// The boot script in the entry pages sets the attribute from the same key before the
    /// app runs: if they differ, the choice is lost or the page jumps.
    #[test]
    fn the_boot_script_reads_the_same_key_and_sets_the_same_attribute() {
        let index = include_str!("../../index.html");
        let boot = &index[..index.find("</script>").unwrap()];
        assert!(boot.contains(&format!("localStorage.getItem(\"{}\") === \"1\"", super::STORAGE_KEY)), "{boot}");
        assert!(boot.contains(&format!("setAttribute(\"{}\", \"\")", super::ATTRIBUTE)), "{boot}");
        let modes = include_str!("../../style/modes.css");
        assert!(modes.contains(&format!("html[{}]", super::ATTRIBUTE)));
    }
}
