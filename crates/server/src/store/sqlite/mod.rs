//! The SQLite backend: one database file in WAL mode with `synchronous=FULL`, so a write is on
//! disk when its call returns.
//!
//! - Writes go to one writer thread that owns the only write connection and group-commits
//!   whatever is queued: many callers, one transaction, one fsync (see `writer`). Callers await
//!   the outcome (a [`Pending`]); no runtime thread waits for a commit.
//! - Reads use a few read-only connections that see the last commit without waiting for the
//!   writer. rusqlite blocks, so a read runs on tokio's blocking pool (`spawn_blocking`), never
//!   on the runtime thread that awaits it.
//! - The schema is versioned in `PRAGMA user_version` and migrated on open (see `migrations`).

mod blobs;
mod convert;
mod envelopes;
mod group_order;
mod migrations;
mod presence;
mod queries;
mod reads;
mod removed;
mod schema;
mod usage;
mod writer;
mod writes;

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::Connection;

use super::{
    AccountRecord, BlobRecord, Closed, Expired, ExpiryNotice, GroupCommit, Millis, NewEnvelope,
    Pending, PresenceVisibility, PushSubscription, QueueLimits, SignedDeviceList, Store,
    StoreError, StoredBundle, StoredEnvelope, StoredListener,
};

/// Read connections per store.
const READ_CONNECTIONS: usize = 4;

/// A [`Store`] in a SQLite database file.
pub struct SqliteStore {
    // Readers close first, so the writer's connection is the last one: closing it checkpoints
    // the WAL into the database file. (A read holds a clone of the pool only while it runs on
    // the blocking pool, and lets go of it before its caller hears the answer.)
    readers: Arc<reads::ReadPool>,
    writer: writer::Writer,
    /// What the queue holds: counted once at open, then kept by the writer after each commit,
    /// so reading it costs no query.
    usage: Arc<Mutex<usage::Usage>>,
}

impl SqliteStore {
    /// Opens the database at `path`, creating it if needed, and migrates it to the current
    /// schema. A database written by a newer hush-server is refused.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_listener(path, None)
    }

    /// [`SqliteStore::open`], telling `listener` of every envelope stored from now on.
    pub fn open_with_listener(
        path: &Path,
        listener: Option<Arc<dyn StoredListener>>,
    ) -> Result<Self, StoreError> {
        let conn = schema::open_writer(path)?;
        let readers = Arc::new(reads::ReadPool::open(path, READ_CONNECTIONS)?);
        let usage = Arc::new(Mutex::new(usage::Usage::count(&conn)?));
        let writer = writer::Writer::start(conn, listener, usage.clone())?;
        Ok(Self {
            readers,
            writer,
            usage,
        })
    }

    /// Runs `read` on a read connection, on tokio's blocking pool (rusqlite blocks). Outside a
    /// tokio runtime (a caller polling with another executor) it runs on the caller's thread.
    async fn read<T, F>(&self, read: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let readers = self.readers.clone();
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return readers.with(read);
        };
        runtime
            .spawn_blocking(move || readers.with(read))
            .await
            .map_err(|error| StoreError::Backend(format!("a read did not finish: {error}")))?
    }
}

// Writes are queued on the writer thread and awaited through their `Pending` outcome; reads go
// to the blocking pool (`SqliteStore::read`); what the writer keeps counted in memory is read
// at once.
#[async_trait]
impl Store for SqliteStore {
    async fn commit_group_change(
        &self,
        group: [u8; 16],
        epoch: u64,
        hash: [u8; 32],
    ) -> Result<GroupCommit, StoreError> {
        self.writer
            .submit(1, move |conn| group_order::commit(conn, group, epoch, hash))
            .await
    }

    async fn group_order(
        &self,
        group: &[u8; 16],
        after: u64,
    ) -> Result<Vec<(u64, [u8; 32])>, StoreError> {
        let group = *group;
        self.read(move |conn| group_order::order(conn, &group, after))
            .await
    }

    async fn create_account(
        &self,
        account: &AccountRecord,
        devices: &SignedDeviceList,
    ) -> Result<(), StoreError> {
        let (account, devices) = (account.clone(), devices.clone());
        self.writer
            .submit(1, move |conn| {
                writes::create_account(conn, &account, &devices)
            })
            .await
    }

