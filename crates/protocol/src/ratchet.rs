//! One Double Ratchet session (Signal's Double Ratchet, rev. 1).
//!
//! Decryption never touches the session until the AEAD has accepted the message: chain keys are
//! advanced on local copies, and the results (new chain keys, skipped keys, the DH ratchet step)
//! are committed together afterwards. A forged, garbled or replayed message therefore leaves the
//! session exactly as it was.

use std::collections::VecDeque;

use x25519_dalek::PublicKey;
use zeroize::Zeroizing;

use crate::codec::{DecodeError, Reader, Writer};
use crate::crypto::{self, AeadError, Plaintext};
use crate::keys::{ChainKey, DeviceAddress, IdentityKey, MessageKey, RatchetKeyPair, RootKey};
use crate::wire::{Message, PreKeyMessage, RatchetHeader, RatchetMessage, MAX_PLAINTEXT};
use crate::Rng;

/// The most message keys one chain may skip; checked before any key is derived.
pub const MAX_SKIP: u32 = 1000;
/// The most skipped keys a session keeps; the oldest go first.
pub const MAX_SKIPPED_KEYS: usize = 2000;
/// Skipped keys older than this many DH ratchet steps are dropped. It is also how many earlier
/// remote ratchet keys are remembered, to tell a replay from garbage.
pub const MAX_SKIPPED_AGE: u32 = 20;

/// Domain separation of the associated data.
const AD_LABEL: &[u8] = b"Hush AD v1";
/// Type byte of a stored session.
const STATE_TYPE: u8 = 0x81;

/// Why a message could not be encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncryptError {
    /// The plaintext is longer than [`MAX_PLAINTEXT`].
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

/// Which of the responder's prekeys X3DH used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PreKeyIds {
    pub(crate) signed: u32,
    pub(crate) one_time: Option<u32>,
}

#[derive(Clone)]
struct ReceivingChain {
    ratchet_key: PublicKey,
    chain: ChainKey,
    next_index: u32,
}

#[derive(Clone)]
struct SkippedKey {
    ratchet_key: [u8; 32],
    index: u32,
    /// Boxed: the deque moves only pointers when it grows, never a key (no copy left behind).
    key: Box<MessageKey>,
    /// The DH ratchet step at which it was stored.
    step: u32,
}

/// Who is who in a session and how X3DH set it up: everything the associated data binds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Parties {
    pub(crate) initiator: bool,
    pub(crate) local_identity: IdentityKey,
    pub(crate) remote_identity: IdentityKey,
    pub(crate) local: DeviceAddress,
    pub(crate) remote: DeviceAddress,
    /// The initiator's X3DH ephemeral key, which names the session.
    pub(crate) base_key: PublicKey,
    pub(crate) prekeys: PreKeyIds,
}

impl Parties {
    /// AD = label ‖ IK(initiator) ‖ IK(responder) ‖ address(initiator) ‖ address(responder) ‖
    /// base key ‖ signed prekey id ‖ one-time prekey id: both identities and both devices (no
    /// re-addressing, no unknown key share) and the exact X3DH inputs (no field of a prekey
    /// message can be altered, not even the bit X25519 ignores).
    fn associated_data(&self) -> Vec<u8> {
        let (first, second) = if self.initiator {
            (
                (&self.local_identity, &self.local),
                (&self.remote_identity, &self.remote),
            )
        } else {
            (
                (&self.remote_identity, &self.remote),
                (&self.local_identity, &self.local),
            )
        };
        let mut w = Writer::with_capacity(256);
        w.raw(AD_LABEL)
            .raw(&first.0.to_bytes())
            .raw(&second.0.to_bytes());
        first.1.write(&mut w);
        second.1.write(&mut w);
        w.raw(self.base_key.as_bytes())
            .u32(self.prekeys.signed)
            .opt_u32(self.prekeys.one_time);
        w.buf
    }
}

