//! The installable app, from the page's side: the browser's offer to install Hush and a new
//! build waiting to take over, both held by `public/pwa.js` (`window.hushInstall`,
//! `window.hushUpdate`), which fires `hush-install` / `hush-update` on `window` when they
//! change. The app words them (src/ui/pwa.rs).

use wasm_bindgen::JsValue;

use super::glue;

/// The event `pwa.js` fires when the install offer comes or goes.
pub(crate) const INSTALL_CHANGED: &str = "hush-install";
/// The event `pwa.js` fires when a new build is waiting.
pub(crate) const UPDATE_WAITING: &str = "hush-update";

/// Whether the browser offers to install Hush now.
pub(crate) fn install_offered() -> bool {
    flag("hushInstall", "offered")
}

/// Shows the browser's install dialog; true once the user accepted.
pub(crate) async fn install() -> bool {
    glue::call_async("hushInstall", "prompt", &JsValue::UNDEFINED)
        .await
        .ok()
        .and_then(|accepted| accepted.as_bool())
        .unwrap_or(false)
}

/// Whether a new build waits to take over.
pub(crate) fn update_waiting() -> bool {
    flag("hushUpdate", "waiting")
}

/// Lets the waiting build take over and reloads into it.
pub(crate) fn apply_update() {
    let _ = glue::call("hushUpdate", "apply", &JsValue::UNDEFINED);
}

/// `window.<object>.<method>()` as a bool (false where the glue is missing: no service worker).
fn flag(object: &str, method: &str) -> bool {
    glue::call(object, method, &JsValue::UNDEFINED)
        .ok()
        .and_then(|value| value.as_bool())
        .unwrap_or(false)
}
