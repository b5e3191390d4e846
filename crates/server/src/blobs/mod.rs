//! Encrypted attachments: a device asks for a grant over its authenticated WebSocket, uploads
//! the ciphertext once with `PUT /blobs/<id>`, and anyone holding the unguessable id (sent
//! inside an end-to-end encrypted message) fetches it with `GET /blobs/<id>` until it expires.
//! Blobs are files under `HUSH_DATA/blobs` (streamed to a temporary file, synced, renamed, the
//! directory synced); the store records who uploaded each, its size and its expiry.
//!
//! Bounds: a device holds at most [`MAX_GRANTS_PER_DEVICE`] unused grants (all devices
//! [`MAX_GRANTS`]), and at most its quota in unexpired blobs and granted uploads together.
//! A blob expires [`BLOB_LIFETIME`] after its upload unless its uploader renews it.

mod http;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use hush_protocol::hex;
use rand_core::{OsRng, RngCore};

pub(crate) use http::{fetch, upload};

use crate::hub::DeviceKey;
use crate::store::{Millis, Store, StoreError};

/// The largest attachment.
pub const MAX_BLOB_BYTES: u32 = 25 * 1024 * 1024;
/// How long a grant may wait for its upload.
const GRANT_LIFETIME: Duration = Duration::from_secs(600);
/// Unused grants at once across all devices, so grants cannot eat memory.
const MAX_GRANTS: usize = 10_000;
/// Unused grants one device may hold: one device cannot fill the table (linking needs it too).
pub const MAX_GRANTS_PER_DEVICE: usize = 8;
/// How long a blob is kept after its upload or its last renewal.
pub(crate) const BLOB_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// Bytes one device may hold on the relay by default: forty full-size attachments.
pub const DEFAULT_BLOB_QUOTA: u64 = 40 * MAX_BLOB_BYTES as u64;
/// Expired blobs forgotten per store call, so a sweep holds few ids at a time.
const EXPIRY_BATCH: usize = 256;

/// An unused grant: whose it is, how large its upload may be, when it was given.
#[derive(Clone, Debug)]
pub(crate) struct Grant {
    pub(crate) owner: DeviceKey,
    pub(crate) size: u32,
    at: Instant,
}

/// Why a grant was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Larger than [`MAX_BLOB_BYTES`].
    TooLarge,
    /// The device (or the relay) holds too many unused grants.
    TooManyGrants,
    /// The device's blobs and grants would pass its quota.
    Quota,
}

#[derive(Default)]
struct Grants {
    by_id: HashMap<[u8; 32], Grant>,
    per_device: HashMap<DeviceKey, (usize, u64)>,
}

impl Grants {
    fn insert(&mut self, id: [u8; 32], grant: Grant) {
        let slot = self.per_device.entry(grant.owner.clone()).or_default();
        slot.0 += 1;
        slot.1 += u64::from(grant.size);
        self.by_id.insert(id, grant);
    }

    fn remove(&mut self, id: &[u8; 32]) -> Option<Grant> {
        let grant = self.by_id.remove(id)?;
        if let Some(slot) = self.per_device.get_mut(&grant.owner) {
            slot.0 = slot.0.saturating_sub(1);
            slot.1 = slot.1.saturating_sub(u64::from(grant.size));
            if slot.0 == 0 {
                self.per_device.remove(&grant.owner);
            }
        }
        Some(grant)
    }

    /// Drops grants past their lifetime.
    fn prune(&mut self, now: Instant) {
        let stale: Vec<[u8; 32]> = (self.by_id.iter())
            .filter(|(_, g)| now.duration_since(g.at) >= GRANT_LIFETIME)
            .map(|(id, _)| *id)
            .collect();
        for id in stale {
            self.remove(&id);
        }
    }
}

/// Outstanding grants and the blob directory.
pub(crate) struct Blobs {
    dir: PathBuf,
    quota: u64,
    grants: Mutex<Grants>,
}

