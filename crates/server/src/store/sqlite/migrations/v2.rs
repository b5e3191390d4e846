//! Version 2: Web Push subscriptions, one per device.

use rusqlite::Transaction;

/// Creates the push subscription table.
pub(super) fn apply(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        -- Where to send a content-free wake-up while the device is offline (RFC 8030/8291).
        CREATE TABLE push_subscriptions (
            account  TEXT    NOT NULL,
            device   INTEGER NOT NULL,
            endpoint TEXT    NOT NULL,
            p256dh   BLOB    NOT NULL CHECK (length(p256dh) = 65),
            auth     BLOB    NOT NULL CHECK (length(auth) = 16),
            PRIMARY KEY (account, device),
            FOREIGN KEY (account, device) REFERENCES devices (account, device_id)
        ) STRICT;
        ",
    )
}
