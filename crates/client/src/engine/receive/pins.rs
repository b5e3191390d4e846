//! The senders' pinned device lists as one batch of envelopes reads and updates them
//! (`engine::senders` decides what they let in).

use hush_protocol::{DeviceAddress, IdentityKey};

use crate::model::PinnedDevices;
use crate::store::Changes;

/// The senders' lists during one batch of envelopes (read once, updated by attested
/// messages, written with the batch).
/// (A few senders per batch: a list, not a map, keeps the wasm smaller.)
#[derive(Default)]
pub(in crate::engine) struct Pins {
    pub(in crate::engine) lists: Vec<(String, Option<PinnedDevices>)>,
    pub(in crate::engine) changed: Vec<String>,
}

impl Pins {
    pub(in crate::engine) fn get(&self, account: &str) -> Option<&Option<PinnedDevices>> {
        self.lists
            .iter()
            .find(|(a, _)| a == account)
            .map(|(_, p)| p)
    }

    pub(in crate::engine) fn set(&mut self, account: &str, pinned: PinnedDevices) {
        match self.lists.iter_mut().find(|(a, _)| a == account) {
            Some((_, slot)) => *slot = Some(pinned),
            None => self.lists.push((account.to_owned(), Some(pinned))),
        }
    }

    /// `account`'s key as pinned (loaded for this batch).
    pub(in crate::engine) fn key(&self, account: &str) -> Option<[u8; 32]> {
        self.get(account)?.as_ref().map(|p| p.account_key)
    }

    /// Whether `from`'s account lists that device (with whatever identity).
    pub(in crate::engine) fn names(&self, from: &DeviceAddress) -> bool {
        let Some(Some(pinned)) = self.get(from.account()) else {
            return false;
        };
        pinned.list.device(from.device()).is_some()
    }

    /// Whether `from` is listed with `identity`.
    pub(in crate::engine) fn lists(
        &self,
        from: &DeviceAddress,
        identity: Option<&IdentityKey>,
    ) -> bool {
        let Some(Some(pinned)) = self.get(from.account()) else {
            return false;
        };
        pinned
            .list
            .device(from.device())
            .is_some_and(|d| Some(&d.identity) == identity)
    }

    /// Puts every list that changed into the batch; returns our own account's, if it changed.
    pub(in crate::engine) fn into_changes(
        self,
        own: &str,
        changes: &mut Changes,
    ) -> Option<PinnedDevices> {
        let mut own_list = None;
        for (account, pinned) in self.lists {
            let Some(pinned) = pinned.filter(|_| self.changed.contains(&account)) else {
                continue;
            };
            if account == own {
                own_list = Some(pinned.clone());
            }
            changes.pinned_devices.retain(|p| p.list.account != account);
            changes.pinned_devices.push(pinned);
        }
        own_list
    }
}
