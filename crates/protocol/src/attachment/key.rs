//! An attachment's key: 32 random bytes for ChaCha20-Poly1305 and a 7-byte random nonce prefix,
//! fresh for every file. Zeroized when dropped; `Debug` never shows it.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::Rng;

/// The nonce prefix's length: the STREAM nonce is prefix (7) ‖ chunk counter (4) ‖ last flag (1).
pub const NONCE_PREFIX_LEN: usize = 7;

/// One attachment's secret: the cipher key and the nonce prefix of its chunks.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct AttachmentKey {
    pub(super) key: [u8; 32],
    pub(super) nonce_prefix: [u8; NONCE_PREFIX_LEN],
}

impl AttachmentKey {
    /// Encoded length: the key, then the nonce prefix.
    pub const LEN: usize = 32 + NONCE_PREFIX_LEN;

    /// A fresh key and prefix from `rng`. Every file gets its own: a key never encrypts a
    /// second plaintext (forwarding reuses the ciphertext, not the key on new bytes).
    pub fn generate(rng: &mut impl Rng) -> Self {
        let mut key = Self {
            key: [0; 32],
            nonce_prefix: [0; NONCE_PREFIX_LEN],
        };
        rng.fill_bytes(&mut key.key);
        rng.fill_bytes(&mut key.nonce_prefix);
        key
    }

    /// The key, then the nonce prefix (wiped when dropped).
    pub fn to_bytes(&self) -> Zeroizing<[u8; Self::LEN]> {
        let mut out = Zeroizing::new([0u8; Self::LEN]);
        out[..32].copy_from_slice(&self.key);
        out[32..].copy_from_slice(&self.nonce_prefix);
        out
    }

    /// From [`Self::to_bytes`]'s layout. Any 39 bytes are a key.
    pub fn from_bytes(bytes: &[u8; Self::LEN]) -> Self {
        let mut key = Self {
            key: [0; 32],
            nonce_prefix: [0; NONCE_PREFIX_LEN],
        };
        key.key.copy_from_slice(&bytes[..32]);
        key.nonce_prefix.copy_from_slice(&bytes[32..]);
        key
    }

    /// The 12-byte nonce of chunk `index`: prefix ‖ index (u32, big-endian) ‖ 1 if it is the
    /// last chunk, else 0.
    pub(super) fn nonce(&self, index: u32, last: bool) -> [u8; 12] {
        let mut nonce = [0u8; 12];
        nonce[..NONCE_PREFIX_LEN].copy_from_slice(&self.nonce_prefix);
        nonce[NONCE_PREFIX_LEN..11].copy_from_slice(&index.to_be_bytes());
        nonce[11] = u8::from(last);
        nonce
    }
}

impl PartialEq for AttachmentKey {
    /// In constant time.
    fn eq(&self, other: &Self) -> bool {
        self.to_bytes().ct_eq(&*other.to_bytes()).into()
    }
}

impl Eq for AttachmentKey {}

impl fmt::Debug for AttachmentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AttachmentKey(<secret>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn keys_are_fresh_round_trip_and_stay_out_of_debug() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let a = AttachmentKey::generate(&mut rng);
        let b = AttachmentKey::generate(&mut rng);
        assert_ne!(a, b);
        assert_eq!(AttachmentKey::from_bytes(&a.to_bytes()), a);
        let shown = format!("{a:?}");
        assert_eq!(shown, "AttachmentKey(<secret>)");
    }

    #[test]
    fn the_nonce_is_prefix_counter_and_last_flag() {
        let mut bytes = [0u8; AttachmentKey::LEN];
        bytes[32..].copy_from_slice(&[1, 2, 3, 4, 5, 6, 7]);
        let key = AttachmentKey::from_bytes(&bytes);
        assert_eq!(
            key.nonce(0x0A0B_0C0D, false),
            [1, 2, 3, 4, 5, 6, 7, 0x0A, 0x0B, 0x0C, 0x0D, 0]
        );
        assert_eq!(key.nonce(0, true), [1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 1]);
    }
}
