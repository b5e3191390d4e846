//! Issue 19, findings 1 and 2: what senders can make the relay store is bounded. A group
//! message is stored once, queues and senders have byte quotas, and a disk that runs low
//! refuses new sends and uploads; every refusal is typed and counted.
// Helpers, not tests: clippy.toml's test allowances do not reach them.
#![allow(clippy::unwrap_used, clippy::panic)]

use hush_protocol::relay::{ClientFrame, ErrorCode, OutgoingEnvelope, SendOutcome, ServerFrame};

mod support;

use support::{metric, metrics, start_relay_with, user, Account, Client, TestServer};

/// A payload as large as a realistic attachment-carrying message (under `MAX_PAYLOAD`).
const BIG: usize = 60_000;

/// A send of `payload` to device 1 of `to`.
fn send(client_id: u8, to: &str, payload: Vec<u8>) -> ClientFrame {
    ClientFrame::Send {
        client_id: [client_id; 16],
        recipient: user(to),
        envelopes: vec![OutgoingEnvelope { device: 1, payload }],
    }
}

/// The outcome of the send answered next.
async fn outcome(client: &mut Client, client_id: u8) -> SendOutcome {
    match client.recv().await {
        ServerFrame::Sent {
            client_id: id,
            outcome,
        } if id == [client_id; 16] => outcome,
        other => panic!("expected Sent for {client_id}, got {other:?}"),
    }
}

/// Registers `names` (seeded from `seed`) and leaves them offline.
async fn register_offline(server: &TestServer, names: &[&str], seed: u64) -> Vec<Account> {
    let mut accounts = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let account = Account::new(name, seed + i as u64);
        drop(account.register(server.addr).await);
        accounts.push(account);
    }
    accounts
}

/// The database's size as a reader sees it now (committed pages, WAL included), in bytes.
fn database_bytes(server: &TestServer) -> u64 {
    let path = server.data.path().join("hush.db");
    let conn = rusqlite::Connection::open_with_flags(
        &path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .unwrap();
    let pages: i64 = conn
        .query_row("PRAGMA page_count", [], |row| row.get(0))
        .unwrap();
    let size: i64 = conn
        .query_row("PRAGMA page_size", [], |row| row.get(0))
        .unwrap();
    u64::try_from(pages * size).unwrap()
}

fn is_quota(outcome: &SendOutcome) -> bool {
    matches!(
        outcome,
        SendOutcome::Refused {
            code: ErrorCode::QuotaExceeded,
            ..
        }
    )
}

/// Finding 1: a group message to twenty members is one payload on disk, not twenty.
#[tokio::test]
async fn a_group_message_is_stored_once() {
    let server = start_relay_with(|_| {}).await;
    let names: Vec<String> = (0..20).map(|i| format!("member{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    register_offline(&server, &names, 300).await;
    let mut a = Account::new("alice", 299).register(server.addr).await;
    let before = database_bytes(&server);
    a.send(&ClientFrame::GroupSend {
        client_id: [1; 16],
        members: names.iter().map(|n| user(n)).collect(),
        payload: vec![7; BIG],
    })
    .await;
    assert_eq!(outcome(&mut a, 1).await, SendOutcome::Stored);
    let grown = database_bytes(&server) - before;
    assert!(
        grown < 5 * BIG as u64,
        "a group message to 20 members grew the database by {grown} bytes (payload {BIG})"
    );
}

/// Finding 1/2: a device's queue has a byte quota. A send past it is refused as
/// `QuotaExceeded`, counted, and what was queued before is still delivered.
#[tokio::test]
async fn a_full_device_queue_refuses_sends_and_keeps_what_it_has() {
    let server = start_relay_with(|c| c.max_queued_bytes_per_device = 100_000).await;
    let bob = register_offline(&server, &["bob"], 310).await.remove(0);
    let mut a = Account::new("alice", 311).register(server.addr).await;
    a.send(&send(1, "bob", vec![1; BIG])).await;
    assert_eq!(outcome(&mut a, 1).await, SendOutcome::Stored);
    a.send(&send(2, "bob", vec![2; BIG])).await;
    let refused = outcome(&mut a, 2).await;
    assert!(is_quota(&refused), "past bob's queue quota: {refused:?}");
    let text = metrics(&server).await;
    assert_eq!(metric(&text, "hush_queue_quota_refusals_total"), 1);
    assert_eq!(metric(&text, "hush_queue_bytes"), BIG as u64);
    // Bob gets what was queued before the refusal.
    let mut b = bob.login(server.addr).await;
    let got = b.drain().await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].2, vec![1; BIG]);
}

/// Finding 1/2: an account's stored payloads for others have a byte quota (a group message
/// counts once); past it, its sends are refused as `QuotaExceeded`.
#[tokio::test]
async fn a_sender_past_its_quota_is_refused() {
    let server = start_relay_with(|c| c.max_queued_bytes_per_account = 100_000).await;
    let names = ["bob", "carol", "dave", "erin"];
    register_offline(&server, &names, 320).await;
    let mut a = Account::new("alice", 329).register(server.addr).await;
    // Four members, one payload: within the quota.
    a.send(&ClientFrame::GroupSend {
        client_id: [1; 16],
        members: names.iter().map(|n| user(n)).collect(),
        payload: vec![1; BIG],
    })
    .await;
    assert_eq!(outcome(&mut a, 1).await, SendOutcome::Stored);
    a.send(&send(2, "carol", vec![2; BIG])).await;
    let refused = outcome(&mut a, 2).await;
    assert!(is_quota(&refused), "past alice's quota: {refused:?}");
    let text = metrics(&server).await;
    assert_eq!(metric(&text, "hush_queue_quota_refusals_total"), 1);
}

/// Finding 2: with free disk under the floor, sends and upload grants are refused with a clear
/// `QuotaExceeded` (not a failed commit), counted; free disk is a metric.
#[tokio::test]
async fn low_free_disk_refuses_sends_and_uploads() {
    let server = start_relay_with(|c| c.min_free_disk_bytes = u64::MAX).await;
    register_offline(&server, &["bob"], 330).await;
    let mut a = Account::new("alice", 331).register(server.addr).await;
    a.send(&send(1, "bob", b"hello".to_vec())).await;
    let refused = outcome(&mut a, 1).await;
    assert!(is_quota(&refused), "a send with the disk low: {refused:?}");
    a.send(&ClientFrame::RequestUpload {
        request: 5,
        size: 1000,
    })
    .await;
    match a.recv().await {
        ServerFrame::Error {
            request: 5,
            code: ErrorCode::QuotaExceeded,
            ..
        } => {}
        other => panic!("an upload grant with the disk low: {other:?}"),
    }
    let text = metrics(&server).await;
    assert_eq!(metric(&text, "hush_low_disk_refusals_total"), 2);
    assert!(metric(&text, "hush_free_disk_bytes") > 0);
}
