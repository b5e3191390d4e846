//! Opening connections: the pragmas every connection needs, and migrations for the writer.

use std::path::Path;
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

/// After a burst grew the WAL (a checkpoint cannot finish while a long read holds old pages),
/// it is truncated back to this size once checkpointed, in bytes.
const WAL_SIZE_LIMIT: i64 = 64 << 20;

/// Prepared statements each connection keeps.
const STATEMENT_CACHE: usize = 64;

/// Opens (creating if needed) the database for writing: WAL, `synchronous=FULL` (a commit is
/// on disk when it returns), foreign keys on; migrated to the newest schema.
pub(super) fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let mut conn = open(path, OpenFlags::SQLITE_OPEN_CREATE)?;
    // A newer schema is refused before anything else touches the file.
    migrations::check_not_newer(&conn)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .db()?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend(format!(
            "{} cannot use write-ahead logging (journal_mode stays {mode})",
            path.display()
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL").db()?;
    conn.pragma_update(None, "cache_size", WRITER_CACHE_KIB)
        .db()?;
    conn.pragma_update_and_check(None, "journal_size_limit", WAL_SIZE_LIMIT, |row| {
        row.get::<_, i64>(0)
    })
    .db()?;
    conn.pragma_update(None, "foreign_keys", "ON").db()?;
    // Each job runs in a savepoint; its statement journal (the pages it changed, kept to undo
    // it) stays in memory instead of a temporary file that every page change wrote to (that
    // file's writes were a third of the writer's time under load).
    conn.pragma_update(None, "temp_store", "MEMORY").db()?;
    migrations::run(&mut conn)?;
    sync_parent_dir(path)?;
    Ok(conn)
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
