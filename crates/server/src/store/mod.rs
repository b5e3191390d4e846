//! The relay's storage, behind one narrow trait so the backend is chosen once, at the edge
//! (SQLite by default; PostgreSQL with `--database`). Everything stored is public keys, signed device
//! lists and ciphertext: the relay holds nothing it could read.
//!
//! Methods are async, so a backend can be async all the way down (PostgreSQL); the server awaits
//! them on its runtime threads. A backend over a blocking library (SQLite) does its blocking work
//! on threads of its own, never on the caller's. The writes that come in bursts (envelopes, acks)
//! have a `submit_…` form that queues the write at once, in the caller's order, and returns a
//! [`Pending`] outcome, so a connection can keep reading while its writes wait for the next group
//! commit: many callers, one transaction, one fsync.

mod pending;
pub mod postgres;
mod schema_version;
pub mod sqlite;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

pub use hush_protocol::relay::PresenceVisibility;
pub use pending::Pending;

/// Milliseconds since the Unix epoch (the server's clock, passed in).
pub type Millis = u64;

/// A registered account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRecord {
    /// The unique username.
    pub name: String,
    /// The account's Ed25519 public key; it signs the device list.
    pub account_key: [u8; 32],
    /// When it was registered.
    pub created_ms: Millis,
}

/// A device of an account, as the current signed device list names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRecord {
    /// The device number within the account.
    pub device_id: u32,
    /// The device's identity key (hush-protocol `IdentityKey`, 64 bytes): it authenticates the
    /// device's connections and is what sessions are made with.
    pub identity: [u8; 64],
}

/// The account's device list as signed by the account key (opaque to the store).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedDeviceList {
    /// Strictly increasing; an older or equal version never replaces a newer one.
    pub version: u64,
    /// The encoded, signed list, served to senders as is.
    pub bytes: Vec<u8>,
    /// The devices it lists (already verified against `bytes` by the caller).
    pub devices: Vec<DeviceRecord>,
}

/// An uploaded blob: who uploaded it, its size, and when it expires (the file itself is
/// `crate::blobs`'s).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobRecord {
    /// The blob's id.
    pub id: [u8; 32],
    /// The uploader's account.
    pub account: String,
    /// The uploader's device.
    pub device: u32,
    /// Bytes stored.
    pub size: u64,
    /// When it expires unless renewed.
    pub expires_ms: Millis,
}

/// What a sender needs to start a session with one device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredBundle {
    /// The device.
    pub device: DeviceRecord,
    /// Its current signed prekey, encoded as uploaded (id, public key, signature).
    pub signed_prekey: Vec<u8>,
    /// One one-time prekey (id, public key), now removed from the store, if any was left.
    pub one_time_prekey: Option<(u32, [u8; 32])>,
    /// How many one-time prekeys that device has left after this one.
    pub one_time_remaining: u32,
}

/// An envelope to store for one recipient device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEnvelope {
    /// Recipient account and device.
    pub recipient: String,
    /// Recipient device.
    pub recipient_device: u32,
    /// Sender account.
    pub sender: String,
    /// Sender device.
    pub sender_device: u32,
    /// Chosen by the sender: a resend with the same id is the same envelope.
    pub client_id: [u8; 16],
    /// The ciphertext (a hush-protocol message), opaque here. Envelopes of one submission that
    /// share one allocation (a group message) are stored as one payload.
    pub payload: Arc<[u8]>,
    /// When the relay accepted it.
    pub received_ms: Millis,
}

/// The byte quotas a submission of envelopes must stay within (payload bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueLimits {
    /// What one device may have queued (a shared payload counts for each device it is for).
    pub per_device: u64,
    /// What one account may have stored for others, not yet acknowledged or expired (a shared
    /// payload counts once).
    pub per_sender: u64,
}

impl QueueLimits {
    /// No quota.
    pub const NONE: Self = Self {
        per_device: u64::MAX,
        per_sender: u64::MAX,
    };
}

