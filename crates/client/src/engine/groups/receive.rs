//! Members' side of a group, as a batch receives it: their messages (decrypted with the key
//! each member device gave us), their signed changes (held until the relay's order says which
//! apply, see `order`), their sender keys, and their receipts for our messages.

use hush_protocol::groups::{Change, GroupError, GroupLog, Op};
use hush_protocol::sender_key::SenderKeyError;
use hush_protocol::wire::{SenderKeyDistribution, SenderKeyMessage};
use hush_protocol::{DeviceAddress, Rng, Username};

use super::order::hold;
use super::{describe, keep_sender_key};
use crate::content::{Content, ReceiptKind};
use crate::engine::attachments::attachment_message;
use crate::engine::receive::content::{received_line, update_to_see};
use crate::engine::receive::{is_outdated, Batch};
use crate::engine::rich::rich_message;
use crate::engine::{Engine, Event};
use crate::error::EngineError;
use crate::model::{ChatId, ChatMessage, GroupLine, GroupRecord, Kind, Reaction, Status};
use crate::store::Store;

/// Changes as they came: all decoded, at least one, all for one group. Otherwise why not
/// (`Outdated` for changes of the first form, from a peer on an older build).
fn decode_updates(updates: &[Vec<u8>]) -> Result<Vec<Change>, GroupError> {
    let changes = updates
        .iter()
        .map(|bytes| Change::decode(bytes))
        .collect::<Result<Vec<Change>, _>>()?;
    let id = changes.last().ok_or(GroupError::Invalid)?.group;
    match changes.iter().all(|c| c.group == id) {
        true => Ok(changes),
        false => Err(GroupError::Invalid),
    }
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
        let decoded = SenderKeyMessage::decode(payload);
        if is_outdated(&decoded) {
            let chat = self.outdated_chat(batch, from, payload).await?;
            self.update_needed(batch, chat);
            return Ok(());
        }
        let Ok(message) = decoded else {
            batch.undecryptable(from);
            return Ok(());
        };
        let id = message.distribution_id;
        // Only from a device its account still lists (not one unlinked since).
        self.load_pin(&mut batch.pins, &sender).await?;
        let listed = batch.pins.names(from);
        let Some(record) = batch.groups.get(&self.store, &id).await? else {
            // Our invitation may be waiting for the relay's order.
            self.hold_message(batch, id, from, payload);
            return Ok(());
        };
        let state = record.log.state();
        let allowed = state.member(&me).is_some() && state.may_send(&sender) && listed;
        let waiting = !record.pending.is_empty();
        let keys = record.senders.iter_mut().find(|(a, _)| a == from);
        let Some((_, keys)) = keys.filter(|_| allowed) else {
            match waiting {
                // The change that makes the sender a member may be what waits.
                true => self.hold_message(batch, id, from, payload),
                false => batch.undecryptable(from),
            }
            return Ok(());
        };
        let plaintext = match keys.decrypt(from, &message) {
            Ok(plaintext) => plaintext,
            Err(SenderKeyError::Duplicate) => return Ok(()),
            Err(_) => {
                batch.undecryptable(from);
                return Ok(());
            }
        };
        let chat = ChatId::Group(id);
        let mine = sender == me;
        let content = match Content::decode(&plaintext) {
            Ok(Content::Reaction {
                target,
                emoji,
                sent_ms,
            }) => {
                let reaction = Reaction {
                    by: sender,
                    emoji,
                    sent_ms,
                };
                return self.receive_reaction(batch, chat, target, reaction).await;
            }
            Ok(Content::Amend { id, amend, sent_ms }) => {
                let by = (chat, sender);
                return self.receive_amend(batch, by, id, amend, sent_ms).await;
            }
            content => content,
        };
        let mut line = match content {
            Ok(Content::Timer {
                id: notice,
                sent_ms,
                timer_ms,
            }) => {
                let known =
                    batch.new_ids.contains(&notice) || self.store.message(&notice).await?.is_some();
                if known && !mine {
                    batch.deliver(&sender, notice);
                }
                if known {
                    return Ok(());
                }
                // Where only admins may change it, a member's setting is refused.
                if !mine && !self.may_set_timer(&chat, &sender).await? {
                    batch.deliver(&sender, notice);
                    return Ok(());
                }
                let setting = (notice, sent_ms, timer_ms);
                self.receive_timer(batch, &chat, setting, sender.clone())
                    .await?
            }
            content => match content.ok().and_then(|c| shown_message(c, chat, mine)) {
                Some(line) => line,
                None => {
                    batch.undecryptable(from);
                    return Ok(());
                }
            },
        };
        (line.from_me, line.status) = (mine, Status::Delivered);
        self.check_quote(batch, &mut line).await?;
        let message_id = line.id;
        if batch.new_ids.contains(&message_id) {
            return Ok(());
        }
        // A text held already: its sender sent it again (the relay's `Sent` was lost, say to
        // a relay crash, after we had acked the first copy; encrypted again, it is a new
        // envelope). Confirmed again, never shown twice.
        if self.store.message(&message_id).await?.is_some() {
            if !mine {
                batch.deliver(&sender, message_id);
            }
            return Ok(());
        }
        batch.new_ids.push(message_id);
        line.group = Some(GroupLine {
            author: sender.clone(),
            receipts: Vec::new(),
        });
        if mine {
            line.status = Status::Sent;
        }
        batch.changes.received.push(line.clone());
        batch.events.push(Event::Message(line));
        if !mine {
            batch.deliver(&sender, message_id);
        }
        Ok(())
    }

    /// Where a group message we cannot read for its version is shown: its group (the
    /// distribution id stands where every version so far put it) if we are in it, else the
    /// chat with its sender.
    async fn outdated_chat(
        &mut self,
        batch: &mut Batch,
        from: &DeviceAddress,
        payload: &[u8],
    ) -> Result<ChatId, EngineError> {
        let me = self.account_name()?;
        let id: Option<[u8; 16]> = payload.get(2..18).and_then(|b| b.try_into().ok());
        if let Some(id) = id {
            let record = batch.groups.get(&self.store, &id).await?;
            if record.is_some_and(|r| r.log.state().member(&me).is_some()) {
                return Ok(ChatId::Group(id));
            }
        }
        Ok(ChatId::Direct(from.username()))
    }

    /// A group message we cannot read yet while group `id`'s changes wait for the relay's
    /// order: held and read again once a change applied (see `HeldMessages`); when read again
    /// already, undecryptable.
    fn hold_message(
        &mut self,
        batch: &mut Batch,
        id: [u8; 16],
        from: &DeviceAddress,
        payload: &[u8],
    ) {
        if batch.retrying {
            batch.undecryptable(from);
            return;
        }
        if let Some(evicted) = self.held_messages.keep(id, from, payload) {
            batch.undecryptable(&evicted);
        }
    }

    /// Group content that came over a pairwise session from `from`: changes, or its sender
    /// key (`sender_key`: the sender's account key as pinned, for a creation naming us).
    /// Other content is ignored.
    pub(in crate::engine) async fn receive_group_content(
        &mut self,
        batch: &mut Batch,
        content: &Content,
        from: &DeviceAddress,
        sender_key: Option<[u8; 32]>,
    ) -> Result<(), EngineError> {
        match content {
            Content::GroupUpdate { changes, .. } => {
                let updates = match decode_updates(changes) {
                    Ok(updates) => updates,
                    // Not silently: the sender's build is older than ours.
                    Err(GroupError::Outdated) => {
                        batch.undecryptable(from);
                        return Ok(());
                    }
                    Err(_) => return Ok(()),
                };
                let sender = (from.account(), sender_key);
                self.take_changes(batch, sender, updates).await
            }
            Content::SenderKey { distribution } => {
                let Ok(distribution) = SenderKeyDistribution::decode(&distribution.0) else {
                    return Ok(());
                };
                let id = distribution.distribution_id;
                // Another device's key, or not signed by its key: refused before anything.
                if distribution.check(&id, from).is_err() {
                    return Ok(());
                }
                let me = self.account_name()?;
                let record = batch.groups.get(&self.store, &id).await?;
                let members = |r: &&mut GroupRecord| {
                    let state = r.log.state();
                    state.member(from.account()).is_some() && state.member(&me).is_some()
                };
                match record.filter(members) {
                    Some(record) => keep_sender_key(record, &me, from, &distribution),
                    // Before the change that adds them (or us) arrived: kept for a while, in
                    // memory only.
                    None => self.orphan_keys.keep(from, distribution),
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Changes `sender` sent for one group. Nothing applies here: a group we are in holds
    /// them until the relay's order says which apply; a chain that would put us in waits for
    /// the order too (see `order`). A state the sender made up is never taken.
    async fn take_changes(
        &mut self,
        batch: &mut Batch,
        (sender, sender_key): (&str, Option<[u8; 32]>),
        updates: Vec<Change>,
    ) -> Result<(), EngineError> {
        let me = self.account_name()?;
        let Some(id) = updates.last().map(|c| c.group) else {
            return Ok(());
        };
        if let ([creation], Some(key)) = (updates.as_slice(), sender_key) {
            if creation.author == sender && self.created(batch, creation, &key).await? {
                return Ok(());
            }
        }
        let record = batch.groups.get(&self.store, &id).await?;
        match record.filter(|r| r.log.state().member(&me).is_some()) {
            Some(record) => {
                hold(record, updates);
                if !record.pending.is_empty() {
                    batch.ask_order.push(id, record.log.state().epoch);
                }
            }
            None => {
                self.ordering.invite(sender, updates);
                batch.ask_order.push(id, 0);
            }
        }
        Ok(())
    }

    /// A creation naming us, by its creator (whose key is `key`), of a group we never held:
    /// taken at once (only the creator can make a creation for its group id, so the relay
    /// has nothing to order). True if it was.
    async fn created(
        &mut self,
        batch: &mut Batch,
        creation: &Change,
        key: &[u8; 32],
    ) -> Result<bool, EngineError> {
        let me = self.account_name()?;
        let names_me =
            matches!(&creation.op, Op::Create { members, .. } if members.iter().any(|m| *m == me));
        let known = batch
            .groups
            .get(&self.store, &creation.group)
            .await?
            .is_some();
        let Some(log) = (names_me && !known)
            .then(|| GroupLog::create(creation.clone(), key).ok())
            .flatten()
        else {
            return Ok(false);
        };
        let mut record = GroupRecord {
            log,
            own_key: None,
            shared_with: Vec::new(),
            senders: Vec::new(),
            pending: Vec::new(),
            proposed: Vec::new(),
        };
        self.orphan_keys.adopt(&mut record, &me);
        batch.groups.put(record);
        let chat = ChatId::Group(creation.group);
        let line = describe(creation, &me);
        let line = self.group_line(&chat, line, batch.now_ms, &mut batch.changes);
        batch.events.push(Event::Message(line));
        batch.events.push(Event::GroupChanged { chat });
        Ok(true)
    }

    /// The account key a change's author signs with, as pinned here.
    pub(super) async fn author_key(&self, author: &str) -> Result<Option<[u8; 32]>, EngineError> {
        if self.is_own(author) {
            return Ok(self.account.as_ref().map(|a| a.account_key.public()));
        }
        Ok(self
            .store
            .pinned_devices(author)
            .await?
            .map(|p| p.account_key))
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

/// A member's message as the group shows it (not yet with its group line), if `content` is
/// one: a text, an attachment, a reply or forward, or a kind a later build added (shown as
/// such and confirmed, never lost).
fn shown_message(content: Content, chat: ChatId, mine: bool) -> Option<ChatMessage> {
    let message = match content {
        Content::Text { id, sent_ms, body } => received_line(id, chat, Kind::Text, body, sent_ms),
        Content::Attachment {
            id,
            sent_ms,
            pointer,
        } => attachment_message(id, chat, false, sent_ms, pointer),
        Content::Rich(rich) => rich_message(*rich, chat, false),
        Content::Mentioned(m) => crate::engine::mentions::mentioned_message(*m, chat, false),
        Content::Unknown { id, sent_ms, .. } => update_to_see(id, chat, sent_ms),
        _ => return None,
    };
    Some(ChatMessage {
        from_me: mine,
        status: Status::Delivered,
        ..message
    })
}
