//! The key derivations of X3DH and the Double Ratchet, with their labels (docs/protocol.md).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::crypto::{self, AeadError, Plaintext};
use crate::keys::{ChainKey, MessageKey, RootKey, SenderChainKey};

/// HKDF info of the X3DH secret.
pub(crate) const X3DH_INFO: &[u8] = b"Hush X3DH v1";
/// HKDF info of KDF_RK.
pub(crate) const RATCHET_INFO: &[u8] = b"Hush ratchet v1";

/// SK = HKDF(salt = 32 zero bytes, IKM = 32 × 0xFF ‖ DH1 ‖ DH2 ‖ DH3 [‖ DH4], info = X3DH_INFO).
pub(crate) fn x3dh_secret(dhs: &[&[u8; 32]]) -> RootKey {
    let mut ikm = Zeroizing::new(Vec::with_capacity(32 * (dhs.len() + 1)));
    ikm.extend_from_slice(&[0xFF; 32]);
    for dh in dhs {
        ikm.extend_from_slice(&dh[..]);
    }
    let mut sk = RootKey([0; 32]);
    crypto::hkdf(&[0; 32], &ikm, X3DH_INFO, &mut sk.0);
    sk
}

impl RootKey {
    /// KDF_RK: HKDF(salt = root key, IKM = DH output, info = RATCHET_INFO) → new root key and a
    /// chain key.
    pub(crate) fn ratchet(&self, dh_out: &[u8; 32]) -> (RootKey, ChainKey) {
        let mut out = Zeroizing::new([0u8; 64]);
        crypto::hkdf(&self.0, dh_out, RATCHET_INFO, &mut out[..]);
        let (mut root, mut chain) = (RootKey([0; 32]), ChainKey([0; 32]));
        root.0.copy_from_slice(&out[..32]);
        chain.0.copy_from_slice(&out[32..]);
        (root, chain)
    }
}

/// KDF_CK as in the Signal spec: message key = HMAC(ck, 0x01), next chain key = HMAC(ck, 0x02).
/// The keyed HMAC state is computed once and cloned for the two outputs.
fn chain_step(ck: &[u8; 32]) -> ([u8; 32], MessageKey) {
    let Ok(keyed) = <Hmac<Sha256> as Mac>::new_from_slice(ck) else {
        // HMAC takes keys of any length; this arm cannot run.
        return ([0; 32], MessageKey([0; 32]));
    };
    let mut for_message = keyed.clone();
    for_message.update(&[0x01]);
    let mut for_chain = keyed;
    for_chain.update(&[0x02]);
    (
        for_chain.finalize().into_bytes().into(),
        MessageKey(for_message.finalize().into_bytes().into()),
    )
}

impl ChainKey {
    /// The next chain key and this step's message key.
    pub(crate) fn step(&self) -> (ChainKey, MessageKey) {
        let (next, mk) = chain_step(&self.0);
        (ChainKey(next), mk)
    }
}

impl SenderChainKey {
    /// The next chain key and this iteration's message key (same construction as [`ChainKey`]).
    pub(crate) fn step(&self) -> (SenderChainKey, MessageKey) {
        let (next, mk) = chain_step(&self.0);
        (SenderChainKey(next), mk)
    }
}

/// Every message key encrypts exactly one message, so the AEAD nonce is fixed: a (key, nonce)
/// pair can never repeat without the key repeating, which the ratchet rules out.
const NONCE: [u8; 12] = [0; 12];

impl MessageKey {
    pub(crate) fn seal(&self, plaintext: &[u8], ad: &[u8]) -> Vec<u8> {
        crypto::seal(&self.0, &NONCE, plaintext, ad)
    }
    pub(crate) fn open(&self, ciphertext: &[u8], ad: &[u8]) -> Result<Plaintext, AeadError> {
        crypto::open(&self.0, &NONCE, ciphertext, ad)
    }
}
