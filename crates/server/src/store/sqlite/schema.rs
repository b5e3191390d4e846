//! Opening connections: the pragmas every connection needs, and migrations for the writer.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::convert::OrBackend;
use super::migrations;
use crate::store::StoreError;

/// How long a connection waits for a lock held by another connection (or process).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The writer's page cache, negative meaning KiB: the hot index pages of a busy relay stay in
/// memory instead of being read back from the WAL.
const WRITER_CACHE_KIB: i64 = -65_536;

/// Prepared statements each connection keeps.
const STATEMENT_CACHE: usize = 64;

/// Opens (creating if needed) the database for writing: WAL, foreign keys on; migrated to the
/// newest schema. Also returns the WAL's path.
///
/// `synchronous=NORMAL`: a commit does not wait for the disk; the writer's sync thread
/// fdatasyncs the WAL before anyone is told the commit happened, which makes it exactly as
/// durable as `synchronous=FULL` (the only difference between the two in WAL mode is that
/// fsync; checkpoints and WAL restarts sync the same way in both).
pub(super) fn open_writer(path: &Path) -> Result<(Connection, PathBuf), StoreError> {
    let mut conn = open(path, OpenFlags::SQLITE_OPEN_CREATE)?;
    // A newer schema is refused before anything else touches the file.
    migrations::check_not_newer(&conn)?;
    if let Ok(extra) = std::env::var("HUSH_STORE_PRE") {
        conn.execute_batch(&extra).db()?;
    }
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .db()?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend(format!(
            "{} cannot use write-ahead logging (journal_mode stays {mode})",
            path.display()
        )));
    }
    conn.pragma_update(None, "synchronous", "NORMAL").db()?;
    conn.pragma_update(None, "cache_size", WRITER_CACHE_KIB)
        .db()?;
    conn.pragma_update(None, "foreign_keys", "ON").db()?;
    migrations::run(&mut conn)?;
    if let Ok(extra) = std::env::var("HUSH_STORE_PRAGMAS") {
        conn.execute_batch(&extra).db()?;
    }
    sync_parent_dir(path)?;
    // SQLite names the WAL after the database's full path (symbolic links resolved).
    let mut wal = std::fs::canonicalize(path)
        .map_err(|error| {
            StoreError::Backend(format!("cannot resolve {}: {error}", path.display()))
        })?
        .into_os_string();
    wal.push("-wal");
    Ok((conn, PathBuf::from(wal)))
}

/// Opens a connection that only reads (it sees the last commit; in WAL mode it never waits for
/// the writer).
pub(super) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = open(path, OpenFlags::empty())?;
    conn.pragma_update(None, "query_only", "ON").db()?;
    Ok(conn)
}

fn open(path: &Path, extra: OpenFlags) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | extra;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|error| StoreError::Backend(format!("cannot open {}: {error}", path.display())))?;
    conn.busy_timeout(BUSY_TIMEOUT).db()?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// SQLite syncs the directory when it creates the WAL but not when it creates the database
/// file itself: sync it once so a new database's directory entry survives power loss.
fn sync_parent_dir(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        let parent = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        std::fs::File::open(parent)
            .and_then(|dir| dir.sync_all())
            .map_err(|error| {
                StoreError::Backend(format!("cannot sync {}: {error}", parent.display()))
            })?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
