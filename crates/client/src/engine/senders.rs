//! Who may send to us: only a device its account signed (`docs/protocol.md`, "What receivers
//! check"). A message from a device our pinned list for that account names, with the identity
//! key it names, is accepted. A new session's messages carry the sender's account key and
//! signed list ([`Content::Attested`]): a list that verifies under the pinned key (or, at first
//! contact, is pinned) and names the device lets it in. Anything else is refused, unread.

use hush_protocol::{DeviceAddress, Rng};

use super::receive::{Batch, Pins};
use super::{Engine, Event};
use crate::devices::{check_list, Refusal};
use crate::error::EngineError;
use crate::model::PinnedDevices;
use crate::store::Store;

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
