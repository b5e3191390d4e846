//! Blobs through the relay: the history blob a device sends to one it links (`PUT`/`GET
//! /blobs/<id>`, `window.hushBlobs`), and attachments uploaded in pieces (`/uploads/<id>`,
//! `window.hushUploads`), by `pwa.js`.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;

use super::glue;

/// Uploads `blob` under `id` in one request; whether the relay took it.
pub(crate) async fn put(id: &[u8; 32], blob: &[u8]) -> bool {
    let argument = Array::of2(&hex(id), &Uint8Array::from(blob));
    glue::call_async("hushBlobs", "put", &argument)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        == Some(true)
}

/// Downloads the blob `id`, of at most `max` bytes (None if it could not be fetched, or the
/// relay says or sends more: it is not read past that).
pub(crate) async fn get(id: &[u8; 32], max: u64) -> Option<Vec<u8>> {
    let argument = Array::of2(&hex(id), &JsValue::from_f64(max as f64));
    glue::call_async("hushBlobs", "get", &argument)
        .await
        .ok()
        .map(|bytes| Uint8Array::new(&bytes).to_vec())
}

/// Appends `piece` at `offset` of upload `id`; the relay's offset after it (which may be
/// another when it held another), or None if the request failed.
pub(crate) async fn append(id: &[u8; 32], offset: u64, piece: &[u8]) -> Option<u64> {
    let argument = Array::of3(
        &hex(id),
        &JsValue::from_f64(offset as f64),
        &Uint8Array::from(piece),
    );
    offset_of(glue::call_async("hushUploads", "patch", &argument).await)
}

/// How many bytes the relay holds of upload `id` (None if it could not say).
pub(crate) async fn held(id: &[u8; 32]) -> Option<u64> {
    offset_of(glue::call_async("hushUploads", "held", &hex(id)).await)
}

/// Ends upload `id` at `length` bytes; whether the relay kept it as the blob.
pub(crate) async fn commit(id: &[u8; 32], length: u64) -> bool {
    let argument = Array::of2(&hex(id), &JsValue::from_f64(length as f64));
    glue::call_async("hushUploads", "commit", &argument)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        == Some(true)
}

fn hex(id: &[u8; 32]) -> JsValue {
    JsValue::from_str(&hush_protocol::hex::encode(id))
}

fn offset_of(answer: Result<JsValue, JsValue>) -> Option<u64> {
    let offset = answer.ok()?.as_f64()?;
    (offset >= 0.0 && offset.fract() == 0.0).then_some(offset as u64)
}
