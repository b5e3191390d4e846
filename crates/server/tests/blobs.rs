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

/// Media issue (relay): `HEAD`, `PATCH` and `POST .../commit` on `/uploads/<id>`.
mod pieces {
    use std::net::SocketAddr;

    use reqwest::{Method, StatusCode};

    pub fn url(addr: SocketAddr, id: &[u8; 32], tail: &str) -> String {
        format!(
            "http://{addr}/uploads/{}{tail}",
            hush_protocol::hex::encode(id)
        )
    }

    /// The status and `Upload-Offset` of a request.
    pub async fn send(
        method: Method,
        url: String,
        header: (&str, u64),
        body: Vec<u8>,
    ) -> (StatusCode, Option<u64>) {
        let response = reqwest::Client::new()
            .request(method, url)
            .header(header.0, header.1)
            .body(body)
            .send()
            .await
            .unwrap();
        let offset = response
            .headers()
            .get("upload-offset")
            .map(|v| v.to_str().unwrap().parse().unwrap());
        (response.status(), offset)
    }

    pub async fn offset(addr: SocketAddr, id: &[u8; 32]) -> (StatusCode, Option<u64>) {
        send(Method::HEAD, url(addr, id, ""), ("x-none", 0), Vec::new()).await
    }

    pub async fn patch(
        addr: SocketAddr,
        id: &[u8; 32],
        at: u64,
        body: &[u8],
    ) -> (StatusCode, Option<u64>) {
        let url = url(addr, id, "");
        send(Method::PATCH, url, ("upload-offset", at), body.to_vec()).await
    }

    pub async fn commit(addr: SocketAddr, id: &[u8; 32], length: u64) -> StatusCode {
        let url = url(addr, id, "/commit");
        send(Method::POST, url, ("upload-length", length), Vec::new())
            .await
            .0
    }
}

fn file_bytes(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

#[tokio::test]
async fn an_upload_in_pieces_goes_on_where_it_stopped_and_only_at_the_offset_held() {
    use reqwest::StatusCode as S;
    let server = start_relay(500.0, false).await;
    let mut a = Account::new("alice", 47).register(server.addr).await;
    let bytes = file_bytes(10_000);
    let id = grant(&mut a, 1, 10_000).await.unwrap();
    let addr = server.addr;
    assert_eq!(pieces::offset(addr, &id).await, (S::NO_CONTENT, Some(0)));
    let first = pieces::patch(addr, &id, 0, &bytes[..4_000]).await;
    assert_eq!(first, (S::NO_CONTENT, Some(4_000)));
    // A piece sent again (its answer was lost) is refused with where to go on from.
    let again = pieces::patch(addr, &id, 0, &bytes[..4_000]).await;
    assert_eq!(again, (S::CONFLICT, Some(4_000)));
    // Past the grant: refused, what is held stays.
    let over = pieces::patch(addr, &id, 4_000, &[0; 6_001]).await;
    assert_eq!(over.0, S::PAYLOAD_TOO_LARGE);
    assert_eq!(pieces::offset(addr, &id).await.1, Some(4_000));
    let rest = pieces::patch(addr, &id, 4_000, &bytes[4_000..]).await;
    assert_eq!(rest, (S::NO_CONTENT, Some(10_000)));
    // The commit names the size: another one is refused.
    assert_eq!(pieces::commit(addr, &id, 9_999).await, S::CONFLICT);
    assert_eq!(pieces::commit(addr, &id, 10_000).await, S::CREATED);
    let url = format!("http://{addr}/blobs/{}", hex::encode(&id));
    let got = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
    assert_eq!(&got[..], &bytes[..]);
    // The grant is used up.
    assert_eq!(pieces::offset(addr, &id).await.0, S::FORBIDDEN);
    assert_eq!(pieces::patch(addr, &id, 0, b"x").await.0, S::FORBIDDEN);
}

#[tokio::test]
async fn an_upload_in_pieces_resumes_after_the_relay_restarts() {
    use reqwest::StatusCode as S;
    let server = start_relay(500.0, false).await;
    let mut a = Account::new("alice", 48).register(server.addr).await;
    let bytes = file_bytes(50_000);
    let id = grant(&mut a, 1, 50_000).await.unwrap();
    let first = pieces::patch(server.addr, &id, 0, &bytes[..20_000]).await;
    assert_eq!(first, (S::NO_CONTENT, Some(20_000)));
    drop(a);
    let server = server.restart().await;
    let addr = server.addr;
    assert_eq!(
        pieces::offset(addr, &id).await,
        (S::NO_CONTENT, Some(20_000))
    );
    let rest = pieces::patch(addr, &id, 20_000, &bytes[20_000..]).await;
    assert_eq!(rest, (S::NO_CONTENT, Some(50_000)));
    assert_eq!(pieces::commit(addr, &id, 50_000).await, S::CREATED);
    let url = format!("http://{addr}/blobs/{}", hex::encode(&id));
    let got = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
    assert_eq!(&got[..], &bytes[..]);
}

#[tokio::test]
async fn a_piece_without_a_grant_is_refused_before_its_body_is_read() {
    let server = start_relay(500.0, false).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "PATCH /uploads/{} HTTP/1.1\r\nHost: {}\r\nUpload-Offset: 0\r\nContent-Length: {}\r\n\r\n",
        hex::encode(&[9; 32]),
        server.addr,
        25 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[0; 1024]).await.unwrap();
    assert_eq!(status_within(&mut stream).await, Some(403));
}

