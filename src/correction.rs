//! 补正: what a driver must change in a returned case, checked on the phone before it is sent
//! with the same rules the server applies. No `web_sys` here, so that it is tested natively.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use taxicert_api::{BusinessCode, CasePhoto, Correction, FormContext, PersonalInfo};

use crate::state::draft::InfoForm;

/// The correction as the tab keeps it while the driver works on it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionDraft {
    pub form: InfoForm,
    /// Material code → the new upload's id.
    pub uploads: BTreeMap<String, String>,
}

/// The correctable field ([`taxicert_api::correctable_fields`]) a form field belongs to: the
/// hall and the postal address are all 领取方式 (`delivery`), every `change_*` input and the
/// region of a new 住址 are 变更事项 (`changes`), the words of 其他 are the 注销原因.
pub fn correctable_field_of(form_field: &str) -> &str {
    match form_field {
        "hall" | "recipient" | "recipient_phone" | "province" | "city" | "district" | "street" => "delivery",
        "other_reason" => "cancellation_reason",
        changes if changes.starts_with("change_") => "changes",
        other => other,
    }
}

/// The element id of a material's file input, which the error summary links to.
pub fn material_input_id(code: &str) -> String {
    format!("upload-{code}")
}

/// The corrected answers to send, or what still stops them as (element id, message), in the
/// form's order: the flagged fields that fail their checks (the form's and the contract's),
/// then each flagged material without a new photo. A problem in a field not flagged is left to
/// the server: the driver cannot change it here.
pub fn check(
    business: BusinessCode,
    correction: &Correction,
    form: &InfoForm,
    context: &FormContext<'_>,
    uploads: &BTreeMap<String, String>,
    submitted: &[CasePhoto],
) -> Result<PersonalInfo, Vec<(String, String)>> {
    let flagged = |field: &str| correction.fields.iter().any(|f| f == correctable_field_of(field));
    let (info, mut problems) = form.checked_as_sent(business, context.divisions);
    problems.extend(info.problems(business, context));
    let mut found: Vec<(String, String)> =
        problems.into_iter().filter(|p| flagged(&p.field)).map(|p| (p.field, p.message)).collect();
    for code in &correction.materials {
        let before = submitted.iter().find(|p| &p.material_code == code);
        let name = before.map_or(code.as_str(), |p| p.material_name.as_str());
        let message = match (uploads.get(code), before) {
            (None, _) => format!("请重新上传{name}。"),
            (Some(new), Some(old)) if *new == old.upload_id => format!("请重新上传{name}：退回原因要求更换这张照片。"),
            _ => continue,
        };
        found.push((material_input_id(code), message));
    }
    if found.is_empty() {
        Ok(info)
    } else {
        Err(found)
    }
}

#[cfg(test)]
mod tests {
    use taxicert_api::{
        divisions::Divisions, BusinessDetails, CancellationReason, Certificate, Change, ChangeItem, Delivery, ReissueReason,
    };

    use super::*;

    const DIVISIONS: &str = "150000\t内蒙古自治区\n150100\t呼和浩特市\n150102\t新城区\n";

    fn certificate() -> Certificate {
        serde_json::from_value(serde_json::json!({
            "id": "crt_1", "number": "1501002021123456", "kind": "cruising", "authority": "呼和浩特市交通运输局",
            "first_issued": "2021-06-15", "valid_until": "2027-06-14", "status": "valid", "licence_class": "C1",
            "address": "内蒙古自治区呼和浩特市新城区示例路1号", "phone": "13812345678",
            "employer": "呼和浩特市示例出租汽车有限公司", "unavailable_reason": null
        }))
        .unwrap()
    }

    fn info(details: BusinessDetails) -> PersonalInfo {
        PersonalInfo { contact_name: "王建国".into(), contact_phone: "13812345678".into(), details }
    }

