//! Conversions between the store's types and SQLite values, and error mapping.

use rusqlite::{ffi, Row};

use crate::store::{Millis, NewEnvelope, StoreError, StoredEnvelope};

/// The columns [`envelope_from_row`] reads, in order, from `envelopes e LEFT JOIN payloads p`
/// (a payload is inline in its envelope, or shared in `payloads`).
pub(super) const ENVELOPE_COLUMNS: &str = "e.id, e.recipient, e.recipient_device, e.sender, \
     e.sender_device, e.client_id, COALESCE(e.payload, p.bytes), e.received_ms";

/// `?` for rusqlite results: any SQLite failure is a backend failure.
pub(super) trait OrBackend<T> {
    /// The value, or [`StoreError::Backend`] with SQLite's message.
    fn db(self) -> Result<T, StoreError>;
}

impl<T> OrBackend<T> for rusqlite::Result<T> {
    fn db(self) -> Result<T, StoreError> {
        self.map_err(backend)
    }
}

/// A SQLite failure as a store error.
pub(super) fn backend(error: rusqlite::Error) -> StoreError {
    StoreError::Backend(format!("sqlite: {error}"))
}

/// Whether `error` is a foreign key violation (the referenced account or device is missing).
pub(super) fn is_foreign_key_violation(error: &rusqlite::Error) -> bool {
    error.sqlite_extended_error_code() == Some(ffi::SQLITE_CONSTRAINT_FOREIGNKEY)
}

/// Device list versions are client-chosen `u64`s: stored bit for bit in a 64-bit INTEGER and
/// only ever compared in Rust.
pub(super) fn version_to_sql(version: u64) -> i64 {
    i64::from_ne_bytes(version.to_ne_bytes())
}

/// The inverse of [`version_to_sql`].
pub(super) fn version_from_sql(stored: i64) -> u64 {
    u64::from_ne_bytes(stored.to_ne_bytes())
}

/// Timestamps are compared in SQL, so they must fit an INTEGER as they are.
pub(super) fn millis_to_sql(ms: Millis) -> Result<i64, StoreError> {
    i64::try_from(ms).map_err(|_| StoreError::Backend(format!("timestamp {ms} ms is out of range")))
}

/// Reads a non-negative INTEGER column (ids, timestamps, counts) as a `u64`.
pub(super) fn get_u64(row: &Row<'_>, index: usize) -> rusqlite::Result<u64> {
    let value: i64 = row.get(index)?;
    u64::try_from(value).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(index, value))
}

/// Reads a row selected with [`ENVELOPE_COLUMNS`].
pub(super) fn envelope_from_row(row: &Row<'_>) -> rusqlite::Result<StoredEnvelope> {
    Ok(StoredEnvelope {
        id: get_u64(row, 0)?,
        envelope: NewEnvelope {
            recipient: row.get(1)?,
            recipient_device: row.get(2)?,
            sender: row.get(3)?,
            sender_device: row.get(4)?,
            client_id: row.get(5)?,
            payload: row.get::<_, Vec<u8>>(6)?.into(),
            received_ms: get_u64(row, 7)?,
        },
    })
}
