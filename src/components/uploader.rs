//! One material's photo: its title and drawn sample, the file input, the preview, a progress
//! bar fed by the upload's progress events, 上传成功 at the tile's top right once the server
//! has stored it, automatic retries with backoff, then a retry button; replace and delete.
//! A photo the quality checks advise against (blur, light, glare, a portrait's shape or
//! background) waits on its preview with the advice and two choices, 重新拍摄 and 仍然使用这张;
//! a refused photo stays in sight beside the reason. An upload cut off because the phone went
//! offline goes on by itself when the network comes back (the `online` event), with the same
//! idempotency key, so the server still stores one copy.
//! The chosen photo lives in [`Uploads`] at the app's root, so leaving the page or a failed
//! upload loses nothing (and nothing of it is written to browser storage).

use std::collections::HashMap;

use leptos::{prelude::*, task::spawn_local};
use taxicert_api::{Material, PhotoWarning};

use crate::{
    api::ApiClient,
    browser,
    photo_worker::{check_and_shrink, Checked},
    retry::{delay_ms, AUTOMATIC_RETRIES},
    use_app,
};

/// Where an upload stands.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Phase {
    #[default]
    Empty,
    Uploading {
        percent: u8,
    },
    /// A try failed on the network or the server; the next one comes by itself.
    WaitingToRetry {
        retry: u32,
    },
    /// The phone is offline: the upload goes on when the network comes back.
    WaitingForNetwork,
    /// The automatic tries are spent: the retry button is shown.
    Failed,
    Uploaded {
        id: String,
    },
}

/// The photo the user chose, as checked and shrunk on the phone.
#[derive(Clone, Debug)]
pub struct ChosenPhoto {
    pub jpeg: web_sys::Blob,
    /// An object URL of `jpeg`, for the thumbnail.
    pub preview: String,
    /// The same for every try of this photo: the server stores it once.
    pub key: String,
    /// The advice the driver saw and chose to go past (仍然使用这张); empty for a good photo.
    pub warnings: Vec<PhotoWarning>,
}

/// A photo that passed the rules but not every quality check, shown with the advice until the
/// driver chooses 重新拍摄 or 仍然使用这张.
#[derive(Clone, Debug)]
pub struct Advised {
    pub checked: Checked,
    /// An object URL of the shrunk JPEG, for the preview.
    pub preview: String,
}

/// One material's uploader state.
#[derive(Clone, Debug, Default)]
pub struct Slot {
    pub photo: Option<ChosenPhoto>,
    pub phase: Phase,
    /// An object URL of a newly picked file while the phone checks it.
    pub checking: Option<String>,
    /// A photo waiting for the driver's choice after the quality checks advised against it.
    pub advised: Option<Advised>,
    /// An object URL of the last photo the phone refused, shown beside the reason.
    pub refused: Option<String>,
    /// The last refusal or failure, in words for the user.
    pub error: Option<String>,
    /// The stored photo's address on the server, for a draft resumed after a reload (the
    /// photo itself is not kept on the phone).
    pub stored_preview: Option<String>,
    /// The stored photo a newly chosen one replaces: deleted on the server once the new one is
    /// stored, not before, so a failed replacement loses nothing.
    pub replaced: Option<String>,
    /// Counts the sends started: a send that is no longer the latest (the retry button or the
    /// network's return started another) stops.
    pub attempt: u32,
}

impl Slot {
    /// A photo stored during an earlier visit.
    pub fn stored(id: String, preview: String) -> Slot {
        Slot { phase: Phase::Uploaded { id }, stored_preview: Some(preview), ..Slot::default() }
    }

    pub fn uploaded_id(&self) -> Option<&str> {
        match &self.phase {
            Phase::Uploaded { id } => Some(id),
            _ => None,
        }
    }

    /// Whether the photo is kept but not stored, waiting for the network or the retry button.
    fn waits_to_send(&self) -> bool {
        self.photo.is_some()
            && matches!(self.phase, Phase::WaitingForNetwork | Phase::WaitingToRetry { .. } | Phase::Failed)
    }

