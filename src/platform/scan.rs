//! Scanning a link code with the camera, where the browser detects QR codes (`pwa.js`,
//! `window.hushScan`).

use wasm_bindgen::JsValue;

use super::glue;

/// Whether this browser can scan QR codes.
pub(crate) fn available() -> bool {
    glue::call("hushScan", "available", &JsValue::UNDEFINED)
        .ok()
        .and_then(|v| v.as_bool())
        == Some(true)
}

/// The camera could not be used.
pub(crate) struct CameraFailed;

/// Shows the camera in `video` until a QR code is found: its text, or `None` if scanning
/// stopped first.
pub(crate) async fn scan(video: web_sys::HtmlVideoElement) -> Result<Option<String>, CameraFailed> {
    glue::call_async("hushScan", "scan", &video.into())
        .await
        .map(|found| found.as_string())
        .map_err(|_| CameraFailed)
}
