//! Uploads under way, kept in IndexedDB (`window.hushPending` in `pwa.js`: a database of its
//! own, `hush-pending`) so that a reload or a closed tab resumes them: the picked file (a
//! Blob, which IndexedDB keeps), its key, the chat and what its message will carry. A record
//! goes once its message is sent or the upload is cancelled.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;

use super::files::FileBlob;
use super::glue;

/// An upload to resume: everything its message needs but the SHA-256 (which resuming
/// computes again from the file).
pub(crate) struct Pending {
    /// The relay's upload id (also the blob's).
    pub(crate) id: [u8; 32],
    /// The chat, as spelled (`ChatId::parse`).
    pub(crate) chat: String,
    /// The attachment key and nonce prefix (`AttachmentKey::to_bytes`).
    pub(crate) key: Vec<u8>,
    pub(crate) file: FileBlob,
    pub(crate) name: String,
    pub(crate) mime: String,
    pub(crate) caption: String,
    pub(crate) dimensions: Option<(u32, u32)>,
    pub(crate) thumbnail: Vec<u8>,
    pub(crate) duration_ms: Option<u32>,
    pub(crate) waveform: Vec<u8>,
    /// For a file uploaded again to be forwarded: the message forwarded and its chats (as
    /// spelled), so a resumed copy still goes as that forward.
    pub(crate) forward: Option<([u8; 16], Vec<String>)>,
}

fn key_of(id: &[u8; 32]) -> JsValue {
    JsValue::from_str(&hush_protocol::hex::encode(id))
}

fn number(value: Option<u32>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from)
}

fn small(value: JsValue) -> Option<u32> {
    value
        .as_f64()
        .filter(|v| *v >= 0.0 && *v <= f64::from(u32::MAX) && v.fract() == 0.0)
        .map(|v| v as u32)
}

/// Keeps `pending` (replacing a record of the same upload); whether it was kept.
pub(crate) async fn keep(pending: &Pending) -> bool {
    let (width, height) = pending.dimensions.unzip();
    let record: Array = [
        JsValue::from_str(&pending.chat),
        Uint8Array::from(pending.key.as_slice()).into(),
        pending.file.as_js().clone(),
        JsValue::from_str(&pending.name),
        JsValue::from_str(&pending.mime),
        JsValue::from_str(&pending.caption),
        number(width),
        number(height),
        Uint8Array::from(pending.thumbnail.as_slice()).into(),
        number(pending.duration_ms),
        Uint8Array::from(pending.waveform.as_slice()).into(),
        pending.forward.as_ref().map_or(JsValue::NULL, |(id, _)| {
            JsValue::from_str(&hush_protocol::hex::encode(id))
        }),
        pending
            .forward
            .as_ref()
            .map_or(JsValue::NULL, |(_, chats)| {
                chats
                    .iter()
                    .map(|chat| JsValue::from_str(chat))
                    .collect::<Array>()
                    .into()
            }),
    ]
    .into_iter()
    .collect();
    let argument = Array::of2(&key_of(&pending.id), &record);
    glue::call_async("hushPending", "put", &argument)
        .await
        .is_ok()
}

/// Every upload kept (a record this build cannot read is left out).
pub(crate) async fn all() -> Vec<Pending> {
    let Ok(found) = glue::call_async("hushPending", "all", &JsValue::UNDEFINED).await else {
        return Vec::new();
    };
    Array::from(&found)
        .iter()
        .filter_map(|entry| read(&Array::from(&entry)))
        .collect()
}

/// One `[id, record]` entry of [`all`].
fn read(entry: &Array) -> Option<Pending> {
    let id = hush_protocol::hex::decode::<32>(&entry.get(0).as_string()?)?;
    let record = Array::from(&entry.get(1));
    let bytes = |at: u32| Uint8Array::new(&record.get(at)).to_vec();
    let text = |at: u32| record.get(at).as_string();
    Some(Pending {
        id,
        chat: text(0)?,
        key: bytes(1),
        file: FileBlob::from_js(record.get(2))?,
        name: text(3)?,
        mime: text(4)?,
        caption: text(5)?,
        dimensions: small(record.get(6)).zip(small(record.get(7))),
        thumbnail: bytes(8),
        duration_ms: small(record.get(9)),
        waveform: bytes(10),
        forward: forward_of(&record)?,
    })
}

/// A record's forward (at 11 and 12): `Some(None)` for none (records kept before forwards
/// were have neither field), `None` for a damaged one (one field without the other, an id or
/// a chat that is not one, no chat at all), which drops the record rather than send its file
/// as something it was not.
fn forward_of(record: &Array) -> Option<Option<([u8; 16], Vec<String>)>> {
    let (id, chats) = (record.get(11), record.get(12));
    if id.is_null_or_undefined() && chats.is_null_or_undefined() {
        return Some(None);
    }
    let id = hush_protocol::hex::decode::<16>(&id.as_string()?)?;
    if !Array::is_array(&chats) {
        return None;
    }
    let chats: Vec<String> = Array::from(&chats)
        .iter()
        .map(|c| c.as_string())
        .collect::<Option<_>>()?;
    (!chats.is_empty()).then_some(Some((id, chats)))
}

/// Forgets upload `id` (sent or cancelled).
pub(crate) async fn forget(id: &[u8; 32]) {
    let _ = glue::call_async("hushPending", "remove", &key_of(id)).await;
}

/// Deletes the pending uploads' database (the account is gone from this browser).
pub(crate) async fn remove() {
    let _ = glue::call_async("hushPending", "remove_all", &JsValue::UNDEFINED).await;
}