#[tokio::test]
async fn a_blob_is_served_by_range() {
    let server = start_relay(500.0, false).await;
    let mut a = Account::new("alice", 49).register(server.addr).await;
    let bytes = file_bytes(1_000);
    let id = grant(&mut a, 1, 1_000).await.unwrap();
    assert_eq!(put(server.addr, &id, &bytes).await, Some(201));
    let url = format!("http://{}/blobs/{}", server.addr, hex::encode(&id));
    let client = reqwest::Client::new();
    let ranged = |range: &'static str| {
        let request = client.get(&url).header("range", range);
        async move { request.send().await.unwrap() }
    };
    let part = ranged("bytes=100-199").await;
    assert_eq!(part.status().as_u16(), 206);
    assert_eq!(part.headers()["content-range"], "bytes 100-199/1000");
    assert_eq!(&part.bytes().await.unwrap()[..], &bytes[100..200]);
    let tail = ranged("bytes=-10").await;
    assert_eq!(&tail.bytes().await.unwrap()[..], &bytes[990..]);
    let past = ranged("bytes=1000-").await;
    assert_eq!(past.status().as_u16(), 416);
    assert_eq!(past.headers()["content-range"], "bytes */1000");
    let whole = ranged("bytes=0-1,5-6").await;
    assert_eq!(whole.status().as_u16(), 200);
    assert_eq!(whole.bytes().await.unwrap().len(), 1_000);
}

/// Review finding (issue 20's relay): a whole upload in progress still counts against its
/// device's quota and grants, so slow uploads cannot be stacked past the quota.
#[tokio::test]
async fn an_upload_in_progress_still_counts_against_the_quota() {
    let server = start_relay_with(|config| config.blob_quota_bytes = 100).await;
    let mut a = Account::new("alice", 50).register(server.addr).await;
    let id = grant(&mut a, 1, 60).await.unwrap();
    // The body is announced whole and sent in part: the upload is in progress.
    let mut stream = put_head(server.addr, &id, "Content-Length: 60\r\n").await;
    stream.write_all(&[1; 10]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(grant(&mut a, 2, 60).await, Err(ErrorCode::QuotaExceeded));
    stream.write_all(&[1; 50]).await.unwrap();
    assert_eq!(status_within(&mut stream).await, Some(201));
}
