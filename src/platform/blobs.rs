//! Blobs through the relay: the history blob a device sends to one it links (`PUT`/`GET
//! /blobs/<id>`, `window.hushBlobs`), attachments uploaded in pieces (`/uploads/<id>`,
//! `window.hushUploads`) and downloaded a range at a time (`window.hushDownloads`), by
//! `pwa.js`.

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::files::FileBlob;

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

/// A request to the relay already on its way (the page sends it while the app goes on).
pub(crate) struct InFlight(Result<JsFuture, JsValue>);

/// Starts `window.<object>.<method>(argument)` now.
fn send(object: &str, method: &str, argument: &JsValue) -> InFlight {
    let promise = glue::call(object, method, argument).and_then(|p| p.dyn_into::<Promise>());
    InFlight(promise.map(JsFuture::from))
}

impl InFlight {
    async fn answer(self) -> Result<JsValue, JsValue> {
        self.0?.await
    }

    /// For an append: the relay's offset after it (which may be another when it held
    /// another), or None if the request failed.
    pub(crate) async fn offset(self) -> Option<u64> {
        offset_of(self.answer().await)
    }

    /// For a range: its bytes; Err(Gone) if the relay has no such blob, Err(Failed) if the
    /// request failed or the relay sent another length.
    pub(crate) async fn bytes(self) -> Result<Uint8Array, RangeError> {
        match self.answer().await {
            Ok(bytes) if bytes.is_null() => Err(RangeError::Gone),
            Ok(bytes) => bytes.dyn_into().map_err(|_| RangeError::Failed),
            Err(_) => Err(RangeError::Failed),
        }
    }
}

/// Why a range did not come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RangeError {
    /// The relay has no such blob (expired, or never committed).
    Gone,
    Failed,
}

/// Starts appending `piece` at `offset` of upload `id` (see [`InFlight::offset`]).
pub(crate) fn append(id: &[u8; 32], offset: u64, piece: &[u8]) -> InFlight {
    let argument = Array::of3(
        &hex(id),
        &JsValue::from_f64(offset as f64),
        &Uint8Array::from(piece),
    );
    send("hushUploads", "patch", &argument)
}

/// Starts downloading bytes `start..end` of blob `id` (see [`InFlight::bytes`]).
pub(crate) fn range(id: &[u8; 32], start: u64, end: u64) -> InFlight {
    let argument = Array::of3(
        &hex(id),
        &JsValue::from_f64(start as f64),
        &JsValue::from_f64(end as f64),
    );
    send("hushDownloads", "range", &argument)
}

/// `bytes` handed to the browser as a Blob (a downloaded file's next part).
pub(crate) fn part(bytes: &[u8]) -> Option<JsValue> {
    glue::call("hushDownloads", "part", &Uint8Array::from(bytes)).ok()
}

/// The parts made by [`part`], in order, as one Blob of type `mime`.
pub(crate) fn join(parts: &Array, mime: &str) -> Option<FileBlob> {
    let argument = Array::of2(parts, &JsValue::from_str(mime));
    FileBlob::from_js(glue::call("hushDownloads", "join", &argument).ok()?)
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
