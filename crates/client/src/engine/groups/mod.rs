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
//! Rooms: `api` (what the user does to a group), `send` (our messages and sender key),
//! `receive` (members' messages, changes and keys).

mod api;
mod receive;
mod send;

use hush_protocol::groups::{Change, GroupError, Op};
use hush_protocol::sender_key::SenderKeyRecord;
use hush_protocol::wire::{SenderKeyDistribution, TYPE_SENDER_KEY};
use hush_protocol::DeviceAddress;

use crate::content::{Content, SENDER_KEY_CONTENT};
use crate::error::GroupActionError;
use crate::model::GroupRecord;
use crate::store::{Changes, Store};

/// The largest group update we send (it must fit one pairwise message with room to spare).
const MAX_UPDATE: usize = hush_protocol::wire::MAX_PLAINTEXT - 4096;

/// Sender keys kept while the change that makes their sender (or us) a member is on its way.
const MAX_ORPHAN_KEYS: usize = 64;

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

/// What a batch hands back for after its commit: changes of ours a concurrent one undid, to
/// issue again on top.
#[derive(Default)]
pub(super) struct Reissue(Vec<([u8; 16], Op)>);

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

    /// Takes into `record` the keys kept for it whose senders are members now.
    fn adopt(&mut self, record: &mut GroupRecord) {
        let (id, state) = (record.id(), record.log.state().clone());
        let mut kept = Vec::new();
        for (from, key) in std::mem::take(&mut self.0) {
            let member = state.member(from.account()).is_some();
            match key.distribution_id == id && member {
                true => keep_sender_key(record, &from, &key),
                false => kept.push((from, key)),
            }
        }
        self.0 = kept;
    }
}

/// The chat line for a change, as `me` reads it.
fn describe(change: &Change, me: &str) -> String {
    let who = |a: &str| match a == me {
        true => "You".to_owned(),
        false => a.to_owned(),
    };
    let whom = |a: &str| match a == me {
        true => "you".to_owned(),
        false => a.to_owned(),
    };
    let author = who(&change.author);
    match &change.op {
        Op::Create { name, .. } => format!("{author} created the group \u{201c}{name}\u{201d}"),
        Op::Add(a) => format!("{author} added {}", whom(a)),
        Op::Remove(a) => format!("{author} removed {}", whom(a)),
        Op::Promote(a) => format!("{author} made {} an admin", whom(a)),
        Op::Demote(a) => format!("{author} made {} a member, not an admin", whom(a)),
        Op::EditInfo { name, .. } => format!("{author} set the group info: \u{201c}{name}\u{201d}"),
        Op::Permissions {
            only_admins_send,
            only_admins_edit,
        } => {
            let who_may = |only: bool| if only { "only admins" } else { "everyone" };
            format!(
                "{author} set who may send ({}) and edit the info ({})",
                who_may(*only_admins_send),
                who_may(*only_admins_edit)
            )
        }
        Op::Leave => format!("{author} left"),
    }
}

/// Takes a member device's sender key into the group, unless its signing key is another
/// device's (a member replaying someone else's messages as its own).
fn keep_sender_key(record: &mut GroupRecord, from: &DeviceAddress, key: &SenderKeyDistribution) {
    let borrowed = record
        .senders
        .iter()
        .any(|(a, keys)| a != from && keys.uses_signing_key(&key.signing_key));
    if borrowed {
        return;
    }
    match record.senders.iter_mut().find(|(a, _)| a == from) {
        Some((_, keys)) => keys.process(key),
        None => {
            let mut keys = SenderKeyRecord::new();
            keys.process(key);
            record.senders.push((from.clone(), keys));
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
