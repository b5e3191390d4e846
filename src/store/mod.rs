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
    summarize, Changes, ChatMessage, ChatSummary, MessageId, OutboxEntry, Store, StoreError,
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

/// `{id, <index field>, seq, bytes}`.
fn record(
    id: &MessageId,
    chat: Option<&str>,
    seq: f64,
    bytes: &[u8],
) -> Result<JsValue, StoreError> {
    let object = Object::new();
    let set = |name: &str, value: &JsValue| {
        Reflect::set(&object, &JsValue::from_str(name), value)
            .map(drop)
            .map_err(|_| StoreError::Backend("cannot build a record".to_owned()))
    };
    set("id", &hex(id))?;
    if let Some(chat) = chat {
        set("chat", &JsValue::from_str(chat))?;
    }
    set("seq", &JsValue::from_f64(seq))?;
    set("bytes", &Uint8Array::from(bytes).into())?;
    Ok(object.into())
}

impl IdbStore {
    /// Opens (creating or upgrading) the database `name`.
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        Ok(Self {
            db: schema::open(name).await.map_err(backend)?,
        })
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

    async fn messages(&self, chat: &str, limit: usize) -> Result<Vec<ChatMessage>, StoreError> {
        let name = JsValue::from_str(chat);
        let range = KeyRange::bound(
            &Array::of2(&name, &JsValue::from(0)).into(),
            &Array::of2(&name, &JsValue::from_f64(f64::MAX)).into(),
            None,
            None,
        )
        .map_err(|e| backend(e.into()))?;
        let tx = self
            .db
            .transaction(&[schema::MESSAGES], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let limit = u32::try_from(limit).unwrap_or(u32::MAX);
        let found = tx
            .store(schema::MESSAGES)
            .map_err(backend)?
            .index(schema::MESSAGES_BY_CHAT)
            .map_err(backend)?
            .scan(Some(range), Some(limit), None, Some(Direction::Prev))
            .await
            .map_err(backend)?;
        tx.done().await.map_err(backend)?;
        let mut messages = found
            .into_iter()
            .map(|(_, value)| decode_message(&bytes_of(&field(&value, "bytes")?)?).map_err(corrupt))
            .collect::<Result<Vec<_>, _>>()?;
        messages.reverse();
        Ok(messages)
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
        // Every message, in arrival order: fine for now; a per-chat summary store can follow.
        let tx = self
            .db
            .transaction(&[schema::MESSAGES], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let found = tx
            .store(schema::MESSAGES)
            .map_err(backend)?
            .get_all(None, None)
            .await
            .map_err(backend)?;
        tx.done().await.map_err(backend)?;
        let mut messages = found
            .iter()
            .map(|value| {
                let seq = field(value, "seq")?.as_f64().unwrap_or(0.0);
                let message =
                    decode_message(&bytes_of(&field(value, "bytes")?)?).map_err(corrupt)?;
                Ok((seq, message))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        messages.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(summarize(messages.iter().map(|(_, m)| m)))
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
        let messages: Vec<(MessageId, String, Vec<u8>)> = changes
            .messages
            .iter()
            .map(|m| (m.id, m.chat.clone(), encode_message(m)))
            .collect();
        let received: Vec<(MessageId, String, Vec<u8>)> = changes
            .received
            .iter()
            .map(|m| (m.id, m.chat.clone(), encode_message(m)))
            .collect();
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
        for (id, chat, bytes) in messages {
            // A replaced message keeps its place in the chat.
            let seq = match messages_store.get(hex(&id)).await.map_err(backend)? {
                Some(old) if !old.is_undefined() => {
                    field(&old, "seq")?.as_f64().unwrap_or(next_seq)
                }
                _ => {
                    next_seq += 1.0;
                    next_seq
                }
            };
            messages_store
                .put(&record(&id, Some(&chat), seq, &bytes)?, None)
                .await
                .map_err(backend)?;
        }
        // A catch-up brings hundreds: all lookups are placed at once, then all writes (the
        // browser runs a transaction's requests in order), instead of a round trip each.
        let lookups = received
            .iter()
            .map(|(id, _, _)| messages_store.get(hex(id)));
        let found = futures::future::join_all(lookups).await;
        let mut writes = Vec::with_capacity(received.len());
        for ((id, chat, bytes), stored) in received.iter().zip(found) {
            if stored.map_err(backend)?.is_some_and(|v| !v.is_undefined()) {
                continue;
            }
            next_seq += 1.0;
            writes.push(record(id, Some(chat), next_seq, bytes)?);
        }
        let puts = writes.iter().map(|value| messages_store.put(value, None));
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
            let mut message =
                decode_message(&bytes_of(&field(&old, "bytes")?)?).map_err(corrupt)?;
            if !message.status.can_become(*status) {
                continue;
            }
            message.status = *status;
            let seq = field(&old, "seq")?.as_f64().unwrap_or(next_seq);
            messages_store
                .put(
                    &record(id, Some(&message.chat), seq, &encode_message(&message))?,
                    None,
                )
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
                .put(&record(&id, None, seq, &bytes)?, None)
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
