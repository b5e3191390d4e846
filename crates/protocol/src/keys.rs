//! One type per kind of key. Secret halves are zeroized when dropped (x25519-dalek and
//! ed25519-dalek do it for theirs, `Zeroize` derives do it for ours), and no `Debug` prints them.
//!
//! An identity is two keys, as in Olm/vodozemac: an Ed25519 key that signs (prekeys, device lists)
//! and an X25519 key for X3DH. Plain Ed25519 rather than XEdDSA: it is the audited
//! ed25519-dalek code path with no hand-written curve conversion, at the price of 32 more bytes
//! per identity. Both halves are covered by the safety number and the X3DH associated data.

use core::fmt;

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::codec::{DecodeError, Reader, Writer};
use crate::Rng;

/// The longest account name, in bytes of UTF-8.
pub const MAX_ACCOUNT_LEN: usize = 64;

/// Domain separation for the signed-prekey signature.
const SIGNED_PREKEY_LABEL: &[u8] = b"Hush signed prekey v1";

/// One device of one account: the unit that owns keys and sessions.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceAddress {
    account: String,
    device: u32,
}

impl DeviceAddress {
    /// `account` must be 1 to [`MAX_ACCOUNT_LEN`] bytes.
    pub fn new(account: impl Into<String>, device: u32) -> Result<Self, DecodeError> {
        let account = account.into();
        // The relay's grammar: an address always holds a valid username.
        if account.len() > MAX_ACCOUNT_LEN || !crate::username::is_valid(&account) {
            return Err(DecodeError::Invalid("account name"));
        }
        Ok(Self { account, device })
    }
    /// The account name.
    pub fn account(&self) -> &str {
        &self.account
    }
    /// The device number within the account.
    pub fn device(&self) -> u32 {
        self.device
    }
    pub(crate) fn write(&self, w: &mut Writer) {
        w.var(self.account.as_bytes()).u32(self.device);
    }
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let name = r.var("account name", MAX_ACCOUNT_LEN)?;
        let account =
            core::str::from_utf8(name).map_err(|_| DecodeError::Invalid("account name"))?;
        Self::new(account, r.u32()?)
    }
}

/// The public identity of a device: its Ed25519 signing key and X25519 DH key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct IdentityKey {
    pub(crate) signing: VerifyingKey,
    pub(crate) dh: PublicKey,
}

impl IdentityKey {
    /// Encoded length.
    pub const LEN: usize = 64;

    /// Ed25519 key, then X25519 key.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(self.signing.as_bytes());
        out[32..].copy_from_slice(self.dh.as_bytes());
        out
    }

    /// Decodes; an Ed25519 half that is not a valid point is refused.
    pub fn from_bytes(bytes: &[u8; 64]) -> Result<Self, DecodeError> {
        let mut signing = [0u8; 32];
        let mut dh = [0u8; 32];
        signing.copy_from_slice(&bytes[..32]);
        dh.copy_from_slice(&bytes[32..]);
        // X25519 ignores a key's top bit (RFC 7748), so it would give one key two encodings,
        // and a message two accepted forms: only the canonical one (top bit clear) is read.
        if dh[31] & 0x80 != 0 {
            return Err(DecodeError::Invalid("identity key"));
        }
        Ok(Self {
            signing: VerifyingKey::from_bytes(&signing)
                .map_err(|_| DecodeError::Invalid("identity key"))?,
            dh: PublicKey::from(dh),
        })
    }

    /// Checks `signature` over `message` (strict Ed25519: no malleable or small-order signatures).
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        self.signing.verify_strict(message, &signature).is_ok()
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Self::from_bytes(&r.array()?)
    }
}

impl fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "IdentityKey({}…)",
            crate::hex::encode(&self.to_bytes()[..4])
        )
    }
}

/// A device's identity, with its secrets.
#[derive(Clone)]
pub struct IdentityKeyPair {
    signing: SigningKey,
    dh: StaticSecret,
    /// Derived once: computing it is a scalar multiplication.
    public: IdentityKey,
}

