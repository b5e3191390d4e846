//! Files sent from this tab. A file is encrypted here
//! (`hush_protocol::attachment::seal`), a grant asked of the relay, the ciphertext uploaded in
//! pieces (one file at a time, with its progress on screen and `Cancel upload`), and only then
//! is its pointer sent.

use hush_client::error::InputError;
use hush_client::{ChatId, EngineError, Output};
use std::rc::Rc;

use hush_protocol::attachment::{seal, AttachmentPointer, Dimensions, Mime, Sealed};
use hush_protocol::limits::MAX_CAPTION;
use hush_protocol::text::clean_file_name;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rand_core::OsRng;

use super::pieces::{self, Stopped};
use super::tab::Tab;
use super::waiting::Waiting;
use crate::command::Command;
use crate::platform::files::{self, PickedFile};
use crate::state::{Transfer, Ui};

/// Files waiting for their grant at once (the engine asks for at most 16).
const MAX_WAITING: usize = 16;

/// Encrypts each file and asks for its grant (the caption goes with the first); each shows
/// in its chat at once, waiting its turn.
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
        let asked = if tab.uploads.len() >= MAX_WAITING {
            Err(InputError::TooManyUploads.into())
        } else {
            ask(tab, &file.bytes)
        };
        let (request, sealed, more) = match asked {
            Ok(asked) => asked,
            Err(e) => {
                tab.ui
                    .problem
                    .set(Some(format!("{} was not sent: {e}", file.name)));
                continue;
            }
        };
        out.frames.extend(more.frames);
        let waiting = Waiting {
            to: to.clone(),
            sealed,
            name: clean_file_name(&file.name).unwrap_or_default(),
            mime: Mime::parse(&file.mime),
            caption: if n == 0 {
                caption.clone()
            } else {
                String::new()
            },
            dimensions: file
                .dimensions
                .map(|(width, height)| Dimensions { width, height }),
            thumbnail: file.thumbnail,
            duration_ms: file.duration_ms,
            waveform: file.waveform,
        };
        show_transfer(tab.ui, request, &waiting);
        tab.uploads.push(request, waiting);
    }
    Ok(out)
}

/// Encrypts a file and asks for its grant: the request id, the sealed file, the frame.
fn ask(tab: &mut Tab, bytes: &[u8]) -> Result<(u32, Sealed, Output), EngineError> {
    let sealed = seal(&mut OsRng, bytes).map_err(|_| InputError::AttachmentSize)?;
    let (request, out) = tab.engine.request_upload(sealed.ciphertext.len() as u64)?;
    Ok((request, sealed, out))
}

/// Shows file `request` in its chat, waiting its turn.
fn show_transfer(ui: Ui, request: u32, waiting: &Waiting) {
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
        tab.ui.problem.set(Some(format!(
            "{} was not sent: the connection was lost. Attach it again.",
            first.name
        )));
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

/// The relay's grant for file `request`: when its turn comes it is uploaded in pieces, then
/// its pointer sent.
pub(super) fn granted(tab: &Tab, request: u32, id: [u8; 32]) {
    let Some(waiting) = tab.uploads.take(request) else {
        return;
    };
    let (ui, messenger, turns) = (tab.ui, tab.messenger, Rc::clone(&tab.turns));
    spawn_local(async move {
        let _turn = turns.turn.lock().await;
        let transfer = ui
            .transfers
            .with_untracked(|all| all.iter().find(|t| t.request == request).cloned());
        // Cancelled while it waited for its turn (forgotten either way).
        let cancelled = turns.take_cancelled(request);
        let Some(transfer) = transfer.filter(|_| !cancelled) else {
            return;
        };
        transfer.active.set(true);
        let total = (waiting.sealed.ciphertext.len() as u64).max(1);
        let uploaded = pieces::upload(
            &id,
            &waiting.sealed.ciphertext,
            |held| transfer.percent.set((held.min(total) * 100 / total) as u32),
            || turns.take_cancelled(request),
        )
        .await;
        end_transfer(ui, request);
        match uploaded {
            Ok(()) => messenger.tell(Command::Uploaded {
                to: waiting.to.clone(),
                pointer: Box::new(pointer_of(waiting, id)),
            }),
            Err(Stopped::Cancelled) => {}
            Err(Stopped::Failed) => ui.problem.set(Some(format!(
                "{} could not be uploaded. Try again.",
                waiting.name
            ))),
        }
    });
}

/// What the message of uploaded file `waiting` (blob `id`) carries.
fn pointer_of(waiting: Waiting, id: [u8; 32]) -> AttachmentPointer {
    AttachmentPointer {
        blob: id,
        ciphertext_len: waiting.sealed.ciphertext.len() as u64,
        key: waiting.sealed.key,
        sha256: waiting.sealed.sha256,
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
            .set(Some(format!("{} was not sent: {reason}", waiting.name)));
    }
}
