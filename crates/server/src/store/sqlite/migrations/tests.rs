//! Migrations keep what is stored: a database of an older schema opens, migrated, with its
//! queued envelopes deliverable.

use rusqlite::{params, Connection, TransactionBehavior};

use super::MIGRATIONS;
use crate::store::sqlite::SqliteStore;
use crate::store::Store;

/// A database at schema version `version`, as a build of that version left it.
fn at_version(path: &std::path::Path, version: usize) -> Connection {
    let mut conn = Connection::open(path).unwrap();
    for (done, migration) in MIGRATIONS[..version].iter().enumerate() {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        migration(&tx).unwrap();
        tx.pragma_update(None, "user_version", done as i64 + 1)
            .unwrap();
        tx.commit().unwrap();
    }
    conn
}

fn add_device(conn: &Connection, name: &str, device: u32) {
    conn.execute(
        "INSERT OR IGNORE INTO accounts (name, account_key, created_ms) VALUES (?1, ?2, 1)",
        params![name, [1u8; 32]],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO devices (account, device_id, identity) VALUES (?1, ?2, ?3)",
        params![name, device, [device as u8; 64]],
    )
    .unwrap();
}

fn queue_v6(conn: &Connection, from: &str, to: (&str, u32), n: u8, payload: &[u8]) {
    conn.execute(
        "INSERT INTO envelopes
             (recipient, recipient_device, sender, sender_device, client_id, payload, received_ms)
         VALUES (?1, ?2, ?3, 1, ?4, ?5, 100)",
        params![to.0, to.1, from, [n; 16], payload],
    )
    .unwrap();
}

/// Issue 19, findings 1 and 2: v7 moves payloads to their own table in place. A v6 database
/// with queued envelopes opens, delivers them as they were, counts their bytes, frees each
/// payload with its last envelope, and never reuses an envelope id.
#[tokio::test]
async fn a_v6_database_with_queued_envelopes_opens_and_delivers_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    {
        let conn = at_version(&path, 6);
        add_device(&conn, "alice", 1);
        add_device(&conn, "bob", 1);
        add_device(&conn, "bob", 2);
        queue_v6(&conn, "alice", ("bob", 1), 1, b"to bob 1");
        queue_v6(&conn, "alice", ("bob", 2), 1, b"to bob two");
        queue_v6(&conn, "bob", ("alice", 1), 2, b"hi");
        queue_v6(&conn, "bob", ("alice", 1), 3, b"acked already");
        conn.execute("DELETE FROM envelopes WHERE id = 4", [])
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let bob1 = store.pending("bob", 1, 0, 10).await.unwrap();
    assert_eq!(bob1.len(), 1);
    assert_eq!(
        (bob1[0].id, &bob1[0].envelope.payload[..]),
        (1, &b"to bob 1"[..])
    );
    assert_eq!(bob1[0].envelope.sender, "alice");
    assert_eq!(bob1[0].envelope.client_id, [1; 16]);
    let alice = store.pending("alice", 1, 0, 10).await.unwrap();
    assert_eq!(&alice[0].envelope.payload[..], b"hi");
    assert_eq!(store.queue_depth().await.unwrap(), 3);
    assert_eq!(store.queued_bytes("bob", 2).await.unwrap(), 10);
    assert_eq!(store.sent_bytes("alice").await.unwrap(), 18);
    assert_eq!(store.queue_bytes().await.unwrap(), 20);
    assert_eq!(store.ack("bob", 1, &[1]).await.unwrap(), 1);
    assert_eq!(store.sent_bytes("alice").await.unwrap(), 10);
    // Id 4 was handed out before the migration: the next envelope gets a new one.
    let mut next = alice[0].envelope.clone();
    next.client_id = [9; 16];
    assert_eq!(store.insert_envelopes(&[next]).await.unwrap(), vec![5]);
    drop(store);
    let conn = Connection::open(&path).unwrap();
    let payloads: i64 = conn
        .query_row("SELECT count(*) FROM payloads", [], |row| row.get(0))
        .unwrap();
    // The two migrated payloads still queued; the new one is inline in its envelope (v10).
    assert_eq!(payloads, 2);
}

/// Issue 19, finding 11: v9 adds the presence setting. The accounts of a v8 database show
/// their presence to everyone, as before; a choice of `Nobody` is kept until set back, and a
/// choice for no account is refused.
#[tokio::test]
async fn a_v8_database_keeps_presence_visible_until_an_account_hides_it() {
    use hush_protocol::relay::PresenceVisibility::{Everyone, Nobody};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    {
        let conn = at_version(&path, 8);
        add_device(&conn, "alice", 1);
        add_device(&conn, "bob", 1);
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.presence_visibility("alice").await.unwrap(), Everyone);
    store
        .set_presence_visibility("alice", Nobody)
        .await
        .unwrap();
    store
        .set_presence_visibility("alice", Nobody)
        .await
        .unwrap();
    assert_eq!(store.presence_visibility("alice").await.unwrap(), Nobody);
    assert_eq!(store.presence_visibility("bob").await.unwrap(), Everyone);
    store
        .set_presence_visibility("alice", Everyone)
        .await
        .unwrap();
    assert_eq!(store.presence_visibility("alice").await.unwrap(), Everyone);
    assert!(matches!(
        store.set_presence_visibility("nobody", Nobody).await,
        Err(crate::store::StoreError::NotFound(_))
    ));
}
