//! Upload grants: who may upload which id, how much, until when. Kept in memory and, so that an
//! upload resumes after a relay restart, saved beside the upload (a record of three lines:
//! account, device, size). A grant lives [`GRANT_LIFETIME`] from its last use: a long upload
//! that keeps sending keeps it.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use super::files::BlobFiles;
use crate::hub::DeviceKey;

/// How long a grant waits for the next piece of its upload.
pub(crate) const GRANT_LIFETIME: Duration = Duration::from_secs(600);

/// An unused grant: whose it is, how large its upload may be, when it was last used.
#[derive(Clone, Debug)]
pub(crate) struct Grant {
    pub(crate) owner: DeviceKey,
    pub(crate) size: u32,
    pub(super) at: Instant,
    /// A request is writing its upload now (a second one waits its turn: 409).
    pub(super) busy: bool,
}

impl Grant {
    pub(super) fn new(owner: DeviceKey, size: u32, at: Instant) -> Self {
        Self {
            owner,
            size,
            at,
            busy: false,
        }
    }

    pub(super) fn expired(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.at) >= GRANT_LIFETIME
    }
}

/// The grants, by id and counted per device.
#[derive(Default)]
pub(super) struct Grants {
    pub(super) by_id: HashMap<[u8; 32], Grant>,
    pub(super) per_device: HashMap<DeviceKey, (usize, u64)>,
}

impl Grants {
    pub(super) fn insert(&mut self, id: [u8; 32], grant: Grant) {
        let slot = self.per_device.entry(grant.owner.clone()).or_default();
        slot.0 += 1;
        slot.1 += u64::from(grant.size);
        self.by_id.insert(id, grant);
    }

    pub(super) fn remove(&mut self, id: &[u8; 32]) -> Option<Grant> {
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

    /// Drops grants past their lifetime (not one being written now); returns their ids, whose
    /// files the caller removes.
    pub(super) fn prune(&mut self, now: Instant) -> Vec<[u8; 32]> {
        let stale: Vec<[u8; 32]> = (self.by_id.iter())
            .filter(|(_, g)| !g.busy && g.expired(now))
            .map(|(id, _)| *id)
            .collect();
        for id in &stale {
            self.remove(id);
        }
        stale
    }
}

/// A grant as [`BlobFiles::save_grant`] keeps it.
pub(super) fn record(grant: &Grant) -> String {
    format!(
        "{}\n{}\n{}\n",
        grant.owner.account, grant.owner.device, grant.size
    )
}

/// The grants `files` kept (at most `limit`), as of their uploads' last use. Expired or
/// unreadable ones are discarded with their uploads.
pub(super) fn load(files: &dyn BlobFiles, limit: usize) -> Grants {
    let mut grants = Grants::default();
    let now = Instant::now();
    for (id, text, used) in files.saved_grants() {
        let age = SystemTime::now().duration_since(used).unwrap_or_default();
        match read(&text) {
            Some((owner, size)) if age < GRANT_LIFETIME && grants.by_id.len() < limit => {
                let at = now.checked_sub(age).unwrap_or(now);
                grants.insert(id, Grant::new(owner, size, at));
            }
            _ => files.discard(&id),
        }
    }
    grants
}

fn read(record: &str) -> Option<(DeviceKey, u32)> {
    let mut lines = record.lines();
    let account = lines.next()?.to_owned();
    let device = lines.next()?.parse().ok()?;
    let size = lines.next()?.parse().ok()?;
    Some((DeviceKey { account, device }, size))
}
