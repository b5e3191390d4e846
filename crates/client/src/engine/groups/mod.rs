//! Groups (`docs/protocol.md`, "Groups"): membership is a chain of changes signed by account
//! keys ([`hush_protocol::groups`]) carried over the pairwise sessions; messages are encrypted
//! once with this device's sender key and fanned out by the relay (`GroupSend`).
//!
//! Before each send the engine checks who holds our sender key: a device that is no longer a
//! member's (a member left or was removed, a device unlinked) means a new key first, so it
//! cannot read what follows; a member device without it gets it over its pairwise session,
//! ahead of the message on the same connection. A new member gets the key as it is now, so
//! nothing sent before they joined opens for them.
//!
//! Rooms: `api` (what the user does to a group), `commit` (our changes submitted to the
//! relay, and signed again when refused), `order` (members' changes and invitations taken in
//! the relay's order), `send` (our messages and sender key), `receive` (members' messages,
//! changes and keys).

mod api;
mod commit;
mod order;
mod receive;
mod send;

pub(super) use order::{AskOrder, Ordering};

use hush_protocol::groups::{Change, GroupError};
use hush_protocol::sender_key::SenderKeyRecord;
// The largest group update we send: read back from the outbox and decoded inside an
// attestation like any content (`hush_protocol::limits`).
pub(super) use hush_protocol::limits::MAX_UPDATE;
use hush_protocol::wire::{SenderKeyDistribution, TYPE_SENDER_KEY};
use hush_protocol::DeviceAddress;

use crate::content::{Content, SENDER_KEY_CONTENT};
use crate::error::GroupActionError;
use crate::model::{GroupRecord, Notice};
use crate::store::{Changes, Store};

/// Sender keys kept while the change that makes their sender (or us) a member is on its way.
const MAX_ORPHAN_KEYS: usize = 64;

/// Group messages kept while their group's changes wait for the relay's order.
const MAX_HELD_MESSAGES: usize = 64;

/// Whether an envelope's payload is a group message (not a pairwise one).
pub(super) fn is_group_message(payload: &[u8]) -> bool {
    payload.get(1) == Some(&TYPE_SENDER_KEY)
}

/// The groups one batch of envelopes touched: working copies, written with the batch.
#[derive(Default)]
pub(super) struct Groups {
    records: Vec<GroupRecord>,
    unknown: Vec<[u8; 16]>,
}

impl Groups {
    /// The working copy of group `id` (read from `store` the first time), if we know it.
    async fn get(
        &mut self,
        store: &impl Store,
        id: &[u8; 16],
    ) -> Result<Option<&mut GroupRecord>, crate::store::StoreError> {
        let held = self.records.iter().any(|r| r.id() == *id);
        if !held && !self.unknown.contains(id) {
            match store.group(id).await? {
                Some(record) => self.records.push(record),
                None => self.unknown.push(*id),
            }
        }
        Ok(self.records.iter_mut().find(|r| r.id() == *id))
    }

    fn put(&mut self, record: GroupRecord) {
        let id = record.id();
        self.unknown.retain(|u| *u != id);
        self.records.retain(|r| r.id() != id);
        self.records.push(record);
    }

    /// Every group read is written back (decrypting moves a chain on; cheap to rewrite).
    pub(super) fn into_changes(self, changes: &mut Changes) {
        changes.groups.extend(self.records);
    }
}

/// Group messages that came while their group's changes (or our invitation) waited for the
/// relay's order: kept in memory, the newest few, and read again once a change applied there
/// (a member's message right after it was added, a welcome right after our invitation).
#[derive(Default)]
pub(super) struct HeldMessages(Vec<([u8; 16], DeviceAddress, Vec<u8>)>);

impl HeldMessages {
    /// Keeps a message of group `id` from `from`; when full, the oldest goes (its sender is
    /// returned, to report it undecryptable).
    fn keep(
        &mut self,
        id: [u8; 16],
        from: &DeviceAddress,
        payload: &[u8],
    ) -> Option<DeviceAddress> {
        let evicted = (self.0.len() >= MAX_HELD_MESSAGES).then(|| self.0.remove(0).1);
        self.0.push((id, from.clone(), payload.to_vec()));
        evicted
    }

