//! Blob records: uploader, size and expiry of each uploaded blob (the files live under the
//! data directory, see `crate::blobs`).

use rusqlite::{params, Connection, OptionalExtension};

use super::convert::{get_u64, millis_to_sql, OrBackend};
use crate::store::{BlobRecord, Millis, Quota, StoreError};

pub(super) fn add(conn: &Connection, blob: &BlobRecord) -> Result<(), StoreError> {
    let listed = conn
        .prepare_cached("SELECT 1 FROM devices WHERE account = ?1 AND device_id = ?2")
        .db()?
        .exists(params![blob.account, blob.device])
        .db()?;
    if !listed {
        return Err(StoreError::NotFound("device"));
    }
    let size = i64::try_from(blob.size)
        .map_err(|_| StoreError::Backend("blob size out of range".to_owned()))?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO blobs (id, account, device, size, expires_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .db()?
    .execute(params![
        &blob.id[..],
        blob.account,
        blob.device,
        size,
        millis_to_sql(blob.expires_ms)?
    ])
    .db()?;
    Ok(())
}

pub(super) fn bytes(
    conn: &Connection,
    name: &str,
    device: u32,
    now: Millis,
) -> Result<u64, StoreError> {
    conn.prepare_cached(
        "SELECT COALESCE(SUM(size), 0) FROM blobs
         WHERE account = ?1 AND device = ?2 AND expires_ms > ?3",
    )
    .db()?
    .query_row(params![name, device, millis_to_sql(now)?], |row| {
        get_u64(row, 0)
    })
    .db()
}

/// Renews the account's unexpired blob `id` for `device`, taking it over (within `quota`) if
/// another of the account's devices uploaded it. See `Store::renew_blob`.
pub(super) fn renew(
    conn: &Connection,
    id: &[u8; 32],
    (name, device): (&str, u32),
    (now, expires_ms): (Millis, Millis),
    quota: u64,
) -> Result<bool, StoreError> {
    let found = conn
        .prepare_cached(
            "SELECT device, size FROM blobs WHERE id = ?1 AND account = ?2 AND expires_ms > ?3",
        )
        .db()?
        .query_row(params![&id[..], name, millis_to_sql(now)?], |row| {
            Ok((row.get::<_, u32>(0)?, get_u64(row, 1)?))
        })
        .optional()
        .db()?;
    let Some((uploader, size)) = found else {
        return Ok(false);
    };
    if uploader != device && bytes(conn, name, device, now)?.saturating_add(size) > quota {
        return Err(StoreError::Quota(Quota::Blobs));
    }
    conn.prepare_cached("UPDATE blobs SET expires_ms = ?2, device = ?3 WHERE id = ?1")
        .db()?
        .execute(params![&id[..], millis_to_sql(expires_ms)?, device])
        .db()?;
    Ok(true)
}

pub(super) fn take_expired(
    conn: &Connection,
    now: Millis,
    limit: usize,
) -> Result<Vec<[u8; 32]>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let ids: Vec<Vec<u8>> = conn
        .prepare_cached("SELECT id FROM blobs WHERE expires_ms <= ?1 ORDER BY expires_ms LIMIT ?2")
        .db()?
        .query_map(params![millis_to_sql(now)?, limit], |row| row.get(0))
        .db()?
        .collect::<Result<_, _>>()
        .db()?;
    let mut delete = conn
        .prepare_cached("DELETE FROM blobs WHERE id = ?1")
        .db()?;
    let mut taken = Vec::with_capacity(ids.len());
    for id in ids {
        delete.execute([&id]).db()?;
        // Ids are written as 32 bytes; anything else is forgotten, not returned.
        if let Ok(id) = <[u8; 32]>::try_from(id.as_slice()) {
            taken.push(id);
        }
    }
    Ok(taken)
}

/// Deletes every blob `name`'s devices uploaded; returns their ids.
pub(super) fn take_account(conn: &Connection, name: &str) -> Result<Vec<[u8; 32]>, StoreError> {
    let ids: Vec<Vec<u8>> = conn
        .prepare_cached("DELETE FROM blobs WHERE account = ?1 RETURNING id")
        .db()?
        .query_map(params![name], |row| row.get(0))
        .db()?
        .collect::<Result<_, _>>()
        .db()?;
    // Ids are written as 32 bytes; anything else is forgotten, not returned.
    Ok(ids
        .into_iter()
        .filter_map(|id| <[u8; 32]>::try_from(id.as_slice()).ok())
        .collect())
}
