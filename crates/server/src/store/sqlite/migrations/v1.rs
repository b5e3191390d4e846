//! Version 1: the initial schema.

use rusqlite::Transaction;

/// Creates every table and index.
pub(super) fn apply(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        CREATE TABLE accounts (
            name        TEXT    NOT NULL PRIMARY KEY,
            account_key BLOB    NOT NULL CHECK (length(account_key) = 32),
            created_ms  INTEGER NOT NULL
        ) STRICT;

        -- The signed list as served; version is a u64 stored bit for bit.
        CREATE TABLE device_lists (
            account TEXT    NOT NULL PRIMARY KEY REFERENCES accounts (name),
            version INTEGER NOT NULL,
            bytes   BLOB    NOT NULL
        ) STRICT;

        -- The devices the current list names.
        CREATE TABLE devices (
            account   TEXT    NOT NULL REFERENCES accounts (name),
            device_id INTEGER NOT NULL,
            identity  BLOB    NOT NULL CHECK (length(identity) = 64),
            PRIMARY KEY (account, device_id)
        ) STRICT;

        CREATE TABLE signed_prekeys (
            account TEXT    NOT NULL,
            device  INTEGER NOT NULL,
            bytes   BLOB    NOT NULL,
            PRIMARY KEY (account, device),
            FOREIGN KEY (account, device) REFERENCES devices (account, device_id)
        ) STRICT;

        CREATE TABLE one_time_prekeys (
            account TEXT    NOT NULL,
            device  INTEGER NOT NULL,
            key_id  INTEGER NOT NULL,
            public  BLOB    NOT NULL CHECK (length(public) = 32),
            PRIMARY KEY (account, device, key_id),
            FOREIGN KEY (account, device) REFERENCES devices (account, device_id)
        ) STRICT;

        -- AUTOINCREMENT: an id is never reused, even after the newest envelope is acked, so a
        -- client's `after` cursor never skips a new envelope.
        CREATE TABLE envelopes (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            recipient        TEXT    NOT NULL,
            recipient_device INTEGER NOT NULL,
            sender           TEXT    NOT NULL,
            sender_device    INTEGER NOT NULL,
            client_id        BLOB    NOT NULL CHECK (length(client_id) = 16),
            payload          BLOB    NOT NULL,
            received_ms      INTEGER NOT NULL,
            UNIQUE (sender, sender_device, client_id, recipient, recipient_device),
            FOREIGN KEY (recipient, recipient_device) REFERENCES devices (account, device_id)
        ) STRICT;
        CREATE INDEX envelopes_by_recipient ON envelopes (recipient, recipient_device, id);
        CREATE INDEX envelopes_by_age ON envelopes (received_ms);
        ",
    )
}
