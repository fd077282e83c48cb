//! The wizard's draft as the app holds it, and how it resumes: from the answers kept on this
//! phone or from the server's copy, whichever is newer. No `web_sys` here, so that the rules
//! are tested natively.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use taxicert_api::{Delivery, Draft, DraftStep, PersonalInfo, PostalAddress, Profile};

/// 领取方式, as the form holds it: both alternatives' fields are kept while the user switches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    #[default]
    Pickup,
    Post,
}

/// The personal-info form, field by field as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InfoForm {
    pub licence_class: String,
    pub reason: String,
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub method: DeliveryMethod,
    pub hall_id: String,
    pub recipient: String,
    pub recipient_phone: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub street: String,
}

impl InfoForm {
    /// What is sent: the alternative not chosen is left out.
    pub fn to_info(&self) -> PersonalInfo {
        let delivery = match self.method {
            DeliveryMethod::Pickup => Delivery::Pickup { hall_id: self.hall_id.clone() },
            DeliveryMethod::Post => Delivery::Post(PostalAddress {
                recipient: self.recipient.trim().to_owned(),
                phone: self.recipient_phone.trim().to_owned(),
                province: self.province.clone(),
                city: self.city.trim().to_owned(),
                district: self.district.trim().to_owned(),
                street: self.street.trim().to_owned(),
            }),
        };
        PersonalInfo {
            licence_class: self.licence_class.clone(),
            reason: self.reason.trim().to_owned(),
            address: self.address.trim().to_owned(),
            contact_name: self.contact_name.trim().to_owned(),
            contact_phone: self.contact_phone.trim().to_owned(),
            delivery,
        }
    }

    pub fn from_info(info: &PersonalInfo) -> InfoForm {
        let mut form = InfoForm {
            licence_class: info.licence_class.clone(),
            reason: info.reason.clone(),
            address: info.address.clone(),
            contact_name: info.contact_name.clone(),
            contact_phone: info.contact_phone.clone(),
            ..InfoForm::default()
        };
        match &info.delivery {
            Delivery::Pickup { hall_id } => form.hall_id = hall_id.clone(),
            Delivery::Post(post) => {
                form.method = DeliveryMethod::Post;
                form.recipient = post.recipient.clone();
                form.recipient_phone = post.phone.clone();
                form.province = post.province.clone();
                form.city = post.city.clone();
                form.district = post.district.clone();
                form.street = post.street.clone();
            }
        }
        form
    }

    /// Fills the empty fields from the user's profile; what he typed stays.
    pub fn prefill(&mut self, profile: &Profile) {
        for (field, value) in [
            (&mut self.address, &profile.address),
            (&mut self.contact_name, &profile.name),
            (&mut self.contact_phone, &profile.phone),
            (&mut self.recipient, &profile.name),
            (&mut self.recipient_phone, &profile.phone),
        ] {
            if field.is_empty() {
                field.clone_from(value);
            }
        }
    }

    /// Splits the form into what may be kept on the phone for good (local storage) and the
    /// personal details (address, names, phone numbers), which are kept for this tab only.
    pub fn split(&self) -> (InfoForm, PersonalFields) {
        let personal = PersonalFields {
            address: self.address.clone(),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
            recipient: self.recipient.clone(),
            recipient_phone: self.recipient_phone.clone(),
            street: self.street.clone(),
        };
        let plain = InfoForm {
            address: String::new(),
            contact_name: String::new(),
            contact_phone: String::new(),
            recipient: String::new(),
            recipient_phone: String::new(),
            street: String::new(),
            ..self.clone()
        };
        (plain, personal)
    }

    pub fn join(mut self, personal: PersonalFields) -> InfoForm {
        self.address = personal.address;
        self.contact_name = personal.contact_name;
        self.contact_phone = personal.contact_phone;
        self.recipient = personal.recipient;
        self.recipient_phone = personal.recipient_phone;
        self.street = personal.street;
        self
    }
}

/// The personal details of the form: session storage only, never local storage.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonalFields {
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub recipient: String,
    pub recipient_phone: String,
    pub street: String,
}

/// One business's draft as the app holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DraftState {
    /// Whose draft (the masked login number): another user on this phone starts afresh.
    pub owner: String,
    /// The server's revision these answers started from; `None` before the first save.
    pub base_revision: Option<i64>,
    /// The steps saved on the server.
    pub done: Vec<DraftStep>,
    /// 同意并确认 was pressed (saved with the next request if the user was not signed in).
    pub notice_agreed: bool,
    pub certificate_id: Option<String>,
    pub info: InfoForm,
    /// The form was filled from the profile in this visit: what the user clears stays cleared
    /// until the next visit, which fills the empty fields again (the personal details are not
    /// kept on the phone beyond the tab).
    #[serde(skip)]
    pub info_prefilled: bool,
    /// Material code → upload id.
    pub uploads: BTreeMap<String, String>,
    /// The idempotency key of the submission: the same for every tap and every retry.
    pub submit_key: Option<String>,
}

impl DraftState {
    pub fn from_server(draft: &Draft, owner: &str) -> DraftState {
        DraftState {
            owner: owner.to_owned(),
            base_revision: Some(draft.revision),
            done: draft.done.clone(),
            notice_agreed: draft.done.contains(&DraftStep::Notice),
            certificate_id: draft.certificate_id.clone(),
            info: draft.info.as_ref().map(InfoForm::from_info).unwrap_or_default(),
            info_prefilled: draft.info.is_some(),
            uploads: draft.uploads.clone(),
            submit_key: None,
        }
    }

