//! Storing, delivering and deleting envelopes, with the counters quotas are checked against.
//!
//! Every write to a device's queue first locks that device's `device_queues` row (several
//! devices: in one statement, in one order), and only then takes ids from `envelope_ids`. So two
//! relays inserting for one device commit one after the other, and a device's envelopes become
//! visible in id order: a reader that has seen id n never later finds a smaller id appear.
//! The counters (`device_queues.bytes`, `sender_usage.bytes`) change in the same transaction as
//! the envelopes; a quota is the `WHERE bytes + $n <= $quota` of that update.
//!
//! A payload that one envelope alone carries is stored inline in its row; one several
//! envelopes of one submission share (a group message) is stored once in `payloads` with a
//! reference count and goes with its last envelope. Rows are locked in one order: device
//! queues, then payloads (by id), then sender usage (by name).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures::TryStreamExt;
use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, Row, Transaction};

use super::convert::{
    device_to_sql, get_array, get_device, get_u64, is_foreign_key_violation, limit_to_sql, to_sql,
    Failure, Outcome,
};
use crate::store::{NewEnvelope, QueueLimits, Quota, StoreError, StoredEnvelope};

/// Locks the queue rows of `devices` (in the one order every writer uses); returns how many
/// of them exist.
pub(super) async fn lock_queues(tx: &Transaction<'_>, devices: &[(String, u32)]) -> Outcome<usize> {
    if devices.is_empty() {
        return Ok(0);
    }
    let names: Vec<&str> = devices.iter().map(|(name, _)| name.as_str()).collect();
    let ids: Vec<i64> = devices.iter().map(|&(_, d)| device_to_sql(d)).collect();
    let rows = tx
        .query(
            "SELECT 1 FROM device_queues
             WHERE (account, device_id) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))
             ORDER BY account, device_id FOR UPDATE",
            &[&names, &ids],
        )
        .await?;
    Ok(rows.len())
}

/// Each envelope's id, and whether this call stored it (false: it was stored before). Fails
/// with `Quota` if what it stores takes a device or a sender past `limits` (the caller's
/// transaction then stores none), `NotFound` if a recipient device is not listed.
pub(super) async fn insert(
    tx: &Transaction<'_>,
    envelopes: &[NewEnvelope],
    limits: QueueLimits,
) -> Outcome<Vec<(u64, bool)>> {
    let devices: BTreeSet<(String, u32)> = envelopes
        .iter()
        .map(|e| (e.recipient.clone(), e.recipient_device))
        .collect();
    let devices: Vec<(String, u32)> = devices.into_iter().collect();
    if lock_queues(tx, &devices).await? < devices.len() {
        return Err(StoreError::NotFound("recipient device").into());
    }
    let mut ids = Vec::with_capacity(envelopes.len());
    // What the new envelopes add: per device (bytes, envelopes), per sender (payload bytes).
    let mut queued: BTreeMap<(&str, u32), (i64, i64)> = BTreeMap::new();
    let mut sent: BTreeMap<&str, i64> = BTreeMap::new();
    for run in envelopes.chunk_by(|a, b| Arc::ptr_eq(&a.payload, &b.payload)) {
        let mut shared: Option<(i64, i64)> = None; // (payload id, references)
        for envelope in run {
            if let Some(id) = existing(tx, envelope).await? {
                ids.push((id, false));
                continue;
            }
            let payload_id = if run.len() > 1 {
                match shared {
                    Some((id, _)) => Some(id),
                    None => {
                        let id = insert_payload(tx, envelope).await?;
                        *sent.entry(&envelope.sender).or_default() += size(envelope);
                        shared = Some((id, 0));
                        Some(id)
                    }
                }
            } else {
                *sent.entry(&envelope.sender).or_default() += size(envelope);
                None
            };
            let id = insert_row(tx, envelope, payload_id).await?;
            if let Some((_, refs)) = shared.as_mut() {
                *refs += 1;
            }
            let device = queued
                .entry((&envelope.recipient, envelope.recipient_device))
                .or_default();
            device.0 += size(envelope);
            device.1 += 1;
            ids.push((id, true));
        }
        if let Some((id, refs)) = shared {
            tx.execute("UPDATE payloads SET refs = $2 WHERE id = $1", &[&id, &refs])
                .await?;
        }
    }
    let per_device = quota_to_sql(limits.per_device);
    for ((name, device), (bytes, count)) in queued {
        let updated = tx
            .execute(
                "UPDATE device_queues SET bytes = bytes + $3, envelopes = envelopes + $4
                 WHERE account = $1 AND device_id = $2 AND bytes + $3 <= $5",
                &[&name, &device_to_sql(device), &bytes, &count, &per_device],
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::Quota(Quota::Device).into());
        }
    }
    let per_sender = quota_to_sql(limits.per_sender);
    for (name, bytes) in sent {
        if bytes > per_sender {
            return Err(StoreError::Quota(Quota::Sender).into());
        }
        let updated = tx
            .execute(
                "INSERT INTO sender_usage (account, bytes) VALUES ($1, $2)
                 ON CONFLICT (account) DO UPDATE SET bytes = sender_usage.bytes + excluded.bytes
                 WHERE sender_usage.bytes + excluded.bytes <= $3",
                &[&name, &bytes, &per_sender],
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::Quota(Quota::Sender).into());
        }
    }
    Ok(ids)
}