/// Which quota a refused submission would have passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quota {
    /// A recipient device's queue.
    Device,
    /// The sender's stored payloads.
    Sender,
    /// A device's unexpired blobs (taking over another device's blob on renewal).
    Blobs,
}

/// A stored envelope; `id` orders a device's queue (increasing in arrival order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEnvelope {
    /// The store's id, increasing in insertion order.
    pub id: u64,
    /// The envelope.
    pub envelope: NewEnvelope,
}

/// A sender device's notice that its envelope for one recipient device expired undelivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpiryNotice {
    /// Increasing in the order notices were recorded.
    pub id: u64,
    /// The sender account the notice is for.
    pub account: String,
    /// The sender device the notice is for.
    pub device: u32,
    /// The send's client id.
    pub client_id: [u8; 16],
    /// Who the envelope was for.
    pub recipient: String,
    /// Which of their devices.
    pub recipient_device: u32,
}

/// What deleting an account leaves to do outside the store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Closed {
    /// The blobs whose bytes to remove.
    pub blobs: Vec<[u8; 32]>,
    /// The notices recorded for the senders of what was queued for the account.
    pub notices: Vec<ExpiryNotice>,
}

/// One batch of expired envelopes, deleted in one transaction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expired {
    /// How many envelopes were deleted (a full batch: more may be left).
    pub deleted: usize,
    /// The notices recorded for their senders, oldest envelope first.
    pub notices: Vec<ExpiryNotice>,
}

/// Devices removed from an account's list whose identity keys [`Store::removed_identities`]
/// keeps, the newest, per account.
pub const REMOVED_DEVICES_KEPT: usize = 32;

/// Envelopes [`Store::expire`] deletes per transaction.
pub const EXPIRY_BATCH: usize = 1000;

/// What became of a submitted group change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupCommit {
    /// It is the group's change for its epoch.
    Accepted,
    /// Another holds that epoch, or it does not follow the head.
    Refused {
        /// The newest epoch ordered (0: none).
        head: u64,
    },
}

/// Where to send a device's Web Push wake-ups (RFC 8030), with the keys that encrypt them
/// (RFC 8291). Given by the device; it says nothing the relay could read messages with.
#[derive(Clone, PartialEq, Eq)]
pub struct PushSubscription {
    /// The push service URL to POST to.
    pub endpoint: String,
    /// The subscription's P-256 public key (uncompressed point).
    pub p256dh: [u8; 65],
    /// The subscription's authentication secret.
    pub auth: [u8; 16],
}

impl fmt::Debug for PushSubscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The endpoint is a capability: whoever knows it (and the keys) can wake the device.
        f.debug_struct("PushSubscription")
            .field("endpoint", &"…")
            .finish_non_exhaustive()
    }
}

/// Told of every newly stored envelope right after its commit, in commit (= id) order, so live
/// delivery needs no read. Runs on the store's own thread: it must be quick and never block.
pub trait StoredListener: Send + Sync + 'static {
    /// `envelopes` were just committed (a resend already stored is not reported again).
    fn stored(&self, envelopes: Vec<StoredEnvelope>);
}

