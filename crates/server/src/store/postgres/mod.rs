//! The PostgreSQL backend (`hush-server --database postgres://…`, issue 23): several relays
//! can share one database.
//!
//! Built on `tokio-postgres` with a `deadpool-postgres` pool rather than `sqlx`: no proc macros
//! or compile-time query checking to build, no TLS stack pulled in (the relay reaches its
//! database over loopback or a private network), async all the way, so no runtime thread ever
//! waits on the database.
//!
//! What SQLite gets from its single writer thread holds here with several writers (see
//! docs/architecture.md, "Running several relays"):
//! - every write to a device's queue first locks that device's `device_queues` row, and only
//!   then takes envelope ids from a sequence: a device's envelopes commit, and become
//!   visible, in id order, so a reader's `after` cursor never skips one;
//! - queue quotas are counter rows updated in the inserting transaction
//!   (`… WHERE bytes + $n <= $quota`), so they hold across relays;
//! - one-time prekeys are taken `FOR UPDATE SKIP LOCKED`, device lists replaced
//!   `WHERE version < $new`, a group's head row and a device's blob-usage row locked while
//!   they change, and expiry runs under a transaction-level advisory lock;
//! - rows are always locked in one order (device queues, then payloads, then sender usage,
//!   each sorted), and a transaction that still meets a deadlock or serialization failure is
//!   run again from the start.
//!
//! `submit_…` writes go to one task per store, fed by a bounded channel in call order, which
//! commits them one after the other: one connection's writes stay in order. (No group commit
//! yet: one transaction per submission.)

mod accounts;
mod blobs;
mod convert;
mod envelopes;
mod expiry;
mod group_order;
mod migrations;
mod prekeys;
mod presence;
mod push;
mod writer;

use std::sync::Arc;

use async_trait::async_trait;
use deadpool_postgres::{Client, Pool, Runtime};
use tokio_postgres::NoTls;

use convert::Failure;

use super::{
    AccountRecord, BlobRecord, Closed, Expired, ExpiryNotice, GroupCommit, Millis, NewEnvelope,
    Pending, PresenceVisibility, PushSubscription, QueueLimits, SignedDeviceList, Store,
    StoreError, StoredBundle, StoredEnvelope, StoredListener,
};

/// Connections per store (per relay process) unless the URL's pool settings say otherwise.
const POOL_SIZE: usize = 16;

/// How many times a transaction that met a deadlock or serialization failure runs again.
const RETRIES: u32 = 8;

/// Submissions waiting for the writer task at most; one more is refused as a backend failure
/// (the database is not keeping up), never queued without bound.
const SUBMISSION_QUEUE: usize = 4096;

/// Runs `$body` (which may use `?` on store and database errors) in a transaction on a pooled
/// connection of `$inner`, committing it; runs the whole again on a deadlock or serialization
/// failure.
macro_rules! in_tx {
    ($inner:expr, |$tx:ident| $body:expr) => {{
        let mut attempt = 0u32;
        loop {
            let mut client = match $inner.client().await {
                Ok(client) => client,
                Err(error) => break Err(error),
            };
            let outcome: $crate::store::postgres::convert::Outcome<_> = async {
                let transaction = client.transaction().await?;
                let $tx: &tokio_postgres::Transaction<'_> = &transaction;
                let value = $body;
                transaction.commit().await?;
                Ok(value)
            }
            .await;
            match outcome {
                Ok(value) => break Ok(value),
                Err(failure)
                    if failure.retryable() && attempt < $crate::store::postgres::RETRIES =>
                {
                    attempt += 1;
                }
                Err(failure) => break Err(failure.into_store()),
            }
        }
    }};
}
pub(crate) use in_tx;

/// Runs `$body` (which may use `?`) on a pooled connection, outside any explicit transaction.
macro_rules! read {
    ($inner:expr, |$c:ident| $body:expr) => {{
        async {
            let client = $inner.client().await?;
            let $c: &tokio_postgres::Client = &client;
            Ok::<_, Failure>($body)
        }
        .await
        .map_err(Failure::into_store)
    }};
}

/// What the store and its writer task share.
struct Inner {
    pool: Pool,
    listener: Option<Arc<dyn StoredListener>>,
}

impl Inner {
    async fn client(&self) -> Result<Client, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|error| StoreError::Backend(format!("postgres pool: {error}")))
    }
}

