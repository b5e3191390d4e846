//! This device's own choices, kept in the browser's `localStorage` (through `window.hushPrefs`
//! in `pwa.js`): they are not the account's, and a linked device makes its own.

use js_sys::Array;
use wasm_bindgen::JsValue;

use super::glue;
use crate::state::AutoDownload;

const AUTO_DOWNLOAD: &str = "hush-auto-download";
const DEFAULT_TIMER: &str = "hush-default-timer";

/// What downloads by itself; the default where nothing (or something unreadable) is kept.
pub(crate) fn auto_download() -> AutoDownload {
    let kept = glue::call("hushPrefs", "get", &JsValue::from_str(AUTO_DOWNLOAD))
        .ok()
        .and_then(|v| v.as_string());
    let flags: Vec<bool> = kept
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(|flag| flag == "1")
        .collect();
    match flags[..] {
        [photos, voice_notes, videos_and_files] => AutoDownload {
            photos,
            voice_notes,
            videos_and_files,
        },
        _ => AutoDownload::default(),
    }
}

/// Keeps `choice` for the next start.
pub(crate) fn set_auto_download(choice: AutoDownload) {
    let flag = |on: bool| if on { "1" } else { "0" };
    let value = format!(
        "{},{},{}",
        flag(choice.photos),
        flag(choice.voice_notes),
        flag(choice.videos_and_files)
    );
    let argument = Array::of2(
        &JsValue::from_str(AUTO_DOWNLOAD),
        &JsValue::from_str(&value),
    );
    let _ = glue::call("hushPrefs", "set", &argument);
}

/// The disappearing-message timer new chats start with (ms, 0: off); off where nothing (or
/// something that is no choice) is kept.
pub(crate) fn default_timer() -> u64 {
    let kept = glue::call("hushPrefs", "get", &JsValue::from_str(DEFAULT_TIMER))
        .ok()
        .and_then(|v| v.as_string());
    let timer = kept.and_then(|v| v.parse().ok()).unwrap_or(0);
    match hush_client::model::is_timer_choice(timer) {
        true => timer,
        false => 0,
    }
}

/// Keeps `timer_ms` as the timer new chats start with.
pub(crate) fn set_default_timer(timer_ms: u64) {
    let argument = Array::of2(
        &JsValue::from_str(DEFAULT_TIMER),
        &JsValue::from_str(&timer_ms.to_string()),
    );
    let _ = glue::call("hushPrefs", "set", &argument);
}
