//! Version 3: expiry notices, kept until the sender device acknowledges them.

use rusqlite::Transaction;

/// Creates the expiry notice table.
pub(super) fn apply(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        -- A sender device's record that one of its envelopes expired undelivered: written in the
        -- transaction that deletes the envelope, so a sender offline at that moment still learns
        -- of it.
        CREATE TABLE expiry_notices (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            account          TEXT    NOT NULL,
            device           INTEGER NOT NULL,
            client_id        BLOB    NOT NULL CHECK (length(client_id) = 16),
            recipient        TEXT    NOT NULL,
            recipient_device INTEGER NOT NULL,
            FOREIGN KEY (account, device) REFERENCES devices (account, device_id)
        ) STRICT;
        CREATE INDEX expiry_notices_by_device ON expiry_notices (account, device, id);
        ",
    )
}
