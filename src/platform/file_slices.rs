//! A picked file read a slice at a time (`Blob.slice` then `arrayBuffer`, through
//! `window.hushFiles.slice`), so a large file is never whole in memory.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::files::FileBlob;
use super::glue;

/// Plaintext bytes read at once: large enough that a request's overhead is small, small enough
/// that a few in flight cost little memory.
pub(crate) const SLICE: u64 = 4 * 1024 * 1024;

/// A slice being read: started at once (the browser reads it while the app does other work),
/// awaited by [`Reading::into`].
pub(crate) struct Reading(Option<JsFuture>);

/// Starts reading bytes `start..end` of `blob`.
pub(crate) fn start(blob: &FileBlob, start: u64, end: u64) -> Reading {
    let argument = Array::of3(
        blob.as_js(),
        &JsValue::from_f64(start as f64),
        &JsValue::from_f64(end as f64),
    );
    let promise = glue::call("hushFiles", "slice", &argument)
        .ok()
        .and_then(|p| wasm_bindgen::JsCast::dyn_into::<js_sys::Promise>(p).ok());
    Reading(promise.map(JsFuture::from))
}

impl Reading {
    /// The slice's bytes, copied into `buffer` (reused from slice to slice); false if the
    /// browser could not read the file (it was changed or deleted meanwhile).
    pub(crate) async fn into(self, buffer: &mut Vec<u8>) -> bool {
        let Some(future) = self.0 else {
            return false;
        };
        let Ok(bytes) = future.await else {
            return false;
        };
        let bytes = Uint8Array::new(&bytes);
        buffer.resize(bytes.length() as usize, 0);
        bytes.copy_to(buffer);
        true
    }
}
