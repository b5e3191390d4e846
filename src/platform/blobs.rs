//! The history blob's trip through the relay when a device is linked: `PUT`/`GET /blobs/<id>`,
//! done by `pwa.js` (`window.hushBlobs`).

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;

use super::glue;

/// Uploads `blob` under `id`; whether the relay took it.
pub(crate) async fn put(id: &[u8; 32], blob: &[u8]) -> bool {
    let argument = Array::of2(
        &JsValue::from_str(&hush_protocol::hex::encode(id)),
        &Uint8Array::from(blob),
    );
    glue::call_async("hushBlobs", "put", &argument)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        == Some(true)
}

/// Downloads the blob `id` (None if it could not be fetched).
pub(crate) async fn get(id: &[u8; 32]) -> Option<Vec<u8>> {
    let id = JsValue::from_str(&hush_protocol::hex::encode(id));
    glue::call_async("hushBlobs", "get", &id)
        .await
        .ok()
        .map(|bytes| Uint8Array::new(&bytes).to_vec())
}
