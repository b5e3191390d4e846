//! Schema migrations, one file per version, tracked in `hush_schema.version`: version N means
//! migrations 1..=N ran. Each runs in its own transaction with the version bump, under a
//! transaction-level advisory lock, so several relays starting at once migrate once. Never edit
//! a released migration: add one.

mod v1;

use deadpool_postgres::Client;

use super::convert::backend;
use crate::store::StoreError;

/// Every migration, in order: the SQL of version `i + 1` at index `i`.
const MIGRATIONS: &[&str] = &[v1::SQL];

/// The advisory lock key migrations hold (any constant no other lock of the relay uses).
const MIGRATION_LOCK: i64 = 0x4855_5348_0001;

/// Brings the database up to the newest schema this build knows; refuses a newer one.
pub(super) async fn run(client: &mut Client) -> Result<(), StoreError> {
    // Under the lock too: two relays creating the table at once can fail one of them
    // (`IF NOT EXISTS` does not guard the catalogue's own unique keys).
    let tx = client.transaction().await.map_err(|e| backend(&e))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(|e| backend(&e))?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS hush_schema (version BIGINT NOT NULL)")
        .await
        .map_err(|e| backend(&e))?;
    tx.commit().await.map_err(|e| backend(&e))?;
    loop {
        let tx = client.transaction().await.map_err(|e| backend(&e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(|e| backend(&e))?;
        let stored: Option<i64> = tx
            .query_opt("SELECT version FROM hush_schema", &[])
            .await
            .map_err(|e| backend(&e))?
            .map(|row| row.try_get(0))
            .transpose()
            .map_err(|e| backend(&e))?;
        let current = checked_version(stored.unwrap_or(0))?;
        let Some(sql) = MIGRATIONS.get(current) else {
            return Ok(());
        };
        let next = current + 1;
        tx.batch_execute(sql).await.map_err(|error| {
            StoreError::Backend(format!(
                "migrating the database to schema version {next} failed: {error}"
            ))
        })?;
        let next_sql = i64::try_from(next)
            .map_err(|_| StoreError::Backend(format!("schema version {next} is out of range")))?;
        if stored.is_some() {
            tx.execute("UPDATE hush_schema SET version = $1", &[&next_sql])
                .await
        } else {
            tx.execute(
                "INSERT INTO hush_schema (version) VALUES ($1)",
                &[&next_sql],
            )
            .await
        }
        .map_err(|e| backend(&e))?;
        tx.commit().await.map_err(|e| backend(&e))?;
    }
}

/// The stored version, if this build can migrate from it.
fn checked_version(stored: i64) -> Result<usize, StoreError> {
    crate::store::schema_version::checked(stored, MIGRATIONS.len(), "another database")
}
