//! Times as the user reads them, in the browser's time zone.

use crate::platform::clock::{self, LocalTime};
use crate::text;

/// "0:07" for a length of 7 s ([`crate::duration::readable`], tested natively).
pub(crate) use crate::duration::readable as duration;

/// Now, in ms since the epoch.
pub(crate) fn now() -> f64 {
    clock::now()
}

/// "14:05" for a time in ms since the epoch.
pub(crate) fn clock(ms: u64) -> String {
    let time = LocalTime::at(ms as f64);
    format!("{:02}:{:02}", time.hours, time.minutes)
}

/// The day a time falls on, as a separator says it: "Today", "Yesterday" or "Sun 22 Nov 2026".
pub(crate) fn day(ms: u64, now_ms: f64) -> String {
    let date = LocalTime::at(ms as f64);
    if date.day() == LocalTime::at(now_ms).day() {
        return text::TODAY.to_owned();
    }
    if date.day() == LocalTime::at(now_ms - 86_400_000.0).day() {
        return text::YESTERDAY.to_owned();
    }
    text::date(
        text::WEEKDAYS.get(date.weekday as usize).unwrap_or(&""),
        date.date,
        text::MONTHS.get(date.month as usize).unwrap_or(&""),
        date.year,
    )
}

/// A number naming the local day of a time (for grouping).
pub(crate) fn day_key(ms: u64) -> (u32, u32, u32) {
    LocalTime::at(ms as f64).day()
}
