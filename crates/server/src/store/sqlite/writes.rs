//! The write operations, run by the writer thread inside a transaction (each in its own
//! savepoint: an error undoes everything the operation did).

use rusqlite::{params, Connection, OptionalExtension};

use super::convert::{get_u64, millis_to_sql, version_from_sql, version_to_sql, OrBackend};
use super::envelopes::{deleted_columns, release, Deleted};
use super::queries::{devices, one_time_count};
use super::usage::Tally;
use crate::store::{
    AccountRecord, DeviceRecord, Expired, ExpiryNotice, Millis, PushSubscription, SignedDeviceList,
    StoreError, StoredBundle,
};

pub(super) fn create_account(
    conn: &Connection,
    account: &AccountRecord,
    list: &SignedDeviceList,
) -> Result<(), StoreError> {
    check_distinct(list)?;
    let inserted = conn
        .prepare_cached(
            "INSERT INTO accounts (name, account_key, created_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO NOTHING",
        )
        .db()?
        .execute(params![
            account.name,
            account.account_key,
            millis_to_sql(account.created_ms)?
        ])
        .db()?;
    if inserted == 0 {
        return Err(StoreError::Conflict("account"));
    }
    conn.prepare_cached("INSERT INTO device_lists (account, version, bytes) VALUES (?1, ?2, ?3)")
        .db()?
        .execute(params![
            account.name,
            version_to_sql(list.version),
            list.bytes
        ])
        .db()?;
    for device in &list.devices {
        insert_device(conn, &account.name, device)?;
    }
    Ok(())
}

/// Returns how many queued envelopes went with the devices it dropped.
pub(super) fn replace_device_list(
    conn: &Connection,
    tally: &mut Tally<'_>,
    name: &str,
    list: &SignedDeviceList,
) -> Result<usize, StoreError> {
    let stored: Option<i64> = conn
        .prepare_cached("SELECT version FROM device_lists WHERE account = ?1")
        .db()?
        .query_row([name], |row| row.get(0))
        .optional()
        .db()?;
    let Some(stored) = stored else {
        return Err(StoreError::NotFound("account"));
    };
    if list.version <= version_from_sql(stored) {
        return Err(StoreError::Stale);
    }
    check_distinct(list)?;
    let current = devices(conn, name)?;
    // An account is created with a device; none left means it was deleted, for good.
    if current.is_empty() {
        return Err(StoreError::NotFound("account"));
    }
    conn.prepare_cached("UPDATE device_lists SET version = ?2, bytes = ?3 WHERE account = ?1")
        .db()?
        .execute(params![name, version_to_sql(list.version), list.bytes])
        .db()?;
    let mut dropped = 0;
    for device in current {
        // A device number that now has another identity key is another device: the old one's
        // prekeys and queue (encrypted to the old key) go with it.
        if !list.devices.contains(&device) {
            dropped += delete_device(conn, tally, name, device.device_id)?;
            super::removed::remember(conn, name, &device)?;
        }
    }
    for device in &list.devices {
        insert_device(conn, name, device)?;
    }
    Ok(dropped)
}

pub(super) fn set_signed_prekey(
    conn: &Connection,
    name: &str,
    device: u32,
    signed_prekey: &[u8],
) -> Result<(), StoreError> {
    require_device(conn, name, device)?;
    conn.prepare_cached(
        "INSERT INTO signed_prekeys (account, device, bytes) VALUES (?1, ?2, ?3)
         ON CONFLICT (account, device) DO UPDATE SET bytes = excluded.bytes",
    )
    .db()?
    .execute(params![name, device, signed_prekey])
    .db()?;
    Ok(())
}

pub(super) fn add_one_time_prekeys(
    conn: &Connection,
    name: &str,
    device: u32,
    keys: &[(u32, [u8; 32])],
) -> Result<u32, StoreError> {
    require_device(conn, name, device)?;
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO one_time_prekeys (account, device, key_id, public) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (account, device, key_id) DO UPDATE SET public = excluded.public",
        )
        .db()?;
    for (key_id, public) in keys {
        insert.execute(params![name, device, key_id, public]).db()?;
    }
    one_time_count(conn, name, device)
}

