//! Sending: texts into the outbox, outbox entries sealed to every device of their account
//! (ratchet steps stored before the ciphertext leaves), the relay's `Sent`, failures and
//! retries, read receipts.

use hush_protocol::record::SessionRecord;
use hush_protocol::relay::{ClientFrame, ErrorCode, OutgoingEnvelope, SendOutcome};
use hush_protocol::{DeviceAddress, Rng, Username};
use zeroize::Zeroizing;

use super::{Engine, Event, Output};
use crate::content::{Content, ReceiptKind, Secret};
use crate::error::{EngineError, InputError};
use crate::model::{ChatId, ChatMessage, MessageId, OutboxEntry, Status};
use crate::store::{Changes, Store};

/// `Mismatch` answers to one message before it is marked failed (the user can retry). Only
/// those count: sending again after a reconnect (the relay restarted, the network dropped) is
/// the same attempt, however often it happens.
const MAX_ATTEMPTS: u32 = 5;

/// Outbox entries encrypted for sending: to be committed (the entries, the sessions advanced)
/// before the frames leave.
pub(super) struct Sealed {
    pub(super) entries: Vec<OutboxEntry>,
    pub(super) sessions: Vec<(DeviceAddress, SessionRecord)>,
    pub(super) frames: Vec<ClientFrame>,
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// Stores a text in the chat with `to` and the outbox, and sends it if connected.
    pub async fn send_text(
        &mut self,
        to: &ChatId,
        body: &str,
        now_ms: u64,
    ) -> Result<(ChatMessage, Output), EngineError> {
        if body.trim().is_empty() || body.len() > crate::content::MAX_TEXT {
            return Err(InputError::TextLength.into());
        }
        let message = self.new_message(to, body, now_ms);
        let content = super::rich::content_of(&message);
        self.send_message(to, message, content).await
    }

    /// Stores a new message of ours (`content` as it travels) in its chat and the outbox, and
    /// sends it if connected: to a contact's devices with a transcript to our other devices,
    /// or to a group with our sender key.
    pub(super) async fn send_message(
        &mut self,
        to: &ChatId,
        message: ChatMessage,
        content: Content,
    ) -> Result<(ChatMessage, Output), EngineError> {
        self.send_message_with(to, message, content, Changes::default())
            .await
    }

