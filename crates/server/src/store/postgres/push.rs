//! Web Push subscriptions, one per device.

use tokio_postgres::{GenericClient, Transaction};

use super::accounts::require_device;
use super::convert::{device_to_sql, get_array, Outcome};
use crate::store::PushSubscription;

pub(super) async fn set(
    tx: &Transaction<'_>,
    name: &str,
    device: u32,
    subscription: &PushSubscription,
) -> Outcome<()> {
    require_device(tx, name, device).await?;
    tx.execute(
        "INSERT INTO push_subscriptions (account, device, endpoint, p256dh, auth)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account, device) DO UPDATE SET endpoint = excluded.endpoint,
             p256dh = excluded.p256dh, auth = excluded.auth",
        &[
            &name,
            &device_to_sql(device),
            &subscription.endpoint,
            &&subscription.p256dh[..],
            &&subscription.auth[..],
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn get(
    c: &impl GenericClient,
    name: &str,
    device: u32,
) -> Outcome<Option<PushSubscription>> {
    let Some(row) = c
        .query_opt(
            "SELECT endpoint, p256dh, auth FROM push_subscriptions
             WHERE account = $1 AND device = $2",
            &[&name, &device_to_sql(device)],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(PushSubscription {
        endpoint: row.try_get(0)?,
        p256dh: get_array(&row, 1)?,
        auth: get_array(&row, 2)?,
    }))
}

pub(super) async fn delete(tx: &Transaction<'_>, name: &str, device: u32) -> Outcome<()> {
    tx.execute(
        "DELETE FROM push_subscriptions WHERE account = $1 AND device = $2",
        &[&name, &device_to_sql(device)],
    )
    .await?;
    Ok(())
}
