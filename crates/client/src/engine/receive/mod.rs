//! Receiving a batch of envelopes (`docs/architecture.md`, "How one message flows"): each is
//! decrypted on the batch's working copy of its session (`pairwise`) or with its sender's
//! group key (`groups::receive`), what it carries is applied (`content`), then everything
//! (sessions, messages, used prekeys, the delivery receipts sealed on the same sessions,
//! `receipts`) is committed in one transaction, and only then acked, all at once.
//!
//! Every step takes the [`Batch`] as `&mut`, as matrix-sdk-crypto's receive steps take their
//! `Changes`: nothing is stored until the batch is.

pub(super) mod content;
mod outdated;
mod pairwise;
mod pins;
mod receipts;

use hush_protocol::record::SessionRecord;
use hush_protocol::relay::{ClientFrame, ServerFrame};
use hush_protocol::{DeviceAddress, Rng, Username};

use super::groups::{is_group_message, AskOrder, Groups};
use super::{Engine, Event, Output};
use crate::error::{Broken, EngineError};
use crate::model::MessageId;
use crate::store::{Changes, Store};
pub(super) use outdated::is_outdated;
pub(super) use pins::Pins;

/// One envelope from the relay.
pub(super) struct Incoming {
    /// The relay's id (`None` for a group message held here and read again, acked already).
    id: Option<u64>,
    sender: Username,
    sender_device: u32,
    payload: Vec<u8>,
}

impl Incoming {
    /// The envelope in `frame`; any other frame is handed back.
    pub(super) fn from_frame(frame: ServerFrame) -> Result<Self, ServerFrame> {
        match frame {
            ServerFrame::Envelope {
                id,
                sender,
                sender_device,
                payload,
                ..
            } => Ok(Self {
                id: Some(id),
                sender,
                sender_device,
                payload,
            }),
            other => Err(other),
        }
    }
}

/// A batch's working copies of sessions, by device. A few devices per sender: a list, not a
/// map (each map type costs the wasm a copy of the hash table code).
#[derive(Default)]
pub(super) struct Working(Vec<(DeviceAddress, SessionRecord)>);

impl Working {
    fn get_mut(&mut self, address: &DeviceAddress) -> Option<&mut SessionRecord> {
        self.0
            .iter_mut()
            .find(|(a, _)| a == address)
            .map(|(_, r)| r)
    }

    fn insert(&mut self, address: DeviceAddress, record: SessionRecord) {
        match self.get_mut(&address) {
            Some(slot) => *slot = record,
            None => self.0.push((address, record)),
        }
    }

    fn take(&mut self, address: &DeviceAddress) -> Option<(DeviceAddress, SessionRecord)> {
        let i = self.0.iter().position(|(a, _)| a == address)?;
        Some(self.0.swap_remove(i))
    }

    /// The sessions with every device of `account` that can send, by device.
    fn of(&self, account: &str) -> Vec<(DeviceAddress, SessionRecord)> {
        let mut found: Vec<(DeviceAddress, SessionRecord)> = self
            .0
            .iter()
            .filter(|(address, record)| address.account() == account && !record.is_empty())
            .map(|(address, record)| (address.clone(), record.clone()))
            .collect();
        found.sort_unstable_by_key(|(address, _)| address.device());
        found
    }
}

