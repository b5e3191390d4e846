//! Sender keys for groups, as Signal and WhatsApp use them: each member encrypts a group message
//! once with its own hash chain and signs it; the chain key and the public signing key reach the
//! other members in a [`SenderKeyDistribution`] over the pairwise sessions. Rotating starts a new
//! chain (new chain key, signing key and chain id) that holders of the old one cannot follow.

use std::collections::VecDeque;

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::codec::{DecodeError, Reader, Writer};
use crate::keys::{MessageKey, SenderChainKey};
use crate::ratchet::EncryptError;
use crate::wire::{SenderKeyDistribution, SenderKeyMessage, MAX_PLAINTEXT};
use crate::Rng;

/// The most iterations one message may jump ahead.
pub const MAX_SENDER_SKIP: u32 = 2000;
/// The most skipped keys kept per chain (oldest evicted first).
pub const MAX_SENDER_SKIPPED_KEYS: usize = 2000;
/// How many chains of one sender are kept (old ones decrypt late messages after a rotation).
pub const MAX_SENDER_CHAINS: usize = 5;

const OWN_TYPE: u8 = 0x83;
const RECORD_TYPE: u8 = 0x84;

/// Why a group message was rejected. The record is unchanged in every case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SenderKeyError {
    /// No distribution message for this sender key and chain was processed.
    UnknownChain,
    /// The signature does not verify.
    BadSignature,
    /// Already decrypted, or its key was discarded.
    Duplicate,
    /// More than [`MAX_SENDER_SKIP`] iterations ahead.
    TooFarAhead,
    /// Authentication of the ciphertext failed.
    BadMessage,
}

impl core::fmt::Display for SenderKeyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::UnknownChain => "unknown sender key chain",
            Self::BadSignature => "group message signature does not verify",
            Self::Duplicate => "duplicate or expired group message",
            Self::TooFarAhead => "group message too far ahead",
            Self::BadMessage => "group message failed authentication",
        })
    }
}

impl std::error::Error for SenderKeyError {}

/// This device's own sender key for one group.
#[derive(Clone)]
pub struct OwnSenderKey {
    distribution_id: [u8; 16],
    chain_id: u32,
    iteration: u32,
    chain: SenderChainKey,
    signing: SigningKey,
}

impl core::fmt::Debug for OwnSenderKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OwnSenderKey")
            .field("chain_id", &self.chain_id)
            .field("iteration", &self.iteration)
            .finish_non_exhaustive()
    }
}

impl OwnSenderKey {
    /// A fresh chain; call again to rotate (e.g. after a member left).
    pub fn generate(distribution_id: [u8; 16], rng: &mut impl Rng) -> Self {
        let mut chain = SenderChainKey([0; 32]);
        rng.fill_bytes(&mut chain.0);
        Self {
            distribution_id,
            chain_id: rng.next_u32(),
            iteration: 0,
            chain,
            signing: SigningKey::generate(rng),
        }
    }

    /// How many messages this chain has encrypted (0: not used yet).
    pub fn iteration(&self) -> u32 {
        self.iteration
    }

    /// What the other members need to decrypt from the current iteration on.
    pub fn distribution(&self) -> SenderKeyDistribution {
        SenderKeyDistribution {
            distribution_id: self.distribution_id,
            chain_id: self.chain_id,
            iteration: self.iteration,
            chain_key: self.chain.clone(),
            signing_key: self.signing.verifying_key(),
        }
    }

    /// Encrypts and signs one group message.
    pub fn encrypt(&mut self, plaintext: &[u8]) -> Result<SenderKeyMessage, EncryptError> {
        if plaintext.len() > MAX_PLAINTEXT {
            return Err(EncryptError::TooLong);
        }
        let next_iteration = self
            .iteration
            .checked_add(1)
            .ok_or(EncryptError::ChainExhausted)?;
        let (next, key) = self.chain.step();
        let ad =
            SenderKeyMessage::header_bytes(&self.distribution_id, self.chain_id, self.iteration);
        let mut message = SenderKeyMessage {
            distribution_id: self.distribution_id,
            chain_id: self.chain_id,
            iteration: self.iteration,
            ciphertext: key.seal(plaintext, &ad),
            signature: [0; 64],
        };
        message.signature = self.signing.sign(&message.signed_bytes()).to_bytes();
        self.chain = next;
        self.iteration = next_iteration;
        Ok(message)
    }

    /// For storage; zeroized when dropped.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::with_capacity(96);
        w.u8(crate::WIRE_VERSION)
            .u8(OWN_TYPE)
            .raw(&self.distribution_id)
            .u32(self.chain_id)
            .u32(self.iteration)
            .raw(&self.chain.0)
            .raw(self.signing.as_bytes());
        Zeroizing::new(core::mem::take(&mut w.buf))
    }

    /// Restores what [`Self::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        r.header(OWN_TYPE)?;
        let key = Self {
            distribution_id: r.array()?,
            chain_id: r.u32()?,
            iteration: r.u32()?,
            chain: SenderChainKey(r.array()?),
            signing: SigningKey::from_bytes(&Zeroizing::new(r.array::<32>()?)),
        };
        r.finish()?;
        Ok(key)
    }
}

#[derive(Clone)]
struct ReceivingChain {
    chain_id: u32,
    next_iteration: u32,
    chain: SenderChainKey,
    signing_key: VerifyingKey,
    skipped: VecDeque<(u32, MessageKey)>,
}

/// What this device knows of one sender's sender key in one group.
#[derive(Clone, Default)]
pub struct SenderKeyRecord {
    distribution_id: Option<[u8; 16]>,
    chains: VecDeque<ReceivingChain>,
}

