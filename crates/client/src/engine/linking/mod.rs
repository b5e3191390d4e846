//! Linking a browser to an account (`docs/protocol.md`, "Linked devices"), both sides:
//! - the new browser shows a link code and waits at its provisioning address
//!   ([`Engine::start_link`]), then becomes a device of the account (`join`);
//! - a device of the account takes the code ([`Engine::fetch_link`]), shows who asks, and on
//!   [`Engine::allow_link`] uploads the history, publishes a list naming the new device and
//!   sends it the provisioning message (`approve`).

mod approve;
mod join;

use hush_protocol::devices::DeviceList;
use hush_protocol::linking::{Announcement, HistoryBlob, LinkCode, LinkKey};
use hush_protocol::IdentityKeyPair;
use zeroize::Zeroizing;

#[cfg(doc)]
use super::Engine;

/// Linking state, on either side, and our own list changes waiting for the relay.
#[derive(Default)]
pub(super) struct Linking {
    /// Waiting to be linked (a browser with no account).
    joining: Option<Joining>,
    /// Linking another browser.
    approving: Option<Approving>,
    /// The encrypted history of the link being approved, until its upload is granted.
    history_upload: Option<Vec<u8>>,
    /// Our own list change (unlink, rename) waiting for the relay: request and list.
    pub(super) publishing: Option<(u32, DeviceList)>,
    /// A device listed for a link that a dropped connection interrupted before its
    /// provisioning message: unlisted on the next connection.
    pub(super) unfinished: Option<u32>,
}

impl Linking {
    /// Whether this browser waits to be linked.
    pub(super) fn is_joining(&self) -> bool {
        self.joining.is_some()
    }

    /// Stops waiting to be linked.
    pub(super) fn stop_joining(&mut self) {
        self.joining = None;
    }

    /// The connection dropped: answers to a link step will not come. A device listed for a
    /// link whose provisioning message was not sent yet comes off the list on the next
    /// connection.
    pub(super) fn connection_lost(&mut self) {
        if let Some(Approving::Publishing { device_id, .. }) = self.approving.take() {
            self.unfinished = Some(device_id);
        }
        self.publishing = None;
    }

    /// The step waiting for `request`, taken out; any other step stays as it is.
    fn take_step(&mut self, request: u32) -> Option<Approving> {
        let waiting = self.approving.as_ref().and_then(Approving::request);
        (waiting == Some(request))
            .then(|| self.approving.take())
            .flatten()
    }
}

/// The new browser's side of a link: what its code and announcement were made of.
pub(super) struct Joining {
    code: LinkCode,
    link_key: LinkKey,
    identity: IdentityKeyPair,
}

/// The approving device's side of a link, step by step.
pub(super) enum Approving {
    /// The announcement was asked for.
    Fetching { request: u32, code: LinkCode },
    /// Shown to the user, waiting for "Allow".
    Confirm {
        code: LinkCode,
        announcement: Announcement,
    },
    /// The history is encrypted; an upload was asked for.
    Uploading {
        request: u32,
        code: LinkCode,
        announcement: Announcement,
        key: Zeroizing<[u8; 32]>,
        size: u32,
    },
    /// The caller is uploading the history to the blob `id`.
    Uploaded {
        code: LinkCode,
        announcement: Announcement,
        history: HistoryBlob,
    },
    /// The list naming the new device was sent to the relay.
    Publishing {
        request: u32,
        code: LinkCode,
        announcement: Announcement,
        list: DeviceList,
        device_id: u32,
        history: Option<HistoryBlob>,
    },
    /// The provisioning message was sent (to the device listed as `device_id`).
    Provisioning {
        request: u32,
        name: String,
        device_id: u32,
    },
}

impl Approving {
    /// The relay request this step waits for.
    fn request(&self) -> Option<u32> {
        match self {
            Self::Fetching { request, .. }
            | Self::Uploading { request, .. }
            | Self::Publishing { request, .. }
            | Self::Provisioning { request, .. } => Some(*request),
            Self::Confirm { .. } | Self::Uploaded { .. } => None,
        }
    }
}