fn quota_to_sql(quota: u64) -> i64 {
    i64::try_from(quota).unwrap_or(i64::MAX)
}

/// Inserts the envelope's row with the next id (the device's queue row is locked).
async fn insert_row(
    tx: &Transaction<'_>,
    envelope: &NewEnvelope,
    payload_id: Option<i64>,
) -> Outcome<u64> {
    let inline: Option<&[u8]> = match payload_id {
        Some(_) => None,
        None => Some(&envelope.payload[..]),
    };
    let row = tx
        .query_one(
            "INSERT INTO envelopes (id, recipient, recipient_device, sender, sender_device,
                 client_id, size, received_ms, payload_id, payload)
             VALUES (nextval('envelope_ids'), $1, $2, $3, $4, $5, $6, $7, $8, $9)
             RETURNING id",
            &[
                &envelope.recipient,
                &device_to_sql(envelope.recipient_device),
                &envelope.sender,
                &device_to_sql(envelope.sender_device),
                &&envelope.client_id[..],
                &size(envelope),
                &to_sql(envelope.received_ms, "timestamp")?,
                &payload_id,
                &inline,
            ],
        )
        .await
        .map_err(|error| {
            if is_foreign_key_violation(&error) {
                Failure::Store(StoreError::NotFound("recipient device"))
            } else {
                Failure::Db(error)
            }
        })?;
    get_u64(&row, 0)
}

/// Stores a shared payload; the caller sets its reference count.
async fn insert_payload(tx: &Transaction<'_>, envelope: &NewEnvelope) -> Outcome<i64> {
    let row = tx
        .query_one(
            "INSERT INTO payloads (sender, size, refs, bytes) VALUES ($1, $2, 0, $3) RETURNING id",
            &[&envelope.sender, &size(envelope), &&envelope.payload[..]],
        )
        .await?;
    Ok(row.try_get(0)?)
}

/// The id of this envelope if it is stored already (a resend).
async fn existing(tx: &Transaction<'_>, envelope: &NewEnvelope) -> Outcome<Option<u64>> {
    let row = tx
        .query_opt(
            "SELECT id FROM envelopes
             WHERE sender = $1 AND sender_device = $2 AND client_id = $3
               AND recipient = $4 AND recipient_device = $5",
            &[
                &envelope.sender,
                &device_to_sql(envelope.sender_device),
                &&envelope.client_id[..],
                &envelope.recipient,
                &device_to_sql(envelope.recipient_device),
            ],
        )
        .await?;
    row.map(|row| get_u64(&row, 0)).transpose()
}

/// A payload's length as stored (payloads are far below `i64::MAX`).
fn size(envelope: &NewEnvelope) -> i64 {
    i64::try_from(envelope.payload.len()).unwrap_or(i64::MAX)
}

/// The columns a `DELETE FROM envelopes … RETURNING` lists for [`Deleted::from_row`].
pub(super) const DELETED: &str =
    "id, recipient, recipient_device, sender, sender_device, client_id, size, payload_id";

