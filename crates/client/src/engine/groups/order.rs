//! Members' group changes in the relay's order (`docs/protocol.md`, "Groups"): held as they
//! come, and applied only in the relay's order (`GroupOrder`), each checked by
//! [`GroupLog::take`]. An invitation is a chain from the group's creation: proven change by
//! change, and taken only if the relay's order admits it. (Ours: `commit`.)

use hush_protocol::groups::{Change, GroupLog, Op, Ordered};
use hush_protocol::relay::ClientFrame;
use hush_protocol::{Rng, Username};

use super::{describe, forget_keys};
use crate::engine::{Engine, Event, Output};
use crate::error::EngineError;
use crate::model::{ChatId, GroupRecord};
use crate::store::encoding::MAX_PENDING;
use crate::store::{Changes, Store};

/// Invitations waiting for the relay's order, kept at most (the newest).
const MAX_INVITATIONS: usize = 8;

/// A chain from a group's creation that would put us in, from `sender`.
struct Invitation {
    sender: String,
    chain: Vec<Change>,
}

/// What waits for the relay, in memory: invitations, and how our refused changes stand.
#[derive(Default)]
pub(in crate::engine) struct Ordering {
    invitations: Vec<Invitation>,
    pub(super) attempts: Vec<super::commit::Attempt>,
}

impl Ordering {
    /// Keeps an invitation from `sender` (replacing its earlier one for that group).
    pub(super) fn invite(&mut self, sender: &str, chain: Vec<Change>) {
        let Some(id) = chain.first().map(|c| c.group) else {
            return;
        };
        self.invitations
            .retain(|i| !(i.sender == sender && i.chain.first().is_some_and(|c| c.group == id)));
        if self.invitations.len() >= MAX_INVITATIONS {
            self.invitations.remove(0);
        }
        self.invitations.push(Invitation {
            sender: sender.to_owned(),
            chain,
        });
    }
}

/// Groups whose held changes (or invitations) wait for the relay's order: asked for after
/// the batch, with the epoch held.
#[derive(Default)]
pub(in crate::engine) struct AskOrder(pub(super) Vec<([u8; 16], u64)>);

impl AskOrder {
    pub(super) fn push(&mut self, group: [u8; 16], after: u64) {
        if !self.0.iter().any(|(g, _)| *g == group) {
            self.0.push((group, after));
        }
    }
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// After a batch: asks the relay's order for the groups it held changes for.
    pub(in crate::engine) fn ask_order(&self, ask: AskOrder, out: &mut Output) {
        if !self.connection.authenticated {
            return;
        }
        for (group, after) in ask.0 {
            out.frames.push(ClientFrame::GroupOrder { group, after });
        }
    }

    /// The relay's order for a group: the changes we hold are taken in it (or an invitation
    /// is proven against it), then our refused changes are signed again on top.
    pub(in crate::engine) async fn group_order(
        &mut self,
        group: [u8; 16],
        entries: Vec<Ordered>,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let me = self.account_name()?;
        let record = self.store.group(&group).await?;
        let member = record
            .as_ref()
            .is_some_and(|r| r.log.state().member(&me).is_some());
        let mut changes = Changes::default();
        let applied = match (member, record) {
            (true, Some(record)) => self.take_ordered(record, &entries, out).await?,
            (_, held) => self.join(group, held, &entries, out).await?,
        };
        let Some((mut record, applied)) = applied else {
            return self.rebase(group, out).await;
        };
        let state = record.log.state().clone();
        if state.member(&me).is_none() {
            forget_keys(&mut record);
        }
        // Keys of devices whose accounts left go (they send nothing we would accept).
        record
            .senders
            .retain(|(a, _)| state.member(a.account()).is_some());
        self.orphan_keys.adopt(&mut record, &me);
        let chat = ChatId::Group(group);
        for change in &applied {
            let line = self.group_line(&chat, describe(change, &me), now_ms, &mut changes);
            out.events.push(Event::Message(line));
        }
        let changed = !applied.is_empty();
        if changed {
            out.events.push(Event::GroupChanged { chat });
        }
        changes.groups.push(record);
        self.store.commit(changes).await?;
        // Messages that waited for these changes are read now.
        let held = self.held_messages.take(&group);
        if changed && !held.is_empty() {
            self.receive_held(held, now_ms, out).await?;
        } else {
            for (from, payload) in held {
                self.held_messages.keep(group, &from, &payload);
            }
        }
        self.rebase(group, out).await
    }

