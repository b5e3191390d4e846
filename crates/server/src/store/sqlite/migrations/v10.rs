//! Version 10 (issue 19, throughput): the writer keeps the byte counts in memory, so the
//! triggers and counter columns of v7 go, and a payload one envelope alone carries is stored
//! inline in that envelope's row (one statement to store, one to delete). Shared payloads stay
//! in `payloads`, their reference count now kept by the writer's statements.

use rusqlite::Transaction;

pub(super) fn apply(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        DROP TRIGGER envelope_queued;
        DROP TRIGGER envelope_gone;
        DROP TRIGGER payload_stored;
        DROP TRIGGER payload_gone;
        DROP TABLE totals;
        ALTER TABLE devices DROP COLUMN queued_bytes;
        ALTER TABLE accounts DROP COLUMN sent_bytes;
        -- NULL when the payload is shared (`payload_id` names it); last, so reading the other
        -- columns never walks a large payload's overflow pages.
        ALTER TABLE envelopes ADD COLUMN payload BLOB;
        ",
    )
}