/// A deleted envelope: enough to count it out, free its payload, and tell its sender.
pub(super) struct Deleted {
    pub(super) id: u64,
    pub(super) recipient: String,
    pub(super) recipient_device: u32,
    pub(super) sender: String,
    pub(super) sender_device: u32,
    pub(super) client_id: [u8; 16],
    size: i64,
    /// The shared payload it referenced; `None`: its payload was inline, and is gone with it.
    payload_id: Option<i64>,
}

impl Deleted {
    fn from_row(row: &Row) -> Outcome<Self> {
        Ok(Self {
            id: get_u64(row, 0)?,
            recipient: row.try_get(1)?,
            recipient_device: get_device(row, 2)?,
            sender: row.try_get(3)?,
            sender_device: get_device(row, 4)?,
            client_id: get_array(row, 5)?,
            size: row.try_get(6)?,
            payload_id: row.try_get(7)?,
        })
    }

    pub(super) fn all(rows: &[Row]) -> Outcome<Vec<Self>> {
        rows.iter().map(Self::from_row).collect()
    }
}

/// Counts deleted envelopes out of their devices' and senders' counters, and deletes shared
/// payloads with their last reference. The devices' queue rows are locked by the caller.
pub(super) async fn release(tx: &Transaction<'_>, gone: &[Deleted]) -> Outcome<()> {
    let mut devices: BTreeMap<(&str, u32), (i64, i64)> = BTreeMap::new();
    let mut payloads: BTreeMap<i64, i64> = BTreeMap::new();
    let mut freed: BTreeMap<String, i64> = BTreeMap::new();
    for e in gone {
        let device = devices
            .entry((&e.recipient, e.recipient_device))
            .or_default();
        device.0 += e.size;
        device.1 += 1;
        match e.payload_id {
            Some(id) => *payloads.entry(id).or_default() += 1,
            None => *freed.entry(e.sender.clone()).or_default() += e.size,
        }
    }
    for ((name, device), (bytes, count)) in devices {
        tx.execute(
            "UPDATE device_queues SET bytes = bytes - $3, envelopes = envelopes - $4
             WHERE account = $1 AND device_id = $2",
            &[&name, &device_to_sql(device), &bytes, &count],
        )
        .await?;
    }
    for (id, refs) in payloads {
        let row = tx
            .query_opt(
                "UPDATE payloads SET refs = refs - $2 WHERE id = $1 RETURNING refs, sender, size",
                &[&id, &refs],
            )
            .await?;
        let Some(row) = row else { continue };
        let left: i64 = row.try_get(0)?;
        if left <= 0 {
            tx.execute("DELETE FROM payloads WHERE id = $1", &[&id])
                .await?;
            let sender: String = row.try_get(1)?;
            let size: i64 = row.try_get(2)?;
            *freed.entry(sender).or_default() += size;
        }
    }
    for (name, bytes) in freed {
        tx.execute(
            "UPDATE sender_usage SET bytes = bytes - $2 WHERE account = $1",
            &[&name, &bytes],
        )
        .await?;
    }
    Ok(())
}

/// Deletes the device's envelopes `ids` (others' ids are ignored); returns how many.
pub(super) async fn ack(
    tx: &Transaction<'_>,
    name: &str,
    device: u32,
    ids: &[u64],
) -> Outcome<usize> {
    let ids = ids_to_sql(ids);
    if ids.is_empty() || lock_queues(tx, &[(name.to_owned(), device)]).await? == 0 {
        return Ok(0);
    }
    let rows = tx
        .query(
            &format!(
                "DELETE FROM envelopes
                 WHERE recipient = $1 AND recipient_device = $2 AND id = ANY($3)
                 RETURNING {DELETED}"
            ),
            &[&name, &device_to_sql(device), &ids],
        )
        .await?;
    let gone = Deleted::all(&rows)?;
    release(tx, &gone).await?;
    Ok(gone.len())
}

/// Deletes every envelope queued for a device (it leaves its list; its queue row is locked).
pub(super) async fn delete_queue(tx: &Transaction<'_>, name: &str, device: u32) -> Outcome<()> {
    let rows = tx
        .query(
            &format!(
                "DELETE FROM envelopes WHERE recipient = $1 AND recipient_device = $2
                 RETURNING {DELETED}"
            ),
            &[&name, &device_to_sql(device)],
        )
        .await?;
    release(tx, &Deleted::all(&rows)?).await
}