    /// A group we are in: what we hold taken in the relay's order. The record and what
    /// applied, or `None` if nothing changed.
    async fn take_ordered(
        &mut self,
        mut record: GroupRecord,
        entries: &[Ordered],
        out: &mut Output,
    ) -> Result<Option<(GroupRecord, Vec<Change>)>, EngineError> {
        let pending = std::mem::take(&mut record.pending);
        let (keys, unknown) = self.keys_of(&pending).await?;
        for author in unknown
            .iter()
            .filter(|a| record.log.state().member(a).is_some())
        {
            self.fetch_author(author, out);
        }
        let key_of = |a: &str| keys.iter().find(|(n, _)| n == a).map(|(_, k)| *k);
        let taken = record.log.take(&pending, entries, &key_of);
        hold(&mut record, taken.held);
        if taken.applied.is_empty() && record.pending == pending {
            return Ok(None);
        }
        Ok(Some((record, taken.applied)))
    }

    /// Not in the group here: the newest invitation whose chain proves from the creation, that
    /// the relay's order admits (see [`admits`]) and that extends what we held (a group we
    /// left) is taken.
    async fn join(
        &mut self,
        group: [u8; 16],
        held: Option<GroupRecord>,
        entries: &[Ordered],
        out: &mut Output,
    ) -> Result<Option<(GroupRecord, Vec<Change>)>, EngineError> {
        let me = self.account_name()?;
        let invitations: Vec<Vec<Change>> = (self.ordering.invitations.iter())
            .filter(|i| i.chain.first().is_some_and(|c| c.group == group))
            .map(|i| i.chain.clone())
            .collect();
        for chain in invitations.into_iter().rev() {
            let (keys, _) = self.keys_of(&chain).await?;
            let key_of = |a: &str| keys.iter().find(|(n, _)| n == a).map(|(_, k)| *k);
            // The first change whose author we have not pinned: fetched if the chain before
            // it proves and makes that author a member (or it is the creator: one account per
            // invitation, from a contact); the invitation waits for it.
            if let Some(i) = chain.iter().position(|c| key_of(&c.author).is_none()) {
                let prefix = GroupLog::prove(&chain[..i], &key_of);
                let author = &chain[i].author;
                let member = prefix.is_ok_and(|p| p.state().member(author).is_some());
                if member || i == 0 {
                    self.fetch_author(author, out);
                }
                continue;
            }
            let Ok(log) = GroupLog::prove(&chain, &key_of) else {
                continue;
            };
            let extends = held.as_ref().is_none_or(|h| h.log.extended_by(&log));
            if !extends || !admits(&log, entries, &me) {
                continue;
            }
            self.ordering
                .invitations
                .retain(|i| i.chain.first().is_none_or(|c| c.group != group));
            // What we see of it: from the change that put us in.
            let from = chain.iter().rposition(|c| adds(c, &me)).unwrap_or(0);
            let newer = chain[from..].to_vec();
            let record = GroupRecord {
                log,
                own_key: None,
                shared_with: Vec::new(),
                senders: held.map(|h| h.senders).unwrap_or_default(),
                pending: Vec::new(),
                proposed: Vec::new(),
            };
            return Ok(Some((record, newer)));
        }
        Ok(None)
    }

