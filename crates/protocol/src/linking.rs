//! Linking a new browser to an account (`docs/protocol.md`, "Linked devices"): the link code,
//! the new device's announcement, authenticated with the code's secret (which the relay never
//! sees), and the provisioning message sealed to the announced key.

use subtle::ConstantTimeEq;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use crate::codec::{DecodeError, Reader, Writer};
use crate::crypto::{self, AeadError, NonContributory};
use crate::devices::{AccountKey, MAX_DEVICE_LIST};
use crate::keys::{DeviceAddress, IdentityKey};
use crate::Rng;

/// Bytes of the relay's provisioning address in a link code.
pub const ADDRESS_LEN: usize = 6;
/// Bytes of the linking secret in a link code.
pub const SECRET_LEN: usize = 10;
pub use crate::text::MAX_DEVICE_NAME;
use crate::text::MAX_DISPLAY_NAME_BYTES;
const TAG_LABEL: &[u8] = b"Hush link v1";
const PROVISIONING_INFO: &[u8] = b"Hush provisioning v1";
const TYPE_ANNOUNCEMENT: u8 = 7;
const TYPE_PROVISIONING: u8 = 8;
/// Crockford's base32: no I, L, O or U, so a code read aloud or retyped survives.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of a link code's text, without the dashes (16 bytes, 5 bits each).
const CODE_CHARS: usize = 26;

/// Why linking failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// The code is not 26 characters of the code alphabet.
    BadCode,
    /// The announcement was not made with this code's secret (a wrong code, or a key the relay
    /// swapped in).
    NotAnnounced,
    /// The provisioning message was changed, is for another code, or was not sealed with it.
    NotSealed,
    /// A name is empty, too long, or not one clean line.
    BadName,
    /// The peer's key is low-order.
    NonContributory,
    /// Not a valid encoding.
    Decode(DecodeError),
}

impl core::fmt::Display for LinkError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::BadCode => f.write_str("a link code is 26 letters and digits"),
            Self::NotAnnounced => f.write_str("that link code does not match this device"),
            Self::NotSealed => f.write_str("the provisioning message does not open with this code"),
            Self::BadName => f.write_str("a device name is one line of 1 to 64 bytes"),
            Self::NonContributory => f.write_str("the link key is not a valid public key"),
            Self::Decode(e) => write!(f, "link message: {e}"),
        }
    }
}

impl std::error::Error for LinkError {}

impl From<DecodeError> for LinkError {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

impl From<NonContributory> for LinkError {
    fn from(_: NonContributory) -> Self {
        Self::NonContributory
    }
}

impl From<AeadError> for LinkError {
    fn from(_: AeadError) -> Self {
        Self::NotSealed
    }
}

/// What the new browser shows: the relay address its announcement waits at, and the secret
/// that authenticates both directions. Works once, for a few minutes (the relay's rule).
#[derive(Clone)]
pub struct LinkCode {
    /// The provisioning address on the relay (not secret: the relay knows it).
    pub address: [u8; ADDRESS_LEN],
    secret: Zeroizing<[u8; SECRET_LEN]>,
}

impl core::fmt::Debug for LinkCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LinkCode")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl LinkCode {
    /// A fresh code.
    pub fn generate(rng: &mut impl Rng) -> Self {
        let mut address = [0u8; ADDRESS_LEN];
        rng.fill_bytes(&mut address);
        let mut secret = Zeroizing::new([0u8; SECRET_LEN]);
        rng.fill_bytes(secret.as_mut());
        Self { address, secret }
    }

    /// The code as people type it: 26 characters in groups of four ("7KQ2-…").
    pub fn to_text(&self) -> Zeroizing<String> {
        let bytes = self.bytes();
        let mut text = Zeroizing::new(String::with_capacity(CODE_CHARS + CODE_CHARS / 4));
        for i in 0..CODE_CHARS {
            if i > 0 && i % 4 == 0 {
                text.push('-');
            }
            text.push(char::from(
                ALPHABET[usize::from(five_bits(bytes.as_ref(), i))],
            ));
        }
        text
    }

    /// Reads a typed, pasted or scanned code: case, spaces and dashes do not matter, and O, I
    /// and L read as 0, 1 and 1.
    pub fn parse(text: &str) -> Result<Self, LinkError> {
        let mut bytes = Zeroizing::new([0u8; ADDRESS_LEN + SECRET_LEN]);
        let mut n = 0;
        for c in text.chars().filter(|c| !matches!(c, '-' | ' ')) {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            let value = ALPHABET
                .iter()
                .position(|&a| char::from(a) == c)
                .ok_or(LinkError::BadCode)?;
            // The last character carries 3 bits of the code and 2 spare ones, which must be
            // zero (so one typo there is caught).
            if n >= CODE_CHARS || (n == CODE_CHARS - 1 && value & 0b11 != 0) {
                return Err(LinkError::BadCode);
            }
            put_five_bits(bytes.as_mut(), n, value as u8);
            n += 1;
        }
        if n != CODE_CHARS {
            return Err(LinkError::BadCode);
        }
        let mut address = [0u8; ADDRESS_LEN];
        address.copy_from_slice(&bytes[..ADDRESS_LEN]);
        let mut secret = Zeroizing::new([0u8; SECRET_LEN]);
        secret.copy_from_slice(&bytes[ADDRESS_LEN..]);
        Ok(Self { address, secret })
    }

