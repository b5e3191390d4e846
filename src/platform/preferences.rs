//! This device's own choices, kept in the browser's `localStorage` (through `window.hushPrefs`
//! in `pwa.js`): they are not the account's, and a linked device makes its own.

use js_sys::Array;
use wasm_bindgen::JsValue;

use super::glue;
use crate::choices::{AutoDownload, NoticeStyle, Theme};
use crate::text;

const AUTO_DOWNLOAD: &str = "hush-auto-download";
const DEFAULT_TIMER: &str = "hush-default-timer";
const ENTER_SENDS: &str = "hush-enter-sends";
const THEME: &str = "hush-theme";
const NOTICE_PREVIEW: &str = "hush-notice-preview";
const NOTICE_SOUND: &str = "hush-notice-sound";

/// Forgets every choice kept here (this browser's Hush data is being wiped).
pub(crate) async fn clear() {
    let _ = glue::call_async("hushPrefs", "clear", &JsValue::UNDEFINED).await;
}

/// What is kept under `name`, if anything.
fn kept(name: &str) -> Option<String> {
    glue::call("hushPrefs", "get", &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.as_string())
}

/// Keeps `value` under `name` (a browser that refuses storage forgets it with the tab).
fn keep(name: &str, value: &str) {
    let argument = Array::of2(&JsValue::from_str(name), &JsValue::from_str(value));
    let _ = glue::call("hushPrefs", "set", &argument);
}

/// What downloads by itself; the default where nothing (or something unreadable) is kept.
pub(crate) fn auto_download() -> AutoDownload {
    let flags: Vec<bool> = kept(AUTO_DOWNLOAD)
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
    keep(AUTO_DOWNLOAD, &value);
}

/// The disappearing-message timer new chats start with (ms, 0: off); off where nothing (or
/// something that is no choice) is kept.
pub(crate) fn default_timer() -> u64 {
    let timer = kept(DEFAULT_TIMER)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    match hush_client::model::is_timer_choice(timer) {
        true => timer,
        false => 0,
    }
}

/// Keeps `timer_ms` as the timer new chats start with.
pub(crate) fn set_default_timer(timer_ms: u64) {
    keep(DEFAULT_TIMER, &timer_ms.to_string());
}

/// Whether Enter sends (on where nothing is kept); off, Enter is a new line.
pub(crate) fn enter_sends() -> bool {
    kept(ENTER_SENDS).as_deref() != Some("0")
}

/// Keeps whether Enter sends.
pub(crate) fn set_enter_sends(on: bool) {
    keep(ENTER_SENDS, if on { "1" } else { "0" });
}

/// The theme chosen here (`pwa.js` applied it before the app started).
pub(crate) fn theme() -> Theme {
    Theme::from_name(kept(THEME).as_deref().unwrap_or_default())
}

/// Keeps `theme` and applies it to the page now.
pub(crate) fn set_theme(theme: Theme) {
    let _ = glue::call("hushPrefs", "theme", &JsValue::from_str(theme.name()));
}

/// How notifications look on this device: with the message's words, with a sound (both on
/// where nothing is kept).
pub(crate) fn notice_style() -> NoticeStyle {
    NoticeStyle {
        preview: kept(NOTICE_PREVIEW).as_deref() != Some("off"),
        sound: kept(NOTICE_SOUND).as_deref() != Some("off"),
    }
}

/// Keeps `style`, also where the service worker reads it (`pwa.js`).
pub(crate) fn set_notice_style(style: NoticeStyle) {
    let flag = |on: bool| JsValue::from_str(if on { "on" } else { "off" });
    let argument = Array::of2(&flag(style.preview), &flag(style.sound));
    let _ = glue::call("hushPrefs", "notices", &argument);
}

/// Keeps the words a notification uses when it may not show a message's (a count, or no
/// preview) where the service worker reads them (`pwa.js`): the worker has no catalogue of
/// its own to fall back on but the English in `sw.js`.
pub(crate) fn keep_notice_texts() {
    let argument = Array::of2(
        &JsValue::from_str(text::NEW_MESSAGE),
        &JsValue::from_str(text::NEW_MESSAGES),
    );
    let _ = glue::call("hushPrefs", "texts", &argument);
}