impl Blobs {
    pub(crate) fn open(data: &Path, quota: u64) -> std::io::Result<Self> {
        let dir = data.join("blobs");
        std::fs::create_dir_all(&dir)?;
        Ok(Self {
            dir,
            quota,
            grants: Mutex::default(),
        })
    }

    /// A fresh id `owner` may upload once with at most `size` bytes; `stored` is what its
    /// unexpired blobs take already.
    pub(crate) fn grant(
        &self,
        owner: &DeviceKey,
        size: u32,
        stored: u64,
    ) -> Result<[u8; 32], Refused> {
        if size > MAX_BLOB_BYTES {
            return Err(Refused::TooLarge);
        }
        let mut grants = self.grants.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        grants.prune(now);
        let (held, granted) = grants.per_device.get(owner).copied().unwrap_or_default();
        if held >= MAX_GRANTS_PER_DEVICE || grants.by_id.len() >= MAX_GRANTS {
            return Err(Refused::TooManyGrants);
        }
        if stored
            .saturating_add(granted)
            .saturating_add(u64::from(size))
            > self.quota
        {
            return Err(Refused::Quota);
        }
        let mut id = [0u8; 32];
        OsRng.fill_bytes(&mut id);
        let grant = Grant {
            owner: owner.clone(),
            size,
            at: now,
        };
        grants.insert(id, grant);
        Ok(id)
    }

    /// The grant for `id`, used up (an upload is tried once).
    pub(crate) fn take_grant(&self, id: &[u8; 32]) -> Option<Grant> {
        let mut grants = self.grants.lock().unwrap_or_else(|p| p.into_inner());
        let grant = grants.remove(id)?;
        (grant.at.elapsed() < GRANT_LIFETIME).then_some(grant)
    }

    fn path(&self, id: &[u8; 32]) -> PathBuf {
        self.dir.join(hex::encode(id))
    }

    /// Deletes blobs expired at `now` (in batches from the store), and files last written
    /// more than [`BLOB_LIFETIME`] ago (uploaded by an earlier build without a record, or a
    /// record lost). Returns how many files went.
    pub(crate) fn expire(&self, store: &dyn Store, now: Millis) -> Result<usize, StoreError> {
        let mut removed = 0;
        loop {
            let ids = store.take_expired_blobs(now, EXPIRY_BATCH)?;
            for id in &ids {
                removed += usize::from(std::fs::remove_file(self.path(id)).is_ok());
            }
            if ids.len() < EXPIRY_BATCH {
                break;
            }
        }
        Ok(removed + self.expire_old_files(now))
    }

    /// Files past the lifetime by their modification time. A renewal touches the file, so
    /// this agrees with the store's expiry.
    fn expire_old_files(&self, now: Millis) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let now = SystemTime::UNIX_EPOCH + Duration::from_millis(now);
        let cutoff = now.checked_sub(BLOB_LIFETIME);
        // A partial upload outlives its request only if the relay stopped mid-upload.
        let part_cutoff = now.checked_sub(GRANT_LIFETIME);
        let mut removed = 0;
        for entry in entries.flatten() {
            let part = entry.path().extension().is_some_and(|e| e == "part");
            let cutoff = if part { part_cutoff } else { cutoff };
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|modified| cutoff.is_some_and(|c| modified < c));
            if old && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// Marks the blob's file as fresh (a renewal), so the file sweep agrees with the store.
    pub(crate) fn touch(&self, id: &[u8; 32]) {
        let file = std::fs::File::options().write(true).open(self.path(id));
        if let Ok(file) = file {
            let _ = file.set_modified(SystemTime::now());
        }
    }
}

/// A blob id as its URL spells it: 64 lower-case hex digits (the one spelling).
fn parse_id(text: &str) -> Option<[u8; 32]> {
    hex::decode(text)
}

#[cfg(test)]
mod tests;
