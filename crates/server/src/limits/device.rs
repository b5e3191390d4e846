//! The limits of one device, kept across its connections: token buckets for its frames,
//! bundle fetches and prekey uploads, and how often it fetched each account lately.

use std::time::{Duration, Instant};

use hush_protocol::groups::MAX_MEMBERS;
use hush_protocol::relay::ClientFrame;

use super::bucket::Bucket;
use super::window::{FetchWindow, FETCH_WINDOW};

/// Bundle fetches one device may make at once (a group's worth, and a few).
const GROUP_FETCH_BURST: f64 = MAX_MEMBERS as f64 + 64.0;
/// Bundle fetches added back each second.
const FETCHES_PER_SECOND: f64 = 2.0;
/// How often one account's bundles may be fetched by one device within [`FETCH_WINDOW`].
const FETCHES_PER_ACCOUNT: usize = 5;
/// Prekey uploads: 3 at once, then one per 10 seconds.
const UPLOAD_BURST: f64 = 3.0;
const UPLOADS_PER_SECOND: f64 = 1.0 / 10.0;

/// How long a device's limits are kept after its last request: by then every bucket is full
/// and its fetch window empty again, so forgetting them frees memory and loosens nothing (the
/// frame bucket refills in 2 seconds, whatever the rate).
pub(crate) const DEVICE_IDLE: Duration = Duration::from_secs(600);
const _: () = assert!(GROUP_FETCH_BURST / FETCHES_PER_SECOND < DEVICE_IDLE.as_secs() as f64);
const _: () = assert!(UPLOAD_BURST / UPLOADS_PER_SECOND < DEVICE_IDLE.as_secs() as f64);
const _: () = assert!(FETCH_WINDOW.as_secs() < DEVICE_IDLE.as_secs());

/// The limits of one device.
pub(crate) struct DeviceLimits {
    /// Every frame, and each envelope of a send.
    frames: Bucket,
    /// Bundle fetches hand out one-time prekeys: unlimited fetching would drain them.
    bundle_fetches: Bucket,
    /// Prekey uploads write to the store.
    prekey_uploads: Bucket,
    /// Many accounts may be fetched at once (a new group), one account only a few times a
    /// minute.
    recent_fetches: FetchWindow,
    /// When the device last asked for anything.
    pub(super) last_used: Instant,
}

impl DeviceLimits {
    pub(crate) fn new(frames_per_second: f64, now: Instant) -> Self {
        Self {
            frames: Bucket::new(frames_per_second, frames_per_second * 2.0, now),
            // A burst as large as a group: making one fetches every member's bundles.
            bundle_fetches: Bucket::new(FETCHES_PER_SECOND, GROUP_FETCH_BURST, now),
            prekey_uploads: Bucket::new(UPLOADS_PER_SECOND, UPLOAD_BURST, now),
            recent_fetches: FetchWindow::new(FETCHES_PER_ACCOUNT),
            last_used: now,
        }
    }

    /// Whether `account`'s bundles may be fetched now (and counts it if so).
    fn fetch(&mut self, account: &str, now: Instant) -> bool {
        if !self.recent_fetches.allows(account, now) || !self.bundle_fetches.allow(1.0, now) {
            return false;
        }
        self.recent_fetches.fetched(account, now);
        true
    }

    /// Charges `frame` to the buckets: one token per frame or envelope (a group message or
    /// typing notice costs one per member), and the dedicated buckets for bundle fetches and
    /// prekey uploads. False: refuse it.
    pub(crate) fn allow(&mut self, own: &str, frame: &ClientFrame, now: Instant) -> bool {
        self.last_used = now;
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

    /// Charges a group message for the rows it stores beyond the one per member its frame paid
    /// (`paid`): one token per stored row, capped at the burst like a frame's. False: refuse.
    pub(crate) fn charge_rows(&mut self, paid: usize, rows: usize, now: Instant) -> bool {
        let burst = self.frames.burst();
        let owed = (rows as f64).min(burst) - (paid as f64).min(burst);
        self.frames.allow(owed.max(0.0), now)
    }

    /// Whether the limits are as a new device's would be, so they can be forgotten.
    pub(super) fn idle(&mut self, now: Instant) -> bool {
        now.saturating_duration_since(self.last_used) >= DEVICE_IDLE
            && self.recent_fetches.sweep(now)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 19, finding 1: a group message pays one token per stored row (device), not
    /// per member.
    #[test]
    fn a_group_message_pays_for_each_stored_row() {
        let start = Instant::now();
        let mut limits = DeviceLimits::new(50.0, start);
        // Ten members (paid with the frame), six devices each: 50 more.
        assert!(limits.frames.allow(10.0, start));
        assert!(limits.charge_rows(10, 60, start));
        // 40 left: the frame of a second one passes, its rows do not.
        assert!(limits.frames.allow(10.0, start));
        assert!(!limits.charge_rows(10, 60, start));
        // More rows than the burst pass a full bucket, as a frame does.
        let mut full = DeviceLimits::new(50.0, start);
        assert!(full.frames.allow(MAX_MEMBERS as f64, start));
        assert!(full.charge_rows(MAX_MEMBERS, MAX_MEMBERS * 6, start));
    }
}