/// One Double Ratchet session with one remote device.
#[derive(Clone)]
pub struct Session {
    parties: Parties,
    /// Derived from `parties`, kept to avoid rebuilding it per message.
    ad: Vec<u8>,
    root: RootKey,
    sending: RatchetKeyPair,
    /// `None` only inside [`crate::x3dh::respond`], before the first message is decrypted.
    send_chain: Option<ChainKey>,
    send_index: u32,
    previous_send_len: u32,
    receiving: Option<ReceivingChain>,
    skipped: VecDeque<SkippedKey>,
    previous_remote_keys: VecDeque<[u8; 32]>,
    steps: u32,
    /// Whether the remote side has been heard from; until then messages repeat the X3DH header.
    confirmed: bool,
}

impl core::fmt::Debug for Session {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Session")
            .field("local", &self.parties.local)
            .field("remote", &self.parties.remote)
            .field("send_index", &self.send_index)
            .field("skipped", &self.skipped.len())
            .field("steps", &self.steps)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Alice's side after X3DH: she ratchets at once against Bob's signed prekey.
    pub(crate) fn new_initiator(
        parties: Parties,
        secret: RootKey,
        remote_ratchet_key: PublicKey,
        rng: &mut impl Rng,
    ) -> Result<Self, crypto::NonContributory> {
        let sending = RatchetKeyPair::generate(rng);
        let dh = crypto::dh(&sending.secret, &remote_ratchet_key)?;
        let (root, send_chain) = secret.ratchet(&dh);
        Ok(Self::fresh(parties, root, sending, Some(send_chain), false))
    }

    /// Bob's side after X3DH, before the first message: his signed prekey is the ratchet key.
    /// Confirmed from the start: it exists because Alice's message arrived.
    pub(crate) fn new_responder(
        parties: Parties,
        secret: RootKey,
        signed_prekey: RatchetKeyPair,
    ) -> Self {
        Self::fresh(parties, secret, signed_prekey, None, true)
    }

    /// A session that has received nothing yet.
    fn fresh(
        parties: Parties,
        root: RootKey,
        sending: RatchetKeyPair,
        send_chain: Option<ChainKey>,
        confirmed: bool,
    ) -> Self {
        Self {
            ad: parties.associated_data(),
            parties,
            root,
            sending,
            send_chain,
            send_index: 0,
            previous_send_len: 0,
            receiving: None,
            skipped: VecDeque::new(),
            previous_remote_keys: VecDeque::new(),
            steps: 0,
            confirmed,
        }
    }

    /// The remote device's identity.
    pub fn remote_identity(&self) -> &IdentityKey {
        &self.parties.remote_identity
    }

    /// The remote device.
    pub fn remote_address(&self) -> &DeviceAddress {
        &self.parties.remote
    }

    /// The initiator's X3DH ephemeral key, which names the session.
    pub fn base_key(&self) -> &PublicKey {
        &self.parties.base_key
    }

    /// The local device.
    pub fn local_address(&self) -> &DeviceAddress {
        &self.parties.local
    }

    /// Whether `message`'s X3DH fields are exactly the ones this session was set up with.
    pub fn matches_prekey_message(&self, message: &PreKeyMessage) -> bool {
        let p = &self.parties;
        p.base_key.as_bytes() == message.base_key.as_bytes()
            && p.remote_identity == message.sender_identity
            && p.remote == message.sender
            && p.local == message.recipient
            && p.prekeys.signed == message.signed_prekey_id
            && p.prekeys.one_time == message.one_time_prekey_id
    }

    /// The signed prekey this session's first message named, if the remote device started it
    /// (a first message to us); `None` for a session we started.
    pub fn started_on_signed_prekey(&self) -> Option<u32> {
        (!self.parties.initiator).then_some(self.parties.prekeys.signed)
    }

    /// Whether the remote side has replied (until then messages carry the X3DH header).
    pub fn is_confirmed(&self) -> bool {
        self.confirmed
    }

