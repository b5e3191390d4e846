//! Groups (`docs/protocol.md`, "Groups"): membership is a chain of changes signed by account
//! keys ([`hush_protocol::groups`]) carried over the pairwise sessions; messages are encrypted
//! once with this device's sender key and fanned out by the relay (`GroupSend`).
//!
//! Before each send the engine checks who holds our sender key: a device that is no longer a
//! member's (a member left or was removed, a device unlinked) means a new key first, so it
//! cannot read what follows; a member device without it gets it over its pairwise session,
//! ahead of the message on the same connection. A new member gets the key as it is now, so
//! nothing sent before they joined opens for them.

use hush_protocol::groups::{Change, GroupError, GroupLog, GroupState, Op};
use hush_protocol::record::SessionRecord;
use hush_protocol::relay::ClientFrame;
use hush_protocol::sender_key::{OwnSenderKey, SenderKeyError, SenderKeyRecord};
use hush_protocol::wire::{SenderKeyDistribution, SenderKeyMessage, TYPE_SENDER_KEY};
use hush_protocol::{DeviceAddress, Rng};

use super::senders::Pins;
use super::{sent_ids, Engine, EngineError, Event, Output};
use crate::content::{Content, ReceiptKind, Secret, SENDER_KEY_CONTENT};
use crate::store::encoding::MAX_PENDING;
use crate::store::{
    group_chat, group_id, Changes, ChatMessage, GroupLine, GroupRecord, Kind, MessageId,
    OutboxEntry, Status, Store,
};

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
    ) -> Result<Option<&mut GroupRecord>, EngineError> {
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

/// The largest group update we send (it must fit one pairwise message with room to spare).
const MAX_UPDATE: usize = hush_protocol::wire::MAX_PLAINTEXT - 4096;

/// Whether an envelope's payload is a group message (not a pairwise one).
pub(super) fn is_group_message(payload: &[u8]) -> bool {
    payload.get(1) == Some(&TYPE_SENDER_KEY)
}

/// The chat line for a change, as `me` reads it.
fn describe(change: &Change, me: &str) -> String {
    let who = |a: &str| {
        if a == me {
            "You".to_owned()
        } else {
            a.to_owned()
        }
    };
    let whom = |a: &str| {
        if a == me {
            "you".to_owned()
        } else {
            a.to_owned()
        }
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

/// Sender keys kept while the change that makes their sender (or us) a member is on its way.
const MAX_ORPHAN_KEYS: usize = 64;

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

fn refused(e: GroupError) -> EngineError {
    EngineError::Invalid(match e {
        GroupError::NotAllowed => "only admins can do that in this group",
        _ => "that change does not apply to the group as it is now",
    })
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// Makes a group with us as its admin and `members` (usernames) in it; returns its chat.
    pub async fn create_group(
        &mut self,
        name: &str,
        description: &str,
        members: &[String],
        now_ms: u64,
    ) -> Result<(String, Output), EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let mut others: Vec<String> = Vec::with_capacity(members.len());
        for member in members {
            let member = member.trim();
            if DeviceAddress::new(member, 1).is_err() {
                return Err(EngineError::Invalid("a member's username is not valid"));
            }
            if member != account.name && !others.iter().any(|o| o == member) {
                others.push(member.to_owned());
            }
        }
        let mut id = [0u8; 16];
        self.rng.fill_bytes(&mut id);
        let op = Op::Create {
            name: name.trim().to_owned(),
            description: description.trim().to_owned(),
            members: others,
        };
        let change = Change::sign(None, id, &account.name, op, &account.account_key);
        let log =
            GroupLog::create(change.clone(), &account.account_key.public()).map_err(|_| {
                EngineError::Invalid(
                    "a group needs a name (1 to 100 characters) and at most 1,024 members",
                )
            })?;
        let record = GroupRecord {
            log,
            own_key: None,
            shared_with: Vec::new(),
            senders: Vec::new(),
            pending: Vec::new(),
        };
        let out = self.publish_change(record, None, &change, now_ms).await?;
        Ok((group_chat(&id), out))
    }

    /// Adds `member` (admins).
    pub async fn add_member(
        &mut self,
        chat: &str,
        member: &str,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        let member = member.trim();
        if DeviceAddress::new(member, 1).is_err() {
            return Err(EngineError::Invalid("that username is not valid"));
        }
        self.change_group(chat, Op::Add(member.to_owned()), now_ms)
            .await
    }

    /// Removes `member` (admins); everyone left uses a new sender key from then on.
    pub async fn remove_member(
        &mut self,
        chat: &str,
        member: &str,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        self.change_group(chat, Op::Remove(member.to_owned()), now_ms)
            .await
    }

    /// Makes `member` an admin, or a member again (admins).
    pub async fn set_admin(
        &mut self,
        chat: &str,
        member: &str,
        admin: bool,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        let op = match admin {
            true => Op::Promote(member.to_owned()),
            false => Op::Demote(member.to_owned()),
        };
        self.change_group(chat, op, now_ms).await
    }

    /// Changes the name and description.
    pub async fn edit_group(
        &mut self,
        chat: &str,
        name: &str,
        description: &str,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        let op = Op::EditInfo {
            name: name.trim().to_owned(),
            description: description.trim().to_owned(),
        };
        self.change_group(chat, op, now_ms).await
    }

    /// Restricts sending or editing the info to admins (admins).
    pub async fn set_group_permissions(
        &mut self,
        chat: &str,
        only_admins_send: bool,
        only_admins_edit: bool,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        let op = Op::Permissions {
            only_admins_send,
            only_admins_edit,
        };
        self.change_group(chat, op, now_ms).await
    }

    /// Leaves the group (its chat stays, read-only).
    pub async fn leave_group(&mut self, chat: &str, now_ms: u64) -> Result<Output, EngineError> {
        self.change_group(chat, Op::Leave, now_ms).await
    }

    /// A group's state as this device holds it.
    pub async fn group(&self, chat: &str) -> Result<Option<GroupState>, EngineError> {
        let Some(id) = group_id(chat) else {
            return Ok(None);
        };
        Ok(self.store.group(&id).await?.map(|r| r.log.state().clone()))
    }

    /// Signs `op` on the group's current state, applies it here and sends it to the members.
    async fn change_group(
        &mut self,
        chat: &str,
        op: Op,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let id = group_id(chat).ok_or(EngineError::Invalid("that is not a group"))?;
        let mut record = self
            .store
            .group(&id)
            .await?
            .ok_or(EngineError::Invalid("that is not a group"))?;
        let before = record.log.state().clone();
        let change = Change::sign(Some(&before), id, &account.name, op, &account.account_key);
        let key = account.account_key.public();
        record.log.accept(change.clone(), &key).map_err(refused)?;
        self.publish_change(record, Some(&before), &change, now_ms)
            .await
    }

    /// Stores a change of ours (already in `record`) with its chat line, and sends it to
    /// everyone in the group before or after it: those already in it get the newest changes,
    /// a new member the state too.
    async fn publish_change(
        &mut self,
        mut record: GroupRecord,
        before: Option<&GroupState>,
        change: &Change,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        let me = self.account_name()?;
        let after = record.log.state().clone();
        let chat = group_chat(&after.group);
        let mut changes = Changes::default();
        let line = self.group_line(&chat, describe(change, &me), now_ms, &mut changes);
        // Everyone gets the newest changes and the state after them: a new member starts
        // from it (we vouch for it), a member who missed too much catches up with it.
        let update = Content::GroupUpdate {
            changes: record.log.changes().map(Change::encode).collect(),
            state: Some(after.encode()),
        };
        if update.encode().len() > MAX_UPDATE {
            return Err(EngineError::Invalid("that group is too large"));
        }
        let mut recipients: Vec<String> = Vec::new();
        let everyone = before.iter().flat_map(|b| &b.members).chain(&after.members);
        for member in everyone {
            let skip = member.account == me && !self.has_other_devices();
            if !skip && !recipients.contains(&member.account) {
                recipients.push(member.account.clone());
            }
        }
        for to in &recipients {
            let entry = self.entry(to, update.clone());
            changes.outbox.push(entry);
        }
        if after.member(&me).is_none() {
            forget_keys(&mut record);
        }
        changes.groups.push(record);
        self.store.commit(changes).await?;
        let mut out = Output::default();
        out.events.push(Event::Message(line));
        out.events.push(Event::GroupChanged { chat });
        if self.authenticated {
            for to in recipients {
                self.dispatch(&to, &mut out).await?;
            }
        }
        Ok(out)
    }

    /// A line in a group chat that says what changed.
    fn group_line(
        &mut self,
        chat: &str,
        body: String,
        now_ms: u64,
        changes: &mut Changes,
    ) -> ChatMessage {
        let mut line = self.notice(chat, Kind::GroupChange, now_ms, changes);
        line.body = body;
        if let Some(stored) = changes.messages.iter_mut().find(|m| m.id == line.id) {
            stored.body = line.body.clone();
        }
        line
    }

    /// Stores a text for a group chat and the outbox, and sends it if connected.
    pub(super) async fn send_group_text(
        &mut self,
        chat: &str,
        body: &str,
        now_ms: u64,
    ) -> Result<(ChatMessage, Output), EngineError> {
        let me = self.account_name()?;
        let id = group_id(chat).ok_or(EngineError::Invalid("that is not a group"))?;
        let record = self.store.group(&id).await?;
        let state = record
            .as_ref()
            .map(|r| r.log.state())
            .filter(|s| s.member(&me).is_some())
            .ok_or(EngineError::Invalid("you are not a member of this group"))?;
        if !state.may_send(&me) {
            return Err(EngineError::Invalid("only admins can send in this group"));
        }
        let mut message_id = [0u8; 16];
        self.rng.fill_bytes(&mut message_id);
        let content = Content::Text {
            id: message_id,
            sent_ms: now_ms,
            body: body.to_owned(),
        };
        // Everyone it goes to, each to confirm it.
        let receipts = state
            .members
            .iter()
            .filter(|m| m.account != me)
            .map(|m| (m.account.clone(), Status::Sent))
            .collect();
        let message = ChatMessage {
            id: message_id,
            group: Some(GroupLine {
                author: me,
                receipts,
            }),
            kind: Kind::Text,
            chat: chat.to_owned(),
            from_me: true,
            body: body.to_owned(),
            sent_ms: now_ms,
            status: Status::Sending,
        };
        self.store
            .commit(Changes {
                messages: vec![message.clone()],
                outbox: vec![OutboxEntry {
                    id: message_id,
                    to: chat.to_owned(),
                    content: content.encode(),
                    attempts: 0,
                }],
                ..Changes::default()
            })
            .await?;
        let mut out = Output::default();
        if self.authenticated {
            self.dispatch_group(id, &mut out).await?;
        }
        Ok((message, out))
    }

    /// Sends what waits in the outbox for group `id`: our sender key first to member devices
    /// without it (a new key if a device that has it is no longer a member's), then each
    /// message encrypted once. Waits while a member's devices are being fetched.
    pub(super) async fn dispatch_group(
        &mut self,
        id: [u8; 16],
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let chat = group_chat(&id);
        let outbox = self.store.outbox().await?;
        // One of our sender keys for it still waiting for the relay.
        let distributing = outbox
            .iter()
            .any(|e| sender_key_group(&e.content) == Some(id));
        let mut entries: Vec<OutboxEntry> = outbox
            .into_iter()
            .filter(|e| e.to == chat && !self.in_flight.contains(&e.id))
            .collect();
        let announcing = self.announcing.contains(&id);
        if entries.is_empty() && !announcing {
            return Ok(());
        }
        let me = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let (me, my_device) = (me.name.clone(), me.device_id);
        let record = self.store.group(&id).await?;
        let Some(mut record) = record.filter(|r| r.log.state().member(&me).is_some()) else {
            self.announcing.retain(|g| *g != id);
            // No longer a member: queued messages fail (announcing alone has none to fail).
            if entries.is_empty() {
                return Ok(());
            }
            return self.fail(entries.iter().map(|e| e.id).collect(), out).await;
        };
        // Messages we may no longer send fail; our key still goes out if announcing.
        if !entries.is_empty() && !record.log.state().may_send(&me) {
            self.fail(entries.iter().map(|e| e.id).collect(), out)
                .await?;
            if !announcing {
                return Ok(());
            }
            entries.clear();
        }
        let state = record.log.state().clone();
        // Every member device we may give our key to (as their accounts signed them).
        let mut devices: Vec<DeviceAddress> = Vec::new();
        let mut listed_by: Vec<(String, Vec<u32>)> = Vec::with_capacity(state.members.len());
        for member in &state.members {
            let account = member.account.as_str();
            let listed: Vec<u32> = if self.is_own(account) {
                let own = self.own.iter().flat_map(|o| o.list.devices.iter());
                own.map(|d| d.device_id)
                    .filter(|d| *d != my_device)
                    .collect()
            } else {
                let pinned = self.store.pinned_devices(account).await?;
                let theirs = pinned.iter().flat_map(|p| p.list.devices.iter());
                theirs.map(|d| d.device_id).collect()
            };
            for device in &listed {
                devices.extend(DeviceAddress::new(account, *device));
            }
            listed_by.push((account.to_owned(), listed));
        }
        // A device that has our key but is no member's any more: a new key, for everyone.
        let stale = record.shared_with.iter().any(|a| !devices.contains(a));
        let rotated = record.own_key.is_none() || stale;
        if rotated {
            record.own_key = Some(OwnSenderKey::generate(id, &mut self.rng));
            record.shared_with.clear();
        }
        // Sessions only with accounts that have a device without our key.
        let mut targets: Vec<(String, Vec<(DeviceAddress, SessionRecord)>)> = Vec::new();
        let mut waiting = false;
        for (account, listed) in listed_by {
            let own = self.is_own(&account);
            let has_key = |d: &u32| {
                let address = DeviceAddress::new(account.as_str(), *d);
                address.is_ok_and(|a| record.shared_with.contains(&a))
            };
            if (own || !listed.is_empty()) && listed.iter().all(has_key) {
                continue;
            }
            let mut sessions = self.store.sessions_with(&account).await?;
            sessions.retain(|(a, r)| !r.is_empty() && listed.contains(&a.device()));
            let missing = (listed.is_empty() && !own) || sessions.len() < listed.len();
            if self.fetching.iter().any(|(_, a)| *a == account) {
                waiting = true;
            } else if missing && !self.group_asked.contains(&account) {
                self.fetch_bundles(&account, out);
                self.group_asked.push(account.clone());
                waiting = true;
            }
            if !sessions.is_empty() {
                targets.push((account, sessions));
            }
        }
        if waiting {
            return Ok(());
        }
        // Every member device we can reach gets our key below: announced.
        self.announcing.retain(|g| *g != id);
        let Some(key) = record.own_key.as_mut() else {
            return Ok(());
        };
        let distribution = Content::SenderKey {
            distribution: Secret(key.distribution().encode()),
        };
        let mut changes = Changes::default();
        let mut frames = Vec::new();
        for (account, sessions) in targets {
            if sessions.iter().all(|(a, _)| record.shared_with.contains(a)) {
                continue;
            }
            let entry = self.entry(&account, distribution.clone());
            // A device we cannot encrypt to yet gets the key on a later send.
            let Some(sealed) = self.seal(&account, vec![entry], &sessions) else {
                continue;
            };
            for (address, _) in &sessions {
                if !record.shared_with.contains(address) {
                    record.shared_with.push(address.clone());
                }
            }
            changes.sessions.extend(sealed.sessions);
            changes.outbox.extend(sealed.entries);
            frames.extend(sealed.frames);
        }
        // The messages wait until the relay stored our key for everyone (a device list that
        // changed meanwhile makes it refuse that send, and nothing it opens may go first).
        let waiting_keys = !frames.is_empty() || distributing;
        if entries.is_empty() && frames.is_empty() && !rotated {
            // Announcing, and every member device we can reach has our key: nothing to store.
            return Ok(());
        }
        let members: Vec<String> = state.members.iter().map(|m| m.account.clone()).collect();
        let Some(key) = record.own_key.as_mut().filter(|_| !waiting_keys) else {
            changes.groups.push(record);
            self.store.commit(changes).await?;
            self.in_flight.extend(sent_ids(&frames));
            out.frames.extend(frames);
            return Ok(());
        };
        for mut entry in entries {
            let Ok(message) = key.encrypt(&entry.content) else {
                continue;
            };
            entry.attempts += 1;
            frames.push(ClientFrame::GroupSend {
                client_id: entry.id,
                members: members.clone(),
                payload: message.encode(),
            });
            changes.outbox.push(entry);
        }
        changes.groups.push(record);
        // Our chain's step and the sessions' are stored before any ciphertext leaves.
        self.store.commit(changes).await?;
        self.in_flight.extend(sent_ids(&frames));
        out.frames.extend(frames);
        Ok(())
    }

    /// Outbox entries given up on: a sender key among them did not reach that account, so its
    /// devices count as without it (they get it on the next send).
    pub(super) async fn unshare(
        &self,
        entries: &[OutboxEntry],
        changes: &mut Changes,
    ) -> Result<(), EngineError> {
        for entry in entries {
            let Some(id) = sender_key_group(&entry.content) else {
                continue;
            };
            let held = changes.groups.iter().position(|g| g.id() == id);
            let mut record = match held {
                Some(i) => changes.groups.swap_remove(i),
                None => match self.store.group(&id).await? {
                    Some(record) => record,
                    None => continue,
                },
            };
            record.shared_with.retain(|a| a.account() != entry.to);
            changes.groups.push(record);
        }
        Ok(())
    }

    /// Gives our key, unasked, to the member devices without it, in each group where our key
    /// has not encrypted anything yet: a newly linked browser (its groups came with the
    /// history, each with a new key) tells the members about itself this way, on every
    /// connection until it speaks there. They pin it from the device list its pairwise
    /// messages carry, and their next message gives it their keys; without this it read
    /// nothing of theirs until it had sent something itself.
    pub(super) async fn announce_groups(&mut self, out: &mut Output) -> Result<(), EngineError> {
        let me = self.account_name()?;
        self.announcing = self
            .store
            .groups()
            .await?
            .iter()
            .filter(|r| r.own_key.as_ref().is_some_and(|k| k.iteration() == 0))
            .map(|r| r.log.state())
            .filter(|state| state.member(&me).is_some())
            .map(|state| state.group)
            .collect();
        for id in self.announcing.clone() {
            self.dispatch_group(id, out).await?;
        }
        Ok(())
    }

    /// Groups with messages (or our key alone) waiting for a member's devices to be
    /// fetched: tried again.
    pub(super) async fn dispatch_waiting_groups(
        &mut self,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let mut waiting: Vec<[u8; 16]> = self.announcing.clone();
        for entry in self.store.outbox().await? {
            if let Some(id) = group_id(&entry.to).filter(|id| !waiting.contains(id)) {
                waiting.push(id);
            }
        }
        for id in waiting {
            self.dispatch_group(id, out).await?;
        }
        Ok(())
    }

    /// A group message from `from`: decrypted with the sender key that device gave us, if it
    /// is a member allowed to send. Anything else is reported undecryptable.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn receive_group_message(
        &mut self,
        groups: &mut Groups,
        pins: &mut Pins,
        from: &DeviceAddress,
        payload: &[u8],
        changes: &mut Changes,
        events: &mut Vec<Event>,
        new_ids: &mut Vec<MessageId>,
        delivered: &mut Vec<(String, Vec<MessageId>)>,
    ) -> Result<(), EngineError> {
        let me = self.account_name()?;
        let sender = from.account();
        let undecryptable = Event::Undecryptable {
            from: sender.to_owned(),
        };
        let Ok(message) = SenderKeyMessage::decode(payload) else {
            events.push(undecryptable);
            return Ok(());
        };
        let id = message.distribution_id;
        // Only from a device its account still lists (not one unlinked since).
        self.load_pin(pins, sender).await?;
        let listed = pins.names(from);
        let Some(record) = groups.get(&self.store, &id).await? else {
            events.push(undecryptable);
            return Ok(());
        };
        let state = record.log.state();
        let allowed = state.member(&me).is_some() && state.may_send(sender) && listed;
        let keys = record.senders.iter_mut().find(|(a, _)| a == from);
        let Some((_, keys)) = keys.filter(|_| allowed) else {
            events.push(undecryptable);
            return Ok(());
        };
        let plaintext = match keys.decrypt(&message) {
            Ok(plaintext) => plaintext,
            Err(SenderKeyError::Duplicate) => return Ok(()),
            Err(_) => {
                events.push(undecryptable);
                return Ok(());
            }
        };
        let Ok(Content::Text {
            id: message_id,
            sent_ms,
            body,
        }) = Content::decode(&plaintext)
        else {
            events.push(undecryptable);
            return Ok(());
        };
        if new_ids.contains(&message_id) {
            return Ok(());
        }
        new_ids.push(message_id);
        let mine = sender == me;
        let line = ChatMessage {
            id: message_id,
            group: Some(GroupLine {
                author: sender.to_owned(),
                receipts: Vec::new(),
            }),
            kind: Kind::Text,
            chat: group_chat(&id),
            from_me: mine,
            body,
            sent_ms,
            status: if mine {
                Status::Sent
            } else {
                Status::Delivered
            },
        };
        changes.received.push(line.clone());
        events.push(Event::Message(line));
        if !mine {
            match delivered.iter_mut().find(|(who, _)| who == sender) {
                Some((_, ids)) => ids.push(message_id),
                None => delivered.push((sender.to_owned(), vec![message_id])),
            }
        }
        Ok(())
    }

    /// Group content that came over a pairwise session from `from`: changes, or its sender
    /// key. Returns `false` for any other content.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn receive_group_content(
        &mut self,
        content: &Content,
        from: &DeviceAddress,
        sender_key: Option<[u8; 32]>,
        groups: &mut Groups,
        now_ms: u64,
        changes: &mut Changes,
        events: &mut Vec<Event>,
        reissue: &mut Reissue,
    ) -> Result<bool, EngineError> {
        match content {
            Content::GroupUpdate {
                changes: updates,
                state,
            } => {
                let (updates, state) = (updates.as_slice(), state.as_deref());
                self.take_changes(
                    from.account(),
                    sender_key,
                    updates,
                    state,
                    groups,
                    now_ms,
                    changes,
                    events,
                    reissue,
                )
                .await?;
            }
            Content::SenderKey { distribution } => {
                let Ok(distribution) = SenderKeyDistribution::decode(&distribution.0) else {
                    return Ok(true);
                };
                let id = distribution.distribution_id;
                let record = groups.get(&self.store, &id).await?;
                match record.filter(|r| r.log.state().member(from.account()).is_some()) {
                    Some(record) => keep_sender_key(record, from, &distribution),
                    // Before the change that adds them (or us) arrived: kept for a while.
                    None => {
                        self.orphan_keys
                            .retain(|(a, d)| !(a == from && d.distribution_id == id));
                        if self.orphan_keys.len() >= MAX_ORPHAN_KEYS {
                            self.orphan_keys.remove(0);
                        }
                        self.orphan_keys.push((from.clone(), distribution));
                    }
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Changes `sender` sent for one group, with the state after the last one, which the
    /// sender vouches for. Each change is checked against our state with its author's pinned
    /// key, and the ones that follow (or win a fork) are applied. The state alone is taken
    /// only from an admin's own change that puts us in (an invitation) or that we cannot
    /// otherwise catch up with (we missed too much).
    #[allow(clippy::too_many_arguments)]
    async fn take_changes(
        &mut self,
        sender: &str,
        sender_key: Option<[u8; 32]>,
        updates: &[Vec<u8>],
        state: Option<&[u8]>,
        groups: &mut Groups,
        now_ms: u64,
        changes: &mut Changes,
        events: &mut Vec<Event>,
        reissue: &mut Reissue,
    ) -> Result<(), EngineError> {
        let me = self.account_name()?;
        let Ok(updates) = updates
            .iter()
            .map(|bytes| Change::decode(bytes))
            .collect::<Result<Vec<Change>, _>>()
        else {
            return Ok(());
        };
        let Some(last) = updates.last().cloned() else {
            return Ok(());
        };
        let id = last.group;
        if updates.iter().any(|c| c.group != id) {
            return Ok(());
        }
        let chat = group_chat(&id);
        // The authors' keys as pinned here (the sender's from this batch).
        let mut keys: Vec<(String, [u8; 32])> = Vec::new();
        let held = match groups.get(&self.store, &id).await? {
            Some(record) => record.pending.clone(),
            None => Vec::new(),
        };
        for author in updates.iter().chain(&held).map(|c| c.author.as_str()) {
            if keys.iter().any(|(a, _)| a == author) {
                continue;
            }
            let key = match author == sender {
                true => sender_key,
                false => self.author_key(author).await?,
            };
            keys.extend(key.map(|k| (author.to_owned(), k)));
        }
        let key_of = |author: &str| keys.iter().find(|(a, _)| a == author).map(|(_, k)| *k);
        let vouched = state
            .and_then(|s| GroupState::decode(s).ok())
            .filter(|s| last.author == sender && s.head == last.hash() && s.member(&me).is_some());
        let record = groups.get(&self.store, &id).await?;
        let member = record
            .as_ref()
            .is_some_and(|r| r.log.state().member(&me).is_some());
        if !member {
            // Not in it here: only an admin's change that adds us (or a creation naming us)
            // puts us in, newer than what we held.
            let invited = match &last.op {
                Op::Add(who) => *who == me,
                Op::Create { .. } => true,
                _ => false,
            };
            let newer = record.is_none_or(|r| r.log.state().epoch < last.epoch);
            let (Some(state), Some(key)) = (vouched, key_of(sender)) else {
                return Ok(());
            };
            let created =
                matches!(last.op, Op::Create { .. }).then(|| GroupState::create(&last, &key).ok());
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
            self.adopt_orphan_keys(&mut record);
            groups.put(record);
            let line = self.group_line(&chat, describe(&last, &me), now_ms, changes);
            events.push(Event::Message(line));
            events.push(Event::GroupChanged { chat });
            return Ok(());
        }
        let Some(record) = groups.get(&self.store, &id).await? else {
            return Ok(());
        };
        // Changes from different members can arrive out of order: one that comes early is
        // held, and what is held is offered again after each change that applies.
        let mut offered = updates;
        offered.append(&mut record.pending);
        let mut applied = Vec::new();
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
        // Too far behind to catch up from the changes carried: an admin's own newest change
        // with the state after it (the same trust as an invitation).
        let behind = !applied.contains(&last) && record.log.state().head != last.hash();
        let admin = record.log.state().is_admin(sender);
        if let (true, true, Some(state), Some(key)) = (behind, admin, vouched, key_of(sender)) {
            if state.epoch > record.log.state().epoch && state.is_admin(sender) {
                if let Ok(log) = GroupLog::joined(last.clone(), state, &key) {
                    record.log = log;
                    applied.push(last.clone());
                    offered.clear();
                }
            }
        }
        // The newest few held, each once.
        for change in offered {
            if !record.pending.contains(&change) {
                record.pending.push(change);
            }
        }
        let extra = record.pending.len().saturating_sub(MAX_PENDING);
        record.pending.drain(..extra);
        let state = record.log.state().clone();
        if state.member(&me).is_none() {
            forget_keys(record);
        }
        // Keys of devices whose accounts left go (they send nothing we would accept).
        record
            .senders
            .retain(|(a, _)| state.member(a.account()).is_some());
        self.adopt_orphan_keys(record);
        for change in &applied {
            let line = self.group_line(&chat, describe(change, &me), now_ms, changes);
            events.push(Event::Message(line));
        }
        if !applied.is_empty() {
            events.push(Event::GroupChanged { chat });
        }
        Ok(())
    }

    /// Sender keys that came before their sender was a member here, now that it is.
    fn adopt_orphan_keys(&mut self, record: &mut GroupRecord) {
        let (id, state) = (record.id(), record.log.state().clone());
        let mut kept = Vec::new();
        for (from, key) in std::mem::take(&mut self.orphan_keys) {
            let member = state.member(from.account()).is_some();
            match key.distribution_id == id && member {
                true => keep_sender_key(record, &from, &key),
                false => kept.push((from, key)),
            }
        }
        self.orphan_keys = kept;
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
    pub(super) async fn reissue(
        &mut self,
        reissue: Reissue,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        for (id, op) in reissue.0 {
            match self.change_group(&group_chat(&id), op, now_ms).await {
                Ok(more) => {
                    out.frames.extend(more.frames);
                    out.events.extend(more.events);
                }
                Err(EngineError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// A member's receipt for one of our group messages: kept per member it was sent to; the
    /// message's own status is the least any of them reached.
    pub(super) fn member_receipt(
        &mut self,
        message: ChatMessage,
        member: &str,
        kind: ReceiptKind,
        changes: &mut Changes,
        events: &mut Vec<Event>,
    ) -> Result<(), EngineError> {
        let me = self.account_name()?;
        if group_id(&message.chat).is_none() || member == me {
            return Ok(());
        }
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
        let line = message.group.get_or_insert_with(GroupLine::default);
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
        events.push(Event::Status(message.id, message.status));
        changes.messages.push(message);
        Ok(())
    }

    /// Marks a group chat's received messages read and tells each author.
    pub(super) async fn mark_group_read(
        &mut self,
        chat: &str,
        unread: Vec<MessageId>,
    ) -> Result<Output, EngineError> {
        let mut authors: Vec<(String, Vec<MessageId>)> = Vec::new();
        for id in &unread {
            let author = self.store.message(id).await?.and_then(|m| m.group);
            let Some(author) = author.map(|g| g.author) else {
                continue;
            };
            match authors.iter_mut().find(|(a, _)| *a == author) {
                Some((_, ids)) => ids.push(*id),
                None => authors.push((author, vec![*id])),
            }
        }
        let mut changes = Changes {
            statuses: unread.iter().map(|id| (*id, Status::Read)).collect(),
            ..Changes::default()
        };
        for (author, ids) in &authors {
            for chunk in ids.chunks(crate::content::MAX_RECEIPT_IDS) {
                let receipt = self.receipt(author, ReceiptKind::Read, chunk.to_vec());
                changes.outbox.push(receipt);
            }
        }
        self.read_sync(chat, &unread, &mut changes);
        self.store.commit(changes).await?;
        let mut out = Output::default();
        if self.authenticated {
            for (author, _) in authors {
                self.dispatch(&author, &mut out).await?;
            }
        }
        self.dispatch_own(&mut out).await?;
        Ok(out)
    }

    /// Tells the group's members we started or stopped typing there (not stored).
    pub async fn group_typing(&self, chat: &str, typing: bool) -> Output {
        let mut out = Output::default();
        let (Some(id), Some(me)) = (group_id(chat), self.account.as_ref()) else {
            return out;
        };
        let Ok(Some(record)) = self.store.group(&id).await else {
            return out;
        };
        let state = record.log.state();
        if self.authenticated && state.member(&me.name).is_some() {
            out.frames.push(ClientFrame::GroupTyping {
                group: id,
                members: state.members.iter().map(|m| m.account.clone()).collect(),
                typing,
            });
        }
        out
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

/// We are no longer in the group: nothing sent from now on may open here, and we send
/// nothing.
fn forget_keys(record: &mut GroupRecord) {
    record.own_key = None;
    record.shared_with.clear();
    record.senders.clear();
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use hush_protocol::devices::AccountKey;
    use hush_protocol::relay::ServerFrame;
    use rand_chacha::rand_core::SeedableRng;

    use super::*;

    #[test]
    fn a_member_cannot_offer_another_devices_sender_key_as_its_own() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let key = AccountKey::generate(&mut rng);
        let op = Op::Create {
            name: "Climbing".into(),
            description: String::new(),
            members: vec!["bob".into(), "mallory".into()],
        };
        let change = Change::sign(None, [5; 16], "alice", op, &key);
        let mut record = GroupRecord {
            log: GroupLog::create(change, &key.public()).unwrap(),
            own_key: None,
            shared_with: Vec::new(),
            senders: Vec::new(),
            pending: Vec::new(),
        };
        let bob = DeviceAddress::new("bob", 1).unwrap();
        let mallory = DeviceAddress::new("mallory", 1).unwrap();
        let mut bobs = OwnSenderKey::generate([5; 16], &mut rng);
        keep_sender_key(&mut record, &bob, &bobs.distribution());
        // Mallory hands out Bob's key as hers: refused, so Bob's messages never show as hers.
        keep_sender_key(&mut record, &mallory, &bobs.distribution());
        assert_eq!(record.senders.len(), 1);
        let message = bobs.encrypt(b"from bob").unwrap();
        assert!(record.senders[0].1.decrypt(&message).is_ok());
        // Her own key is taken.
        let hers = OwnSenderKey::generate([5; 16], &mut rng);
        keep_sender_key(&mut record, &mallory, &hers.distribution());
        assert_eq!(record.senders.len(), 2);
    }

    /// The frames one connection's `Authenticated` makes an engine send, with a group of
    /// Alice and Bob whose key of ours is unused (as on a newly linked browser).
    async fn frames_on_connect(brief: bool) -> Vec<ClientFrame> {
        let rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
        let store = crate::store::memory::MemoryStore::new();
        let mut engine = Engine::open(store, rng).await.unwrap();
        engine.create_account("alice").await.unwrap();
        let registered = ServerFrame::Authenticated {
            one_time_prekeys: 100,
        };
        engine.handle(registered.clone(), 1).await.unwrap();
        engine.disconnected();
        let key = engine.account.as_ref().unwrap().account_key.clone();
        let op = Op::Create {
            name: "Climbing".into(),
            description: String::new(),
            members: vec!["bob".into()],
        };
        let change = Change::sign(None, [5; 16], "alice", op, &key);
        let record = GroupRecord {
            log: GroupLog::create(change, &key.public()).unwrap(),
            own_key: Some(OwnSenderKey::generate([5; 16], &mut engine.rng)),
            shared_with: Vec::new(),
            senders: Vec::new(),
            pending: Vec::new(),
        };
        let groups = vec![record];
        let changes = Changes {
            groups,
            ..Changes::default()
        };
        engine.store.commit(changes).await.unwrap();
        if brief {
            engine.set_brief();
        }
        engine.handle(registered, 2).await.unwrap().frames
    }

    #[tokio::test]
    async fn an_unused_group_key_is_announced_on_connect_but_not_from_a_push_wake_up() {
        let fetches_bob = |f: &ClientFrame| matches!(f, ClientFrame::FetchBundles { account, .. } if account == "bob");
        // Bob's devices are fetched, to give them our key.
        assert!(frames_on_connect(false).await.iter().any(fetches_bob));
        // A service worker's wake-up would hear the answer only after it closed.
        assert!(!frames_on_connect(true).await.iter().any(fetches_bob));
    }
}
