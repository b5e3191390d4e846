//! Queries both sides run: the read connections and the writer (inside its transaction).

use rusqlite::{params, Connection};

use super::convert::OrBackend;
use crate::store::{DeviceRecord, StoreError};

/// An account's devices, by device id.
pub(super) fn devices(conn: &Connection, name: &str) -> Result<Vec<DeviceRecord>, StoreError> {
    conn.prepare_cached(
        "SELECT device_id, identity FROM devices WHERE account = ?1 ORDER BY device_id",
    )
    .db()?
    .query_map([name], |row| {
        Ok(DeviceRecord {
            device_id: row.get(0)?,
            identity: row.get(1)?,
        })
    })
    .db()?
    .collect::<rusqlite::Result<Vec<_>>>()
    .db()
}

/// How many one-time prekeys a device has.
pub(super) fn one_time_count(
    conn: &Connection,
    name: &str,
    device: u32,
) -> Result<u32, StoreError> {
    conn.prepare_cached("SELECT count(*) FROM one_time_prekeys WHERE account = ?1 AND device = ?2")
        .db()?
        .query_row(params![name, device], |row| row.get(0))
        .db()
}
