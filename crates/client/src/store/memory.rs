//! A [`Store`] in memory: for native tests, tools and bots. Clones share the same data, so a
//! test can "restart" an engine on what the previous one wrote. Every record is kept encoded,
//! with the encodings the IndexedDB store writes (`encoding.rs`, the protocol's own), and
//! decoded on every read: a record one store could not read back fails here too, natively.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::rc::Rc;

use hush_protocol::keys::OneTimePreKeyPair;
use hush_protocol::record::SessionRecord;
use hush_protocol::{DeviceAddress, Username};
use zeroize::Zeroizing;

use super::encoding::{
    decode_account, decode_group, decode_message, decode_outbox, decode_pinned, decode_timer,
    encode_account, encode_group, encode_message, encode_outbox, encode_pinned, encode_timer,
};
use super::{Changes, Store, StoreError};
use crate::account::LocalAccount;
use crate::model::{
    is_unread, summarize, ChatId, ChatMessage, ChatSummary, ChatTimer, ContactProfile, GroupRecord,
    Kind, MessageId, OutboxEntry, PinnedDevices,
};
use crate::search::{self, terms_of, Found, Query, QueryTerm, TermIndex};

#[derive(Default)]
struct Inner {
    account: Option<Zeroizing<Vec<u8>>>,
    sessions: BTreeMap<(String, u32), Zeroizing<Vec<u8>>>,
    prekeys: BTreeMap<u32, Zeroizing<Vec<u8>>>,
    /// Insertion order, so chats list oldest first.
    next_seq: u64,
    messages: BTreeMap<MessageId, (u64, Vec<u8>)>,
    /// The search index: each term's messages by place, kept with the messages.
    terms: BTreeMap<String, BTreeSet<u64>>,
    /// The place of every message with a term, and the message there.
    indexed: BTreeMap<u64, MessageId>,
    outbox: BTreeMap<MessageId, (u64, Vec<u8>)>,
    verified: BTreeMap<Username, [u8; 64]>,
    names: BTreeMap<Username, String>,
    profiles: BTreeMap<Username, ContactProfile>,
    /// By spelling, as a persistent store sorts them.
    muted: BTreeSet<String>,
    /// Encoded, by chat.
    timers: BTreeMap<String, Vec<u8>>,
    /// Encoded, as a persistent store keeps them.
    pinned: BTreeMap<String, Vec<u8>>,
    /// Encoded too.
    groups: BTreeMap<[u8; 16], Zeroizing<Vec<u8>>>,
    /// Chats' places in the list, encoded, by chat.
    chat_states: BTreeMap<String, Vec<u8>>,
}

/// The memory store; clones share their data.
#[derive(Clone, Default)]
pub struct MemoryStore {
    inner: Rc<RefCell<Inner>>,
    /// Makes the next commit fail (nothing written), as a full disk or a crash would.
    fail_next_commit: Rc<Cell<bool>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next [`Store::commit`] fails and writes nothing (for tests of failure paths).
    pub fn fail_next_commit(&self) {
        self.fail_next_commit.set(true);
    }
}

