//! The service worker's engine, a wasm binary of its own so the page never loads it: `sw.js`
//! imports it and calls `wake` when a push arrives (see `src/platform/wake.rs`).

/// Receives what waits on the relay at `relay_url` (a `ws:`/`wss:` URL) and resolves to the
/// notices to show, `[{chat, title, body, count}]`; rejects with a message if nothing could be
/// read.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn wake(relay_url: String) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
    match hush::platform::wake::wake(&relay_url).await {
        Ok(notices) => Ok(hush::platform::push::notices_to_js(&notices)),
        Err(why) => Err(wasm_bindgen::JsValue::from_str(&why)),
    }
}

fn main() {}
