//! The engine's [`Store`] in IndexedDB (through rexie): the browser's storage adapter, the one
//! outside `platform/`.
//!
//! Records are kept as the engine's own versioned encodings, wrapped in small objects only
//! where an index needs a field (`records`). This file reads; [`Store::commit`] writes a whole
//! [`Changes`] batch in one read-write transaction (`commit`), as `plan` decides; `schema`
//! names every store and `migrations` brings an older database up to date.
//!
//! Natively only the pure parts build ([`plan`], [`schema`], [`OpenError`]), so the rules of a
//! commit are tested with the rest of the workspace.

mod error;
pub mod plan;
pub mod schema;

#[cfg(target_arch = "wasm32")]
mod commit;
#[cfg(target_arch = "wasm32")]
mod migrations;
#[cfg(target_arch = "wasm32")]
mod pages;
#[cfg(target_arch = "wasm32")]
mod records;
#[cfg(target_arch = "wasm32")]
mod search;
#[cfg(target_arch = "wasm32")]
mod starred;
#[cfg(target_arch = "wasm32")]
mod usage;

#[cfg(target_arch = "wasm32")]
pub use usage::ChatUsage;

pub use error::OpenError;
pub use schema::DATABASE;

#[cfg(target_arch = "wasm32")]
use {
    hush_client::model::{
        ChatMessage, ChatSummary, ChatTimer, GroupRecord, MessageId, OutboxEntry, PinnedDevices,
    },
    hush_client::search::{Found, Query},
    hush_client::store::encoding::{decode_account, decode_group, decode_pinned, decode_timer},
    hush_client::store::{Changes, Store, StoreError},
    hush_client::{ChatId, LocalAccount, Username},
    hush_protocol::keys::OneTimePreKeyPair,
    hush_protocol::record::SessionRecord,
    hush_protocol::DeviceAddress,
    js_sys::{Array, Reflect},
    records::{
        backend, bytes_of, corrupt, decode_message_record, decode_outbox_record, field, id_key,
        seq_of, session_key,
    },
    rexie::{KeyRange, Rexie, TransactionMode},
    std::cell::RefCell,
    wasm_bindgen::JsValue,
};

/// A session with one device.
#[cfg(target_arch = "wasm32")]
type Encoded = (DeviceAddress, SessionRecord);

/// The engine's store in one IndexedDB database.
#[cfg(target_arch = "wasm32")]
pub struct IdbStore {
    db: Rexie,
    /// Every session with the accounts read so far, encoded as stored and as last committed.
    /// Whoever runs the engine (the tab holding the Web Lock, or the service worker instead of
    /// any tab) is the only writer while it runs, so what it committed is what is stored: a
    /// message sent or received then costs no read transaction (under load, the slowest step
    /// of either). Decoding is cheap, and keeping bytes keeps this code small.
    sessions: RefCell<Vec<(String, Vec<Encoded>)>>,
    /// Whether commits keep the search index (always, but for a benchmark's reference).
    index_terms: bool,
}

#[cfg(target_arch = "wasm32")]
impl IdbStore {
    /// Opens (creating or upgrading) the database `name`. One that a newer build upgraded is
    /// refused ([`OpenError::SchemaTooNew`]) and left as it is.
    pub async fn open(name: &str) -> Result<Self, OpenError> {
        Ok(Self {
            db: migrations::open(name).await?,
            sessions: RefCell::default(),
            index_terms: true,
        })
    }

    /// The same store, committing without search index entries: only the search benchmark
    /// uses it, to measure what the index costs a catch-up in the same run.
    pub fn without_search_index(mut self) -> Self {
        self.index_terms = false;
        self
    }

