//! Calls into the page's plain-JS glue (`public/pwa.js`): `window.<object>.<method>(argument)`.
//! Browser APIs that need no Rust logic (Web Locks, push, storage persistence) live there, where
//! they cost the wasm nothing.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `window.<object>.<method>(argument)`; an error if the glue is missing or throws.
pub(crate) fn call(object: &str, method: &str, argument: &JsValue) -> Result<JsValue, JsValue> {
    let api = Reflect::get(&js_sys::global(), &JsValue::from_str(object))?;
    let function: Function = Reflect::get(&api, &JsValue::from_str(method))?.dyn_into()?;
    function.call1(&api, argument)
}

/// [`call`] for a method that returns a promise: what it resolves to (an error if it rejects).
pub(crate) async fn call_async(
    object: &str,
    method: &str,
    argument: &JsValue,
) -> Result<JsValue, JsValue> {
    let promise: Promise = call(object, method, argument)?.dyn_into()?;
    JsFuture::from(promise).await
}
