//! Version 5: the order of each group's changes (`docs/protocol.md`, "Groups").

use rusqlite::Transaction;

/// One row per ordered epoch: the hash of the change accepted for it (the newest few kept).
pub(super) fn apply(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE group_order (
             group_id BLOB NOT NULL,
             epoch INTEGER NOT NULL,
             hash BLOB NOT NULL,
             PRIMARY KEY (group_id, epoch)
         ) WITHOUT ROWID;",
    )
}