/// A device's queued envelopes after `after`, oldest first, at most `limit`, ending with the
/// one that brings the payload bytes to `max_bytes`. The cut is made in SQL from the stored
/// sizes, so the database reads and sends only the payloads returned (a client-side cut still
/// made the server send every row up to `limit`).
pub(super) async fn pending(
    c: &impl GenericClient,
    name: &str,
    device: u32,
    after: u64,
    (limit, max_bytes): (usize, usize),
) -> Outcome<Vec<StoredEnvelope>> {
    // No id is beyond BIGINT's range.
    let Ok(after) = i64::try_from(after) else {
        return Ok(Vec::new());
    };
    let device_sql = device_to_sql(device);
    let limit = limit_to_sql(limit);
    // At least one envelope, as the loop below takes.
    let max_sql = limit_to_sql(max_bytes.max(1));
    let params: [&(dyn ToSql + Sync); 5] = [&name, &device_sql, &after, &limit, &max_sql];
    let rows = c
        .query_raw(
            "WITH first AS (
                 SELECT id, size FROM envelopes
                 WHERE recipient = $1 AND recipient_device = $2 AND id > $3
                 ORDER BY id LIMIT $4
             ), picked AS (
                 SELECT id, size, (sum(size) OVER (ORDER BY id))::bigint AS run FROM first
             )
             SELECT e.id, e.recipient, e.recipient_device, e.sender, e.sender_device,
                 e.client_id, COALESCE(e.payload, p.bytes), e.received_ms
             FROM picked k JOIN envelopes e ON e.id = k.id
             LEFT JOIN payloads p ON p.id = e.payload_id
             WHERE k.run - k.size < $5
             ORDER BY e.id",
            params,
        )
        .await?;
    let mut rows = std::pin::pin!(rows);
    let (mut batch, mut bytes) = (Vec::new(), 0usize);
    while let Some(row) = rows.try_next().await? {
        let payload: Vec<u8> = row.try_get(6)?;
        bytes = bytes.saturating_add(payload.len());
        batch.push(StoredEnvelope {
            id: get_u64(&row, 0)?,
            envelope: NewEnvelope {
                recipient: row.try_get(1)?,
                recipient_device: get_device(&row, 2)?,
                sender: row.try_get(3)?,
                sender_device: get_device(&row, 4)?,
                client_id: get_array(&row, 5)?,
                payload: payload.into(),
                received_ms: get_u64(&row, 7)?,
            },
        });
        if bytes >= max_bytes {
            break;
        }
    }
    Ok(batch)
}

/// Ids as stored (an id beyond BIGINT's range was never handed out: left out).
pub(super) fn ids_to_sql(ids: &[u64]) -> Vec<i64> {
    ids.iter()
        .filter_map(|&id| i64::try_from(id).ok())
        .collect()
}

/// Sums a BIGINT column (`SELECT COALESCE(sum(…), 0)::BIGINT …`) as a `u64`.
async fn sum(c: &impl GenericClient, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Outcome<u64> {
    let row = c.query_one(sql, params).await?;
    get_u64(&row, 0)
}

pub(super) async fn queued_bytes(c: &impl GenericClient, name: &str, device: u32) -> Outcome<u64> {
    sum(
        c,
        "SELECT COALESCE(sum(bytes), 0)::BIGINT FROM device_queues
         WHERE account = $1 AND device_id = $2",
        &[&name, &device_to_sql(device)],
    )
    .await
}

pub(super) async fn sent_bytes(c: &impl GenericClient, name: &str) -> Outcome<u64> {
    sum(
        c,
        "SELECT COALESCE(sum(bytes), 0)::BIGINT FROM sender_usage WHERE account = $1",
        &[&name],
    )
    .await
}

/// Payload bytes stored in all: the sum of the senders' counters (one row per sender, no hot
/// row every insert would update).
pub(super) async fn queue_bytes(c: &impl GenericClient) -> Outcome<u64> {
    sum(
        c,
        "SELECT COALESCE(sum(bytes), 0)::BIGINT FROM sender_usage",
        &[],
    )
    .await
}

/// Envelopes queued in all: the sum of the devices' counters.
pub(super) async fn queue_depth(c: &impl GenericClient) -> Outcome<u64> {
    sum(
        c,
        "SELECT COALESCE(sum(envelopes), 0)::BIGINT FROM device_queues",
        &[],
    )
    .await
}
