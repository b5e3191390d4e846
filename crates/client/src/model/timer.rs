//! Disappearing messages (issue 21): a per-chat timer, set by a message of its own that every
//! device of the chat applies (the newest by its sender's clock wins), after which each new
//! message expires that long after it was sent, on every device.

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// The timers one may choose: off, 24 hours, 7 days, 90 days.
pub const TIMER_CHOICES: [u64; 4] = [0, DAY_MS, 7 * DAY_MS, 90 * DAY_MS];

/// A chat's timer as it was last set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChatTimer {
    /// How long its messages last, 0 for ever.
    pub timer_ms: u64,
    /// When it was set (the setter's clock): a setting older than this one is ignored.
    pub set_ms: u64,
}

/// Whether `timer_ms` is one of [`TIMER_CHOICES`].
pub fn is_timer_choice(timer_ms: u64) -> bool {
    TIMER_CHOICES.contains(&timer_ms)
}

/// How a timer reads: "Off", "24 hours", "7 days" or "90 days".
pub fn timer_label(timer_ms: u64) -> String {
    match timer_ms {
        0 => "Off".to_owned(),
        ms if ms < DAY_MS => format!("{} minutes", ms / 60_000),
        ms if ms == DAY_MS => "24 hours".to_owned(),
        ms => format!("{} days", ms / DAY_MS),
    }
}

/// The notice a timer change shows: `who` is "You" or the setter's name.
pub fn timer_notice(who: &str, timer_ms: u64) -> String {
    match timer_ms {
        0 => format!("{who} turned off disappearing messages"),
        ms => format!("{who} set disappearing messages to {}", timer_label(ms)),
    }
}

/// When a message sent at `sent_ms` expires under `timer`, if it does.
pub fn expiry(timer: Option<&ChatTimer>, sent_ms: u64) -> Option<u64> {
    let timer_ms = timer.map_or(0, |t| t.timer_ms);
    (timer_ms > 0).then(|| sent_ms.saturating_add(timer_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_notices_read_as_the_choices() {
        let labels: Vec<_> = TIMER_CHOICES.iter().map(|t| timer_label(*t)).collect();
        assert_eq!(labels, ["Off", "24 hours", "7 days", "90 days"]);
        assert_eq!(
            timer_notice("You", DAY_MS),
            "You set disappearing messages to 24 hours"
        );
        assert_eq!(
            timer_notice("bob", 0),
            "bob turned off disappearing messages"
        );
        assert!(!is_timer_choice(5));
    }

    #[test]
    fn a_message_expires_only_under_a_timer() {
        let timer = ChatTimer {
            timer_ms: DAY_MS,
            set_ms: 1,
        };
        assert_eq!(expiry(Some(&timer), 10), Some(10 + DAY_MS));
        assert_eq!(expiry(None, 10), None);
        assert_eq!(expiry(Some(&ChatTimer::default()), 10), None);
        assert_eq!(expiry(Some(&timer), u64::MAX), Some(u64::MAX));
    }
}
