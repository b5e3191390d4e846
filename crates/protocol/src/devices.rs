//! The account's device list, signed by the account key: the relay stores and serves it but
//! cannot add a device to it, and senders encrypt only to devices it lists.

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::codec::{DecodeError, Reader, Writer};
use crate::keys::{DeviceAddress, IdentityKey, MAX_ACCOUNT_LEN};
pub use crate::text::{clean_device_name, MAX_DEVICE_NAME};
use crate::Rng;

/// The most devices any wire field names (room to grow; frames are bounded by it).
pub const MAX_DEVICES: usize = 16;
/// The most devices one account may have now: its first and 5 linked ones. A list naming more
/// is refused when signed and when verified, by the relay and by senders.
pub const MAX_ACCOUNT_DEVICES: usize = 6;
/// The largest device list encoding ([`MAX_DEVICES`] devices with the longest names).
pub const MAX_DEVICE_LIST: usize = 80 + (144 + MAX_DEVICE_NAME) * MAX_DEVICES + 64;
const LIST_LABEL: &[u8] = b"Hush device list v1";
const CERTIFICATE_LABEL: &[u8] = b"Hush device v1";
const TYPE_DEVICE_LIST: u8 = 6;

/// The account's own key: it signs the device list. Kept by the account's devices.
#[derive(Clone)]
pub struct AccountKey(SigningKey);

impl core::fmt::Debug for AccountKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("AccountKey").field(&self.public()).finish()
    }
}

impl AccountKey {
    /// A fresh account key.
    pub fn generate(rng: &mut impl Rng) -> Self {
        Self(SigningKey::generate(rng))
    }
    /// The public key everyone verifies device lists with.
    pub fn public(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }
    /// Signs `message` (what each caller signs starts with its own label).
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }

    /// For storage.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }
    /// Restores what [`Self::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(bytes))
    }
}

/// Whether the account key `key` signed `message` (strict Ed25519).
pub(crate) fn verify_signature(
    key: &[u8; 32],
    message: &[u8],
    signature: &[u8; 64],
) -> Result<(), DeviceListError> {
    let key = VerifyingKey::from_bytes(key).map_err(|_| DeviceListError::BadSignature)?;
    key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature))
        .map_err(|_| DeviceListError::BadSignature)
}

/// One listed device, with its certificate: the account key's signature over the device's
/// identity and metadata, so a device can be shown (and checked) on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedDevice {
    /// Its number within the account.
    pub device_id: u32,
    /// Its identity key.
    pub identity: IdentityKey,
    /// What people call it ("Chrome on Linux"): 1 to 64 bytes, clean (see [`clean_device_name`]).
    pub name: String,
    /// When it was linked (ms since the epoch, the approving device's clock).
    pub linked_ms: u64,
    /// Ed25519 by the account key over `"Hush device v1" ‖ account ‖ everything above`.
    pub certificate: [u8; 64],
}

impl ListedDevice {
    /// A device of `account` certified by the account key.
    pub fn certify(
        account: &str,
        device_id: u32,
        identity: IdentityKey,
        name: &str,
        linked_ms: u64,
        key: &AccountKey,
    ) -> Result<Self, DeviceListError> {
        let mut device = Self {
            device_id,
            identity,
            name: clean_device_name(name).ok_or(DeviceListError::BadName)?,
            linked_ms,
            certificate: [0; 64],
        };
        device.certificate = key.0.sign(&device.certified(account)).to_bytes();
        Ok(device)
    }

    /// What the certificate signs.
    fn certified(&self, account: &str) -> Vec<u8> {
        let mut w = Writer::with_capacity(128 + self.name.len());
        w.raw(CERTIFICATE_LABEL)
            .var(account.as_bytes())
            .u32(self.device_id)
            .raw(&self.identity.to_bytes())
            .var(self.name.as_bytes())
            .u64(self.linked_ms);
        w.buf
    }

    /// Whether the account key certified this device of `account` as it is.
    pub fn verify(&self, account: &str, key: &VerifyingKey) -> Result<(), DeviceListError> {
        if clean_device_name(&self.name).as_deref() != Some(self.name.as_str()) {
            return Err(DeviceListError::BadName);
        }
        let signature = ed25519_dalek::Signature::from_bytes(&self.certificate);
        key.verify_strict(&self.certified(account), &signature)
            .map_err(|_| DeviceListError::BadSignature)
    }
}

/// A device list with the account key's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceList {
    /// The account.
    pub account: String,
    /// Strictly increasing: an older list never replaces a newer one.
    pub version: u64,
    /// The devices, each at most once.
    pub devices: Vec<ListedDevice>,
    /// Ed25519 by the account key over the label and everything above.
    pub signature: [u8; 64],
}

/// Why a device list was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceListError {
    /// Not a valid encoding.
    Decode(DecodeError),
    /// The account key did not sign it.
    BadSignature,
    /// No device (outside [`DeviceList::close`]), too many, or one listed twice.
    BadDevices,
    /// A device name is empty, too long, or has control characters.
    BadName,
}

