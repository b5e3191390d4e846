//! Who may send to us: only a device its account signed (`docs/protocol.md`, "What receivers
//! check"). A message from a device our pinned list for that account names, with the identity
//! key it names, is accepted. A new session's messages carry the sender's account key and
//! signed list ([`Content::Attested`]): a list that verifies under the pinned key (or, at first
//! contact, is pinned) and names the device lets it in. Anything else is refused, unread.

use hush_protocol::{DeviceAddress, IdentityKey, Rng};

use super::receive::Batch;
use super::{Engine, Event};
use crate::devices::{check_list, Refusal};
use crate::error::EngineError;
use crate::model::PinnedDevices;
use crate::store::{Changes, Store};

/// The senders' lists during one batch of envelopes (read once, updated by attested
/// messages, written with the batch).
/// (A few senders per batch: a list, not a map, keeps the wasm smaller.)
#[derive(Default)]
pub(super) struct Pins {
    lists: Vec<(String, Option<PinnedDevices>)>,
    changed: Vec<String>,
}

impl Pins {
    fn get(&self, account: &str) -> Option<&Option<PinnedDevices>> {
        self.lists
            .iter()
            .find(|(a, _)| a == account)
            .map(|(_, p)| p)
    }

    fn set(&mut self, account: &str, pinned: PinnedDevices) {
        match self.lists.iter_mut().find(|(a, _)| a == account) {
            Some((_, slot)) => *slot = Some(pinned),
            None => self.lists.push((account.to_owned(), Some(pinned))),
        }
    }

    /// `account`'s key as pinned (loaded for this batch).
    pub(super) fn key(&self, account: &str) -> Option<[u8; 32]> {
        self.get(account)?.as_ref().map(|p| p.account_key)
    }

    /// Whether `from`'s account lists that device (with whatever identity).
    pub(super) fn names(&self, from: &DeviceAddress) -> bool {
        let Some(Some(pinned)) = self.get(from.account()) else {
            return false;
        };
        pinned.list.device(from.device()).is_some()
    }

    /// Whether `from` is listed with `identity`.
    pub(super) fn lists(&self, from: &DeviceAddress, identity: Option<&IdentityKey>) -> bool {
        let Some(Some(pinned)) = self.get(from.account()) else {
            return false;
        };
        pinned
            .list
            .device(from.device())
            .is_some_and(|d| Some(&d.identity) == identity)
    }

    /// Puts every list that changed into the batch; returns our own account's, if it changed.
    pub(super) fn into_changes(self, own: &str, changes: &mut Changes) -> Option<PinnedDevices> {
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

impl<S: Store, R: Rng> Engine<S, R> {
    /// Verifies a list `account` (or the relay for it) showed, against what is pinned: for our
    /// own account only under our own account key.
    pub(super) fn check_sender_list(
        &self,
        account: &str,
        account_key: [u8; 32],
        list: &[u8],
        pinned: Option<&PinnedDevices>,
    ) -> Result<PinnedDevices, Refusal> {
        let ours = self.account.as_ref().map(|a| a.account_key.public());
        if self.is_own(account) && ours != Some(account_key) {
            return Err(Refusal::KeyChanged);
        }
        check_list(account, account_key, list, pinned)
    }

    /// Loads `account`'s pinned list into `pins` (our own from memory).
    pub(super) async fn load_pin(&self, pins: &mut Pins, account: &str) -> Result<(), EngineError> {
        if pins.get(account).is_some() {
            return Ok(());
        }
        let pinned = if self.is_own(account) {
            self.own.clone()
        } else {
            self.store.pinned_devices(account).await?
        };
        pins.lists.push((account.to_owned(), pinned));
        Ok(())
    }

    /// An attested message from `from`: its list is checked against what is pinned (and our
    /// own key for our own account) and, if newer, pinned. A device new to an older pinned list
    /// puts "linked a new device" in the chat. False if the list is refused.
    pub(super) fn attest(
        &mut self,
        batch: &mut Batch,
        from: &DeviceAddress,
        account_key: [u8; 32],
        list: &[u8],
    ) -> bool {
        let (pins, events) = (&mut batch.pins, &mut batch.events);
        let account = from.account();
        let own = self.is_own(account);
        let old = pins.get(account).cloned().flatten();
        // The list pinned already (every message of a new session carries it): nothing to
        // verify again.
        if old
            .as_ref()
            .is_some_and(|o| o.account_key == account_key && o.list.encode() == list)
        {
            return true;
        }
        let pinned = match self.check_sender_list(account, account_key, list, old.as_ref()) {
            Ok(pinned) => pinned,
            // An older list than ours: what we hold decides.
            Err(Refusal::RolledBack) => return true,
            Err(reason) => {
                events.push(Event::DevicesRefused {
                    account: from.username(),
                    reason,
                });
                return false;
            }
        };
        if old.as_ref() == Some(&pinned) {
            return true;
        }
        let linked = old.is_some_and(|old| {
            pinned
                .list
                .devices
                .iter()
                .any(|d| old.list.device(d.device_id).is_none())
        });
        if linked && !own {
            let chat = from.username();
            if let Some(notice) = self.device_replaced(&chat, batch.now_ms, &mut batch.changes) {
                events.push(Event::Message(notice));
            }
        }
        pins.set(account, pinned);
        if !pins.changed.iter().any(|a| a == account) {
            pins.changed.push(account.to_owned());
        }
        true
    }
}
