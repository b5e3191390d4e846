//! Schema migrations, tracked in `PRAGMA user_version`: version N means migrations 1..=N ran.
//! Each runs in its own `BEGIN IMMEDIATE` transaction together with the version bump, so a crash
//! mid-migration leaves the previous version intact. Never edit a released migration: add one.

mod v1;
mod v10;
mod v2;
mod v3;
mod v4;
mod v5;
mod v6;
mod v7;
mod v8;
mod v9;

#[cfg(test)]
mod tests;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::convert::OrBackend;
use crate::store::StoreError;

/// One migration: from version `i` to `i + 1` for the migration at index `i`.
type Migration = fn(&Transaction<'_>) -> rusqlite::Result<()>;

/// Every migration, in order.
const MIGRATIONS: &[Migration] = &[
    v1::apply,
    v2::apply,
    v3::apply,
    v4::apply,
    v5::apply,
    v6::apply,
    v7::apply,
    v8::apply,
    v9::apply,
    v10::apply,
];

/// Fails if the database was written by a newer build (before this one changes anything).
pub(super) fn check_not_newer(conn: &Connection) -> Result<(), StoreError> {
    let stored: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .db()?;
    checked_version(stored).map(drop)
}

/// The stored version, if this build can migrate from it.
fn checked_version(stored: i64) -> Result<usize, StoreError> {
    crate::store::schema_version::checked(stored, MIGRATIONS.len(), "another data directory")
}

/// Brings the database up to the newest schema this build knows; refuses a newer one.
pub(super) fn run(conn: &mut Connection) -> Result<(), StoreError> {
    loop {
        // Read the version inside the write transaction: another process may be migrating too.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let stored: i64 = tx
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .db()?;
        let current = checked_version(stored)?;
        let Some(migration) = MIGRATIONS.get(current) else {
            return Ok(());
        };
        let next = current + 1;
        migration(&tx).map_err(|error| {
            StoreError::Backend(format!(
                "migrating the database to schema version {next} failed: {error}"
            ))
        })?;
        let next_sql = i64::try_from(next)
            .map_err(|_| StoreError::Backend(format!("schema version {next} is out of range")))?;
        tx.pragma_update(None, "user_version", next_sql).db()?;
        tx.commit().db()?;
    }
}
