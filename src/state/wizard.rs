//! The wizard's drafts for the visit, one per business: resumed from the phone and the server
//! when a step first needs it, kept on the phone on every change and when the page is hidden,
//! and saved to the server step by step.

use std::collections::HashMap;

use leptos::{prelude::*, task::spawn_local};
use taxicert_api::{BusinessCode, DraftStep, StepAnswers};

use crate::{
    api::{ApiClient, ApiError},
    browser,
    components::uploader::Uploads,
    state::draft::{resume, DraftState, InfoForm, PersonalFields, PhoneCopy},
};

/// Whether a business's draft has been resumed yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Load {
    NotLoaded,
    Loading,
    Ready,
    Failed(ApiError),
}

/// One business's draft.
#[derive(Clone, Copy)]
pub struct WizardDraft {
    pub business: BusinessCode,
    pub state: RwSignal<DraftState>,
    pub load: RwSignal<Load>,
    /// The uploaders, emptied with the draft.
    uploads: Uploads,
}

/// 同意并确认 was pressed in this tab (perhaps before signing in): the next step saves it.
pub fn agreed_key(business: BusinessCode) -> String {
    format!("taxicert.notice_agreed.{}", business.as_str())
}

fn local_key(business: BusinessCode) -> String {
    format!("taxicert.draft.{}", business.as_str())
}

fn personal_key(business: BusinessCode) -> String {
    format!("taxicert.draft.{}.personal", business.as_str())
}

impl WizardDraft {
    /// Resumes the draft for `owner` (the masked login number) unless it is resumed already.
    pub fn ensure_loaded(self, api: ApiClient, owner: String) {
        let stale_owner = self.state.with_untracked(|s| !s.owner.is_empty() && s.owner != owner);
        if stale_owner {
            self.load.set(Load::NotLoaded);
        }
        if matches!(self.load.get_untracked(), Load::Loading | Load::Ready) {
            return;
        }
        self.load.set(Load::Loading);
        spawn_local(async move {
            let server = match api.draft(self.business).await {
                Ok(server) => server,
                Err(error) => return self.load.set(Load::Failed(error)),
            };
            let mut state = resume(self.read_phone_copy(), server.as_ref(), &owner);
            state.notice_agreed |= browser::Keep::Tab.get(&agreed_key(self.business)).is_some();
            // 同意并确认 was pressed before signing in, or before the phone lost its link: saved now.
            if state.notice_agreed && !state.done.contains(&DraftStep::Notice) {
                match api.save_step(self.business, &StepAnswers::Notice).await {
                    Ok(saved) => state.saved(&saved),
                    Err(error) => return self.load.set(Load::Failed(error)),
                }
            }
            browser::Keep::Tab.remove(&agreed_key(self.business));
            self.state.set(state);
            self.load.set(Load::Ready);
        });
    }

    /// The copy on this phone: the personal part is `None` in a tab that does not have it (a
    /// new tab, a WeChat view opened again), and [`resume`] takes it from the server's draft.
    fn read_phone_copy(self) -> Option<PhoneCopy> {
        let state: DraftState = serde_json::from_str(&browser::Keep::Phone.get(&local_key(self.business))?).ok()?;
        let personal: Option<PersonalFields> =
            browser::Keep::Tab.get(&personal_key(self.business)).and_then(|json| serde_json::from_str(&json).ok());
        Some(PhoneCopy { state, personal })
    }

    /// Keeps the answers on the phone: the personal details for this tab only.
    pub fn keep_on_phone(self) {
        if self.load.get_untracked() != Load::Ready {
            // Not resumed yet: writing now would overwrite the copy about to be read.
            return;
        }
        self.state.with_untracked(|state| {
            let (plain, personal) = state.info.split();
            let plain = DraftState { info: plain, ..state.clone() };
            browser::Keep::Phone.set(&local_key(self.business), &serde_json::to_string(&plain).expect("serialises"));
            browser::Keep::Tab
                .set(&personal_key(self.business), &serde_json::to_string(&personal).expect("serialises"));
        });
    }

    /// Forgets the draft on this phone, its photos included (after it is submitted or deleted).
    pub fn forget(self) {
        self.uploads.forget(self.business);
        forget_stored(self.business);
        self.load.set(Load::NotLoaded);
        self.state.set(DraftState::default());
    }

    /// Saves one step's answers on the server.
    pub async fn save(self, api: &ApiClient, answers: StepAnswers) -> Result<(), ApiError> {
        let saved = api.save_step(self.business, &answers).await?;
        self.state.update(|state| state.saved(&saved));
        Ok(())
    }

    /// Edits the personal-info form.
    pub fn edit_info(self, edit: impl FnOnce(&mut InfoForm)) {
        self.state.update(|state| edit(&mut state.info));
    }
}

/// Every business's draft, for the whole visit.
#[derive(Clone, Copy)]
pub struct Wizard {
    drafts: StoredValue<HashMap<BusinessCode, WizardDraft>>,
    owner: StoredValue<Owner>,
    uploads: Uploads,
}

impl Wizard {
    /// Call at the app's root, after the uploaders' state.
    pub fn new(uploads: Uploads) -> Wizard {
        let wizard = Wizard {
            uploads,
            drafts: StoredValue::new(HashMap::new()),
            owner: StoredValue::new(Owner::current().expect("created under the app")),
        };
        // Effects run a moment after a change; hiding the page may be the last moment there is.
        browser::on_page_hidden(move || {
            if let Some(drafts) = wizard.drafts.try_with_value(|d| d.values().copied().collect::<Vec<_>>()) {
                drafts.into_iter().for_each(WizardDraft::keep_on_phone);
            }
        });
        wizard
    }

    pub fn draft(&self, business: BusinessCode) -> WizardDraft {
        if let Some(draft) = self.drafts.with_value(|d| d.get(&business).copied()) {
            return draft;
        }
        let draft = self.owner.with_value(|owner| {
            owner.with(|| {
                let draft = WizardDraft {
                    business,
                    state: RwSignal::new(DraftState::default()),
                    load: RwSignal::new(Load::NotLoaded),
                    uploads: self.uploads,
                };
                Effect::new(move |_| {
                    draft.state.track();
                    draft.keep_on_phone();
                });
                draft
            })
        });
        self.drafts.update_value(|d| {
            d.insert(business, draft);
        });
        draft
    }
}

/// Removes what the phone keeps of the draft of `business` (the front, which has no drafts in
/// memory, calls this on logout).
pub fn forget_stored(business: BusinessCode) {
    browser::Keep::Phone.remove(&local_key(business));
    browser::Keep::Tab.remove(&personal_key(business));
    browser::Keep::Tab.remove(&agreed_key(business));
}

pub fn use_wizard() -> Wizard {
    expect_context::<Wizard>()
}
