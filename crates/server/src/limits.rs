//! Rate limits per device connection: token buckets, refilled continuously. A request over the
//! limit is answered with a `RateLimited` error and not carried out; the connection stays up.

use std::time::{Duration, Instant};

use hush_protocol::groups::MAX_MEMBERS;
use hush_protocol::relay::ClientFrame;

/// A token bucket: `burst` tokens at most, `per_second` added back each second.
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
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
        let cost = cost.min(self.burst);
        if self.tokens >= cost {
            self.tokens -= cost;
            true
        } else {
            false
        }
    }
}

/// Bundle fetches one device may make at once (a group's worth, and a few).
const GROUP_FETCH_BURST: f64 = MAX_MEMBERS as f64 + 64.0;

/// The limits of one device connection.
pub(crate) struct DeviceLimits {
    /// Every frame, and each envelope of a send.
    pub(crate) frames: Bucket,
    /// Bundle fetches hand out one-time prekeys: unlimited fetching would drain them.
    pub(crate) bundle_fetches: Bucket,
    /// Prekey uploads write to the store.
    pub(crate) prekey_uploads: Bucket,
    /// The accounts whose bundles were fetched lately, and when: many accounts may be fetched
    /// at once (a new group), one account only a few times a minute (each fetch takes one of
    /// its one-time prekeys).
    recent_fetches: Vec<(String, Instant)>,
}

impl DeviceLimits {
    pub(crate) fn new(frames_per_second: f64, now: Instant) -> Self {
        Self {
            frames: Bucket::new(frames_per_second, frames_per_second * 2.0, now),
            // A burst as large as a group: making one fetches every member's bundles.
            bundle_fetches: Bucket::new(2.0, GROUP_FETCH_BURST, now),
            prekey_uploads: Bucket::new(1.0 / 10.0, 3.0, now),
            recent_fetches: Vec::new(),
        }
    }

    /// Whether `account`'s bundles may be fetched now (and counts it if so).
    pub(crate) fn fetch(&mut self, account: &str, now: Instant) -> bool {
        self.recent_fetches
            .retain(|(_, at)| now.duration_since(*at) < FETCH_WINDOW);
        let recent = self
            .recent_fetches
            .iter()
            .filter(|(a, _)| a == account)
            .count();
        if recent >= FETCHES_PER_ACCOUNT || !self.bundle_fetches.allow(1.0, now) {
            return false;
        }
        self.recent_fetches.push((account.to_owned(), now));
        true
    }
}

impl DeviceLimits {
    /// Charges `frame` to the buckets: one token per frame or envelope (a group message or
    /// typing notice costs one per member), and the dedicated buckets for bundle fetches and
    /// prekey uploads. False: refuse it.
    pub(crate) fn allow(&mut self, own: &str, frame: &ClientFrame) -> bool {
        let now = Instant::now();
        let special = match frame {
            // Our own account's bundles take only our own prekeys.
            ClientFrame::FetchBundles { account, .. } if account == own => {
                self.bundle_fetches.allow(1.0, now)
            }
            ClientFrame::FetchBundles { account, .. } => self.fetch(account, now),
            ClientFrame::UploadPreKeys { .. } => self.prekey_uploads.allow(1.0, now),
            _ => true,
        };
        special && self.frames.allow(cost(frame), now)
    }
}

impl DeviceLimits {
    /// Charges a group message for the rows it stores beyond the one per member its frame paid
    /// (`paid`): its cost is one token per stored row, capped at the burst like a frame's.
    /// False: refuse it.
    pub(crate) fn charge_rows(&mut self, paid: usize, rows: usize) -> bool {
        self.charge_rows_at(paid, rows, Instant::now())
    }

    fn charge_rows_at(&mut self, paid: usize, rows: usize, now: Instant) -> bool {
        let burst = self.frames.burst;
        let owed = (rows as f64).min(burst) - (paid as f64).min(burst);
        self.frames.allow(owed.max(0.0), now)
    }
}

/// What a frame costs in the frame bucket (at most `MAX_MEMBERS`: the decoder refuses more).
fn cost(frame: &ClientFrame) -> f64 {
    let n = match frame {
        ClientFrame::Send { envelopes, .. } => envelopes.len(),
        ClientFrame::GroupSend { members, .. } | ClientFrame::GroupTyping { members, .. } => {
            members.len()
        }
        _ => 1,
    };
    n.max(1) as f64
}

/// How often one account's bundles may be fetched by one device within [`FETCH_WINDOW`].
const FETCHES_PER_ACCOUNT: usize = 5;
const FETCH_WINDOW: Duration = Duration::from_secs(60);

/// How long is "a while" for tests of refill.
#[cfg(test)]
const SECOND: Duration = Duration::from_secs(1);

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Issue 19, finding 1: a group message pays one token per stored row (device), not
    /// per member.
    #[test]
    fn a_group_message_pays_for_each_stored_row() {
        let start = Instant::now();
        let mut limits = DeviceLimits::new(50.0, start);
        // Ten members (paid with the frame), six devices each: 50 more.
        assert!(limits.frames.allow(10.0, start));
        assert!(limits.charge_rows_at(10, 60, start));
        // 40 left: the frame of a second one passes, its rows do not.
        assert!(limits.frames.allow(10.0, start));
        assert!(!limits.charge_rows_at(10, 60, start));
        // More rows than the burst pass a full bucket, as a frame does.
        let mut full = DeviceLimits::new(50.0, start);
        assert!(full.frames.allow(MAX_MEMBERS as f64, start));
        assert!(full.charge_rows_at(MAX_MEMBERS, MAX_MEMBERS * 6, start));
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
}
