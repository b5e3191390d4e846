//! The engine's [`Store`] in IndexedDB (through rexie), for the browser.
//!
//! Records are kept as the engine's own versioned encodings (`hush_client::store::encoding`),
//! wrapped in small objects only where an index needs a field. [`Store::commit`] writes a whole
//! [`Changes`] batch in one read-write transaction over every store: everything is encoded
//! first, and inside the transaction only IndexedDB requests are awaited, so the browser cannot
//! commit it half done. A tab closed mid-way leaves the previous state.

mod schema;

use hush_client::store::encoding::{
    decode_account, decode_group, decode_message, decode_outbox, decode_pinned, encode_account,
    encode_group, encode_message, encode_outbox, encode_pinned,
};
use hush_client::store::{
    group_chat, is_unread, Changes, ChatMessage, ChatSummary, GroupRecord, MessageId, OutboxEntry,
    PinnedDevices, Store, StoreError,
};
use hush_client::LocalAccount;
use hush_protocol::keys::OneTimePreKeyPair;
use hush_protocol::record::SessionRecord;
use hush_protocol::DeviceAddress;
use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, Object, Reflect, Uint8Array};
use rexie::{Direction, KeyRange, Rexie, TransactionMode, TransactionResult};
use wasm_bindgen::{JsCast, JsValue};

/// This browser's Hush database (the tabs and the service worker open the same one).
pub const DATABASE: &str = "hush";

/// A session with one device.
type Encoded = (DeviceAddress, SessionRecord);

/// The engine's store in one IndexedDB database.
pub struct IdbStore {
    db: Rexie,
    /// Every session with the accounts read so far, encoded as stored and as last committed.
    /// Whoever runs the engine (the tab holding the Web Lock, or the service worker instead of
    /// any tab) is the only writer while it runs, so what it committed is what is stored: a
    /// message sent or received then costs no read transaction (under load, the slowest step
    /// of either). Decoding is cheap, and keeping bytes keeps this code small.
    sessions: RefCell<Vec<(String, Vec<Encoded>)>>,
}

fn backend(e: rexie::Error) -> StoreError {
    StoreError::Backend(format!("{e:?}"))
}

fn corrupt(what: impl core::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn bytes_of(value: &JsValue) -> Result<Vec<u8>, StoreError> {
    value
        .dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or_else(|| corrupt("a stored value is not bytes"))
}

fn field(object: &JsValue, name: &str) -> Result<JsValue, StoreError> {
    Reflect::get(object, &JsValue::from_str(name))
        .map_err(|_| corrupt("a stored record lacks a field"))
}

fn hex(id: &MessageId) -> JsValue {
    let text: String = id.iter().map(|b| format!("{b:02x}")).collect();
    JsValue::from_str(&text)
}

fn session_key(peer: &DeviceAddress) -> JsValue {
    Array::of2(
        &JsValue::from_str(peer.account()),
        &JsValue::from(peer.device()),
    )
    .into()
}

fn object(fields: &[(&str, &JsValue)]) -> Result<JsValue, StoreError> {
    let object = Object::new();
    for (name, value) in fields {
        Reflect::set(&object, &JsValue::from_str(name), value)
            .map_err(|_| StoreError::Backend("cannot build a record".to_owned()))?;
    }
    Ok(object.into())
}

/// An outbox record `{id, bytes}`; [`place`] adds its `seq`.
fn outbox_record(id: &MessageId, bytes: &[u8]) -> Result<JsValue, StoreError> {
    object(&[("id", &hex(id)), ("bytes", &Uint8Array::from(bytes).into())])
}

/// A message record `{id, chat, bytes}`, plus `unread: chat` while it is unread (the field
/// the unread index holds); [`place`] adds its `seq`.
fn message_record(message: &ChatMessage) -> Result<JsValue, StoreError> {
    let chat = JsValue::from_str(&message.chat);
    let bytes: JsValue = Uint8Array::from(encode_message(message).as_slice()).into();
    let id = hex(&message.id);
    let mut fields = vec![("id", &id), ("chat", &chat), ("bytes", &bytes)];
    if is_unread(message) {
        fields.push((schema::UNREAD, &chat));
    }
    object(&fields)
}

/// Message records, built before a transaction opens.
fn records(messages: &[ChatMessage]) -> Result<Vec<(&ChatMessage, JsValue)>, StoreError> {
    messages
        .iter()
        .map(|m| Ok((m, message_record(m)?)))
        .collect()
}

/// Notes `message`, placed at `seq`, as its chat's newest.
fn newer<'a>(newest: &mut Vec<(&'a str, f64, MessageId)>, message: &'a ChatMessage, seq: f64) {
    newest.retain(|(chat, _, _)| *chat != message.chat);
    newest.push((&message.chat, seq, message.id));
}

