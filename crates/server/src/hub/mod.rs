//! Who is connected right now: one entry per authenticated device connection. Newly stored
//! envelopes are handed to their recipients' connections straight from the store's commit, in
//! id order (and their sender and recipient accounts noted, for typing); typing and presence
//! go straight through (presence as each account's setting allows, see `presence`); nothing
//! here is persisted.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use hush_protocol::relay::ServerFrame;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::byte_queue::{self, Weight, ITEM_OVERHEAD};
use crate::correspondents::Correspondents;
use crate::store::{StoredEnvelope, StoredListener};
use presence::{account_online, announce};

mod presence;

/// What a connection is told.
#[derive(Debug)]
pub(crate) enum Notice {
    /// An envelope just stored for this device (they come in id order).
    Envelope(StoredEnvelope),
    /// A frame to pass on as is (typing, presence, prekeys low), encoded once for everyone.
    Frame(Bytes),
}

impl Weight for Notice {
    fn weight(&self) -> usize {
        ITEM_OVERHEAD
            + match self {
                Notice::Envelope(stored) => {
                    stored.envelope.payload.len() + stored.envelope.sender.len()
                }
                Notice::Frame(bytes) => bytes.len(),
            }
    }
}

/// Where a connection's notices queue (bounded in bytes: past it, live envelopes are read
/// from the store instead, and ephemeral frames are dropped).
pub(crate) type Notices = byte_queue::Sender<Notice>;

/// A frame as a notice.
fn encoded(frame: &ServerFrame) -> Bytes {
    Bytes::from(frame.encode())
}

/// Identifies one connection of one device.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct DeviceKey {
    pub(crate) account: String,
    pub(crate) device: u32,
}

struct Connection {
    id: u64,
    notices: Notices,
    catch_up: Arc<CatchUp>,
    close: Arc<Close>,
}

/// Tells a connection to close (replaced by a newer one of its device, or unlinked). Not a
/// notice: a full queue cannot lose it, and telling it never waits.
#[derive(Default)]
pub(crate) struct Close {
    token: CancellationToken,
    /// A frame to send before closing, if there is room (an unlinked device hears its list).
    last_words: Mutex<Option<ServerFrame>>,
}

impl Close {
    /// Waits until the connection must close.
    pub(crate) async fn requested(&self) {
        self.token.cancelled().await;
    }

    /// The frame to send before closing, if any.
    pub(crate) fn last_words(&self) -> Option<ServerFrame> {
        self.words().take()
    }

    fn now(&self, last_words: Option<ServerFrame>) {
        if last_words.is_some() {
            *self.words() = last_words;
        }
        self.token.cancel();
    }

    fn words(&self) -> std::sync::MutexGuard<'_, Option<ServerFrame>> {
        // Only ever replaced whole: a panic cannot leave it half written.
        self.last_words
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Set when an envelope could not be handed to a backed-up connection: the connection must then
/// read its queue from the store (which has everything, in order) instead of trusting its
/// notices until it has caught up.
#[derive(Default)]
pub(crate) struct CatchUp {
    needed: AtomicBool,
    wake: Notify,
}

impl CatchUp {
    /// Waits until a catch-up read is needed.
    pub(crate) async fn wanted(&self) {
        self.wake.notified().await;
    }

    /// Whether notices are to be ignored because a read from the store is due.
    pub(crate) fn pending(&self) -> bool {
        self.needed.load(Ordering::SeqCst)
    }

    /// Called right before the catch-up read: anything missed from now on sets it again.
    pub(crate) fn start(&self) {
        self.needed.store(false, Ordering::SeqCst);
    }

