//! Storing and deleting envelopes. A payload that one envelope alone carries (a 1:1 message,
//! each device's own ciphertext) is stored inline in the envelope's row: one INSERT, one
//! DELETE. A payload several envelopes of one submission share (a group message) is stored
//! once in `payloads` with a reference count, and goes with its last envelope. A resend is
//! answered with the id it already has. Byte quotas are checked against the writer's
//! [`Tally`], never by a query.

use std::collections::BTreeSet;
use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension};

use super::convert::{backend, get_u64, is_foreign_key_violation, millis_to_sql, OrBackend};
use super::usage::Tally;
use crate::store::{NewEnvelope, QueueLimits, Quota, StoreError};

/// Each envelope's id, and whether this call stored it (false: it was stored before). Fails
/// with [`StoreError::Quota`] if what it stores takes a device or a sender past `limits`.
/// Several envelopes must run in a savepoint: a refusal after some are stored is undone by
/// the writer.
pub(super) fn insert_envelopes(
    conn: &Connection,
    tally: &mut Tally<'_>,
    envelopes: &[NewEnvelope],
    limits: QueueLimits,
) -> Result<Vec<(u64, bool)>, StoreError> {
    if let [envelope] = envelopes {
        return insert_lone(conn, tally, envelope, limits).map(|stored| vec![stored]);
    }
    let mut ids = Vec::with_capacity(envelopes.len());
    for run in envelopes.chunk_by(|a, b| Arc::ptr_eq(&a.payload, &b.payload)) {
        if let [envelope] = run {
            ids.push(insert_inline(conn, tally, envelope)?);
        } else {
            insert_sharing(conn, tally, run, &mut ids)?;
        }
    }
    let stored = envelopes.iter().zip(&ids).filter(|(_, (_, new))| *new);
    check_quotas(tally, stored.map(|(envelope, _)| envelope), limits)?;
    Ok(ids)
}

/// One envelope: its quota checked first, so a refusal stores nothing and needs no savepoint.
fn insert_lone(
    conn: &Connection,
    tally: &mut Tally<'_>,
    envelope: &NewEnvelope,
    limits: QueueLimits,
) -> Result<(u64, bool), StoreError> {
    let size = size(envelope).unsigned_abs();
    let device = tally.device_bytes(&envelope.recipient, envelope.recipient_device);
    let sender = tally.sender_bytes(&envelope.sender);
    let refused = if device.saturating_add(size) > limits.per_device {
        Some(Quota::Device)
    } else if sender.saturating_add(size) > limits.per_sender {
        Some(Quota::Sender)
    } else {
        None
    };
    match refused {
        // A resend of what is stored already takes no room.
        Some(quota) => existing(conn, envelope)?
            .map(|id| (id, false))
            .ok_or(StoreError::Quota(quota)),
        None => insert_inline(conn, tally, envelope),
    }
}

/// Stores an envelope with its payload in its own row (or finds it stored already).
fn insert_inline(
    conn: &Connection,
    tally: &mut Tally<'_>,
    envelope: &NewEnvelope,
) -> Result<(u64, bool), StoreError> {
    match insert_row(conn, tally, envelope, Payload::Inline)? {
        Some(id) => {
            tally.payload(&envelope.sender, size(envelope), false);
            Ok((id, true))
        }
        None => stored_before(conn, envelope),
    }
}

/// Where an envelope's payload is stored.
enum Payload {
    /// In the envelope's own row.
    Inline,
    /// In `payloads`, under this id.
    Shared(i64),
}

/// Inserts the envelope's row and counts it; `None` if it is stored already (a resend).
fn insert_row(
    conn: &Connection,
    tally: &mut Tally<'_>,
    envelope: &NewEnvelope,
    payload: Payload,
) -> Result<Option<u64>, StoreError> {
    let (payload_id, inline) = match payload {
        Payload::Inline => (None, Some(&envelope.payload[..])),
        Payload::Shared(id) => (Some(id), None),
    };
    let inserted = conn
        .prepare_cached(
            "INSERT INTO envelopes (recipient, recipient_device, sender, sender_device, client_id,
                 size, received_ms, payload_id, payload)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (sender, sender_device, client_id, recipient, recipient_device) DO NOTHING
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
                size(envelope),
                millis_to_sql(envelope.received_ms)?,
                payload_id,
                inline
            ],
            |row| get_u64(row, 0),
        )
        .optional()
        .map_err(insert_error)?;
    if inserted.is_some() {
        tally.envelope(recipient(envelope), size(envelope), false);
    }
    Ok(inserted)
}

