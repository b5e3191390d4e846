//! Prometheus metrics at `GET /metrics`, as plain atomics (no registry needed for a handful).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// A monotonically increasing count.
#[derive(Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub(crate) fn inc(&self) {
        self.add(1);
    }
    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A value that goes up and down.
#[derive(Default)]
pub(crate) struct Gauge(AtomicI64);

impl Gauge {
    pub(crate) fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn dec(&self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
    fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Everything the relay counts.
#[derive(Default)]
pub(crate) struct Metrics {
    pub(crate) connections: Gauge,
    pub(crate) envelopes_in: Counter,
    pub(crate) envelopes_out: Counter,
    pub(crate) acks: Counter,
    /// Connections that fell behind their live envelopes and re-read their queue.
    pub(crate) catch_ups: Counter,
    pub(crate) store_errors: Counter,
    /// Sum and count of store commit latencies for sends, in microseconds.
    pub(crate) send_commit_us_sum: Counter,
    pub(crate) send_commit_count: Counter,
    /// Web Push wake-ups the push service accepted.
    pub(crate) pushes_sent: Counter,
    /// Web Push wake-ups that failed (refused, unreachable, timed out).
    pub(crate) pushes_failed: Counter,
    /// Bundles served without a one-time prekey (the device ran out).
    pub(crate) bundles_without_one_time_prekey: Counter,
    /// Upload grants and uploads refused (too many grants, quota, no grant, too large).
    pub(crate) blob_refusals: Counter,
    /// Requests refused by a device's rate limits.
    pub(crate) rate_limited: Counter,
}

impl Metrics {
    /// The Prometheus text exposition; `queue_depth` is read from the store by the caller.
    pub(crate) fn render(&self, queue_depth: Option<u64>) -> String {
        let mut out = String::with_capacity(1024);
        let mut line = |name: &str, kind: &str, help: &str, value: String| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        line(
            "hush_connections",
            "gauge",
            "Authenticated device connections.",
            self.connections.get().to_string(),
        );
        line(
            "hush_envelopes_in_total",
            "counter",
            "Envelopes stored.",
            self.envelopes_in.get().to_string(),
        );
        line(
            "hush_envelopes_out_total",
            "counter",
            "Envelopes sent to devices.",
            self.envelopes_out.get().to_string(),
        );
        line(
            "hush_acks_total",
            "counter",
            "Envelopes acknowledged and deleted.",
            self.acks.get().to_string(),
        );
        line(
            "hush_delivery_catch_ups_total",
            "counter",
            "Times a backed-up connection re-read its queue from the store.",
            self.catch_ups.get().to_string(),
        );
        line(
            "hush_store_errors_total",
            "counter",
            "Failed store operations.",
            self.store_errors.get().to_string(),
        );
        line(
            "hush_send_commit_seconds_sum",
            "counter",
            "Time spent committing sends.",
            format!("{:.6}", self.send_commit_us_sum.get() as f64 / 1e6),
        );
        line(
            "hush_send_commit_seconds_count",
            "counter",
            "Sends committed.",
            self.send_commit_count.get().to_string(),
        );
        line(
            "hush_pushes_sent_total",
            "counter",
            "Web Push wake-ups accepted by push services.",
            self.pushes_sent.get().to_string(),
        );
        line(
            "hush_pushes_failed_total",
            "counter",
            "Web Push wake-ups that failed.",
            self.pushes_failed.get().to_string(),
        );
        line(
            "hush_bundles_without_one_time_prekey_total",
            "counter",
            "Bundles served without a one-time prekey (their device ran out).",
            self.bundles_without_one_time_prekey.get().to_string(),
        );
        line(
            "hush_blob_refusals_total",
            "counter",
            "Upload grants and uploads refused (grants, quota, no grant, too large).",
            self.blob_refusals.get().to_string(),
        );
        line(
            "hush_rate_limited_total",
            "counter",
            "Requests refused by a device's rate limits.",
            self.rate_limited.get().to_string(),
        );
        if let Some(depth) = queue_depth {
            line(
                "hush_queue_depth",
                "gauge",
                "Envelopes waiting for acks.",
                depth.to_string(),
            );
        }
        out
    }
}
