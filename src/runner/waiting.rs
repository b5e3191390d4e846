//! Files of this tab encrypted and waiting for the relay's grant, by request id (what the
//! runner's `Tab` keeps for `uploads`).

use std::cell::RefCell;

use futures::lock::Mutex;
use hush_client::ChatId;
use hush_protocol::attachment::{Dimensions, Mime, Sealed};

/// A file encrypted and waiting for the relay's grant.
pub(super) struct Waiting {
    pub(super) to: ChatId,
    pub(super) sealed: Sealed,
    pub(super) name: String,
    pub(super) mime: Mime,
    pub(super) caption: String,
    pub(super) dimensions: Option<Dimensions>,
    pub(super) thumbnail: Vec<u8>,
    /// A voice note's length and peaks.
    pub(super) duration_ms: Option<u32>,
    pub(super) waveform: Vec<u8>,
}

/// Uploads under way: one at a time (in the order their grants came), and the ones the user
/// cancelled, by request id, until their upload hears it.
#[derive(Default)]
pub(super) struct Turns {
    pub(super) turn: Mutex<()>,
    pub(super) cancelled: RefCell<Vec<u32>>,
}

impl Turns {
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