    /// Gives back the object URLs of the pictures the slot shows and empties it.
    pub fn clear(&mut self) {
        self.clear_pending();
        if let Some(photo) = self.photo.take() {
            browser::revoke_object_url(&photo.preview);
        }
        *self = Slot { attempt: self.attempt, ..Slot::default() };
    }

    /// Drops the advised and the refused picture (a new one was picked or chosen).
    fn clear_pending(&mut self) {
        if let Some(advised) = self.advised.take() {
            browser::revoke_object_url(&advised.preview);
        }
        if let Some(refused) = self.refused.take() {
            browser::revoke_object_url(&refused);
        }
    }
}

pub type SlotSignal = RwSignal<Slot, LocalStorage>;

/// Every material's uploader state, kept at the app's root for the whole visit.
#[derive(Clone, Copy)]
pub struct Uploads {
    slots: StoredValue<HashMap<String, SlotSignal>>,
    owner: StoredValue<Owner>,
}

impl Uploads {
    /// Call at the app's root: the slots live as long as the owner current now. When the
    /// browser comes back online, every photo still waiting to be sent goes.
    pub fn new(api: ApiClient) -> Uploads {
        let uploads = Uploads {
            slots: StoredValue::new(HashMap::new()),
            owner: StoredValue::new(Owner::current().expect("created under the app")),
        };
        browser::on_online(move || uploads.resume(&api));
        uploads
    }

    /// Sends again every kept photo that is not stored yet.
    fn resume(&self, api: &ApiClient) {
        let waiting: Vec<(String, SlotSignal)> = self.slots.with_value(|slots| {
            slots
                .iter()
                .filter(|(_, slot)| slot.with_untracked(Slot::waits_to_send))
                .map(|(key, slot)| {
                    (key.split_once('/').map_or(key.as_str(), |(_, material)| material).to_owned(), *slot)
                })
                .collect()
        });
        for (material, slot) in waiting {
            spawn_local(send(api.clone(), material, slot));
        }
    }

    /// The state of one uploader (by business and material), created empty on first use.
    pub fn slot(&self, business: taxicert_api::BusinessCode, material: &str) -> SlotSignal {
        let material = &format!("{}/{material}", business.as_str());
        if let Some(slot) = self.slots.with_value(|slots| slots.get(material).copied()) {
            return slot;
        }
        let slot = self.owner.with_value(|owner| owner.with(|| RwSignal::new_local(Slot::default())));
        self.slots.update_value(|slots| {
            slots.insert(material.to_owned(), slot);
        });
        slot
    }
}

impl Uploads {
    /// Empties the uploaders of one business (after its draft is submitted or deleted). Logout
    /// is on the front, a page of its own: nothing of the driver's photos is in its memory.
    pub fn forget(&self, business: taxicert_api::BusinessCode) {
        let prefix = format!("{}/", business.as_str());
        self.slots.with_value(|slots| {
            for (key, slot) in slots {
                if key.starts_with(&prefix) {
                    slot.update(Slot::clear);
                }
            }
        });
    }
}

pub fn use_uploads() -> Uploads {
    expect_context::<Uploads>()
}

/// Said while the phone is offline; no button is named, none is needed.
const OFFLINE: &str = "手机网络已断开。恢复网络后会自动继续上传，已选的照片不会丢失。";

/// Whether `slot` still shows the photo with this idempotency key (not replaced or deleted)
/// and `attempt` is still the latest send of it.
fn shows(slot: SlotSignal, key: &str, attempt: u32) -> bool {
    slot.with_untracked(|s| s.attempt == attempt && s.photo.as_ref().is_some_and(|p| p.key == key))
}