impl IdentityKeyPair {
    /// A fresh identity.
    pub fn generate(rng: &mut impl Rng) -> Self {
        Self::from_parts(
            SigningKey::generate(rng),
            StaticSecret::random_from_rng(rng),
        )
    }

    fn from_parts(signing: SigningKey, dh: StaticSecret) -> Self {
        let public = IdentityKey {
            signing: signing.verifying_key(),
            dh: PublicKey::from(&dh),
        };
        Self {
            signing,
            dh,
            public,
        }
    }

    /// The public half.
    pub fn public(&self) -> IdentityKey {
        self.public
    }

    /// Signs `message` with the Ed25519 key.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    pub(crate) fn dh_secret(&self) -> &StaticSecret {
        &self.dh
    }

    /// The secret keys, for storage: Ed25519 seed, then X25519 scalar.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 64]> {
        let mut out = Zeroizing::new([0u8; 64]);
        out[..32].copy_from_slice(self.signing.as_bytes());
        out[32..].copy_from_slice(self.dh.as_bytes());
        out
    }

    /// Restores what [`Self::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8; 64]) -> Self {
        let mut seed = Zeroizing::new([0u8; 32]);
        let mut scalar = Zeroizing::new([0u8; 32]);
        seed.copy_from_slice(&bytes[..32]);
        scalar.copy_from_slice(&bytes[32..]);
        Self::from_parts(SigningKey::from_bytes(&seed), StaticSecret::from(*scalar))
    }
}

impl fmt::Debug for IdentityKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdentityKeyPair")
            .field(&self.public())
            .finish_non_exhaustive()
    }
}

/// A medium-term prekey, signed by the identity (public half, as published).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedPreKey {
    /// Chosen by the device; the initiator names it in its first message.
    pub id: u32,
    /// The X25519 public key.
    pub public: PublicKey,
    /// Ed25519 signature by the identity over the label, `id` and `public`.
    pub signature: [u8; 64],
}

impl SignedPreKey {
    fn signed_bytes(id: u32, public: &PublicKey) -> Vec<u8> {
        let mut w = Writer::with_capacity(64);
        w.raw(SIGNED_PREKEY_LABEL).u32(id).raw(public.as_bytes());
        w.buf
    }

    /// Whether `identity` signed this prekey.
    pub fn verify(&self, identity: &IdentityKey) -> bool {
        identity.verify(&Self::signed_bytes(self.id, &self.public), &self.signature)
    }
}

/// A signed prekey with its secret.
#[derive(Clone)]
pub struct SignedPreKeyPair {
    id: u32,
    secret: StaticSecret,
    public: PublicKey,
    signature: [u8; 64],
}

impl SignedPreKeyPair {
    /// A fresh prekey signed by `identity`.
    pub fn generate(id: u32, identity: &IdentityKeyPair, rng: &mut impl Rng) -> Self {
        let secret = StaticSecret::random_from_rng(rng);
        let public = PublicKey::from(&secret);
        let signature = identity.sign(&SignedPreKey::signed_bytes(id, &public));
        Self {
            id,
            secret,
            public,
            signature,
        }
    }
    /// Its id.
    pub fn id(&self) -> u32 {
        self.id
    }
    /// What gets published.
    pub fn public(&self) -> SignedPreKey {
        SignedPreKey {
            id: self.id,
            public: self.public,
            signature: self.signature,
        }
    }
    pub(crate) fn secret(&self) -> &StaticSecret {
        &self.secret
    }
    pub(crate) fn public_key(&self) -> PublicKey {
        self.public
    }
    /// For storage: id, secret scalar, signature.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::with_capacity(100);
        w.u32(self.id)
            .raw(self.secret.as_bytes())
            .raw(&self.signature);
        Zeroizing::new(w.buf)
    }
    /// Restores what [`Self::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let id = r.u32()?;
        let secret = StaticSecret::from(*Zeroizing::new(r.array::<32>()?));
        let signature = r.array()?;
        r.finish()?;
        let public = PublicKey::from(&secret);
        Ok(Self {
            id,
            secret,
            public,
            signature,
        })
    }
}

