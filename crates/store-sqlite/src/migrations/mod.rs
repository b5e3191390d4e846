//! The schema, one file per version: `PRAGMA user_version` says which the file has, and
//! opening runs the ones after it in one transaction. A file from a newer build is refused
//! ([`crate::OpenError::SchemaTooNew`]), never written.

mod v1;

use rusqlite::Connection;

use crate::OpenError;

/// Every migration, in order: the one at index `i` takes the schema to version `i + 1`.
const MIGRATIONS: &[fn(&Connection) -> rusqlite::Result<()>] = &[v1::apply];

/// The schema version this build writes.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

/// The file's schema version.
pub(crate) fn version(db: &Connection) -> Result<u32, OpenError> {
    let version: i64 = db.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    u32::try_from(version).map_err(|_| OpenError::NotAStore(format!("schema version {version}")))
}

/// Brings the file to [`LATEST`], all of it or nothing.
pub(crate) fn migrate(db: &Connection) -> Result<(), OpenError> {
    let found = version(db)?;
    if found > LATEST {
        return Err(OpenError::SchemaTooNew {
            found,
            supported: LATEST,
        });
    }
    if found == LATEST {
        return Ok(());
    }
    let tx = db.unchecked_transaction()?;
    for (at, migration) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        migration(&tx)?;
        tx.pragma_update(None, "user_version", at as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}
