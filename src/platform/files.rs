//! Files the user picks in the composer and files saved as ordinary downloads, through the
//! page's glue (`public/pwa.js`, `window.hushFiles`).

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;

use super::glue;

/// A file picked to send.
pub(crate) struct PickedFile {
    /// Its name on the user's disk.
    pub(crate) name: String,
    /// The MIME type the browser gave it (may be empty).
    pub(crate) mime: String,
    pub(crate) bytes: Vec<u8>,
}

/// Opens the browser's file picker of the file input `input_id`.
pub(crate) fn choose(input_id: &str) {
    let _ = glue::call("hushFiles", "choose", &JsValue::from_str(input_id));
}

/// The files picked in the file input `input_id` (which is then emptied).
pub(crate) async fn read(input_id: &str) -> Vec<PickedFile> {
    let Ok(picked) = glue::call_async("hushFiles", "read", &JsValue::from_str(input_id)).await
    else {
        return Vec::new();
    };
    Array::from(&picked)
        .iter()
        .filter_map(|file| {
            let file = Array::from(&file);
            Some(PickedFile {
                name: file.get(0).as_string()?,
                mime: file.get(1).as_string().unwrap_or_default(),
                bytes: Uint8Array::new(&file.get(2)).to_vec(),
            })
        })
        .collect()
}

/// Saves `bytes` as a download named `name`.
pub(crate) fn save(name: &str, mime: &str, bytes: &[u8]) {
    let argument = Array::of3(
        &JsValue::from_str(name),
        &JsValue::from_str(mime),
        &Uint8Array::from(bytes),
    );
    let _ = glue::call("hushFiles", "save", &argument);
}

/// A `blob:` URL for `bytes` of type `mime` (kept for the page's life: photos on screen).
pub(crate) fn object_url(mime: &str, bytes: &[u8]) -> Option<String> {
    let argument = Array::of2(&JsValue::from_str(mime), &Uint8Array::from(bytes));
    glue::call("hushFiles", "url", &argument).ok()?.as_string()
}
