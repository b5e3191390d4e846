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

    /// Let devices register push endpoints on loopback or private networks: for tests with a
    /// local push service only, so it is no flag; otherwise clients could aim the relay at
    /// internal hosts.
    #[arg(skip)]
    pub push_allow_private: bool,

    /// Milliseconds between two Web Push wake-ups of one device: at most one per window.
    #[arg(long = "push-window-ms", env = "HUSH_PUSH_WINDOW_MS", default_value_t = 5000)]
    pub push_window_ms: u64,
}

impl Config {
    /// A relay on a free loopback port (`127.0.0.1:0`) with its state in `data` and no web app,
    /// every other setting at its default: what tests and tools start.
    pub fn local(data: &std::path::Path) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data: data.to_path_buf(),
            static_dir: data.join("no-app"),
            frames_per_second: 500.0,
            envelope_lifetime_secs: 30 * 24 * 3600,
            max_guests_per_ip: 256,
            push_allow_private: false,
            push_window_ms: 5000,
        }
    }
}