impl core::fmt::Debug for SenderKeyRecord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SenderKeyRecord")
            .field("chains", &self.chains.len())
            .finish_non_exhaustive()
    }
}

impl SenderKeyRecord {
    /// Knows nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes in a distribution message (received over a pairwise session). A chain already known
    /// is kept as is: a replayed distribution cannot rewind it.
    pub fn process(&mut self, distribution: &SenderKeyDistribution) {
        if self
            .distribution_id
            .is_some_and(|id| id != distribution.distribution_id)
        {
            // A new group key for this sender replaces what we had.
            self.chains.clear();
        }
        self.distribution_id = Some(distribution.distribution_id);
        if self
            .chains
            .iter()
            .any(|c| c.chain_id == distribution.chain_id)
        {
            return;
        }
        if self.chains.len() >= MAX_SENDER_CHAINS {
            self.chains.pop_back();
        }
        self.chains.push_front(ReceivingChain {
            chain_id: distribution.chain_id,
            next_iteration: distribution.iteration,
            chain: distribution.chain_key.clone(),
            signing_key: distribution.signing_key,
            skipped: VecDeque::new(),
        });
    }

    /// Whether a chain held here verifies with `key` (one device's signing key offered as
    /// another's is refused: it would let a member pass off someone else's messages).
    pub fn uses_signing_key(&self, key: &VerifyingKey) -> bool {
        self.chains.iter().any(|c| c.signing_key == *key)
    }

    /// Verifies and decrypts a group message, committing only on success.
    pub fn decrypt(&mut self, message: &SenderKeyMessage) -> Result<Vec<u8>, SenderKeyError> {
        if self.distribution_id != Some(message.distribution_id) {
            return Err(SenderKeyError::UnknownChain);
        }
        let chain = self
            .chains
            .iter_mut()
            .find(|c| c.chain_id == message.chain_id)
            .ok_or(SenderKeyError::UnknownChain)?;
        let signature = ed25519_dalek::Signature::from_bytes(&message.signature);
        chain
            .signing_key
            .verify_strict(&message.signed_bytes(), &signature)
            .map_err(|_| SenderKeyError::BadSignature)?;
        let ad = SenderKeyMessage::header_bytes(
            &message.distribution_id,
            message.chain_id,
            message.iteration,
        );

        if message.iteration < chain.next_iteration {
            let pos = chain
                .skipped
                .iter()
                .position(|(i, _)| *i == message.iteration)
                .ok_or(SenderKeyError::Duplicate)?;
            let plaintext = chain.skipped[pos]
                .1
                .open(&message.ciphertext, &ad)
                .map_err(|_| SenderKeyError::BadMessage)?;
            chain.skipped.remove(pos);
            return Ok(plaintext);
        }
        if message.iteration - chain.next_iteration > MAX_SENDER_SKIP {
            return Err(SenderKeyError::TooFarAhead);
        }
        let mut skipped = Vec::new();
        let mut current = chain.chain.clone();
        for iteration in chain.next_iteration..message.iteration {
            let (next, key) = current.step();
            skipped.push((iteration, key));
            current = next;
        }
        let after = message
            .iteration
            .checked_add(1)
            .ok_or(SenderKeyError::TooFarAhead)?;
        let (next, key) = current.step();
        let plaintext = key
            .open(&message.ciphertext, &ad)
            .map_err(|_| SenderKeyError::BadMessage)?;
        chain.chain = next;
        chain.next_iteration = after;
        for entry in skipped {
            if chain.skipped.len() >= MAX_SENDER_SKIPPED_KEYS {
                chain.skipped.pop_front();
            }
            chain.skipped.push_back(entry);
        }
        Ok(plaintext)
    }

    /// For storage; zeroized when dropped.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::default();
        w.u8(crate::WIRE_VERSION).u8(RECORD_TYPE);
        match &self.distribution_id {
            Some(id) => w.u8(1).raw(id),
            None => w.u8(0),
        };
        w.u32(self.chains.len() as u32);
        for c in &self.chains {
            w.u32(c.chain_id)
                .u32(c.next_iteration)
                .raw(&c.chain.0)
                .raw(c.signing_key.as_bytes())
                .u32(c.skipped.len() as u32);
            for (i, key) in &c.skipped {
                w.u32(*i).raw(&key.0);
            }
        }
        Zeroizing::new(core::mem::take(&mut w.buf))
    }

    /// Restores a stored record; anything malformed is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        r.header(RECORD_TYPE)?;
        let distribution_id = if r.bool("distribution flag")? {
            Some(r.array()?)
        } else {
            None
        };
        let n = r.count("sender chains", MAX_SENDER_CHAINS, 76)?;
        let mut chains = VecDeque::with_capacity(n);
        for _ in 0..n {
            let chain_id = r.u32()?;
            let next_iteration = r.u32()?;
            let chain = SenderChainKey(r.array()?);
            let signing_key = VerifyingKey::from_bytes(&r.array()?)
                .map_err(|_| DecodeError::Invalid("sender signing key"))?;
            let m = r.count("skipped sender keys", MAX_SENDER_SKIPPED_KEYS, 36)?;
            let mut skipped = VecDeque::with_capacity(m);
            for _ in 0..m {
                skipped.push_back((r.u32()?, MessageKey(r.array()?)));
            }
            chains.push_back(ReceivingChain {
                chain_id,
                next_iteration,
                chain,
                signing_key,
                skipped,
            });
        }
        r.finish()?;
        Ok(Self {
            distribution_id,
            chains,
        })
    }
}
