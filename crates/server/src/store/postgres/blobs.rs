//! Blob records: uploader, size and expiry of each uploaded blob (the bytes are
//! `crate::blobs`'s). `add` and `renew` lock the device's `blob_usage` row first, so one
//! device's quota is counted one change at a time even across relays.

use tokio_postgres::{GenericClient, Transaction};

use super::accounts::require_device;
use super::convert::{
    device_to_sql, get_array, get_device, get_u64, limit_to_sql, to_sql, Outcome,
};
use crate::store::{BlobRecord, Millis, Quota, StoreError};

/// Locks (creating it if needed) the row that serialises changes to a device's blobs.
async fn lock_usage(tx: &Transaction<'_>, name: &str, device: u32) -> Outcome<()> {
    let device = device_to_sql(device);
    tx.execute(
        "INSERT INTO blob_usage (account, device) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        &[&name, &device],
    )
    .await?;
    tx.query_one(
        "SELECT 1 FROM blob_usage WHERE account = $1 AND device = $2 FOR UPDATE",
        &[&name, &device],
    )
    .await?;
    Ok(())
}

pub(super) async fn add(tx: &Transaction<'_>, blob: &BlobRecord) -> Outcome<()> {
    require_device(tx, &blob.account, blob.device).await?;
    lock_usage(tx, &blob.account, blob.device).await?;
    tx.execute(
        "INSERT INTO blobs (id, account, device, size, expires_ms) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET account = excluded.account, device = excluded.device,
             size = excluded.size, expires_ms = excluded.expires_ms",
        &[
            &&blob.id[..],
            &blob.account,
            &device_to_sql(blob.device),
            &to_sql(blob.size, "blob size")?,
            &to_sql(blob.expires_ms, "timestamp")?,
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn bytes(
    c: &impl GenericClient,
    name: &str,
    device: u32,
    now: Millis,
) -> Outcome<u64> {
    let row = c
        .query_one(
            "SELECT COALESCE(SUM(size), 0)::BIGINT FROM blobs
             WHERE account = $1 AND device = $2 AND expires_ms > $3",
            &[&name, &device_to_sql(device), &to_sql(now, "timestamp")?],
        )
        .await?;
    get_u64(&row, 0)
}

/// Renews the account's unexpired blob `id` for `device`, taking it over (within `quota`) if
/// another of the account's devices uploaded it. See `Store::renew_blob`.
pub(super) async fn renew(
    tx: &Transaction<'_>,
    id: &[u8; 32],
    (name, device): (&str, u32),
    (now, expires_ms): (Millis, Millis),
    quota: u64,
) -> Outcome<bool> {
    lock_usage(tx, name, device).await?;
    let now_sql = to_sql(now, "timestamp")?;
    let Some(found) = tx
        .query_opt(
            "SELECT device, size FROM blobs
             WHERE id = $1 AND account = $2 AND expires_ms > $3 FOR UPDATE",
            &[&&id[..], &name, &now_sql],
        )
        .await?
    else {
        return Ok(false);
    };
    let (uploader, size) = (get_device(&found, 0)?, get_u64(&found, 1)?);
    if uploader != device && bytes(tx, name, device, now).await?.saturating_add(size) > quota {
        return Err(StoreError::Quota(Quota::Blobs).into());
    }
    tx.execute(
        "UPDATE blobs SET expires_ms = $2, device = $3 WHERE id = $1",
        &[
            &&id[..],
            &to_sql(expires_ms, "timestamp")?,
            &device_to_sql(device),
        ],
    )
    .await?;
    Ok(true)
}

pub(super) async fn take_expired(
    tx: &Transaction<'_>,
    now: Millis,
    limit: usize,
) -> Outcome<Vec<[u8; 32]>> {
    // Rows another relay is taking are skipped, not waited for: each id is returned once.
    let rows = tx
        .query(
            "DELETE FROM blobs WHERE id IN (
                 SELECT id FROM blobs WHERE expires_ms <= $1 ORDER BY expires_ms LIMIT $2
                 FOR UPDATE SKIP LOCKED)
             RETURNING id",
            &[&to_sql(now, "timestamp")?, &limit_to_sql(limit)],
        )
        .await?;
    ids(&rows)
}

/// Deletes every blob `name`'s devices uploaded; returns their ids.
pub(super) async fn take_account(tx: &Transaction<'_>, name: &str) -> Outcome<Vec<[u8; 32]>> {
    let rows = tx
        .query(
            "DELETE FROM blobs WHERE account = $1 RETURNING id",
            &[&name],
        )
        .await?;
    tx.execute("DELETE FROM blob_usage WHERE account = $1", &[&name])
        .await?;
    ids(&rows)
}

fn ids(rows: &[tokio_postgres::Row]) -> Outcome<Vec<[u8; 32]>> {
    rows.iter().map(|row| get_array(row, 0)).collect()
}