/// Envelopes that share one payload: the payload is stored once, referenced by each new one.
fn insert_sharing(
    conn: &Connection,
    tally: &mut Tally<'_>,
    run: &[NewEnvelope],
    ids: &mut Vec<(u64, bool)>,
) -> Result<(), StoreError> {
    let mut payload: Option<i64> = None;
    let mut refs = 0i64;
    for envelope in run {
        if let Some(id) = existing(conn, envelope)? {
            ids.push((id, false));
            continue;
        }
        let payload_id = match payload {
            Some(id) => id,
            None => *payload.insert(insert_payload(conn, tally, envelope)?),
        };
        let id = insert_row(conn, tally, envelope, Payload::Shared(payload_id))?;
        let id =
            id.ok_or_else(|| StoreError::Backend("a checked envelope conflicted".to_owned()))?;
        ids.push((id, true));
        refs += 1;
    }
    if let Some(id) = payload {
        conn.prepare_cached("UPDATE payloads SET refs = ?2 WHERE id = ?1")
            .db()?
            .execute([id, refs])
            .db()?;
    }
    Ok(())
}

/// Refuses what took a device or a sender of the `stored` envelopes past `limits`.
fn check_quotas<'a>(
    tally: &Tally<'_>,
    stored: impl Iterator<Item = &'a NewEnvelope>,
    limits: QueueLimits,
) -> Result<(), StoreError> {
    let (mut devices, mut senders) = (BTreeSet::new(), BTreeSet::new());
    for envelope in stored {
        devices.insert(recipient(envelope));
        senders.insert(envelope.sender.as_str());
    }
    for (name, device) in devices {
        if tally.device_bytes(name, device) > limits.per_device {
            return Err(StoreError::Quota(Quota::Device));
        }
    }
    for name in senders {
        if tally.sender_bytes(name) > limits.per_sender {
            return Err(StoreError::Quota(Quota::Sender));
        }
    }
    Ok(())
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

/// A conflict's stored envelope, as a resend's answer.
fn stored_before(conn: &Connection, envelope: &NewEnvelope) -> Result<(u64, bool), StoreError> {
    existing(conn, envelope)?
        .map(|id| (id, false))
        .ok_or_else(|| StoreError::Backend("an envelope conflicted with none".to_owned()))
}

/// Stores a shared payload; [`insert_sharing`] sets its reference count.
fn insert_payload(
    conn: &Connection,
    tally: &mut Tally<'_>,
    envelope: &NewEnvelope,
) -> Result<i64, StoreError> {
    let id = conn
        .prepare_cached(
            "INSERT INTO payloads (sender, size, bytes) VALUES (?1, ?2, ?3) RETURNING id",
        )
        .db()?
        .query_row(
            params![envelope.sender, size(envelope), &envelope.payload[..]],
            |row| row.get(0),
        )
        .db()?;
    tally.payload(&envelope.sender, size(envelope), false);
    Ok(id)
}

fn insert_error(error: rusqlite::Error) -> StoreError {
    if is_foreign_key_violation(&error) {
        StoreError::NotFound("recipient device")
    } else {
        backend(error)
    }
}

/// What a deleted envelope held: enough to count it out and free its payload.
pub(super) struct Deleted {
    pub(super) recipient: String,
    pub(super) recipient_device: u32,
    pub(super) sender: String,
    pub(super) size: i64,
    /// The shared payload it referenced; `None`: its payload was inline, and is gone with it.
    pub(super) payload_id: Option<i64>,
}

/// The columns a `DELETE FROM envelopes ... RETURNING` lists for [`Deleted::from_row`], first
/// (a macro, so that the statements stay `&'static str`: no formatting per call).
macro_rules! deleted_columns {
    () => {
        "recipient, recipient_device, sender, size, payload_id"
    };
}
pub(super) use deleted_columns;

impl Deleted {
    /// Reads [`deleted_columns`] from the start of `row`.
    pub(super) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            recipient: row.get(0)?,
            recipient_device: row.get(1)?,
            sender: row.get(2)?,
            size: row.get(3)?,
            payload_id: row.get(4)?,
        })
    }
}

/// Counts a deleted envelope out, and deletes a shared payload with its last reference.
pub(super) fn release(
    conn: &Connection,
    tally: &mut Tally<'_>,
    gone: &Deleted,
) -> Result<(), StoreError> {
    tally.envelope((&gone.recipient, gone.recipient_device), gone.size, true);
    let Some(payload_id) = gone.payload_id else {
        tally.payload(&gone.sender, gone.size, true);
        return Ok(());
    };
    let freed: Option<(String, i64)> = conn
        .prepare_cached("DELETE FROM payloads WHERE id = ?1 AND refs <= 1 RETURNING sender, size")
        .db()?
        .query_row([payload_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
        .db()?;
    match freed {
        Some((sender, size)) => tally.payload(&sender, size, true),
        None => {
            conn.prepare_cached("UPDATE payloads SET refs = refs - 1 WHERE id = ?1")
                .db()?
                .execute([payload_id])
                .db()?;
        }
    }
    Ok(())
}

fn recipient(envelope: &NewEnvelope) -> (&str, u32) {
    (envelope.recipient.as_str(), envelope.recipient_device)
}

/// A payload's length as stored (payloads are far below `i64::MAX`).
fn size(envelope: &NewEnvelope) -> i64 {
    i64::try_from(envelope.payload.len()).unwrap_or(i64::MAX)
}
