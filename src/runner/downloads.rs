//! Files of a chat coming in: downloaded a range at a time ([`stream_download`]: every chunk
//! checked, then the SHA-256, before anything is shown or saved), kept in the media store so they open at once and offline,
//! shown in their bubble (photos, videos, audio) or saved as an ordinary download.

use hush_client::{MessageId, Store};
use hush_protocol::attachment::AttachmentPointer;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::stream_download::{self, Failure};
use super::tab::Tab;
use crate::choices::AutoDownload;
use crate::platform::files::{self, FileBlob};
use crate::platform::media;
use crate::state::Ui;
use crate::text;

/// Videos and other files up to this size download by themselves (if the setting allows);
/// photos larger than this never do.
pub(crate) const AUTO_BYTES: u64 = 16 * 1024 * 1024;

/// A file message `id`'s bubble was drawn: its media shows from the store if kept, else it is
/// downloaded by itself if the setting allows (once per page).
pub(super) async fn arrived(tab: &Tab, id: MessageId) {
    if tab.asked.borrow().contains(&id) {
        return;
    }
    tab.asked.borrow_mut().push(id);
    let Some(pointer) = pointer_of(tab, &id).await else {
        return;
    };
    let ui = tab.ui;
    if shows_inline(&pointer) {
        if let Some(url) = media::url(&id).await {
            ui.media.update(|all| all.push((id, url)));
            return;
        }
    } else if media::blob(&id).await.is_some() {
        return;
    }
    if !wanted(ui.auto_download.get_untracked(), &pointer) {
        return;
    }
    // Downloaded beside the runner: other commands go on meanwhile.
    spawn_local(async move {
        if let Some(blob) = fetch_and_keep(ui, id, &pointer).await {
            show(ui, id, &pointer, &blob);
        }
    });
}

/// `Download <name>`: the file message `id` carries, from the store or downloaded (and then
/// kept), saved as a download.
pub(super) async fn save(tab: &Tab, id: MessageId) {
    let Some(pointer) = pointer_of(tab, &id).await else {
        return;
    };
    let blob = match media::blob(&id).await {
        Some(blob) => blob,
        None => match fetch_and_keep(tab.ui, id, &pointer).await {
            Some(blob) => blob,
            None => return,
        },
    };
    files::save(&pointer.file_name, pointer.mime.as_str(), &blob);
    if !tab
        .ui
        .media
        .with_untracked(|all| all.iter().any(|(m, _)| *m == id))
    {
        show(tab.ui, id, &pointer, &blob);
    }
}

/// Whether the setting lets `pointer`'s file download by itself.
fn wanted(choice: AutoDownload, pointer: &AttachmentPointer) -> bool {
    let small = pointer.ciphertext_len <= AUTO_BYTES;
    if pointer.mime.is_image() {
        choice.photos && small
    } else if pointer.mime.is_audio() && !pointer.waveform.is_empty() {
        choice.voice_notes
    } else {
        choice.videos_and_files && small
    }
}

/// Photos, videos and audio show in their bubble; other files only save.
fn shows_inline(pointer: &AttachmentPointer) -> bool {
    pointer.mime.is_image() || pointer.mime.is_video() || pointer.mime.is_audio()
}

fn show(ui: Ui, id: MessageId, pointer: &AttachmentPointer, blob: &FileBlob) {
    if !shows_inline(pointer) {
        return;
    }
    if let Some(url) = files::blob_url(pointer.mime.as_str(), blob) {
        ui.media.update(|all| all.push((id, url)));
    }
}

async fn pointer_of(tab: &Tab, id: &MessageId) -> Option<Box<AttachmentPointer>> {
    let message = tab.engine.store().message(id).await.ok().flatten();
    message.and_then(|m| m.attachment)
}

/// The file `pointer` names, downloaded and checked, then kept as message `id`'s. Meanwhile
/// its bubble shows how much of it arrived.
async fn fetch_and_keep(ui: Ui, id: MessageId, pointer: &AttachmentPointer) -> Option<FileBlob> {
    let percent = RwSignal::new(0);
    ui.downloads.update(|all| all.push((id, percent)));
    let total = pointer.ciphertext_len.max(1);
    let fetched = stream_download::fetch(pointer, |at| {
        percent.set((at.saturating_mul(100) / total).min(100) as u32);
    })
    .await;
    ui.downloads.update(|all| {
        if let Some(at) = all.iter().position(|(_, p)| *p == percent) {
            all.remove(at);
        }
    });
    let blob = match fetched {
        Ok(blob) => blob,
        Err(failure) => {
            ui.problem.set(Some(
                match failure {
                    Failure::Gone => text::FILE_GONE,
                    Failure::Unreachable => text::FILE_UNREACHABLE,
                    Failure::NotIntact => text::FILE_NOT_INTACT,
                }
                .to_owned(),
            ));
            return None;
        }
    };
    media::keep(&id, pointer.mime.as_str(), &blob).await;
    Some(blob)
}

/// Settings' "Clear media": every kept file forgotten (what is on screen stays until the
/// page goes); the space kept said again.
pub(super) async fn clear(ui: Ui) {
    if !media::clear().await {
        ui.problem.set(Some(text::CLEAR_MEDIA_FAILED.to_owned()));
    }
    measure(ui).await;
}

/// How much media this device keeps, for Settings.
pub(super) async fn measure(ui: Ui) {
    ui.media_bytes.set(media::size().await);
}