    fn request(&self) {
        self.needed.store(true, Ordering::SeqCst);
        // One stored permit: a burst of misses costs one read.
        self.wake.notify_one();
    }
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
    /// Whether each account hides its presence, for the accounts that connected since the
    /// relay started (the others have no presence here to show: offline, never seen).
    hidden: HashMap<String, bool>,
}

/// The registry; cheap to share (`Arc`).
#[derive(Default)]
pub(crate) struct Hub {
    inner: Mutex<Inner>,
    /// Held across a presence setting's store write and its change here, so that the two
    /// agree when devices of one account change it at once.
    pub(crate) visibility_writes: tokio::sync::Mutex<()>,
    /// Accounts that exchanged envelopes, learned from each commit (for typing).
    correspondents: Correspondents,
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
    pub(crate) fn connect(
        &self,
        key: &DeviceKey,
        notices: Notices,
        catch_up: Arc<CatchUp>,
        close: Arc<Close>,
    ) -> u64 {
        let mut inner = self.lock();
        inner.next_id += 1;
        let id = inner.next_id;
        let was_online = account_online(&inner, &key.account);
        if let Some(old) = inner.online.insert(
            key.clone(),
            Connection {
                id,
                notices,
                catch_up,
                close,
            },
        ) {
            old.close.now(None);
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

    /// Whether the device has a connection now.
    pub(crate) fn is_online(&self, key: &DeviceKey) -> bool {
        self.lock().online.contains_key(key)
    }

    /// Passes a frame to every online device of `account`; ephemeral, dropped when a
    /// connection is backed up.
    pub(crate) fn tell_account(&self, account: &str, frame: &ServerFrame) {
        self.tell_others(account, None, frame);
    }

    /// Passes a frame to every online device of `account` but `except`.
    pub(crate) fn tell_others(&self, account: &str, except: Option<u32>, frame: &ServerFrame) {
        let inner = self.lock();
        let Some(devices) = inner.accounts.get(account) else {
            return;
        };
        let bytes = encoded(frame);
        for device in devices.iter().filter(|d| Some(**d) != except) {
            let key = DeviceKey {
                account: account.to_owned(),
                device: *device,
            };
            if let Some(c) = inner.online.get(&key) {
                let _ = c.notices.try_send(Notice::Frame(bytes.clone()));
            }
        }
    }

    /// Closes the connection of a device that was unlinked; `frame` (its account's new list)
    /// is its last. A device that misses it is shown the list when it next authenticates.
    pub(crate) fn unlinked(&self, key: &DeviceKey, frame: ServerFrame) {
        if let Some(c) = self.lock().online.get(key) {
            c.close.now(Some(frame));
        }
    }

    /// Whether `a` and `b` exchanged an envelope, as far as the relay remembers.
    pub(crate) fn corresponded(&self, a: &str, b: &str) -> bool {
        self.correspondents.known(a, b)
    }

    /// Passes a frame to one device, if online.
    pub(crate) fn tell_device(&self, key: &DeviceKey, frame: ServerFrame) {
        if let Some(c) = self.lock().online.get(key) {
            let _ = c.notices.try_send(Notice::Frame(encoded(&frame)));
        }
    }
}

impl StoredListener for Hub {
    /// Runs right after the commit, under the hub's lock: a device is either online here and
    /// gets its envelopes now, or connects later and reads them from the store.
    fn stored(&self, envelopes: Vec<StoredEnvelope>) {
        // Before delivery: a recipient may type back as soon as it has the envelope.
        let mut last: Option<(&str, &str)> = None;
        for stored in &envelopes {
            let pair = (
                stored.envelope.sender.as_str(),
                stored.envelope.recipient.as_str(),
            );
            // A message to several devices of one account is one pair.
            if last != Some(pair) {
                self.correspondents.exchanged(pair.0, pair.1);
                last = Some(pair);
            }
        }
        let inner = self.lock();
        for stored in envelopes {
            let key = DeviceKey {
                account: stored.envelope.recipient.clone(),
                device: stored.envelope.recipient_device,
            };
            if let Some(c) = inner.online.get(&key) {
                if c.notices.try_send(Notice::Envelope(stored)).is_err() {
                    c.catch_up.request();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> DeviceKey {
        DeviceKey {
            account: "alice".to_owned(),
            device: 1,
        }
    }

    fn frame() -> ServerFrame {
        ServerFrame::PushSubscribed
    }

    /// A connection whose queue holds one notice, already full.
    fn backed_up(hub: &Hub) -> (Arc<Close>, byte_queue::Receiver<Notice>) {
        let (notices, queue) = byte_queue::channel(1);
        let close = Arc::new(Close::default());
        hub.connect(&alice(), notices, Arc::default(), close.clone());
        hub.tell_device(&alice(), frame());
        (close, queue)
    }

    #[tokio::test]
    async fn a_replaced_connection_is_told_to_close_even_when_its_queue_is_full() {
        let hub = Hub::default();
        let (old, _queue) = backed_up(&hub);
        let (new, _new_queue) = byte_queue::channel(1);
        hub.connect(&alice(), new, Arc::default(), Arc::default());
        assert!(
            old.token.is_cancelled(),
            "the replaced connection was not told to close"
        );
        assert_eq!(old.last_words(), None);
    }

    #[tokio::test]
    async fn an_unlinked_connection_is_told_to_close_even_when_it_reads_nothing() {
        let hub = Hub::default();
        let (close, _queue) = backed_up(&hub);
        hub.unlinked(&alice(), frame());
        assert!(
            close.token.is_cancelled(),
            "the unlinked connection was not told to close"
        );
        assert_eq!(close.last_words(), Some(frame()));
    }
}
