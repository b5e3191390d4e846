//! Device lists kept in memory: every `Send` is checked against the recipient's list, and
//! reading it from SQLite each time cost a trip to the blocking pool per envelope.
//!
//! With SQLite this process is the only writer of device lists, so the cache is updated right
//! after each commit. A database other relays also write (PostgreSQL) gets no cache at all
//! ([`DeviceLists::uncached`]): another relay may unlink a device or close an account at any
//! moment, and a list kept here would let that device sign in on this relay. Until relays tell
//! each other of list changes, every check there reads the store. Only a newer version replaces a cached list (two publishes may reach the cache in
//! either order), and a list read from the store is only cached if no list was written
//! meanwhile (the epoch), so a slow read can never put an older list back either.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::store::SignedDeviceList;

/// Accounts kept; when full, the cache starts over (lists are small and re-read on demand).
const CAPACITY: usize = 20_000;

#[derive(Default)]
struct Inner {
    /// Nothing is kept (the database is shared with other relays).
    off: bool,
    /// Bumped by every write, so reads that started before it are not cached.
    epoch: u64,
    lists: HashMap<String, Arc<SignedDeviceList>>,
}

/// The cache; cheap to share (`Arc`).
#[derive(Default)]
pub(crate) struct DeviceLists {
    inner: Mutex<Inner>,
}

impl DeviceLists {
    /// A cache that keeps nothing: for a database other relays write too.
    pub(crate) fn uncached() -> Self {
        let inner = Inner {
            off: true,
            ..Inner::default()
        };
        Self {
            inner: Mutex::new(inner),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Each update is one map operation: a panic cannot leave it half done.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cached list, or the epoch to pass to [`DeviceLists::read`] after a store read.
    pub(crate) fn get(&self, account: &str) -> Result<Arc<SignedDeviceList>, u64> {
        let inner = self.lock();
        inner.lists.get(account).cloned().ok_or(inner.epoch)
    }

    /// Caches a list read from the store, unless a list was written since `epoch`.
    pub(crate) fn read(&self, account: &str, list: Arc<SignedDeviceList>, epoch: u64) {
        let mut inner = self.lock();
        if inner.epoch == epoch {
            insert(&mut inner, account, list);
        }
    }

    /// Records a list just committed to the store.
    pub(crate) fn written(&self, account: &str, list: SignedDeviceList) {
        let mut inner = self.lock();
        inner.epoch += 1;
        insert(&mut inner, account, Arc::new(list));
    }
}

fn insert(inner: &mut Inner, account: &str, list: Arc<SignedDeviceList>) {
    if inner.off {
        return;
    }
    // An older list would let a device removed since log in again.
    if inner
        .lists
        .get(account)
        .is_some_and(|cached| cached.version >= list.version)
    {
        return;
    }
    if inner.lists.len() >= CAPACITY && !inner.lists.contains_key(account) {
        inner.lists.clear();
    }
    inner.lists.insert(account.to_owned(), list);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(version: u64) -> SignedDeviceList {
        SignedDeviceList {
            version,
            bytes: vec![version as u8],
            devices: Vec::new(),
        }
    }

    #[test]
    fn a_read_that_raced_a_write_is_not_cached() {
        let cache = DeviceLists::default();
        let Err(epoch) = cache.get("alice") else {
            panic!("empty cache")
        };
        // A write commits version 2 while an older read (version 1) is under way.
        cache.written("alice", list(2));
        cache.read("alice", Arc::new(list(1)), epoch);
        assert_eq!(cache.get("alice").map(|l| l.version).ok(), Some(2));
    }

    #[test]
    fn an_older_write_finishing_last_does_not_replace_a_newer_list() {
        let cache = DeviceLists::default();
        // Two publishes commit versions 2 then 3, but the second one reaches the cache first.
        cache.written("carol", list(3));
        cache.written("carol", list(2));
        assert_eq!(cache.get("carol").map(|l| l.version).ok(), Some(3));
    }

    #[test]
    fn reads_are_cached_and_writes_replace_them() {
        let cache = DeviceLists::default();
        let Err(epoch) = cache.get("bob") else {
            panic!("empty cache")
        };
        cache.read("bob", Arc::new(list(1)), epoch);
        assert_eq!(cache.get("bob").map(|l| l.version).ok(), Some(1));
        cache.written("bob", list(3));
        assert_eq!(cache.get("bob").map(|l| l.version).ok(), Some(3));
    }
}
