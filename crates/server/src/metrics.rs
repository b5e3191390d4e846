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
    // Refusals of unauthenticated clients and of push endpoints (issue 19: links, guests,
    // origins, SSRF).
    /// Link addresses refused: too many from one client address, or in all.
    pub(crate) links_refused: Counter,
    /// Unauthenticated WebSockets refused: too many from one client address, or in all.
    pub(crate) guests_refused: Counter,
    /// Unauthenticated WebSockets closed for not authenticating or opening a link in time.
    pub(crate) guests_timed_out: Counter,
    /// WebSocket upgrades refused for their `Origin`.
    pub(crate) origins_refused: Counter,
    /// Push subscriptions refused for an endpoint that is not a public https URL.
    pub(crate) push_endpoints_refused: Counter,
    // What the relay stores (issue 19, findings 1 and 2).
    /// Sends refused because a recipient device's queue or the sender's stored bytes are at
    /// their quota.
    pub(crate) queue_quota_refusals: Counter,
    /// Sends and uploads refused because free disk is under the floor.
    pub(crate) low_disk_refusals: Counter,
    // What limits on authenticated clients refused or closed (issue 19: stuck readers,
    // registrations, prekeys).
    /// Connections closed for taking no frame within the write deadline.
    pub(crate) write_timeouts: Counter,
    /// Registrations refused: too many from one client address.
    pub(crate) registrations_refused: Counter,
    /// Prekey uploads of which some one-time prekeys were not stored (the device's cap).
    pub(crate) prekeys_refused: Counter,
    // What strangers learn (issue 19, finding 11).
    /// Failed authentications (unknown account or device, or a bad signature: one answer).
    pub(crate) auth_failures: Counter,
    /// Typing notices dropped: from an account that has exchanged no envelope with the
    /// recipient.
    pub(crate) typing_dropped: Counter,
}

/// What the store and the disk say at scrape time (None: unknown, left out).
#[derive(Default)]
pub(crate) struct Storage {
    /// Envelopes waiting for acks.
    pub(crate) queue_depth: Option<u64>,
    /// Payload bytes they hold (each payload once).
    pub(crate) queue_bytes: Option<u64>,
    /// Free bytes on the data directory's disk.
    pub(crate) free_disk: Option<u64>,
}

impl Metrics {
    /// The Prometheus text exposition; `storage` is read from the store and disk by the caller.
    pub(crate) fn render(&self, storage: &Storage) -> String {
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
        self.render_refusals(&mut line);
        self.render_storage(storage, &mut line);
        self.render_device_limits(&mut line);
        out
    }

    /// What is stored, the disk's free space, and the refusals that keep them bounded.
    fn render_storage(&self, storage: &Storage, line: &mut impl FnMut(&str, &str, &str, String)) {
        for (name, help, value) in [
            (
                "hush_queue_depth",
                "Envelopes waiting for acks.",
                storage.queue_depth,
            ),
            (
                "hush_queue_bytes",
                "Payload bytes queued, each payload once.",
                storage.queue_bytes,
            ),
            (
                "hush_free_disk_bytes",
                "Free bytes on the data directory's disk.",
                storage.free_disk,
            ),
        ] {
            if let Some(value) = value {
                line(name, "gauge", help, value.to_string());
            }
        }
        for (name, help, counter) in [
            (
                "hush_queue_quota_refusals_total",
                "Sends refused: a recipient device's queue or the sender's bytes at quota.",
                &self.queue_quota_refusals,
            ),
            (
                "hush_low_disk_refusals_total",
                "Sends and uploads refused: free disk under the floor.",
                &self.low_disk_refusals,
            ),
        ] {
            line(name, "counter", help, counter.get().to_string());
        }
    }

    /// The refusals of unauthenticated clients and push endpoints.
    fn render_refusals(&self, line: &mut impl FnMut(&str, &str, &str, String)) {
        for (name, help, counter) in [
            (
                "hush_links_refused_total",
                "Link addresses refused (too many from one address, or in all).",
                &self.links_refused,
            ),
            (
                "hush_guests_refused_total",
                "Unauthenticated WebSockets refused (too many from one address, or in all).",
                &self.guests_refused,
            ),
            (
                "hush_guests_timed_out_total",
                "Unauthenticated WebSockets closed for not signing in or opening a link in time.",
                &self.guests_timed_out,
            ),
            (
                "hush_origins_refused_total",
                "WebSocket upgrades refused for their Origin.",
                &self.origins_refused,
            ),
            (
                "hush_push_endpoints_refused_total",
                "Push subscriptions refused for an endpoint that is not public.",
                &self.push_endpoints_refused,
            ),
            (
                "hush_auth_failures_total",
                "Failed authentications (unknown account or device, or a bad signature).",
                &self.auth_failures,
            ),
            (
                "hush_typing_dropped_total",
                "Typing notices dropped: no envelope exchanged with the recipient.",
                &self.typing_dropped,
            ),
        ] {
            line(name, "counter", help, counter.get().to_string());
        }
    }

    /// What the limits on authenticated clients refused or closed.
    fn render_device_limits(&self, line: &mut impl FnMut(&str, &str, &str, String)) {
        for (name, help, counter) in [
            (
                "hush_write_timeouts_total",
                "Connections closed for taking no frame within the write deadline.",
                &self.write_timeouts,
            ),
            (
                "hush_registrations_refused_total",
                "Registrations refused (too many from one client address).",
                &self.registrations_refused,
            ),
            (
                "hush_prekeys_refused_total",
                "Prekey uploads cut to the per-device cap on one-time prekeys.",
                &self.prekeys_refused,
            ),
        ] {
            line(name, "counter", help, counter.get().to_string());
        }
    }
}
