//! The browser's clock and time zone.

use wasm_bindgen::JsValue;

/// Now, in ms since the epoch (with a fraction).
pub(crate) fn now() -> f64 {
    js_sys::Date::now()
}

/// Now, in whole ms since the epoch, as the engine counts time.
pub(crate) fn now_ms() -> u64 {
    now() as u64
}

/// A moment as the browser's time zone has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LocalTime {
    /// The year, e.g. 2026.
    pub(crate) year: u32,
    /// The month, 0 for January.
    pub(crate) month: u32,
    /// The day of the month, from 1.
    pub(crate) date: u32,
    /// The day of the week, 0 for Sunday.
    pub(crate) weekday: u32,
    /// The hour, 0 to 23.
    pub(crate) hours: u32,
    /// The minute, 0 to 59.
    pub(crate) minutes: u32,
    /// The second, 0 to 59.
    pub(crate) seconds: u32,
}

impl LocalTime {
    /// The local time of `ms` since the epoch.
    pub(crate) fn at(ms: f64) -> Self {
        let date = js_sys::Date::new(&JsValue::from_f64(ms));
        Self {
            year: date.get_full_year(),
            month: date.get_month(),
            date: date.get_date(),
            weekday: date.get_day(),
            hours: date.get_hours(),
            minutes: date.get_minutes(),
            seconds: date.get_seconds(),
        }
    }

    /// The local day it falls on (for grouping and comparing days).
    pub(crate) fn day(&self) -> (u32, u32, u32) {
        (self.year, self.month, self.date)
    }
}
