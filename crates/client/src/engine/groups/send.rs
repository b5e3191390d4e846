//! Our side of a group: texts into the outbox, our sender key to every member device that
//! lacks it (a new key first when a device that has it is no longer a member's), then each
//! message encrypted once for the relay's fan-out; read receipts and typing.

use hush_protocol::record::SessionRecord;
use hush_protocol::relay::ClientFrame;
use hush_protocol::sender_key::OwnSenderKey;
use hush_protocol::{DeviceAddress, Rng, Username};

use super::sender_key_group;
use crate::content::{Content, ReceiptKind, Secret};
use crate::engine::{Engine, Output};
use crate::error::{EngineError, GroupActionError};
use crate::model::{
    ChatId, ChatMessage, GroupId, GroupLine, GroupRecord, MessageId, OutboxEntry, Status,
};
use crate::store::{Changes, Store};

/// What waits in the outbox for one group.
struct GroupOutbox {
    /// Its messages not sent on this connection yet.
    entries: Vec<OutboxEntry>,
    /// One of our sender keys for it still waits for the relay.
    distributing: bool,
    /// Our key is being announced there (see [`Engine::announce_groups`]).
    announcing: bool,
}

/// Member accounts with devices that lack our key, and our sessions with those devices.
type Targets = Vec<(Username, Vec<(DeviceAddress, SessionRecord)>)>;

/// Member accounts and the numbers of their devices that may have our key.
type Listed = Vec<(Username, Vec<u32>)>;

impl<S: Store, R: Rng> Engine<S, R> {
    /// Stores our new message to group `id` (`content` as it travels, sealed with our sender
    /// key) in the chat and the outbox, and sends it if connected.
    pub(in crate::engine) async fn send_group_message(
        &mut self,
        id: GroupId,
        mut message: ChatMessage,
        content: Content,
        mut changes: Changes,
    ) -> Result<(ChatMessage, Output), EngineError> {
        let me = self.account_name()?;
        let record = self.sendable_group(id).await?;
        let state = record.log.state();
        // Everyone it goes to, each to confirm it.
        let receipts = (state.members.iter())
            .filter_map(|m| Username::parse(&m.account).ok())
            .filter(|m| *m != me)
            .map(|m| (m, Status::Sent))
            .collect();
        message.group = Some(GroupLine {
            author: me,
            receipts,
        });
        changes.messages.push(message.clone());
        changes.outbox.push(OutboxEntry {
            id: message.id,
            to: ChatId::Group(id),
            content: content.encode(),
            attempts: 0,
        });
        self.store.commit(changes).await?;
        let mut out = Output::default();
        if self.connection.authenticated {
            self.dispatch_group(id, &mut out).await?;
        }
        Ok((message, out))
    }

    /// Group `id`, if we may send in it now (a member, and an admin where only admins send).
    pub(in crate::engine) async fn sendable_group(
        &self,
        id: GroupId,
    ) -> Result<GroupRecord, EngineError> {
        let me = self.account_name()?;
        let record = (self.store.group(&id).await?)
            .filter(|r| r.log.state().member(&me).is_some())
            .ok_or(GroupActionError::NotAMember)?;
        match record.log.state().may_send(&me) {
            true => Ok(record),
            false => Err(GroupActionError::OnlyAdminsSend.into()),
        }
    }

    /// What waits in the outbox for group `id`.
    async fn group_outbox(&self, id: GroupId) -> Result<GroupOutbox, EngineError> {
        let chat = ChatId::Group(id);
        let outbox = self.store.outbox().await?;
        let distributing = outbox
            .iter()
            .any(|e| sender_key_group(&e.content) == Some(id));
        let in_flight = &self.connection.in_flight;
        let entries = outbox
            .into_iter()
            .filter(|e| e.to == chat && !in_flight.contains(&e.id))
            .collect();
        Ok(GroupOutbox {
            entries,
            distributing,
            announcing: self.connection.announcing.contains(&id),
        })
    }

    /// Sends what waits in the outbox for group `id`: our sender key first to member devices
    /// without it (a new key if a device that has it is no longer a member's), then each
    /// message encrypted once. Waits while a member's devices are being fetched.
    pub(in crate::engine) async fn dispatch_group(
        &mut self,
        id: [u8; 16],
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let mut waiting = self.group_outbox(id).await?;
        if waiting.entries.is_empty() && !waiting.announcing {
            return Ok(());
        }
        let me = self.account_name()?;
        let record = self.store.group(&id).await?;
        let Some(record) = record.filter(|r| r.log.state().member(&me).is_some()) else {
            self.connection.announcing.retain(|g| *g != id);
            // No longer a member: queued messages fail (announcing alone has none to fail).
            if waiting.entries.is_empty() {
                return Ok(());
            }
            return self.fail(ids(&waiting.entries), out).await;
        };
        // Messages we may no longer send fail; our key still goes out if announcing.
        if !waiting.entries.is_empty() && !record.log.state().may_send(&me) {
            self.fail(ids(&waiting.entries), out).await?;
            if !waiting.announcing {
                return Ok(());
            }
            waiting.entries.clear();
        }
        self.send_group_outbox(record, waiting, out).await
    }