/// Sends the slot's photo, retrying by itself on network failures and server errors; offline,
/// it waits for the network instead (see [`Uploads::new`]).
async fn send(api: ApiClient, material: String, slot: SlotSignal) {
    let Some(photo) = slot.with_untracked(|s| s.photo.clone()) else {
        return;
    };
    let replaced = slot.with_untracked(|s| s.replaced.clone());
    slot.update(|s| s.attempt += 1);
    let attempt = slot.with_untracked(|s| s.attempt);
    for retry in 0..=AUTOMATIC_RETRIES {
        slot.update(|s| s.phase = Phase::Uploading { percent: 0 });
        let key = photo.key.clone();
        let on_progress = move |share: f64| {
            if shows(slot, &key, attempt) {
                // Sent is not stored: 100 % waits for the server's answer.
                slot.update(|s| s.phase = Phase::Uploading { percent: (share * 99.0).round() as u8 });
            }
        };
        let result = api.upload_photo(&material, &photo.jpeg, &photo.key, on_progress).await;
        if !shows(slot, &photo.key, attempt) {
            return;
        }
        match result {
            Ok(receipt) => {
                slot.update(|s| {
                    s.phase = Phase::Uploaded { id: receipt.id };
                    s.error = None;
                    s.replaced = None;
                });
                if let Some(old) = replaced {
                    // The replaced photo goes only now that its successor is stored.
                    let _ = api.delete_upload(&old).await;
                }
                return;
            }
            Err(error) if error.is_transient() && !browser::is_online() => {
                slot.update(|s| {
                    s.phase = Phase::WaitingForNetwork;
                    s.error = Some(OFFLINE.into());
                });
                return;
            }
            Err(error) if error.is_transient() && retry < AUTOMATIC_RETRIES => {
                slot.update(|s| {
                    s.phase = Phase::WaitingToRetry { retry: retry + 1 };
                    s.error = Some(format!("{}正在自动重试（第{}次）…", error.cause(), retry + 1));
                });
                browser::sleep_ms(delay_ms(retry, js_sys::Math::random())).await;
                if !shows(slot, &photo.key, attempt) {
                    return;
                }
            }
            Err(error) => {
                slot.update(|s| {
                    s.phase = Phase::Failed;
                    s.error = Some(error.message());
                });
                return;
            }
        }
    }
}

/// Takes `checked` as the slot's photo (a new idempotency key) and sends it if `upload`.
fn choose(api: ApiClient, material: String, slot: SlotSignal, checked: Checked, upload: bool) {
    slot.update(|s| {
        s.clear_pending();
        if let Some(old) = s.photo.take() {
            browser::revoke_object_url(&old.preview);
        }
        if let Some(id) = s.uploaded_id() {
            s.replaced = Some(id.to_owned());
        }
        s.checking = None;
        s.error = None;
        s.stored_preview = None;
        s.photo = Some(ChosenPhoto {
            preview: browser::object_url(&checked.jpeg),
            jpeg: checked.jpeg,
            key: browser::random_hex(16),
            warnings: checked.warnings,
        });
    });
    if upload {
        spawn_local(send(api, material, slot));
    }
}

