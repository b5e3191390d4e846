//! Version 4: when each device was last connected, for its account's device list screen.

use rusqlite::Transaction;

/// Adds the devices' last-active time (ms since the epoch; 0: never seen).
pub(super) fn apply(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch("ALTER TABLE devices ADD COLUMN last_active_ms INTEGER NOT NULL DEFAULT 0;")
}
