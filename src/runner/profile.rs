//! Profiles: our About line and photo, and contacts' photos on screen. A photo is scaled to
//! [`PHOTO_EDGE`] px, sealed under a fresh key and uploaded as a blob; its pointer (key
//! included) goes to contacts inside their sessions. A contact's photo is fetched, checked
//! against its SHA-256, kept with the media (so it shows offline) and shown from a `blob:` URL.

use hush_client::model::ContactProfile;
use hush_client::{EngineError, Output, Store};
use hush_protocol::attachment::{self, AttachmentPointer, Dimensions, Mime};
use hush_protocol::Username;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rand_core::OsRng;

use super::tab::{AppEngine, Tab};
use super::waiting::PhotoUpload;
use crate::command::{Command, PHOTO_INPUT};
use crate::platform::files::{self, FileBlob};
use crate::platform::{blobs, file_slices, media};
use crate::state::Ui;
use crate::text;

/// The longest side of a profile photo as sent (px).
const PHOTO_EDGE: u32 = 512;

/// Our About line and photo, and every contact's photo, on screen.
pub(super) async fn load(engine: &AppEngine, ui: Ui) {
    if let Some(account) = engine.account() {
        ui.my_about.set(account.about.clone());
        let profile = ContactProfile {
            about: account.about.clone(),
            photo: account.photo.clone(),
        };
        shown(ui, account.name.clone(), profile);
    }
    match engine.store().profiles().await {
        Ok(profiles) => {
            for (account, profile) in profiles {
                shown(ui, account, profile);
            }
        }
        Err(e) => ui.problem.set(Some(text::store_error(&e))),
    }
}

/// A contact's profile (just told, or stored): their About line, and their photo once fetched.
/// Only the newest photo told for an account shows and is kept; the one it replaces goes.
pub(super) fn shown(ui: Ui, account: Username, profile: ContactProfile) {
    ui.abouts.update(|abouts| {
        abouts.insert(account.clone(), profile.about);
    });
    let wanted = profile.photo.as_ref().map(|p| p.blob);
    let before = ui
        .photo_blobs
        .with_value(|blobs| blobs.get(&account).copied());
    if before == wanted {
        return;
    }
    ui.photo_blobs.update_value(|blobs| match wanted {
        Some(blob) => drop(blobs.insert(account.clone(), blob)),
        None => drop(blobs.remove(&account)),
    });
    if wanted.is_none() {
        ui.photos.update(|photos| {
            if let Some(old) = photos.remove(&account) {
                files::revoke_url(&old);
            }
        });
    }
    let gone = account.clone();
    spawn_local(async move {
        if let Some(old) = before {
            let none_now = wanted.is_none().then_some(gone.as_str());
            media::forget_photo(none_now, &old).await;
        }
    });
    if let Some(photo) = profile.photo {
        show_photo(ui, account, photo);
    }
}

/// Whether `blob` is still the photo to show for `account` (a newer profile may have come
/// while it was fetched).
fn still_wanted(ui: Ui, account: &Username, blob: &[u8; 32]) -> bool {
    ui.photo_blobs
        .with_value(|blobs| blobs.get(account) == Some(blob))
}

/// Shows `photo` for `account`: from the media kept here, or fetched, checked and kept
/// first. One that cannot be fetched or does not check out leaves the initial.
fn show_photo(ui: Ui, account: Username, photo: AttachmentPointer) {
    spawn_local(async move {
        let url = match media::photo_url(&photo.blob).await {
            Some(url) => Some(url),
            None => fetch(ui, &account, &photo).await,
        };
        let Some(url) = url else { return };
        if !still_wanted(ui, &account, &photo.blob) {
            files::revoke_url(&url);
            return;
        }
        ui.photos.update(|photos| {
            if let Some(old) = photos.insert(account, url) {
                files::revoke_url(&old);
            }
        });
    });
}

/// Downloads and opens `account`'s `photo` and keeps it, unless another came meanwhile; its
/// `blob:` URL.
async fn fetch(ui: Ui, account: &Username, photo: &AttachmentPointer) -> Option<String> {
    let sealed = blobs::get(&photo.blob, photo.ciphertext_len).await?;
    let jpeg = attachment::open(&photo.key, &sealed, &photo.sha256).ok()?;
    let mime = photo.mime.as_str();
    let blob = FileBlob::of_bytes(mime, &jpeg)?;
    if !still_wanted(ui, account, &photo.blob) {
        return None;
    }
    media::keep_photo(account.as_str(), &photo.blob, mime, &blob).await;
    files::blob_url(mime, &blob)
}