impl core::fmt::Display for DeviceListError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Decode(e) => write!(f, "device list: {e}"),
            Self::BadSignature => f.write_str("device list signature does not verify"),
            Self::BadDevices => f.write_str(
                "device list must name 1 to 6 distinct devices (the first and 5 linked)",
            ),
            Self::BadName => f.write_str("a device name is 1 to 64 characters, on one line"),
        }
    }
}

impl std::error::Error for DeviceListError {}

impl DeviceList {
    /// Signs a list with the account key.
    pub fn sign(
        account: &str,
        version: u64,
        devices: Vec<ListedDevice>,
        key: &AccountKey,
    ) -> Result<Self, DeviceListError> {
        DeviceAddress::new(account, 0).map_err(DeviceListError::Decode)?;
        let mut list = Self {
            account: account.to_owned(),
            version,
            devices,
            signature: [0; 64],
        };
        list.check_devices()?;
        list.signature = key.0.sign(&list.message()).to_bytes();
        Ok(list)
    }

    /// The account's last list, naming no device: the account was deleted (only the account
    /// key can say so; the relay keeps the name reserved and serves this list to contacts).
    pub fn close(account: &str, version: u64, key: &AccountKey) -> Result<Self, DeviceListError> {
        DeviceAddress::new(account, 0).map_err(DeviceListError::Decode)?;
        let mut list = Self {
            account: account.to_owned(),
            version,
            devices: Vec::new(),
            signature: [0; 64],
        };
        list.signature = key.0.sign(&list.message()).to_bytes();
        Ok(list)
    }

    /// Whether this list closes the account (see [`Self::close`]).
    pub fn is_closed(&self) -> bool {
        self.devices.is_empty()
    }

    /// Every list names 1 to 6 distinct devices, but a closing one names none.
    fn check_signed_devices(&self) -> Result<(), DeviceListError> {
        match self.is_closed() {
            true => Ok(()),
            false => self.check_devices(),
        }
    }

    fn check_devices(&self) -> Result<(), DeviceListError> {
        let n = self.devices.len();
        let distinct = self
            .devices
            .iter()
            .enumerate()
            .all(|(i, d)| self.devices[..i].iter().all(|e| e.device_id != d.device_id));
        if n == 0 || n > MAX_ACCOUNT_DEVICES || !distinct {
            return Err(DeviceListError::BadDevices);
        }
        Ok(())
    }

    /// What the account key signs: the label, then the encoding up to the signature.
    fn message(&self) -> Vec<u8> {
        let mut message = LIST_LABEL.to_vec();
        message.extend_from_slice(&self.signed_bytes());
        message
    }

    fn signed_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(64 + 220 * self.devices.len());
        w.signed_header(TYPE_DEVICE_LIST)
            .var(self.account.as_bytes());
        w.raw(&self.version.to_be_bytes())
            .u32(self.devices.len() as u32);
        for d in &self.devices {
            w.u32(d.device_id)
                .raw(&d.identity.to_bytes())
                .var(d.name.as_bytes())
                .u64(d.linked_ms)
                .raw(&d.certificate);
        }
        w.buf
    }

    /// Whether `account_key` signed this list.
    pub fn verify(&self, account_key: &[u8; 32]) -> Result<(), DeviceListError> {
        self.check_signed_devices()?;
        let key =
            VerifyingKey::from_bytes(account_key).map_err(|_| DeviceListError::BadSignature)?;
        let signature = ed25519_dalek::Signature::from_bytes(&self.signature);
        key.verify_strict(&self.message(), &signature)
            .map_err(|_| DeviceListError::BadSignature)?;
        self.devices
            .iter()
            .try_for_each(|d| d.verify(&self.account, &key))
    }

    /// The device with that id.
    pub fn device(&self, device_id: u32) -> Option<&ListedDevice> {
        self.devices.iter().find(|d| d.device_id == device_id)
    }

    /// The encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = self.signed_bytes();
        bytes.extend_from_slice(&self.signature);
        bytes
    }

    /// Decodes untrusted bytes (the signature is checked by [`Self::verify`]).
    pub fn decode(bytes: &[u8]) -> Result<Self, DeviceListError> {
        let mut r = Reader::new(bytes);
        let decode = |r: &mut Reader<'_>| -> Result<Self, DecodeError> {
            r.signed_header(TYPE_DEVICE_LIST)?;
            let name = r.var("account name", MAX_ACCOUNT_LEN)?;
            let account = core::str::from_utf8(name)
                .map_err(|_| DecodeError::Invalid("account name"))?
                .to_owned();
            let version = u64::from_be_bytes(r.array()?);
            let n = r.count("devices", MAX_DEVICES, 144)?;
            let mut devices = Vec::with_capacity(n);
            for _ in 0..n {
                devices.push(ListedDevice {
                    device_id: r.u32()?,
                    identity: IdentityKey::read(r)?,
                    name: r.string("device name", MAX_DEVICE_NAME)?,
                    linked_ms: r.u64()?,
                    certificate: r.array()?,
                });
            }
            Ok(Self {
                account,
                version,
                devices,
                signature: r.array()?,
            })
        };
        let list = decode(&mut r).map_err(DeviceListError::Decode)?;
        r.finish().map_err(DeviceListError::Decode)?;
        Ok(list)
    }
}
