//! Free space on the data directory's disk (issue 19, finding 2): below the configured floor
//! the relay refuses new sends and uploads with a clear error, instead of letting every commit
//! fail once the disk is full. Read with `statvfs`, at most once per [`REFRESH`].

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long one reading of the free space is used.
const REFRESH: Duration = Duration::from_secs(1);

/// The data directory's disk and its floor.
pub(crate) struct Disk {
    path: PathBuf,
    /// Free bytes to keep; 0: no floor.
    floor: u64,
    /// The last reading and when it was taken.
    last: Mutex<Option<(Instant, u64)>>,
}

impl Disk {
    pub(crate) fn new(path: &Path, floor: u64) -> Self {
        Self {
            path: path.to_path_buf(),
            floor,
            last: Mutex::new(None),
        }
    }

    /// Bytes free for the relay (not counting the root reserve), if the OS says.
    pub(crate) fn free(&self) -> Option<u64> {
        let now = Instant::now();
        let Ok(mut last) = self.last.lock() else {
            return free_bytes(&self.path);
        };
        if let Some((at, free)) = *last {
            if now.saturating_duration_since(at) < REFRESH {
                return Some(free);
            }
        }
        let free = free_bytes(&self.path)?;
        *last = Some((now, free));
        Some(free)
    }

    /// Whether free space is under the floor (unknown free space is not low).
    pub(crate) fn low(&self) -> bool {
        self.floor > 0 && self.free().is_some_and(|free| free < self.floor)
    }
}

#[cfg(unix)]
fn free_bytes(path: &Path) -> Option<u64> {
    let stat = rustix::fs::statvfs(path).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

#[cfg(not(unix))]
fn free_bytes(_: &Path) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_floor_above_the_free_space_is_low_and_none_is_not() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Disk::new(dir.path(), 0).free().is_some_and(|f| f > 0));
        assert!(Disk::new(dir.path(), u64::MAX).low());
        assert!(!Disk::new(dir.path(), 1).low());
        assert!(!Disk::new(dir.path(), 0).low());
    }
}
