//! Recording voice notes, through the recorder glue (`public/voice.js`, `window.hushVoice`),
//! which the page loads on first use only.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;

use super::glue;
use crate::text;

/// A voice note as recorded, ready to send.
pub(crate) struct Recording {
    /// The recorder's MIME type (e.g. `audio/webm;codecs=opus`).
    pub(crate) mime: String,
    pub(crate) bytes: Vec<u8>,
    /// Its length (at least 1 ms).
    pub(crate) duration_ms: u32,
    /// Peaks of its sound, 0-255 (empty if the browser could not decode it).
    pub(crate) waveform: Vec<u8>,
}

/// Loads the recorder (once) and starts recording: it stops by itself after `max_ms` or
/// before passing `max_bytes`. The error says why it could not (no microphone, not allowed).
pub(crate) async fn start(max_ms: u32, max_bytes: u64) -> Result<(), String> {
    glue::call_async("hushLoad", "script", &JsValue::from_str("voice.js"))
        .await
        .map_err(reason)?;
    let limits = Array::of2(&JsValue::from(max_ms), &JsValue::from(max_bytes as f64));
    glue::call_async("hushVoice", "start", &limits)
        .await
        .map(|_| ())
        .map_err(reason)
}

/// Whether a recording is still under way (false once it stopped by itself at a limit).
pub(crate) fn active() -> bool {
    glue::call("hushVoice", "active", &JsValue::UNDEFINED).is_ok_and(|on| on.is_truthy())
}

/// Stops recording: the recording, or why there is none (nothing was recorded, the recorder
/// failed).
pub(crate) async fn stop() -> Result<Recording, String> {
    let stopped = glue::call_async("hushVoice", "stop", &JsValue::UNDEFINED)
        .await
        .map_err(reason)?;
    recording_of(&stopped).ok_or_else(|| text::RECORDER_UNREADABLE.to_owned())
}

/// The recorder's `[MIME type, bytes, duration in ms, waveform]`.
fn recording_of(stopped: &JsValue) -> Option<Recording> {
    if !stopped.is_object() {
        return None;
    }
    let parts = Array::from(stopped);
    let duration_ms = parts.get(2).as_f64()?.clamp(1.0, f64::from(u32::MAX)) as u32;
    Some(Recording {
        mime: parts.get(0).as_string()?,
        bytes: Uint8Array::new(&parts.get(1)).to_vec(),
        duration_ms,
        waveform: Uint8Array::new(&parts.get(3)).to_vec(),
    })
}

/// Stops recording and forgets what was recorded.
pub(crate) fn cancel() {
    let _ = glue::call("hushVoice", "cancel", &JsValue::UNDEFINED);
}

/// What a failed call says (a DOMException's message, e.g. "Permission denied").
fn reason(error: JsValue) -> String {
    js_sys::Reflect::get(&error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| text::RECORDER_FAILED.to_owned())
}
