//! One owner per browser: only the tab holding the `hush-owner` Web Lock opens the engine, the
//! WebSocket and the database, so two tabs never write the same ratchet state. Another tab
//! offers "Use here", which steals the lock; the tab that loses it reloads into that offer.
//!
//! The service worker takes the same lock for the seconds it reads what a push announced, and
//! holds `hush-worker` too meanwhile: a tab that finds that waits for it instead of offering
//! "Use here".
//!
//! The Web Locks calls are plain JS in `public/pwa.js` (`window.hushOwner`), which costs the
//! wasm nothing; a page without it (or a browser without Web Locks) is treated as the only one.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Tries to become the owner: with `steal`, takes the lock from whichever tab has it.
pub(crate) async fn claim(steal: bool) -> bool {
    let claim = || -> Result<Promise, JsValue> {
        let owner = Reflect::get(&js_sys::global(), &JsValue::from_str("hushOwner"))?;
        let claim: Function = Reflect::get(&owner, &JsValue::from_str("claim"))?.dyn_into()?;
        claim.call1(&owner, &JsValue::from_bool(steal))?.dyn_into()
    };
    match claim() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|granted| granted.as_bool())
            .unwrap_or(true),
        Err(_) => true,
    }
}
