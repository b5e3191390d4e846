//! What every case works on: the message, the account names, and the inputs the protocol feeds
//! its primitives.

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// Plaintext size of every message.
pub(crate) const MESSAGE_LEN: usize = 256;
pub(crate) const ALICE: &str = "alice";
pub(crate) const BOB: &str = "bob";

// The inputs the protocol feeds its primitives (docs/protocol.md), so the floor hashes and
// authenticates exactly as many bytes as the real code.
/// "Hush signed prekey v1" ‖ id (u32) ‖ X25519 key: what the signed-prekey signature covers.
pub(crate) const SIGNED_PREKEY_MESSAGE_LEN: usize = 21 + 4 + 32;
/// X3DH IKM: 32 × 0xFF ‖ DH1 ‖ DH2 ‖ DH3 ‖ DH4.
pub(crate) const X3DH_IKM_LEN: usize = 32 * 5;
pub(crate) const X3DH_INFO: &[u8] = b"Hush X3DH v1";
pub(crate) const RATCHET_INFO: &[u8] = b"Hush ratchet v1";

/// AEAD associated data: "Hush AD v1" ‖ IK(initiator) ‖ IK(responder) ‖ both addresses (u32
/// length ‖ name ‖ u32 device) ‖ ratchet header (version, type, key, PN, N).
pub(crate) fn associated_data_len(initiator: &str, responder: &str) -> usize {
    10 + 64 + 64 + (4 + initiator.len() + 4) + (4 + responder.len() + 4) + (1 + 1 + 32 + 4 + 4)
}

pub(crate) fn rng() -> ChaCha20Rng {
    ChaCha20Rng::from_entropy()
}

pub(crate) fn plaintext() -> Vec<u8> {
    (0..MESSAGE_LEN).map(|i| i as u8).collect()
}
