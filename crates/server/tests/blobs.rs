//! Blobs made safe to expose (issue 19, finding 5): the grant is checked before a byte of the
//! body is read, bodies are streamed and limited by their grant, one device holds few grants
//! and a quota (a typed error past it), and only the uploader renews a blob.
// The helpers are not #[test] functions: clippy.toml's test allowances do not reach them.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::net::SocketAddr;

use hush_protocol::hex;
use hush_protocol::relay::{ClientFrame, ErrorCode, ServerFrame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod support;

use support::{get, metric, start_relay, start_relay_with, Account, Client};

/// The status line's code of whatever the server answers on `stream`, or `None` if it says
/// nothing within ten seconds (it is waiting for the body).
async fn status_within(stream: &mut TcpStream) -> Option<u16> {
    let mut raw = [0u8; 12];
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_exact(&mut raw),
    )
    .await;
    match read {
        Ok(Ok(_)) => String::from_utf8_lossy(&raw[9..12]).parse().ok(),
        _ => None,
    }
}

async fn put_head(addr: SocketAddr, id: &[u8; 32], length: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "PUT /blobs/{} HTTP/1.1\r\nHost: {addr}\r\n{length}\r\n",
        hex::encode(id)
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

async fn grant(client: &mut Client, request: u32, size: u32) -> Result<[u8; 32], ErrorCode> {
    client
        .send(&ClientFrame::RequestUpload { request, size })
        .await;
    match client.recv().await {
        ServerFrame::UploadGranted { request: r, id } if r == request => Ok(id),
        ServerFrame::Error {
            request: r, code, ..
        } if r == request => Err(code),
        other => panic!("{other:?}"),
    }
}

async fn put(addr: SocketAddr, id: &[u8; 32], body: &[u8]) -> Option<u16> {
    let length = format!("Content-Length: {}\r\nConnection: close\r\n", body.len());
    let mut stream = put_head(addr, id, &length).await;
    stream.write_all(body).await.unwrap();
    status_within(&mut stream).await
}

#[tokio::test]
async fn an_upload_without_a_grant_is_refused_before_its_body_is_read() {
    let server = start_relay(500.0, false).await;
    // 25 MiB announced, 1 KiB sent: the answer must not wait for the rest.
    let length = format!("Content-Length: {}\r\n", 25 * 1024 * 1024);
    let mut stream = put_head(server.addr, &[7; 32], &length).await;
    stream.write_all(&[0; 1024]).await.unwrap();
    assert_eq!(
        status_within(&mut stream).await,
        Some(403),
        "no answer before the body was sent"
    );
}

#[tokio::test]
async fn a_streamed_body_past_its_grant_is_refused_and_nothing_is_kept() {
    let server = start_relay(500.0, false).await;
    let alice = Account::new("alice", 40);
    let mut a = alice.register(server.addr).await;
    let id = grant(&mut a, 1, 10).await.unwrap();
    // Chunked: no length announced, so only the streamed count can tell.
    let mut stream = put_head(
        server.addr,
        &id,
        "Transfer-Encoding: chunked\r\nConnection: close\r\n",
    )
    .await;
    stream
        .write_all(b"8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(status_within(&mut stream).await, Some(413));
    let url = format!("http://{}/blobs/{}", server.addr, hex::encode(&id));
    assert_eq!(reqwest::get(url).await.unwrap().status().as_u16(), 404);
    let blobs: Vec<_> = std::fs::read_dir(server.data.path().join("blobs"))
        .unwrap()
        .collect();
    assert!(blobs.is_empty(), "{blobs:?}");
}

#[tokio::test]
async fn one_device_cannot_hold_every_grant() {
    let server = start_relay(500.0, false).await;
    let (alice, bob) = (Account::new("alice", 41), Account::new("bob", 42));
    let mut a = alice.register(server.addr).await;
    let mut b = bob.register(server.addr).await;
    let mut answers = Vec::new();
    for request in 0..9 {
        answers.push(grant(&mut a, request, 1).await.err());
    }
    assert_eq!(answers[..8], [None; 8]);
    assert_eq!(answers[8], Some(ErrorCode::RateLimited));
    // Others (linking included) still get theirs.
    assert!(grant(&mut b, 1, 1).await.is_ok());
}

#[tokio::test]
async fn a_device_past_its_quota_gets_a_typed_error_and_keeps_what_it_has() {
    let server = start_relay_with(|config| config.blob_quota_bytes = 100).await;
    let alice = Account::new("alice", 43);
    let mut a = alice.register(server.addr).await;
    let id = grant(&mut a, 1, 60).await.unwrap();
    assert_eq!(put(server.addr, &id, &[5; 60]).await, Some(201));
    assert_eq!(grant(&mut a, 2, 60).await, Err(ErrorCode::QuotaExceeded));
    // Within what is left: granted. The first blob is still there.
    assert!(grant(&mut a, 3, 40).await.is_ok());
    let path = format!("/blobs/{}", hex::encode(&id));
    assert_eq!(get(server.addr, &path).await.as_bytes(), [5; 60]);
    let metrics = get(server.metrics_addr, "/metrics").await;
    assert_eq!(metric(&metrics, "hush_blob_refusals_total"), 1);
}

#[tokio::test]
async fn only_the_uploader_renews_a_blob() {
    let server = start_relay(500.0, false).await;
    let (alice, bob) = (Account::new("alice", 44), Account::new("bob", 45));
    let mut a = alice.register(server.addr).await;
    let mut b = bob.register(server.addr).await;
    let id = grant(&mut a, 1, 3).await.unwrap();
    assert_eq!(put(server.addr, &id, b"abc").await, Some(201));
    for (client, request) in [(&mut b, 2), (&mut a, 3)] {
        client.send(&ClientFrame::RenewBlob { request, id }).await;
    }
    match b.recv().await {
        ServerFrame::Error {
            request: 2,
            code: ErrorCode::NotFound,
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(a.recv().await, ServerFrame::BlobRenewed { request: 3 });
}

#[tokio::test]
async fn an_upload_cut_off_mid_body_leaves_nothing_on_disk() {
    let server = start_relay(500.0, false).await;
    let alice = Account::new("alice", 46);
    let mut a = alice.register(server.addr).await;
    let id = grant(&mut a, 1, 1_000).await.unwrap();
    let mut stream = put_head(server.addr, &id, "Content-Length: 1000\r\n").await;
    stream.write_all(&[1; 100]).await.unwrap();
    drop(stream);
    let dir = server.data.path().join("blobs");
    let mut left = usize::MAX;
    for _ in 0..100 {
        left = std::fs::read_dir(&dir).unwrap().count();
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(left, 0, "a partial upload stayed on disk");
}
