//! Who may see each account's presence: a row only for an account that hides it.

use hush_protocol::relay::PresenceVisibility;
use tokio_postgres::{GenericClient, Transaction};

use super::convert::{bad_data, Outcome};
use crate::store::StoreError;

/// Sets `name`'s setting; `NotFound` if there is no such account.
pub(super) async fn set(
    tx: &Transaction<'_>,
    name: &str,
    visibility: PresenceVisibility,
) -> Outcome<()> {
    let exists = tx
        .query_opt("SELECT 1 FROM accounts WHERE name = $1", &[&name])
        .await?
        .is_some();
    if !exists {
        return Err(StoreError::NotFound("account").into());
    }
    match visibility {
        PresenceVisibility::Everyone => {
            tx.execute("DELETE FROM presence_settings WHERE account = $1", &[&name])
                .await?
        }
        PresenceVisibility::Nobody => {
            tx.execute(
                "INSERT INTO presence_settings (account, visibility) VALUES ($1, $2)
                 ON CONFLICT (account) DO UPDATE SET visibility = excluded.visibility",
                &[&name, &i16::from(visibility.to_byte())],
            )
            .await?
        }
    };
    Ok(())
}

/// `name`'s setting (`Everyone` if it never chose, or there is no such account).
pub(super) async fn get(c: &impl GenericClient, name: &str) -> Outcome<PresenceVisibility> {
    let Some(row) = c
        .query_opt(
            "SELECT visibility FROM presence_settings WHERE account = $1",
            &[&name],
        )
        .await?
    else {
        return Ok(PresenceVisibility::Everyone);
    };
    let stored: i16 = row.try_get(0)?;
    u8::try_from(stored)
        .ok()
        .and_then(|byte| PresenceVisibility::from_byte(byte).ok())
        .ok_or_else(|| bad_data(format!("presence visibility {stored}")).into())
}