impl fmt::Debug for SignedPreKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedPreKeyPair")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A one-time prekey (public half, as published). Used for at most one session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OneTimePreKey {
    /// Chosen by the device.
    pub id: u32,
    /// The X25519 public key.
    pub public: PublicKey,
}

/// A one-time prekey with its secret.
#[derive(Clone)]
pub struct OneTimePreKeyPair {
    id: u32,
    secret: StaticSecret,
}

impl OneTimePreKeyPair {
    /// A fresh one-time prekey.
    pub fn generate(id: u32, rng: &mut impl Rng) -> Self {
        Self {
            id,
            secret: StaticSecret::random_from_rng(rng),
        }
    }
    /// Its id.
    pub fn id(&self) -> u32 {
        self.id
    }
    /// What gets published.
    pub fn public(&self) -> OneTimePreKey {
        OneTimePreKey {
            id: self.id,
            public: PublicKey::from(&self.secret),
        }
    }
    pub(crate) fn secret(&self) -> &StaticSecret {
        &self.secret
    }
    /// For storage: id, secret scalar.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::with_capacity(36);
        w.u32(self.id).raw(self.secret.as_bytes());
        Zeroizing::new(w.buf)
    }
    /// Restores what [`Self::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let id = r.u32()?;
        let secret = StaticSecret::from(*Zeroizing::new(r.array::<32>()?));
        r.finish()?;
        Ok(Self { id, secret })
    }
}

impl fmt::Debug for OneTimePreKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OneTimePreKeyPair")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A Double Ratchet key pair (also the X3DH ephemeral key).
#[derive(Clone)]
pub(crate) struct RatchetKeyPair {
    pub(crate) secret: StaticSecret,
    pub(crate) public: PublicKey,
}

impl RatchetKeyPair {
    pub(crate) fn generate(rng: &mut impl Rng) -> Self {
        let secret = StaticSecret::random_from_rng(rng);
        let public = PublicKey::from(&secret);
        Self { secret, public }
    }
    pub(crate) fn from_secret(bytes: [u8; 32]) -> Self {
        let secret = StaticSecret::from(bytes);
        let public = PublicKey::from(&secret);
        Self { secret, public }
    }
}

macro_rules! symmetric_key {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Zeroize, ZeroizeOnDrop)]
        pub struct $name(pub(crate) [u8; 32]);

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<secret>)"))
            }
        }
    };
}

symmetric_key!(
    /// The Double Ratchet root key.
    RootKey
);
symmetric_key!(
    /// A sending or receiving chain key of the Double Ratchet.
    ChainKey
);
symmetric_key!(
    /// The key of exactly one message; used once, then dropped.
    MessageKey
);
symmetric_key!(
    /// A sender-key chain key (groups).
    SenderChainKey
);

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn debug_never_shows_secret_bytes() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let identity = IdentityKeyPair::generate(&mut rng);
        let secret = identity.to_bytes();
        let shown = format!(
            "{identity:?} {:?} {:?}",
            ChainKey([7; 32]),
            SignedPreKeyPair::generate(1, &identity, &mut rng)
        );
        assert!(
            !shown.contains(&crate::hex::encode(&secret[..4])),
            "{shown}"
        );
        assert!(shown.contains("<secret>"));
    }

    #[test]
    fn identity_round_trips_and_signs() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
        let identity = IdentityKeyPair::generate(&mut rng);
        let restored = IdentityKeyPair::from_bytes(&identity.to_bytes());
        assert_eq!(restored.public(), identity.public());
        let spk = SignedPreKeyPair::generate(9, &identity, &mut rng).public();
        assert!(spk.verify(&identity.public()));
        let other = IdentityKeyPair::generate(&mut rng).public();
        assert!(!spk.verify(&other));
        assert_eq!(
            IdentityKey::from_bytes(&identity.public().to_bytes()),
            Ok(identity.public())
        );
    }

    #[test]
    fn account_names_are_bounded() {
        assert!(DeviceAddress::new("", 1).is_err());
        assert!(DeviceAddress::new("a".repeat(65), 1).is_err());
        assert!(DeviceAddress::new("alice", 1).is_ok());
    }
}
