//! Files of this tab waiting for the relay's grant, by request id (what the runner's `Tab`
//! keeps for `uploads`), and our new profile photo waiting for its grant.

use std::cell::{Cell, RefCell};

use futures::lock::Mutex;
use hush_client::ChatId;
use hush_protocol::attachment::{AttachmentKey, Dimensions, Mime, Sealed};

use crate::platform::files::FileBlob;

/// A file waiting for the relay's grant: its key is chosen, its bytes are still the
/// browser's (sealed as they are uploaded).
pub(super) struct Waiting {
    pub(super) to: ChatId,
    pub(super) key: AttachmentKey,
    pub(super) file: FileBlob,
    /// The file's length, and the blob's (padded, sealed).
    pub(super) data_len: u64,
    pub(super) blob_len: u64,
    pub(super) name: String,
    pub(super) mime: Mime,
    pub(super) caption: String,
    pub(super) dimensions: Option<Dimensions>,
    pub(super) thumbnail: Vec<u8>,
    /// A voice note's length and peaks.
    pub(super) duration_ms: Option<u32>,
    pub(super) waveform: Vec<u8>,
    /// An older file uploaded again to be forwarded: the forward it is for (kept with the
    /// pending upload, so a resumed copy still goes as that forward).
    pub(super) forward: Option<crate::command::Forwarding>,
}

/// Uploads under way: one at a time (in the order their grants came), the ones the user
/// cancelled, by request id, until their upload hears it, and the upload ids this tab is
/// sending (so a reconnect does not resume one twice).
#[derive(Default)]
pub(super) struct Turns {
    pub(super) turn: Mutex<()>,
    pub(super) cancelled: RefCell<Vec<u32>>,
    pub(super) sending: RefCell<Vec<[u8; 32]>>,
    /// Request ids given to resumed uploads (counted down from the top, far from the
    /// engine's).
    resumed: Cell<u32>,
}

impl Turns {
    /// Upload `id` is this tab's from now on; false if it was already.
    pub(super) fn claim(&self, id: [u8; 32]) -> bool {
        let mut sending = self.sending.borrow_mut();
        if sending.contains(&id) {
            return false;
        }
        sending.push(id);
        true
    }

    /// Upload `id` ended (sent, cancelled or failed).
    pub(super) fn release(&self, id: &[u8; 32]) {
        self.sending.borrow_mut().retain(|s| s != id);
    }

    /// A request id for a resumed upload's transfer.
    pub(super) fn resumed_request(&self) -> u32 {
        let next = self.resumed.get().wrapping_add(1);
        self.resumed.set(next);
        u32::MAX - next
    }

    /// Whether upload `request` was cancelled (it is forgotten once asked and so).
    pub(super) fn take_cancelled(&self, request: u32) -> bool {
        let mut cancelled = self.cancelled.borrow_mut();
        let found = cancelled.iter().position(|r| *r == request);
        found.map(|at| cancelled.swap_remove(at)).is_some()
    }
}

/// The files waiting, by request id.
#[derive(Default)]
pub(super) struct Uploads(RefCell<Vec<(u32, Waiting)>>);

impl Uploads {
    pub(super) fn len(&self) -> usize {
        self.0.borrow().len()
    }

    pub(super) fn push(&self, request: u32, waiting: Waiting) {
        self.0.borrow_mut().push((request, waiting));
    }

    /// The file waiting for grant `request`, no longer waiting.
    pub(super) fn take(&self, request: u32) -> Option<Waiting> {
        let mut waiting = self.0.borrow_mut();
        let at = waiting.iter().position(|(r, _)| *r == request)?;
        Some(waiting.swap_remove(at).1)
    }

    /// Every file waiting, with its request id, none left.
    pub(super) fn take_all(&self) -> Vec<(u32, Waiting)> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

/// Our new profile photo, sealed and waiting for the relay's grant (`super::profile`).
pub(super) struct PhotoUpload {
    /// The grant's request.
    pub(super) request: u32,
    /// The photo, sealed whole under its fresh key.
    pub(super) sealed: Sealed,
    /// Its size in pixels.
    pub(super) dimensions: Option<Dimensions>,
}
