//! Accounts, their signed device lists and devices, removed devices' identities, last-active
//! times.

use tokio_postgres::{GenericClient, Transaction};

use super::convert::{
    device_to_sql, get_array, get_device, get_u64, to_sql, version_from_sql, version_to_sql,
    Outcome,
};
use super::envelopes;
use crate::store::{
    AccountRecord, DeviceRecord, Millis, SignedDeviceList, StoreError, REMOVED_DEVICES_KEPT,
};

pub(super) async fn create(
    tx: &Transaction<'_>,
    account: &AccountRecord,
    list: &SignedDeviceList,
) -> Outcome<()> {
    check_distinct(list)?;
    let inserted = tx
        .execute(
            "INSERT INTO accounts (name, account_key, created_ms) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
            &[
                &account.name,
                &&account.account_key[..],
                &to_sql(account.created_ms, "timestamp")?,
            ],
        )
        .await?;
    if inserted == 0 {
        return Err(StoreError::Conflict("account").into());
    }
    tx.execute(
        "INSERT INTO device_lists (account, version, bytes) VALUES ($1, $2, $3)",
        &[&account.name, &version_to_sql(list.version), &list.bytes],
    )
    .await?;
    for device in &list.devices {
        insert_device(tx, &account.name, device).await?;
    }
    Ok(())
}

pub(super) async fn account(c: &impl GenericClient, name: &str) -> Outcome<Option<AccountRecord>> {
    let Some(row) = c
        .query_opt(
            "SELECT name, account_key, created_ms FROM accounts WHERE name = $1",
            &[&name],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(AccountRecord {
        name: row.try_get(0)?,
        account_key: get_array(&row, 1)?,
        created_ms: get_u64(&row, 2)?,
    }))
}

/// The list and its devices (by device id); the caller gives one snapshot.
pub(super) async fn device_list(
    c: &impl GenericClient,
    name: &str,
) -> Outcome<Option<SignedDeviceList>> {
    let Some(row) = c
        .query_opt(
            "SELECT version, bytes FROM device_lists WHERE account = $1",
            &[&name],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(SignedDeviceList {
        version: version_from_sql(row.try_get(0)?),
        bytes: row.try_get(1)?,
        devices: devices(c, name).await?,
    }))
}

/// An account's devices, by device id.
pub(super) async fn devices(c: &impl GenericClient, name: &str) -> Outcome<Vec<DeviceRecord>> {
    let rows = c
        .query(
            "SELECT device_id, identity FROM devices WHERE account = $1 ORDER BY device_id",
            &[&name],
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(DeviceRecord {
                device_id: get_device(row, 0)?,
                identity: get_array(row, 1)?,
            })
        })
        .collect()
}

