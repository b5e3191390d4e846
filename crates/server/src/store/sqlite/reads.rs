//! The read side: a few read-only connections. In WAL mode a read sees the last commit and
//! never waits for the writer.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, TryLockError};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::convert::{envelope_from_row, get_u64, version_from_sql, OrBackend, ENVELOPE_COLUMNS};
use super::queries::devices;
use super::schema;
use crate::store::{
    AccountRecord, ExpiryNotice, Millis, PushSubscription, SignedDeviceList, StoreError,
    StoredEnvelope,
};

/// Read connections, used by whichever caller finds one free.
pub(super) struct ReadPool {
    connections: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

impl ReadPool {
    /// Opens `size` (at least one) read connections to the database at `path`.
    pub(super) fn open(path: &Path, size: usize) -> Result<Self, StoreError> {
        let connections = (0..size.max(1))
            .map(|_| schema::open_reader(path).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            connections,
            next: AtomicUsize::new(0),
        })
    }

    /// Runs `read` on a free connection (or waits for one).
    pub(super) fn with<T>(
        &self,
        read: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let count = self.connections.len().max(1);
        let start = self.next.fetch_add(1, Ordering::Relaxed) % count;
        for offset in 0..count {
            let Some(slot) = self.connections.get((start + offset) % count) else {
                continue;
            };
            match slot.try_lock() {
                Ok(mut conn) => return read(&mut conn),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Poisoned(_)) => return Err(poisoned()),
            }
        }
        let slot = self
            .connections
            .get(start)
            .ok_or_else(|| StoreError::Backend("the store has no read connection".to_owned()))?;
        let mut conn = slot.lock().map_err(|_| poisoned())?;
        read(&mut conn)
    }
}

fn poisoned() -> StoreError {
    StoreError::Backend("a read connection was poisoned by a panic".to_owned())
}

pub(super) fn account(conn: &Connection, name: &str) -> Result<Option<AccountRecord>, StoreError> {
    conn.prepare_cached("SELECT name, account_key, created_ms FROM accounts WHERE name = ?1")
        .db()?
        .query_row([name], |row| {
            Ok(AccountRecord {
                name: row.get(0)?,
                account_key: row.get(1)?,
                created_ms: get_u64(row, 2)?,
            })
        })
        .optional()
        .db()
}

/// The list and its devices, from one snapshot. Devices come ordered by device id.
pub(super) fn device_list(
    conn: &mut Connection,
    name: &str,
) -> Result<Option<SignedDeviceList>, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Deferred)
        .db()?;
    let list = tx
        .prepare_cached("SELECT version, bytes FROM device_lists WHERE account = ?1")
        .db()?
        .query_row([name], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
        })
        .optional()
        .db()?;
    let Some((version, bytes)) = list else {
        return Ok(None);
    };
    let devices = devices(&tx, name)?;
    tx.commit().db()?;
    Ok(Some(SignedDeviceList {
        version: version_from_sql(version),
        bytes,
        devices,
    }))
}

pub(super) fn last_active(conn: &Connection, name: &str) -> Result<Vec<(u32, Millis)>, StoreError> {
    conn.prepare_cached(
        "SELECT device_id, last_active_ms FROM devices WHERE account = ?1 ORDER BY device_id",
    )
    .db()?
    .query_map([name], |row| Ok((row.get(0)?, get_u64(row, 1)?)))
    .db()?
    .collect::<rusqlite::Result<Vec<_>>>()
    .db()
}

pub(super) fn reachable_devices(conn: &Connection, name: &str) -> Result<Vec<u32>, StoreError> {
    conn.prepare_cached(
        "SELECT d.device_id FROM devices d
         JOIN signed_prekeys s ON s.account = d.account AND s.device = d.device_id
         WHERE d.account = ?1 ORDER BY d.device_id",
    )
    .db()?
    .query_map([name], |row| row.get(0))
    .db()?
    .collect::<rusqlite::Result<Vec<u32>>>()
    .db()
}

pub(super) fn pending(
    conn: &Connection,
    name: &str,
    device: u32,
    after: u64,
    (limit, max_bytes): (usize, usize),
) -> Result<Vec<StoredEnvelope>, StoreError> {
    // No id is beyond INTEGER's range.
    let Ok(after) = i64::try_from(after) else {
        return Ok(Vec::new());
    };
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut statement = conn
        .prepare_cached(&format!(
            "SELECT {ENVELOPE_COLUMNS} FROM envelopes e LEFT JOIN payloads p ON p.id = e.payload_id
             WHERE e.recipient = ?1 AND e.recipient_device = ?2 AND e.id > ?3
             ORDER BY e.id LIMIT ?4"
        ))
        .db()?;
    let rows = statement
        .query_map(params![name, device, after, limit], envelope_from_row)
        .db()?;
    // Rows are read one at a time: stopping here leaves the rest unread.
    let (mut batch, mut bytes) = (Vec::new(), 0usize);
    for row in rows {
        let envelope = row.db()?;
        bytes = bytes.saturating_add(envelope.envelope.payload.len());
        batch.push(envelope);
        if bytes >= max_bytes {
            break;
        }
    }
    Ok(batch)
}

pub(super) fn expiry_notices(
    conn: &Connection,
    name: &str,
    device: u32,
    limit: usize,
) -> Result<Vec<ExpiryNotice>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "SELECT id, client_id, recipient, recipient_device FROM expiry_notices
         WHERE account = ?1 AND device = ?2 ORDER BY id LIMIT ?3",
    )
    .db()?
    .query_map(params![name, device, limit], |row| {
        Ok(ExpiryNotice {
            id: get_u64(row, 0)?,
            account: name.to_owned(),
            device,
            client_id: row.get(1)?,
            recipient: row.get(2)?,
            recipient_device: row.get(3)?,
        })
    })
    .db()?
    .collect::<rusqlite::Result<Vec<_>>>()
    .db()
}

pub(super) fn push_subscription(
    conn: &Connection,
    name: &str,
    device: u32,
) -> Result<Option<PushSubscription>, StoreError> {
    conn.prepare_cached(
        "SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE account = ?1 AND device = ?2",
    )
    .db()?
    .query_row(params![name, device], |row| {
        Ok(PushSubscription {
            endpoint: row.get(0)?,
            p256dh: row.get(1)?,
            auth: row.get(2)?,
        })
    })
    .optional()
    .db()
}
