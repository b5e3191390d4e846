//! Connections that have not authenticated ("guests"): counted per client address (the
//! forwarded one behind a trusted proxy, IPv6 per /64) and in total, given a deadline to
//! authenticate or open a link, and let in only from the relay's own pages or native clients.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::time::Duration;

use hush_protocol::relay::{ClientFrame, ErrorCode, ServerFrame};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

mod support;

use support::{get, metric, start_relay_with, Account, Client, WAIT};

/// How a WebSocket upgrade went.
#[derive(Debug)]
enum Opened {
    /// Let in: the relay's challenge came.
    Challenge(Box<Client>),
    /// Upgraded, then refused with an error frame.
    Refused(ErrorCode, String),
    /// Refused before the upgrade.
    Http(u16),
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Client")
    }
}

/// Opens a WebSocket with extra request headers.
async fn open(addr: SocketAddr, headers: &[(&'static str, &str)]) -> Opened {
    let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    let ws = match tokio_tungstenite::connect_async(request).await {
        Ok((ws, _)) => ws,
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            return Opened::Http(response.status().as_u16())
        }
        Err(e) => panic!("the upgrade failed: {e}"),
    };
    let mut client = Client { ws, nonce: [0; 32] };
    match client.recv().await {
        ServerFrame::Challenge { nonce } => {
            client.nonce = nonce;
            Opened::Challenge(Box::new(client))
        }
        ServerFrame::Error { code, message, .. } => Opened::Refused(code, message),
        other => panic!("unexpected {other:?}"),
    }
}

fn admitted(opened: Opened, what: &str) -> Client {
    match opened {
        Opened::Challenge(client) => *client,
        other => panic!("{what}: expected a challenge, got {other:?}"),
    }
}

fn rate_limited(opened: Opened, what: &str) {
    match opened {
        Opened::Refused(ErrorCode::RateLimited, message) => {
            assert!(message.contains("try again"), "{what}: {message}");
        }
        other => panic!("{what}: expected a RateLimited refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_guests_are_counted_per_forwarded_address() {
    let relay = start_relay_with(|config| {
        config.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
        config.max_guests_per_ip = 2;
    })
    .await;
    let xff = |value| [("x-forwarded-for", value)];
    let _a1 = admitted(open(relay.addr, &xff("203.0.113.7")).await, "first");
    let _a2 = admitted(open(relay.addr, &xff("203.0.113.7")).await, "second");
    // Another client behind the same proxy has places of its own.
    let _b1 = admitted(
        open(relay.addr, &xff("203.0.113.8")).await,
        "another forwarded address",
    );
    rate_limited(open(relay.addr, &xff("203.0.113.7")).await, "a third");
    // The right-most address outside the trusted ranges is the client: what it wrote itself
    // to the left does not count.
    rate_limited(
        open(relay.addr, &xff("198.51.100.1, 203.0.113.7")).await,
        "a spoofed left-most address",
    );
    let forwarded = [("forwarded", "for=198.51.100.9;proto=https")];
    let _c1 = admitted(open(relay.addr, &forwarded).await, "Forwarded");
    let metrics = get(relay.metrics_addr, "/metrics").await;
    assert_eq!(metric(&metrics, "hush_guests_refused_total"), 2);
}

#[tokio::test]
async fn forwarded_headers_from_untrusted_peers_are_ignored() {
    let relay = start_relay_with(|config| config.max_guests_per_ip = 1).await;
    let _first = admitted(
        open(relay.addr, &[("x-forwarded-for", "203.0.113.1")]).await,
        "first",
    );
    rate_limited(
        open(relay.addr, &[("x-forwarded-for", "203.0.113.2")]).await,
        "a made-up address",
    );
}

#[tokio::test]
async fn ipv6_guests_are_counted_per_64() {
    let relay = start_relay_with(|config| {
        config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        config.max_guests_per_ip = 1;
    })
    .await;
    let xff = |value| [("x-forwarded-for", value)];
    let _first = admitted(open(relay.addr, &xff("2001:db8::1")).await, "first");
    rate_limited(open(relay.addr, &xff("2001:db8::2")).await, "the same /64");
    let _other = admitted(
        open(relay.addr, &xff("2001:db8:0:1::1")).await,
        "another /64",
    );
}

#[tokio::test]
async fn unauthenticated_connections_are_limited_in_total() {
    let relay = start_relay_with(|config| {
        config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        config.max_guests = 2;
    })
    .await;
    let xff = |value| [("x-forwarded-for", value)];
    let first = admitted(open(relay.addr, &xff("203.0.113.1")).await, "first");
    let _second = admitted(open(relay.addr, &xff("203.0.113.2")).await, "second");
    rate_limited(open(relay.addr, &xff("203.0.113.3")).await, "a third");
    // Signing in frees a place.
    let alice = Account::new("alice", 1);
    let mut first = first;
    first
        .send(&alice.register_frame(&first.nonce.clone()))
        .await;
    assert!(matches!(
        first.recv().await,
        ServerFrame::Authenticated { .. }
    ));
    let _third = admitted(open(relay.addr, &xff("203.0.113.3")).await, "after sign-in");
}

#[tokio::test]
async fn a_guest_must_authenticate_or_open_a_link_in_time() {
    let relay = start_relay_with(|config| config.guest_deadline_ms = 300).await;
    // Closed, with no error to show: a browser on the sign-up screen just connects again.
    let mut idle = Client::connect(relay.addr).await;
    assert!(idle.closed().await, "the idle guest was not closed");

    // Signed in in time, and then in no hurry.
    let alice = Account::new("alice", 1);
    let mut a = alice.register(relay.addr).await;
    tokio::time::sleep(Duration::from_millis(900)).await;
    a.send(&ClientFrame::PushUnsubscribe).await;
    assert_eq!(a.recv().await, ServerFrame::PushSubscribed);
}

#[tokio::test]
async fn the_websocket_upgrade_checks_the_origin() {
    let relay = start_relay_with(|config| {
        config.allowed_origins = vec!["https://app.example".to_owned()];
    })
    .await;
    // Native clients send none; the relay's own page sends its own origin.
    admitted(open(relay.addr, &[]).await, "no Origin");
    let own = format!("http://{}", relay.addr);
    admitted(
        open(relay.addr, &[("origin", &own)]).await,
        "the relay's own page",
    );
    admitted(
        open(relay.addr, &[("origin", "https://app.example")]).await,
        "an allowed origin",
    );
    for other in [
        "https://evil.example",
        "null",
        "https://app.example.evil.example",
    ] {
        match open(relay.addr, &[("origin", other)]).await {
            Opened::Http(403) => {}
            opened => panic!("{other}: expected 403, got {opened:?}"),
        }
    }
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_dropped() {
    let relay = start_relay_with(|config| config.http_timeout_ms = 300).await;
    let mut tcp = tokio::net::TcpStream::connect(relay.addr).await.unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut rest = Vec::new();
    let read = tokio::time::timeout(WAIT * 2, tcp.read_to_end(&mut rest)).await;
    assert!(read.is_ok(), "the half-sent request was never dropped");
}

/// A browser waiting at a link code outlives the deadline (until the link expires); once its
/// provisioning message came, it has a fresh deadline to sign in.
#[tokio::test]
async fn a_guest_holding_an_open_link_outlives_the_deadline() {
    let relay = start_relay_with(|config| config.guest_deadline_ms = 300).await;
    let alice = Account::new("alice", 1);
    let mut a = alice.register(relay.addr).await;
    let mut browser = Client::connect(relay.addr).await;
    let address = [9; 6];
    browser
        .send(&ClientFrame::OpenLink {
            address,
            announcement: vec![1; 64],
        })
        .await;
    assert!(matches!(
        browser.recv().await,
        ServerFrame::LinkOpened { .. }
    ));
    // Three deadlines pass while it waits for the approval.
    tokio::time::sleep(Duration::from_millis(900)).await;
    a.send(&ClientFrame::FetchLink {
        request: 1,
        address,
    })
    .await;
    assert!(matches!(
        a.recv().await,
        ServerFrame::LinkAnnouncement { request: 1, .. }
    ));
    a.send(&ClientFrame::Provision {
        request: 2,
        address,
        sealed: vec![2; 32],
    })
    .await;
    assert_eq!(a.recv().await, ServerFrame::Provisioned { request: 2 });
    assert_eq!(
        browser.recv().await,
        ServerFrame::Provisioning {
            sealed: vec![2; 32]
        }
    );
    // It does not sign in: closed after a fresh deadline, and counted.
    assert!(
        browser.closed().await,
        "the provisioned guest was not closed"
    );
    let metrics = get(relay.metrics_addr, "/metrics").await;
    assert_eq!(metric(&metrics, "hush_guests_timed_out_total"), 1);
}