    fn reissue() -> PersonalInfo {
        info(BusinessDetails::Reissue { reason: ReissueReason::Lost, delivery: Delivery::Pickup { hall_id: "hall-1".into() } })
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

    /// Checks `form` as the correction page does, for a case of `business`.
    fn run(
        business: BusinessCode,
        correction: &Correction,
        form: &InfoForm,
        uploads: &BTreeMap<String, String>,
        submitted: &[CasePhoto],
    ) -> Result<PersonalInfo, Vec<(String, String)>> {
        let divisions = Divisions::parse(DIVISIONS).unwrap();
        let certificate = certificate();
        let context = FormContext { certificate: &certificate, hall_exists: &|id| id == "hall-1", divisions: &divisions };
        check(business, correction, form, &context, uploads, submitted)
    }

    #[test]
    fn only_flagged_fields_are_checked() {
        let mut form = InfoForm::from_info(&reissue());
        form.contact_name = "王".into();
        form.contact_phone = "123".into();
        let found = run(BusinessCode::Reissue, &returned(&["contact_phone"], &[]), &form, &BTreeMap::new(), &[]).unwrap_err();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "contact_phone");
    }

    #[test]
    fn the_hall_and_postal_fields_belong_to_delivery() {
        let mut form = InfoForm::from_info(&reissue());
        form.hall_id.clear();
        let found = run(BusinessCode::Reissue, &returned(&["delivery"], &[]), &form, &BTreeMap::new(), &[]).unwrap_err();
        assert_eq!(found, vec![("hall".to_owned(), "请选择领取证件的服务大厅。".to_owned())]);
        assert!(run(BusinessCode::Reissue, &returned(&["contact_name"], &[]), &form, &BTreeMap::new(), &[]).is_ok());
    }

    #[test]
    fn every_change_input_belongs_to_the_changes() {
        for field in ["change_address_province", "change_address_district", "change_address_street", "change_phone", "change_employer"] {
            assert_eq!(correctable_field_of(field), "changes", "{field}");
        }
        assert_eq!(correctable_field_of("other_reason"), "cancellation_reason");
        assert_eq!(correctable_field_of("reason"), "reason");
        assert_eq!(correctable_field_of("period"), "period");
        assert_eq!(correctable_field_of("district"), "delivery");

        let submitted = info(BusinessDetails::Change { changes: vec![Change::Phone { new: "13900000000".into() }], reason: "换号".into() });
        let mut form = InfoForm::from_info(&submitted);
        form.tick(ChangeItem::Phone, false);
        form.tick(ChangeItem::Address, true);
        form.change_address_region = "150100".into();
        let found = run(BusinessCode::Change, &returned(&["changes"], &[]), &form, &BTreeMap::new(), &[]).unwrap_err();
        assert_eq!(
            found.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(),
            ["change_address_district", "change_address_street"]
        );
        form.change_address_region = "150102".into();
        form.change_address_street = "新家路3号".into();
        let sent = run(BusinessCode::Change, &returned(&["changes"], &[]), &form, &BTreeMap::new(), &[]).unwrap();
        match sent.details {
            BusinessDetails::Change { changes, reason } => {
                assert_eq!(changes.len(), 1);
                assert_eq!(changes[0].new_text(), "内蒙古自治区呼和浩特市新城区新家路3号");
                assert_eq!(reason, "换号", "the reason not flagged is sent as submitted");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn other_words_of_a_cancellation_are_part_of_its_reason() {
        let submitted = info(BusinessDetails::Cancellation { reason: CancellationReason::OwnApplication, other_reason: String::new() });
        let mut form = InfoForm::from_info(&submitted);
        form.cancellation_reason = Some(CancellationReason::Other);
        let found =
            run(BusinessCode::Cancellation, &returned(&["cancellation_reason"], &[]), &form, &BTreeMap::new(), &[]).unwrap_err();
        assert_eq!(found, vec![("other_reason".to_owned(), "请填写其他注销原因。".to_owned())]);
    }

    #[test]
    fn a_flagged_material_needs_a_new_photo() {
        let form = InfoForm::from_info(&reissue());
        let submitted = [photo("photo_2inch", "old")];
        let correction = returned(&[], &["photo_2inch"]);
        let none = run(BusinessCode::Reissue, &correction, &form, &BTreeMap::new(), &submitted).unwrap_err();
        assert_eq!(none, vec![("upload-photo_2inch".to_owned(), "请重新上传近期二寸正面免冠彩色证件照。".to_owned())]);
        let same = BTreeMap::from([("photo_2inch".to_owned(), "old".to_owned())]);
        assert!(run(BusinessCode::Reissue, &correction, &form, &same, &submitted).unwrap_err()[0].1.contains("要求更换"));
        let new = BTreeMap::from([("photo_2inch".to_owned(), "new".to_owned())]);
        assert_eq!(run(BusinessCode::Reissue, &correction, &form, &new, &submitted).unwrap(), reissue());
    }
}
