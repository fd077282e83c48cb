//! 补正: what a driver must change in a returned case, checked on the phone before it is sent
//! with the same rules the server applies. No `web_sys` here, so that it is tested natively.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use taxicert_api::{CasePhoto, Correction, PersonalInfo};

use crate::draft::InfoForm;

/// The correction as the tab keeps it while the driver works on it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionDraft {
    pub form: InfoForm,
    /// Material code → the new upload's id.
    pub uploads: BTreeMap<String, String>,
}

/// The correctable field a form field belongs to: the hall and the postal address are all
/// 领取方式 (`delivery`).
pub fn correctable_field_of(form_field: &str) -> &str {
    match form_field {
        "hall" | "recipient" | "recipient_phone" | "province" | "city" | "district" | "street" => "delivery",
        other => other,
    }
}

/// The element id of a material's file input, which the error summary links to.
pub fn material_input_id(code: &str) -> String {
    format!("upload-{code}")
}

/// What still stops the correction, as (element id, message), in the form's order: the
/// flagged fields that fail their checks, then each flagged material without a new photo.
pub fn problems(
    correction: &Correction,
    info: &PersonalInfo,
    uploads: &BTreeMap<String, String>,
    submitted: &[CasePhoto],
    hall_exists: impl Fn(&str) -> bool,
) -> Vec<(String, String)> {
    let flagged = |field: &str| correction.fields.iter().any(|f| f == correctable_field_of(field));
    let mut found: Vec<(String, String)> = info
        .problems(hall_exists)
        .into_iter()
        .filter(|p| flagged(p.field))
        .map(|p| (p.field.to_owned(), p.message))
        .collect();
    for code in &correction.materials {
        let before = submitted.iter().find(|p| &p.material_code == code);
        let name = before.map_or(code.as_str(), |p| p.material_name.as_str());
        let message = match (uploads.get(code), before) {
            (None, _) => format!("请重新上传{name}。"),
            (Some(new), Some(old)) if *new == old.upload_id => format!("请重新上传{name}:退回原因要求更换这张照片。"),
            _ => continue,
        };
        found.push((material_input_id(code), message));
    }
    found
}

#[cfg(test)]
mod tests {
    use taxicert_api::Delivery;

    use super::*;

    fn info() -> PersonalInfo {
        PersonalInfo {
            licence_class: "A1".into(),
            reason: "有效期即将届满".into(),
            address: "内蒙古呼和浩特市新城区示例路1号".into(),
            contact_name: "王建国".into(),
            contact_phone: "13812345678".into(),
            delivery: Delivery::Pickup { hall_id: "hall-1".into() },
        }
    }

    fn photo(code: &str, id: &str) -> CasePhoto {
        CasePhoto {
            material_code: code.into(),
            material_name: "近期二寸正面免冠彩色证件照".into(),
            upload_id: id.into(),
            warnings: Vec::new(),
        }
    }

    fn returned(fields: &[&str], materials: &[&str]) -> Correction {
        Correction {
            reason: "照片模糊".into(),
            fields: fields.iter().map(|f| f.to_string()).collect(),
            materials: materials.iter().map(|m| m.to_string()).collect(),
        }
    }

    #[test]
    fn only_flagged_fields_are_checked() {
        let broken = PersonalInfo { address: "短".into(), contact_phone: "123".into(), ..info() };
        let found = problems(&returned(&["address"], &[]), &broken, &BTreeMap::new(), &[], |_| true);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "address");
    }

    #[test]
    fn the_hall_and_postal_fields_belong_to_delivery() {
        let no_hall = PersonalInfo { delivery: Delivery::Pickup { hall_id: String::new() }, ..info() };
        let found = problems(&returned(&["delivery"], &[]), &no_hall, &BTreeMap::new(), &[], |_| true);
        assert_eq!(found, vec![("hall".to_owned(), "请选择领取证件的服务大厅。".to_owned())]);
        assert!(problems(&returned(&["reason"], &[]), &no_hall, &BTreeMap::new(), &[], |_| true).is_empty());
    }

    #[test]
    fn a_flagged_material_needs_a_new_photo() {
        let submitted = [photo("photo_2inch", "old")];
        let correction = returned(&[], &["photo_2inch"]);
        let none = problems(&correction, &info(), &BTreeMap::new(), &submitted, |_| true);
        assert_eq!(none, vec![("upload-photo_2inch".to_owned(), "请重新上传近期二寸正面免冠彩色证件照。".to_owned())]);
        let same = BTreeMap::from([("photo_2inch".to_owned(), "old".to_owned())]);
        assert!(problems(&correction, &info(), &same, &submitted, |_| true)[0].1.contains("要求更换"));
        let new = BTreeMap::from([("photo_2inch".to_owned(), "new".to_owned())]);
        assert!(problems(&correction, &info(), &new, &submitted, |_| true).is_empty());
    }
}