/// The photo of `material` in `state`. With `upload` (the default) each photo chosen is
/// uploaded at once (the wizard's materials); without, it stays on the phone, checked and
/// shrunk, for the form to send (实名认证 sends both sides of the ID card together to be read).
#[component]
pub fn Uploader(material: Material, state: SlotSignal, #[prop(default = true)] upload: bool) -> impl IntoView {
    let app = use_app();
    crate::photo_worker::prefetch();
    let slot = state;
    let Material { code, name, hint, required, photo: rules, sample, .. } = material;
    let input_id = format!("upload-{code}");
    let title_id = format!("upload-title-{code}");
    let sample_alt = format!("{name}示例");
    let max_side = app.config.photo_max_side;

    let pick = {
        let (api, code) = (app.api.clone(), code.clone());
        move |event: web_sys::Event| {
            let input: web_sys::HtmlInputElement = event_target(&event);
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            // Cleared, so that picking the same file again after a refusal fires again.
            input.set_value("");
            let original = browser::object_url(&file);
            slot.update(|s| {
                s.clear_pending();
                s.checking = Some(original.clone());
                s.error = None;
            });
            let (api, code) = (api.clone(), code.clone());
            spawn_local(async move {
                let checked = check_and_shrink(&file, rules, max_side).await;
                if slot.with_untracked(|s| s.checking.as_deref() != Some(original.as_str())) {
                    // Another photo was picked meanwhile: its check decides.
                    browser::revoke_object_url(&original);
                    return;
                }
                match checked {
                    // The photo shown before, if any, stays: a refused replacement loses
                    // nothing, and the refused picture is shown beside the reason.
                    Err(message) => slot.update(|s| {
                        s.checking = None;
                        s.refused = Some(original);
                        s.error = Some(message);
                    }),
                    Ok(checked) if !checked.warnings.is_empty() => {
                        browser::revoke_object_url(&original);
                        slot.update(|s| {
                            s.checking = None;
                            s.advised = Some(Advised { preview: browser::object_url(&checked.jpeg), checked });
                        });
                    }
                    Ok(checked) => {
                        browser::revoke_object_url(&original);
                        choose(api, code, slot, checked, upload);
                    }
                }
            });
        }
    };
    let use_anyway = {
        let (api, code) = (app.api.clone(), code.clone());
        move |_| {
            let Some(advised) = slot.with_untracked(|s| s.advised.clone()) else {
                return;
            };
            choose(api.clone(), code.clone(), slot, advised.checked, upload);
        }
    };
    let retry = {
        let (api, code) = (app.api.clone(), code.clone());
        move |_| spawn_local(send(api.clone(), code.clone(), slot))
    };
    let delete = {
        let api = app.api.clone();
        let section = format!("material-{code}");
        move |_| {
            let (old, replaced) = slot.with_untracked(|s| (s.uploaded_id().map(str::to_owned), s.replaced.clone()));
            slot.update(Slot::clear);
            // The button is gone with the photo: focus stays in this uploader, not on the page.
            browser::focus_by_id(&section);
            for id in [old, replaced].into_iter().flatten() {
                let api = api.clone();
                spawn_local(async move {
                    let _ = api.delete_upload(&id).await;
                });
            }
        }
    };

    let phase = move || slot.with(|s| s.phase.clone());
    let advice = move || slot.with(|s| s.advised.as_ref().map(|a| a.checked.warnings.clone()));
    let thumbnail = move || {
        slot.with(|s| {
            s.checking
                .clone()
                .or_else(|| s.advised.as_ref().map(|a| a.preview.clone()))
                .or_else(|| s.photo.as_ref().map(|p| p.preview.clone()))
                .or_else(|| s.stored_preview.clone())
        })
    };
    let refused = move || slot.with(|s| s.refused.clone());
    let checking = move || slot.with(|s| s.checking.is_some());
    let has_photo = move || slot.with(|s| s.photo.is_some() || s.stored_preview.is_some());
    let used_despite =
        move || slot.with(|s| s.advised.is_none() && s.photo.as_ref().is_some_and(|p| !p.warnings.is_empty()));
    let percent = move || match phase() {
        Phase::Uploading { percent } => Some(percent),
        Phase::WaitingToRetry { .. } => Some(0),
        _ => None,
    };
    let status = move || {
        if checking() {
            return "正在检查照片…".to_owned();
        }
        if advice().is_some() {
            return "请查看下面的提示，再选择重新拍摄或仍然使用这张".to_owned();
        }
        match phase() {
            Phase::Empty if has_photo() => "已选好".into(),
            Phase::Empty => String::new(),
            Phase::Uploading { percent } => format!("上传中 {percent}%"),
            Phase::WaitingToRetry { .. } => "等待重试".into(),
            Phase::WaitingForNetwork => "等待网络恢复".into(),
            Phase::Failed => "上传失败".into(),
            Phase::Uploaded { .. } => "上传成功".into(),
        }
    };
    let error = move || slot.with(|s| s.error.clone());
    let pick_label = move || {
        if has_photo() {
            "重新选择"
        } else {
            "选择照片"
        }
    };
    let input_label = format!("选择{name}的照片");
    let refused_alt = format!("未通过检查的{name}照片");

    let section_id = format!("material-{code}");
    let labelled_by = title_id.clone();
    view! {
        <section class="uploader" id=section_id tabindex="-1" aria-labelledby=labelled_by>
            <div class="uploader__hd">
                <h3 class="uploader__title" id=title_id>
                    {name.clone()}
                    <span class="uploader__required">{if required { "必传" } else { "选传" }}</span>
                </h3>
            </div>
            <p class="uploader__hint">{hint}</p>
            <div class="uploader__bd">
                <figure class="uploader__sample">
                    <img src=sample alt=sample_alt width="96" height="96" />
                    <figcaption>"示例"</figcaption>
                </figure>
                <div class="uploader__tile" class:uploader__tile_empty=move || thumbnail().is_none()>
                    {move || thumbnail().map(|src| view! { <img class="uploader__preview" src=src alt="您选择的照片" /> })}
                    {move || checking().then(|| view! { <span class="uploader__busy"><i class="weui-loading"></i></span> })}
                    {move || matches!(phase(), Phase::Uploaded { .. }).then(|| view! { <span class="uploader__badge">"上传成功"</span> })}
                    <label class="uploader__pick" for=input_id.clone() class:uploader__pick_hidden=move || thumbnail().is_some()>
                        <span aria-hidden="true">"+"</span>
                    </label>
                    <input
                        id=input_id.clone()
                        class="uploader__input"
                        type="file"
                        accept="image/*"
                        aria-label=input_label
                        on:change=pick
                    />
                </div>
                {move || refused().map(|src| view! {
                    <figure class="uploader__refused">
                        // Not a picture at all (a document, a damaged file): nothing to show
                        // beside the reason but a broken image, so nothing is shown.
                        <img
                            src=src
                            alt=refused_alt.clone()
                            width="96"
                            height="96"
                            on:error=move |_| slot.update(|s| {
                                if let Some(url) = s.refused.take() {
                                    browser::revoke_object_url(&url);
                                }
                            })
                        />
                        <figcaption>"未通过检查"</figcaption>
                    </figure>
                })}
            </div>
            <p class="uploader__status" role="status" aria-live="polite">{status}</p>
            {move || percent().map(|value| view! {
                <progress class="uploader__progress" max="100" value=value aria-label="上传进度"></progress>
            })}
            {move || error().map(|message| view! { <p class="uploader__error" role="alert">{message}</p> })}
            {move || advice().map(|warnings| view! {
                <div class="photo-advice uploader__advice" role="alert">
                    <p class="photo-advice__title">"这张照片可能影响审核："</p>
                    <ul>{warnings.into_iter().map(|w| view! { <li>{w.message}</li> }).collect_view()}</ul>
                </div>
            })}
            {move || used_despite().then(|| view! {
                <p class="uploader__note">"已按您的选择使用这张照片。工作人员如看不清，会退回请您补正。"</p>
            })}
            <div class="uploader__actions">
                {move || match advice() {
                    Some(_) => {
                        let use_anyway = use_anyway.clone();
                        view! {
                            <label class="weui-btn weui-btn_mini weui-btn_primary" for=input_id.clone()>"重新拍摄"</label>
                            <button type="button" class="weui-btn weui-btn_mini weui-btn_default" on:click=use_anyway>"仍然使用这张"</button>
                        }
                        .into_any()
                    }
                    None => {
                        let (retry, delete) = (retry.clone(), delete.clone());
                        view! {
                            {(phase() == Phase::Failed).then(|| {
                                view! { <button type="button" class="weui-btn weui-btn_mini weui-btn_primary" on:click=retry>"重试"</button> }
                            })}
                            <label class="weui-btn weui-btn_mini weui-btn_default" for=input_id.clone()>{pick_label}</label>
                            {has_photo().then(|| {
                                view! { <button type="button" class="weui-btn weui-btn_mini weui-btn_warn" on:click=delete>"删除"</button> }
                            })}
                        }
                        .into_any()
                    }
                }}
            </div>
        </section>
    }
}