    /// How many skipped message keys are kept.
    pub fn skipped_keys(&self) -> usize {
        self.skipped.len()
    }

    fn aead_ad(&self, header: &RatchetHeader) -> Vec<u8> {
        let mut w = Writer::with_capacity(self.ad.len() + 42);
        w.raw(&self.ad);
        header.encode_into(&mut w);
        w.buf
    }

    /// Encrypts one message: a [`Message::PreKey`] until the session is confirmed.
    pub fn encrypt(&mut self, plaintext: &[u8]) -> Result<Message, EncryptError> {
        if plaintext.len() > MAX_PLAINTEXT {
            return Err(EncryptError::TooLong);
        }
        let chain = self.send_chain.as_ref().ok_or(EncryptError::NoSession)?;
        let next_index = self
            .send_index
            .checked_add(1)
            .ok_or(EncryptError::ChainExhausted)?;
        let (next_chain, key) = chain.step();
        let header = RatchetHeader {
            ratchet_key: self.sending.public,
            previous_chain_len: self.previous_send_len,
            index: self.send_index,
        };
        let ciphertext = key.seal(plaintext, &self.aead_ad(&header));
        self.send_chain = Some(next_chain);
        self.send_index = next_index;
        let message = RatchetMessage { header, ciphertext };
        if self.confirmed {
            return Ok(Message::Ratchet(message));
        }
        let p = &self.parties;
        Ok(Message::PreKey(PreKeyMessage {
            sender_identity: p.local_identity,
            sender: p.local.clone(),
            recipient: p.remote.clone(),
            base_key: p.base_key,
            signed_prekey_id: p.prekeys.signed,
            one_time_prekey_id: p.prekeys.one_time,
            message,
        }))
    }

    /// Decrypts one message, committing the new state only if it authenticates.
    pub fn decrypt(
        &mut self,
        message: &RatchetMessage,
        rng: &mut impl Rng,
    ) -> Result<Plaintext, DecryptError> {
        let header = &message.header;
        let remote_key = header.ratchet_key.to_bytes();
        let ad = self.aead_ad(header);

        if let Some(pos) = self
            .skipped
            .iter()
            .position(|s| s.ratchet_key == remote_key && s.index == header.index)
        {
            let plaintext = self.skipped[pos].key.open(&message.ciphertext, &ad)?;
            self.skipped.remove(pos);
            self.confirmed = true;
            return Ok(plaintext);
        }

        match &self.receiving {
            Some(current) if current.ratchet_key.as_bytes() == &remote_key => {
                if header.index < current.next_index {
                    return Err(DecryptError::Duplicate);
                }
                check_skip(current.next_index, header.index)?;
                let next_index = header
                    .index
                    .checked_add(1)
                    .ok_or(DecryptError::CounterOverflow)?;
                let walk = walk_chain(&current.chain, current.next_index, header.index);
                let plaintext = walk.key.open(&message.ciphertext, &ad)?;
                let receiving = ReceivingChain {
                    ratchet_key: header.ratchet_key,
                    chain: walk.next_chain,
                    next_index,
                };
                self.receiving = Some(receiving);
                self.store_skipped(remote_key, walk.skipped);
                self.confirmed = true;
                Ok(plaintext)
            }
            _ => self.decrypt_with_new_ratchet_key(message, &ad, rng),
        }
    }

