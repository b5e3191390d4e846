//! Version 8 (issue 19, finding 11): the identity keys of devices removed from an account's
//! list, so a removed device that proves it is one (and only it) is shown the current list.

use rusqlite::Transaction;

/// Creates `removed_devices` (bounded per account by the store's writes).
pub(super) fn apply(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        -- Newest removal last (rowid order); public keys only.
        CREATE TABLE removed_devices (
            account   TEXT    NOT NULL REFERENCES accounts (name),
            device_id INTEGER NOT NULL,
            identity  BLOB    NOT NULL CHECK (length(identity) = 64),
            UNIQUE (account, device_id, identity)
        ) STRICT;
        ",
    )
}
