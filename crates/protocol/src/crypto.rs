//! Thin wrappers over the primitives, so every use goes through one checked place:
//! X25519 that rejects non-contributory results, HKDF-SHA256, HMAC-SHA256 and
//! ChaCha20-Poly1305.

use chacha20poly1305::aead::{Aead, AeadInPlace, KeyInit, Payload};
use chacha20poly1305::ChaCha20Poly1305;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::{Zeroize, Zeroizing};

/// A DH with a low-order (or otherwise non-contributory) peer key: the result would be known to
/// an attacker, so it is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonContributory;

impl core::fmt::Display for NonContributory {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("non-contributory X25519 result (low-order public key)")
    }
}

impl std::error::Error for NonContributory {}

/// X25519, refusing an all-zero shared secret.
pub fn dh(
    secret: &StaticSecret,
    public: &PublicKey,
) -> Result<Zeroizing<[u8; 32]>, NonContributory> {
    let shared = secret.diffie_hellman(public);
    if !shared.was_contributory() {
        return Err(NonContributory);
    }
    Ok(Zeroizing::new(shared.to_bytes()))
}

/// HKDF-SHA256 (RFC 5869) extract-and-expand into `out`. `out` must be at most 255 × 32 bytes,
/// which every caller guarantees with a fixed-size buffer.
pub fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) {
    let hk = Hkdf::<Sha256>::new(Some(salt), ikm);
    if hk.expand(info, out).is_err() {
        // Unreachable for the fixed sizes used here; never leave stale bytes behind.
        out.zeroize();
    }
}

/// HMAC-SHA256 of `data` under `key`.
pub fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return [0; 32],
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The AEAD failed: wrong key, or the ciphertext or associated data were changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AeadError;

impl core::fmt::Display for AeadError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("authenticated decryption failed")
    }
}

impl std::error::Error for AeadError {}

/// ChaCha20-Poly1305 (RFC 8439) seal.
pub fn seal(key: &[u8; 32], nonce: &[u8; 12], plaintext: &[u8], ad: &[u8]) -> Vec<u8> {
    let cipher = ChaCha20Poly1305::new(key.into());
    // Encryption only fails for inputs beyond 256 GiB, which the wire limits rule out.
    cipher
        .encrypt(
            nonce.into(),
            Payload {
                msg: plaintext,
                aad: ad,
            },
        )
        .unwrap_or_default()
}

/// ChaCha20-Poly1305 in place, no associated data: `buffer` (the plaintext) becomes the
/// ciphertext; the tag is returned. For attachment chunks, sealed where they lie with no
/// allocation.
pub fn seal_in_place(key: &[u8; 32], nonce: &[u8; 12], buffer: &mut [u8]) -> [u8; 16] {
    let cipher = ChaCha20Poly1305::new(key.into());
    // Encryption only fails for inputs beyond 256 GiB (a chunk is 64 KiB).
    cipher
        .encrypt_in_place_detached(nonce.into(), &[], buffer)
        .map(Into::into)
        .unwrap_or_default()
}

/// [`seal_in_place`]'s inverse: `buffer` (the ciphertext) becomes the plaintext if `tag`
/// authenticates it; on failure `buffer` is left as it was.
pub fn open_in_place(
    key: &[u8; 32],
    nonce: &[u8; 12],
    buffer: &mut [u8],
    tag: &[u8; 16],
) -> Result<(), AeadError> {
    let cipher = ChaCha20Poly1305::new(key.into());
    cipher
        .decrypt_in_place_detached(nonce.into(), &[], buffer, tag.into())
        .map_err(|_| AeadError)
}

/// Decrypted bytes: wiped when dropped, since a pairwise plaintext may carry key material (a
/// sender key, a linked device's account key) from the moment it is opened.
pub type Plaintext = Zeroizing<Vec<u8>>;

/// ChaCha20-Poly1305 (RFC 8439) open.
pub fn open(
    key: &[u8; 32],
    nonce: &[u8; 12],
    ciphertext: &[u8],
    ad: &[u8],
) -> Result<Plaintext, AeadError> {
    let cipher = ChaCha20Poly1305::new(key.into());
    cipher
        .decrypt(
            nonce.into(),
            Payload {
                msg: ciphertext,
                aad: ad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| AeadError)
}