/// Data for version 3, for databases written before it: the `unread` field on unread
/// messages and each chat's newest message. Runs once (then `data_version` says 3), in one
/// transaction; running it again would change nothing.
async fn migrate_v3(db: &Rexie) -> Result<(), StoreError> {
    let tx = db
        .transaction(
            &[schema::META, schema::MESSAGES, schema::CHATS],
            TransactionMode::ReadWrite,
        )
        .map_err(backend)?;
    let meta = tx.store(schema::META).map_err(backend)?;
    let version_key = JsValue::from_str(schema::DATA_VERSION);
    let done = meta.get(version_key.clone()).await.map_err(backend)?;
    if done.and_then(|v| v.as_f64()).is_some_and(|v| v >= 3.0) {
        return tx.done().await.map(drop).map_err(backend);
    }
    let messages = tx.store(schema::MESSAGES).map_err(backend)?;
    let all = messages.get_all(None, None).await.map_err(backend)?;
    let mut newest: Vec<(String, f64, MessageId)> = Vec::new();
    let mut rewritten = Vec::with_capacity(all.len());
    for old in &all {
        let message = decode_record(old)?;
        let seq = seq_of(old)?;
        match newest.iter_mut().find(|(chat, _, _)| *chat == message.chat) {
            Some(entry) if entry.1 < seq => *entry = (message.chat.clone(), seq, message.id),
            Some(_) => {}
            None => newest.push((message.chat.clone(), seq, message.id)),
        }
        let record = message_record(&message)?;
        place(&record, seq)?;
        rewritten.push(record);
    }
    let puts = rewritten.iter().map(|record| messages.put(record, None));
    for put in futures::future::join_all(puts).await {
        put.map_err(backend)?;
    }
    let chats = tx.store(schema::CHATS).map_err(backend)?;
    for (chat, seq, id) in &newest {
        chats
            .put(&chat_record(*seq, id)?, Some(&JsValue::from_str(chat)))
            .await
            .map_err(backend)?;
    }
    meta.put(&JsValue::from(3), Some(&version_key))
        .await
        .map_err(backend)?;
    match tx.done().await.map_err(backend)? {
        TransactionResult::Committed => Ok(()),
        TransactionResult::Aborted => Err(StoreError::Backend(
            "the browser aborted the version 3 migration".to_owned(),
        )),
    }
}

/// Sets a record's place in arrival order.
fn place(record: &JsValue, seq: f64) -> Result<(), StoreError> {
    Reflect::set(record, &JsValue::from_str("seq"), &JsValue::from_f64(seq))
        .map(drop)
        .map_err(|_| StoreError::Backend("cannot build a record".to_owned()))
}

/// A chat's record: where its newest message is.
fn chat_record(seq: f64, id: &MessageId) -> Result<JsValue, StoreError> {
    object(&[("seq", &JsValue::from_f64(seq)), ("id", &hex(id))])
}

fn seq_of(record: &JsValue) -> Result<f64, StoreError> {
    field(record, "seq")?
        .as_f64()
        .ok_or_else(|| corrupt("a stored record lacks its place"))
}

fn decode_record(record: &JsValue) -> Result<ChatMessage, StoreError> {
    decode_message(&bytes_of(&field(record, "bytes")?)?).map_err(corrupt)
}

fn decode_outbox_record(record: &JsValue) -> Result<OutboxEntry, StoreError> {
    decode_outbox(&bytes_of(&field(record, "bytes")?)?).map_err(corrupt)
}