/// The photo picked with `Change photo`: scaled, sealed, and its upload asked for.
pub(super) async fn change_photo(tab: &mut Tab) -> Result<Output, EngineError> {
    let Some(picked) = files::read(PHOTO_INPUT).await.into_iter().next() else {
        return Ok(Output::default());
    };
    let photo = files::as_photo_at(picked, PHOTO_EDGE).await;
    if photo.mime != "image/jpeg" {
        tab.ui.problem.set(Some(text::NOT_A_PHOTO.to_owned()));
        return Ok(Output::default());
    }
    let mut bytes = Vec::new();
    if !file_slices::start(&photo.blob, 0, photo.blob.size())
        .into(&mut bytes)
        .await
    {
        tab.ui.problem.set(Some(text::PHOTO_UNREADABLE.to_owned()));
        return Ok(Output::default());
    }
    let sealed =
        attachment::seal(&mut OsRng, &bytes).map_err(|_| hush_client::error::InputError::Photo)?;
    let (request, out) = tab.engine.request_upload(sealed.ciphertext.len() as u64)?;
    *tab.photo_upload.borrow_mut() = Some(PhotoUpload {
        request,
        sealed,
        dimensions: photo
            .dimensions
            .map(|(width, height)| Dimensions { width, height }),
    });
    Ok(out)
}

/// The relay's grant for our photo (false if `request` was not for it): uploads it, then
/// tells its pointer.
pub(super) fn granted(tab: &Tab, request: u32, id: [u8; 32]) -> bool {
    let taken = tab
        .photo_upload
        .borrow_mut()
        .take_if(|u| u.request == request);
    let Some(upload) = taken else {
        return false;
    };
    let messenger = tab.messenger;
    spawn_local(async move {
        let uploaded = blobs::put(&id, &upload.sealed.ciphertext).await;
        let pointer = uploaded.then(|| AttachmentPointer {
            blob: id,
            key: upload.sealed.key,
            sha256: upload.sealed.sha256,
            ciphertext_len: upload.sealed.ciphertext.len() as u64,
            mime: Mime::Jpeg,
            file_name: String::new(),
            dimensions: upload.dimensions,
            duration_ms: None,
            thumbnail: Vec::new(),
            waveform: Vec::new(),
            caption: String::new(),
        });
        messenger.tell(Command::PhotoUploaded(pointer.map(Box::new)));
    });
    true
}

/// Our photo is on the relay (or could not be uploaded): contacts are told, and it shows.
pub(super) async fn photo_uploaded(
    tab: &mut Tab,
    photo: Option<Box<AttachmentPointer>>,
) -> Result<Output, EngineError> {
    let Some(photo) = photo else {
        tab.ui
            .problem
            .set(Some(text::PHOTO_UPLOAD_FAILED.to_owned()));
        return Ok(Output::default());
    };
    let out = tab.engine.set_photo(Some(*photo.clone())).await?;
    if let Some(me) = tab.ui.me.get_untracked() {
        let about = tab.ui.my_about.get_untracked();
        shown(
            tab.ui,
            me,
            ContactProfile {
                about,
                photo: Some(*photo),
            },
        );
    }
    Ok(out)
}

/// No profile photo: contacts are told, and our initial shows again.
pub(super) async fn remove_photo(tab: &mut Tab) -> Result<Output, EngineError> {
    let out = tab.engine.set_photo(None).await?;
    if let Some(me) = tab.ui.me.get_untracked() {
        let about = tab.ui.my_about.get_untracked();
        shown(tab.ui, me, ContactProfile { about, photo: None });
    }
    Ok(out)
}

/// Another of our devices changed the account's profile: it shows here too.
pub(super) fn own_changed(engine: &AppEngine, ui: Ui) {
    let Some(account) = engine.account() else {
        return;
    };
    ui.my_name.set(account.display_name.clone());
    ui.my_about.set(account.about.clone());
    let profile = ContactProfile {
        about: account.about.clone(),
        photo: account.photo.clone(),
    };
    shown(ui, account.name.clone(), profile);
}

/// Keeps our photo's blob on the relay past its lifetime: renewed on every connection, by
/// each of our devices (the relay lets any device of the account renew it, so the photo
/// outlives the device that uploaded it; a refusal, for a photo already expired, changes
/// nothing here).
pub(super) fn renew_photo(engine: &mut AppEngine) -> Output {
    let Some(blob) = engine
        .account()
        .and_then(|a| a.photo.as_ref())
        .map(|p| p.blob)
    else {
        return Output::default();
    };
    engine
        .renew_blob(blob)
        .map(|(_, out)| out)
        .unwrap_or_default()
}

/// Our About line (blank: none), told to contacts.
pub(super) async fn set_about(tab: &mut Tab, about: &str) -> Result<Output, EngineError> {
    let out = tab.engine.set_about(about).await?;
    let kept = tab.engine.account().map(|a| a.about.clone());
    tab.ui.my_about.set(kept.unwrap_or_default());
    Ok(out)
}
