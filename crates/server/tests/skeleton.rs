//! The server over real TCP on port 0: health, the app shell with its headers, and the
//! WebSocket's behaviour at shutdown and with oversized frames.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use hush_server::{Config, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

const LOADER: &str = "import init from '/hush-0123456789abcdef.js'; init();";

struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

/// A built-looking app: an index with trunk's inline loader and a hashed script.
#[allow(clippy::unwrap_used)]
fn fake_dist(dir: &Path) {
    std::fs::write(
        dir.join("index.html"),
        format!("<!DOCTYPE html><html><head><script type=\"module\">{LOADER}</script></head><body></body></html>"),
    )
    .unwrap();
    std::fs::write(
        dir.join("hush-0123456789abcdef.js"),
        "export default function(){}",
    )
    .unwrap();
    std::fs::write(dir.join("favicon.svg"), "<svg/>").unwrap();
}

#[allow(clippy::unwrap_used)]
async fn start(with_app: bool) -> Running {
    let data = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    if with_app {
        fake_dist(dist.path());
    }
    let config = Config {
        static_dir: dist.path().to_path_buf(),
        ..Config::local(&data.path().join("state"))
    };
    let server = Server::new(&config).unwrap();
    let listener = TcpListener::bind(config.addr).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve(listener, async move {
        let _ = stopped.await;
    }));
    Running {
        addr,
        stop,
        task,
        _dirs: (data, dist),
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A plain HTTP/1.1 GET over TCP, so the test sees exactly what a browser would.
#[allow(clippy::unwrap_used)]
async fn get(addr: SocketAddr, path: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

#[tokio::test]
async fn healthz_answers_ok_and_is_not_cached() {
    let server = start(true).await;
    let reply = get(server.addr, "/healthz").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, "ok");
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn index_is_revalidated_and_allows_only_its_own_loader_script() {
    let server = start(true).await;
    for path in ["/", "/index.html"] {
        let reply = get(server.addr, path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert!(reply.body.contains(LOADER));
        assert_eq!(reply.header("cache-control"), Some("no-cache"));
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        let csp = reply.header("content-security-policy").unwrap();
        assert!(csp.contains("'sha256-"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_others_revalidate() {
    let server = start(true).await;
    let js = get(server.addr, "/hush-0123456789abcdef.js").await;
    assert_eq!(js.status, 200);
    assert_eq!(
        js.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(js.header("content-type").unwrap().contains("javascript"));
    let icon = get(server.addr, "/favicon.svg").await;
    assert_eq!(icon.status, 200);
    assert_eq!(icon.header("cache-control"), Some("no-cache"));
}

#[tokio::test]
async fn client_routes_get_the_app_and_missing_files_a_404() {
    let server = start(true).await;
    let route = get(server.addr, "/chat/alice").await;
    assert_eq!(route.status, 200);
    assert!(route.body.contains(LOADER));
    let missing = get(server.addr, "/nope-0123456789abcdef.js").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn without_a_built_app_the_page_says_how_to_build_it() {
    let server = start(false).await;
    let reply = get(server.addr, "/").await;
    assert_eq!(reply.status, 503);
    assert!(reply.body.contains("cargo xtask run"), "{}", reply.body);
}

#[tokio::test]
async fn websocket_stays_open_then_closes_with_going_away_on_shutdown() {
    let server = start(true).await;
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", server.addr))
        .await
        .unwrap();
    // The relay opens with its authentication challenge, then waits.
    let challenge = tokio::time::timeout(Duration::from_secs(5), socket.next()).await;
    assert!(
        matches!(challenge, Ok(Some(Ok(Message::Binary(_))))),
        "{challenge:?}"
    );
    let quiet = tokio::time::timeout(Duration::from_millis(200), socket.next()).await;
    assert!(quiet.is_err(), "unexpected frame: {quiet:?}");

    server.stop.send(()).unwrap();
    let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
        .await
        .expect("close frame in time")
        .unwrap()
        .unwrap();
    match frame {
        Message::Close(Some(close)) => assert_eq!(close.code, CloseCode::Away),
        other => panic!("expected a close frame, got {other:?}"),
    }
    // And the server finishes its shutdown without waiting for the drain timeout.
    tokio::time::timeout(Duration::from_secs(4), server.task)
        .await
        .expect("serve returns")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn oversized_websocket_frames_close_the_connection_but_not_the_server() {
    let server = start(true).await;
    let url = format!("ws://{}/ws", server.addr);
    let (mut big, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    futures::SinkExt::send(&mut big, Message::binary(vec![0u8; 512 * 1024]))
        .await
        .unwrap();
    let end = loop {
        // Skip the challenge the relay sent on connecting.
        match tokio::time::timeout(Duration::from_secs(5), big.next())
            .await
            .unwrap()
        {
            Some(Ok(Message::Binary(_))) => continue,
            other => break other,
        }
    };
    assert!(
        matches!(end, None | Some(Err(_)) | Some(Ok(Message::Close(_)))),
        "{end:?}"
    );
    // Others are still served.
    assert_eq!(get(server.addr, "/healthz").await.status, 200);
    let (_ok, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
}

#[tokio::test]
async fn unwritable_data_dir_is_a_clear_error() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let config = Config {
        static_dir: "dist".into(),
        ..Config::local(&file.path().join("below-a-file"))
    };
    let error = Server::new(&config).err().expect("must fail").to_string();
    assert!(error.contains("HUSH_DATA"), "{error}");
}