pub(super) fn take_bundles(
    conn: &Connection,
    name: &str,
    except: Option<u32>,
) -> Result<Vec<StoredBundle>, StoreError> {
    let exists = conn
        .prepare_cached("SELECT 1 FROM accounts WHERE name = ?1")
        .db()?
        .exists([name])
        .db()?;
    if !exists {
        return Err(StoreError::NotFound("account"));
    }
    let devices = conn
        .prepare_cached(
            "SELECT d.device_id, d.identity, s.bytes
             FROM devices d JOIN signed_prekeys s ON s.account = d.account AND s.device = d.device_id
             WHERE d.account = ?1 ORDER BY d.device_id",
        )
        .db()?
        .query_map([name], |row| {
            let device = DeviceRecord {
                device_id: row.get(0)?,
                identity: row.get(1)?,
            };
            Ok((device, row.get::<_, Vec<u8>>(2)?))
        })
        .db()?
        .collect::<rusqlite::Result<Vec<_>>>()
        .db()?;
    let mut take = conn
        .prepare_cached(
            "DELETE FROM one_time_prekeys
             WHERE account = ?1 AND device = ?2 AND key_id =
                 (SELECT min(key_id) FROM one_time_prekeys WHERE account = ?1 AND device = ?2)
             RETURNING key_id, public",
        )
        .db()?;
    let mut bundles = Vec::with_capacity(devices.len());
    for (device, signed_prekey) in devices {
        if Some(device.device_id) == except {
            continue;
        }
        // Select and delete in one statement, in the writer's transaction: no other caller can
        // be handed the same key.
        let one_time_prekey = take
            .query_row(params![name, device.device_id], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()
            .db()?;
        let one_time_remaining = one_time_count(conn, name, device.device_id)?;
        bundles.push(StoredBundle {
            device,
            signed_prekey,
            one_time_prekey,
            one_time_remaining,
        });
    }
    Ok(bundles)
}

/// Deletes the device's envelopes `ids` (others' ids are ignored); returns how many.
pub(super) fn ack(
    conn: &Connection,
    tally: &mut Tally<'_>,
    name: &str,
    device: u32,
    ids: &[u64],
) -> Result<usize, StoreError> {
    let mut delete = conn
        .prepare_cached(concat!(
            "DELETE FROM envelopes WHERE id = ?1 AND recipient = ?2 AND recipient_device = ?3
             RETURNING ",
            deleted_columns!()
        ))
        .db()?;
    let mut deleted = 0;
    for &id in ids {
        // An id beyond INTEGER's range was never handed out.
        let Ok(id) = i64::try_from(id) else {
            continue;
        };
        let gone = delete
            .query_row(params![id, name, device], Deleted::from_row)
            .optional()
            .db()?;
        if let Some(gone) = gone {
            release(conn, tally, &gone)?;
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// Runs `delete` (parameters: id, account, device) for each id; returns the rows deleted.
fn delete_ids(
    conn: &Connection,
    delete: &str,
    (name, device): (&str, u32),
    ids: &[u64],
) -> Result<usize, StoreError> {
    let mut delete = conn.prepare_cached(delete).db()?;
    let mut deleted = 0;
    for &id in ids {
        // An id beyond INTEGER's range was never handed out.
        let Ok(id) = i64::try_from(id) else {
            continue;
        };
        deleted += delete.execute(params![id, name, device]).db()?;
    }
    Ok(deleted)
}

/// What an expiry notice needs of an envelope: everything but its payload.
struct Undelivered {
    id: u64,
    sender_device: u32,
    client_id: [u8; 16],
    gone: Deleted,
}

impl Undelivered {
    /// Reads [`deleted_columns`], then id, sender device and client id.
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            gone: Deleted::from_row(row)?,
            id: get_u64(row, 5)?,
            sender_device: row.get(6)?,
            client_id: row.get(7)?,
        })
    }
}

/// Deletes at most `limit` envelopes received before `cutoff` (the oldest), recording a notice
/// for each sender device still listed.
pub(super) fn expire_batch(
    conn: &Connection,
    tally: &mut Tally<'_>,
    cutoff: Millis,
    limit: usize,
) -> Result<Expired, StoreError> {
    // Every stored timestamp fits an INTEGER, so a larger cutoff means "all of them".
    let cutoff = i64::try_from(cutoff).unwrap_or(i64::MAX);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    // The age index gives the oldest first without reading the rest; payloads stay on disk.
    let expired = conn
        .prepare_cached(concat!(
            "DELETE FROM envelopes WHERE id IN (
                 SELECT id FROM envelopes WHERE received_ms < ?1
                 ORDER BY received_ms, id LIMIT ?2)
             RETURNING ",
            deleted_columns!(),
            ", id, sender_device, client_id"
        ))
        .db()?
        .query_map([cutoff, limit], Undelivered::from_row)
        .db()?
        .collect::<rusqlite::Result<Vec<_>>>()
        .db()?;
    let deleted = expired.len();
    let notices = give_up(conn, tally, expired)?;
    Ok(Expired { deleted, notices })
}

