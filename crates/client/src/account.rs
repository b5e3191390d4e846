//! This device's own keys and registration state.

use hush_protocol::devices::{AccountKey, DeviceList, DeviceListError, ListedDevice};
use hush_protocol::keys::{OneTimePreKeyPair, SignedPreKeyPair};
use hush_protocol::relay::{auth_message, ClientFrame, PresenceVisibility};
use hush_protocol::{DeviceAddress, IdentityKeyPair, Rng, Username};

/// What a device is called until it is told otherwise.
pub const DEFAULT_DEVICE_NAME: &str = "Browser";

/// One-time prekeys uploaded at registration and whenever the relay says the stock is low.
pub(crate) const PREKEY_BATCH: u32 = 100;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;
/// A signed prekey is replaced after a week (Signal replaces its own every few days to a
/// week), so a leaked one opens only the first messages of sessions started in that week.
pub const SIGNED_PREKEY_LIFETIME_MS: u64 = 7 * DAY_MS;
/// A replaced signed prekey still opens first messages for two weeks: a sender may have
/// fetched the bundle just before the rotation and been offline since.
pub const SIGNED_PREKEY_GRACE_MS: u64 = 14 * DAY_MS;
/// The most replaced signed prekeys kept (two weeks of weekly rotations, and one spare).
pub const MAX_RETIRED_PREKEYS: usize = 3;

/// A signed prekey that was replaced, kept until its grace period ends.
#[derive(Clone)]
pub struct RetiredPreKey {
    /// The key pair (zeroized when dropped).
    pub key: SignedPreKeyPair,
    /// When it was replaced (ms, the device's clock).
    pub retired_ms: u64,
}

/// What a rotation check changed in the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rotation {
    /// Nothing: the current signed prekey is young and no replaced one expired.
    Unchanged,
    /// Only what is stored changed (a replaced key forgotten, or the current one's age started).
    Stored,
    /// A new signed prekey replaced the current one: it is to be uploaded.
    Replaced,
}

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
    /// When the current signed prekey was first handed out (ms, the device's clock; `None`
    /// until the account first connects).
    pub signed_prekey_since_ms: Option<u64>,
    /// Signed prekeys replaced less than [`SIGNED_PREKEY_GRACE_MS`] ago, oldest first.
    pub retired_prekeys: Vec<RetiredPreKey>,
    /// Whether the relay accepted the registration.
    pub registered: bool,
    /// The id the next one-time prekey gets.
    pub next_prekey_id: u32,
    /// How contacts see this account named (empty: by its username).
    pub display_name: String,
    /// What this device is called in the account's device list ("Chrome on Linux").
    pub device_name: String,
    /// Who may see the account's presence, as last chosen here or told by the relay.
    pub presence: PresenceVisibility,
    /// Whether `presence` was chosen here and the relay has not confirmed it yet (it is sent
    /// again after every authentication until it has).
    pub presence_unsent: bool,
    /// Whether this device sends read receipts, and so sees them (mutual, as in WhatsApp:
    /// off, a contact's "read" shows as delivered).
    pub read_receipts: bool,
    /// The About line contacts see (empty: none).
    pub about: String,
    /// The profile photo contacts see: an encrypted blob, its key sent only to them.
    pub photo: Option<hush_protocol::attachment::AttachmentPointer>,
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
            signed_prekey_since_ms: None,
            retired_prekeys: Vec::new(),
            registered: false,
            next_prekey_id: 1,
            display_name: String::new(),
            device_name: device_name.to_owned(),
            presence: PresenceVisibility::default(),
            presence_unsent: false,
            read_receipts: true,
            about: String::new(),
            photo: None,
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

    /// The signed prekey with `id`: the current one, or a replaced one still in its grace
    /// period (a first message may name either).
    pub(crate) fn signed_prekey_by_id(&self, id: u32) -> Option<&SignedPreKeyPair> {
        if self.signed_prekey.id() == id {
            return Some(&self.signed_prekey);
        }
        self.retired_prekeys
            .iter()
            .map(|retired| &retired.key)
            .find(|key| key.id() == id)
    }

    /// Replaces a signed prekey older than [`SIGNED_PREKEY_LIFETIME_MS`] (the new one's id is
    /// the next) and forgets replaced ones past [`SIGNED_PREKEY_GRACE_MS`].
    pub(crate) fn rotate_signed_prekey(&mut self, now_ms: u64, rng: &mut impl Rng) -> Rotation {
        let before = self.retired_prekeys.len();
        self.retired_prekeys
            .retain(|retired| within(retired.retired_ms, now_ms, SIGNED_PREKEY_GRACE_MS));
        let rotation = if self.retired_prekeys.len() == before {
            Rotation::Unchanged
        } else {
            Rotation::Stored
        };
        let Some(since) = self.signed_prekey_since_ms else {
            // A new account's (or newly linked device's) key: its week starts now.
            self.signed_prekey_since_ms = Some(now_ms);
            return Rotation::Stored;
        };
        if within(since, now_ms, SIGNED_PREKEY_LIFETIME_MS) {
            return rotation;
        }
        // Ids only grow (a first message on an older one than a session's is stale); at
        // u32::MAX, some 80 million years of weeks on, the key stays.
        let Some(id) = self.signed_prekey.id().checked_add(1) else {
            return rotation;
        };
        let next = SignedPreKeyPair::generate(id, &self.identity, rng);
        let replaced = core::mem::replace(&mut self.signed_prekey, next);
        if self.retired_prekeys.len() >= MAX_RETIRED_PREKEYS {
            self.retired_prekeys.remove(0);
        }
        self.retired_prekeys.push(RetiredPreKey {
            key: replaced,
            retired_ms: now_ms,
        });
        self.signed_prekey_since_ms = Some(now_ms);
        Rotation::Replaced
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

/// Whether `now_ms` is less than `period_ms` away from `since_ms`. A clock set back by more than
/// the period counts as past it too, so a wrong clock cannot keep a key for ever.
fn within(since_ms: u64, now_ms: u64, period_ms: u64) -> bool {
    since_ms.abs_diff(now_ms) < period_ms
}
