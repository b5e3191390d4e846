//! Storing envelopes: each payload once (the envelopes of one submission that share an
//! allocation share a payload row), each resend answered with the id it already has, and the
//! byte quotas checked before the submission's savepoint is released.

use std::collections::BTreeSet;
use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension};

use super::convert::{backend, get_u64, is_foreign_key_violation, millis_to_sql, OrBackend};
use super::reads::{queued_bytes, sent_bytes};
use crate::store::{NewEnvelope, QueueLimits, Quota, StoreError};

/// Each envelope's id, and whether this call stored it (false: it was stored before). Fails
/// with [`StoreError::Quota`] if what it stored takes a device or a sender past `limits`: the
/// writer then rolls the whole submission back.
pub(super) fn insert_envelopes(
    conn: &Connection,
    envelopes: &[NewEnvelope],
    limits: QueueLimits,
) -> Result<Vec<(u64, bool)>, StoreError> {
    let mut ids = Vec::with_capacity(envelopes.len());
    // The payload row of the previous envelope, reused while the allocation is the same.
    let mut current: Option<(&Arc<[u8]>, i64)> = None;
    let mut devices = BTreeSet::new();
    let mut senders = BTreeSet::new();
    for envelope in envelopes {
        if let Some(id) = existing(conn, envelope)? {
            ids.push((id, false));
            continue;
        }
        let payload_id = match current {
            Some((shared, id)) if Arc::ptr_eq(shared, &envelope.payload) => id,
            _ => {
                let id = insert_payload(conn, envelope)?;
                senders.insert(envelope.sender.as_str());
                current = Some((&envelope.payload, id));
                id
            }
        };
        ids.push((insert_envelope(conn, envelope, payload_id)?, true));
        devices.insert((envelope.recipient.as_str(), envelope.recipient_device));
    }
    for (name, device) in devices {
        if queued_bytes(conn, name, device)? > limits.per_device {
            return Err(StoreError::Quota(Quota::Device));
        }
    }
    for name in senders {
        if sent_bytes(conn, name)? > limits.per_sender {
            return Err(StoreError::Quota(Quota::Sender));
        }
    }
    Ok(ids)
}

/// The id of this envelope if it is stored already (a resend).
fn existing(conn: &Connection, envelope: &NewEnvelope) -> Result<Option<u64>, StoreError> {
    conn.prepare_cached(
        "SELECT id FROM envelopes
         WHERE sender = ?1 AND sender_device = ?2 AND client_id = ?3
           AND recipient = ?4 AND recipient_device = ?5",
    )
    .db()?
    .query_row(
        params![
            envelope.sender,
            envelope.sender_device,
            envelope.client_id,
            envelope.recipient,
            envelope.recipient_device
        ],
        |row| get_u64(row, 0),
    )
    .optional()
    .db()
}

/// Stores a payload with no reference yet (each envelope's insert adds one).
fn insert_payload(conn: &Connection, envelope: &NewEnvelope) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO payloads (sender, size, bytes) VALUES (?1, ?2, ?3) RETURNING id",
    )
    .db()?
    .query_row(
        params![envelope.sender, size(envelope), &envelope.payload[..]],
        |row| row.get(0),
    )
    .db()
}

fn insert_envelope(
    conn: &Connection,
    envelope: &NewEnvelope,
    payload_id: i64,
) -> Result<u64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO envelopes (recipient, recipient_device, sender, sender_device, client_id,
             payload_id, size, received_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         RETURNING id",
    )
    .db()?
    .query_row(
        params![
            envelope.recipient,
            envelope.recipient_device,
            envelope.sender,
            envelope.sender_device,
            envelope.client_id,
            payload_id,
            size(envelope),
            millis_to_sql(envelope.received_ms)?
        ],
        |row| get_u64(row, 0),
    )
    .map_err(|error| {
        if is_foreign_key_violation(&error) {
            StoreError::NotFound("recipient device")
        } else {
            backend(error)
        }
    })
}

/// A payload's length as stored (payloads are far below `i64::MAX`).
fn size(envelope: &NewEnvelope) -> i64 {
    i64::try_from(envelope.payload.len()).unwrap_or(i64::MAX)
}
