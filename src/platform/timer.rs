//! Timers of the global scope, which is a window in a tab and a worker in the service worker
//! (so not `window.setTimeout`).

use futures::channel::oneshot;
use wasm_bindgen::prelude::*;

/// Runs `callback` (a JS function) after `ms`.
pub(crate) fn set_timeout(callback: JsValue, ms: i32) {
    if let Some(set_timeout) = function_of(&js_sys::global(), "setTimeout") {
        let _ = set_timeout.call2(&JsValue::NULL, &callback, &JsValue::from(ms));
    }
}

/// Resolves after `ms`.
pub(crate) async fn sleep(ms: i32) {
    let (done, waited) = oneshot::channel::<()>();
    set_timeout(
        Closure::once_into_js(move || {
            let _ = done.send(());
        }),
        ms,
    );
    let _ = waited.await;
}

/// `owner[name]`, if it is a function.
pub(crate) fn function_of(owner: &JsValue, name: &str) -> Option<js_sys::Function> {
    js_sys::Reflect::get(owner, &JsValue::from_str(name))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
}
