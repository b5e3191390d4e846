//! Server configuration: flags, each with an environment variable.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;

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

    /// Directory for the server's state: the SQLite database (unless `--database` is given),
    /// the server keys and the uploaded blobs.
    #[arg(long, env = "HUSH_DATA", default_value = "./data")]
    pub data: PathBuf,

    /// A PostgreSQL database for the relay's store instead of SQLite in `--data`, e.g.
    /// `postgres://hush@127.0.0.1/hush` (or `host=… user=… dbname=…`); migrated at start.
    /// Several relays may share one (docs/architecture.md, "Running several relays").
    #[arg(long, env = "HUSH_DATABASE")]
    pub database: Option<String>,

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

    /// Unauthenticated WebSockets one client address (IPv6: one /64) may hold at once; more are
    /// told `RateLimited` and closed.
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

    /// The largest attachment, in bytes (its ciphertext, padded).
    #[arg(
        long = "max-blob-bytes",
        env = "HUSH_MAX_BLOB_BYTES",
        default_value_t = crate::blobs::DEFAULT_MAX_BLOB_BYTES
    )]
    pub max_blob_bytes: u32,

    /// Days an attachment is kept after its upload, unless the uploading account renews it.
    #[arg(
        long = "blob-lifetime-days",
        env = "HUSH_BLOB_LIFETIME_DAYS",
        default_value_t = 30
    )]
    pub blob_lifetime_days: u64,

    /// Bytes of envelopes one device may have waiting in its queue; a send that would pass it
    /// is refused with "storage quota reached" (what is queued stays).
    #[arg(
        long = "max-queued-bytes-per-device",
        env = "HUSH_MAX_QUEUED_BYTES_PER_DEVICE",
        default_value_t = DEFAULT_QUEUED_PER_DEVICE
    )]
    pub max_queued_bytes_per_device: u64,

    /// Bytes of payloads one account may have stored for others, not yet delivered (a group
    /// message counts once); past it, its sends are refused with "storage quota reached".
    #[arg(
        long = "max-queued-bytes-per-account",
        env = "HUSH_MAX_QUEUED_BYTES_PER_ACCOUNT",
        default_value_t = DEFAULT_QUEUED_PER_ACCOUNT
    )]
    pub max_queued_bytes_per_account: u64,

    /// Free bytes the data directory's disk must keep: below it, sends and uploads are
    /// refused ("the relay is low on storage") instead of failing at commit. 0: no floor.
    #[arg(
        long = "min-free-disk-bytes",
        env = "HUSH_MIN_FREE_DISK_BYTES",
        default_value_t = DEFAULT_MIN_FREE_DISK
    )]
    pub min_free_disk_bytes: u64,

    /// Let devices register push endpoints on loopback or private networks. For end-to-end
    /// tests with a local push service only (hidden from `--help`): otherwise clients could aim
    /// the relay at internal hosts.
    #[arg(long = "push-allow-private-endpoints", hide = true)]
    pub push_allow_private: bool,

    /// Milliseconds between two Web Push wake-ups of one device: at most one per window.
    #[arg(
        long = "push-window-ms",
        env = "HUSH_PUSH_WINDOW_MS",
        default_value_t = 5000
    )]
    pub push_window_ms: u64,

    /// Proxies (CIDR ranges, e.g. `127.0.0.1/32`; repeat the flag or separate with commas) whose
    /// `X-Forwarded-For` / `Forwarded` headers name the client. Unset, every peer is the client.
    #[arg(
        long = "trusted-proxy",
        env = "HUSH_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<Cidr>,

    /// Link codes one client address may have open at once (browsers waiting to be linked).
    #[arg(
        long = "max-links-per-ip",
        env = "HUSH_MAX_LINKS_PER_IP",
        default_value_t = 8
    )]
    pub max_links_per_ip: u32,

    /// Unauthenticated WebSockets all addresses together may hold at once.
    #[arg(long = "max-guests", env = "HUSH_MAX_GUESTS", default_value_t = 10_000)]
    pub max_guests: u32,

    /// Milliseconds an unauthenticated WebSocket has to authenticate or open a link (one
    /// holding an open link lives until the link expires).
    #[arg(
        long = "guest-deadline-ms",
        env = "HUSH_GUEST_DEADLINE_MS",
        default_value_t = 10_000
    )]
    pub guest_deadline_ms: u64,

    /// Milliseconds a client has to send a request's headers, and between two pieces of a body.
    #[arg(
        long = "http-timeout-ms",
        env = "HUSH_HTTP_TIMEOUT_MS",
        default_value_t = 30_000
    )]
    pub http_timeout_ms: u64,

    /// Origins (`https://host[:port]`) whose pages may open the WebSocket besides the relay's
    /// own (an `Origin` whose host is the request's `Host`); repeat or separate with commas.
    /// Clients that send no `Origin` (native ones) are always let in.
    #[arg(
        long = "allowed-origin",
        env = "HUSH_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// Milliseconds a device's connection may take to accept a frame (the peer reading
    /// nothing); then it is closed and its envelopes stay queued for its next connection.
    #[arg(
        long = "write-deadline-ms",
        env = "HUSH_WRITE_DEADLINE_MS",
        default_value_t = 30_000
    )]
    pub write_deadline_ms: u64,

    /// Accounts one client address (IPv6: one /64) may register per minute; more are refused
    /// with `RateLimited`. Raise it for tests and benchmarks registering thousands from one
    /// host.
    #[arg(
        long = "registrations-per-minute",
        env = "HUSH_REGISTRATIONS_PER_MINUTE",
        default_value_t = 20
    )]
    pub registrations_per_minute: u32,

    /// Times one client address may fetch one account's bundles per minute (each fetch takes
    /// one of its one-time prekeys), whichever devices ask; one device may fetch it 5 times.
    #[arg(
        long = "fetches-per-account-per-address",
        env = "HUSH_FETCHES_PER_ACCOUNT_PER_ADDRESS",
        default_value_t = 10
    )]
    pub fetches_per_account_per_address: u32,

    /// One-time prekeys the relay keeps per device; an upload past it keeps the first ones up
    /// to the cap and is answered `QuotaExceeded`.
    #[arg(
        long = "max-one-time-prekeys",
        env = "HUSH_MAX_ONE_TIME_PREKEYS",
        default_value_t = 400
    )]
    pub max_one_time_prekeys: u32,
}

