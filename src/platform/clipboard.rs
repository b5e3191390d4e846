//! The clipboard, through the page's glue (`window.hushClipboard` in `public/pwa.js`).

use wasm_bindgen::JsValue;

use super::glue;

/// Puts `text` on the clipboard; false if the browser refused (no focus, no permission).
pub(crate) async fn copy(text: &str) -> bool {
    glue::call_async("hushClipboard", "write", &JsValue::from_str(text))
        .await
        .is_ok()
}
