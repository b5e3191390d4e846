//! Media kept once downloaded and checked (`window.hushMedia` in `pwa.js`: a database of
//! their own, `hush-media`, Blobs by message id), so a photo or a file opens offline and at
//! once, and "Clear media" frees the space.

use hush_client::MessageId;
use js_sys::Array;
use wasm_bindgen::JsValue;

use super::files::FileBlob;
use super::glue;

fn key(id: &MessageId) -> JsValue {
    JsValue::from_str(&hush_protocol::hex::encode(id))
}

/// Keeps the file message `id` carries; whether it was kept (a full disk is no error here:
/// it is downloaded again next time).
pub(crate) async fn keep(id: &MessageId, mime: &str, blob: &FileBlob) -> bool {
    let argument = Array::of3(&key(id), &JsValue::from_str(mime), blob.as_js());
    glue::call_async("hushMedia", "put", &argument)
        .await
        .is_ok()
}

/// Where a contact's photo is kept for their notifications (the service worker reads it).
fn avatar_key(account: &str) -> JsValue {
    JsValue::from_str(&format!("avatar:{account}"))
}

/// Where a profile photo (the blob `blob`) is kept: apart from messages' media, whose keys
/// are bare ids (a sender chooses the blob id, so it must not name a message's media).
fn photo_key(blob: &[u8; 32]) -> JsValue {
    JsValue::from_str(&format!("photo:{}", hush_protocol::hex::encode(blob)))
}

/// Keeps `account`'s profile photo (the blob `id`), also for the service worker's
/// notifications.
pub(crate) async fn keep_photo(account: &str, id: &[u8; 32], mime: &str, blob: &FileBlob) {
    for key in [photo_key(id), avatar_key(account)] {
        let argument = Array::of3(&key, &JsValue::from_str(mime), blob.as_js());
        let _ = glue::call_async("hushMedia", "put", &argument).await;
    }
}

/// A `blob:` URL of the kept profile photo `id` (the caller frees it), if kept.
pub(crate) async fn photo_url(id: &[u8; 32]) -> Option<String> {
    glue::call_async("hushMedia", "url", &photo_key(id))
        .await
        .ok()?
        .as_string()
}

/// Forgets a kept profile photo (replaced), and `account`'s notification photo if it has none.
pub(crate) async fn forget_photo(account: Option<&str>, id: &[u8; 32]) {
    let _ = glue::call_async("hushMedia", "forget", &photo_key(id)).await;
    if let Some(account) = account {
        let _ = glue::call_async("hushMedia", "forget", &avatar_key(account)).await;
    }
}

/// A `blob:` URL of the kept file of message `id` (the caller frees it), if kept.
pub(crate) async fn url(id: &MessageId) -> Option<String> {
    glue::call_async("hushMedia", "url", &key(id))
        .await
        .ok()?
        .as_string()
}

/// The kept file of message `id`, if kept.
pub(crate) async fn blob(id: &MessageId) -> Option<FileBlob> {
    let found = glue::call_async("hushMedia", "blob", &key(id)).await.ok()?;
    FileBlob::from_js(found)
}

/// Each kept file's size, by key (a message id in hex, or `avatar:<account>`).
pub(crate) async fn sizes() -> Vec<(String, u64)> {
    let Ok(sizes) = glue::call_async("hushMedia", "sizes", &JsValue::UNDEFINED).await else {
        return Vec::new();
    };
    Array::from(&sizes)
        .iter()
        .filter_map(|pair| {
            let pair = Array::from(&pair);
            Some((pair.get(0).as_string()?, pair.get(1).as_f64()? as u64))
        })
        .collect()
}

/// Forgets the kept files under `keys` (hex message ids), as [`forget`] does one.
pub(crate) async fn forget_all(keys: &[String]) {
    for key in keys {
        let _ = glue::call_async("hushMedia", "forget", &JsValue::from_str(key)).await;
    }
}

/// Bytes kept in all.
pub(crate) async fn size() -> Option<u64> {
    let size = glue::call_async("hushMedia", "size", &JsValue::UNDEFINED)
        .await
        .ok()?
        .as_f64()?;
    Some(size as u64)
}

/// Forgets the kept file of message `id` (deleted or expired), if there is one.
pub(crate) async fn forget(id: &MessageId) {
    let _ = glue::call_async("hushMedia", "forget", &key(id)).await;
}

/// Forgets every kept file; whether it worked.
pub(crate) async fn clear() -> bool {
    glue::call_async("hushMedia", "clear", &JsValue::UNDEFINED)
        .await
        .is_ok()
}

/// Deletes the media database (the account is gone from this browser).
pub(crate) async fn remove() {
    let _ = glue::call_async("hushMedia", "remove", &JsValue::UNDEFINED).await;
}
