//! How often each account's bundles were fetched lately: one account only `limit` times per
//! [`FETCH_WINDOW`] (each fetch takes one of its one-time prekeys).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// The window the per-account fetch limits count in.
pub(crate) const FETCH_WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub(crate) struct FetchWindow {
    limit: usize,
    /// Account → when it was fetched within the window, oldest first.
    recent: HashMap<String, VecDeque<Instant>>,
}

impl FetchWindow {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit,
            recent: HashMap::new(),
        }
    }

    /// Whether `account` may be fetched once more now.
    pub(crate) fn allows(&mut self, account: &str, now: Instant) -> bool {
        match self.recent.get_mut(account) {
            Some(times) => {
                forget_old(times, now);
                times.len() < self.limit
            }
            None => self.limit > 0,
        }
    }

    /// Counts a fetch of `account` now.
    pub(crate) fn fetched(&mut self, account: &str, now: Instant) {
        self.recent
            .entry(account.to_owned())
            .or_default()
            .push_back(now);
    }

    /// Drops accounts not fetched within the window; true when none is left.
    pub(crate) fn sweep(&mut self, now: Instant) -> bool {
        self.recent.retain(|_, times| {
            forget_old(times, now);
            !times.is_empty()
        });
        self.recent.is_empty()
    }
}

fn forget_old(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|at| now.saturating_duration_since(*at) >= FETCH_WINDOW)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_fetched_at_most_limit_times_per_window() {
        let start = Instant::now();
        let mut window = FetchWindow::new(2);
        for _ in 0..2 {
            assert!(window.allows("bob", start));
            window.fetched("bob", start);
        }
        assert!(!window.allows("bob", start));
        assert!(window.allows("carol", start));
        assert!(!window.sweep(start));
        assert!(window.allows("bob", start + FETCH_WINDOW));
        assert!(window.sweep(start + FETCH_WINDOW));
    }
}
