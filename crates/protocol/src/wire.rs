//! The binary encoding of everything that leaves a device. Every encoding starts with the
//! version byte ([`crate::WIRE_VERSION`]) and a type byte; integers are big-endian; variable
//! fields carry a u32 length with an explicit limit. Decoding untrusted bytes returns an error,
//! never panics, and never allocates more than the input's size. Schema: docs/protocol.md.

use ed25519_dalek::VerifyingKey;
use x25519_dalek::PublicKey;
use zeroize::Zeroizing;

use crate::codec::{DecodeError, Reader, Writer};
use crate::keys::{DeviceAddress, IdentityKey, OneTimePreKey, SenderChainKey, SignedPreKey};

pub use crate::limits::{MAX_CIPHERTEXT, MAX_PLAINTEXT};

/// Type byte of a [`RatchetMessage`].
pub const TYPE_RATCHET: u8 = 1;
/// Type byte of a [`PreKeyMessage`].
pub const TYPE_PREKEY: u8 = 2;
/// Type byte of a [`SenderKeyMessage`].
pub const TYPE_SENDER_KEY: u8 = 3;
/// Type byte of a [`SenderKeyDistribution`].
pub const TYPE_SENDER_KEY_DISTRIBUTION: u8 = 4;
/// Type byte of a [`PreKeyBundle`].
pub const TYPE_PREKEY_BUNDLE: u8 = 5;

/// The Double Ratchet header: sent in clear, authenticated as associated data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RatchetHeader {
    /// The sender's current ratchet public key.
    pub ratchet_key: PublicKey,
    /// How many messages the sender sent in its previous sending chain (PN).
    pub previous_chain_len: u32,
    /// This message's index in the sending chain (N).
    pub index: u32,
}

impl RatchetHeader {
    /// Version, type, key, PN, N: exactly the bytes that start an encoded [`RatchetMessage`],
    /// and the part of the AEAD associated data that belongs to the message.
    pub(crate) fn encode_into(&self, w: &mut Writer) {
        w.u8(crate::WIRE_VERSION)
            .u8(TYPE_RATCHET)
            .raw(self.ratchet_key.as_bytes())
            .u32(self.previous_chain_len)
            .u32(self.index);
    }
}

/// A Double Ratchet message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RatchetMessage {
    /// The header.
    pub header: RatchetHeader,
    /// ChaCha20-Poly1305 ciphertext and tag.
    pub ciphertext: Vec<u8>,
}

impl RatchetMessage {
    /// The encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(46 + self.ciphertext.len());
        self.header.encode_into(&mut w);
        w.var(&self.ciphertext);
        w.buf
    }

    /// Decodes untrusted bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let message = Self::read(&mut r)?;
        r.finish()?;
        Ok(message)
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.header(TYPE_RATCHET)?;
        let header = RatchetHeader {
            ratchet_key: r.x25519("ratchet key")?,
            previous_chain_len: r.u32()?,
            index: r.u32()?,
        };
        let ciphertext = r.var("ciphertext", MAX_CIPHERTEXT)?.to_vec();
        Ok(Self { header, ciphertext })
    }
}

/// The first messages of a session, carrying what the recipient needs for X3DH, until the
/// initiator receives a reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreKeyMessage {
    /// The initiator's identity.
    pub sender_identity: IdentityKey,
    /// The initiator's device.
    pub sender: DeviceAddress,
    /// The device this was encrypted for.
    pub recipient: DeviceAddress,
    /// The initiator's X3DH ephemeral public key (identifies the session).
    pub base_key: PublicKey,
    /// Which signed prekey of the recipient was used.
    pub signed_prekey_id: u32,
    /// Which one-time prekey, if any.
    pub one_time_prekey_id: Option<u32>,
    /// The ratchet message itself.
    pub message: RatchetMessage,
}

impl PreKeyMessage {
    /// The encoding.
    pub fn encode(&self) -> Vec<u8> {
        let inner = self.message.encode();
        let mut w = Writer::with_capacity(200 + inner.len());
        w.u8(crate::WIRE_VERSION)
            .u8(TYPE_PREKEY)
            .raw(&self.sender_identity.to_bytes());
        self.sender.write(&mut w);
        self.recipient.write(&mut w);
        w.raw(self.base_key.as_bytes())
            .u32(self.signed_prekey_id)
            .opt_u32(self.one_time_prekey_id)
            .var(&inner);
        w.buf
    }

    /// Decodes untrusted bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        r.header(TYPE_PREKEY)?;
        let sender_identity = IdentityKey::read(&mut r)?;
        let sender = DeviceAddress::read(&mut r)?;
        let recipient = DeviceAddress::read(&mut r)?;
        let base_key = r.x25519("base key")?;
        let signed_prekey_id = r.u32()?;
        let one_time_prekey_id = r.opt_u32("one-time prekey flag")?;
        let message = RatchetMessage::decode(r.var("inner message", MAX_CIPHERTEXT + 64)?)?;
        r.finish()?;
        Ok(Self {
            sender_identity,
            sender,
            recipient,
            base_key,
            signed_prekey_id,
            one_time_prekey_id,
            message,
        })
    }
}