/// Why a store operation failed.
#[derive(Debug)]
pub enum StoreError {
    /// A unique value is taken (e.g. the username).
    Conflict(&'static str),
    /// The account or device does not exist.
    NotFound(&'static str),
    /// A device list older than (or as old as) the stored one.
    Stale,
    /// The write would pass a quota; nothing of it was stored.
    Quota(Quota),
    /// The backend failed (I/O, corruption); the message is for logs, not for clients.
    Backend(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Conflict(what) => write!(f, "{what} already exists"),
            Self::NotFound(what) => write!(f, "{what} not found"),
            Self::Stale => f.write_str("an equal or newer device list is stored"),
            Self::Quota(Quota::Device) => f.write_str("a recipient device's queue is full"),
            Self::Quota(Quota::Sender) => f.write_str("the sender's stored bytes are at quota"),
            Self::Quota(Quota::Blobs) => f.write_str("the device's attachments are at quota"),
            Self::Backend(message) => write!(f, "storage failure: {message}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Storage for the relay. Every method is atomic: it fully happens or not at all.
// `async_trait` rather than `async fn` in the trait: the relay holds its store as
// `Arc<dyn Store>` (chosen at startup), and a trait with native `async fn`s cannot be a trait
// object. The macro turns each method into one returning `Pin<Box<dyn Future + Send>>`, which is
// what hand-written boxed futures would be, without the noise in 40-odd signatures; the box is
// one allocation per call, nothing next to a database round trip.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Orders a group change (`docs/protocol.md`, "Groups"): `hash` becomes `group`'s change
    /// for `epoch` if that epoch holds it already, or if it is the first the relay sees for
    /// the group or the one after its head; anything else is refused with the head. The
    /// newest [`hush_protocol::relay::MAX_ORDERED`] epochs are kept per group.
    async fn commit_group_change(
        &self,
        group: [u8; 16],
        epoch: u64,
        hash: [u8; 32],
    ) -> Result<GroupCommit, StoreError>;

    /// The epochs ordered for `group` after `after`, oldest first (at most
    /// [`hush_protocol::relay::MAX_ORDERED`]).
    async fn group_order(
        &self,
        group: &[u8; 16],
        after: u64,
    ) -> Result<Vec<(u64, [u8; 32])>, StoreError>;

    /// Registers `account` with its first device list. `Conflict` if the name is taken.
    async fn create_account(
        &self,
        account: &AccountRecord,
        devices: &SignedDeviceList,
    ) -> Result<(), StoreError>;

    /// The account, if registered.
    async fn account(&self, name: &str) -> Result<Option<AccountRecord>, StoreError>;

    /// The current signed device list.
    async fn device_list(&self, name: &str) -> Result<Option<SignedDeviceList>, StoreError>;

    /// Replaces the device list if `list.version` is newer (`Stale` otherwise). Prekeys, push
    /// subscriptions, queued envelopes and expiry notices of devices no longer listed are
    /// deleted in the same transaction, and their identity keys remembered as removed.
    async fn replace_device_list(
        &self,
        name: &str,
        list: &SignedDeviceList,
    ) -> Result<(), StoreError>;

    /// Deletes the account: `list` (newer, naming no device) replaces its device list as in
    /// [`Store::replace_device_list`], and its blobs and presence setting go in the same
    /// transaction. The envelopes queued for it are given up as expiry does: each sender
    /// device still listed gets a notice. The account and that list stay, so the name is never
    /// registered again and contacts are served the signed proof.
    async fn close_account(
        &self,
        name: &str,
        list: &SignedDeviceList,
    ) -> Result<Closed, StoreError>;

    /// The identity keys device number `device` of `name` had in earlier lists, if it was
    /// removed from the list (or listed again with another key) among the newest
    /// [`REMOVED_DEVICES_KEPT`] removals of the account.
    async fn removed_identities(
        &self,
        name: &str,
        device: u32,
    ) -> Result<Vec<[u8; 64]>, StoreError>;

    /// Who may see `name`'s presence (`Everyone` if it never chose).
    async fn presence_visibility(&self, name: &str) -> Result<PresenceVisibility, StoreError>;

    /// Sets who may see `name`'s presence, for all its devices. `NotFound` if there is no such
    /// account.
    async fn set_presence_visibility(
        &self,
        name: &str,
        visibility: PresenceVisibility,
    ) -> Result<(), StoreError>;

    /// Sets a device's signed prekey (replacing the previous one).
    async fn set_signed_prekey(
        &self,
        name: &str,
        device: u32,
        signed_prekey: &[u8],
    ) -> Result<(), StoreError>;

    /// Adds one-time prekeys (ids already present are replaced); returns how many the device has.
    async fn add_one_time_prekeys(
        &self,
        name: &str,
        device: u32,
        keys: &[(u32, [u8; 32])],
    ) -> Result<u32, StoreError>;

    /// One bundle per listed device that has a signed prekey, each with at most one one-time
    /// prekey, which is removed: no one-time prekey is ever handed out twice, even to
    /// concurrent callers.
    async fn take_bundles(&self, name: &str) -> Result<Vec<StoredBundle>, StoreError> {
        self.take_bundles_except(name, None).await
    }

    /// [`Store::take_bundles`] without device `except` (a device fetching its own account's
    /// bundles does not use up its own prekeys).
    async fn take_bundles_except(
        &self,
        name: &str,
        except: Option<u32>,
    ) -> Result<Vec<StoredBundle>, StoreError>;

    /// The listed devices that have a signed prekey (that a sender can reach), in order.
    async fn reachable_devices(&self, name: &str) -> Result<Vec<u32>, StoreError>;

    /// Records that a device was connected at `ms` (a device no longer listed is ignored).
    async fn set_last_active(&self, name: &str, device: u32, ms: Millis) -> Result<(), StoreError>;

    /// When each listed device was last connected (0: never), by device id.
    async fn last_active(&self, name: &str) -> Result<Vec<(u32, Millis)>, StoreError>;

    /// How many one-time prekeys a device has left.
    async fn one_time_prekey_count(&self, name: &str, device: u32) -> Result<u32, StoreError>;

    /// Queues envelopes to be stored durably; the outcome (their ids, in order) is ready once
    /// they are committed. Submissions commit in the order they were made: the call itself
    /// queues the write (it must not block), and the returned [`Pending`] is the async part, so
    /// that order is the order of the calls, not of the awaits. An envelope whose
    /// (sender, sender device, client id, recipient, recipient device) is already stored is not
    /// stored again: its existing id is returned.
    fn submit_envelopes(&self, envelopes: Vec<NewEnvelope>) -> Pending<Vec<u64>> {
        self.submit_envelopes_within(envelopes, QueueLimits::NONE)
    }

    /// [`Store::submit_envelopes`] within `limits`: if the envelopes it newly stores would take
    /// a recipient device or the sender past its quota, none is stored and the outcome is
    /// [`StoreError::Quota`]. Resends of stored envelopes pass.
    fn submit_envelopes_within(
        &self,
        envelopes: Vec<NewEnvelope>,
        limits: QueueLimits,
    ) -> Pending<Vec<u64>>;

    /// [`Store::submit_envelopes`], waiting for the commit.
    async fn insert_envelopes(&self, envelopes: &[NewEnvelope]) -> Result<Vec<u64>, StoreError> {
        self.submit_envelopes(envelopes.to_vec()).await
    }

    /// [`Store::submit_envelopes_within`], waiting for the commit.
    async fn insert_envelopes_within(
        &self,
        envelopes: &[NewEnvelope],
        limits: QueueLimits,
    ) -> Result<Vec<u64>, StoreError> {
        self.submit_envelopes_within(envelopes.to_vec(), limits)
            .await
    }

    /// Payload bytes queued for a device (0 for one not listed).
    async fn queued_bytes(&self, name: &str, device: u32) -> Result<u64, StoreError>;

    /// Payload bytes an account has stored for others (each payload once).
    async fn sent_bytes(&self, name: &str) -> Result<u64, StoreError>;

    /// Payload bytes stored in all, each payload once (cheap: the relay's metrics read it).
    async fn queue_bytes(&self) -> Result<u64, StoreError>;

    /// A device's queued envelopes with id greater than `after`, oldest first, at most `limit`.
    async fn pending(
        &self,
        name: &str,
        device: u32,
        after: u64,
        limit: usize,
    ) -> Result<Vec<StoredEnvelope>, StoreError> {
        self.pending_within(name, device, after, limit, usize::MAX)
            .await
    }

    /// [`Store::pending`], ending with the envelope whose payload brings the batch's payload
    /// bytes to `max_bytes` or past (so at least one comes): what a connection holds while it
    /// sends a batch is bounded in bytes, not only in envelopes (up to ~75 KiB each).
    async fn pending_within(
        &self,
        name: &str,
        device: u32,
        after: u64,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<StoredEnvelope>, StoreError>;

    /// Queues the deletion of acknowledged envelopes of that device (ids of other devices are
    /// ignored); the outcome, how many were deleted, is ready once that is committed. Like
    /// [`Store::submit_envelopes`], the call queues the write and must not block.
    fn submit_ack(&self, name: &str, device: u32, ids: Vec<u64>) -> Pending<usize>;

    /// [`Store::submit_ack`], waiting for the commit.
    async fn ack(&self, name: &str, device: u32, ids: &[u64]) -> Result<usize, StoreError> {
        self.submit_ack(name, device, ids.to_vec()).await
    }

    /// Deletes at most `limit` envelopes received before `cutoff`, the oldest, and in the same
    /// transaction records an expiry notice for the sender device of each (if it is still
    /// listed). Payloads are never read: a backlog costs a batch's notices in memory at most.
    async fn expire_batch(&self, cutoff: Millis, limit: usize) -> Result<Expired, StoreError>;

    /// Every envelope received before `cutoff`, batch after batch (each its own transaction);
    /// returns all their notices (for tests and tools; the relay's sweep takes one batch at a
    /// time).
    async fn expire(&self, cutoff: Millis) -> Result<Vec<ExpiryNotice>, StoreError> {
        let mut notices = Vec::new();
        loop {
            let batch = self.expire_batch(cutoff, EXPIRY_BATCH).await?;
            notices.extend(batch.notices);
            if batch.deleted < EXPIRY_BATCH {
                return Ok(notices);
            }
        }
    }

    /// A device's expiry notices, oldest first, at most `limit`.
    async fn expiry_notices(
        &self,
        name: &str,
        device: u32,
        limit: usize,
    ) -> Result<Vec<ExpiryNotice>, StoreError>;

    /// Deletes acknowledged expiry notices of that device (others' ids are ignored); returns
    /// how many were deleted.
    async fn ack_expiry_notices(
        &self,
        name: &str,
        device: u32,
        ids: &[u64],
    ) -> Result<usize, StoreError>;

    /// How many envelopes are queued in all (cheap: the relay's metrics read it often).
    async fn queue_depth(&self) -> Result<u64, StoreError>;

    /// Sets a device's push subscription (replacing the previous one). `NotFound` if the
    /// device is not listed.
    async fn set_push_subscription(
        &self,
        name: &str,
        device: u32,
        subscription: &PushSubscription,
    ) -> Result<(), StoreError>;

    /// A device's push subscription, if it has one.
    async fn push_subscription(
        &self,
        name: &str,
        device: u32,
    ) -> Result<Option<PushSubscription>, StoreError>;

    /// Drops a device's push subscription (nothing happens if it has none).
    async fn delete_push_subscription(&self, name: &str, device: u32) -> Result<(), StoreError>;

    /// Records an uploaded blob (replacing a record with its id). `NotFound` if the uploading
    /// device is no longer listed (unlinked, or its account deleted while it uploaded).
    async fn add_blob(&self, blob: &BlobRecord) -> Result<(), StoreError>;

    /// Bytes of the blobs that device uploaded that have not expired at `now`.
    async fn blob_bytes(&self, name: &str, device: u32, now: Millis) -> Result<u64, StoreError>;

    /// Moves blob `id`'s expiry to `expires_ms` if a device of account `name` uploaded it and
    /// it has not expired at `now`; returns whether it did. A blob another device of the
    /// account uploaded (our profile photo, uploaded by a device since unlinked) is taken over
    /// by `device`, and counts against its quota from then on: refused with
    /// `StoreError::Quota(Quota::Blobs)` if its unexpired blobs would then pass `quota` bytes.
    async fn renew_blob(
        &self,
        id: &[u8; 32],
        renewer: (&str, u32),
        now: Millis,
        expires_ms: Millis,
        quota: u64,
    ) -> Result<bool, StoreError>;

    /// Forgets up to `limit` blobs expired at `now` and returns their ids (the caller deletes
    /// the files): bounded, so a sweep never holds many in memory or in one transaction.
    async fn take_expired_blobs(
        &self,
        now: Millis,
        limit: usize,
    ) -> Result<Vec<[u8; 32]>, StoreError>;
}
