//! This device's own keys and registration state.

use hush_protocol::devices::{AccountKey, DeviceList, DeviceListError, ListedDevice};
use hush_protocol::keys::{OneTimePreKeyPair, SignedPreKeyPair};
use hush_protocol::relay::{auth_message, ClientFrame};
use hush_protocol::{DeviceAddress, IdentityKeyPair, Rng, Username};

/// What a device is called until it is told otherwise.
pub const DEFAULT_DEVICE_NAME: &str = "Browser";

/// One-time prekeys uploaded at registration and whenever the relay says the stock is low.
pub(crate) const PREKEY_BATCH: u32 = 100;

/// The account as this device holds it: its secrets never leave the device except as
/// signatures and public keys.
#[derive(Clone)]
pub struct LocalAccount {
    /// The username.
    pub name: Username,
    /// This device's number in the account.
    pub device_id: u32,
    /// Signs the account's device list.
    pub account_key: AccountKey,
    /// This device's identity.
    pub identity: IdentityKeyPair,
    /// The current signed prekey.
    pub signed_prekey: SignedPreKeyPair,
    /// Whether the relay accepted the registration.
    pub registered: bool,
    /// The id the next one-time prekey gets.
    pub next_prekey_id: u32,
    /// How contacts see this account named (empty: by its username).
    pub display_name: String,
    /// What this device is called in the account's device list ("Chrome on Linux").
    pub device_name: String,
}

impl core::fmt::Debug for LocalAccount {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Keys stay out of logs; the name and state are enough to debug with.
        f.debug_struct("LocalAccount")
            .field("name", &self.name)
            .field("device_id", &self.device_id)
            .field("registered", &self.registered)
            .finish_non_exhaustive()
    }
}

impl LocalAccount {
    /// Fresh keys for a new account whose first device this is.
    pub(crate) fn generate(name: &Username, device_name: &str, rng: &mut impl Rng) -> Self {
        let identity = IdentityKeyPair::generate(rng);
        let signed_prekey = SignedPreKeyPair::generate(1, &identity, rng);
        Self {
            name: name.clone(),
            device_id: 1,
            account_key: AccountKey::generate(rng),
            identity,
            signed_prekey,
            registered: false,
            next_prekey_id: 1,
            display_name: String::new(),
            device_name: device_name.to_owned(),
        }
    }

    /// This device's address.
    pub fn address(&self) -> Result<DeviceAddress, hush_protocol::DecodeError> {
        DeviceAddress::new(self.name.as_str(), self.device_id)
    }

    /// The frame that answers the relay's challenge: registration until it is accepted, then
    /// authentication.
    pub(crate) fn answer_challenge(
        &self,
        nonce: &[u8; 32],
    ) -> Result<ClientFrame, DeviceListError> {
        let signature = self
            .identity
            .sign(&auth_message(nonce, &self.name, self.device_id));
        if self.registered {
            return Ok(ClientFrame::Authenticate {
                account: self.name.clone(),
                device: self.device_id,
                signature,
            });
        }
        // The first device: "linked" when the account was made (0: not shown).
        let device = ListedDevice::certify(
            &self.name,
            self.device_id,
            self.identity.public(),
            &self.device_name,
            0,
            &self.account_key,
        )?;
        let list = DeviceList::sign(&self.name, 1, vec![device], &self.account_key)?;
        Ok(ClientFrame::Register {
            account_key: self.account_key.public(),
            device_list: list.encode(),
            device: self.device_id,
            signature,
        })
    }

    /// The next batch of one-time prekeys (the account's counter moves past them).
    pub(crate) fn new_prekeys(&mut self, rng: &mut impl Rng) -> Vec<OneTimePreKeyPair> {
        let first = self.next_prekey_id;
        self.next_prekey_id = first.wrapping_add(PREKEY_BATCH);
        (0..PREKEY_BATCH)
            .map(|i| OneTimePreKeyPair::generate(first.wrapping_add(i), rng))
            .collect()
    }
}
