//! How records look in IndexedDB: the engine's own versioned encodings
//! (`hush_client::store::encoding`) as bytes, wrapped in small objects only where an index
//! needs a field. Reading them back, and building them from a commit's [`Record`]s.

use hush_client::model::{is_unread, ChatMessage, MessageId, OutboxEntry};
use hush_client::store::encoding::{
    decode_message, decode_outbox, encode_account, encode_group, encode_message, encode_outbox,
    encode_pinned, encode_timer,
};
use hush_client::store::StoreError;
use hush_protocol::DeviceAddress;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use super::plan::{Key, Record, Stored};
use super::schema;

/// A failure of IndexedDB itself.
pub(super) fn backend(e: rexie::Error) -> StoreError {
    StoreError::Backend(format!("{e:?}"))
}

/// Stored data that does not read back.
pub(super) fn corrupt(what: impl core::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// The bytes of a stored value.
pub(super) fn bytes_of(value: &JsValue) -> Result<Vec<u8>, StoreError> {
    value
        .dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or_else(|| corrupt("a stored value is not bytes"))
}

/// A field of a stored record.
pub(super) fn field(object: &JsValue, name: &str) -> Result<JsValue, StoreError> {
    Reflect::get(object, &JsValue::from_str(name))
        .map_err(|_| corrupt("a stored record lacks a field"))
}

/// A message's or an outbox entry's key: its id in hex.
pub(super) fn id_key(id: &MessageId) -> JsValue {
    JsValue::from_str(&hush_protocol::hex::encode(id))
}

/// A session's key: `[account, device]`.
pub(super) fn session_key(peer: &DeviceAddress) -> JsValue {
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

fn bytes(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).into()
}

/// A message record `{id, chat, seq, bytes}`, plus `unread: chat` while it is unread (the
/// field the unread index holds).
pub(super) fn message_record(message: &ChatMessage, seq: f64) -> Result<JsValue, StoreError> {
    let chat = JsValue::from_str(&message.chat.to_string());
    let encoded = bytes(&encode_message(message));
    let (id, seq) = (id_key(&message.id), JsValue::from_f64(seq));
    let mut fields = vec![
        ("id", &id),
        ("chat", &chat),
        ("seq", &seq),
        ("bytes", &encoded),
    ];
    if is_unread(message) {
        fields.push((schema::UNREAD, &chat));
    }
    let expires = (message.meta.expires_ms)
        .filter(|_| message.kind != hush_client::Kind::Hidden)
        .map(|at| JsValue::from_f64(at as f64));
    if let Some(expires) = &expires {
        fields.push((schema::EXPIRES, expires));
    }
    // The message's time, so the index lists the newest stars first.
    let starred_at = JsValue::from_f64(message.sent_ms as f64);
    if message.meta.starred {
        fields.push((schema::STARRED, &starred_at));
    }
    object(&fields)
}

/// An outbox record `{id, seq, bytes}`.
fn outbox_record(entry: &OutboxEntry, seq: f64) -> Result<JsValue, StoreError> {
    object(&[
        ("id", &id_key(&entry.id)),
        ("seq", &JsValue::from_f64(seq)),
        ("bytes", &bytes(&encode_outbox(entry))),
    ])
}

/// A chat's record: where its newest message is.
pub(super) fn chat_record(seq: f64, newest: &MessageId) -> Result<JsValue, StoreError> {
    object(&[("seq", &JsValue::from_f64(seq)), ("id", &id_key(newest))])
}

/// A record's place in arrival order.
pub(super) fn seq_of(record: &JsValue) -> Result<f64, StoreError> {
    field(record, "seq")?
        .as_f64()
        .ok_or_else(|| corrupt("a stored record lacks its place"))
}

/// The message a message record holds.
pub(super) fn decode_message_record(record: &JsValue) -> Result<ChatMessage, StoreError> {
    decode_message(&bytes_of(&field(record, "bytes")?)?).map_err(corrupt)
}

/// The entry an outbox record holds.
pub(super) fn decode_outbox_record(record: &JsValue) -> Result<OutboxEntry, StoreError> {
    decode_outbox(&bytes_of(&field(record, "bytes")?)?).map_err(corrupt)
}

impl Stored for JsValue {
    fn seq(&self) -> Result<f64, StoreError> {
        seq_of(self)
    }

    fn message(&self) -> Result<ChatMessage, StoreError> {
        decode_message_record(self)
    }
}

/// A message's search index record `{seq, id, chat, terms}` (its key: `seq`, the message's
/// place).
pub(super) fn search_record(
    seq: f64,
    id: &MessageId,
    chat: &str,
    terms: &[String],
) -> Result<JsValue, StoreError> {
    let terms: Array = terms.iter().map(|t| JsValue::from_str(t)).collect();
    object(&[
        ("seq", &JsValue::from_f64(seq)),
        ("id", &id_key(id)),
        ("chat", &JsValue::from_str(chat)),
        (schema::SEARCH_TERMS, &terms.into()),
    ])
}

/// A planned key as IndexedDB takes it.
pub(super) fn key(key: &Key<'_>) -> JsValue {
    match key {
        Key::Text(text) => JsValue::from_str(text),
        Key::Prekey(id) => JsValue::from(*id),
        Key::Session(peer) => session_key(peer),
        Key::Place(seq) => JsValue::from_f64(*seq),
    }
}

/// A planned record as IndexedDB stores it.
pub(super) fn value(record: &Record<'_>) -> Result<JsValue, StoreError> {
    Ok(match record {
        Record::Message { message, seq } => message_record(message, *seq)?,
        Record::Outbox { entry, seq } => outbox_record(entry, *seq)?,
        Record::Chat { seq, newest } => chat_record(*seq, newest)?,
        Record::Account(account) => bytes(&encode_account(account)),
        Record::Session(session) => bytes(&session.to_bytes()),
        Record::Prekey(prekey) => bytes(&prekey.to_bytes()),
        Record::Verified(key) => bytes(key.as_slice()),
        Record::Name(name) => JsValue::from_str(name),
        Record::Profile(profile) => bytes(&hush_client::store::encoding::encode_profile(profile)),
        Record::Muted => JsValue::TRUE,
        Record::Timer(timer) => bytes(&encode_timer(timer)),
        Record::ChatState(state) => bytes(&hush_client::store::encoding::encode_chat_state(state)),
        Record::Pinned(pinned) => bytes(&encode_pinned(pinned)),
        Record::Group(group) => bytes(&encode_group(group)),
        Record::NextSeq(seq) => JsValue::from_f64(*seq),
        Record::Search {
            seq,
            id,
            chat,
            terms,
        } => search_record(*seq, id, chat, terms)?,
    })
}
