//! Files sent from this tab. A file gets a fresh key and a grant of the relay for its blob's
//! size; when its turn comes it is read, sealed and uploaded a slice at a time
//! ([`stream_upload`], one file at a time, with its progress on screen and `Cancel upload`),
//! kept meanwhile in the pending uploads ([`pending`], so a reload resumes it: [`super::resume`]),
//! and only then is its pointer sent.

use hush_client::error::InputError;
use hush_client::{ChatId, EngineError, Output};
use std::rc::Rc;

use hush_protocol::attachment::{sealed_len, AttachmentKey, AttachmentPointer, Dimensions, Mime};
use hush_protocol::limits::MAX_CAPTION;
use hush_protocol::text::clean_file_name;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rand_core::OsRng;

use super::stream_upload::{self, Source, Stopped};
use super::tab::Tab;
use super::waiting::{Turns, Waiting};
use crate::command::{Command, Forwarding, Messenger};
use crate::platform::files::{self, PickedFile};
use crate::platform::{blobs, pending};
use crate::state::{Transfer, Ui};
use crate::text;

/// Files waiting for their grant at once (the engine asks for at most 16).
const MAX_WAITING: usize = 16;

/// Gives each file its key and asks for its grant (the caption goes with the first); each
/// shows in its chat at once, waiting its turn.
pub(super) fn start(
    tab: &mut Tab,
    to: ChatId,
    files: Vec<PickedFile>,
    caption: String,
) -> Result<Output, EngineError> {
    if caption.len() > MAX_CAPTION {
        return Err(InputError::TextLength.into());
    }
    // A file that cannot go is named and left out; the others still go (their grants are
    // asked in `out`, so none waits for an answer never asked for).
    let mut out = Output::default();
    for (n, file) in files.into_iter().enumerate() {
        let caption = if n == 0 {
            caption.clone()
        } else {
            String::new()
        };
        if let Some(more) = queue(tab, to.clone(), file, caption, None) {
            out.frames.extend(more.frames);
        }
    }
    Ok(out)
}

/// An older file to forward, uploaded again as a new blob under a fresh key: once uploaded,
/// message `forwarding.id` is forwarded pointing at it ([`super::forwarding`]). It shows in
/// the first chat it goes to meanwhile.
pub(super) fn start_forward(
    tab: &mut Tab,
    forwarding: Forwarding,
    file: PickedFile,
    caption: String,
) -> Result<Output, EngineError> {
    let Some(to) = forwarding.chats.first().cloned() else {
        return Ok(Output::default());
    };
    Ok(queue(tab, to, file, caption, Some(forwarding)).unwrap_or_default())
}

/// Gives `file` its key and asks for its grant: the frame asking, or None if it cannot go
/// (then said so).
fn queue(
    tab: &mut Tab,
    to: ChatId,
    file: PickedFile,
    caption: String,
    forward: Option<Forwarding>,
) -> Option<Output> {
    let data_len = file.blob.size();
    let asked = if tab.uploads.len() >= MAX_WAITING {
        Err(InputError::TooManyUploads.into())
    } else {
        ask(tab, data_len)
    };
    let (request, blob_len, out) = match asked {
        Ok(asked) => asked,
        Err(e) => {
            tab.ui
                .problem
                .set(Some(text::not_sent(&file.name, text::engine_error(&e))));
            return None;
        }
    };
    let waiting = Waiting {
        to,
        key: AttachmentKey::generate(&mut OsRng),
        file: file.blob,
        data_len,
        blob_len,
        name: clean_file_name(&file.name).unwrap_or_default(),
        mime: Mime::parse(&file.mime),
        caption,
        dimensions: file
            .dimensions
            .map(|(width, height)| Dimensions { width, height }),
        thumbnail: file.thumbnail,
        duration_ms: file.duration_ms,
        waveform: file.waveform,
        forward,
    };
    show_transfer(tab.ui, request, &waiting);
    tab.uploads.push(request, waiting);
    Some(out)
}

/// Asks the grant for a file of `data_len` bytes: the request id, the blob's length, the frame.
fn ask(tab: &mut Tab, data_len: u64) -> Result<(u32, u64, Output), EngineError> {
    let blob_len = sealed_len(data_len).ok_or(InputError::AttachmentSize)?;
    let (request, out) = tab.engine.request_upload(blob_len)?;
    Ok((request, blob_len, out))
}

/// Shows file `request` in its chat, waiting its turn.
pub(super) fn show_transfer(ui: Ui, request: u32, waiting: &Waiting) {
    let thumbnail = (!waiting.thumbnail.is_empty())
        .then(|| files::object_url("image/jpeg", &waiting.thumbnail))
        .flatten();
    ui.transfers.update(|transfers| {
        transfers.push(Transfer {
            request,
            chat: waiting.to.clone(),
            name: waiting.name.clone(),
            thumbnail,
            percent: RwSignal::new(0),
            active: RwSignal::new(false),
        });
    });
}

/// Takes file `request` off the screen.
fn end_transfer(ui: Ui, request: u32) {
    ui.transfers.update(|transfers| {
        if let Some(at) = transfers.iter().position(|t| t.request == request) {
            let transfer = transfers.remove(at);
            if let Some(url) = transfer.thumbnail {
                files::revoke_url(&url);
            }
        }
    });
}

