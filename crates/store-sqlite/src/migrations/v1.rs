//! Version 1: the header (how the store is protected), keyed records (account, sessions,
//! prekeys, contacts, groups, outbox ...), messages with the few columns queries need, and
//! the search index.
//!
//! In a store with a passphrase every `value` is sealed and every `tag`, `owner`, `chat` and
//! `term` is a keyed hash: what stays readable is how many rows there are, their order
//! (`seq`), which messages share a chat, and each message's expiry time, starred flag and
//! unread flag.

use rusqlite::Connection;

pub(super) fn apply(db: &Connection) -> rusqlite::Result<()> {
    db.execute_batch(
        "CREATE TABLE header (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            sealed INTEGER NOT NULL,
            salt BLOB,
            memory_kib INTEGER,
            iterations INTEGER,
            parallelism INTEGER,
            key_check BLOB,
            next_seq INTEGER NOT NULL
        );
        CREATE TABLE records (
            kind INTEGER NOT NULL,
            tag BLOB NOT NULL,
            owner BLOB,
            seq INTEGER NOT NULL DEFAULT 0,
            value BLOB NOT NULL,
            PRIMARY KEY (kind, tag)
        ) WITHOUT ROWID;
        CREATE INDEX records_by_owner ON records (kind, owner, seq);
        CREATE TABLE messages (
            id BLOB PRIMARY KEY,
            seq INTEGER NOT NULL UNIQUE,
            chat BLOB NOT NULL,
            expires_ms INTEGER,
            starred INTEGER NOT NULL,
            unread INTEGER NOT NULL,
            value BLOB NOT NULL
        );
        CREATE INDEX messages_by_chat ON messages (chat, seq);
        CREATE INDEX messages_by_expiry ON messages (expires_ms) WHERE expires_ms IS NOT NULL;
        CREATE INDEX messages_starred ON messages (starred) WHERE starred = 1;
        CREATE TABLE terms (
            term BLOB NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (term, seq)
        ) WITHOUT ROWID;
        CREATE INDEX terms_by_seq ON terms (seq);",
    )
}