/// Deletes every envelope queued for `name`'s devices (its account is being deleted: they will
/// never be delivered), recording a notice for each sender device still listed, as expiry does.
pub(super) fn give_up_queued_for(
    conn: &Connection,
    tally: &mut Tally<'_>,
    name: &str,
) -> Result<Vec<ExpiryNotice>, StoreError> {
    let queued = conn
        .prepare_cached(concat!(
            "DELETE FROM envelopes WHERE recipient = ?1 RETURNING ",
            deleted_columns!(),
            ", id, sender_device, client_id"
        ))
        .db()?
        .query_map([name], Undelivered::from_row)
        .db()?
        .collect::<rusqlite::Result<Vec<_>>>()
        .db()?;
    give_up(conn, tally, queued)
}

/// Frees the deleted envelopes' space and records their senders' notices, oldest first.
fn give_up(
    conn: &Connection,
    tally: &mut Tally<'_>,
    mut undelivered: Vec<Undelivered>,
) -> Result<Vec<ExpiryNotice>, StoreError> {
    undelivered.sort_unstable_by_key(|e| e.id);
    let mut notices = Vec::with_capacity(undelivered.len());
    for e in undelivered {
        release(conn, tally, &e.gone)?;
        notices.extend(record_expiry(conn, e)?);
    }
    Ok(notices)
}

/// The sender device's notice about `e`, if that device is still listed.
fn record_expiry(conn: &Connection, e: Undelivered) -> Result<Option<ExpiryNotice>, StoreError> {
    let id = conn
        .prepare_cached(
            "INSERT INTO expiry_notices (account, device, client_id, recipient, recipient_device)
             SELECT ?1, ?2, ?3, ?4, ?5
             WHERE EXISTS (SELECT 1 FROM devices WHERE account = ?1 AND device_id = ?2)
             RETURNING id",
        )
        .db()?
        .query_row(
            params![
                e.gone.sender,
                e.sender_device,
                e.client_id,
                e.gone.recipient,
                e.gone.recipient_device
            ],
            |row| get_u64(row, 0),
        )
        .optional()
        .db()?;
    Ok(id.map(|id| ExpiryNotice {
        id,
        account: e.gone.sender,
        device: e.sender_device,
        client_id: e.client_id,
        recipient: e.gone.recipient,
        recipient_device: e.gone.recipient_device,
    }))
}

