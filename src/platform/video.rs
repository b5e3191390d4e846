//! A video picked to send, made ready: its first frame as a thumbnail, its width, height and
//! duration, through the poster glue (`public/video.js`, `window.hushVideo`), which the page
//! loads on first use only.

use hush_protocol::attachment::pointer::MAX_DIMENSION;
use hush_protocol::limits::MAX_THUMBNAIL;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;

use super::files::PickedFile;
use super::glue;

/// `file` with its thumbnail, dimensions and duration, so the other side shows it at once.
/// A video this browser cannot decode goes as it is (a file without a thumbnail).
pub(crate) async fn with_poster(mut file: PickedFile) -> PickedFile {
    let Some(poster) = poster(&file).await else {
        return file;
    };
    let side = |at: u32| {
        poster
            .get(at)
            .as_f64()
            .map(|v| v as u32)
            .filter(|v| (1..=MAX_DIMENSION).contains(v))
    };
    let (Some(width), Some(height)) = (side(0), side(1)) else {
        return file;
    };
    file.dimensions = Some((width, height));
    file.duration_ms = poster
        .get(2)
        .as_f64()
        .map(|ms| ms.clamp(0.0, f64::from(u32::MAX)) as u32)
        .filter(|ms| *ms > 0);
    let thumbnail = Uint8Array::new(&poster.get(3)).to_vec();
    if thumbnail.len() <= MAX_THUMBNAIL {
        file.thumbnail = thumbnail;
    }
    file
}

/// The glue's `[width, height, duration in ms, JPEG]`, or None.
async fn poster(file: &PickedFile) -> Option<Array> {
    glue::call_async("hushLoad", "script", &JsValue::from_str("video.js"))
        .await
        .ok()?;
    let poster = glue::call_async("hushVideo", "poster", file.blob.as_js())
        .await
        .ok()?;
    poster.is_object().then(|| Array::from(&poster))
}