    /// Our key to the member devices without it, then (once the relay has it for everyone)
    /// the messages, each encrypted once; everything stored before any of it leaves.
    async fn send_group_outbox(
        &mut self,
        mut record: GroupRecord,
        waiting: GroupOutbox,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let id = record.id();
        let listed_by = self.member_devices(&record).await?;
        // A device that has our key but is no member's any more: a new key, for everyone.
        let devices: Vec<DeviceAddress> = listed_by
            .iter()
            .flat_map(|(account, listed)| {
                (listed.iter())
                    .filter_map(|device| DeviceAddress::new(account.as_str(), *device).ok())
            })
            .collect();
        let stale = record.shared_with.iter().any(|a| !devices.contains(a));
        let rotated = record.own_key.is_none() || stale;
        if rotated {
            record.own_key = Some(OwnSenderKey::generate(id, &mut self.rng));
            record.shared_with.clear();
        }
        let Some(targets) = self.key_targets(&record, listed_by, out).await? else {
            return Ok(());
        };
        // Every member device we can reach gets our key below: announced.
        self.connection.announcing.retain(|g| *g != id);
        let Some((mut changes, mut frames)) = self.distribute_key(&mut record, targets) else {
            return Ok(());
        };
        // The messages wait until the relay stored our key for everyone (a device list that
        // changed meanwhile makes it refuse that send, and nothing it opens may go first).
        let waiting_keys = !frames.is_empty() || waiting.distributing;
        if waiting.entries.is_empty() && frames.is_empty() && !rotated {
            // Announcing, and every member device we can reach has our key: nothing to store.
            return Ok(());
        }
        if !waiting_keys {
            let owner = self.account.as_ref().map(|a| a.address());
            let Some(Ok(owner)) = owner else {
                return Err(EngineError::NoAccount);
            };
            frames.extend(encrypt_once(
                &owner,
                &mut record,
                waiting.entries,
                &mut changes,
            ));
        }
        changes.groups.push(record);
        // Our chain's step and the sessions' are stored before any ciphertext leaves.
        self.store.commit(changes).await?;
        self.connection.sending(&frames);
        out.frames.extend(frames);
        Ok(())
    }

    /// Every member account with the devices we may give our key to, as their accounts signed
    /// them (ours without this device).
    async fn member_devices(&self, record: &GroupRecord) -> Result<Listed, EngineError> {
        let my_device = self.account.as_ref().map(|a| a.device_id);
        let members = &record.log.state().members;
        let mut listed_by: Listed = Vec::with_capacity(members.len());
        for member in members {
            let Ok(account) = Username::parse(&member.account) else {
                continue;
            };
            let listed: Vec<u32> = if self.is_own(&account) {
                let own = self.own.iter().flat_map(|o| o.list.devices.iter());
                own.map(|d| d.device_id)
                    .filter(|d| Some(*d) != my_device)
                    .collect()
            } else {
                let pinned = self.store.pinned_devices(&account).await?;
                let theirs = pinned.iter().flat_map(|p| p.list.devices.iter());
                theirs.map(|d| d.device_id).collect()
            };
            listed_by.push((account, listed));
        }
        Ok(listed_by)
    }