    async fn account(&self, name: &str) -> Result<Option<AccountRecord>, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| reads::account(conn, &name)).await
    }

    async fn device_list(&self, name: &str) -> Result<Option<SignedDeviceList>, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| reads::device_list(conn, &name)).await
    }

    async fn replace_device_list(
        &self,
        name: &str,
        list: &SignedDeviceList,
    ) -> Result<(), StoreError> {
        let (name, list) = (name.to_owned(), list.clone());
        self.writer
            .submit_counted(1, move |conn, tally| {
                writes::replace_device_list(conn, tally, &name, &list)
            })
            .await
            .map(drop)
    }

    async fn close_account(
        &self,
        name: &str,
        list: &SignedDeviceList,
    ) -> Result<Closed, StoreError> {
        if !list.devices.is_empty() {
            return Err(StoreError::Backend(
                "a list that closes an account names no device".to_owned(),
            ));
        }
        let (name, list) = (name.to_owned(), list.clone());
        self.writer
            .submit_counted(1, move |conn, tally| {
                // A refused list undoes this too: the call runs in its own savepoint.
                let mut notices = writes::give_up_queued_for(conn, tally, &name)?;
                writes::replace_device_list(conn, tally, &name, &list)?;
                presence::set(conn, &name, PresenceVisibility::Everyone)?;
                // The account's own devices (copies for each other) are gone, their notices too.
                notices.retain(|n| n.account != name);
                let blobs = blobs::take_account(conn, &name)?;
                Ok(Closed { blobs, notices })
            })
            .await
    }

    async fn removed_identities(
        &self,
        name: &str,
        device: u32,
    ) -> Result<Vec<[u8; 64]>, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| removed::identities(conn, &name, device))
            .await
    }

    async fn presence_visibility(&self, name: &str) -> Result<PresenceVisibility, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| presence::get(conn, &name)).await
    }

    async fn set_presence_visibility(
        &self,
        name: &str,
        visibility: PresenceVisibility,
    ) -> Result<(), StoreError> {
        let name = name.to_owned();
        self.writer
            .submit(1, move |conn| presence::set(conn, &name, visibility))
            .await
    }

    async fn set_signed_prekey(
        &self,
        name: &str,
        device: u32,
        signed_prekey: &[u8],
    ) -> Result<(), StoreError> {
        let (name, signed_prekey) = (name.to_owned(), signed_prekey.to_vec());
        self.writer
            .submit(1, move |conn| {
                writes::set_signed_prekey(conn, &name, device, &signed_prekey)
            })
            .await
    }

    async fn add_one_time_prekeys(
        &self,
        name: &str,
        device: u32,
        keys: &[(u32, [u8; 32])],
    ) -> Result<u32, StoreError> {
        let (name, keys) = (name.to_owned(), keys.to_vec());
        self.writer
            .submit(keys.len().max(1), move |conn| {
                writes::add_one_time_prekeys(conn, &name, device, &keys)
            })
            .await
    }

    async fn take_bundles_except(
        &self,
        name: &str,
        except: Option<u32>,
    ) -> Result<Vec<StoredBundle>, StoreError> {
        let name = name.to_owned();
        self.writer
            .submit(1, move |conn| writes::take_bundles(conn, &name, except))
            .await
    }

    async fn set_last_active(&self, name: &str, device: u32, ms: Millis) -> Result<(), StoreError> {
        let name = name.to_owned();
        self.writer
            .submit(1, move |conn| {
                writes::set_last_active(conn, &name, device, ms)
            })
            .await
    }

    async fn last_active(&self, name: &str) -> Result<Vec<(u32, Millis)>, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| reads::last_active(conn, &name)).await
    }

    async fn reachable_devices(&self, name: &str) -> Result<Vec<u32>, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| reads::reachable_devices(conn, &name))
            .await
    }

    async fn one_time_prekey_count(&self, name: &str, device: u32) -> Result<u32, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| queries::one_time_count(conn, &name, device))
            .await
    }

    fn submit_envelopes_within(
        &self,
        envelopes: Vec<NewEnvelope>,
        limits: QueueLimits,
    ) -> Pending<Vec<u64>> {
        if envelopes.is_empty() {
            return Pending::ready(Ok(Vec::new()));
        }
        self.writer.submit_envelopes(envelopes, limits)
    }

    async fn queued_bytes(&self, name: &str, device: u32) -> Result<u64, StoreError> {
        Ok(usage::read(&self.usage, |usage| usage.device(name, device)))
    }

    async fn sent_bytes(&self, name: &str) -> Result<u64, StoreError> {
        Ok(usage::read(&self.usage, |usage| usage.sender(name)))
    }

    async fn queue_bytes(&self) -> Result<u64, StoreError> {
        Ok(usage::read(&self.usage, usage::Usage::payload_bytes))
    }

    async fn pending_within(
        &self,
        name: &str,
        device: u32,
        after: u64,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<StoredEnvelope>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let name = name.to_owned();
        self.read(move |conn| reads::pending(conn, &name, device, after, (limit, max_bytes)))
            .await
    }

    fn submit_ack(&self, name: &str, device: u32, ids: Vec<u64>) -> Pending<usize> {
        if ids.is_empty() {
            return Pending::ready(Ok(0));
        }
        let name = name.to_owned();
        // In a savepoint: an envelope and its shared payload's reference go together.
        self.writer.submit_counted(ids.len(), move |conn, tally| {
            writes::ack(conn, tally, &name, device, &ids)
        })
    }

    async fn expire_batch(&self, cutoff: Millis, limit: usize) -> Result<Expired, StoreError> {
        self.writer
            .submit_counted(limit.max(1), move |conn, tally| {
                writes::expire_batch(conn, tally, cutoff, limit)
            })
            .await
    }

    async fn expiry_notices(
        &self,
        name: &str,
        device: u32,
        limit: usize,
    ) -> Result<Vec<ExpiryNotice>, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| reads::expiry_notices(conn, &name, device, limit))
            .await
    }

    async fn ack_expiry_notices(
        &self,
        name: &str,
        device: u32,
        ids: &[u64],
    ) -> Result<usize, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let (name, ids) = (name.to_owned(), ids.to_vec());
        self.writer
            .submit(ids.len(), move |conn| {
                writes::ack_expiry_notices(conn, &name, device, &ids)
            })
            .await
    }

    async fn queue_depth(&self) -> Result<u64, StoreError> {
        Ok(usage::read(&self.usage, usage::Usage::envelopes))
    }

    async fn set_push_subscription(
        &self,
        name: &str,
        device: u32,
        subscription: &PushSubscription,
    ) -> Result<(), StoreError> {
        let (name, subscription) = (name.to_owned(), subscription.clone());
        self.writer
            .submit(1, move |conn| {
                writes::set_push_subscription(conn, &name, device, &subscription)
            })
            .await
    }

    async fn push_subscription(
        &self,
        name: &str,
        device: u32,
    ) -> Result<Option<PushSubscription>, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| reads::push_subscription(conn, &name, device))
            .await
    }

    async fn delete_push_subscription(&self, name: &str, device: u32) -> Result<(), StoreError> {
        let name = name.to_owned();
        self.writer
            .submit(1, move |conn| {
                writes::delete_push_subscription(conn, &name, device)
            })
            .await
    }

    async fn add_blob(&self, blob: &BlobRecord) -> Result<(), StoreError> {
        let blob = blob.clone();
        self.writer
            .submit(1, move |conn| blobs::add(conn, &blob))
            .await
    }

    async fn blob_bytes(&self, name: &str, device: u32, now: Millis) -> Result<u64, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| blobs::bytes(conn, &name, device, now))
            .await
    }

    async fn renew_blob(
        &self,
        id: &[u8; 32],
        (name, device): (&str, u32),
        now: Millis,
        expires_ms: Millis,
        quota: u64,
    ) -> Result<bool, StoreError> {
        let (id, name) = (*id, name.to_owned());
        self.writer
            .submit(1, move |conn| {
                blobs::renew(conn, &id, (&name, device), (now, expires_ms), quota)
            })
            .await
    }

    async fn take_expired_blobs(
        &self,
        now: Millis,
        limit: usize,
    ) -> Result<Vec<[u8; 32]>, StoreError> {
        self.writer
            .submit(1, move |conn| blobs::take_expired(conn, now, limit))
            .await
    }
}
