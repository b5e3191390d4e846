//! One Double Ratchet session (Signal's Double Ratchet, rev. 1).
//!
//! Decryption never touches the session until the AEAD has accepted the message: chain keys are
//! advanced on local copies, and the results (new chain keys, skipped keys, the DH ratchet step)
//! are committed together afterwards. A forged, garbled or replayed message therefore leaves the
//! session exactly as it was.

use std::collections::VecDeque;

use x25519_dalek::PublicKey;

use crate::codec::Writer;
use crate::crypto::{self, Plaintext};
use crate::keys::{ChainKey, DeviceAddress, IdentityKey, MessageKey, RatchetKeyPair, RootKey};
use crate::wire::{Message, PreKeyMessage, RatchetHeader, RatchetMessage, MAX_PLAINTEXT};
use crate::Rng;

mod chain;
mod encoding;
mod errors;

use chain::{chain_keys, check_skip, walk_chain};
pub use errors::{DecryptError, EncryptError};

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

#[cfg(test)]
mod tests;
