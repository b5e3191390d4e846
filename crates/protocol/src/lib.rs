//! hush-protocol: the cryptographic core of Hush (X3DH, Double Ratchet, sender keys, wire
//! types). Pure Rust and sans-IO: no async, no clock and no RNG of its own, so it behaves the same
//! natively and in wasm.
//!
//! Only the wire version lives here yet; the protocol itself is tracked by its own issue.

/// The version byte every Hush wire message starts with.
pub const WIRE_VERSION: u8 = 1;
