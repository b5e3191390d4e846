//! Sender keys for groups, as Signal and WhatsApp use them: each member encrypts a group message
//! once with its own hash chain and signs it; the chain key and the public signing key reach the
//! other members in a [`SenderKeyDistribution`] over the pairwise sessions. Rotating starts a new
//! chain (new chain key, signing key and chain id) that holders of the old one cannot follow.

use std::collections::VecDeque;

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::codec::{DecodeError, Reader, Writer};
use crate::crypto::Plaintext;
use crate::keys::{DeviceAddress, MessageKey, SenderChainKey};
use crate::ratchet::EncryptError;
use crate::wire::{SenderKeyDistribution, SenderKeyMessage, MAX_PLAINTEXT};
use crate::Rng;

/// The most iterations one message may jump ahead: as far as a pairwise message may.
pub const MAX_SENDER_SKIP: u32 = crate::ratchet::MAX_SKIP;
/// The most skipped keys kept per sender device, all its chains together (oldest evicted
/// first), as per pairwise session. Also the most one stored chain may hold.
pub const MAX_SENDER_SKIPPED_KEYS: usize = crate::ratchet::MAX_SKIPPED_KEYS;
/// A skipped key goes once its chain is more than this many iterations past it. Sender chains
/// have no DH steps to count age in (pairwise keys go after
/// [`crate::ratchet::MAX_SKIPPED_AGE`] steps); a message this late is as late as one may be
/// early.
pub const MAX_SENDER_SKIPPED_AGE: u32 = MAX_SENDER_SKIP;
/// How many chains of one sender are kept (old ones decrypt late messages after a rotation).
pub const MAX_SENDER_CHAINS: usize = 5;

const OWN_TYPE: u8 = 0x83;
const RECORD_TYPE: u8 = 0x84;

/// Why a group message was rejected. The record is unchanged in every case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SenderKeyError {
    /// No distribution message for this sender key and chain was processed.
    UnknownChain,
    /// The signature does not verify (for a message: not by this chain's key, or not for the
    /// device it came from).
    BadSignature,
    /// A distribution names another device than the one it came from, or another group.
    WrongSender,
    /// Already decrypted, or its key was discarded.
    Duplicate,
    /// More than [`MAX_SENDER_SKIP`] iterations ahead.
    TooFarAhead,
    /// Authentication of the ciphertext failed.
    BadMessage,
    /// The iteration is at the end of its range (no honest sender gets there).
    CounterOverflow,
}

