//! The engine as this tab owns it, with what its steps need beside it: the screens' state, the
//! command queue's handle and the relay socket.

use hush_client::Engine;
use hush_protocol::relay::ClientFrame;
use rand_core::OsRng;

use crate::command::Messenger;
use crate::platform::relay::Relay;
use crate::state::Ui;
use crate::store::IdbStore;

/// The engine the app runs: IndexedDB storage, the browser's randomness.
pub(super) type AppEngine = Engine<IdbStore, OsRng>;

/// Everything a step of the runner works with.
pub(super) struct Tab {
    pub(super) engine: AppEngine,
    pub(super) ui: Ui,
    /// For steps that queue a follow-up command.
    pub(super) messenger: Messenger,
    /// None if the page has no origin to reach the relay at.
    pub(super) relay: Option<Relay>,
    /// Files of ours waiting for the relay's grant.
    pub(super) uploads: super::waiting::Uploads,
    /// Uploads under way (shared with their tasks).
    pub(super) turns: std::rc::Rc<super::waiting::Turns>,
    /// File messages whose media was asked for on this page (each is downloaded once).
    pub(super) asked: std::cell::RefCell<Vec<hush_client::MessageId>>,
    /// Forwards waiting for the relay to renew their blob, by renewal request.
    pub(super) renewing: Vec<(u32, crate::command::Forwarding)>,
    /// Our new profile photo, waiting for the relay's grant.
    pub(super) photo_upload: std::cell::RefCell<Option<super::waiting::PhotoUpload>>,
}

impl Tab {
    /// Sends a step's frames (see [`Relay::send_all`]).
    pub(super) fn send(&self, frames: &[ClientFrame]) {
        if let Some(relay) = &self.relay {
            relay.send_all(frames);
        }
    }
}