    /// The messages held for group `id`, oldest first.
    fn take(&mut self, id: &[u8; 16]) -> Vec<(DeviceAddress, Vec<u8>)> {
        let (theirs, rest) = std::mem::take(&mut self.0)
            .into_iter()
            .partition(|(group, _, _)| group == id);
        self.0 = rest;
        theirs
            .into_iter()
            .map(|(_, from, payload)| (from, payload))
            .collect()
    }
}

/// Sender keys that came before the change that makes their sender (or us) a member: the
/// newest few are kept (in memory) and taken in when that change comes.
#[derive(Default)]
pub(super) struct OrphanKeys(Vec<(DeviceAddress, SenderKeyDistribution)>);

impl OrphanKeys {
    /// Keeps `key` from `from` (replacing an earlier one of that device for that group).
    fn keep(&mut self, from: &DeviceAddress, key: SenderKeyDistribution) {
        let id = key.distribution_id;
        self.0
            .retain(|(a, d)| !(a == from && d.distribution_id == id));
        if self.0.len() >= MAX_ORPHAN_KEYS {
            self.0.remove(0);
        }
        self.0.push((from.clone(), key));
    }

    /// Takes into `record` the keys kept for it whose senders are members now (none while
    /// `me` is not one).
    fn adopt(&mut self, record: &mut GroupRecord, me: &str) {
        let (id, state) = (record.id(), record.log.state().clone());
        if state.member(me).is_none() {
            return;
        }
        let mut kept = Vec::new();
        for (from, key) in std::mem::take(&mut self.0) {
            let member = state.member(from.account()).is_some();
            match key.distribution_id == id && member {
                true => keep_sender_key(record, me, &from, &key),
                false => kept.push((from, key)),
            }
        }
        self.0 = kept;
    }
}

/// The chat line for a change, as `me` reads it: its English wording (the body, for rows
/// and builds without notices; see [`Notice::english`]) and its notice.
fn describe(change: &Change, me: &str) -> (String, Notice) {
    let notice = Notice::of_change(change);
    (notice.english(me), notice)
}

/// Takes a member device's sender key into the group if it is that device's key for this
/// group, signed with its own signing key (`SenderKeyRecord::process`): a member cannot hand
/// out another device's chain as its own, and the real owner's key is still taken.
/// Nothing is kept while `me` is not a member: a member keeps no sender keys once it left or
/// was removed.
fn keep_sender_key(
    record: &mut GroupRecord,
    me: &str,
    from: &DeviceAddress,
    key: &SenderKeyDistribution,
) {
    if record.log.state().member(me).is_none() {
        return;
    }
    let group = record.id();
    match record.senders.iter_mut().find(|(a, _)| a == from) {
        // Refused, the record stays as it was.
        Some((_, keys)) => keys.process(&group, from, key).unwrap_or_default(),
        None => {
            let mut keys = SenderKeyRecord::new();
            if keys.process(&group, from, key).is_ok() {
                record.senders.push((from.clone(), keys));
            }
        }
    }
}

/// We are no longer in the group: nothing sent from now on may open here, and we send
/// nothing.
fn forget_keys(record: &mut GroupRecord) {
    record.own_key = None;
    record.shared_with.clear();
    record.senders.clear();
}

/// Why the group refused one of our changes.
fn refused(e: GroupError) -> GroupActionError {
    match e {
        GroupError::NotAllowed => GroupActionError::OnlyAdmins,
        _ => GroupActionError::DoesNotApply,
    }
}

/// The group an outbox entry's sender key is for, if it is one.
pub(super) fn sender_key_group(content: &[u8]) -> Option<[u8; 16]> {
    if content.get(1) != Some(&SENDER_KEY_CONTENT) {
        return None;
    }
    match Content::decode(content) {
        Ok(Content::SenderKey { distribution }) => SenderKeyDistribution::decode(&distribution.0)
            .ok()
            .map(|d| d.distribution_id),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
