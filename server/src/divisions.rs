//! The GB/T 2260 divisions of the address forms (`api/data/divisions.tsv`), built into the
//! server so that it checks a chosen region against the very file the app offers.

use std::sync::OnceLock;

use taxicert_api::divisions::Divisions;

/// The file, as the app fetches it.
const TSV: &str = include_str!("../../api/data/divisions.tsv");

/// Every division, parsed once on first use.
pub fn embedded() -> &'static Divisions {
    static DIVISIONS: OnceLock<Divisions> = OnceLock::new();
    DIVISIONS.get_or_init(|| Divisions::parse(TSV).expect("api/data/divisions.tsv is checked by the api crate's tests"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_file_is_parsed_once_and_complete() {
        let divisions = embedded();
        assert!(std::ptr::eq(divisions, embedded()), "parsed once");
        assert_eq!(divisions.provinces().len(), 31);
        assert_eq!(divisions.full_name("150102").as_deref(), Some("内蒙古自治区呼和浩特市新城区"));
        assert_eq!(divisions.region_problem("441900"), None);
        assert_eq!(divisions.region_problem("110100").map(|(field, _)| field), Some("district"));
    }
}