/// A pairwise message: a prekey message until the session is confirmed, then ratchet messages.
#[derive(Clone, Debug, PartialEq, Eq)]
// Short-lived values passed by move; boxing would only add an allocation per message.
#[allow(clippy::large_enum_variant)]
pub enum Message {
    /// Carries the X3DH information.
    PreKey(PreKeyMessage),
    /// An ordinary Double Ratchet message.
    Ratchet(RatchetMessage),
}

impl Message {
    /// The encoding (that of the variant).
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Self::PreKey(m) => m.encode(),
            Self::Ratchet(m) => m.encode(),
        }
    }

    /// Decodes untrusted bytes of either kind.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        match bytes.get(1) {
            Some(&TYPE_PREKEY) => PreKeyMessage::decode(bytes).map(Self::PreKey),
            Some(&TYPE_RATCHET) => RatchetMessage::decode(bytes).map(Self::Ratchet),
            Some(&other) if bytes.first() == Some(&crate::WIRE_VERSION) => {
                Err(DecodeError::UnexpectedType(other))
            }
            Some(_) => Err(DecodeError::Outdated(bytes[0])),
            None => Err(DecodeError::Truncated),
        }
    }
}

/// What a device publishes so others can start sessions with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreKeyBundle {
    /// The device's identity.
    pub identity: IdentityKey,
    /// The device.
    pub address: DeviceAddress,
    /// Its current signed prekey.
    pub signed_prekey: SignedPreKey,
    /// One of its one-time prekeys, while it has any left.
    pub one_time_prekey: Option<OneTimePreKey>,
}

impl PreKeyBundle {
    /// The encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(260);
        w.u8(crate::WIRE_VERSION)
            .u8(TYPE_PREKEY_BUNDLE)
            .raw(&self.identity.to_bytes());
        self.address.write(&mut w);
        w.u32(self.signed_prekey.id)
            .raw(self.signed_prekey.public.as_bytes())
            .raw(&self.signed_prekey.signature);
        match &self.one_time_prekey {
            Some(k) => w.u8(1).u32(k.id).raw(k.public.as_bytes()),
            None => w.u8(0),
        };
        w.buf
    }

    /// Decodes untrusted bytes. The signature is checked by [`crate::x3dh::initiate`].
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        r.header(TYPE_PREKEY_BUNDLE)?;
        let identity = IdentityKey::read(&mut r)?;
        let address = DeviceAddress::read(&mut r)?;
        let signed_prekey = SignedPreKey {
            id: r.u32()?,
            public: r.x25519("signed prekey")?,
            signature: r.array()?,
        };
        let one_time_prekey = if r.bool("one-time prekey flag")? {
            Some(OneTimePreKey {
                id: r.u32()?,
                public: r.x25519("one-time prekey")?,
            })
        } else {
            None
        };
        r.finish()?;
        Ok(Self {
            identity,
            address,
            signed_prekey,
            one_time_prekey,
        })
    }
}

/// A group message: encrypted with the sender's chain, signed with its sender signing key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SenderKeyMessage {
    /// Which sender key (one per sender per group).
    pub distribution_id: [u8; 16],
    /// Which chain of it (a rotation starts a new chain).
    pub chain_id: u32,
    /// The message's position in the chain.
    pub iteration: u32,
    /// ChaCha20-Poly1305 ciphertext and tag.
    pub ciphertext: Vec<u8>,
    /// Ed25519 signature over the bytes before it and the sender's address
    /// ([`Self::signed_bytes`]).
    pub signature: [u8; 64],
}

impl SenderKeyMessage {
    /// Version, type, distribution id, chain id, iteration: the AEAD associated data.
    pub(crate) fn header_bytes(
        distribution_id: &[u8; 16],
        chain_id: u32,
        iteration: u32,
    ) -> Vec<u8> {
        let mut w = Writer::with_capacity(26);
        w.u8(crate::WIRE_VERSION)
            .u8(TYPE_SENDER_KEY)
            .raw(distribution_id)
            .u32(chain_id)
            .u32(iteration);
        w.buf
    }

    /// Everything the signature covers: the header, the sending device (not sent: the
    /// receiver puts in the envelope's sender, so a message passed off as another device's
    /// does not verify), and the ciphertext. The distribution id is the group id.
    pub(crate) fn signed_bytes(&self, sender: &DeviceAddress) -> Vec<u8> {
        let mut w = Writer {
            buf: Self::header_bytes(&self.distribution_id, self.chain_id, self.iteration),
        };
        sender.write(&mut w);
        w.var(&self.ciphertext);
        w.buf
    }

