//! Encrypted attachments: a device asks for a grant over its authenticated WebSocket, uploads
//! the ciphertext (at once with `PUT /blobs/<id>`, or in pieces that survive a lost connection
//! or a relay restart with `/uploads/<id>`, see `resumable`), and anyone holding the
//! unguessable id (sent inside an end-to-end encrypted message) fetches it, whole or by range,
//! with `GET /blobs/<id>` until it expires. Blobs are files under `HUSH_DATA/blobs` (written to
//! a partial file, synced, renamed, the directory synced); the store records who uploaded
//! each, its size and its expiry.
//!
//! Bounds: a device holds at most [`MAX_GRANTS_PER_DEVICE`] unused grants (all devices
//! [`MAX_GRANTS`]), and at most its quota in unexpired blobs and granted uploads together.
//! A blob expires a configured lifetime (30 days by default) after its upload unless a device
//! of the uploading account renews it (taking it over, within its own quota).

mod files;
mod grants;
mod http;
mod range;
mod resumable;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use hush_protocol::hex;
use rand_core::{OsRng, RngCore};

use files::{BlobFiles, LocalDir};

pub(crate) use grants::Grant;
use grants::{Grants, GRANT_LIFETIME};
pub(crate) use http::upload;
pub(crate) use range::fetch;
pub(crate) use resumable::{commit_upload, continue_upload, upload_offset};

use crate::hub::DeviceKey;
use crate::store::{Millis, Store, StoreError};

/// The largest attachment by default (`--max-blob-bytes`).
pub const DEFAULT_MAX_BLOB_BYTES: u32 = 100 * 1024 * 1024;
/// Unused grants at once across all devices, so grants cannot eat memory.
const MAX_GRANTS: usize = 10_000;
/// Unused grants one device may hold: one device cannot fill the table (linking needs it too).
pub const MAX_GRANTS_PER_DEVICE: usize = 8;
/// How long a blob is kept after its upload or its last renewal, by default.
pub const DEFAULT_BLOB_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// Bytes one device may hold on the relay by default: ten full-size attachments.
pub const DEFAULT_BLOB_QUOTA: u64 = 10 * DEFAULT_MAX_BLOB_BYTES as u64;
/// Expired blobs forgotten per store call, so a sweep holds few ids at a time.
const EXPIRY_BATCH: usize = 256;

/// The operator's settings for attachments.
#[derive(Clone, Copy, Debug)]
pub struct BlobLimits {
    /// Bytes one device may keep in unexpired blobs and granted uploads.
    pub quota: u64,
    /// The largest attachment.
    pub max_bytes: u32,
    /// How long a blob is kept after its upload or its last renewal.
    pub lifetime: Duration,
}

impl Default for BlobLimits {
    fn default() -> Self {
        Self {
            quota: DEFAULT_BLOB_QUOTA,
            max_bytes: DEFAULT_MAX_BLOB_BYTES,
            lifetime: DEFAULT_BLOB_LIFETIME,
        }
    }
}

/// Why a grant was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Larger than the largest attachment.
    TooLarge,
    /// The device (or the relay) holds too many unused grants.
    TooManyGrants,
    /// The device's blobs and grants would pass its quota.
    Quota,
}

/// Why a piece of an upload cannot be written now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unwritable {
    /// No grant for this id (never given, used, or expired).
    NoGrant,
    /// Another request is writing this upload.
    Busy,
}

/// Outstanding grants, and where the bytes are.
pub(crate) struct Blobs {
    files: Arc<dyn BlobFiles>,
    limits: BlobLimits,
    grants: Mutex<Grants>,
}

impl Blobs {
    /// Blobs in the directory `blobs` under `data` (the one backend today), with the grants
    /// of uploads a previous run left unfinished.
    pub(crate) fn open(data: &Path, limits: BlobLimits) -> std::io::Result<Self> {
        let files: Arc<dyn BlobFiles> = Arc::new(LocalDir::open(data.join("blobs"))?);
        let grants = grants::load(&*files, MAX_GRANTS);
        Ok(Self {
            files,
            limits,
            grants: Mutex::new(grants),
        })
    }

    /// Where the bytes are.
    pub(crate) fn files(&self) -> &Arc<dyn BlobFiles> {
        &self.files
    }

    pub(crate) fn limits(&self) -> BlobLimits {
        self.limits
    }

    /// When a blob uploaded or renewed at `now` expires.
    pub(crate) fn expiry_from(&self, now: Millis) -> Millis {
        let lifetime = u64::try_from(self.limits.lifetime.as_millis()).unwrap_or(u64::MAX);
        now.saturating_add(lifetime)
    }

