//! The load's fixed settings: how long things may take, the payload, the files wanted.

use std::time::Duration;

/// One frame or handshake step may take this long.
pub const WAIT: Duration = Duration::from_secs(10);
/// Connections being opened at once.
pub const OPENING: usize = 128;
/// Counted from the start of a phase, before its measurement window opens.
pub const WARM_UP: Duration = Duration::from_secs(1);
/// After sending stops: how long answers and deliveries may still take.
pub const DRAIN: Duration = Duration::from_secs(10);
/// Envelope payload bytes (the first 8 are the send time).
pub const PAYLOAD: usize = 256;
/// Open files wanted by both processes.
pub const FILES: u64 = 65_536;
