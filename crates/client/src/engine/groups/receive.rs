//! Members' side of a group, as a batch receives it: their messages (decrypted with the key
//! each member device gave us), their signed changes (checked and applied in order, held when
//! early), their sender keys, and their receipts for our messages.

use hush_protocol::groups::{Change, GroupLog, GroupState, Op};
use hush_protocol::sender_key::SenderKeyError;
use hush_protocol::wire::{SenderKeyDistribution, SenderKeyMessage};
use hush_protocol::{DeviceAddress, Rng, Username};

use super::{describe, forget_keys, keep_sender_key, Reissue};
use crate::content::{Content, ReceiptKind};
use crate::engine::receive::Batch;
use crate::engine::{Engine, Event, Output};
use crate::error::EngineError;
use crate::model::{ChatId, ChatMessage, GroupLine, GroupRecord, Kind, Status};
use crate::store::encoding::MAX_PENDING;
use crate::store::Store;

/// The account keys of a batch of changes' authors, as pinned here.
#[derive(Default)]
struct AuthorKeys(Vec<(String, [u8; 32])>);

impl AuthorKeys {
    fn of(&self, author: &str) -> Option<[u8; 32]> {
        self.0.iter().find(|(a, _)| a == author).map(|(_, k)| *k)
    }
}

/// Changes as they came: all decoded, at least one, all for one group. `None` otherwise.
fn decode_updates(updates: &[Vec<u8>]) -> Option<Vec<Change>> {
    let changes = updates
        .iter()
        .map(|bytes| Change::decode(bytes))
        .collect::<Result<Vec<Change>, _>>()
        .ok()?;
    let id = changes.last()?.group;
    changes.iter().all(|c| c.group == id).then_some(changes)
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// A group message from `from`: decrypted with the sender key that device gave us, if it
    /// is a member allowed to send. Anything else is reported undecryptable.
    pub(in crate::engine) async fn receive_group_message(
        &mut self,
        batch: &mut Batch,
        from: &DeviceAddress,
        payload: &[u8],
    ) -> Result<(), EngineError> {
        let me = self.account_name()?;
        let sender = from.username();
        let Ok(message) = SenderKeyMessage::decode(payload) else {
            batch.undecryptable(from);
            return Ok(());
        };
        let id = message.distribution_id;
        // Only from a device its account still lists (not one unlinked since).
        self.load_pin(&mut batch.pins, &sender).await?;
        let listed = batch.pins.names(from);
        let Some(record) = batch.groups.get(&self.store, &id).await? else {
            batch.undecryptable(from);
            return Ok(());
        };
        let state = record.log.state();
        let allowed = state.member(&me).is_some() && state.may_send(&sender) && listed;
        let keys = record.senders.iter_mut().find(|(a, _)| a == from);
        let Some((_, keys)) = keys.filter(|_| allowed) else {
            batch.undecryptable(from);
            return Ok(());
        };
        let plaintext = match keys.decrypt(&message) {
            Ok(plaintext) => plaintext,
            Err(SenderKeyError::Duplicate) => return Ok(()),
            Err(_) => {
                batch.undecryptable(from);
                return Ok(());
            }
        };
        let Ok(Content::Text {
            id: message_id,
            sent_ms,
            body,
        }) = Content::decode(&plaintext)
        else {
            batch.undecryptable(from);
            return Ok(());
        };
        if batch.new_ids.contains(&message_id) {
            return Ok(());
        }
        batch.new_ids.push(message_id);
        let mine = sender == me;
        let line = ChatMessage {
            id: message_id,
            group: Some(GroupLine {
                author: sender.clone(),
                receipts: Vec::new(),
            }),
            kind: Kind::Text,
            chat: ChatId::Group(id),
            from_me: mine,
            body,
            sent_ms,
            status: if mine {
                Status::Sent
            } else {
                Status::Delivered
            },
        };
        batch.changes.received.push(line.clone());
        batch.events.push(Event::Message(line));
        if !mine {
            batch.deliver(&sender, message_id);
        }
        Ok(())
    }

    /// Group content that came over a pairwise session from `from`: changes, or its sender
    /// key (`sender_key`: the sender's account key as pinned). Other content is ignored.
    pub(in crate::engine) async fn receive_group_content(
        &mut self,
        batch: &mut Batch,
        content: &Content,
        from: &DeviceAddress,
        sender_key: Option<[u8; 32]>,
    ) -> Result<(), EngineError> {
        match content {
            Content::GroupUpdate { changes, state } => {
                let Some(updates) = decode_updates(changes) else {
                    return Ok(());
                };
                let state = state.as_deref().and_then(|s| GroupState::decode(s).ok());
                self.take_changes(batch, from.account(), sender_key, updates, state)
                    .await
            }
            Content::SenderKey { distribution } => {
                let Ok(distribution) = SenderKeyDistribution::decode(&distribution.0) else {
                    return Ok(());
                };
                let id = distribution.distribution_id;
                let record = batch.groups.get(&self.store, &id).await?;
                match record.filter(|r| r.log.state().member(from.account()).is_some()) {
                    Some(record) => keep_sender_key(record, from, &distribution),
                    // Before the change that adds them (or us) arrived: kept for a while.
                    None => self.orphan_keys.keep(from, distribution),
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Changes `sender` sent for one group, with the state after the last one, which the
    /// sender vouches for. Each change is checked against our state with its author's pinned
    /// key, and the ones that follow (or win a fork) are applied. The state alone is taken
    /// only from an admin's own change that puts us in (an invitation) or that we cannot
    /// otherwise catch up with (we missed too much).
    async fn take_changes(
        &mut self,
        batch: &mut Batch,
        sender: &str,
        sender_key: Option<[u8; 32]>,
        updates: Vec<Change>,
        state: Option<GroupState>,
    ) -> Result<(), EngineError> {
        let me = self.account_name()?;
        let Some(last) = updates.last().cloned() else {
            return Ok(());
        };
        let keys = self
            .author_keys(batch, sender, sender_key, &updates)
            .await?;
        let vouched = state
            .filter(|s| last.author == sender && s.head == last.hash() && s.member(&me).is_some());
        let record = batch.groups.get(&self.store, &last.group).await?;
        let member = record
            .as_ref()
            .is_some_and(|r| r.log.state().member(&me).is_some());
        if !member {
            return self.join_group(batch, sender, &last, vouched, &keys).await;
        }
        let offered = Offered {
            sender,
            updates,
            vouched,
        };
        self.apply_updates(batch, offered, &keys).await
    }

    /// The account keys of the authors of `updates` and of the changes held for that group
    /// (the sender's as this batch knows it).
    async fn author_keys(
        &mut self,
        batch: &mut Batch,
        sender: &str,
        sender_key: Option<[u8; 32]>,
        updates: &[Change],
    ) -> Result<AuthorKeys, EngineError> {
        let Some(id) = updates.last().map(|c| c.group) else {
            return Ok(AuthorKeys::default());
        };
        let held = match batch.groups.get(&self.store, &id).await? {
            Some(record) => record.pending.clone(),
            None => Vec::new(),
        };
        let mut keys = AuthorKeys::default();
        for author in updates.iter().chain(&held).map(|c| c.author.as_str()) {
            if keys.0.iter().any(|(a, _)| a == author) {
                continue;
            }
            let key = match author == sender {
                true => sender_key,
                false => self.author_key(author).await?,
            };
            keys.0.extend(key.map(|k| (author.to_owned(), k)));
        }
        Ok(keys)
    }

    /// Not in the group here: only an admin's change that adds us (or a creation naming us)
    /// puts us in, newer than what we held, with the state the admin vouches for.
    async fn join_group(
        &mut self,
        batch: &mut Batch,
        sender: &str,
        last: &Change,
        vouched: Option<GroupState>,
        keys: &AuthorKeys,
    ) -> Result<(), EngineError> {
        let me = self.account_name()?;
        let invited = match &last.op {
            Op::Add(who) => *who == me,
            Op::Create { .. } => true,
            _ => false,
        };
        let record = batch.groups.get(&self.store, &last.group).await?;
        let newer = record.is_none_or(|r| r.log.state().epoch < last.epoch);
        let (Some(state), Some(key)) = (vouched, keys.of(sender)) else {
            return Ok(());
        };
        let created =
            matches!(last.op, Op::Create { .. }).then(|| GroupState::create(last, &key).ok());
        let sound = match created {
            Some(made) => made.as_ref() == Some(&state),
            None => state.is_admin(sender),
        };
        if !(invited && newer && sound) {
            return Ok(());
        }
        let Ok(log) = GroupLog::joined(last.clone(), state, &key) else {
            return Ok(());
        };
        let mut record = GroupRecord {
            log,
            own_key: None,
            shared_with: Vec::new(),
            senders: Vec::new(),
            pending: Vec::new(),
        };
        self.orphan_keys.adopt(&mut record);
        batch.groups.put(record);
        let chat = ChatId::Group(last.group);
        let line = self.group_line(&chat, describe(last, &me), batch.now_ms, &mut batch.changes);
        batch.events.push(Event::Message(line));
        batch.events.push(Event::GroupChanged { chat });
        Ok(())
    }

    /// Changes for a group we are in: applied in order (held when early, re-offered after each
    /// change that applies), or, too far behind, the sending admin's vouched state taken.
    async fn apply_updates(
        &mut self,
        batch: &mut Batch,
        offered: Offered<'_>,
        keys: &AuthorKeys,
    ) -> Result<(), EngineError> {
        let me = self.account_name()?;
        let Some(last) = offered.updates.last().cloned() else {
            return Ok(());
        };
        let id = last.group;
        let Some(record) = batch.groups.get(&self.store, &id).await? else {
            return Ok(());
        };
        let (mut applied, held) =
            take_in_order(record, offered.updates, keys, &me, &mut batch.reissue);
        let vouched = (offered.sender, offered.vouched);
        let held = match catch_up(record, vouched, &last, keys, &applied) {
            true => {
                applied.push(last.clone());
                Vec::new()
            }
            false => held,
        };
        hold(record, held);
        let state = record.log.state().clone();
        if state.member(&me).is_none() {
            forget_keys(record);
        }
        // Keys of devices whose accounts left go (they send nothing we would accept).
        record
            .senders
            .retain(|(a, _)| state.member(a.account()).is_some());
        self.orphan_keys.adopt(record);
        let chat = ChatId::Group(id);
        for change in &applied {
            let line = self.group_line(
                &chat,
                describe(change, &me),
                batch.now_ms,
                &mut batch.changes,
            );
            batch.events.push(Event::Message(line));
        }
        if !applied.is_empty() {
            batch.events.push(Event::GroupChanged { chat });
        }
        Ok(())
    }

    /// The account key a change's author signs with, as pinned here.
    async fn author_key(&self, author: &str) -> Result<Option<[u8; 32]>, EngineError> {
        if self.is_own(author) {
            return Ok(self.account.as_ref().map(|a| a.account_key.public()));
        }
        Ok(self
            .store
            .pinned_devices(author)
            .await?
            .map(|p| p.account_key))
    }

    /// Issues again our changes that a concurrent change undid (on top of the new head; one
    /// that no longer applies is dropped).
    pub(in crate::engine) async fn reissue(
        &mut self,
        reissue: Reissue,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        for (id, op) in reissue.0 {
            match self.change_group(&ChatId::Group(id), op, now_ms).await {
                Ok(more) => {
                    out.frames.extend(more.frames);
                    out.events.extend(more.events);
                }
                Err(EngineError::Group(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// A member's receipt for one of our group messages: kept per member it was sent to; the
    /// message's own status is the least any of them reached.
    pub(in crate::engine) fn member_receipt(
        &mut self,
        batch: &mut Batch,
        message: ChatMessage,
        member: &Username,
        kind: ReceiptKind,
    ) -> Result<(), EngineError> {
        let me = self.account_name()?;
        if message.chat.group().is_none() || *member == me {
            return Ok(());
        }
        let changes = &mut batch.changes;
        // This batch may have updated the message already.
        let mut message = match changes.messages.iter().position(|m| m.id == message.id) {
            Some(i) => changes.messages.swap_remove(i),
            None => message,
        };
        let status = match kind {
            ReceiptKind::Delivered => Status::Delivered,
            ReceiptKind::Read => Status::Read,
        };
        // Only from someone it was sent to (the members when it was sent).
        let Some(line) = message.group.as_mut() else {
            changes.messages.push(message);
            return Ok(());
        };
        match line.receipts.iter_mut().find(|(m, _)| m == member) {
            Some((_, held)) if held.can_become(status) => *held = status,
            Some(_) => {}
            None => {
                changes.messages.push(message);
                return Ok(());
            }
        }
        let least = line.receipts.iter().map(|(_, s)| *s).min();
        if let Some(least) = least.filter(|l| *l > Status::Sent) {
            if message.status.can_become(least) {
                message.status = least;
            }
        }
        batch.events.push(Event::Status(message.id, message.status));
        changes.messages.push(message);
        Ok(())
    }
}

/// Changes a member sent for a group we are in.
struct Offered<'a> {
    /// Who sent them.
    sender: &'a str,
    /// The changes, oldest first.
    updates: Vec<Change>,
    /// The state after the last, which the sender vouches for (checked to name us and to
    /// follow the last change).
    vouched: Option<GroupState>,
}

/// Changes from different members can arrive out of order: one that comes early is held, and
/// what is held is offered again after each change that applies. Returns what applied and
/// what is still held; ours that a concurrent change undid are noted for reissue.
fn take_in_order(
    record: &mut GroupRecord,
    updates: Vec<Change>,
    keys: &AuthorKeys,
    me: &str,
    reissue: &mut Reissue,
) -> (Vec<Change>, Vec<Change>) {
    let id = record.id();
    let mut offered = updates;
    offered.append(&mut record.pending);
    let mut applied = Vec::new();
    let key_of = |author: &str| keys.of(author);
    loop {
        let taken = record.log.take(&offered, &key_of);
        for change in taken.undone.iter().filter(|c| c.author == me) {
            if !taken.applied.contains(change) {
                reissue.0.push((id, change.op.clone()));
            }
        }
        let progress = !taken.applied.is_empty();
        applied.extend(taken.applied);
        offered = taken.held;
        if !progress || offered.is_empty() {
            break;
        }
    }
    (applied, offered)
}

/// Too far behind to catch up from the changes carried: an admin's own newest change with the
/// state after it (the same trust as an invitation). True if it was taken.
fn catch_up(
    record: &mut GroupRecord,
    (sender, vouched): (&str, Option<GroupState>),
    last: &Change,
    keys: &AuthorKeys,
    applied: &[Change],
) -> bool {
    let behind = !applied.contains(last) && record.log.state().head != last.hash();
    let admin = record.log.state().is_admin(sender);
    let (true, true, Some(state), Some(key)) = (behind, admin, vouched, keys.of(sender)) else {
        return false;
    };
    if state.epoch <= record.log.state().epoch || !state.is_admin(sender) {
        return false;
    }
    match GroupLog::joined(last.clone(), state, &key) {
        Ok(log) => {
            record.log = log;
            true
        }
        Err(_) => false,
    }
}

/// Keeps the newest few held changes, each once.
fn hold(record: &mut GroupRecord, held: Vec<Change>) {
    for change in held {
        if !record.pending.contains(&change) {
            record.pending.push(change);
        }
    }
    let extra = record.pending.len().saturating_sub(MAX_PENDING);
    record.pending.drain(..extra);
}