/// A [`Store`] in a PostgreSQL database that other relays may share.
pub struct PostgresStore {
    inner: Arc<Inner>,
    writer: writer::Writer,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`, or key=value
    /// settings) and migrates it to the current schema. A database written by a newer
    /// hush-server is refused. Must be called within a tokio runtime.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with_listener(url, None).await
    }

    /// [`PostgresStore::connect`], telling `listener` of every envelope this store stores from
    /// now on (not those other relays store).
    pub async fn connect_with_listener(
        url: &str,
        listener: Option<Arc<dyn StoredListener>>,
    ) -> Result<Self, StoreError> {
        let config = deadpool_postgres::Config {
            url: Some(url.to_owned()),
            options: Some(session_options(url)?),
            pool: Some(deadpool_postgres::PoolConfig {
                timeouts: pool_timeouts(),
                ..deadpool_postgres::PoolConfig::new(POOL_SIZE)
            }),
            ..deadpool_postgres::Config::default()
        };
        let pool = config
            .create_pool(Some(Runtime::Tokio1), NoTls)
            .map_err(|error| StoreError::Backend(format!("postgres: {error}")))?;
        let inner = Arc::new(Inner { pool, listener });
        let mut client = inner.client().await?;
        migrations::run(&mut client).await?;
        drop(client);
        let writer = writer::Writer::start(inner.clone(), SUBMISSION_QUEUE);
        Ok(Self { inner, writer })
    }
}

/// How long a caller waits for a pooled connection, a new one to be made, or an idle one to
/// be checked: a database that stops answering fails calls with a clear error after this,
/// rather than holding every connection's work (and its memory) without end.
const POOL_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long one statement may run, one lock be waited for, or a transaction sit idle on the
/// server: a stuck query or another relay's stuck transaction fails its caller (and frees the
/// one writer task behind it) instead of holding it without end.
const STATEMENT_TIMEOUT_MS: u32 = 30_000;
const LOCK_TIMEOUT_MS: u32 = 10_000;
const IDLE_IN_TRANSACTION_MS: u32 = 60_000;

/// The session settings every connection starts with: the URL's own `options`, then ours.
fn session_options(url: &str) -> Result<String, StoreError> {
    let parsed: tokio_postgres::Config = url
        .parse()
        .map_err(|error| StoreError::Backend(format!("postgres: {error}")))?;
    let ours = format!(
        "-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS} \
         -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}"
    );
    Ok(match parsed.get_options() {
        Some(theirs) if !theirs.trim().is_empty() => format!("{theirs} {ours}"),
        _ => ours,
    })
}

fn pool_timeouts() -> deadpool_postgres::Timeouts {
    deadpool_postgres::Timeouts {
        wait: Some(POOL_WAIT),
        create: Some(POOL_WAIT),
        recycle: Some(POOL_WAIT),
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn commit_group_change(
        &self,
        group: [u8; 16],
        epoch: u64,
        hash: [u8; 32],
    ) -> Result<GroupCommit, StoreError> {
        in_tx!(self.inner, |tx| group_order::commit(tx, group, epoch, hash)
            .await?)
    }

    async fn group_order(
        &self,
        group: &[u8; 16],
        after: u64,
    ) -> Result<Vec<(u64, [u8; 32])>, StoreError> {
        read!(self.inner, |c| group_order::order(c, group, after).await?)
    }

    async fn create_account(
        &self,
        account: &AccountRecord,
        devices: &SignedDeviceList,
    ) -> Result<(), StoreError> {
        in_tx!(self.inner, |tx| accounts::create(tx, account, devices)
            .await?)
    }

    async fn account(&self, name: &str) -> Result<Option<AccountRecord>, StoreError> {
        read!(self.inner, |c| accounts::account(c, name).await?)
    }

    async fn device_list(&self, name: &str) -> Result<Option<SignedDeviceList>, StoreError> {
        // In a transaction: the list and its devices from one snapshot.
        in_tx!(self.inner, |tx| {
            tx.execute(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
                &[],
            )
            .await?;
            accounts::device_list(tx, name).await?
        })
    }

    async fn replace_device_list(
        &self,
        name: &str,
        list: &SignedDeviceList,
    ) -> Result<(), StoreError> {
        in_tx!(self.inner, |tx| accounts::replace_device_list(
            tx, name, list
        )
        .await?)
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
        in_tx!(self.inner, |tx| {
            let mut notices = expiry::give_up_queued_for(tx, name).await?;
            accounts::replace_device_list(tx, name, list).await?;
            presence::set(tx, name, PresenceVisibility::Everyone).await?;
            // The account's own devices (copies for each other) are gone, their notices too.
            notices.retain(|n| n.account != name);
            let blobs = blobs::take_account(tx, name).await?;
            Closed { blobs, notices }
        })
    }

    async fn removed_identities(
        &self,
        name: &str,
        device: u32,
    ) -> Result<Vec<[u8; 64]>, StoreError> {
        read!(self.inner, |c| accounts::removed_identities(
            c, name, device
        )
        .await?)
    }

    async fn presence_visibility(&self, name: &str) -> Result<PresenceVisibility, StoreError> {
        read!(self.inner, |c| presence::get(c, name).await?)
    }

    async fn set_presence_visibility(
        &self,
        name: &str,
        visibility: PresenceVisibility,
    ) -> Result<(), StoreError> {
        in_tx!(self.inner, |tx| presence::set(tx, name, visibility).await?)
    }

    async fn set_signed_prekey(
        &self,
        name: &str,
        device: u32,
        signed_prekey: &[u8],
    ) -> Result<(), StoreError> {
        in_tx!(self.inner, |tx| prekeys::set_signed(
            tx,
            name,
            device,
            signed_prekey
        )
        .await?)
    }

    async fn add_one_time_prekeys(
        &self,
        name: &str,
        device: u32,
        keys: &[(u32, [u8; 32])],
    ) -> Result<u32, StoreError> {
        in_tx!(self.inner, |tx| prekeys::add_one_time(
            tx, name, device, keys
        )
        .await?)
    }

    async fn take_bundles_except(
        &self,
        name: &str,
        except: Option<u32>,
    ) -> Result<Vec<StoredBundle>, StoreError> {
        in_tx!(self.inner, |tx| prekeys::take_bundles(tx, name, except)
            .await?)
    }

    async fn reachable_devices(&self, name: &str) -> Result<Vec<u32>, StoreError> {
        read!(self.inner, |c| prekeys::reachable_devices(c, name).await?)
    }

    async fn set_last_active(&self, name: &str, device: u32, ms: Millis) -> Result<(), StoreError> {
        in_tx!(self.inner, |tx| accounts::set_last_active(
            tx, name, device, ms
        )
        .await?)
    }

    async fn last_active(&self, name: &str) -> Result<Vec<(u32, Millis)>, StoreError> {
        read!(self.inner, |c| accounts::last_active(c, name).await?)
    }

    async fn one_time_prekey_count(&self, name: &str, device: u32) -> Result<u32, StoreError> {
        read!(self.inner, |c| prekeys::one_time_count(c, name, device)
            .await?)
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
        read!(self.inner, |c| envelopes::queued_bytes(c, name, device)
            .await?)
    }

    async fn sent_bytes(&self, name: &str) -> Result<u64, StoreError> {
        read!(self.inner, |c| envelopes::sent_bytes(c, name).await?)
    }

    async fn queue_bytes(&self) -> Result<u64, StoreError> {
        read!(self.inner, |c| envelopes::queue_bytes(c).await?)
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
        read!(self.inner, |c| envelopes::pending(
            c,
            name,
            device,
            after,
            (limit, max_bytes)
        )
        .await?)
    }

    fn submit_ack(&self, name: &str, device: u32, ids: Vec<u64>) -> Pending<usize> {
        if ids.is_empty() {
            return Pending::ready(Ok(0));
        }
        self.writer.submit_ack(name.to_owned(), device, ids)
    }

    async fn expire_batch(&self, cutoff: Millis, limit: usize) -> Result<Expired, StoreError> {
        in_tx!(self.inner, |tx| expiry::expire_batch(tx, cutoff, limit)
            .await?)
    }

    async fn expiry_notices(
        &self,
        name: &str,
        device: u32,
        limit: usize,
    ) -> Result<Vec<ExpiryNotice>, StoreError> {
        read!(self.inner, |c| expiry::expiry_notices(
            c, name, device, limit
        )
        .await?)
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
        in_tx!(self.inner, |tx| expiry::ack_expiry_notices(
            tx, name, device, ids
        )
        .await?)
    }

    async fn queue_depth(&self) -> Result<u64, StoreError> {
        read!(self.inner, |c| envelopes::queue_depth(c).await?)
    }

    async fn set_push_subscription(
        &self,
        name: &str,
        device: u32,
        subscription: &PushSubscription,
    ) -> Result<(), StoreError> {
        in_tx!(self.inner, |tx| push::set(tx, name, device, subscription)
            .await?)
    }

    async fn push_subscription(
        &self,
        name: &str,
        device: u32,
    ) -> Result<Option<PushSubscription>, StoreError> {
        read!(self.inner, |c| push::get(c, name, device).await?)
    }

    async fn delete_push_subscription(&self, name: &str, device: u32) -> Result<(), StoreError> {
        in_tx!(self.inner, |tx| push::delete(tx, name, device).await?)
    }

    async fn add_blob(&self, blob: &BlobRecord) -> Result<(), StoreError> {
        in_tx!(self.inner, |tx| blobs::add(tx, blob).await?)
    }

    async fn blob_bytes(&self, name: &str, device: u32, now: Millis) -> Result<u64, StoreError> {
        read!(self.inner, |c| blobs::bytes(c, name, device, now).await?)
    }

    async fn renew_blob(
        &self,
        id: &[u8; 32],
        renewer: (&str, u32),
        now: Millis,
        expires_ms: Millis,
        quota: u64,
    ) -> Result<bool, StoreError> {
        in_tx!(self.inner, |tx| blobs::renew(
            tx,
            id,
            renewer,
            (now, expires_ms),
            quota
        )
        .await?)
    }

    async fn take_expired_blobs(
        &self,
        now: Millis,
        limit: usize,
    ) -> Result<Vec<[u8; 32]>, StoreError> {
        in_tx!(self.inner, |tx| blobs::take_expired(tx, now, limit).await?)
    }
}