    fn decrypt_with_new_ratchet_key(
        &mut self,
        message: &RatchetMessage,
        ad: &[u8],
        rng: &mut impl Rng,
    ) -> Result<Plaintext, DecryptError> {
        let header = &message.header;
        let remote_key = header.ratchet_key.to_bytes();
        if self.previous_remote_keys.contains(&remote_key) {
            return Err(DecryptError::Duplicate);
        }
        // Keys left in the current receiving chain, up to the sender's previous chain length.
        let old_tail = match &self.receiving {
            Some(current) => {
                check_skip(current.next_index, header.previous_chain_len)?;
                // The sender sent indices 0..PN there: keep next..PN.
                let (tail, _) = chain_keys(
                    &current.chain,
                    current.next_index,
                    header.previous_chain_len,
                );
                Some((current.ratchet_key.to_bytes(), tail))
            }
            None => None,
        };
        check_skip(0, header.index)?;
        let next_index = header
            .index
            .checked_add(1)
            .ok_or(DecryptError::CounterOverflow)?;
        let dh_receive = crypto::dh(&self.sending.secret, &header.ratchet_key)
            .map_err(|_| DecryptError::InvalidRatchetKey)?;
        let (root, receive_chain) = self.root.ratchet(&dh_receive);
        let walk = walk_chain(&receive_chain, 0, header.index);
        let plaintext = walk.key.open(&message.ciphertext, ad)?;

        // Authenticated: now the sending half of the DH ratchet step.
        let sending = RatchetKeyPair::generate(rng);
        let dh_send = crypto::dh(&sending.secret, &header.ratchet_key)
            .map_err(|_| DecryptError::InvalidRatchetKey)?;
        let (root, send_chain) = root.ratchet(&dh_send);

        if let Some(previous) = self.receiving.take() {
            if self.previous_remote_keys.len() >= MAX_SKIPPED_AGE as usize {
                self.previous_remote_keys.pop_front();
            }
            self.previous_remote_keys
                .push_back(previous.ratchet_key.to_bytes());
        }
        self.steps = self.steps.saturating_add(1);
        if let Some((old_key, keys)) = old_tail {
            self.store_skipped(old_key, keys);
        }
        self.store_skipped(remote_key, walk.skipped);
        let steps = self.steps;
        self.skipped
            .retain(|s| s.step.saturating_add(MAX_SKIPPED_AGE) >= steps);
        self.receiving = Some(ReceivingChain {
            ratchet_key: header.ratchet_key,
            chain: walk.next_chain,
            next_index,
        });
        self.root = root;
        self.sending = sending;
        self.send_chain = Some(send_chain);
        self.previous_send_len = self.send_index;
        self.send_index = 0;
        self.confirmed = true;
        Ok(plaintext)
    }

    fn store_skipped(&mut self, ratchet_key: [u8; 32], keys: Vec<(u32, MessageKey)>) {
        for (index, key) in keys {
            if self.skipped.len() >= MAX_SKIPPED_KEYS {
                self.skipped.pop_front();
            }
            self.skipped.push_back(SkippedKey {
                ratchet_key,
                index,
                key: Box::new(key),
                step: self.steps,
            });
        }
    }
}

