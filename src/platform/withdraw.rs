//! Withdrawing notifications (issue 21): a message deleted for everyone, deleted for me or
//! expired takes its notification with it. Each notification lists the ids of the messages it
//! announces (`data.ids`, hex); the service worker closes it once none is left, or shows it
//! again without the gone message's words while others remain (`public/sw.js`).

use hush_client::{ChatId, MessageId};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use super::glue;

/// Message ids as a JS array of hex strings, as notifications keep them.
pub fn ids_to_js(ids: &[MessageId]) -> JsValue {
    let list = Array::new();
    for id in ids {
        list.push(&JsValue::from_str(&hush_protocol::hex::encode(id)));
    }
    list.into()
}

/// `{chat, ids}` for the service worker's `hush-withdraw`.
pub fn withdrawal_to_js(chat: &ChatId, ids: &[MessageId]) -> JsValue {
    let object = Object::new();
    let _ = Reflect::set(
        &object,
        &"chat".into(),
        &JsValue::from_str(&chat.to_string()),
    );
    let _ = Reflect::set(&object, &"ids".into(), &ids_to_js(ids));
    object.into()
}

/// Messages `ids` of `chat` are gone: their notification goes (or loses them).
pub(crate) fn withdraw(chat: &ChatId, ids: &[MessageId]) {
    if !ids.is_empty() {
        let _ = glue::call("hushPush", "withdraw", &withdrawal_to_js(chat, ids));
    }
}