/// The connection was lost: grants asked on it will not come, so the files waiting for them
/// are dropped (and said so). Uploads under way go on (they are plain HTTP).
pub(super) fn connection_lost(tab: &Tab) {
    let dropped = tab.uploads.take_all();
    for (request, _) in &dropped {
        end_transfer(tab.ui, *request);
    }
    if let Some((_, first)) = dropped.first() {
        tab.ui
            .problem
            .set(Some(text::not_sent_connection_lost(&first.name)));
    }
}

/// `Cancel upload` for file `request`: dropped if it still waits for its grant, else its
/// upload stops before its next piece.
pub(super) fn cancel(tab: &Tab, request: u32) {
    if tab.uploads.take(request).is_none() {
        tab.turns.cancelled.borrow_mut().push(request);
    }
    end_transfer(tab.ui, request);
}

/// The relay's grant for file `request`: kept in the pending uploads, then uploaded when its
/// turn comes, then its pointer sent.
pub(super) fn granted(tab: &Tab, request: u32, id: [u8; 32]) {
    let Some(waiting) = tab.uploads.take(request) else {
        return;
    };
    tab.turns.claim(id);
    let (ui, messenger, turns) = (tab.ui, tab.messenger, Rc::clone(&tab.turns));
    spawn_local(async move {
        if !pending::keep(&pending_of(&waiting, id)).await {
            // Not kept (a full disk, a private window): it still goes, but a reload loses it.
        }
        send_in_turn(ui, messenger, turns, request, waiting, id, false).await;
    });
}

/// Uploads `waiting` as upload `id` when its turn comes (`resumed`: from what the relay
/// holds), then tells its pointer to send. A cancelled upload is forgotten; one that failed
/// stays pending (the next connection resumes it).
pub(super) async fn send_in_turn(
    ui: Ui,
    messenger: Messenger,
    turns: Rc<Turns>,
    request: u32,
    waiting: Waiting,
    id: [u8; 32],
    resumed: bool,
) {
    let _turn = turns.turn.lock().await;
    let transfer = ui
        .transfers
        .with_untracked(|all| all.iter().find(|t| t.request == request).cloned());
    // Cancelled while it waited for its turn (forgotten either way).
    let cancelled = turns.take_cancelled(request);
    let Some(transfer) = transfer.filter(|_| !cancelled) else {
        pending::forget(&id).await;
        turns.release(&id);
        return;
    };
    transfer.active.set(true);
    let held = match resumed {
        false => Some(0),
        true => blobs::held(&id).await,
    };
    let total = waiting.blob_len.max(1);
    let source = Source {
        id: &id,
        key: &waiting.key,
        file: &waiting.file,
        data_len: waiting.data_len,
    };
    let uploaded = match held {
        Some(held) => {
            stream_upload::upload(
                source,
                held,
                |held| transfer.percent.set((held.min(total) * 100 / total) as u32),
                || turns.take_cancelled(request),
            )
            .await
        }
        // The relay no longer knows the upload (its grant expired): it cannot go on.
        None => Err(Stopped::Cancelled),
    };
    end_transfer(ui, request);
    turns.release(&id);
    match uploaded {
        Ok(sha256) => {
            pending::forget(&id).await;
            let forward = waiting.forward.clone();
            messenger.tell(Command::Uploaded {
                to: waiting.to.clone(),
                pointer: Box::new(pointer_of(waiting, id, sha256)),
                forward,
            });
        }
        Err(Stopped::Cancelled) => {
            pending::forget(&id).await;
            if held.is_none() {
                ui.problem
                    .set(Some(text::upload_dropped_by_relay(&waiting.name)));
            }
        }
        Err(Stopped::Failed) => ui.problem.set(Some(text::not_uploaded_yet(&waiting.name))),
    }
}

/// What the pending uploads keep of `waiting` (upload `id`).
fn pending_of(waiting: &Waiting, id: [u8; 32]) -> pending::Pending {
    pending::Pending {
        id,
        chat: waiting.to.to_string(),
        key: waiting.key.to_bytes().to_vec(),
        file: waiting.file.clone(),
        name: waiting.name.clone(),
        mime: waiting.mime.as_str().to_owned(),
        caption: waiting.caption.clone(),
        dimensions: waiting.dimensions.map(|d| (d.width, d.height)),
        thumbnail: waiting.thumbnail.clone(),
        duration_ms: waiting.duration_ms,
        waveform: waiting.waveform.clone(),
        forward: waiting.forward.as_ref().map(|forwarding| {
            let chats = forwarding.chats.iter().map(ToString::to_string);
            (forwarding.id, chats.collect())
        }),
    }
}

/// What the message of uploaded file `waiting` (blob `id`, file hash `sha256`) carries.
fn pointer_of(waiting: Waiting, id: [u8; 32], sha256: [u8; 32]) -> AttachmentPointer {
    AttachmentPointer {
        blob: id,
        ciphertext_len: waiting.blob_len,
        key: waiting.key,
        sha256,
        mime: waiting.mime,
        file_name: waiting.name,
        dimensions: waiting.dimensions,
        duration_ms: waiting.duration_ms,
        thumbnail: waiting.thumbnail,
        waveform: waiting.waveform,
        caption: waiting.caption,
    }
}

/// The relay refused file `request`'s grant: it is dropped, and the reason shown.
pub(super) fn refused(tab: &Tab, request: u32, reason: String) {
    if let Some(waiting) = tab.uploads.take(request) {
        end_transfer(tab.ui, request);
        tab.ui
            .problem
            .set(Some(text::not_sent(&waiting.name, reason)));
    }
}
