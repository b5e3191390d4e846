//! Times as the user reads them, in the browser's time zone.

/// "14:05" for a time in ms since the epoch.
pub(crate) fn clock(ms: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// The day a time falls on, as a separator says it: "Today", "Yesterday" or "Sun 22 Nov 2026".
pub(crate) fn day(ms: u64, now_ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let key = |d: &js_sys::Date| (d.get_full_year(), d.get_month(), d.get_date());
    let today = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(now_ms));
    let yesterday = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(now_ms - 86_400_000.0));
    if key(&date) == key(&today) {
        return "Today".to_owned();
    }
    if key(&date) == key(&yesterday) {
        return "Yesterday".to_owned();
    }
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {} {}",
        DAYS.get(date.get_day() as usize).unwrap_or(&""),
        date.get_date(),
        MONTHS.get(date.get_month() as usize).unwrap_or(&""),
        date.get_full_year()
    )
}

/// A number naming the local day of a time (for grouping).
pub(crate) fn day_key(ms: u64) -> (u32, u32, u32) {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    (date.get_full_year(), date.get_month(), date.get_date())
}
