//! The engine's [`Store`] in IndexedDB (through rexie), for the browser.
//!
//! Records are kept as the engine's own versioned encodings (`hush_client::store::encoding`),
//! wrapped in small objects only where an index needs a field. [`Store::commit`] writes a whole
//! [`Changes`] batch in one read-write transaction over every store: everything is encoded
//! first, and inside the transaction only IndexedDB requests are awaited, so the browser cannot
//! commit it half done. A tab closed mid-way leaves the previous state.

mod schema;

use hush_client::store::encoding::{
    decode_account, decode_message, decode_outbox, encode_account, encode_message, encode_outbox,
};
use hush_client::store::{
    is_unread, Changes, ChatMessage, ChatSummary, MessageId, OutboxEntry, Store, StoreError,
};
use hush_client::LocalAccount;
use hush_protocol::keys::OneTimePreKeyPair;
use hush_protocol::record::SessionRecord;
use hush_protocol::DeviceAddress;
use js_sys::{Array, Object, Reflect, Uint8Array};
use rexie::{Direction, KeyRange, Rexie, TransactionMode, TransactionResult};
use wasm_bindgen::{JsCast, JsValue};

/// The engine's store in one IndexedDB database.
pub struct IdbStore {
    db: Rexie,
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

/// An outbox record `{id, seq, bytes}`.
fn outbox_record(id: &MessageId, seq: f64, bytes: &[u8]) -> Result<JsValue, StoreError> {
    object(&[
        ("id", &hex(id)),
        ("seq", &JsValue::from_f64(seq)),
        ("bytes", &Uint8Array::from(bytes).into()),
    ])
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

impl IdbStore {
    /// Opens (creating or upgrading) the database `name`.
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        let store = Self {
            db: schema::open(name).await.map_err(backend)?,
        };
        migrate_v3(&store.db).await?;
        Ok(store)
    }

    /// [`IdbStore::open`] for callers that build the name on the fly.
    pub async fn open_owned(name: String) -> Result<Self, StoreError> {
        Self::open(&name).await
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
        let found = tx
            .store(schema::SESSIONS)
            .map_err(backend)?
            .scan(Some(range), None, None, None)
            .await
            .map_err(backend)?;
        tx.done().await.map_err(backend)?;
        found
            .into_iter()
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

    async fn prekey(&self, id: u32) -> Result<Option<OneTimePreKeyPair>, StoreError> {
        match self.get(schema::PREKEYS, JsValue::from(id)).await? {
            Some(value) => OneTimePreKeyPair::from_bytes(&bytes_of(&value)?)
                .map(Some)
                .map_err(corrupt),
            None => Ok(None),
        }
    }

    async fn message(&self, id: &MessageId) -> Result<Option<ChatMessage>, StoreError> {
        match self.get(schema::MESSAGES, hex(id)).await? {
            Some(value) => decode_message(&bytes_of(&field(&value, "bytes")?)?)
                .map(Some)
                .map_err(corrupt),
            None => Ok(None),
        }
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
        summaries.sort_by(|a, b| b.0.total_cmp(&a.0));
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
        found
            .iter()
            .map(|value| decode_outbox(&bytes_of(&field(value, "bytes")?)?).map_err(corrupt))
            .collect()
    }

    async fn commit(&self, changes: Changes) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        // Everything is encoded before the transaction opens: inside it, only IndexedDB
        // requests are awaited.
        let account = changes
            .account
            .as_ref()
            .map(|a| Uint8Array::from(encode_account(a).as_slice()));
        let sessions: Vec<(JsValue, Uint8Array)> = changes
            .sessions
            .iter()
            .map(|(peer, record)| {
                (
                    session_key(peer),
                    Uint8Array::from(record.to_bytes().as_slice()),
                )
            })
            .collect();
        let prekeys: Vec<(JsValue, Uint8Array)> = changes
            .new_prekeys
            .iter()
            .map(|k| {
                (
                    JsValue::from(k.id()),
                    Uint8Array::from(k.to_bytes().as_slice()),
                )
            })
            .collect();
        let messages = records(&changes.messages)?;
        let received = records(&changes.received)?;
        let outbox: Vec<(MessageId, Vec<u8>)> = changes
            .outbox
            .iter()
            .map(|e| (e.id, encode_outbox(e)))
            .collect();

        let tx = self
            .db
            .transaction(&schema::ALL, TransactionMode::ReadWrite)
            .map_err(backend)?;
        let store = |name: &str| tx.store(name).map_err(backend);
        if let Some(account) = account {
            store(schema::ACCOUNT)?
                .put(
                    &account.into(),
                    Some(&JsValue::from_str(schema::ACCOUNT_KEY)),
                )
                .await
                .map_err(backend)?;
        }
        let sessions_store = store(schema::SESSIONS)?;
        for (key, value) in sessions {
            sessions_store
                .put(&value.into(), Some(&key))
                .await
                .map_err(backend)?;
        }
        let prekeys_store = store(schema::PREKEYS)?;
        for (key, value) in prekeys {
            prekeys_store
                .put(&value.into(), Some(&key))
                .await
                .map_err(backend)?;
        }
        for id in &changes.used_prekeys {
            prekeys_store
                .delete(JsValue::from(*id))
                .await
                .map_err(backend)?;
        }

        let meta = store(schema::META)?;
        let seq_key = JsValue::from_str(schema::NEXT_SEQ);
        let mut next_seq = meta
            .get(seq_key.clone())
            .await
            .map_err(backend)?
            .and_then(|v| v.as_f64())
            .unwrap_or(1.0);
        let messages_store = store(schema::MESSAGES)?;
        // Each chat's newest message, where this batch added one.
        let mut newest: Vec<(&str, f64, MessageId)> = Vec::new();
        for (message, record) in &messages {
            // A replaced message keeps its place in the chat.
            let seq = match messages_store
                .get(hex(&message.id))
                .await
                .map_err(backend)?
            {
                Some(old) if !old.is_undefined() => seq_of(&old)?,
                _ => {
                    next_seq += 1.0;
                    newer(&mut newest, message, next_seq);
                    next_seq
                }
            };
            place(record, seq)?;
            messages_store.put(record, None).await.map_err(backend)?;
        }
        // A catch-up brings hundreds: all lookups are placed at once, then all writes (the
        // browser runs a transaction's requests in order), instead of a round trip each.
        let lookups = received
            .iter()
            .map(|(message, _)| messages_store.get(hex(&message.id)));
        let found = futures::future::join_all(lookups).await;
        let mut writes = Vec::with_capacity(received.len());
        for ((message, record), stored) in received.iter().zip(found) {
            if stored.map_err(backend)?.is_some_and(|v| !v.is_undefined()) {
                continue;
            }
            next_seq += 1.0;
            newer(&mut newest, message, next_seq);
            place(record, next_seq)?;
            writes.push(record);
        }
        let puts = writes.iter().map(|record| messages_store.put(record, None));
        for put in futures::future::join_all(puts).await {
            put.map_err(backend)?;
        }
        for (id, status) in &changes.statuses {
            let Some(old) = messages_store.get(hex(id)).await.map_err(backend)? else {
                continue;
            };
            if old.is_undefined() {
                continue;
            }
            let mut message = decode_record(&old)?;
            if !message.status.can_become(*status) {
                continue;
            }
            message.status = *status;
            let record = message_record(&message)?;
            place(&record, seq_of(&old)?)?;
            messages_store.put(&record, None).await.map_err(backend)?;
        }
        let chats_store = store(schema::CHATS)?;
        for (chat, seq, id) in newest {
            chats_store
                .put(&chat_record(seq, &id)?, Some(&JsValue::from_str(chat)))
                .await
                .map_err(backend)?;
        }
        let outbox_store = store(schema::OUTBOX)?;
        for (id, bytes) in outbox {
            let seq = match outbox_store.get(hex(&id)).await.map_err(backend)? {
                Some(old) if !old.is_undefined() => {
                    field(&old, "seq")?.as_f64().unwrap_or(next_seq)
                }
                _ => {
                    next_seq += 1.0;
                    next_seq
                }
            };
            outbox_store
                .put(&outbox_record(&id, seq, &bytes)?, None)
                .await
                .map_err(backend)?;
        }
        for id in &changes.outbox_done {
            outbox_store.delete(hex(id)).await.map_err(backend)?;
        }
        let verified = store(schema::VERIFIED)?;
        for (account, key) in &changes.verified {
            let account = JsValue::from_str(account);
            match key {
                Some(key) => {
                    verified
                        .put(&Uint8Array::from(key.as_slice()).into(), Some(&account))
                        .await
                        .map_err(backend)?;
                }
                None => verified.delete(account).await.map_err(backend)?,
            }
        }
        meta.put(&JsValue::from_f64(next_seq), Some(&seq_key))
            .await
            .map_err(backend)?;
        match tx.done().await.map_err(backend)? {
            TransactionResult::Committed => Ok(()),
            TransactionResult::Aborted => Err(StoreError::Backend(
                "the browser aborted the transaction; nothing was written".to_owned(),
            )),
        }
    }
}