    fn bytes(&self) -> Zeroizing<[u8; ADDRESS_LEN + SECRET_LEN]> {
        let mut bytes = Zeroizing::new([0u8; ADDRESS_LEN + SECRET_LEN]);
        bytes[..ADDRESS_LEN].copy_from_slice(&self.address);
        bytes[ADDRESS_LEN..].copy_from_slice(self.secret.as_ref());
        bytes
    }
}

/// Bits `5i .. 5i + 5` of `bytes` (zero past the end).
fn five_bits(bytes: &[u8], i: usize) -> u8 {
    let bit = 5 * i;
    let hi = u16::from(bytes.get(bit / 8).copied().unwrap_or(0));
    let lo = u16::from(bytes.get(bit / 8 + 1).copied().unwrap_or(0));
    let window = (hi << 8) | lo;
    ((window >> (11 - bit % 8)) & 0x1f) as u8
}

/// Writes `value` (5 bits) at bits `5i ..` of `bytes`, dropping bits past the end.
fn put_five_bits(bytes: &mut [u8], i: usize, value: u8) {
    for k in 0..5 {
        let bit = 5 * i + k;
        if let Some(byte) = bytes.get_mut(bit / 8) {
            if value & (0x10 >> k) != 0 {
                *byte |= 0x80 >> (bit % 8);
            }
        }
    }
}

/// The new browser's one-time key for receiving its provisioning message.
pub struct LinkKey(StaticSecret);

impl core::fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("LinkKey(<secret>)")
    }
}

impl LinkKey {
    /// A fresh key.
    pub fn generate(rng: &mut impl Rng) -> Self {
        Self(StaticSecret::random_from_rng(rng))
    }
    /// Its public half, announced on the relay.
    pub fn public(&self) -> [u8; 32] {
        PublicKey::from(&self.0).to_bytes()
    }
}

/// What the new browser posts at its provisioning address, for the approving device to fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    /// Where the provisioning message is to be sealed to ([`LinkKey::public`]).
    pub link_key: [u8; 32],
    /// The new device's identity, to be put in the device list.
    pub identity: IdentityKey,
    /// How the device calls itself ("Chrome on Linux"), shown before approving.
    pub name: String,
    /// HMAC-SHA256 under the code's secret of everything above and the address.
    pub tag: [u8; 32],
}

impl Announcement {
    /// Announces `identity` and `link_key` under `code`.
    pub fn new(
        code: &LinkCode,
        link_key: &LinkKey,
        identity: IdentityKey,
        name: &str,
    ) -> Result<Self, LinkError> {
        let name = clean_name(name)?;
        let mut announcement = Self {
            link_key: link_key.public(),
            identity,
            name,
            tag: [0; 32],
        };
        announcement.tag = announcement.expected_tag(code);
        Ok(announcement)
    }

    fn expected_tag(&self, code: &LinkCode) -> [u8; 32] {
        let mut data = TAG_LABEL.to_vec();
        data.extend_from_slice(&code.address);
        data.extend_from_slice(&self.link_key);
        data.extend_from_slice(&self.identity.to_bytes());
        data.extend_from_slice(self.name.as_bytes());
        crypto::hmac(code.secret.as_ref(), &data)
    }

    /// Whether the holder of `code` made this announcement (the relay cannot).
    pub fn verify(&self, code: &LinkCode) -> Result<(), LinkError> {
        clean_name(&self.name)?;
        if bool::from(self.expected_tag(code).ct_eq(&self.tag)) {
            Ok(())
        } else {
            Err(LinkError::NotAnnounced)
        }
    }

    /// The encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(2 + 32 + 64 + 4 + self.name.len() + 32);
        w.signed_header(TYPE_ANNOUNCEMENT)
            .raw(&self.link_key)
            .raw(&self.identity.to_bytes())
            .var(self.name.as_bytes())
            .raw(&self.tag);
        w.into_bytes()
    }

    /// Decodes untrusted bytes (the tag is checked by [`Self::verify`]).
    pub fn decode(bytes: &[u8]) -> Result<Self, LinkError> {
        let mut r = Reader::new(bytes);
        r.signed_header(TYPE_ANNOUNCEMENT)?;
        let announcement = Self {
            link_key: r.array()?,
            identity: IdentityKey::read(&mut r)?,
            name: r.string("device name", MAX_DEVICE_NAME)?,
            tag: r.array()?,
        };
        r.finish()?;
        Ok(announcement)
    }
}

/// A device name as shown to people (see [`crate::text::clean_device_name`]).
fn clean_name(name: &str) -> Result<String, LinkError> {
    crate::text::clean_device_name(name).ok_or(LinkError::BadName)
}