/// Replaces the list if it is newer: the `WHERE version < $2` update makes a stale list change
/// nothing, even when two relays race, and locks the list row for the rest of the transaction.
pub(super) async fn replace_device_list(
    tx: &Transaction<'_>,
    name: &str,
    list: &SignedDeviceList,
) -> Outcome<()> {
    let updated = tx
        .execute(
            "UPDATE device_lists SET version = $2, bytes = $3 WHERE account = $1 AND version < $2",
            &[&name, &version_to_sql(list.version), &list.bytes],
        )
        .await?;
    if updated == 0 {
        let exists = tx
            .query_opt("SELECT 1 FROM device_lists WHERE account = $1", &[&name])
            .await?
            .is_some();
        return Err(if exists {
            StoreError::Stale
        } else {
            StoreError::NotFound("account")
        }
        .into());
    }
    check_distinct(list)?;
    let current = devices(tx, name).await?;
    // An account is created with a device; none left means it was deleted, for good.
    if current.is_empty() {
        return Err(StoreError::NotFound("account").into());
    }
    let dropped: Vec<&DeviceRecord> = current
        .iter()
        .filter(|device| !list.devices.contains(device))
        .collect();
    // Their queues first, all locked in device order (the order every writer locks them in).
    envelopes::lock_queues(
        tx,
        &dropped
            .iter()
            .map(|d| (name.to_owned(), d.device_id))
            .collect::<Vec<_>>(),
    )
    .await?;
    for device in dropped {
        // A device number that now has another identity key is another device: the old one's
        // prekeys and queue (encrypted to the old key) go with it.
        delete_device(tx, name, device.device_id).await?;
        remember_removed(tx, name, device).await?;
    }
    for device in &list.devices {
        insert_device(tx, name, device).await?;
    }
    Ok(())
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

/// Adds a listed device and its queue row (a device already stored with the same identity
/// stays as it is).
async fn insert_device(tx: &Transaction<'_>, name: &str, device: &DeviceRecord) -> Outcome<()> {
    let id = device_to_sql(device.device_id);
    tx.execute(
        "INSERT INTO devices (account, device_id, identity) VALUES ($1, $2, $3)
         ON CONFLICT (account, device_id) DO NOTHING",
        &[&name, &id, &&device.identity[..]],
    )
    .await?;
    tx.execute(
        "INSERT INTO device_queues (account, device_id) VALUES ($1, $2)
         ON CONFLICT (account, device_id) DO NOTHING",
        &[&name, &id],
    )
    .await?;
    Ok(())
}

/// Deletes a device with its prekeys, queued envelopes, push subscription and notices (its
/// queue row is locked by the caller).
async fn delete_device(tx: &Transaction<'_>, name: &str, device: u32) -> Outcome<()> {
    envelopes::delete_queue(tx, name, device).await?;
    let id = device_to_sql(device);
    for sql in [
        "DELETE FROM one_time_prekeys WHERE account = $1 AND device = $2",
        "DELETE FROM signed_prekeys WHERE account = $1 AND device = $2",
        "DELETE FROM push_subscriptions WHERE account = $1 AND device = $2",
        "DELETE FROM expiry_notices WHERE account = $1 AND device = $2",
        "DELETE FROM device_queues WHERE account = $1 AND device_id = $2",
        "DELETE FROM devices WHERE account = $1 AND device_id = $2",
    ] {
        tx.execute(sql, &[&name, &id]).await?;
    }
    Ok(())
}

/// Remembers `device` as removed from `name`'s list, forgetting the oldest beyond the bound.
async fn remember_removed(tx: &Transaction<'_>, name: &str, device: &DeviceRecord) -> Outcome<()> {
    tx.execute(
        "INSERT INTO removed_devices (account, device_id, identity) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        &[
            &name,
            &device_to_sql(device.device_id),
            &&device.identity[..],
        ],
    )
    .await?;
    tx.execute(
        "DELETE FROM removed_devices WHERE account = $1 AND seq NOT IN (
             SELECT seq FROM removed_devices WHERE account = $1 ORDER BY seq DESC LIMIT $2)",
        &[&name, &(REMOVED_DEVICES_KEPT as i64)],
    )
    .await?;
    Ok(())
}

pub(super) async fn removed_identities(
    c: &impl GenericClient,
    name: &str,
    device: u32,
) -> Outcome<Vec<[u8; 64]>> {
    let rows = c
        .query(
            "SELECT identity FROM removed_devices WHERE account = $1 AND device_id = $2
             ORDER BY seq",
            &[&name, &device_to_sql(device)],
        )
        .await?;
    rows.iter().map(|row| get_array(row, 0)).collect()
}

pub(super) async fn set_last_active(
    tx: &Transaction<'_>,
    name: &str,
    device: u32,
    ms: Millis,
) -> Outcome<()> {
    tx.execute(
        "UPDATE devices SET last_active_ms = $3 WHERE account = $1 AND device_id = $2",
        &[&name, &device_to_sql(device), &to_sql(ms, "timestamp")?],
    )
    .await?;
    Ok(())
}

pub(super) async fn last_active(c: &impl GenericClient, name: &str) -> Outcome<Vec<(u32, Millis)>> {
    let rows = c
        .query(
            "SELECT device_id, last_active_ms FROM devices WHERE account = $1 ORDER BY device_id",
            &[&name],
        )
        .await?;
    rows.iter()
        .map(|row| Ok((get_device(row, 0)?, get_u64(row, 1)?)))
        .collect()
}

/// Fails with `NotFound` unless the device is listed.
pub(super) async fn require_device(c: &impl GenericClient, name: &str, device: u32) -> Outcome<()> {
    let listed = c
        .query_opt(
            "SELECT 1 FROM devices WHERE account = $1 AND device_id = $2",
            &[&name, &device_to_sql(device)],
        )
        .await?
        .is_some();
    if listed {
        Ok(())
    } else {
        Err(StoreError::NotFound("device").into())
    }
}
