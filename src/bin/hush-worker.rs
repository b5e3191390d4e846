//! The service worker's engine, a wasm binary of its own so the page never loads it: `sw.js`
//! imports it and calls `wake` when a push arrives (see `src/platform/wake.rs`).

/// Receives what waits on the relay at `relay_url` (a `ws:`/`wss:` URL) and resolves to what
/// to show and withdraw, `{notices: [{chat, title, body, count, ids}], withdrawn: [{chat,
/// ids}]}`; rejects with a message if nothing could be read.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn wake(relay_url: String) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
    use hush::platform::withdraw::withdrawal_to_js;
    use wasm_bindgen::JsValue;
    let woken = hush::platform::wake::wake(&relay_url)
        .await
        .map_err(|why| JsValue::from_str(&why))?;
    let withdrawn = js_sys::Array::new();
    for (chat, ids) in &woken.withdrawn {
        withdrawn.push(&withdrawal_to_js(chat, ids));
    }
    let result = js_sys::Object::new();
    let notices = hush::platform::push::notices_to_js(&woken.notices);
    js_sys::Reflect::set(&result, &"notices".into(), &notices)?;
    js_sys::Reflect::set(&result, &"withdrawn".into(), &withdrawn)?;
    Ok(result.into())
}

fn main() {}