fn corrupt(e: impl core::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn decode_session(bytes: &[u8]) -> Result<SessionRecord, StoreError> {
    SessionRecord::from_bytes(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Inner {
    /// Every message with its insertion order, decoded.
    fn all_messages(&self) -> Result<Vec<(u64, ChatMessage)>, StoreError> {
        (self.messages.values())
            .map(|(seq, bytes)| Ok((*seq, decode_message(bytes).map_err(corrupt)?)))
            .collect()
    }

    fn message(&self, id: &MessageId) -> Result<Option<(u64, ChatMessage)>, StoreError> {
        let found = self.messages.get(id);
        found
            .map(|(seq, bytes)| Ok((*seq, decode_message(bytes).map_err(corrupt)?)))
            .transpose()
    }

    /// Stores `message` at `seq`, its search terms replacing those of what was there.
    fn put_message(&mut self, seq: u64, message: &ChatMessage) -> Result<(), StoreError> {
        if let Some((old_seq, old)) = self.message(&message.id)? {
            for term in terms_of(&old) {
                if let Some(places) = self.terms.get_mut(&term) {
                    places.remove(&old_seq);
                    if places.is_empty() {
                        self.terms.remove(&term);
                    }
                }
            }
            self.indexed.remove(&old_seq);
        }
        let terms = terms_of(message);
        if !terms.is_empty() {
            self.indexed.insert(seq, message.id);
        }
        for term in terms {
            self.terms.entry(term).or_default().insert(seq);
        }
        let encoded = encode_message(message);
        self.messages.insert(message.id, (seq, encoded));
        Ok(())
    }

    /// The index's terms matching `term`, with their messages' places.
    fn matching<'a>(&'a self, term: &'a QueryTerm) -> impl Iterator<Item = &'a BTreeSet<u64>> + 'a {
        self.terms
            .range(term.text.clone()..)
            .take_while(move |(found, _)| found.starts_with(&term.text))
            .filter(move |(found, _)| term.matches(found))
            .map(|(_, places)| places)
    }

    /// The next insertion order number.
    fn next(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }
}

impl TermIndex for MemoryStore {
    async fn some_places(&self, term: &QueryTerm, cap: usize) -> Result<Vec<f64>, StoreError> {
        let inner = self.inner.borrow();
        let places = inner.matching(term).flatten().take(cap);
        Ok(places.map(|seq| *seq as f64).collect())
    }

    async fn newest_places(&self, term: &QueryTerm, cap: usize) -> Result<Vec<f64>, StoreError> {
        let inner = self.inner.borrow();
        // Newest first within each term, terms that sort last first, as the cap keeps.
        let places = inner
            .matching(term)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .flat_map(|set| set.iter().rev())
            .take(cap);
        Ok(places.map(|seq| *seq as f64).collect())
    }

    async fn longer_places(&self, text: &str, cap: usize) -> Result<Vec<f64>, StoreError> {
        let inner = self.inner.borrow();
        let after = (Bound::Excluded(text.to_owned()), Bound::Unbounded);
        let terms = inner.terms.range(after);
        let longer = terms.take_while(|(found, _)| found.starts_with(text));
        let places = longer.flat_map(|(_, places)| places).take(cap);
        Ok(places.map(|seq| *seq as f64).collect())
    }

    async fn load(
        &self,
        places: &[f64],
        chat: Option<&str>,
    ) -> Result<Vec<Option<ChatMessage>>, StoreError> {
        let inner = self.inner.borrow();
        let message = |place: &f64| -> Result<Option<ChatMessage>, StoreError> {
            // Places are whole numbers handed out by `next`.
            let Some(id) = inner.indexed.get(&(*place as u64)) else {
                return Ok(None);
            };
            let found = inner.message(id)?.map(|(_, message)| message);
            Ok(found.filter(|m| chat.is_none_or(|chat| m.chat.to_string() == chat)))
        };
        places.iter().map(message).collect()
    }
}

impl Store for MemoryStore {
    async fn account(&self) -> Result<Option<LocalAccount>, StoreError> {
        let inner = self.inner.borrow();
        let found = inner.account.as_ref();
        found
            .map(|bytes| decode_account(bytes).map_err(corrupt))
            .transpose()
    }

    async fn session(&self, peer: &DeviceAddress) -> Result<Option<SessionRecord>, StoreError> {
        let inner = self.inner.borrow();
        let key = (peer.account().to_owned(), peer.device());
        inner
            .sessions
            .get(&key)
            .map(|bytes| decode_session(bytes))
            .transpose()
    }

    async fn sessions_with(
        &self,
        account: &str,
    ) -> Result<Vec<(DeviceAddress, SessionRecord)>, StoreError> {
        let inner = self.inner.borrow();
        let from = (account.to_owned(), 0);
        let to = (account.to_owned(), u32::MAX);
        inner
            .sessions
            .range(from..=to)
            .map(|((name, device), bytes)| {
                let address = DeviceAddress::new(name.clone(), *device)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok((address, decode_session(bytes)?))
            })
            .collect()
    }

    async fn prekey(&self, id: u32) -> Result<Option<OneTimePreKeyPair>, StoreError> {
        let inner = self.inner.borrow();
        let found = inner.prekeys.get(&id);
        found
            .map(|bytes| OneTimePreKeyPair::from_bytes(bytes).map_err(corrupt))
            .transpose()
    }

    async fn message(&self, id: &MessageId) -> Result<Option<ChatMessage>, StoreError> {
        Ok(self.inner.borrow().message(id)?.map(|(_, m)| m))
    }

    async fn messages(
        &self,
        chat: &ChatId,
        before: Option<&MessageId>,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let inner = self.inner.borrow();
        let end = match before {
            Some(id) => match inner.message(id)? {
                Some((seq, m)) if m.chat == *chat => seq,
                _ => return Ok(Vec::new()),
            },
            None => u64::MAX,
        };
        let mut found: Vec<(u64, ChatMessage)> = (inner.all_messages()?.into_iter())
            .filter(|(seq, m)| m.chat == *chat && *seq < end)
            .collect();
        found.sort_by_key(|(seq, _)| *seq);
        let skip = found.len().saturating_sub(limit);
        Ok(found.into_iter().skip(skip).map(|(_, m)| m).collect())
    }

    async fn messages_after(
        &self,
        chat: &ChatId,
        after: &MessageId,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let inner = self.inner.borrow();
        let start = match inner.message(after)? {
            Some((seq, m)) if m.chat == *chat => seq,
            _ => return Ok(Vec::new()),
        };
        let mut found: Vec<(u64, ChatMessage)> = (inner.all_messages()?.into_iter())
            .filter(|(seq, m)| m.chat == *chat && *seq > start)
            .collect();
        found.sort_by_key(|(seq, _)| *seq);
        Ok(found.into_iter().take(limit).map(|(_, m)| m).collect())
    }

    async fn unread(&self, chat: &ChatId) -> Result<Vec<MessageId>, StoreError> {
        let inner = self.inner.borrow();
        Ok((inner.all_messages()?.into_iter())
            .filter(|(_, m)| m.chat == *chat && is_unread(m))
            .map(|(_, m)| m.id)
            .collect())
    }

    async fn verified(&self, account: &Username) -> Result<Option<[u8; 64]>, StoreError> {
        Ok(self.inner.borrow().verified.get(account).copied())
    }

    async fn profiles(&self) -> Result<Vec<(Username, ContactProfile)>, StoreError> {
        let inner = self.inner.borrow();
        Ok(inner
            .profiles
            .iter()
            .map(|(account, profile)| (account.clone(), profile.clone()))
            .collect())
    }

    async fn names(&self) -> Result<Vec<(Username, String)>, StoreError> {
        let inner = self.inner.borrow();
        Ok(inner
            .names
            .iter()
            .map(|(account, name)| (account.clone(), name.clone()))
            .collect())
    }

    async fn timers(&self) -> Result<Vec<(ChatId, ChatTimer)>, StoreError> {
        let inner = self.inner.borrow();
        (inner.timers.iter())
            .map(|(chat, bytes)| {
                let chat = ChatId::parse(chat).map_err(corrupt)?;
                Ok((chat, decode_timer(bytes).map_err(corrupt)?))
            })
            .collect()
    }

    async fn expired(&self, now_ms: u64, limit: usize) -> Result<Vec<MessageId>, StoreError> {
        let inner = self.inner.borrow();
        let mut expired = Vec::new();
        for (id, (_, bytes)) in &inner.messages {
            let message = decode_message(bytes).map_err(corrupt)?;
            let ran_out = message.meta.expires_ms.is_some_and(|at| at <= now_ms);
            if ran_out && message.kind != Kind::Hidden && expired.len() < limit {
                expired.push(*id);
            }
        }
        Ok(expired)
    }

    async fn starred(&self, limit: usize) -> Result<Vec<ChatMessage>, StoreError> {
        let inner = self.inner.borrow();
        let mut starred = Vec::new();
        for (_, bytes) in inner.messages.values() {
            let message = decode_message(bytes).map_err(corrupt)?;
            if message.meta.starred {
                starred.push(message);
            }
        }
        // Newest first, as the IndexedDB store's index on the time gives them.
        starred.sort_unstable_by_key(|m| std::cmp::Reverse((m.sent_ms, m.id)));
        starred.truncate(limit);
        Ok(starred)
    }

    async fn search(
        &self,
        query: &Query,
        chat: Option<&ChatId>,
        limit: usize,
    ) -> Result<Found, StoreError> {
        let chat = chat.map(ChatId::to_string);
        search::run(self, query, chat.as_deref(), limit).await
    }

    async fn muted(&self) -> Result<Vec<ChatId>, StoreError> {
        let inner = self.inner.borrow();
        inner
            .muted
            .iter()
            .map(|chat| ChatId::parse(chat).map_err(corrupt))
            .collect()
    }

    async fn pinned_devices(&self, account: &str) -> Result<Option<PinnedDevices>, StoreError> {
        self.inner
            .borrow()
            .pinned
            .get(account)
            .map(|bytes| decode_pinned(bytes).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
    }

    async fn group(&self, id: &[u8; 16]) -> Result<Option<GroupRecord>, StoreError> {
        let inner = self.inner.borrow();
        let found = inner.groups.get(id);
        found
            .map(|bytes| decode_group(bytes).map_err(corrupt))
            .transpose()
    }

    async fn groups(&self) -> Result<Vec<GroupRecord>, StoreError> {
        let inner = self.inner.borrow();
        let all = inner.groups.values();
        all.map(|bytes| decode_group(bytes).map_err(corrupt))
            .collect()
    }

    async fn chats(&self) -> Result<Vec<ChatSummary>, StoreError> {
        let mut ordered = self.inner.borrow().all_messages()?;
        ordered.sort_by_key(|(seq, _)| *seq);
        Ok(summarize(ordered.iter().map(|(_, m)| m)))
    }

    async fn chat_states(&self) -> Result<Vec<(ChatId, crate::model::ChatState)>, StoreError> {
        let inner = self.inner.borrow();
        (inner.chat_states.iter())
            .map(|(chat, bytes)| {
                let chat = ChatId::parse(chat).map_err(corrupt)?;
                let state = super::encoding::decode_chat_state(bytes).map_err(corrupt)?;
                Ok((chat, state))
            })
            .collect()
    }

    async fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let inner = self.inner.borrow();
        let mut entries: Vec<&(u64, Vec<u8>)> = inner.outbox.values().collect();
        entries.sort_by_key(|(seq, _)| *seq);
        (entries.into_iter())
            .map(|(_, bytes)| decode_outbox(bytes).map_err(corrupt))
            .collect()
    }

    async fn outbox_entry(&self, id: &MessageId) -> Result<Option<OutboxEntry>, StoreError> {
        let inner = self.inner.borrow();
        let found = inner.outbox.get(id);
        found
            .map(|(_, bytes)| decode_outbox(bytes).map_err(corrupt))
            .transpose()
    }

    async fn commit(&self, changes: Changes) -> Result<(), StoreError> {
        if self.fail_next_commit.replace(false) {
            return Err(StoreError::Backend("injected failure".to_owned()));
        }
        let mut inner = self.inner.borrow_mut();
        let inner = &mut *inner;
        if let Some(account) = changes.account {
            inner.account = Some(encode_account(&account));
        }
        for (peer, record) in changes.sessions {
            let key = (peer.account().to_owned(), peer.device());
            inner.sessions.insert(key, record.to_bytes());
        }
        for prekey in changes.new_prekeys {
            inner.prekeys.insert(prekey.id(), prekey.to_bytes());
        }
        for id in changes.used_prekeys {
            inner.prekeys.remove(&id);
        }
        for message in changes.messages {
            let seq = match inner.messages.get(&message.id) {
                Some((seq, _)) => *seq,
                None => inner.next(),
            };
            inner.put_message(seq, &message)?;
        }
        for message in changes.received {
            if !inner.messages.contains_key(&message.id) {
                let seq = inner.next();
                inner.put_message(seq, &message)?;
            }
        }
        for (id, status) in changes.statuses {
            if let Some((seq, mut message)) = inner.message(&id)? {
                if message.status.can_become(status) {
                    message.status = status;
                    inner.put_message(seq, &message)?;
                }
            }
        }
        for (id, reaction) in changes.reactions {
            if let Some((seq, mut message)) = inner.message(&id)? {
                if crate::model::add_reaction(&mut message.reactions, reaction) {
                    inner.put_message(seq, &message)?;
                }
            }
        }
        for (id, amendment) in changes.amendments {
            if let Some((seq, mut message)) = inner.message(&id)? {
                if crate::model::amend(&mut message, &amendment) {
                    inner.put_message(seq, &message)?;
                }
            }
        }
        for (chat, timer) in changes.timers {
            inner.timers.insert(chat.to_string(), encode_timer(&timer));
        }
        for entry in changes.outbox {
            let seq = match inner.outbox.get(&entry.id) {
                Some((seq, _)) => *seq,
                None => inner.next(),
            };
            inner.outbox.insert(entry.id, (seq, encode_outbox(&entry)));
        }
        for id in changes.outbox_done {
            inner.outbox.remove(&id);
        }
        for (account, key) in changes.verified {
            match key {
                Some(key) => inner.verified.insert(account, key),
                None => inner.verified.remove(&account),
            };
        }
        inner.names.extend(changes.names);
        inner.profiles.extend(changes.profiles);
        for (chat, muted) in changes.muted {
            let chat = chat.to_string();
            if muted {
                inner.muted.insert(chat);
            } else {
                inner.muted.remove(&chat);
            }
        }
        for pinned in changes.pinned_devices {
            inner
                .pinned
                .insert(pinned.list.account.clone(), encode_pinned(&pinned));
        }
        for group in changes.groups {
            inner.groups.insert(group.id(), encode_group(&group));
        }
        for (chat, state) in changes.chat_states {
            let bytes = super::encoding::encode_chat_state(&state);
            inner.chat_states.insert(chat.to_string(), bytes);
        }
        Ok(())
    }
}
