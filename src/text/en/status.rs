//! The link to the relay, as the status line says it.

// status.rs
pub const CONNECTING: &str = "Connecting…";
pub const CONNECTED: &str = "Connected";
pub const OFFLINE: &str = "Offline";