impl Session {
    /// The whole session, for storage (secrets included, so zeroized when dropped).
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::with_capacity(512 + self.skipped.len() * 72);
        w.u8(crate::WIRE_VERSION)
            .u8(STATE_TYPE)
            .u8(u8::from(self.parties.initiator));
        w.raw(&self.parties.local_identity.to_bytes())
            .raw(&self.parties.remote_identity.to_bytes());
        self.parties.local.write(&mut w);
        self.parties.remote.write(&mut w);
        w.raw(self.parties.base_key.as_bytes())
            .u32(self.parties.prekeys.signed)
            .opt_u32(self.parties.prekeys.one_time)
            .u8(u8::from(self.confirmed))
            .raw(&self.root.0)
            .raw(self.sending.secret.as_bytes());
        match &self.send_chain {
            Some(chain) => w.u8(1).raw(&chain.0),
            None => w.u8(0),
        };
        w.u32(self.send_index).u32(self.previous_send_len);
        match &self.receiving {
            Some(r) => w
                .u8(1)
                .raw(r.ratchet_key.as_bytes())
                .raw(&r.chain.0)
                .u32(r.next_index),
            None => w.u8(0),
        };
        w.u32(self.skipped.len() as u32);
        for s in &self.skipped {
            w.raw(&s.ratchet_key).u32(s.index).raw(&s.key.0).u32(s.step);
        }
        w.u32(self.previous_remote_keys.len() as u32);
        for key in &self.previous_remote_keys {
            w.raw(key);
        }
        w.u32(self.steps);
        Zeroizing::new(core::mem::take(&mut w.buf))
    }

    /// Restores a stored session; anything malformed or out of bounds is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let session = Self::read(&mut r)?;
        r.finish()?;
        Ok(session)
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.stored_header(STATE_TYPE)?;
        let initiator = r.bool("initiator flag")?;
        let parties = Parties {
            initiator,
            local_identity: IdentityKey::read(r)?,
            remote_identity: IdentityKey::read(r)?,
            local: DeviceAddress::read(r)?,
            remote: DeviceAddress::read(r)?,
            base_key: PublicKey::from(r.array::<32>()?),
            prekeys: PreKeyIds {
                signed: r.u32()?,
                one_time: r.opt_u32("one-time prekey flag")?,
            },
        };
        let confirmed = r.bool("confirmed flag")?;
        let root = RootKey(r.array()?);
        let sending = RatchetKeyPair::from_secret(*Zeroizing::new(r.array::<32>()?));
        let send_chain = if r.bool("send chain flag")? {
            Some(ChainKey(r.array()?))
        } else {
            None
        };
        let send_index = r.u32()?;
        let previous_send_len = r.u32()?;
        let receiving = if r.bool("receiving chain flag")? {
            Some(ReceivingChain {
                ratchet_key: PublicKey::from(r.array::<32>()?),
                chain: ChainKey(r.array()?),
                next_index: r.u32()?,
            })
        } else {
            None
        };
        let n = r.count("skipped keys", MAX_SKIPPED_KEYS, 72)?;
        let mut skipped = VecDeque::with_capacity(n);
        for _ in 0..n {
            skipped.push_back(SkippedKey {
                ratchet_key: r.array()?,
                index: r.u32()?,
                key: Box::new(MessageKey(r.array()?)),
                step: r.u32()?,
            });
        }
        let n = r.count("previous ratchet keys", MAX_SKIPPED_AGE as usize, 32)?;
        let mut previous_remote_keys = VecDeque::with_capacity(n);
        for _ in 0..n {
            previous_remote_keys.push_back(r.array()?);
        }
        let steps = r.u32()?;
        Ok(Self {
            ad: parties.associated_data(),
            parties,
            root,
            sending,
            send_chain,
            send_index,
            previous_send_len,
            receiving,
            skipped,
            previous_remote_keys,
            steps,
            confirmed,
        })
    }
}

fn check_skip(next: u32, target: u32) -> Result<(), DecryptError> {
    if target.saturating_sub(next) > MAX_SKIP {
        Err(DecryptError::TooFarAhead)
    } else {
        Ok(())
    }
}

/// The result of advancing a chain copy from `from` to `to`.
struct Walk {
    /// Keys for `from..to`, to keep for late messages.
    skipped: Vec<(u32, MessageKey)>,
    /// The key at `to`.
    key: MessageKey,
    /// The chain key after `to`.
    next_chain: ChainKey,
}

/// The message keys for indices `from..to` and the chain key at `to` (callers check
/// `to - from <= MAX_SKIP`).
fn chain_keys(chain: &ChainKey, from: u32, to: u32) -> (Vec<(u32, MessageKey)>, ChainKey) {
    let mut keys = Vec::with_capacity(to.saturating_sub(from) as usize);
    let mut current = chain.clone();
    for index in from..to {
        let (next, key) = current.step();
        keys.push((index, key));
        current = next;
    }
    (keys, current)
}

/// Walks from index `from` to `to`: keys skipped on the way, the key at `to`, and the chain after.
fn walk_chain(chain: &ChainKey, from: u32, to: u32) -> Walk {
    let (skipped, current) = chain_keys(chain, from, to);
    let (next_chain, key) = current.step();
    Walk {
        skipped,
        key,
        next_chain,
    }
}

#[cfg(test)]
#[path = "ratchet_tests.rs"]
mod tests;
