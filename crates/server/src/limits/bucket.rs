//! A token bucket: `burst` tokens at most, `per_second` added back each second.

use std::time::Instant;

#[derive(Clone, Debug)]
pub(crate) struct Bucket {
    tokens: f64,
    burst: f64,
    per_second: f64,
    last: Instant,
}

impl Bucket {
    pub(crate) fn new(per_second: f64, burst: f64, now: Instant) -> Self {
        Self {
            tokens: burst,
            burst,
            per_second,
            last: now,
        }
    }

    /// Takes `cost` tokens if there are enough. A cost above the burst takes a full bucket: a
    /// frame as large as the protocol allows must be able to pass, whatever the rate.
    pub(crate) fn allow(&mut self, cost: f64, now: Instant) -> bool {
        self.refill(now);
        let cost = cost.min(self.burst);
        if self.tokens >= cost {
            self.tokens -= cost;
            true
        } else {
            false
        }
    }

    /// The most tokens it holds.
    pub(crate) fn burst(&self) -> f64 {
        self.burst
    }

    /// Gives back `cost` tokens taken for something that did not happen after all.
    pub(crate) fn give_back(&mut self, cost: f64) {
        self.tokens = (self.tokens + cost).min(self.burst);
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hush_protocol::groups::MAX_MEMBERS;

    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let start = Instant::now();
        let mut bucket = Bucket::new(10.0, 20.0, start);
        assert_eq!((0..25).filter(|_| bucket.allow(1.0, start)).count(), 20);
        assert!(!bucket.allow(1.0, start));
        assert_eq!(
            (0..25)
                .filter(|_| bucket.allow(1.0, start + SECOND))
                .count(),
            10
        );
        // Refill never exceeds the burst.
        assert_eq!(
            (0..100)
                .filter(|_| bucket.allow(1.0, start + SECOND * 60))
                .count(),
            20
        );
    }

    #[test]
    fn a_frame_costing_more_than_the_burst_passes_a_full_bucket() {
        let start = Instant::now();
        let mut bucket = Bucket::new(500.0, 1000.0, start);
        assert!(bucket.allow(MAX_MEMBERS as f64, start));
        assert!(!bucket.allow(1.0, start));
    }

    #[test]
    fn a_clock_going_backwards_does_not_refill() {
        let start = Instant::now() + SECOND;
        let mut bucket = Bucket::new(1.0, 1.0, start);
        assert!(bucket.allow(1.0, start));
        assert!(!bucket.allow(1.0, start - SECOND));
    }

    #[test]
    fn tokens_given_back_never_exceed_the_burst() {
        let start = Instant::now();
        let mut bucket = Bucket::new(0.0, 2.0, start);
        assert!(bucket.allow(1.0, start));
        bucket.give_back(5.0);
        assert_eq!((0..5).filter(|_| bucket.allow(1.0, start)).count(), 2);
    }
}
