//! Devices removed from their account's list: their identity keys, the newest
//! [`REMOVED_DEVICES_KEPT`] per account, so a removed device can prove it was one.

use rusqlite::{params, Connection};

use super::convert::OrBackend;
use crate::store::{DeviceRecord, StoreError, REMOVED_DEVICES_KEPT};

/// Remembers `device` as removed from `name`'s list, forgetting the oldest beyond the bound.
pub(super) fn remember(
    conn: &Connection,
    name: &str,
    device: &DeviceRecord,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO removed_devices (account, device_id, identity) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
    )
    .db()?
    .execute(params![name, device.device_id, device.identity])
    .db()?;
    conn.prepare_cached(
        "DELETE FROM removed_devices WHERE account = ?1 AND rowid NOT IN (
             SELECT rowid FROM removed_devices WHERE account = ?1 ORDER BY rowid DESC LIMIT ?2)",
    )
    .db()?
    .execute(params![name, REMOVED_DEVICES_KEPT as i64])
    .db()?;
    Ok(())
}

/// The identity keys device number `device` of `name` had before it was removed.
pub(super) fn identities(
    conn: &Connection,
    name: &str,
    device: u32,
) -> Result<Vec<[u8; 64]>, StoreError> {
    conn.prepare_cached(
        "SELECT identity FROM removed_devices WHERE account = ?1 AND device_id = ?2",
    )
    .db()?
    .query_map(params![name, device], |row| row.get(0))
    .db()?
    .collect::<rusqlite::Result<Vec<_>>>()
    .db()
}
