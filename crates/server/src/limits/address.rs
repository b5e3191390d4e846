//! The limits of one client address (IPv6: one /64), whichever accounts and devices use it:
//! registrations, and how often each account's bundles were fetched from it lately.

use std::time::{Duration, Instant};

use super::bucket::Bucket;
use super::window::{FetchWindow, FETCH_WINDOW};

/// How long an address's limits are kept after its last use: by then its registration bucket
/// is full (it refills in a minute) and its fetch window empty, so forgetting loosens nothing.
pub(crate) const ADDRESS_IDLE: Duration = Duration::from_secs(120);
const _: () = assert!(FETCH_WINDOW.as_secs() < ADDRESS_IDLE.as_secs());

pub(crate) struct AddressLimits {
    /// `registrations_per_minute` at once, refilled over a minute.
    registrations: Bucket,
    fetches: FetchWindow,
    last_used: Instant,
}

impl AddressLimits {
    pub(crate) fn new(
        registrations_per_minute: u32,
        fetches_per_account: u32,
        now: Instant,
    ) -> Self {
        let per_minute = f64::from(registrations_per_minute);
        Self {
            registrations: Bucket::new(per_minute / 60.0, per_minute, now),
            fetches: FetchWindow::new(fetches_per_account as usize),
            last_used: now,
        }
    }

    /// Takes a registration if the address has one left.
    pub(crate) fn register(&mut self, now: Instant) -> bool {
        self.last_used = now;
        self.registrations.allow(1.0, now)
    }

    /// Gives back a registration that did not happen (the name was taken).
    pub(crate) fn registration_failed(&mut self) {
        self.registrations.give_back(1.0);
    }

    /// Whether `account`'s bundles may be fetched once more from this address now.
    pub(crate) fn may_fetch(&mut self, account: &str, now: Instant) -> bool {
        self.last_used = now;
        self.fetches.allows(account, now)
    }

    /// Counts a fetch of `account` from this address.
    pub(crate) fn fetched(&mut self, account: &str, now: Instant) {
        self.fetches.fetched(account, now);
    }

    /// Whether the limits are as a new address's would be, so they can be forgotten.
    pub(super) fn idle(&mut self, now: Instant) -> bool {
        now.saturating_duration_since(self.last_used) >= ADDRESS_IDLE && self.fetches.sweep(now)
    }
}
