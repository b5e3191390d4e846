//! What a commit writes, decided without IndexedDB. From the engine's [`Changes`] and what the
//! commit's first round read (the arrival counter, and what is stored under every id it
//! writes), the puts and deletes of its second round. Pure: its rules (places in arrival order,
//! a sender's repeat ignored, statuses that only move on, each chat's newest message, the last
//! change to a key holding) are tested natively, and `commit.rs` only turns the plan into
//! IndexedDB requests and awaits them.

use std::borrow::Cow;

use hush_client::model::{
    ChatMessage, ChatTimer, GroupRecord, MessageId, OutboxEntry, PinnedDevices,
};
use hush_client::search::terms_of;
use hush_client::store::{Changes, StoreError};
use hush_client::{ChatId, LocalAccount};
use hush_protocol::keys::OneTimePreKeyPair;
use hush_protocol::record::SessionRecord;
use hush_protocol::DeviceAddress;

use super::schema;

/// A record read in the first round: a JS object in the browser, a plain value in tests.
pub trait Stored {
    /// Its place in arrival order.
    fn seq(&self) -> Result<f64, StoreError>;
    /// The message it holds (decoded only where a status changes).
    fn message(&self) -> Result<ChatMessage, StoreError>;
}

/// What the first round read.
pub struct Found<S> {
    /// The arrival counter, if one is stored.
    pub next_seq: Option<f64>,
    /// What is stored under each id of [`message_ids`], in that order.
    pub messages: Vec<Option<S>>,
    /// What is stored under each outbox entry's id, in order.
    pub outbox: Vec<Option<S>>,
}

/// The ids whose stored messages the first round reads: every message written, every message
/// received, every status change's, every reaction's and every amendment's, in that order.
pub fn message_ids(changes: &Changes) -> impl Iterator<Item = MessageId> + '_ {
    changes
        .messages
        .iter()
        .chain(&changes.received)
        .map(|m| m.id)
        .chain(changes.statuses.iter().map(|(id, _)| *id))
        .chain(changes.reactions.iter().map(|(id, _)| *id))
        .chain(changes.amendments.iter().map(|(id, _)| *id))
}

