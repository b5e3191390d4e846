//! Why a ratchet message could not be encrypted or decrypted.

use crate::crypto::AeadError;

/// Why a message could not be encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncryptError {
    /// The plaintext is longer than [`MAX_PLAINTEXT`](crate::wire::MAX_PLAINTEXT).
    TooLong,
    /// The sending chain has no keys left (2³² messages without a reply).
    ChainExhausted,
    /// The session has not received its first message yet (responder side), or there is none.
    NoSession,
}

/// Why a message was rejected. In every case the session is unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecryptError {
    /// Already decrypted, or its key has been discarded (too old, or evicted).
    Duplicate,
    /// It would need skipping more than [`MAX_SKIP`] keys in one chain.
    TooFarAhead,
    /// The ratchet key gives a non-contributory DH (a low-order point).
    InvalidRatchetKey,
    /// Authentication failed: forged or garbled, or not for this session.
    BadMessage,
    /// A counter the message claims is at the end of its range (no honest sender gets there).
    CounterOverflow,
}

impl From<AeadError> for DecryptError {
    fn from(_: AeadError) -> Self {
        Self::BadMessage
    }
}

impl core::fmt::Display for DecryptError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Duplicate => "duplicate or expired message",
            Self::TooFarAhead => "message too far ahead in its chain",
            Self::InvalidRatchetKey => "invalid ratchet key",
            Self::BadMessage => "message failed authentication",
            Self::CounterOverflow => "message counter out of range",
        })
    }
}

impl std::error::Error for DecryptError {}