impl core::fmt::Display for SenderKeyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::UnknownChain => "unknown sender key chain",
            Self::BadSignature => "group message signature does not verify",
            Self::WrongSender => "sender key of another device or group",
            Self::Duplicate => "duplicate or expired group message",
            Self::TooFarAhead => "group message too far ahead",
            Self::BadMessage => "group message failed authentication",
            Self::CounterOverflow => "group message counter out of range",
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

    /// What the other members need to decrypt from the current iteration on, signed for
    /// `owner` (this device) and the group.
    pub fn distribution(&self, owner: &DeviceAddress) -> SenderKeyDistribution {
        let mut distribution = SenderKeyDistribution {
            distribution_id: self.distribution_id,
            sender: owner.clone(),
            chain_id: self.chain_id,
            iteration: self.iteration,
            chain_key: self.chain.clone(),
            signing_key: self.signing.verifying_key(),
            signature: [0; 64],
        };
        distribution.signature = self.signing.sign(&distribution.signed_bytes()).to_bytes();
        distribution
    }

    /// Encrypts and signs one group message sent by `owner` (this device).
    pub fn encrypt(
        &mut self,
        owner: &DeviceAddress,
        plaintext: &[u8],
    ) -> Result<SenderKeyMessage, EncryptError> {
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
        message.signature = self.signing.sign(&message.signed_bytes(owner)).to_bytes();
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
        r.stored_header(OWN_TYPE)?;
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
    /// Boxed: the deque moves only pointers when it grows, never a key (no copy left behind).
    skipped: VecDeque<(u32, Box<MessageKey>)>,
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

    /// Takes in a distribution message that came over a pairwise session from `from`, for
    /// group `group`: refused unless it names that device and group and its signing key signed
    /// it. A chain already known is kept as is: a replayed distribution cannot rewind it.
    pub fn process(
        &mut self,
        group: &[u8; 16],
        from: &DeviceAddress,
        distribution: &SenderKeyDistribution,
    ) -> Result<(), SenderKeyError> {
        distribution.check(group, from)?;
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
            return Ok(());
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
        Ok(())
    }

    /// Verifies (as sent by `from`, the envelope's sender) and decrypts a group message,
    /// committing only on success.
    pub fn decrypt(
        &mut self,
        from: &DeviceAddress,
        message: &SenderKeyMessage,
    ) -> Result<Plaintext, SenderKeyError> {
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
            .verify_strict(&message.signed_bytes(from), &signature)
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
        // Checked before any key is derived: no honest sender reaches the last iteration.
        let after = message
            .iteration
            .checked_add(1)
            .ok_or(SenderKeyError::CounterOverflow)?;
        let mut skipped = Vec::with_capacity((message.iteration - chain.next_iteration) as usize);
        let mut current = chain.chain.clone();
        for iteration in chain.next_iteration..message.iteration {
            let (next, key) = current.step();
            skipped.push((iteration, Box::new(key)));
            current = next;
        }
        let (next, key) = current.step();
        let plaintext = key
            .open(&message.ciphertext, &ad)
            .map_err(|_| SenderKeyError::BadMessage)?;
        chain.chain = next;
        chain.next_iteration = after;
        chain.skipped.extend(skipped);
        self.expire();
        Ok(plaintext)
    }

    /// Drops skipped keys older than [`MAX_SENDER_SKIPPED_AGE`], then the oldest (oldest chain
    /// first) beyond [`MAX_SENDER_SKIPPED_KEYS`] for this sender.
    fn expire(&mut self) {
        for c in &mut self.chains {
            let next = c.next_iteration;
            c.skipped
                .retain(|(i, _)| next.saturating_sub(*i) <= MAX_SENDER_SKIPPED_AGE);
        }
        let mut total: usize = self.chains.iter().map(|c| c.skipped.len()).sum();
        // Newest chain first in the deque: evict from the back.
        for c in self.chains.iter_mut().rev() {
            while total > MAX_SENDER_SKIPPED_KEYS && c.skipped.pop_front().is_some() {
                total -= 1;
            }
        }
    }

    /// How many skipped keys are kept (all chains).
    pub fn skipped_keys(&self) -> usize {
        self.chains.iter().map(|c| c.skipped.len()).sum()
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
        let version = r.stored_header(RECORD_TYPE)?;
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
                skipped.push_back((r.u32()?, Box::new(MessageKey(r.array()?))));
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
        let mut record = Self {
            distribution_id,
            chains,
        };
        // A record an earlier build stored may hold more, or older, keys; this build expires
        // them on every decrypt, so its own records never do (and stay canonical).
        let kept = record.skipped_keys();
        record.expire();
        if version == crate::WIRE_VERSION && record.skipped_keys() != kept {
            return Err(DecodeError::Invalid("expired sender keys"));
        }
        Ok(record)
    }
}

impl SenderKeyDistribution {
    /// Whether it is `from`'s key for `group`, signed by its own signing key.
    pub fn check(&self, group: &[u8; 16], from: &DeviceAddress) -> Result<(), SenderKeyError> {
        if self.sender != *from || self.distribution_id != *group {
            return Err(SenderKeyError::WrongSender);
        }
        let signature = ed25519_dalek::Signature::from_bytes(&self.signature);
        self.signing_key
            .verify_strict(&self.signed_bytes(), &signature)
            .map_err(|_| SenderKeyError::BadSignature)
    }
}

#[cfg(test)]
#[path = "sender_key_tests.rs"]
mod tests;
