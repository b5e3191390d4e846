//! Files the user picks in the composer and files saved as ordinary downloads, through the
//! page's glue (`public/pwa.js`, `window.hushFiles`).

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;

use hush_protocol::limits::MAX_THUMBNAIL;

use super::glue;

/// A browser `Blob` (a picked `File`, a re-encoded photo, a downloaded file): its bytes stay
/// with the browser, which may keep them on disk, and are read a slice at a time
/// ([`super::file_slices`]).
#[derive(Clone)]
pub(crate) struct FileBlob(JsValue);

impl FileBlob {
    /// `value` if it is a Blob.
    pub(crate) fn from_js(value: JsValue) -> Option<Self> {
        let size = js_sys::Reflect::get(&value, &JsValue::from_str("size")).ok()?;
        size.as_f64().is_some().then_some(Self(value))
    }

    /// A Blob of `bytes` (a voice note recorded in memory).
    pub(crate) fn of_bytes(mime: &str, bytes: &[u8]) -> Option<Self> {
        let argument = Array::of2(&JsValue::from_str(mime), &Uint8Array::from(bytes));
        Self::from_js(glue::call("hushFiles", "blob", &argument).ok()?)
    }

    /// Its length in bytes.
    pub(crate) fn size(&self) -> u64 {
        js_sys::Reflect::get(&self.0, &JsValue::from_str("size"))
            .ok()
            .and_then(|size| size.as_f64())
            .map_or(0, |size| size as u64)
    }

    pub(crate) fn as_js(&self) -> &JsValue {
        &self.0
    }
}

/// A file picked to send.
pub(crate) struct PickedFile {
    /// Its name on the user's disk.
    pub(crate) name: String,
    /// The MIME type the browser gave it (may be empty).
    pub(crate) mime: String,
    /// Its bytes, still the browser's.
    pub(crate) blob: FileBlob,
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
    as_photo_at(file, PHOTO_EDGE).await
}

/// [`as_photo`], scaled to at most `edge` px.
pub(crate) async fn as_photo_at(file: PickedFile, edge: u32) -> PickedFile {
    let argument = Array::of3(
        &JsValue::from_str(&file.mime),
        file.blob.as_js(),
        &JsValue::from(edge),
    );
    let Ok(photo) = glue::call_async("hushFiles", "photo", &argument).await else {
        return file;
    };
    if photo.is_null() {
        return file;
    }
    let photo = Array::from(&photo);
    let side = |at: u32| photo.get(at).as_f64().map(|v| v as u32);
    let (Some(width), Some(height), Some(blob)) =
        (side(1), side(2), FileBlob::from_js(photo.get(0)))
    else {
        return file;
    };
    let thumbnail = Uint8Array::new(&photo.get(3)).to_vec();
    PickedFile {
        name: jpeg_name(&file.name),
        mime: "image/jpeg".to_owned(),
        blob,
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
                blob: FileBlob::from_js(file.get(2))?,
                dimensions: None,
                thumbnail: Vec::new(),
                duration_ms: None,
                waveform: Vec::new(),
            })
        })
        .collect()
}

/// Saves `blob` as a download named `name`.
pub(crate) fn save(name: &str, mime: &str, blob: &FileBlob) {
    let argument = Array::of3(
        &JsValue::from_str(name),
        &JsValue::from_str(mime),
        blob.as_js(),
    );
    let _ = glue::call("hushFiles", "save", &argument);
}

/// A `blob:` URL for `bytes` of type `mime` (kept for the page's life: photos on screen).
pub(crate) fn object_url(mime: &str, bytes: &[u8]) -> Option<String> {
    let argument = Array::of2(&JsValue::from_str(mime), &Uint8Array::from(bytes));
    glue::call("hushFiles", "url", &argument).ok()?.as_string()
}

/// A `blob:` URL for `blob` as type `mime` (kept for the page's life: media on screen).
pub(crate) fn blob_url(mime: &str, blob: &FileBlob) -> Option<String> {
    let argument = Array::of2(&JsValue::from_str(mime), blob.as_js());
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
