//! Version 7 (issue 19, findings 1 and 2): payloads stored once and referenced by each
//! envelope that carries them (a group message is one payload, not one per device), with
//! byte counters kept by triggers in the same transaction as every insert and delete: per
//! device queue, per sender account, and in all.

use rusqlite::Transaction;

/// Moves every queued payload into `payloads` in place (an envelope's payload keeps its id),
/// fills the counters, then installs the triggers that keep them.
pub(super) fn apply(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        -- `size` before `bytes`: reading it never walks a large payload's overflow pages.
        CREATE TABLE payloads (
            id     INTEGER PRIMARY KEY,
            sender TEXT    NOT NULL,
            size   INTEGER NOT NULL,
            refs   INTEGER NOT NULL DEFAULT 0,
            bytes  BLOB    NOT NULL
        ) STRICT;
        INSERT INTO payloads (id, sender, size, refs, bytes)
            SELECT id, sender, length(payload), 1, payload FROM envelopes;
        ALTER TABLE envelopes ADD COLUMN payload_id INTEGER;
        ALTER TABLE envelopes ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
        UPDATE envelopes SET payload_id = id, size = length(payload);
        ALTER TABLE envelopes DROP COLUMN payload;

        ALTER TABLE devices ADD COLUMN queued_bytes INTEGER NOT NULL DEFAULT 0;
        UPDATE devices SET queued_bytes = (
            SELECT COALESCE(sum(size), 0) FROM envelopes
            WHERE recipient = devices.account AND recipient_device = devices.device_id);
        ALTER TABLE accounts ADD COLUMN sent_bytes INTEGER NOT NULL DEFAULT 0;
        UPDATE accounts SET sent_bytes = (
            SELECT COALESCE(sum(size), 0) FROM payloads WHERE sender = accounts.name);
        CREATE TABLE totals (
            id            INTEGER PRIMARY KEY CHECK (id = 1),
            payload_bytes INTEGER NOT NULL
        ) STRICT;
        INSERT INTO totals (id, payload_bytes)
            SELECT 1, COALESCE(sum(size), 0) FROM payloads;

        CREATE TRIGGER envelope_queued AFTER INSERT ON envelopes BEGIN
            UPDATE payloads SET refs = refs + 1 WHERE id = NEW.payload_id;
            UPDATE devices SET queued_bytes = queued_bytes + NEW.size
                WHERE account = NEW.recipient AND device_id = NEW.recipient_device;
        END;
        -- Ack, expiry and a device leaving its list all delete envelopes: the payload goes
        -- with its last reference, in the same transaction.
        CREATE TRIGGER envelope_gone AFTER DELETE ON envelopes BEGIN
            UPDATE devices SET queued_bytes = queued_bytes - OLD.size
                WHERE account = OLD.recipient AND device_id = OLD.recipient_device;
            UPDATE payloads SET refs = refs - 1 WHERE id = OLD.payload_id;
            DELETE FROM payloads WHERE id = OLD.payload_id AND refs <= 0;
        END;
        CREATE TRIGGER payload_stored AFTER INSERT ON payloads BEGIN
            UPDATE accounts SET sent_bytes = sent_bytes + NEW.size WHERE name = NEW.sender;
            UPDATE totals SET payload_bytes = payload_bytes + NEW.size;
        END;
        CREATE TRIGGER payload_gone AFTER DELETE ON payloads BEGIN
            UPDATE accounts SET sent_bytes = sent_bytes - OLD.size WHERE name = OLD.sender;
            UPDATE totals SET payload_bytes = payload_bytes - OLD.size;
        END;
        ",
    )
}