/// A record's key, for the stores that have no key path.
#[derive(Clone, Debug, PartialEq)]
pub enum Key<'a> {
    /// A text key: an account or chat name, an id in hex, a fixed name.
    Text(Cow<'a, str>),
    /// A one-time prekey's id.
    Prekey(u32),
    /// A session's `[account, device]`.
    Session(&'a DeviceAddress),
    /// A message's place in arrival order (the search index's key).
    Place(f64),
}

/// A value to store, before it becomes a JS value.
// A message is most of what a commit writes, and lives only for the commit: boxing it would
// cost an allocation per message to save a few bytes on the rarer records.
#[allow(clippy::large_enum_variant)]
pub enum Record<'a> {
    /// A message at its place in arrival order.
    Message {
        /// The message as stored.
        message: Cow<'a, ChatMessage>,
        /// Its place.
        seq: f64,
    },
    /// An outbox entry at its place in arrival order.
    Outbox {
        /// The entry.
        entry: &'a OutboxEntry,
        /// Its place.
        seq: f64,
    },
    /// Where a chat's newest message is.
    Chat {
        /// The newest message's place.
        seq: f64,
        /// The newest message's id.
        newest: MessageId,
    },
    /// This device's account, secrets included.
    Account(&'a LocalAccount),
    /// A session with one device.
    Session(&'a SessionRecord),
    /// A one-time prekey not used yet.
    Prekey(&'a OneTimePreKeyPair),
    /// A contact's verified identity key.
    Verified(&'a [u8; 64]),
    /// A contact's display name.
    Name(&'a str),
    /// A contact's About line and photo.
    Profile(&'a hush_client::model::ContactProfile),
    /// A chat muted on this device.
    Muted,
    /// A chat's disappearing-message timer.
    Timer(&'a ChatTimer),
    /// A chat's place in the chat list.
    ChatState(&'a hush_client::model::ChatState),
    /// A contact's pinned account key and device list.
    Pinned(&'a PinnedDevices),
    /// A group, keys included.
    Group(&'a GroupRecord),
    /// The arrival counter.
    NextSeq(f64),
    /// A message's search index entry: its terms (at its place).
    Search {
        /// The message's place (the record's key).
        seq: f64,
        /// The message.
        id: MessageId,
        /// Its chat, spelled.
        chat: String,
        /// Its terms.
        terms: Vec<String>,
    },
}

/// One put: `record` into `store`, under `key` (None where the store has a key path).
pub struct Put<'a> {
    /// The object store.
    pub store: &'static str,
    /// The key, for stores without a key path.
    pub key: Option<Key<'a>>,
    /// What is stored.
    pub record: Record<'a>,
}

/// One delete: `key` from `store`.
pub struct Delete<'a> {
    /// The object store.
    pub store: &'static str,
    /// The key.
    pub key: Key<'a>,
}

/// Everything a commit writes, in the order the requests are placed: every put, then every
/// delete (no key is both put and deleted).
#[derive(Default)]
pub struct Plan<'a> {
    /// The puts, in order (a later put of a key wins).
    pub puts: Vec<Put<'a>>,
    /// The deletes.
    pub deletes: Vec<Delete<'a>>,
}

impl<'a> Plan<'a> {
    fn put(&mut self, store: &'static str, key: Option<Key<'a>>, record: Record<'a>) {
        self.puts.push(Put { store, key, record });
    }

    fn delete(&mut self, store: &'static str, key: Key<'a>) {
        self.deletes.push(Delete { store, key });
    }
}

/// Places in arrival order as they are handed out, and each chat's newest message.
struct Arrivals<'a> {
    /// The last place handed out.
    last: f64,
    newest: Vec<(&'a ChatId, f64, MessageId)>,
}

impl<'a> Arrivals<'a> {
    /// The next place.
    fn next(&mut self) -> f64 {
        self.last += 1.0;
        self.last
    }

    /// The next place, for `message`, which becomes its chat's newest.
    fn next_in_chat(&mut self, message: &'a ChatMessage) -> f64 {
        let seq = self.next();
        self.newest.retain(|(chat, _, _)| **chat != message.chat);
        self.newest.push((&message.chat, seq, message.id));
        seq
    }
}

/// A message as this commit leaves it, with its place, the search terms its index entry held
/// before the commit (None where not known: the entry is written again), and whether the
/// commit writes it.
struct Entry {
    message: ChatMessage,
    seq: f64,
    terms_before: Option<Vec<String>>,
    written: bool,
}

/// Messages as this commit leaves them. (A list, not a map: each map type costs the wasm its
/// own copy of the hash table code, and a commit holds few messages.)
#[derive(Default)]
struct Written {
    entries: Vec<Entry>,
    /// Whether the commit keeps the search index (else no message's terms are computed).
    index_terms: bool,
}

impl Written {
    fn keep(&mut self, entry: Entry) {
        self.take(&entry.message.id);
        self.entries.push(entry);
    }

    fn contains_key(&self, id: &MessageId) -> bool {
        self.entries.iter().any(|e| e.message.id == *id)
    }

    fn take(&mut self, id: &MessageId) -> Option<Entry> {
        let at = self.entries.iter().position(|e| e.message.id == *id)?;
        Some(self.entries.swap_remove(at))
    }
}

/// Decides what committing `changes` writes, given what the first round `found`; with
/// `index_terms`, the search index entries too (only a benchmark's reference goes without).
pub fn plan<'a, S: Stored>(
    changes: &'a Changes,
    found: Found<S>,
    index_terms: bool,
) -> Result<Plan<'a>, StoreError> {
    let mut plan = Plan::default();
    let mut arrivals = Arrivals {
        last: found.next_seq.unwrap_or(1.0),
        newest: Vec::new(),
    };
    let mut stored = found.messages.into_iter();
    let mut written = Written {
        entries: Vec::new(),
        index_terms,
    };
    for message in &changes.messages {
        // A replaced message keeps its place in the chat.
        let found = stored.next().flatten();
        let (seq, terms_before) = match (written.take(&message.id), found) {
            (Some(earlier), _) => (earlier.seq, earlier.terms_before),
            (None, Some(old)) => (old.seq()?, None),
            (None, None) => (arrivals.next_in_chat(message), Some(Vec::new())),
        };
        put_message(&mut plan, Cow::Borrowed(message), seq);
        let message = message.clone();
        written.keep(Entry {
            message,
            seq,
            terms_before,
            written: true,
        });
    }
    for message in &changes.received {
        // Only where no message has this id: a sender's repeat changes nothing.
        let known = stored.next().flatten().is_some();
        if known || written.contains_key(&message.id) {
            continue;
        }
        let seq = arrivals.next_in_chat(message);
        put_message(&mut plan, Cow::Borrowed(message), seq);
        let message = message.clone();
        written.keep(Entry {
            message,
            seq,
            terms_before: Some(Vec::new()),
            written: true,
        });
    }
    for (id, status) in &changes.statuses {
        let found = stored.next().flatten();
        move_status(&mut plan, &mut written, (*id, *status), found)?;
    }
    for (id, reaction) in &changes.reactions {
        let found = stored.next().flatten();
        let change = |m: &mut ChatMessage| {
            hush_client::model::add_reaction(&mut m.reactions, reaction.clone())
        };
        change_message(&mut plan, &mut written, *id, found, change)?;
    }
    for (id, amendment) in &changes.amendments {
        let found = stored.next().flatten();
        let change = |m: &mut ChatMessage| hush_client::model::amend(m, amendment);
        change_message(&mut plan, &mut written, *id, found, change)?;
    }
    for (entry, found) in changes.outbox.iter().zip(found.outbox) {
        let seq = match found {
            Some(old) => old.seq()?,
            None => arrivals.next(),
        };
        plan.put(schema::OUTBOX, None, Record::Outbox { entry, seq });
    }
    if index_terms {
        self::index_terms(&mut plan, written);
    }
    for (chat, seq, newest) in arrivals.newest {
        let key = Some(Key::Text(Cow::Owned(chat.to_string())));
        plan.put(schema::CHATS, key, Record::Chat { seq, newest });
    }
    plan_the_rest(&mut plan, changes);
    let key = Some(Key::Text(Cow::Borrowed(schema::NEXT_SEQ)));
    plan.put(schema::META, key, Record::NextSeq(arrivals.last));
    Ok(plan)
}

/// A status change: onto the message as this commit leaves it, else as `found` stored (an id
/// neither knows is ignored); a change that would move the status back is ignored.
fn move_status<S: Stored>(
    plan: &mut Plan<'_>,
    written: &mut Written,
    (id, status): (MessageId, hush_client::Status),
    found: Option<S>,
) -> Result<(), StoreError> {
    change_message(plan, written, id, found, |message| {
        let moves = message.status.can_become(status);
        if moves {
            message.status = status;
        }
        moves
    })
}

/// Changes a message as this commit leaves it, else as `found` stored (an id neither knows is
/// ignored); written again only if `change` says it changed anything.
fn change_message<S: Stored>(
    plan: &mut Plan<'_>,
    written: &mut Written,
    id: MessageId,
    found: Option<S>,
    change: impl FnOnce(&mut ChatMessage) -> bool,
) -> Result<(), StoreError> {
    let current = match written.take(&id) {
        Some(current) => Some(current),
        None => found
            .map(|old| {
                let (message, seq) = (old.message()?, old.seq()?);
                let terms_before = written.index_terms.then(|| terms_of(&message));
                Ok::<_, StoreError>(Entry {
                    message,
                    seq,
                    terms_before,
                    written: false,
                })
            })
            .transpose()?,
    };
    let Some(mut entry) = current else {
        return Ok(());
    };
    if change(&mut entry.message) {
        put_message(plan, Cow::Owned(entry.message.clone()), entry.seq);
        entry.written = true;
    }
    written.keep(entry);
    Ok(())
}

/// The search index entry of every message written whose terms changed: put at its place,
/// or deleted where it has no term left.
fn index_terms(plan: &mut Plan<'_>, written: Written) {
    for entry in written.entries.into_iter().filter(|e| e.written) {
        let terms = terms_of(&entry.message);
        if entry.terms_before.as_ref() == Some(&terms) {
            continue;
        }
        match terms.is_empty() {
            false => {
                let (seq, id) = (entry.seq, entry.message.id);
                let chat = entry.message.chat.to_string();
                let record = Record::Search {
                    seq,
                    id,
                    chat,
                    terms,
                };
                plan.put(schema::SEARCH, None, record);
            }
            true => plan.delete(schema::SEARCH, Key::Place(entry.seq)),
        }
    }
}

fn put_message<'a>(plan: &mut Plan<'a>, message: Cow<'a, ChatMessage>, seq: f64) {
    plan.put(schema::MESSAGES, None, Record::Message { message, seq });
}

/// What needs no first round: records replaced whole, and deletes.
fn plan_the_rest<'a>(plan: &mut Plan<'a>, changes: &'a Changes) {
    let text = |key: &'a str| Key::Text(Cow::Borrowed(key));
    if let Some(account) = &changes.account {
        let key = Some(text(schema::ACCOUNT_KEY));
        plan.put(schema::ACCOUNT, key, Record::Account(account));
    }
    for (peer, record) in &changes.sessions {
        let key = Some(Key::Session(peer));
        plan.put(schema::SESSIONS, key, Record::Session(record));
    }
    for prekey in &changes.new_prekeys {
        let key = Some(Key::Prekey(prekey.id()));
        plan.put(schema::PREKEYS, key, Record::Prekey(prekey));
    }
    for id in &changes.used_prekeys {
        plan.delete(schema::PREKEYS, Key::Prekey(*id));
    }
    for id in &changes.outbox_done {
        let key = Key::Text(Cow::Owned(hush_protocol::hex::encode(id)));
        plan.delete(schema::OUTBOX, key);
    }
    for (account, key) in last_changes(&changes.verified) {
        match key {
            Some(key) => plan.put(
                schema::VERIFIED,
                Some(text(account.as_str())),
                Record::Verified(key),
            ),
            None => plan.delete(schema::VERIFIED, text(account.as_str())),
        }
    }
    for (account, name) in &changes.names {
        plan.put(
            schema::NAMES,
            Some(text(account.as_str())),
            Record::Name(name),
        );
    }
    for (account, profile) in &changes.profiles {
        plan.put(
            schema::PROFILES,
            Some(text(account.as_str())),
            Record::Profile(profile),
        );
    }
    for (chat, muted) in last_changes(&changes.muted) {
        let key = Key::Text(Cow::Owned(chat.to_string()));
        match muted {
            true => plan.put(schema::MUTED, Some(key), Record::Muted),
            false => plan.delete(schema::MUTED, key),
        }
    }
    for (chat, timer) in last_changes(&changes.timers) {
        let key = Some(Key::Text(Cow::Owned(chat.to_string())));
        plan.put(schema::TIMERS, key, Record::Timer(timer));
    }
    for (chat, state) in last_changes(&changes.chat_states) {
        let key = Some(Key::Text(Cow::Owned(chat.to_string())));
        plan.put(schema::CHAT_STATES, key, Record::ChatState(state));
    }
    for pinned in &changes.pinned_devices {
        let key = Some(text(&pinned.list.account));
        plan.put(schema::PINNED, key, Record::Pinned(pinned));
    }
    for group in &changes.groups {
        let key = Some(Key::Text(Cow::Owned(ChatId::Group(group.id()).to_string())));
        plan.put(schema::GROUPS, key, Record::Group(group));
    }
}

/// Of changes keyed by name, the last one for each name (the one that holds), in order.
fn last_changes<K: PartialEq, T>(changes: &[(K, T)]) -> impl Iterator<Item = (&K, &T)> {
    changes
        .iter()
        .enumerate()
        .filter(|(i, (name, _))| !changes[i + 1..].iter().any(|(other, _)| other == name))
        .map(|(_, (name, value))| (name, value))
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
