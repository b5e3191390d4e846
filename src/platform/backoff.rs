//! Reconnect delays: exponential backoff with jitter, capped.
//!
//! After a relay restart every client reconnects at once; jitter spreads them out, the cap keeps
//! a client from sleeping for minutes after a long outage.

use core::time::Duration;

/// Exponential backoff with "equal jitter": the n-th delay is uniform in `[c/2, c]` where
/// `c = min(cap, base · 2ⁿ)`.
#[derive(Clone, Debug)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
}

impl Backoff {
    /// The schedule the app uses: 0.5 s doubling up to 10 s.
    pub const RELAY: Self = Self::new(Duration::from_millis(500), Duration::from_secs(10));

    /// A schedule starting at `base` and never waiting longer than `cap`.
    pub const fn new(base: Duration, cap: Duration) -> Self {
        Self {
            base,
            cap,
            attempt: 0,
        }
    }

    /// Starts over after a successful connection.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The delay before the next attempt. `jitter` is a random number in `[0, 1)` (passed in so
    /// the schedule is testable); values outside that range are clamped.
    pub fn next_delay(&mut self, jitter: f64) -> Duration {
        // 2^20 · base is far past any sensible cap; stopping there avoids overflow.
        let factor = 1u32 << self.attempt.min(20);
        self.attempt = self.attempt.saturating_add(1);
        let ceiling = self.base.saturating_mul(factor).min(self.cap);
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        ceiling / 2 + ceiling.mul_f64(jitter / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn doubles_until_the_cap() {
        let mut b = Backoff::new(ms(100), ms(1000));
        let highs: Vec<_> = (0..6).map(|_| b.next_delay(1.0)).collect();
        assert_eq!(
            highs,
            [ms(100), ms(200), ms(400), ms(800), ms(1000), ms(1000)]
        );
    }

    #[test]
    fn jitter_stays_within_half_to_full_ceiling() {
        let mut low = Backoff::new(ms(100), ms(1000));
        let mut high = low.clone();
        for _ in 0..8 {
            let (l, h) = (low.next_delay(0.0), high.next_delay(0.999));
            assert!(l * 2 >= h && l < h, "{l:?} vs {h:?}");
        }
    }

    #[test]
    fn reset_starts_over() {
        let mut b = Backoff::new(ms(100), ms(1000));
        b.next_delay(0.0);
        b.next_delay(0.0);
        b.reset();
        assert_eq!(b.next_delay(1.0), ms(100));
    }

    #[test]
    fn hostile_jitter_and_many_attempts_do_not_panic() {
        let mut b = Backoff::RELAY;
        for _ in 0..100 {
            assert!(b.next_delay(f64::NAN) <= Duration::from_secs(10));
            assert!(b.next_delay(-3.0) <= Duration::from_secs(10));
            assert!(b.next_delay(f64::INFINITY) <= Duration::from_secs(10));
        }
    }
}