    /// [`Self::send_message`], storing `changes` in the same transaction. A text or
    /// attachment in a chat with a timer expires from its time on.
    pub(super) async fn send_message_with(
        &mut self,
        to: &ChatId,
        mut message: ChatMessage,
        content: Content,
        mut changes: Changes,
    ) -> Result<(ChatMessage, Output), EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        if to.is_with(&account.name) {
            return Err(InputError::NoteToSelf.into());
        }
        if message.is_reactable() {
            let timer = self.timer_of(to).await?;
            message.meta.expires_ms = crate::model::expiry(timer.as_ref(), message.sent_ms);
        }
        let account = match to {
            ChatId::Group(id) => {
                return self
                    .send_group_message(*id, message, content, changes)
                    .await
            }
            ChatId::Direct(account) => account,
        };
        let entry = OutboxEntry {
            id: message.id,
            to: to.clone(),
            content: content.encode(),
            attempts: 0,
        };
        changes.messages.push(message.clone());
        if let Some(transcript) = super::actions::sent_transcript(to, &content) {
            self.queue_for_own_devices(transcript, &mut changes);
        }
        let mut out = Output::default();
        self.send_entry(account, entry, changes, &mut out).await?;
        self.dispatch_own(&mut out).await?;
        Ok((message, out))
    }

    /// With sessions ready and nothing else waiting for `to`, `entry` is encrypted now and
    /// stored with its ratchet step and `changes` in one transaction; otherwise it waits in
    /// the outbox behind the others.
    ///
    /// Order per recipient: a message leaves only behind everything written before it for the
    /// same account. One that waits (its `Mismatch` retry waiting for new bundles, or refused
    /// for slowing down) holds every later one in the outbox, and they go together in their
    /// order once it can ([`Self::dispatch_direct`], which also waits while bundles are
    /// fetched). Sends already in flight when a `Mismatch` comes are not held back: the relay
    /// checks one connection's sends in order, so those sent on the same sessions mismatch
    /// too and are sent again in order. Only a device list changing between two such sends
    /// could let the later one in first; closing that would take one send in flight per
    /// recipient, which costs every chat its pipelining.
    pub(super) async fn send_entry(
        &mut self,
        to: &Username,
        entry: OutboxEntry,
        mut changes: Changes,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let ready = self.connection.authenticated
            && !self.connection.is_fetching(to)
            && !self.waiting_for(to).await?;
        let sealed = if ready {
            let sessions = self.listed_sessions(to, &mut changes).await?;
            self.seal(to, vec![entry.clone()], &sessions)
        } else {
            None
        };
        match sealed {
            Some(sealed) => {
                changes.outbox.extend(sealed.entries);
                changes.sessions.extend(sealed.sessions);
                self.store.commit(changes).await?;
                self.connection.sending(&sealed.frames);
                out.frames.extend(sealed.frames);
            }
            None => {
                changes.outbox.push(entry);
                self.store.commit(changes).await?;
                if self.connection.authenticated {
                    self.dispatch_direct(to, out).await?;
                }
            }
        }
        Ok(())
    }

    /// Encrypts everything in the outbox for `to` to each of its devices and sends it; without
    /// sessions, asks for bundles first.
    pub(super) async fn dispatch(
        &mut self,
        to: &ChatId,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        match to {
            ChatId::Group(id) => self.dispatch_group(*id, out).await,
            ChatId::Direct(account) => self.dispatch_direct(account, out).await,
        }
    }

    /// Whether something for account `to` waits in the outbox, not sent on this connection.
    async fn waiting_for(&self, to: &Username) -> Result<bool, EngineError> {
        let outbox = self.store.outbox().await?;
        let in_flight = &self.connection.in_flight;
        Ok(outbox
            .iter()
            .any(|e| e.to.is_with(to) && !in_flight.contains(&e.id)))
    }

    /// Encrypts everything in the outbox for account `to` to each of its devices and sends it;
    /// without sessions, asks for bundles first. While `to`'s bundles are being fetched it
    /// waits: their answer sends it all, in order, on the new sessions.
    pub(super) async fn dispatch_direct(
        &mut self,
        to: &Username,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        if self.connection.is_fetching(to) {
            return Ok(());
        }
        let entries: Vec<OutboxEntry> = self
            .store
            .outbox()
            .await?
            .into_iter()
            .filter(|e| e.to.is_with(to) && !self.connection.in_flight.contains(&e.id))
            .collect();
        if entries.is_empty() {
            return Ok(());
        }
        let mut changes = Changes::default();
        let sessions = self.listed_sessions(to, &mut changes).await?;
        let Some(sealed) = self.seal(to, entries, &sessions) else {
            if !changes.is_empty() {
                self.store.commit(changes).await?;
            }
            self.fetch_bundles(to, out);
            return Ok(());
        };
        // The ratchet steps are stored before any ciphertext leaves.
        changes.outbox = sealed.entries;
        changes.sessions.extend(sealed.sessions);
        self.store.commit(changes).await?;
        self.connection.sending(&sealed.frames);
        out.frames.extend(sealed.frames);
        Ok(())
    }

    /// `to`'s sessions with the devices its pinned list names with that identity key (ours:
    /// our own list); sessions with devices it no longer names are dropped in `changes`, so
    /// nothing is encrypted to an unlinked or replaced device whatever the relay says.
    pub(super) async fn listed_sessions(
        &self,
        to: &Username,
        changes: &mut Changes,
    ) -> Result<Vec<(DeviceAddress, SessionRecord)>, EngineError> {
        let pinned = match self.is_own(to) {
            true => self.own.clone(),
            false => self.store.pinned_devices(to).await?,
        };
        let sessions = self.store.sessions_with(to).await?;
        let (kept, dropped) = crate::devices::split_listed(pinned.as_ref(), sessions);
        let dropped = dropped.into_iter().map(|a| (a, SessionRecord::new()));
        changes.sessions.extend(dropped);
        Ok(kept)
    }

    /// Drops, in `changes`, `account`'s stored sessions with devices `pinned` does not name
    /// (with that identity), unless `changes` replaces them already: in the same commit as the
    /// list is pinned.
    pub(super) async fn drop_unlisted(
        &self,
        account: &str,
        pinned: &crate::model::PinnedDevices,
        changes: &mut Changes,
    ) -> Result<(), EngineError> {
        let sessions = self.store.sessions_with(account).await?;
        let (_, dropped) = crate::devices::split_listed(Some(pinned), sessions);
        for address in dropped {
            if !changes.sessions.iter().any(|(a, _)| *a == address) {
                changes.sessions.push((address, SessionRecord::new()));
            }
        }
        Ok(())
    }

    /// Encrypts outbox entries for every device of `to`, on copies of `sessions`. `None` when
    /// there is no session or one cannot send (not started on our side): new bundles are
    /// needed, and nothing was encrypted.
    pub(super) fn seal(
        &self,
        to: &Username,
        entries: Vec<OutboxEntry>,
        sessions: &[(DeviceAddress, SessionRecord)],
    ) -> Option<Sealed> {
        if sessions.is_empty() {
            return None;
        }
        let mut sealed = Sealed {
            entries: Vec::with_capacity(entries.len()),
            sessions: sessions.to_vec(),
            frames: Vec::with_capacity(entries.len()),
        };
        for entry in entries {
            let mut envelopes = Vec::with_capacity(sealed.sessions.len());
            let mut attested = None;
            for (address, record) in &mut sealed.sessions {
                // Until the other side replies, it is shown which devices our account signed.
                let new = record.current().is_some_and(|s| !s.is_confirmed());
                let plaintext = match self.own.as_ref().filter(|_| new) {
                    Some(own) => attested
                        .get_or_insert_with(|| {
                            let inner = Zeroizing::new(entry.content.clone());
                            Zeroizing::new(
                                Content::Attested {
                                    account_key: own.account_key,
                                    device_list: own.list.encode(),
                                    inner: Secret(inner),
                                }
                                .encode(),
                            )
                        })
                        .as_slice(),
                    None => entry.content.as_slice(),
                };
                let message = record.encrypt(plaintext).ok()?;
                envelopes.push(OutgoingEnvelope {
                    device: address.device(),
                    payload: message.encode(),
                });
            }
            sealed.frames.push(ClientFrame::Send {
                client_id: entry.id,
                recipient: to.clone(),
                envelopes,
            });
            sealed.entries.push(entry);
        }
        Some(sealed)
    }

    /// Everything in the outbox for `to` fails (the account cannot be reached).
    pub(super) async fn fail_outbox(
        &mut self,
        to: &Username,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let ids: Vec<MessageId> = self
            .store
            .outbox()
            .await?
            .into_iter()
            .filter(|e| e.to.is_with(to))
            .map(|e| e.id)
            .collect();
        self.fail(ids, out).await
    }

    /// Marks outbox entries failed and drops them from the outbox; the chat's messages among
    /// them are reported (receipts are not).
    pub(super) async fn fail(
        &mut self,
        ids: Vec<MessageId>,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let mut changes = Changes {
            statuses: ids.iter().map(|id| (*id, Status::Failed)).collect(),
            outbox_done: ids.clone(),
            ..Changes::default()
        };
        let mut given_up = Vec::new();
        for id in &ids {
            given_up.extend(self.store.outbox_entry(id).await?);
        }
        self.unshare(&given_up, &mut changes).await?;
        self.store.commit(changes).await?;
        for id in ids {
            if self.store.message(&id).await?.is_some() {
                out.events.push(Event::Status(id, Status::Failed));
            }
        }
        Ok(())
    }

    /// The relay answered a send: stored (the entry leaves the outbox), devices changed (new
    /// bundles, then again), no such account, or refused.
    pub(super) async fn sent(
        &mut self,
        id: MessageId,
        outcome: SendOutcome,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        self.connection.in_flight.retain(|i| *i != id);
        let Some(entry) = self.store.outbox_entry(&id).await? else {
            return Ok(());
        };
        match outcome {
            SendOutcome::Stored => self.stored(entry, out).await?,
            // The recipient's devices changed: new bundles, new sessions, send again.
            SendOutcome::Mismatch { extra, .. } => {
                let mut entry = entry;
                entry.attempts += 1;
                if entry.attempts >= MAX_ATTEMPTS {
                    return self.fail(vec![entry.id], out).await;
                }
                let Some(account) = entry.to.account().cloned() else {
                    return Ok(());
                };
                self.store
                    .commit(Changes {
                        outbox: vec![entry],
                        ..Changes::default()
                    })
                    .await?;
                let account = &account;
                self.forget_extra(account, &extra).await?;
                self.fetch_bundles(account, out);
            }
            SendOutcome::UnknownRecipient => self.fail(vec![entry.id], out).await?,
            // Nothing was stored. Slowing down or a relay failure passes: the entry stays in
            // the outbox and goes again (it is no longer in flight); anything else will not.
            SendOutcome::Refused { code, message } => {
                out.events.push(Event::RelayError(message));
                if !matches!(code, ErrorCode::RateLimited | ErrorCode::Internal) {
                    self.fail(vec![entry.id], out).await?;
                }
            }
        }
        Ok(())
    }

    /// The relay says `extra` are not devices of `account`: only the sessions with devices
    /// our pinned list does not name either go. A listed device keeps its session whatever the
    /// relay says; the list fetched next decides (a newer signed list without it drops it).
    async fn forget_extra(&mut self, account: &Username, extra: &[u32]) -> Result<(), EngineError> {
        let pinned = match self.is_own(account) {
            true => self.own.clone(),
            false => self.store.pinned_devices(account).await?,
        };
        let listed = |device: u32| {
            pinned
                .as_ref()
                .is_some_and(|p| p.list.device(device).is_some())
        };
        let changes = Changes {
            sessions: (extra.iter().copied())
                .filter(|device| !listed(*device))
                .filter_map(|device| DeviceAddress::new(account.as_str(), device).ok())
                .map(|address| (address, SessionRecord::new()))
                .collect(),
            ..Changes::default()
        };
        if !changes.is_empty() {
            self.store.commit(changes).await?;
        }
        Ok(())
    }

    /// The relay stored `entry` for every device: it leaves the outbox, its message is Sent.
    async fn stored(&mut self, entry: OutboxEntry, out: &mut Output) -> Result<(), EngineError> {
        let id = entry.id;
        self.store
            .commit(Changes {
                statuses: vec![(id, Status::Sent)],
                outbox_done: vec![id],
                ..Changes::default()
            })
            .await?;
        if self.store.message(&id).await?.is_some() {
            out.events.push(Event::Status(id, Status::Sent));
        }
        // A sender key stored: the group messages it opens may go.
        if super::groups::sender_key_group(&entry.content).is_some() {
            self.dispatch_waiting_groups(out).await?;
        }
        Ok(())
    }

    /// Sends a failed plain text again (same id: if an earlier attempt did arrive, the relay
    /// and the recipient keep one copy). Anything else ([`ChatMessage::can_retry`]) is left
    /// as it is: sending its text alone would drop its attachment, quote or mentions.
    pub async fn retry(&mut self, id: MessageId) -> Result<Output, EngineError> {
        let mut out = Output::default();
        let Some(message) = self.store.message(&id).await? else {
            return Ok(out);
        };
        if !message.can_retry() {
            return Ok(out);
        }
        let content = Content::Text {
            id,
            sent_ms: message.sent_ms,
            body: message.body,
        };
        self.store
            .commit(Changes {
                statuses: vec![(id, Status::Sending)],
                outbox: vec![OutboxEntry {
                    id,
                    to: message.chat.clone(),
                    content: content.encode(),
                    attempts: 0,
                }],
                ..Changes::default()
            })
            .await?;
        out.events.push(Event::Status(id, Status::Sending));
        if self.connection.authenticated {
            self.dispatch(&message.chat, &mut out).await?;
        }
        Ok(out)
    }

    /// Marks a chat's received messages read and tells their sender (if read receipts are on)
    /// and our other devices.
    pub async fn mark_read(&mut self, chat: &ChatId) -> Result<Output, EngineError> {
        let unread = self.store.unread(chat).await?;
        let mut out = Output::default();
        if unread.is_empty() {
            return Ok(out);
        }
        let account = match chat {
            ChatId::Group(_) => return self.mark_group_read(chat, unread).await,
            ChatId::Direct(account) => account,
        };
        let mut changes = Changes {
            statuses: unread.iter().map(|id| (*id, Status::Read)).collect(),
            ..Changes::default()
        };
        if self.read_receipts() {
            let receipt = self.receipt(account, ReceiptKind::Read, unread.clone());
            changes.outbox.push(receipt);
        }
        self.read_sync(chat, &unread, &mut changes);
        self.store.commit(changes).await?;
        if self.connection.authenticated {
            self.dispatch(chat, &mut out).await?;
        }
        self.dispatch_own(&mut out).await?;
        Ok(out)
    }

    /// A receipt for `ids` to `to`, as an outbox entry.
    pub(super) fn receipt(
        &mut self,
        to: &Username,
        kind: ReceiptKind,
        ids: Vec<MessageId>,
    ) -> OutboxEntry {
        self.entry(to, Content::Receipt { kind, ids })
    }

    /// An outbox entry (a new id) for content the chat does not show.
    pub(super) fn entry(&mut self, to: &Username, content: Content) -> OutboxEntry {
        let mut id = [0u8; 16];
        self.rng.fill_bytes(&mut id);
        OutboxEntry {
            id,
            to: ChatId::Direct(to.clone()),
            content: content.encode(),
            attempts: 0,
        }
    }
}