/// Everything one batch of envelopes reads and changes, until its one commit.
pub(super) struct Batch {
    /// The device's clock for the whole batch.
    pub(super) now_ms: u64,
    /// Working copies of the senders' sessions.
    sessions: Working,
    /// Senders whose sessions are in `sessions` already.
    loaded: Vec<Username>,
    /// Sessions that changed (written with the batch).
    changed: Vec<DeviceAddress>,
    /// Senders with a new session here, to be sent our profile.
    introduce: Vec<Username>,
    /// One-time prekeys used up by new sessions.
    used_prekeys: Vec<u32>,
    /// Ids of the messages this batch stores (a repeat within it is dropped).
    pub(super) new_ids: Vec<MessageId>,
    /// Received messages to confirm as delivered, by sender.
    pub(super) delivered: Vec<(Username, Vec<MessageId>)>,
    /// What the batch writes.
    pub(super) changes: Changes,
    /// What the UI hears, once the batch is stored.
    pub(super) events: Vec<Event>,
    /// The envelopes to ack, once the batch is stored.
    acks: Vec<u64>,
    /// The senders' pinned device lists.
    pub(super) pins: Pins,
    /// The groups the batch touched.
    pub(super) groups: Groups,
    /// Groups whose held changes wait for the relay's order, asked for after the commit.
    pub(super) ask_order: AskOrder,
    /// Group messages held until a change was applied, read again: not held twice.
    pub(super) retrying: bool,
}

impl Batch {
    fn new(now_ms: u64, envelopes: usize) -> Self {
        Self {
            now_ms,
            sessions: Working::default(),
            loaded: Vec::new(),
            changed: Vec::new(),
            introduce: Vec::new(),
            used_prekeys: Vec::new(),
            new_ids: Vec::new(),
            delivered: Vec::new(),
            changes: Changes::default(),
            events: Vec::new(),
            acks: Vec::with_capacity(envelopes),
            pins: Pins::default(),
            groups: Groups::default(),
            ask_order: AskOrder::default(),
            retrying: false,
        }
    }

    /// A message from `from` could not be read (it is dropped).
    pub(super) fn undecryptable(&mut self, from: &DeviceAddress) {
        self.events.push(Event::Undecryptable {
            from: from.username(),
        });
    }

    /// Message `id` from `sender` is to be confirmed as delivered.
    pub(super) fn deliver(&mut self, sender: &Username, id: MessageId) {
        match self.delivered.iter_mut().find(|(who, _)| who == sender) {
            Some((_, ids)) => ids.push(id),
            None => self.delivered.push((sender.clone(), vec![id])),
        }
    }

    /// The working sessions with `account`'s devices its pinned list names (with that identity).
    pub(super) fn listed_sessions(&self, account: &str) -> Vec<(DeviceAddress, SessionRecord)> {
        let mut sessions = self.sessions.of(account);
        sessions.retain(|(address, record)| {
            let identity = record.current().map(|s| *s.remote_identity());
            self.pins.lists(address, identity.as_ref())
        });
        sessions
    }

    /// Sessions with devices a list pinned in this batch no longer names are dropped with it.
    fn drop_unlisted(&mut self) {
        for account in self.pins.changed.clone() {
            for (address, record) in self.sessions.of(&account) {
                let identity = record.current().map(|s| *s.remote_identity());
                if !self.pins.lists(&address, identity.as_ref()) {
                    self.session_changed(address, SessionRecord::new());
                }
            }
        }
    }

    /// `address`'s session changed: written with the batch.
    fn session_changed(&mut self, address: DeviceAddress, record: SessionRecord) {
        if !self.changed.contains(&address) {
            self.changed.push(address.clone());
        }
        self.sessions.insert(address, record);
    }
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// Envelopes in a row: each decrypted and applied to the batch, then the batch committed
    /// in one transaction, and only then acked, all at once.
    pub(super) async fn receive_batch(
        &mut self,
        envelopes: Vec<Incoming>,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        account.address().map_err(|_| Broken::AccountName)?;
        let mut batch = Batch::new(now_ms, envelopes.len());
        for envelope in envelopes {
            self.receive_envelope(&mut batch, envelope).await?;
        }
        self.commit_batch(batch, out).await
    }

    /// Group messages held until their group's changes applied (see `HeldMessages`), read
    /// again; what still fails now is undecryptable.
    pub(super) async fn receive_held(
        &mut self,
        held: Vec<(DeviceAddress, Vec<u8>)>,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let mut batch = Batch::new(now_ms, 0);
        batch.retrying = true;
        for (from, payload) in held {
            let envelope = Incoming {
                id: None,
                sender: from.username(),
                sender_device: from.device(),
                payload,
            };
            self.receive_envelope(&mut batch, envelope).await?;
        }
        self.commit_batch(batch, out).await
    }