    /// Our sessions with the accounts that have a listed device without our key; `None` while
    /// a member's devices are being fetched (asked for here once per connection).
    async fn key_targets(
        &mut self,
        record: &GroupRecord,
        listed_by: Listed,
        out: &mut Output,
    ) -> Result<Option<Targets>, EngineError> {
        let mut targets = Vec::new();
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
            if self.connection.is_fetching(&account) {
                waiting = true;
            } else if missing && !self.connection.group_asked.contains(&account) {
                self.fetch_bundles(&account, out);
                self.connection.group_asked.push(account.clone());
                waiting = true;
            }
            if !sessions.is_empty() {
                targets.push((account, sessions));
            }
        }
        Ok((!waiting).then_some(targets))
    }

    /// Our key sealed to each target device that lacks it (a device we cannot encrypt to yet
    /// gets it on a later send): the changes and frames. `None` without a key.
    fn distribute_key(
        &mut self,
        record: &mut GroupRecord,
        targets: Targets,
    ) -> Option<(Changes, Vec<ClientFrame>)> {
        let owner = self.account.as_ref()?.address().ok()?;
        let key = record.own_key.as_mut()?;
        let distribution = Content::SenderKey {
            distribution: Secret(key.distribution(&owner).encode()),
        };
        let mut changes = Changes::default();
        let mut frames = Vec::new();
        for (account, sessions) in targets {
            if sessions.iter().all(|(a, _)| record.shared_with.contains(a)) {
                continue;
            }
            let entry = self.entry(&account, distribution.clone());
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
        Some((changes, frames))
    }

    /// Outbox entries given up on: a sender key among them did not reach that account, so its
    /// devices count as without it (they get it on the next send).
    pub(in crate::engine) async fn unshare(
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
            record
                .shared_with
                .retain(|a| !entry.to.is_with(a.account()));
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
    pub(in crate::engine) async fn announce_groups(
        &mut self,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let me = self.account_name()?;
        self.connection.announcing = self
            .store
            .groups()
            .await?
            .iter()
            .filter(|r| r.own_key.as_ref().is_some_and(|k| k.iteration() == 0))
            .map(|r| r.log.state())
            .filter(|state| state.member(&me).is_some())
            .map(|state| state.group)
            .collect();
        for id in self.connection.announcing.clone() {
            self.dispatch_group(id, out).await?;
        }
        Ok(())
    }

    /// Groups with messages (or our key alone) waiting for a member's devices to be
    /// fetched: tried again.
    pub(in crate::engine) async fn dispatch_waiting_groups(
        &mut self,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let mut waiting: Vec<GroupId> = self.connection.announcing.clone();
        for entry in self.store.outbox().await? {
            if let Some(id) = entry.to.group().filter(|id| !waiting.contains(id)) {
                waiting.push(id);
            }
        }
        for id in waiting {
            self.dispatch_group(id, out).await?;
        }
        Ok(())
    }

    /// Marks a group chat's received messages read and tells each author (if read receipts
    /// are on).
    pub(in crate::engine) async fn mark_group_read(
        &mut self,
        chat: &ChatId,
        unread: Vec<MessageId>,
    ) -> Result<Output, EngineError> {
        let mut authors: Vec<(Username, Vec<MessageId>)> = Vec::new();
        // With read receipts off, no author is told.
        let told = if self.read_receipts() {
            &unread[..]
        } else {
            &[]
        };
        for id in told {
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
        if self.connection.authenticated {
            for (author, _) in authors {
                self.dispatch_direct(&author, &mut out).await?;
            }
        }
        self.dispatch_own(&mut out).await?;
        Ok(out)
    }

    /// Tells the group's members we started or stopped typing there (not stored).
    pub async fn group_typing(&self, chat: &ChatId, typing: bool) -> Output {
        let mut out = Output::default();
        let (Some(id), Some(me)) = (chat.group(), self.account.as_ref()) else {
            return out;
        };
        let Ok(Some(record)) = self.store.group(&id).await else {
            return out;
        };
        let state = record.log.state();
        if self.connection.authenticated && state.member(&me.name).is_some() {
            out.frames.push(ClientFrame::GroupTyping {
                group: id,
                members: (state.members.iter())
                    .filter_map(|m| Username::parse(&m.account).ok())
                    .collect(),
                typing,
            });
        }
        out
    }
}

/// The ids of `entries`.
fn ids(entries: &[OutboxEntry]) -> Vec<MessageId> {
    entries.iter().map(|e| e.id).collect()
}

/// Each message encrypted once with our sender key, as one `GroupSend` naming every member;
/// the entries go into `changes`.
fn encrypt_once(
    owner: &DeviceAddress,
    record: &mut GroupRecord,
    entries: Vec<OutboxEntry>,
    changes: &mut Changes,
) -> Vec<ClientFrame> {
    let members: Vec<Username> = (record.log.state().members.iter())
        .filter_map(|m| Username::parse(&m.account).ok())
        .collect();
    let mut frames = Vec::new();
    let Some(key) = record.own_key.as_mut() else {
        return frames;
    };
    for entry in entries {
        let Ok(message) = key.encrypt(owner, &entry.content) else {
            continue;
        };
        frames.push(ClientFrame::GroupSend {
            client_id: entry.id,
            members: members.clone(),
            payload: message.encode(),
        });
        changes.outbox.push(entry);
    }
    frames
}
