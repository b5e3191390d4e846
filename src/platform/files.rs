//! Files the user picks in the composer and files saved as ordinary downloads, through the
//! page's glue (`public/pwa.js`, `window.hushFiles`).

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;

use hush_protocol::limits::MAX_THUMBNAIL;

use super::glue;

/// A file picked to send.
pub(crate) struct PickedFile {
    /// Its name on the user's disk.
    pub(crate) name: String,
    /// The MIME type the browser gave it (may be empty).
    pub(crate) mime: String,
    pub(crate) bytes: Vec<u8>,
    /// A picture's width and height (a photo made ready by [`as_photo`]).
    pub(crate) dimensions: Option<(u32, u32)>,
    /// A small JPEG shown at once, before the file arrives (empty: none).
    pub(crate) thumbnail: Vec<u8>,
    /// A voice note's length.
    pub(crate) duration_ms: Option<u32>,
    /// A voice note's peaks, 0-255 (empty: none).
    pub(crate) waveform: Vec<u8>,
}

/// The longest side of a photo as sent (px).
const PHOTO_EDGE: u32 = 1600;

/// `file` as a photo is sent: scaled to at most [`PHOTO_EDGE`] px, encoded again as JPEG
/// (no metadata left: no place, no camera), with its dimensions and a thumbnail. A file the
/// browser cannot decode as a picture is returned as it is.
pub(crate) async fn as_photo(file: PickedFile) -> PickedFile {
    let argument = Array::of3(
        &JsValue::from_str(&file.mime),
        &Uint8Array::from(file.bytes.as_slice()),
        &JsValue::from(PHOTO_EDGE),
    );
    let Ok(photo) = glue::call_async("hushFiles", "photo", &argument).await else {
        return file;
    };
    if photo.is_null() {
        return file;
    }
    let photo = Array::from(&photo);
    let side = |at: u32| photo.get(at).as_f64().map(|v| v as u32);
    let (Some(width), Some(height)) = (side(1), side(2)) else {
        return file;
    };
    let thumbnail = Uint8Array::new(&photo.get(3)).to_vec();
    PickedFile {
        name: jpeg_name(&file.name),
        mime: "image/jpeg".to_owned(),
        bytes: Uint8Array::new(&photo.get(0)).to_vec(),
        dimensions: Some((width, height)),
        thumbnail: if thumbnail.len() <= MAX_THUMBNAIL {
            thumbnail
        } else {
            Vec::new()
        },
        duration_ms: None,
        waveform: Vec::new(),
    }
}

/// `name` with the extension `.jpg` (what it is once encoded again).
fn jpeg_name(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    format!("{stem}.jpg")
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
                dimensions: None,
                thumbnail: Vec::new(),
                duration_ms: None,
                waveform: Vec::new(),
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

/// Frees a URL made by [`object_url`].
pub(crate) fn revoke_url(url: &str) {
    let _ = glue::call("hushFiles", "revoke", &JsValue::from_str(url));
}

/// Saves what the `blob:` URL `url` holds as a download named `name`.
pub(crate) fn save_url(url: &str, name: &str) {
    let argument = Array::of2(&JsValue::from_str(url), &JsValue::from_str(name));
    let _ = glue::call("hushFiles", "saveUrl", &argument);
}