/// Where the approving device put the history it sends (a relay blob) and its key.
#[derive(Clone, PartialEq, Eq)]
pub struct HistoryBlob {
    /// The relay's blob id.
    pub blob: [u8; 32],
    /// The ChaCha20-Poly1305 key it is encrypted with.
    pub key: Zeroizing<[u8; 32]>,
    /// Its size in bytes, for progress.
    pub size: u32,
}

impl core::fmt::Debug for HistoryBlob {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HistoryBlob")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// What the new device needs to act as the account: sealed by [`seal`], opened by [`open`].
#[derive(Clone)]
pub struct Provisioning {
    /// The account's device address for the new device (account name and its device id).
    pub address: DeviceAddress,
    /// The account key, so this device may approve others too.
    pub account_key: AccountKey,
    /// The account's display name.
    pub display_name: String,
    /// Recent history, if sent.
    pub history: Option<HistoryBlob>,
    /// The account's signed device list naming the new device (encoded): the new device pins
    /// it, so the relay cannot show it an older list (one without it) to make it wipe itself.
    pub device_list: Vec<u8>,
}

impl core::fmt::Debug for Provisioning {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Provisioning")
            .field("address", &self.address)
            .field("history", &self.history)
            .finish_non_exhaustive()
    }
}

impl Provisioning {
    fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::with_capacity(128 + self.display_name.len());
        w.signed_header(TYPE_PROVISIONING);
        self.address.write(&mut w);
        w.raw(self.account_key.to_bytes().as_ref())
            .var(self.display_name.as_bytes());
        match &self.history {
            Some(h) => w.u8(1).raw(&h.blob).raw(h.key.as_ref()).u32(h.size),
            None => w.u8(0),
        };
        w.var(&self.device_list);
        Zeroizing::new(w.into_bytes())
    }

    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        r.signed_header(TYPE_PROVISIONING)?;
        let address = DeviceAddress::read(&mut r)?;
        let account_key = AccountKey::from_bytes(&Zeroizing::new(r.array()?));
        let display_name = r.string("display name", MAX_DISPLAY_NAME_BYTES)?;
        let history = if r.bool("history")? {
            Some(HistoryBlob {
                blob: r.array()?,
                key: Zeroizing::new(r.array()?),
                size: r.u32()?,
            })
        } else {
            None
        };
        let device_list = r.var("device list", MAX_DEVICE_LIST)?.to_vec();
        r.finish()?;
        Ok(Self {
            address,
            account_key,
            display_name,
            history,
            device_list,
        })
    }
}

/// The key and associated data of one provisioning message.
fn provisioning_key(
    code: &LinkCode,
    shared: &[u8; 32],
    link_key: &[u8; 32],
    ephemeral: &[u8; 32],
) -> (Zeroizing<[u8; 32]>, Vec<u8>) {
    let mut ikm = Zeroizing::new(Vec::with_capacity(32 + SECRET_LEN));
    ikm.extend_from_slice(shared);
    ikm.extend_from_slice(code.secret.as_ref());
    let mut key = Zeroizing::new([0u8; 32]);
    crypto::hkdf(&code.address, &ikm, PROVISIONING_INFO, key.as_mut());
    let mut ad = PROVISIONING_INFO.to_vec();
    ad.extend_from_slice(&code.address);
    ad.extend_from_slice(link_key);
    ad.extend_from_slice(ephemeral);
    (key, ad)
}

/// Seals `provisioning` to the device that made `announcement` with `code` (checked first):
/// `ephemeral public (32) ‖ ciphertext`.
pub fn seal(
    code: &LinkCode,
    announcement: &Announcement,
    provisioning: &Provisioning,
    rng: &mut impl Rng,
) -> Result<Vec<u8>, LinkError> {
    announcement.verify(code)?;
    let ephemeral = StaticSecret::random_from_rng(rng);
    let ephemeral_public = PublicKey::from(&ephemeral).to_bytes();
    let shared = crypto::dh(&ephemeral, &PublicKey::from(announcement.link_key))?;
    let (key, ad) = provisioning_key(code, &shared, &announcement.link_key, &ephemeral_public);
    // The key is used once (fresh ephemeral), so the nonce may be fixed.
    let ciphertext = crypto::seal(&key, &[0; 12], &provisioning.encode(), &ad);
    let mut sealed = ephemeral_public.to_vec();
    sealed.extend_from_slice(&ciphertext);
    Ok(sealed)
}

/// Opens a provisioning message sealed to `link_key` under `code`.
pub fn open(code: &LinkCode, link_key: &LinkKey, sealed: &[u8]) -> Result<Provisioning, LinkError> {
    let (ephemeral, ciphertext) = sealed
        .split_first_chunk::<32>()
        .ok_or(LinkError::Decode(DecodeError::Truncated))?;
    let shared = crypto::dh(&link_key.0, &PublicKey::from(*ephemeral))?;
    let (key, ad) = provisioning_key(code, &shared, &link_key.public(), ephemeral);
    let plaintext = crypto::open(&key, &[0; 12], ciphertext, &ad)?;
    Ok(Provisioning::decode(&plaintext)?)
}
