//! hush-protocol: the cryptographic core of Hush. Pure Rust and sans-IO: no async, no clock and
//! no RNG of its own (callers pass a [`rand_core::CryptoRng`]), so it behaves identically natively
//! and in wasm.
//!
//! - [`attachment`]: files, encrypted once as a padded STREAM and sent as a pointer.
//! - [`keys`]: one type per kind of key; secrets are zeroized on drop and never printed.
//! - [`x3dh`]: session setup from a prekey bundle (Signal's X3DH, rev. 1).
//! - [`ratchet`]: one Double Ratchet session (Signal's Double Ratchet, rev. 1).
//! - [`record`]: every session with one remote device (simultaneous initiation converges).
//! - [`sender_key`]: group messages, encrypted once per sender chain and signed.
//! - [`fingerprint`]: safety numbers.
//! - [`wire`]: the versioned binary encoding of everything that leaves the device.
//! - [`devices`]: the account's device list, signed by the account key.
//! - [`linking`]: link codes and the provisioning of a new device of an account.
//! - [`relay`]: the frames exchanged with the relay over the WebSocket.
//! - [`limits`]: every size limit, derived from one another in one place.
//! - [`text`]: what names people see (display, device and group names) may hold.
//! - [`username`]: an account's name, checked once where it enters.
//!
//! `docs/protocol.md` documents every message, field and KDF label.

pub mod attachment;
pub mod crypto;
pub mod devices;
pub mod fingerprint;
pub mod groups;
pub mod hex;
pub mod keys;
pub mod limits;
pub mod linking;
pub mod ratchet;
pub mod record;
pub mod relay;
pub mod sender_key;
pub mod text;
pub mod username;
pub mod wire;
pub mod x3dh;

pub mod codec;
mod kdf;

pub use codec::DecodeError;
pub use keys::{DeviceAddress, IdentityKey, IdentityKeyPair};
pub use username::Username;

/// The version byte of what goes between peers and to the relay (messages, content, frames),
/// and of stored state written by this build. 2: sender keys bound to their sender (issue 18).
/// A peer's message of another version is [`DecodeError::Outdated`]; stored state of any
/// earlier version is still read ([`codec::Reader::stored_header`]). Signed formats keep
/// [`codec::SIGNED_VERSION`].
pub const WIRE_VERSION: u8 = 2;

/// Randomness as the protocol needs it: cryptographically secure, passed in by the caller.
pub trait Rng: rand_core::RngCore + rand_core::CryptoRng {}
impl<T: rand_core::RngCore + rand_core::CryptoRng> Rng for T {}
