//! Envelopes no one will take: expired ones and those of a closed account, each leaving its
//! sender a notice (so the sender's chat can say it was not delivered), and those notices
//! until the sender's device acknowledges them. One relay expires at a time.

use std::collections::BTreeSet;

use tokio_postgres::{GenericClient, Transaction};

use super::convert::{device_to_sql, get_array, get_device, get_u64, limit_to_sql, Outcome};
use super::envelopes::{ids_to_sql, lock_queues, release, Deleted, DELETED};
use crate::store::{Expired, ExpiryNotice, Millis};

/// The advisory lock key expiry holds (one relay expires at a time; the others skip a round).
const EXPIRY_LOCK: i64 = 0x4855_5348_0002;

/// Deletes at most `limit` envelopes received before `cutoff` (the oldest), recording a notice
/// for each sender device still listed. Only one relay expires at a time: if another holds
/// the expiry lock, this round deletes nothing.
pub(super) async fn expire_batch(
    tx: &Transaction<'_>,
    cutoff: Millis,
    limit: usize,
) -> Outcome<Expired> {
    let locked: bool = tx
        .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&EXPIRY_LOCK])
        .await?
        .try_get(0)?;
    if !locked {
        return Ok(Expired::default());
    }
    // Every stored timestamp fits a BIGINT, so a larger cutoff means "all of them".
    let cutoff = i64::try_from(cutoff).unwrap_or(i64::MAX);
    let candidates = tx
        .query(
            "SELECT id, recipient, recipient_device FROM envelopes WHERE received_ms < $1
             ORDER BY received_ms, id LIMIT $2",
            &[&cutoff, &limit_to_sql(limit)],
        )
        .await?;
    let mut ids = Vec::with_capacity(candidates.len());
    let mut devices = BTreeSet::new();
    for row in &candidates {
        ids.push(row.try_get::<_, i64>(0)?);
        devices.insert((row.try_get::<_, String>(1)?, get_device(row, 2)?));
    }
    lock_queues(tx, &devices.into_iter().collect::<Vec<_>>()).await?;
    let rows = tx
        .query(
            &format!("DELETE FROM envelopes WHERE id = ANY($1) RETURNING {DELETED}"),
            &[&ids],
        )
        .await?;
    let expired = Deleted::all(&rows)?;
    let deleted = expired.len();
    let notices = give_up(tx, expired).await?;
    Ok(Expired { deleted, notices })
}

/// Deletes every envelope queued for `name`'s devices (the account is being deleted),
/// recording a notice for each sender device still listed, as expiry does.
pub(super) async fn give_up_queued_for(
    tx: &Transaction<'_>,
    name: &str,
) -> Outcome<Vec<ExpiryNotice>> {
    tx.query(
        "SELECT 1 FROM device_queues WHERE account = $1 ORDER BY account, device_id FOR UPDATE",
        &[&name],
    )
    .await?;
    let rows = tx
        .query(
            &format!("DELETE FROM envelopes WHERE recipient = $1 RETURNING {DELETED}"),
            &[&name],
        )
        .await?;
    give_up(tx, Deleted::all(&rows)?).await
}

/// Frees the deleted envelopes' space and records their senders' notices, oldest first.
async fn give_up(
    tx: &Transaction<'_>,
    mut undelivered: Vec<Deleted>,
) -> Outcome<Vec<ExpiryNotice>> {
    undelivered.sort_unstable_by_key(|e| e.id);
    release(tx, &undelivered).await?;
    // The sender's device row is share-locked while its notice is written: a device deleted
    // at the same moment (its account closed through another relay) then either goes first,
    // and the notice is simply not written, or waits for this commit; the notice's foreign
    // key can never fail the whole batch.
    let record = tx
        .prepare(
            "INSERT INTO expiry_notices (account, device, client_id, recipient, recipient_device)
             SELECT $1::text, $2::bigint, $3::bytea, $4::text, $5::bigint
             WHERE EXISTS (SELECT 1 FROM devices WHERE account = $1 AND device_id = $2
                           FOR KEY SHARE)
             RETURNING id",
        )
        .await?;
    let mut notices = Vec::with_capacity(undelivered.len());
    for e in undelivered {
        let row = tx
            .query_opt(
                &record,
                &[
                    &e.sender,
                    &device_to_sql(e.sender_device),
                    &&e.client_id[..],
                    &e.recipient,
                    &device_to_sql(e.recipient_device),
                ],
            )
            .await?;
        if let Some(row) = row {
            notices.push(ExpiryNotice {
                id: get_u64(&row, 0)?,
                account: e.sender,
                device: e.sender_device,
                client_id: e.client_id,
                recipient: e.recipient,
                recipient_device: e.recipient_device,
            });
        }
    }
    Ok(notices)
}

/// The notices waiting for `name`'s `device`, oldest first, at most `limit`.
pub(super) async fn expiry_notices(
    c: &impl GenericClient,
    name: &str,
    device: u32,
    limit: usize,
) -> Outcome<Vec<ExpiryNotice>> {
    let rows = c
        .query(
            "SELECT id, client_id, recipient, recipient_device FROM expiry_notices
             WHERE account = $1 AND device = $2 ORDER BY id LIMIT $3",
            &[&name, &device_to_sql(device), &limit_to_sql(limit)],
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(ExpiryNotice {
                id: get_u64(row, 0)?,
                account: name.to_owned(),
                device,
                client_id: get_array(row, 1)?,
                recipient: row.try_get(2)?,
                recipient_device: get_device(row, 3)?,
            })
        })
        .collect()
}

pub(super) async fn ack_expiry_notices(
    tx: &Transaction<'_>,
    name: &str,
    device: u32,
    ids: &[u64],
) -> Outcome<usize> {
    let ids = ids_to_sql(ids);
    let deleted = tx
        .execute(
            "DELETE FROM expiry_notices WHERE account = $1 AND device = $2 AND id = ANY($3)",
            &[&name, &device_to_sql(device), &ids],
        )
        .await?;
    Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
}
