//! Lengths of time for people, as a player or a recording timer shows them: "0:07", "12:30",
//! "1:02:03" (integer arithmetic only, like [`crate::size`]).

/// `secs` as m:ss, or h:mm:ss from an hour on.
pub fn readable(secs: u64) -> String {
    let (hours, minutes, seconds) = (secs / 3600, secs / 60 % 60, secs % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn durations_read_as_players_show_them() {
        let shown: Vec<String> = [0, 7, 59, 60, 61, 754, 3599, 3600, 3723]
            .into_iter()
            .map(readable)
            .collect();
        assert_eq!(
            shown,
            ["0:00", "0:07", "0:59", "1:00", "1:01", "12:34", "59:59", "1:00:00", "1:02:03"]
        );
    }
}
