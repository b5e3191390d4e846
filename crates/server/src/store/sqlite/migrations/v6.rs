//! Version 6: who uploaded each blob, its size and when it expires (`crate::blobs`), so a
//! device's quota can be counted and only its uploader can renew it.

use rusqlite::Transaction;

pub(super) fn apply(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE blobs (
             id BLOB PRIMARY KEY,
             account TEXT NOT NULL,
             device INTEGER NOT NULL,
             size INTEGER NOT NULL,
             expires_ms INTEGER NOT NULL
         ) WITHOUT ROWID;
         CREATE INDEX blobs_by_uploader ON blobs (account, device);
         CREATE INDEX blobs_by_expiry ON blobs (expires_ms);",
    )
}