    /// The account keys of the authors of `changes` as pinned here, and those not pinned.
    async fn keys_of(
        &self,
        changes: &[Change],
    ) -> Result<(Vec<(String, [u8; 32])>, Vec<String>), EngineError> {
        let mut keys: Vec<(String, [u8; 32])> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        for author in changes.iter().map(|c| c.author.as_str()) {
            if keys.iter().any(|(a, _)| a == author) || unknown.iter().any(|u| u == author) {
                continue;
            }
            match self.author_key(author).await? {
                Some(key) => keys.push((author.to_owned(), key)),
                None => unknown.push(author.to_owned()),
            }
        }
        Ok((keys, unknown))
    }

    /// Fetches the devices (and so the account key) of `author`, whose change waits for it.
    /// Only ever for a member of a state we proved: a sender cannot make us fetch (and use up
    /// the one-time prekeys of) accounts of its choosing.
    fn fetch_author(&mut self, author: &str, out: &mut Output) {
        if let Ok(account) = Username::parse(author) {
            self.fetch_bundles(&account, out);
        }
    }

    /// Asks the relay's order for every group with held changes or an invitation (again after
    /// an account's devices were fetched: an author's key may be what they waited for).
    pub(in crate::engine) async fn ask_waiting(&self, out: &mut Output) -> Result<(), EngineError> {
        let mut ask = AskOrder::default();
        for invitation in &self.ordering.invitations {
            if let Some(first) = invitation.chain.first() {
                ask.push(first.group, 0);
            }
        }
        for record in self.store.groups().await? {
            if !record.pending.is_empty() {
                ask.push(record.id(), record.log.state().epoch);
            }
        }
        self.ask_order(ask, out);
        Ok(())
    }
}

/// Whether a proven chain may put `me` in: it agrees with every epoch the relay ordered that
/// it holds, it reaches into what the relay still keeps (so, hashes chaining, everything
/// before is the real chain too), and it goes no further than the relay ordered (no change
/// of it is applied unordered). A creation alone needs no order: only its creator could make
/// it.
fn admits(log: &GroupLog, entries: &[Ordered], me: &str) -> bool {
    let chain = log.changes();
    let Some(last) = chain.last() else {
        return false;
    };
    let agrees = entries
        .iter()
        .all(|e| (chain.iter().find(|c| c.epoch == e.epoch)).is_none_or(|c| c.hash() == e.hash));
    let covered = match (entries.first(), entries.last()) {
        (Some(oldest), Some(newest)) => oldest.epoch <= last.epoch && last.epoch <= newest.epoch,
        _ => chain.len() == 1,
    };
    agrees && covered && log.state().member(me).is_some()
}

/// Whether `change` makes `me` a member.
fn adds(change: &Change, me: &str) -> bool {
    match &change.op {
        Op::Add(who) => who == me,
        Op::Create { members, .. } => members.iter().any(|m| m == me),
        _ => false,
    }
}

/// Keeps the held changes that may still apply (after our head), each once, the earliest
/// first (they are needed first), at most [`MAX_PENDING`].
pub(super) fn hold(record: &mut GroupRecord, held: Vec<Change>) {
    let head = record.log.state().epoch;
    for change in held {
        if change.epoch > head && !record.pending.contains(&change) {
            record.pending.push(change);
        }
    }
    record.pending.retain(|c| c.epoch > head);
    record.pending.sort_by_key(|c| c.epoch);
    record.pending.truncate(MAX_PENDING);
}

#[cfg(any(test, feature = "testing"))]
impl<S: Store, R: Rng> Engine<S, R> {
    /// Tests play a malicious member with this: encoded `changes` (and a `state`, which no
    /// build takes any more) go to `to` over our pairwise session as a group update, unchecked and
    /// without the relay's order.
    pub async fn send_raw_group_update(
        &mut self,
        to: &Username,
        changes: Vec<Vec<u8>>,
        state: Option<Vec<u8>>,
    ) -> Result<Output, EngineError> {
        let update = crate::content::Content::GroupUpdate { changes, state };
        let entry = self.entry(to, update);
        let changes = Changes {
            outbox: vec![entry],
            ..Changes::default()
        };
        self.store.commit(changes).await?;
        let mut out = Output::default();
        self.dispatch_direct(to, &mut out).await?;
        Ok(out)
    }
}
