//! Days and dates, as separators and device lists say them.

pub const TODAY: &str = "Today";
pub const YESTERDAY: &str = "Yesterday";
/// From Sunday, as `Date.getDay()` counts.
pub const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
/// From January, as `Date.getMonth()` counts.
pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A day further back than yesterday: "Sun 22 Nov 2026".
pub fn date(
    weekday: &str,
    day_of_month: impl core::fmt::Display,
    month: &str,
    year: impl core::fmt::Display,
) -> String {
    format!("{weekday} {day_of_month} {month} {year}")
}

/// How a disappearing-message timer reads in the menus: "Off", "24 hours", "7 days".
pub fn timer_choice(timer_ms: u64) -> String {
    const DAY_MS: u64 = 24 * 60 * 60 * 1000;
    match timer_ms {
        0 => "Off".to_owned(),
        ms if ms < DAY_MS => format!("{} minutes", ms / 60_000),
        ms if ms == DAY_MS => "24 hours".to_owned(),
        ms => format!("{} days", ms / DAY_MS),
    }
}
