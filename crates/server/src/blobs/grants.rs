//! Upload grants: who may upload which id, how much, until when. Kept in memory and, so that an
//! upload resumes after a relay restart, in a small file beside the upload's partial file
//! (`<id>.grant`: account, device, size). A grant lives [`GRANT_LIFETIME`] from its last use:
//! a long upload that keeps sending keeps it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use hush_protocol::hex;

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

/// The files of an upload in progress in `dir`.
pub(super) fn grant_path(dir: &Path, id: &[u8; 32]) -> PathBuf {
    dir.join(format!("{}.grant", hex::encode(id)))
}

pub(super) fn part_path(dir: &Path, id: &[u8; 32]) -> PathBuf {
    dir.join(format!("{}.part", hex::encode(id)))
}

/// Writes the grant's file. Best effort: without it, an upload cut by a restart starts over
/// with a new grant.
pub(super) fn save(dir: &Path, id: &[u8; 32], grant: &Grant) {
    let text = format!(
        "{}\n{}\n{}\n",
        grant.owner.account, grant.owner.device, grant.size
    );
    let _ = std::fs::write(grant_path(dir, id), text);
}

/// Removes an upload's files (its grant and what was received).
pub(super) fn forget(dir: &Path, id: &[u8; 32]) {
    let _ = std::fs::remove_file(grant_path(dir, id));
    let _ = std::fs::remove_file(part_path(dir, id));
}

/// The grants saved in `dir` (at most `limit`), as of their last use: the newer of the grant
/// file's and the partial upload's modification times. Expired or unreadable ones are removed
/// with their partial uploads.
pub(super) fn load(dir: &Path, limit: usize) -> Grants {
    let mut grants = Grants::default();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return grants;
    };
    let now = Instant::now();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "grant") {
            continue;
        }
        let Some(id) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(hex::decode)
        else {
            let _ = std::fs::remove_file(&path);
            continue;
        };
        match read(dir, &id, now) {
            Some(grant) if grants.by_id.len() < limit => {
                grants.insert(id, grant);
            }
            _ => forget(dir, &id),
        }
    }
    grants
}

fn read(dir: &Path, id: &[u8; 32], now: Instant) -> Option<Grant> {
    let path = grant_path(dir, id);
    let text = std::fs::read_to_string(&path).ok()?;
    let mut lines = text.lines();
    let account = lines.next()?.to_owned();
    let device = lines.next()?.parse().ok()?;
    let size = lines.next()?.parse().ok()?;
    let used = [path, part_path(dir, id)]
        .iter()
        .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .max()?;
    let age = SystemTime::now().duration_since(used).unwrap_or_default();
    if age >= GRANT_LIFETIME {
        return None;
    }
    let at = now.checked_sub(age).unwrap_or(now);
    Some(Grant::new(DeviceKey { account, device }, size, at))
}