    /// The first step up to and including `step` that is not saved: the user is sent there.
    pub fn first_missing_through(&self, step: DraftStep) -> Option<DraftStep> {
        DraftStep::ALL.into_iter().take_while(|s| *s <= step).find(|s| !self.done.contains(s))
    }

    /// Records a step the server saved.
    pub fn saved(&mut self, draft: &Draft) {
        self.base_revision = Some(draft.revision);
        self.done = draft.done.clone();
    }
}

/// The draft to resume with: the phone's copy while it is based on the server's newest
/// revision (it may hold edits not saved yet), else the server's. A phone copy based on a
/// draft the server no longer has (submitted or deleted elsewhere) is dropped.
pub fn resume(local: Option<DraftState>, server: Option<&Draft>, owner: &str) -> DraftState {
    let local = local.filter(|l| l.owner == owner);
    match (local, server) {
        (Some(local), Some(server)) if local.base_revision == Some(server.revision) => {
            DraftState { done: server.done.clone(), ..local }
        }
        (_, Some(server)) => DraftState::from_server(server, owner),
        (Some(local), None) if local.base_revision.is_none() => local,
        _ => DraftState { owner: owner.to_owned(), ..DraftState::default() },
    }
}

#[cfg(test)]
mod tests {
    use taxicert_api::BusinessCode;

    use super::*;

    fn server(revision: i64) -> Draft {
        Draft {
            business: BusinessCode::Renewal,
            done: vec![DraftStep::Notice, DraftStep::Certificate],
            certificate_id: Some("c-server".into()),
            info: None,
            uploads: BTreeMap::new(),
            revision,
            updated_at: 0,
        }
    }

    fn local(base: Option<i64>) -> DraftState {
        DraftState {
            owner: "138****5678".into(),
            base_revision: base,
            notice_agreed: true,
            certificate_id: Some("c-local".into()),
            info: InfoForm { reason: "typed, not saved yet".into(), ..InfoForm::default() },
            ..DraftState::default()
        }
    }

    #[test]
    fn the_phones_copy_wins_while_it_is_based_on_the_servers_newest_revision() {
        let resumed = resume(Some(local(Some(3))), Some(&server(3)), "138****5678");
        assert_eq!(resumed.info.reason, "typed, not saved yet");
        assert_eq!(resumed.done, server(3).done, "what is saved is the server's to say");
    }

    #[test]
    fn a_newer_server_copy_from_another_device_wins() {
        let resumed = resume(Some(local(Some(2))), Some(&server(3)), "138****5678");
        assert_eq!(resumed.certificate_id.as_deref(), Some("c-server"));
        assert_eq!(resumed.base_revision, Some(3));
    }

    #[test]
    fn a_copy_never_saved_resumes_and_a_copy_of_a_vanished_draft_is_dropped() {
        assert_eq!(resume(Some(local(None)), None, "138****5678").certificate_id.as_deref(), Some("c-local"));
        assert_eq!(resume(Some(local(Some(3))), None, "138****5678").certificate_id, None);
    }

    #[test]
    fn another_users_copy_on_the_same_phone_is_ignored() {
        let resumed = resume(Some(local(None)), None, "139****0000");
        assert_eq!(resumed, DraftState { owner: "139****0000".into(), ..DraftState::default() });
    }

    #[test]
    fn the_missing_step_is_the_first_not_saved_up_to_the_one_needed() {
        let state = DraftState { done: vec![DraftStep::Notice], ..DraftState::default() };
        assert_eq!(state.first_missing_through(DraftStep::Materials), Some(DraftStep::Certificate));
        assert_eq!(state.first_missing_through(DraftStep::Notice), None);
        assert_eq!(DraftState::default().first_missing_through(DraftStep::Notice), Some(DraftStep::Notice));
    }

    #[test]
    fn personal_details_split_off_and_join_back() {
        let form = InfoForm {
            licence_class: "A1".into(),
            address: "呼和浩特市新城区示例路1号".into(),
            contact_phone: "13812345678".into(),
            street: "示例路2号".into(),
            ..InfoForm::default()
        };
        let (plain, personal) = form.split();
        assert_eq!(plain.licence_class, "A1");
        assert!(plain.address.is_empty() && plain.contact_phone.is_empty() && plain.street.is_empty());
        assert_eq!(plain.join(personal), form);
    }

    #[test]
    fn the_form_round_trips_through_the_contract_and_prefill_keeps_what_was_typed() {
        let mut form = InfoForm {
            licence_class: "C1".into(),
            reason: " 换证 ".into(),
            method: DeliveryMethod::Post,
            province: "内蒙古自治区".into(),
            contact_name: "李四".into(),
            ..InfoForm::default()
        };
        form.prefill(&Profile { name: "王建国".into(), phone: "13812345678".into(), address: "示例路1号".into() });
        assert_eq!(form.contact_name, "李四");
        assert_eq!(form.recipient, "王建国");
        let info = form.to_info();
        assert_eq!(info.reason, "换证");
        assert_eq!(InfoForm::from_info(&info), InfoForm { reason: "换证".into(), hall_id: String::new(), ..form });
    }
}
