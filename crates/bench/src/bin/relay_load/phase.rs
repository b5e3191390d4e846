//! What the senders and receivers of one phase share: its settings and its counters.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use tokio::time::Instant;

use crate::relay_kind::Relay;

/// Counted by every task of a phase.
#[derive(Default)]
pub struct Counters {
    /// Sends the relay answered with `Sent` (stored).
    pub stored: AtomicU64,
    /// Envelopes that reached their receiver.
    pub delivered: AtomicU64,
    /// Refused sends and frames that did not decode.
    pub errors: AtomicU64,
    /// Ticks of a rate-limited sender that found its window full.
    pub skipped: AtomicU64,
}

/// One phase's settings.
pub struct Phase {
    /// The relay under load.
    pub relay: Relay,
    /// Distinguishes the phases' client ids.
    pub id: u64,
    /// Time zero of the send timestamps.
    pub base: Instant,
    /// Unanswered sends per sender at most.
    pub window: usize,
    /// Envelopes acked per `Ack` at most.
    pub ack_batch: usize,
    /// Per sender, when rate-limited.
    pub every: Option<Duration>,
    /// When senders stop.
    pub stop_sending: Instant,
    /// Latency samples are taken from envelopes sent from then on (none when `None`).
    pub record_from: Option<Instant>,
}

impl Phase {
    /// Nanoseconds since [`Phase::base`].
    pub fn now_ns(&self) -> u64 {
        self.nanos_at(Instant::now())
    }

    /// Nanoseconds from [`Phase::base`] to `at`.
    pub fn nanos_at(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.base).as_nanos()).unwrap_or(u64::MAX)
    }
}