pub(super) fn ack_expiry_notices(
    conn: &Connection,
    name: &str,
    device: u32,
    ids: &[u64],
) -> Result<usize, StoreError> {
    delete_ids(
        conn,
        "DELETE FROM expiry_notices WHERE id = ?1 AND account = ?2 AND device = ?3",
        (name, device),
        ids,
    )
}

/// A device list naming a device number twice cannot be stored.
fn check_distinct(list: &SignedDeviceList) -> Result<(), StoreError> {
    let mut ids: Vec<u32> = list.devices.iter().map(|device| device.device_id).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|pair| pair.first() == pair.get(1)) {
        return Err(StoreError::Conflict("device id"));
    }
    Ok(())
}

/// Adds a listed device (a device already stored with the same identity stays as it is).
fn insert_device(conn: &Connection, name: &str, device: &DeviceRecord) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO devices (account, device_id, identity) VALUES (?1, ?2, ?3)
         ON CONFLICT (account, device_id) DO NOTHING",
    )
    .db()?
    .execute(params![name, device.device_id, device.identity])
    .db()?;
    Ok(())
}

pub(super) fn set_last_active(
    conn: &Connection,
    name: &str,
    device: u32,
    ms: Millis,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE devices SET last_active_ms = ?3 WHERE account = ?1 AND device_id = ?2",
    )
    .db()?
    .execute(params![name, device, millis_to_sql(ms)?])
    .db()?;
    Ok(())
}

/// Deletes a device with its prekeys and queued envelopes; returns how many envelopes.
fn delete_device(
    conn: &Connection,
    tally: &mut Tally<'_>,
    name: &str,
    device: u32,
) -> Result<usize, StoreError> {
    let queued = conn
        .prepare_cached(concat!(
            "DELETE FROM envelopes WHERE recipient = ?1 AND recipient_device = ?2 RETURNING ",
            deleted_columns!()
        ))
        .db()?
        .query_map(params![name, device], Deleted::from_row)
        .db()?
        .collect::<rusqlite::Result<Vec<_>>>()
        .db()?;
    for gone in &queued {
        release(conn, tally, gone)?;
    }
    for sql in [
        "DELETE FROM one_time_prekeys WHERE account = ?1 AND device = ?2",
        "DELETE FROM signed_prekeys WHERE account = ?1 AND device = ?2",
        "DELETE FROM push_subscriptions WHERE account = ?1 AND device = ?2",
        "DELETE FROM expiry_notices WHERE account = ?1 AND device = ?2",
        "DELETE FROM devices WHERE account = ?1 AND device_id = ?2",
    ] {
        conn.prepare_cached(sql)
            .db()?
            .execute(params![name, device])
            .db()?;
    }
    Ok(queued.len())
}

pub(super) fn set_push_subscription(
    conn: &Connection,
    name: &str,
    device: u32,
    subscription: &PushSubscription,
) -> Result<(), StoreError> {
    require_device(conn, name, device)?;
    conn.prepare_cached(
        "INSERT INTO push_subscriptions (account, device, endpoint, p256dh, auth)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (account, device) DO UPDATE SET endpoint = excluded.endpoint,
             p256dh = excluded.p256dh, auth = excluded.auth",
    )
    .db()?
    .execute(params![
        name,
        device,
        subscription.endpoint,
        subscription.p256dh,
        subscription.auth
    ])
    .db()?;
    Ok(())
}

pub(super) fn delete_push_subscription(
    conn: &Connection,
    name: &str,
    device: u32,
) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM push_subscriptions WHERE account = ?1 AND device = ?2")
        .db()?
        .execute(params![name, device])
        .db()?;
    Ok(())
}

fn require_device(conn: &Connection, name: &str, device: u32) -> Result<(), StoreError> {
    let exists = conn
        .prepare_cached("SELECT 1 FROM devices WHERE account = ?1 AND device_id = ?2")
        .db()?
        .exists(params![name, device])
        .db()?;
    if exists {
        Ok(())
    } else {
        Err(StoreError::NotFound("device"))
    }
}