    /// One envelope into the batch (acked with it, whatever it held).
    async fn receive_envelope(
        &mut self,
        batch: &mut Batch,
        envelope: Incoming,
    ) -> Result<(), EngineError> {
        batch.acks.extend(envelope.id);
        let sender = envelope.sender;
        let Ok(from) = DeviceAddress::new(sender.as_str(), envelope.sender_device) else {
            return Ok(());
        };
        // Every session with the sender's account at once: the receipt goes to all its
        // devices, on the same working copies.
        if !batch.loaded.contains(&sender) {
            batch.loaded.push(sender.clone());
            for (address, record) in self.store.sessions_with(&sender).await? {
                batch.sessions.insert(address, record);
            }
        }
        if is_group_message(&envelope.payload) {
            return self
                .receive_group_message(batch, &from, &envelope.payload)
                .await;
        }
        self.receive_pairwise(batch, &from, &envelope.payload).await
    }

    /// Seals the delivery receipts on the batch's sessions, commits everything, then acks and
    /// sends.
    async fn commit_batch(
        &mut self,
        mut batch: Batch,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let account = self.account_name()?;
        bound_sent_times(&mut batch);
        self.apply_held(&mut batch)?;
        self.stamp_expiry(&mut batch).await?;
        self.list_on_messages(&mut batch).await?;
        batch.changes.used_prekeys = std::mem::take(&mut batch.used_prekeys);
        batch.drop_unlisted();
        std::mem::take(&mut batch.groups).into_changes(&mut batch.changes);
        let own_list = std::mem::take(&mut batch.pins).into_changes(&account, &mut batch.changes);
        let sealed = self.seal_receipts(&mut batch);
        let changed = std::mem::take(&mut batch.changed);
        batch.changes.sessions = changed
            .iter()
            .filter_map(|address| batch.sessions.take(address))
            .collect();
        if let Some(show) = self.preview.as_mut() {
            for event in &batch.events {
                if let Event::Message(message) = event {
                    show(message);
                }
            }
        }
        // What the batch itself tells our other devices (a pin past the limit undone).
        let for_own_devices = !batch.changes.outbox.is_empty();
        // Our profile as another of our devices set it.
        let account_now = batch.changes.account.clone();
        self.store.commit(batch.changes).await?;
        if account_now.is_some() {
            self.account = account_now;
        }
        if let Some(list) = own_list {
            self.own = Some(list);
        }
        if for_own_devices {
            self.dispatch_own(out).await?;
        }
        out.events.extend(batch.events);
        for chunk in batch.acks.chunks(hush_protocol::relay::MAX_ACKS) {
            out.frames.push(ClientFrame::Ack {
                ids: chunk.to_vec(),
            });
        }
        self.connection.sending(&sealed.frames);
        out.frames.extend(sealed.frames);
        if self.connection.authenticated {
            for sender in sealed.unsealed {
                self.dispatch_direct(&sender, out).await?;
            }
        }
        self.ask_order(batch.ask_order, out);
        Ok(())
    }
}

/// A message's time is its sender's clock. One from the future (a clock far ahead, or a peer
/// lying) is kept as sent when it arrived plus the clock margin, so it cannot sort above what
/// comes after it, outlive its chat's timer, or push a Clear of its chat into the future (which
/// would clear messages written after it).
fn bound_sent_times(batch: &mut Batch) {
    let latest = batch.now_ms.saturating_add(crate::model::CLOCK_MARGIN_MS);
    for message in &mut batch.changes.received {
        message.sent_ms = message.sent_ms.min(latest);
    }
    for event in &mut batch.events {
        if let Event::Message(message) = event {
            message.sent_ms = message.sent_ms.min(latest);
        }
    }
}
