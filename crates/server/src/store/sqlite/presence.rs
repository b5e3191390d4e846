//! Who may see each account's presence: a row only for an account that hides it.

use hush_protocol::relay::PresenceVisibility;
use rusqlite::{params, Connection, OptionalExtension};

use super::convert::OrBackend;
use crate::store::StoreError;

/// Sets `name`'s setting; `NotFound` if there is no such account.
pub(super) fn set(
    conn: &Connection,
    name: &str,
    visibility: PresenceVisibility,
) -> Result<(), StoreError> {
    let exists = conn
        .prepare_cached("SELECT 1 FROM accounts WHERE name = ?1")
        .db()?
        .exists(params![name])
        .db()?;
    if !exists {
        return Err(StoreError::NotFound("account"));
    }
    match visibility {
        PresenceVisibility::Everyone => conn
            .prepare_cached("DELETE FROM presence_settings WHERE account = ?1")
            .db()?
            .execute(params![name]),
        PresenceVisibility::Nobody => conn
            .prepare_cached(
                "INSERT INTO presence_settings (account, visibility) VALUES (?1, ?2)
                 ON CONFLICT (account) DO UPDATE SET visibility = excluded.visibility",
            )
            .db()?
            .execute(params![name, visibility.to_byte()]),
    }
    .db()?;
    Ok(())
}

/// `name`'s setting (`Everyone` if it never chose, or there is no such account).
pub(super) fn get(conn: &Connection, name: &str) -> Result<PresenceVisibility, StoreError> {
    let stored: Option<u8> = conn
        .prepare_cached("SELECT visibility FROM presence_settings WHERE account = ?1")
        .db()?
        .query_row(params![name], |row| row.get(0))
        .optional()
        .db()?;
    match stored {
        None => Ok(PresenceVisibility::Everyone),
        Some(byte) => PresenceVisibility::from_byte(byte)
            .map_err(|_| StoreError::Backend(format!("stored presence visibility {byte}"))),
    }
}
