//! Times as the user reads them, in the browser's time zone.

/// "14:05" for a time in ms since the epoch.
pub(crate) fn clock(ms: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}
