//! Version 9 (issue 19, finding 11): who may see an account's presence, chosen by the account
//! and enforced by the relay.

use rusqlite::Transaction;

/// Creates `presence_settings`: a row only for an account that chose other than the default
/// (`Everyone`), so existing accounts keep their behaviour.
pub(super) fn apply(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        -- visibility: 1 = Nobody (the wire's byte); Everyone has no row.
        CREATE TABLE presence_settings (
            account    TEXT    NOT NULL PRIMARY KEY REFERENCES accounts (name),
            visibility INTEGER NOT NULL CHECK (visibility = 1)
        ) STRICT;
        ",
    )
}
