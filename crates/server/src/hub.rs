//! Who is connected right now: one entry per authenticated device connection. Senders wake the
//! recipients' connections (which then read their queue from the store, so delivery order is
//! the store's order), typing and presence go straight through, and nothing here is persisted.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use hush_protocol::relay::ServerFrame;
use tokio::sync::mpsc;

/// What a connection is told.
#[derive(Debug)]
pub(crate) enum Notice {
    /// New envelopes are queued for this device.
    Wake,
    /// A frame to pass on as is (typing, presence, prekeys low).
    Frame(ServerFrame),
    /// Another connection authenticated as the same device: this one must close.
    Replaced,
}

/// Identifies one connection of one device.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct DeviceKey {
    pub(crate) account: String,
    pub(crate) device: u32,
}

struct Connection {
    id: u64,
    notices: mpsc::Sender<Notice>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    online: HashMap<DeviceKey, Connection>,
    /// Account → its online devices (so nothing scans every connection).
    accounts: HashMap<String, HashSet<u32>>,
    /// Last time each account had no device left online (ms), kept in memory only.
    last_seen: HashMap<String, u64>,
    /// Watched account → the devices that want its presence.
    watchers: HashMap<String, HashSet<DeviceKey>>,
}

/// The registry; cheap to share (`Arc`).
#[derive(Default)]
pub(crate) struct Hub {
    inner: Mutex<Inner>,
}

impl Hub {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps half-updated in a harmful way.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a connection; a previous connection of the same device is told to close.
    /// Returns the connection's id.
    pub(crate) fn connect(&self, key: &DeviceKey, notices: mpsc::Sender<Notice>) -> u64 {
        let mut inner = self.lock();
        inner.next_id += 1;
        let id = inner.next_id;
        let was_online = account_online(&inner, &key.account);
        if let Some(old) = inner.online.insert(key.clone(), Connection { id, notices }) {
            let _ = old.notices.try_send(Notice::Replaced);
        }
        inner
            .accounts
            .entry(key.account.clone())
            .or_default()
            .insert(key.device);
        if !was_online {
            announce(&inner, &key.account, true, 0);
        }
        id
    }

    /// Removes the connection (if it is still the registered one).
    pub(crate) fn disconnect(&self, key: &DeviceKey, id: u64, now_ms: u64) {
        let mut inner = self.lock();
        if inner.online.get(key).is_some_and(|c| c.id == id) {
            inner.online.remove(key);
            if let Some(devices) = inner.accounts.get_mut(&key.account) {
                devices.remove(&key.device);
                if devices.is_empty() {
                    inner.accounts.remove(&key.account);
                }
            }
            if !account_online(&inner, &key.account) {
                inner.last_seen.insert(key.account.clone(), now_ms);
                announce(&inner, &key.account, false, now_ms);
            }
        }
    }

    /// Stops `watcher`'s presence subscriptions (when it disconnects).
    pub(crate) fn unwatch(&self, watcher: &DeviceKey, accounts: &[String]) {
        let mut inner = self.lock();
        for account in accounts {
            if let Some(watchers) = inner.watchers.get_mut(account) {
                watchers.remove(watcher);
                if watchers.is_empty() {
                    inner.watchers.remove(account);
                }
            }
        }
    }

    /// Wakes the device's connection; false when the device is not online (checked under the
    /// same lock, so a device is either woken here or reads its queue when it connects).
    pub(crate) fn wake(&self, key: &DeviceKey) -> bool {
        match self.lock().online.get(key) {
            Some(c) => {
                // A full channel already holds a wake-up or more work: nothing is lost.
                let _ = c.notices.try_send(Notice::Wake);
                true
            }
            None => false,
        }
    }

    /// Passes a frame to every online device of `account`; ephemeral, dropped when a
    /// connection is backed up.
    pub(crate) fn tell_account(&self, account: &str, frame: &ServerFrame) {
        let inner = self.lock();
        let Some(devices) = inner.accounts.get(account) else {
            return;
        };
        for device in devices {
            let key = DeviceKey {
                account: account.to_owned(),
                device: *device,
            };
            if let Some(c) = inner.online.get(&key) {
                let _ = c.notices.try_send(Notice::Frame(frame.clone()));
            }
        }
    }

    /// Passes a frame to one device, if online.
    pub(crate) fn tell_device(&self, key: &DeviceKey, frame: ServerFrame) {
        if let Some(c) = self.lock().online.get(key) {
            let _ = c.notices.try_send(Notice::Frame(frame));
        }
    }

    /// Subscribes `watcher` to the presence of `accounts`; returns their current presence.
    pub(crate) fn watch(&self, watcher: &DeviceKey, accounts: &[String]) -> Vec<ServerFrame> {
        let mut inner = self.lock();
        let mut now = Vec::with_capacity(accounts.len());
        for account in accounts {
            inner
                .watchers
                .entry(account.clone())
                .or_default()
                .insert(watcher.clone());
            now.push(ServerFrame::Presence {
                account: account.clone(),
                online: account_online(&inner, account),
                last_seen_ms: inner.last_seen.get(account).copied().unwrap_or(0),
            });
        }
        now
    }
}

fn account_online(inner: &Inner, account: &str) -> bool {
    inner.accounts.contains_key(account)
}

fn announce(inner: &Inner, account: &str, online: bool, last_seen_ms: u64) {
    let Some(watchers) = inner.watchers.get(account) else {
        return;
    };
    let frame = ServerFrame::Presence {
        account: account.to_owned(),
        online,
        last_seen_ms,
    };
    for watcher in watchers {
        if let Some(c) = inner.online.get(watcher) {
            let _ = c.notices.try_send(Notice::Frame(frame.clone()));
        }
    }
}