    /// Sessions just committed replace the ones remembered (an account not read yet is read
    /// whole when first needed).
    fn remember(&self, committed: Vec<Encoded>) {
        let mut known = self.sessions.borrow_mut();
        for (peer, record) in committed {
            let Some((_, list)) = known.iter_mut().find(|(a, _)| a == peer.account()) else {
                continue;
            };
            // Kept in device order, as read.
            match list.binary_search_by(|(address, _)| address.cmp(&peer)) {
                Ok(at) => list[at].1 = record,
                Err(at) => list.insert(at, (peer, record)),
            }
        }
    }

    /// Every session with `account`, from the database.
    async fn read_sessions_with(&self, account: &str) -> Result<Vec<Encoded>, StoreError> {
        let name = JsValue::from_str(account);
        let range = KeyRange::bound(
            &Array::of2(&name, &JsValue::from(0)).into(),
            &Array::of2(&name, &JsValue::from(u32::MAX)).into(),
            None,
            None,
        )
        .map_err(|e| backend(e.into()))?;
        let tx = self
            .db
            .transaction(&[schema::SESSIONS], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let sessions = tx.store(schema::SESSIONS).map_err(backend)?;
        // Keys and values in two requests placed at once (a cursor would be a round trip per
        // session); both come in key order.
        let (keys, values) = futures::future::join(
            sessions.get_all_keys(Some(range.clone()), None),
            sessions.get_all(Some(range), None),
        )
        .await;
        tx.done().await.map_err(backend)?;
        let (keys, values) = (keys.map_err(backend)?, values.map_err(backend)?);
        if keys.len() != values.len() {
            return Err(corrupt("sessions changed while being read"));
        }
        keys.into_iter()
            .zip(values)
            .map(|(key, value)| {
                let device = Reflect::get(&key, &JsValue::from(1))
                    .ok()
                    .and_then(|d| d.as_f64())
                    .ok_or_else(|| corrupt("a session key lacks its device"))?;
                let address = DeviceAddress::new(account, device as u32).map_err(corrupt)?;
                let record = SessionRecord::from_bytes(&bytes_of(&value)?).map_err(corrupt)?;
                Ok((address, record))
            })
            .collect()
    }

    /// Closes the database (another version may then upgrade it).
    pub fn close(self) {
        self.db.close();
    }

    /// What this browser keeps per chat (Settings' Storage).
    pub async fn usage_by_chat(&self) -> Result<Vec<(ChatId, ChatUsage)>, StoreError> {
        usage::by_chat(&self.db).await
    }

    /// Deletes the database `name` (all of this device's Hush data).
    pub async fn delete(name: &str) -> Result<(), StoreError> {
        Rexie::delete(name).await.map_err(backend)
    }

    /// Up to `limit` message records of one of the messages' indexes, within `range`.
    async fn indexed(
        &self,
        index: &str,
        range: Option<KeyRange>,
        limit: Option<usize>,
    ) -> Result<Vec<JsValue>, StoreError> {
        let tx = self
            .db
            .transaction(&[schema::MESSAGES], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let limit = limit.map(|n| u32::try_from(n).unwrap_or(u32::MAX));
        let found = tx
            .store(schema::MESSAGES)
            .map_err(backend)?
            .index(index)
            .map_err(backend)?
            .get_all(range, limit)
            .await
            .map_err(backend)?;
        tx.done().await.map_err(backend)?;
        Ok(found)
    }

    /// Every record of a store keyed by chat, decoded.
    async fn by_chat<T>(
        &self,
        store: &str,
        decode: impl Fn(&[u8]) -> Result<T, StoreError>,
    ) -> Result<Vec<(ChatId, T)>, StoreError> {
        self.keyed(store, |chat| ChatId::parse(&chat).map_err(corrupt), decode)
            .await
    }

    /// Every record of a store keyed by text (`key` reads the key), decoded.
    async fn keyed<K, T>(
        &self,
        store: &str,
        key: impl Fn(String) -> Result<K, StoreError>,
        decode: impl Fn(&[u8]) -> Result<T, StoreError>,
    ) -> Result<Vec<(K, T)>, StoreError> {
        let tx = self
            .db
            .transaction(&[store], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let records = tx.store(store).map_err(backend)?;
        let pairs = records
            .scan(None, None, None, None)
            .await
            .map_err(backend)?;
        tx.done().await.map_err(backend)?;
        pairs
            .iter()
            .map(|(spelled, value)| {
                let spelled = spelled
                    .as_string()
                    .ok_or_else(|| corrupt(format!("a key of {store} is not text")))?;
                Ok((key(spelled)?, decode(&bytes_of(value)?)?))
            })
            .collect()
    }

    async fn get(&self, store: &str, key: JsValue) -> Result<Option<JsValue>, StoreError> {
        let tx = self
            .db
            .transaction(&[store], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let value = tx
            .store(store)
            .map_err(backend)?
            .get(key)
            .await
            .map_err(backend)?;
        tx.done().await.map_err(backend)?;
        Ok(value.filter(|v| !v.is_undefined()))
    }
}

#[cfg(target_arch = "wasm32")]
impl Store for IdbStore {
    async fn account(&self) -> Result<Option<LocalAccount>, StoreError> {
        match self
            .get(schema::ACCOUNT, JsValue::from_str(schema::ACCOUNT_KEY))
            .await?
        {
            Some(value) => decode_account(&bytes_of(&value)?)
                .map(Some)
                .map_err(corrupt),
            None => Ok(None),
        }
    }

    async fn session(&self, peer: &DeviceAddress) -> Result<Option<SessionRecord>, StoreError> {
        if let Some((_, known)) = self
            .sessions
            .borrow()
            .iter()
            .find(|(a, _)| a == peer.account())
        {
            return known
                .iter()
                .find(|(address, _)| address == peer)
                .map(|(_, record)| Ok(record.clone()))
                .transpose();
        }
        match self.get(schema::SESSIONS, session_key(peer)).await? {
            Some(value) => SessionRecord::from_bytes(&bytes_of(&value)?)
                .map(Some)
                .map_err(corrupt),
            None => Ok(None),
        }
    }

    async fn sessions_with(
        &self,
        account: &str,
    ) -> Result<Vec<(DeviceAddress, SessionRecord)>, StoreError> {
        if !self.sessions.borrow().iter().any(|(a, _)| a == account) {
            let read = self.read_sessions_with(account).await?;
            self.sessions.borrow_mut().push((account.to_owned(), read));
        }
        self.sessions
            .borrow()
            .iter()
            .find(|(a, _)| a == account)
            .map_or(Ok(Vec::new()), |(_, known)| Ok(known.clone()))
    }

    async fn prekey(&self, id: u32) -> Result<Option<OneTimePreKeyPair>, StoreError> {
        match self.get(schema::PREKEYS, JsValue::from(id)).await? {
            Some(value) => OneTimePreKeyPair::from_bytes(&bytes_of(&value)?)
                .map(Some)
                .map_err(corrupt),
            None => Ok(None),
        }
    }

    async fn message(&self, id: &MessageId) -> Result<Option<ChatMessage>, StoreError> {
        let found = self.get(schema::MESSAGES, id_key(id)).await?;
        found.as_ref().map(decode_message_record).transpose()
    }

    async fn messages(
        &self,
        chat: &ChatId,
        before: Option<&MessageId>,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let page = before.map_or(pages::Page::Newest, pages::Page::Before);
        pages::read(&self.db, chat, page, limit).await
    }

    async fn messages_after(
        &self,
        chat: &ChatId,
        after: &MessageId,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        pages::read(&self.db, chat, pages::Page::After(after), limit).await
    }

    async fn unread(&self, chat: &ChatId) -> Result<Vec<MessageId>, StoreError> {
        let only =
            KeyRange::only(&JsValue::from_str(&chat.to_string())).map_err(|e| backend(e.into()))?;
        let found = self
            .indexed(schema::MESSAGES_UNREAD, Some(only), None)
            .await?;
        found
            .iter()
            .map(|value| Ok(decode_message_record(value)?.id))
            .collect()
    }

    async fn verified(&self, account: &Username) -> Result<Option<[u8; 64]>, StoreError> {
        match self
            .get(schema::VERIFIED, JsValue::from_str(account))
            .await?
        {
            Some(value) => <[u8; 64]>::try_from(bytes_of(&value)?.as_slice())
                .map(Some)
                .map_err(|_| corrupt("a verified key is not 64 bytes")),
            None => Ok(None),
        }
    }

    async fn pinned_devices(&self, account: &str) -> Result<Option<PinnedDevices>, StoreError> {
        match self.get(schema::PINNED, JsValue::from_str(account)).await? {
            Some(value) => decode_pinned(&bytes_of(&value)?).map(Some).map_err(corrupt),
            None => Ok(None),
        }
    }

    async fn group(&self, id: &[u8; 16]) -> Result<Option<GroupRecord>, StoreError> {
        let key = JsValue::from_str(&ChatId::Group(*id).to_string());
        match self.get(schema::GROUPS, key).await? {
            Some(value) => decode_group(&bytes_of(&value)?).map(Some).map_err(corrupt),
            None => Ok(None),
        }
    }

    async fn groups(&self) -> Result<Vec<GroupRecord>, StoreError> {
        let tx = self
            .db
            .transaction(&[schema::GROUPS], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let values = tx
            .store(schema::GROUPS)
            .map_err(backend)?
            .get_all(None, None)
            .await
            .map_err(backend)?;
        tx.done().await.map_err(backend)?;
        values
            .iter()
            .map(|value| decode_group(&bytes_of(value)?).map_err(corrupt))
            .collect()
    }

    async fn muted(&self) -> Result<Vec<ChatId>, StoreError> {
        let tx = self
            .db
            .transaction(&[schema::MUTED], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let keys = tx
            .store(schema::MUTED)
            .map_err(backend)?
            .get_all_keys(None, None)
            .await
            .map_err(backend)?;
        tx.done().await.map_err(backend)?;
        // IndexedDB lists keys in order: sorted already.
        keys.iter()
            .map(|chat| {
                let chat = chat.as_string();
                let chat = chat.ok_or_else(|| corrupt("a muted chat is not text"))?;
                ChatId::parse(&chat).map_err(corrupt)
            })
            .collect()
    }

    async fn timers(&self) -> Result<Vec<(ChatId, ChatTimer)>, StoreError> {
        self.by_chat(schema::TIMERS, |bytes| decode_timer(bytes).map_err(corrupt))
            .await
    }

    async fn chat_states(
        &self,
    ) -> Result<Vec<(ChatId, hush_client::model::ChatState)>, StoreError> {
        use hush_client::store::encoding::decode_chat_state;
        self.by_chat(schema::CHAT_STATES, |bytes| {
            decode_chat_state(bytes).map_err(corrupt)
        })
        .await
    }

    async fn expired(&self, now_ms: u64, limit: usize) -> Result<Vec<MessageId>, StoreError> {
        let upto = KeyRange::upper_bound(&JsValue::from_f64(now_ms as f64), Some(false))
            .map_err(|e| backend(e.into()))?;
        let found = (self.indexed(schema::MESSAGES_EXPIRES, Some(upto), Some(limit))).await?;
        found
            .iter()
            .map(|value| Ok(decode_message_record(value)?.id))
            .collect()
    }

    async fn search(
        &self,
        query: &Query,
        chat: Option<&ChatId>,
        limit: usize,
    ) -> Result<Found, StoreError> {
        let chat = chat.map(ChatId::to_string);
        hush_client::search::run(&search::Terms(&self.db), query, chat.as_deref(), limit).await
    }

    async fn starred(&self, limit: usize) -> Result<Vec<ChatMessage>, StoreError> {
        starred::newest(&self.db, limit).await
    }

    async fn profiles(
        &self,
    ) -> Result<Vec<(Username, hush_client::model::ContactProfile)>, StoreError> {
        use hush_client::store::encoding::decode_profile;
        let account = |spelled: String| Username::new(spelled).map_err(corrupt);
        self.keyed(schema::PROFILES, account, |bytes| {
            decode_profile(bytes).map_err(corrupt)
        })
        .await
    }

    async fn names(&self) -> Result<Vec<(Username, String)>, StoreError> {
        let tx = self
            .db
            .transaction(&[schema::NAMES], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let names = tx.store(schema::NAMES).map_err(backend)?;
        let (keys, values) =
            futures::future::join(names.get_all_keys(None, None), names.get_all(None, None)).await;
        tx.done().await.map_err(backend)?;
        let (keys, values) = (keys.map_err(backend)?, values.map_err(backend)?);
        keys.iter()
            .zip(&values)
            .map(
                |(account, name)| match (account.as_string(), name.as_string()) {
                    (Some(account), Some(name)) => {
                        Ok((Username::new(account).map_err(corrupt)?, name))
                    }
                    _ => Err(corrupt("a stored name is not text")),
                },
            )
            .collect()
    }

    async fn chats(&self) -> Result<Vec<ChatSummary>, StoreError> {
        let tx = self
            .db
            .transaction(
                &[schema::CHATS, schema::MESSAGES],
                TransactionMode::ReadOnly,
            )
            .map_err(backend)?;
        let chats = tx
            .store(schema::CHATS)
            .map_err(backend)?
            .scan(None, None, None, None)
            .await
            .map_err(backend)?;
        let messages = tx.store(schema::MESSAGES).map_err(backend)?;
        let unread = messages.index(schema::MESSAGES_UNREAD).map_err(backend)?;
        // Per chat: its newest message and how many are unread, all requests placed at once.
        let lasts = chats
            .iter()
            .map(|(_, chat)| async { messages.get(field(chat, "id")?).await.map_err(backend) });
        let counts = chats.iter().map(|(name, _)| async {
            let only = KeyRange::only(name).map_err(|e| backend(e.into()))?;
            unread.count(Some(only)).await.map_err(backend)
        });
        let (lasts, counts) = futures::future::join(
            futures::future::join_all(lasts),
            futures::future::join_all(counts),
        )
        .await;
        tx.done().await.map_err(backend)?;
        let mut summaries = Vec::with_capacity(chats.len());
        for (((name, chat), last), count) in chats.iter().zip(lasts).zip(counts) {
            let last = last?.ok_or_else(|| corrupt("a chat's newest message is missing"))?;
            summaries.push((
                seq_of(chat)?,
                ChatSummary {
                    chat: ChatId::parse(&name.as_string().unwrap_or_default()).map_err(corrupt)?,
                    last: decode_message_record(&last)?,
                    unread: count?,
                },
            ));
        }
        summaries.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
        Ok(summaries.into_iter().map(|(_, summary)| summary).collect())
    }

    async fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let tx = self
            .db
            .transaction(&[schema::OUTBOX], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let found = tx
            .store(schema::OUTBOX)
            .map_err(backend)?
            .index(schema::OUTBOX_BY_SEQ)
            .map_err(backend)?
            .get_all(None, None)
            .await
            .map_err(backend)?;
        tx.done().await.map_err(backend)?;
        found.iter().map(decode_outbox_record).collect()
    }

    async fn outbox_entry(&self, id: &MessageId) -> Result<Option<OutboxEntry>, StoreError> {
        let found = self.get(schema::OUTBOX, id_key(id)).await?;
        found.as_ref().map(decode_outbox_record).transpose()
    }

    async fn commit(&self, changes: Changes) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        commit::commit(&self.db, &changes, self.index_terms).await?;
        self.remember(changes.sessions);
        Ok(())
    }
}
