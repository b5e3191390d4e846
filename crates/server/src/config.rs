//! Server configuration: flags, each with an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

/// How to run the relay. Every flag can also be given through its `HUSH_*` variable.
#[derive(Clone, Debug, clap::Parser)]
#[command(
    name = "hush-server",
    version,
    about = "The Hush relay and web app server"
)]
pub struct Config {
    /// Address to listen on. Port 0 picks a free port (printed at start).
    #[arg(long, env = "HUSH_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Address for the operator's Prometheus metrics (`GET /metrics`), e.g. `127.0.0.1:9090`.
    /// Off unless given; keep it on loopback or a private network, never the public address.
    #[arg(long = "metrics-addr", env = "HUSH_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Directory for the server's state: the SQLite database and the server keys.
    #[arg(long, env = "HUSH_DATA", default_value = "./data")]
    pub data: PathBuf,

    /// Directory with the built web app (trunk's `dist`).
    #[arg(long = "static-dir", env = "HUSH_STATIC", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Frames (and envelopes) per second one device may send; twice that in a burst.
    #[arg(
        long = "frames-per-second",
        env = "HUSH_FRAMES_PER_SECOND",
        default_value_t = 500.0
    )]
    pub frames_per_second: f64,

    /// Seconds a queued envelope waits for its device before it expires and its sender is told
    /// (30 days).
    #[arg(
        long = "envelope-lifetime",
        env = "HUSH_ENVELOPE_LIFETIME_SECS",
        default_value_t = 30 * 24 * 3600
    )]
    pub envelope_lifetime_secs: u64,

    /// Unauthenticated WebSockets one IP address may hold at once (more get HTTP 429).
    #[arg(
        long = "max-guests-per-ip",
        env = "HUSH_MAX_GUESTS_PER_IP",
        default_value_t = 256
    )]
    pub max_guests_per_ip: u32,

    /// Bytes one device may keep on the relay in attachments that have not expired (uploads
    /// it was granted count too); past it, grants are refused with "storage quota reached".
    #[arg(
        long = "blob-quota-bytes",
        env = "HUSH_BLOB_QUOTA_BYTES",
        default_value_t = crate::blobs::DEFAULT_BLOB_QUOTA
    )]
    pub blob_quota_bytes: u64,

    /// Let devices register push endpoints on loopback or private networks (for tests with a
    /// local push service); off by default so clients cannot aim the relay at internal hosts.
    #[arg(long = "push-allow-private-endpoints", env = "HUSH_PUSH_ALLOW_PRIVATE")]
    pub push_allow_private: bool,
}

impl Config {
    /// A relay on a free loopback port (`127.0.0.1:0`), its metrics on another, with its state
    /// in `data` and no web app, every other setting at its default: what tests and tools
    /// start.
    pub fn local(data: &std::path::Path) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            metrics_addr: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            data: data.to_path_buf(),
            static_dir: data.join("no-app"),
            frames_per_second: 500.0,
            envelope_lifetime_secs: 30 * 24 * 3600,
            max_guests_per_ip: 256,
            blob_quota_bytes: crate::blobs::DEFAULT_BLOB_QUOTA,
            push_allow_private: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn metrics_are_off_unless_an_address_is_given() {
        let plain = Config::try_parse_from(["hush-server"]).ok();
        assert_eq!(plain.map(|c| c.metrics_addr), Some(None));
        let given = Config::try_parse_from(["hush-server", "--metrics-addr", "127.0.0.1:9090"]);
        assert_eq!(
            given.ok().and_then(|c| c.metrics_addr),
            Some(SocketAddr::from(([127, 0, 0, 1], 9090)))
        );
    }
}
