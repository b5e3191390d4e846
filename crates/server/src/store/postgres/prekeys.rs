//! Signed and one-time prekeys, and the bundles senders take.

use tokio_postgres::{GenericClient, Transaction};

use super::accounts::require_device;
use super::convert::{bad_data, device_to_sql, get_array, get_device, Outcome};
use crate::store::{DeviceRecord, StoreError, StoredBundle};

pub(super) async fn set_signed(
    tx: &Transaction<'_>,
    name: &str,
    device: u32,
    signed_prekey: &[u8],
) -> Outcome<()> {
    require_device(tx, name, device).await?;
    tx.execute(
        "INSERT INTO signed_prekeys (account, device, bytes) VALUES ($1, $2, $3)
         ON CONFLICT (account, device) DO UPDATE SET bytes = excluded.bytes",
        &[&name, &device_to_sql(device), &signed_prekey],
    )
    .await?;
    Ok(())
}

pub(super) async fn add_one_time(
    tx: &Transaction<'_>,
    name: &str,
    device: u32,
    keys: &[(u32, [u8; 32])],
) -> Outcome<u32> {
    require_device(tx, name, device).await?;
    let statement = tx
        .prepare(
            "INSERT INTO one_time_prekeys (account, device, key_id, public) VALUES ($1, $2, $3, $4)
             ON CONFLICT (account, device, key_id) DO UPDATE SET public = excluded.public",
        )
        .await?;
    let device_sql = device_to_sql(device);
    for (key_id, public) in keys {
        tx.execute(
            &statement,
            &[&name, &device_sql, &i64::from(*key_id), &&public[..]],
        )
        .await?;
    }
    one_time_count(tx, name, device).await
}

/// How many one-time prekeys a device has.
pub(super) async fn one_time_count(
    c: &impl GenericClient,
    name: &str,
    device: u32,
) -> Outcome<u32> {
    let row = c
        .query_one(
            "SELECT count(*) FROM one_time_prekeys WHERE account = $1 AND device = $2",
            &[&name, &device_to_sql(device)],
        )
        .await?;
    let count: i64 = row.try_get(0)?;
    u32::try_from(count).map_err(|_| bad_data(format!("{count} one-time prekeys")).into())
}

/// One bundle per listed device with a signed prekey (but `except`), each with the device's
/// lowest one-time prekey not locked by another transaction, deleted: `FOR UPDATE SKIP
/// LOCKED`, so a key is handed out once and a racing fetch takes the next one, not none.
pub(super) async fn take_bundles(
    tx: &Transaction<'_>,
    name: &str,
    except: Option<u32>,
) -> Outcome<Vec<StoredBundle>> {
    let exists = tx
        .query_opt("SELECT 1 FROM accounts WHERE name = $1", &[&name])
        .await?
        .is_some();
    if !exists {
        return Err(StoreError::NotFound("account").into());
    }
    let rows = tx
        .query(
            "SELECT d.device_id, d.identity, s.bytes
             FROM devices d JOIN signed_prekeys s ON s.account = d.account AND s.device = d.device_id
             WHERE d.account = $1 ORDER BY d.device_id",
            &[&name],
        )
        .await?;
    let take = tx
        .prepare(
            "DELETE FROM one_time_prekeys WHERE (account, device, key_id) IN (
                 SELECT account, device, key_id FROM one_time_prekeys
                 WHERE account = $1 AND device = $2
                 ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED)
             RETURNING key_id, public",
        )
        .await?;
    let mut bundles = Vec::with_capacity(rows.len());
    for row in rows {
        let device = DeviceRecord {
            device_id: get_device(&row, 0)?,
            identity: get_array(&row, 1)?,
        };
        if Some(device.device_id) == except {
            continue;
        }
        let signed_prekey: Vec<u8> = row.try_get(2)?;
        let taken = tx
            .query_opt(&take, &[&name, &device_to_sql(device.device_id)])
            .await?;
        let one_time_prekey = match taken {
            Some(key) => {
                let id: i64 = key.try_get(0)?;
                let id =
                    u32::try_from(id).map_err(|_| bad_data(format!("one-time prekey id {id}")))?;
                Some((id, get_array(&key, 1)?))
            }
            None => None,
        };
        let one_time_remaining = one_time_count(tx, name, device.device_id).await?;
        bundles.push(StoredBundle {
            device,
            signed_prekey,
            one_time_prekey,
            one_time_remaining,
        });
    }
    Ok(bundles)
}

pub(super) async fn reachable_devices(c: &impl GenericClient, name: &str) -> Outcome<Vec<u32>> {
    let rows = c
        .query(
            "SELECT d.device_id FROM devices d
             JOIN signed_prekeys s ON s.account = d.account AND s.device = d.device_id
             WHERE d.account = $1 ORDER BY d.device_id",
            &[&name],
        )
        .await?;
    rows.iter().map(|row| get_device(row, 0)).collect()
}