    fn lock(&self) -> MutexGuard<'_, Grants> {
        self.grants.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fresh id `owner` may upload once with at most `size` bytes; `stored` is what its
    /// unexpired blobs take already.
    pub(crate) fn grant(
        &self,
        owner: &DeviceKey,
        size: u32,
        stored: u64,
    ) -> Result<[u8; 32], Refused> {
        if size > self.limits.max_bytes {
            return Err(Refused::TooLarge);
        }
        let mut grants = self.lock();
        let now = Instant::now();
        for id in grants.prune(now) {
            self.files.discard(&id);
        }
        let (held, granted) = grants.per_device.get(owner).copied().unwrap_or_default();
        if held >= MAX_GRANTS_PER_DEVICE || grants.by_id.len() >= MAX_GRANTS {
            return Err(Refused::TooManyGrants);
        }
        if stored
            .saturating_add(granted)
            .saturating_add(u64::from(size))
            > self.limits.quota
        {
            return Err(Refused::Quota);
        }
        let mut id = [0u8; 32];
        OsRng.fill_bytes(&mut id);
        let grant = Grant::new(owner.clone(), size, now);
        // Saved while the table is locked: a grant used meanwhile cannot be saved again after.
        self.files.save_grant(&id, &grants::record(&grant));
        grants.insert(id, grant);
        Ok(id)
    }

    /// Bytes `owner`'s unused grants may still upload: they count against its quota.
    pub(crate) fn granted_bytes(&self, owner: &DeviceKey) -> u64 {
        let grants = self.lock();
        grants
            .per_device
            .get(owner)
            .map_or(0, |(_, granted)| *granted)
    }

    /// The grant for `id` as it stands (unused and not expired), without holding it.
    pub(crate) fn grant_of(&self, id: &[u8; 32]) -> Option<Grant> {
        let grants = self.lock();
        let grant = grants.by_id.get(id)?;
        (!grant.expired(Instant::now())).then(|| grant.clone())
    }

    /// The grant for `id`, used up; None (and the grant left alone) while a request holds it.
    #[cfg(test)]
    pub(crate) fn take_grant(&self, id: &[u8; 32]) -> Option<Grant> {
        let mut grants = self.lock();
        if grants.by_id.get(id)?.busy {
            return None;
        }
        let grant = grants.remove(id)?;
        self.files.forget_grant(id);
        (!grant.expired(Instant::now())).then_some(grant)
    }

    /// The grant for `id`, held for one request that writes or commits a piece of its upload;
    /// the hold ends (and the grant's lifetime starts again) when the guard is dropped.
    pub(crate) fn hold_grant(self: &Arc<Self>, id: &[u8; 32]) -> Result<Held, Unwritable> {
        let mut grants = self.lock();
        let now = Instant::now();
        let grant = match grants.by_id.get_mut(id) {
            Some(grant) if !grant.expired(now) => grant,
            _ => return Err(Unwritable::NoGrant),
        };
        if grant.busy {
            return Err(Unwritable::Busy);
        }
        grant.busy = true;
        Ok(Held {
            blobs: self.clone(),
            id: *id,
            grant: grant.clone(),
            done: false,
        })
    }

    /// Deletes blobs expired at `now` (in batches from the store), and files last written
    /// more than the blob lifetime ago (uploaded by an earlier build without a record, or a
    /// record lost) or uploads unused past their grant's lifetime. Returns how many files went.
    /// The files are removed on the blocking pool.
    pub(crate) async fn expire(&self, store: &dyn Store, now: Millis) -> Result<usize, StoreError> {
        let mut removed = 0;
        loop {
            let ids = store.take_expired_blobs(now, EXPIRY_BATCH).await?;
            let last = ids.len() < EXPIRY_BATCH;
            let files = self.files.clone();
            removed +=
                on_blocking_pool(move || ids.iter().filter(|id| files.remove(id)).count()).await?;
            if last {
                break;
            }
        }
        // A renewal touches the blob, so this agrees with the store's expiry. An upload in
        // progress outlives its grant only if the relay stopped.
        let now = SystemTime::UNIX_EPOCH + Duration::from_millis(now);
        let (files, lifetime) = (self.files.clone(), self.limits.lifetime);
        let swept = on_blocking_pool(move || {
            files.sweep(now.checked_sub(lifetime), now.checked_sub(GRANT_LIFETIME))
        })
        .await?;
        Ok(removed + swept)
    }

    /// Marks the blob as fresh (a renewal), so the file sweep agrees with the store.
    pub(crate) fn touch(&self, id: &[u8; 32]) {
        self.files.touch(id);
    }
}

/// Runs file work that blocks (removing, listing) on tokio's blocking pool.
async fn on_blocking_pool<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| StoreError::Backend(format!("removing blob files failed: {error}")))
}

/// A grant held by one request (see [`Blobs::hold_grant`]).
pub(crate) struct Held {
    blobs: Arc<Blobs>,
    id: [u8; 32],
    grant: Grant,
    done: bool,
}

impl Held {
    pub(crate) fn grant(&self) -> &Grant {
        &self.grant
    }

    /// The upload is a blob now: the grant is used up.
    pub(crate) fn finish(mut self) {
        self.done = true;
        self.blobs.lock().remove(&self.id);
        self.blobs.files.forget_grant(&self.id);
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if let Some(grant) = self.blobs.lock().by_id.get_mut(&self.id) {
            grant.busy = false;
            grant.at = Instant::now();
            // Saved again: the saved grant's age is its last use, for the sweep and a restart.
            self.blobs
                .files
                .save_grant(&self.id, &grants::record(grant));
        }
    }
}

/// A blob id as its URL spells it: 64 lower-case hex digits (the one spelling).
fn parse_id(text: &str) -> Option<[u8; 32]> {
    hex::decode(text)
}

#[cfg(test)]
mod tests;