    /// The encoding: header, ciphertext, signature.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer {
            buf: Self::header_bytes(&self.distribution_id, self.chain_id, self.iteration),
        };
        w.var(&self.ciphertext).raw(&self.signature);
        w.buf
    }

    /// Decodes untrusted bytes. The signature is checked when decrypting.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        r.header(TYPE_SENDER_KEY)?;
        let distribution_id = r.array()?;
        let chain_id = r.u32()?;
        let iteration = r.u32()?;
        let ciphertext = r.var("ciphertext", MAX_CIPHERTEXT)?.to_vec();
        let signature = r.array()?;
        r.finish()?;
        Ok(Self {
            distribution_id,
            chain_id,
            iteration,
            ciphertext,
            signature,
        })
    }
}

/// The largest encoded distribution: version, type, id, address (u32 length, name, device),
/// chain id, iteration, chain key, signing key, signature.
pub const MAX_DISTRIBUTION: usize =
    2 + 16 + 4 + crate::keys::MAX_ACCOUNT_LEN + 4 + 8 + 32 + 32 + 64;

/// Label of what a distribution's signature covers.
const DISTRIBUTION_LABEL: &[u8] = b"Hush sender key distribution";

/// Hands a sender key to a group member (always inside a pairwise-encrypted message). Signed
/// with the chain's signing key over the group and the owning device: a member holding someone
/// else's chain cannot hand it out as its own.
#[derive(Clone, PartialEq, Eq)]
pub struct SenderKeyDistribution {
    /// Which sender key (the group id).
    pub distribution_id: [u8; 16],
    /// The device whose key it is (must be the device it came from).
    pub sender: DeviceAddress,
    /// Which chain.
    pub chain_id: u32,
    /// The iteration `chain_key` is at.
    pub iteration: u32,
    pub(crate) chain_key: SenderChainKey,
    /// The public key group messages of this chain are signed with.
    pub signing_key: VerifyingKey,
    /// By `signing_key`, over [`DISTRIBUTION_LABEL`] and every field before it.
    pub signature: [u8; 64],
}

impl core::fmt::Debug for SenderKeyDistribution {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SenderKeyDistribution")
            .field("distribution_id", &self.distribution_id)
            .field("sender", &self.sender)
            .field("chain_id", &self.chain_id)
            .field("iteration", &self.iteration)
            .finish_non_exhaustive()
    }
}

impl PartialEq for SenderChainKey {
    fn eq(&self, other: &Self) -> bool {
        subtle::ConstantTimeEq::ct_eq(&self.0[..], &other.0[..]).into()
    }
}
impl Eq for SenderChainKey {}

impl SenderKeyDistribution {
    /// The fields before the signature (secret: zeroized when dropped), with room for the
    /// signature: the buffer never grows, so it leaves no copy of the chain key behind.
    fn unsigned(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::with_capacity(MAX_DISTRIBUTION);
        w.u8(crate::WIRE_VERSION)
            .u8(TYPE_SENDER_KEY_DISTRIBUTION)
            .raw(&self.distribution_id);
        self.sender.write(&mut w);
        w.u32(self.chain_id)
            .u32(self.iteration)
            .raw(&self.chain_key.0)
            .raw(self.signing_key.as_bytes());
        Zeroizing::new(w.buf)
    }

    /// What the signature covers (secret: zeroized when dropped).
    pub(crate) fn signed_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut bytes = Zeroizing::new(Vec::with_capacity(
            DISTRIBUTION_LABEL.len() + MAX_DISTRIBUTION,
        ));
        bytes.extend_from_slice(DISTRIBUTION_LABEL);
        bytes.extend_from_slice(&self.unsigned());
        bytes
    }

    /// The encoding; it holds a chain key, so it is zeroized when dropped.
    pub fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut bytes = self.unsigned();
        bytes.extend_from_slice(&self.signature);
        bytes
    }

    /// Decodes untrusted bytes (the signature is checked by
    /// [`crate::sender_key::SenderKeyRecord::process`]).
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        r.header(TYPE_SENDER_KEY_DISTRIBUTION)?;
        let distribution_id = r.array()?;
        let sender = DeviceAddress::read(&mut r)?;
        let chain_id = r.u32()?;
        let iteration = r.u32()?;
        let chain_key = SenderChainKey(r.array()?);
        let signing_key = VerifyingKey::from_bytes(&r.array()?)
            .map_err(|_| DecodeError::Invalid("sender signing key"))?;
        let signature = r.array()?;
        r.finish()?;
        Ok(Self {
            distribution_id,
            sender,
            chain_id,
            iteration,
            chain_key,
            signing_key,
            signature,
        })
    }
}
