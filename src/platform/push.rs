//! Notifications, from the page's side. The browser work (permission, the push subscription,
//! showing a notification) is plain JS in `public/pwa.js` (`window.hushPush`), which costs the
//! wasm nothing; this module calls it and turns its answers into Rust values.

use hush_client::notices::Notice;
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use super::glue;
use crate::text;

/// Whether this device notifies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Notifications {
    Off,
    On,
    /// Not possible here, and why (for the user).
    Unavailable(String),
}

/// A push subscription to hand to the relay.
pub(crate) struct Subscription {
    pub(crate) endpoint: String,
    pub(crate) p256dh: [u8; 65],
    pub(crate) auth: [u8; 16],
}

/// The setting as the browser has it now (`hushPush` says why it is unavailable as a code).
pub(crate) fn state() -> Notifications {
    let state = call("state", JsValue::UNDEFINED).ok();
    match state.and_then(|v| v.as_string()).as_deref() {
        Some("on") => Notifications::On,
        Some("off") => Notifications::Off,
        why => Notifications::Unavailable(refusal(why).to_owned()),
    }
}

/// The user's words for a `code` `hushPush` gives why notifications are not on.
fn refusal(code: Option<&str>) -> &'static str {
    match code {
        Some("denied") => text::NOTIFICATIONS_BLOCKED,
        Some("dismissed") => text::NOTIFICATIONS_NOT_ALLOWED,
        Some("subscribe") => text::PUSH_SUBSCRIBE_FAILED,
        Some("unsupported") | None => text::NOTIFICATIONS_UNAVAILABLE,
        Some(_) => text::NOTIFICATIONS_FAILED,
    }
}

/// Turns notifications on: asks permission (call it from a click, browsers allow the prompt
/// only on a user gesture) and subscribes. The error is for the user.
pub(crate) async fn enable() -> Result<Subscription, String> {
    let value = glue::call_async("hushPush", "enable", &JsValue::UNDEFINED)
        .await
        .map_err(message)?;
    subscription(&value).ok_or_else(|| text::NO_PUSH_SUBSCRIPTION.to_owned())
}

/// The current subscription when notifications are on (sent again on every connection, so the
/// relay follows a subscription the browser renewed).
pub(crate) async fn current() -> Option<Subscription> {
    let value = glue::call_async("hushPush", "current", &JsValue::UNDEFINED)
        .await
        .ok()?;
    subscription(&value)
}

/// Turns notifications off on this device (the caller tells the relay).
pub(crate) async fn disable() {
    let _ = glue::call_async("hushPush", "disable", &JsValue::UNDEFINED).await;
}

/// Shows notices (through the service worker, which owns the notifications), if on.
pub(crate) fn notify(notices: &[Notice]) {
    if !notices.is_empty() {
        let _ = call("notify", notices_to_js(notices));
    }
}

/// The user is looking at `chat`: its notification goes.
pub(crate) fn read(chat: &hush_client::ChatId) {
    let _ = call("read", JsValue::from_str(&chat.to_string()));
}

/// Notices as JS objects `{chat, title, body, count, ids}` for the notification code.
pub fn notices_to_js(notices: &[Notice]) -> JsValue {
    let list = js_sys::Array::new();
    for notice in notices {
        let object = js_sys::Object::new();
        let fields = [
            ("chat", JsValue::from_str(&notice.chat.to_string())),
            ("title", JsValue::from_str(&notice.title)),
            ("body", JsValue::from_str(&notice.body)),
            ("count", JsValue::from(notice.count)),
            ("ids", super::withdraw::ids_to_js(&notice.ids)),
        ];
        for (name, value) in fields {
            let _ = Reflect::set(&object, &JsValue::from_str(name), &value);
        }
        list.push(&object);
    }
    list.into()
}

/// Calls `window.hushPush[name](argument)`.
fn call(name: &str, argument: JsValue) -> Result<JsValue, JsValue> {
    glue::call("hushPush", name, &argument)
}

/// `{endpoint, p256dh, auth}` (the keys as bytes), as `hushPush` resolves it.
fn subscription(value: &JsValue) -> Option<Subscription> {
    let field = |name: &str| Reflect::get(value, &JsValue::from_str(name)).ok();
    let bytes = |name: &str| {
        field(name)?
            .dyn_into::<Uint8Array>()
            .ok()
            .map(|a| a.to_vec())
    };
    Some(Subscription {
        endpoint: field("endpoint")?.as_string()?,
        p256dh: bytes("p256dh")?.try_into().ok()?,
        auth: bytes("auth")?.try_into().ok()?,
    })
}

/// What a refusal from `hushPush.enable` means, for the user (its `code`; the message is
/// only for the console).
fn message(error: JsValue) -> String {
    let code = Reflect::get(&error, &JsValue::from_str("code"))
        .ok()
        .and_then(|code| code.as_string());
    match code {
        Some(code) => refusal(Some(&code)),
        None => text::NOTIFICATIONS_FAILED,
    }
    .to_owned()
}