/// Default of `--max-queued-bytes-per-device`: 64 MiB.
pub const DEFAULT_QUEUED_PER_DEVICE: u64 = 64 << 20;
/// Default of `--max-queued-bytes-per-account`: 128 MiB.
pub const DEFAULT_QUEUED_PER_ACCOUNT: u64 = 128 << 20;
/// Default of `--min-free-disk-bytes`: 256 MiB.
pub const DEFAULT_MIN_FREE_DISK: u64 = 256 << 20;

/// An IP address range: an address and how many leading bits of it count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Whether `ip` is in the range (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// `ip`, with an IPv4-mapped IPv6 address turned back into IPv4.
pub(crate) fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

impl FromStr for Cidr {
    type Err = String;

    /// `10.0.0.0/8`, `fd00::/8`, or a single address.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (addr, prefix) = text.trim().split_once('/').unwrap_or((text.trim(), ""));
        let addr = canonical(
            addr.parse::<IpAddr>()
                .map_err(|e| format!("{text:?} is not an address or CIDR range: {e}"))?,
        );
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            "" => max,
            bits => bits
                .parse::<u8>()
                .ok()
                .filter(|b| *b <= max)
                .ok_or_else(|| format!("{text:?}: the prefix must be 0 to {max}"))?,
        };
        Ok(Self { addr, prefix })
    }
}

impl Config {
    /// A relay on a free loopback port (`127.0.0.1:0`), its metrics on another, with its state
    /// in `data` and no web app, the per-address limits on registrations and bundle fetches
    /// lifted (every client is on loopback), every other setting at its default: what tests
    /// and tools start.
    pub fn local(data: &std::path::Path) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            metrics_addr: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            data: data.to_path_buf(),
            database: None,
            static_dir: data.join("no-app"),
            frames_per_second: 500.0,
            envelope_lifetime_secs: 30 * 24 * 3600,
            max_guests_per_ip: 256,
            blob_quota_bytes: crate::blobs::DEFAULT_BLOB_QUOTA,
            max_blob_bytes: crate::blobs::DEFAULT_MAX_BLOB_BYTES,
            blob_lifetime_days: 30,
            max_queued_bytes_per_device: DEFAULT_QUEUED_PER_DEVICE,
            max_queued_bytes_per_account: DEFAULT_QUEUED_PER_ACCOUNT,
            min_free_disk_bytes: DEFAULT_MIN_FREE_DISK,
            push_allow_private: false,
            push_window_ms: 5000,
            trusted_proxies: Vec::new(),
            max_links_per_ip: 8,
            max_guests: 10_000,
            guest_deadline_ms: 10_000,
            http_timeout_ms: 30_000,
            allowed_origins: Vec::new(),
            write_deadline_ms: 30_000,
            // Every client of a local relay has one address (loopback): the per-address limits
            // would count them all as one. Tests of those limits set them back.
            registrations_per_minute: 1_000_000,
            fetches_per_account_per_address: 1_000_000,
            max_one_time_prekeys: 400,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn cidr_ranges_parse_and_match() {
        let lan: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(lan.contains(ip("10.200.1.1")));
        assert!(lan.contains(ip("::ffff:10.0.0.1")));
        assert!(!lan.contains(ip("11.0.0.1")));
        let one: Cidr = "127.0.0.1".parse().unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let v6: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:1::1")) && !v6.contains(ip("2001:db9::1")));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("8.8.8.8")) && !all.contains(ip("::1")));
        for bad in ["", "10.0.0.0/33", "fd00::/129", "example.com", "10.0.0.0/x"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

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
