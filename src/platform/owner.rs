//! One owner per browser: only the tab holding the `hush-owner` Web Lock opens the engine, the
//! WebSocket and the database, so two tabs never write the same ratchet state. Another tab
//! offers "Use here", which steals the lock; the tab that loses it reloads into that offer.
//!
//! The service worker takes the same lock for the seconds it reads what a push announced, and
//! holds `hush-worker` too meanwhile: a tab that finds that waits for it instead of offering
//! "Use here".
//!
//! The Web Locks calls are in `public/pwa.js` (`window.hushOwner`); a page without them (or a
//! browser without Web Locks) is treated as the only one.

use wasm_bindgen::JsValue;

use super::glue;

/// Tries to become the owner: with `steal`, takes the lock from whichever tab has it.
pub(crate) async fn claim(steal: bool) -> bool {
    glue::call_async("hushOwner", "claim", &JsValue::from_bool(steal))
        .await
        .ok()
        .and_then(|granted| granted.as_bool())
        .unwrap_or(true)
}
