//! One owner per browser: only the tab holding the `hush-owner` Web Lock opens the engine, the
//! WebSocket and the database, so two tabs never write the same ratchet state. Another tab
//! offers "Use here", which steals the lock; the tab that loses it reloads into that offer.
//!
//! Web Locks are reached through `js_sys` (web-sys gates them behind an unstable cfg). A browser
//! without them has no way to coordinate tabs and is treated as the only one.

use futures::channel::oneshot;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

const LOCK: &str = "hush-owner";

/// Tries to become the owner: with `steal`, takes the lock from whichever tab has it.
/// `on_lost` runs if another tab steals it later.
pub(crate) async fn claim(steal: bool, on_lost: impl FnOnce() + 'static) -> bool {
    match request(steal, on_lost) {
        Ok(Some(granted)) => granted.await.unwrap_or(false),
        Ok(None) => true,
        // A failing Web Locks call is as good as none: this tab goes on alone.
        Err(_) => true,
    }
}

/// Starts the lock request; `None` when the browser has no Web Locks.
fn request(
    steal: bool,
    on_lost: impl FnOnce() + 'static,
) -> Result<Option<oneshot::Receiver<bool>>, JsValue> {
    let Some(window) = web_sys::window() else {
        return Ok(None);
    };
    let locks = Reflect::get(&window.navigator(), &JsValue::from_str("locks"))?;
    if locks.is_undefined() || locks.is_null() {
        return Ok(None);
    }
    let request: Function = Reflect::get(&locks, &JsValue::from_str("request"))?.dyn_into()?;
    let options = Object::new();
    let flag = if steal { "steal" } else { "ifAvailable" };
    Reflect::set(&options, &JsValue::from_str(flag), &JsValue::TRUE)?;

    let (granted, answer) = oneshot::channel::<bool>();
    // Runs once with the lock (or null when `ifAvailable` found it taken). Returning a promise
    // that never settles holds the lock for the life of the page.
    let holder = Closure::once_into_js(move |lock: JsValue| -> Promise {
        let held = !lock.is_null();
        let _ = granted.send(held);
        if held {
            Promise::new(&mut |_, _| {})
        } else {
            Promise::resolve(&JsValue::UNDEFINED)
        }
    });
    let outcome: Promise = request
        .call3(&locks, &JsValue::from_str(LOCK), &options, &holder)?
        .dyn_into()?;
    // The request's promise rejects (AbortError) when another tab steals the lock.
    let mut on_lost = Some(on_lost);
    let lost = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        if let Some(on_lost) = on_lost.take() {
            on_lost();
        }
    });
    let _ = outcome.catch(&lost);
    // Lives as long as the page (the lock does too).
    lost.forget();
    Ok(Some(answer))
}