impl IdbStore {
    /// Opens (creating or upgrading) the database `name`.
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        let db = schema::open(name).await.map_err(|e| {
            // Another tab already runs a newer build, which upgraded the database: this one
            // must not touch it (two builds never write at once).
            if format!("{e:?}").contains("VersionError") {
                StoreError::Backend(
                    "a newer version of Hush has updated this browser's data: reload to use it"
                        .to_owned(),
                )
            } else {
                backend(e)
            }
        })?;
        let store = Self {
            db,
            sessions: RefCell::default(),
        };
        migrate_v3(&store.db).await?;
        Ok(store)
    }

    /// [`IdbStore::open`] for callers that build the name on the fly.
    pub async fn open_owned(name: String) -> Result<Self, StoreError> {
        Self::open(&name).await
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

    /// Deletes the database `name` (all of this device's Hush data).
    pub async fn delete(name: &str) -> Result<(), StoreError> {
        Rexie::delete(name).await.map_err(backend)
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
        let found = self.get(schema::MESSAGES, hex(id)).await?;
        found.as_ref().map(decode_record).transpose()
    }

    async fn messages(
        &self,
        chat: &str,
        before: Option<&MessageId>,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let name = JsValue::from_str(chat);
        let tx = self
            .db
            .transaction(&[schema::MESSAGES], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let store = tx.store(schema::MESSAGES).map_err(backend)?;
        let end = match before {
            Some(id) => match store.get(hex(id)).await.map_err(backend)? {
                Some(found) if field(&found, "chat")?.as_string().as_deref() == Some(chat) => {
                    seq_of(&found)?
                }
                _ => return Ok(Vec::new()),
            },
            None => f64::MAX,
        };
        let range = KeyRange::bound(
            &Array::of2(&name, &JsValue::from(0)).into(),
            &Array::of2(&name, &JsValue::from_f64(end)).into(),
            None,
            Some(true),
        )
        .map_err(|e| backend(e.into()))?;
        let limit = u32::try_from(limit).unwrap_or(u32::MAX);
        let found = store
            .index(schema::MESSAGES_BY_CHAT)
            .map_err(backend)?
            .scan(Some(range), Some(limit), None, Some(Direction::Prev))
            .await
            .map_err(backend)?;
        tx.done().await.map_err(backend)?;
        let mut messages = found
            .iter()
            .map(|(_, value)| decode_record(value))
            .collect::<Result<Vec<_>, _>>()?;
        messages.reverse();
        Ok(messages)
    }

    async fn unread(&self, chat: &str) -> Result<Vec<MessageId>, StoreError> {
        let tx = self
            .db
            .transaction(&[schema::MESSAGES], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let only = KeyRange::only(&JsValue::from_str(chat)).map_err(|e| backend(e.into()))?;
        let found = tx
            .store(schema::MESSAGES)
            .map_err(backend)?
            .index(schema::MESSAGES_UNREAD)
            .map_err(backend)?
            .get_all(Some(only), None)
            .await
            .map_err(backend)?;
        tx.done().await.map_err(backend)?;
        found
            .iter()
            .map(|value| Ok(decode_record(value)?.id))
            .collect()
    }

    async fn verified(&self, account: &str) -> Result<Option<[u8; 64]>, StoreError> {
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
        let key = JsValue::from_str(&group_chat(id));
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

    async fn muted(&self) -> Result<Vec<String>, StoreError> {
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
                chat.as_string()
                    .ok_or_else(|| corrupt("a muted chat is not text"))
            })
            .collect()
    }

    async fn names(&self) -> Result<Vec<(String, String)>, StoreError> {
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
                    (Some(account), Some(name)) => Ok((account, name)),
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
                    chat: name.as_string().unwrap_or_default(),
                    last: decode_record(&last)?,
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
        let found = self.get(schema::OUTBOX, hex(id)).await?;
        found.as_ref().map(decode_outbox_record).transpose()
    }

    async fn commit(&self, changes: Changes) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        // Everything is encoded before the transaction opens: inside it, only IndexedDB
        // requests are awaited. Requests are placed in two rounds (every read, then every
        // write), not one round trip each: the browser runs them in order.
        let bytes = |b: &[u8]| -> JsValue { Uint8Array::from(b).into() };
        let account = changes.account.as_ref().map(|a| bytes(&encode_account(a)));
        let sessions: Vec<(JsValue, JsValue)> = changes
            .sessions
            .iter()
            .map(|(peer, record)| (session_key(peer), bytes(&record.to_bytes())))
            .collect();
        let prekeys: Vec<(JsValue, JsValue)> = changes
            .new_prekeys
            .iter()
            .map(|k| (JsValue::from(k.id()), bytes(&k.to_bytes())))
            .collect();
        let groups: Vec<(JsValue, JsValue)> = changes
            .groups
            .iter()
            .map(|g| {
                (
                    JsValue::from_str(&group_chat(&g.id())),
                    bytes(&encode_group(g)),
                )
            })
            .collect();
        let messages = records(&changes.messages)?;
        let received = records(&changes.received)?;
        let outbox = changes
            .outbox
            .iter()
            .map(|e| Ok((e.id, outbox_record(&e.id, &encode_outbox(e))?)))
            .collect::<Result<Vec<_>, StoreError>>()?;

        let tx = self
            .db
            .transaction(&schema::ALL, TransactionMode::ReadWrite)
            .map_err(backend)?;
        let store = |name: &str| tx.store(name).map_err(backend);
        let (account_store, sessions_store, prekeys_store) = (
            store(schema::ACCOUNT)?,
            store(schema::SESSIONS)?,
            store(schema::PREKEYS)?,
        );
        let (meta, messages_store, outbox_store) = (
            store(schema::META)?,
            store(schema::MESSAGES)?,
            store(schema::OUTBOX)?,
        );
        let (verified_store, chats_store, names_store) = (
            store(schema::VERIFIED)?,
            store(schema::CHATS)?,
            store(schema::NAMES)?,
        );
        let (muted_store, pinned_store, groups_store) = (
            store(schema::MUTED)?,
            store(schema::PINNED)?,
            store(schema::GROUPS)?,
        );

        // Round 1, reads: the arrival counter and what is stored under every id written.
        let seq_key = JsValue::from_str(schema::NEXT_SEQ);
        let message_ids = messages
            .iter()
            .chain(&received)
            .map(|(m, _)| m.id)
            .chain(changes.statuses.iter().map(|(id, _)| *id));
        let (next_seq, stored_messages, stored_outbox) = futures::future::join3(
            meta.get(seq_key.clone()),
            futures::future::join_all(message_ids.map(|id| messages_store.get(hex(&id)))),
            futures::future::join_all(outbox.iter().map(|(id, _)| outbox_store.get(hex(id)))),
        )
        .await;
        let stored = |found: rexie::Result<Option<JsValue>>| {
            found
                .map(|v| v.filter(|v| !v.is_undefined()))
                .map_err(backend)
        };
        let mut next_seq = stored(next_seq)?.and_then(|v| v.as_f64()).unwrap_or(1.0);
        let mut stored_messages = stored_messages.into_iter();
        let mut stored_outbox = stored_outbox.into_iter();

        // Deciding, without awaiting anything: places, repeats, statuses, each chat's newest.
        let mut puts: Vec<(&rexie::Store, JsValue, Option<JsValue>)> = Vec::new();
        let mut deletes: Vec<(&rexie::Store, JsValue)> = Vec::new();
        // Messages as this batch leaves them, with their place.
        let mut written: HashMap<MessageId, (ChatMessage, f64)> = HashMap::new();
        let mut newest: Vec<(&str, f64, MessageId)> = Vec::new();
        for (message, record) in &messages {
            // A replaced message keeps its place in the chat.
            let seq = match stored(stored_messages.next().unwrap_or(Ok(None)))? {
                Some(old) => seq_of(&old)?,
                None => {
                    next_seq += 1.0;
                    newer(&mut newest, message, next_seq);
                    next_seq
                }
            };
            place(record, seq)?;
            puts.push((&messages_store, record.clone(), None));
            written.insert(message.id, ((*message).clone(), seq));
        }
        for (message, record) in &received {
            // Only where no message has this id: a sender's repeat changes nothing.
            let known = stored(stored_messages.next().unwrap_or(Ok(None)))?.is_some();
            if known || written.contains_key(&message.id) {
                continue;
            }
            next_seq += 1.0;
            newer(&mut newest, message, next_seq);
            place(record, next_seq)?;
            puts.push((&messages_store, record.clone(), None));
            written.insert(message.id, ((*message).clone(), next_seq));
        }
        for (id, status) in &changes.statuses {
            let found = stored(stored_messages.next().unwrap_or(Ok(None)))?;
            let current = match written.remove(id) {
                Some(current) => Some(current),
                None => found
                    .map(|old| Ok::<_, StoreError>((decode_record(&old)?, seq_of(&old)?)))
                    .transpose()?,
            };
            let Some((mut message, seq)) = current else {
                continue;
            };
            if message.status.can_become(*status) {
                message.status = *status;
                let record = message_record(&message)?;
                place(&record, seq)?;
                puts.push((&messages_store, record, None));
            }
            written.insert(*id, (message, seq));
        }
        for ((_, record), found) in outbox.iter().zip(&mut stored_outbox) {
            let seq = match stored(found)? {
                Some(old) => seq_of(&old)?,
                None => {
                    next_seq += 1.0;
                    next_seq
                }
            };
            place(record, seq)?;
            puts.push((&outbox_store, record.clone(), None));
        }
        for (chat, seq, id) in newest {
            puts.push((
                &chats_store,
                chat_record(seq, &id)?,
                Some(JsValue::from_str(chat)),
            ));
        }
        if let Some(account) = account {
            let key = JsValue::from_str(schema::ACCOUNT_KEY);
            puts.push((&account_store, account, Some(key)));
        }
        for (key, value) in sessions {
            puts.push((&sessions_store, value, Some(key)));
        }
        for (key, value) in prekeys {
            puts.push((&prekeys_store, value, Some(key)));
        }
        for id in &changes.used_prekeys {
            deletes.push((&prekeys_store, JsValue::from(*id)));
        }
        for id in &changes.outbox_done {
            deletes.push((&outbox_store, hex(id)));
        }
        for (i, (account, key)) in changes.verified.iter().enumerate() {
            // The last change for an account is the one that holds.
            if changes.verified[i + 1..].iter().any(|(a, _)| a == account) {
                continue;
            }
            let account = JsValue::from_str(account);
            match key {
                Some(key) => puts.push((&verified_store, bytes(key), Some(account))),
                None => deletes.push((&verified_store, account)),
            }
        }
        for (account, name) in &changes.names {
            let (account, name) = (JsValue::from_str(account), JsValue::from_str(name));
            puts.push((&names_store, name, Some(account)));
        }
        for (i, (chat, muted)) in changes.muted.iter().enumerate() {
            // As for verified keys: a chat's last change holds.
            if changes.muted[i + 1..].iter().any(|(c, _)| c == chat) {
                continue;
            }
            let chat = JsValue::from_str(chat);
            match muted {
                true => puts.push((&muted_store, JsValue::TRUE, Some(chat))),
                false => deletes.push((&muted_store, chat)),
            }
        }
        for pinned in &changes.pinned_devices {
            let account = JsValue::from_str(&pinned.list.account);
            puts.push((&pinned_store, bytes(&encode_pinned(pinned)), Some(account)));
        }
        for (key, value) in groups {
            puts.push((&groups_store, value, Some(key)));
        }
        puts.push((&meta, JsValue::from_f64(next_seq), Some(seq_key)));

        // Round 2, writes: every put, then every delete (no key is both put and deleted).
        let (put_results, delete_results) = futures::future::join(
            futures::future::join_all(
                puts.iter()
                    .map(|(store, value, key)| store.put(value, key.as_ref())),
            ),
            futures::future::join_all(deletes.into_iter().map(|(store, key)| store.delete(key))),
        )
        .await;
        for result in put_results {
            result.map_err(backend)?;
        }
        for result in delete_results {
            result.map_err(backend)?;
        }
        match tx.done().await.map_err(backend)? {
            TransactionResult::Committed => {
                self.remember(changes.sessions);
                Ok(())
            }
            TransactionResult::Aborted => Err(StoreError::Backend(
                "the browser aborted the transaction; nothing was written".to_owned(),
            )),
        }
    }
}
