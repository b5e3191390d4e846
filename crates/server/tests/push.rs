//! Web Push end to end: the relay wakes offline devices through a real (local) push service,
//! npm's `web-push-testing`, which issues subscriptions, checks the VAPID signature and decrypts
//! the aes128gcm payload. Needs `npm ci` (or `cargo xtask setup`) at the workspace root; skipped
//! only when `node` itself is missing.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hush_protocol::relay::{ClientFrame, OutgoingEnvelope, SendOutcome, ServerFrame};
use hush_server::store::sqlite::SqliteStore;
use hush_server::store::Store;
use serde_json::{json, Value};

mod support;

use support::{get, metric, user, Account, Client, TestServer};

// ---------------------------------------------------------------------------------------------
// The push service.

/// `web-push-testing`'s server process, killed on drop. (Its `start` command detaches the server
/// and remembers it in a file; the test runs the server script itself so it owns the process.)
struct PushService {
    child: Child,
    base: String,
}

impl Drop for PushService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn node_available() -> bool {
    Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[allow(clippy::unwrap_used)]
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[allow(clippy::unwrap_used, clippy::expect_used)]
fn start_push_service() -> PushService {
    // At run time: a test binary reused from another clone's build keeps that clone's path.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let root = manifest_dir.join("../..");
    let script = root.join("node_modules/web-push-testing/src/bin/server.js");
    assert!(
        script.exists(),
        "{} is missing: run `npm ci` at the workspace root (or `cargo xtask setup`)",
        script.display()
    );
    let port = free_port();
    let mut child = Command::new("node")
        .arg(&script)
        .arg(port.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let service = PushService {
        child,
        base: format!("http://localhost:{port}"),
    };
    // It prints "Server running on port N" once it listens.
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.contains("Server running") {
                let _ = ready_tx.send(());
            }
        }
    });
    ready_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("web-push-testing started");
    service
}

struct Subscription {
    endpoint: String,
    p256dh: [u8; 65],
    auth: [u8; 16],
    client_hash: String,
}

#[allow(clippy::unwrap_used)]
async fn post_json(url: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[allow(clippy::unwrap_used)]
impl PushService {
    async fn subscribe(&self, vapid_public_key: &str) -> Subscription {
        let (status, body) = post_json(
            &format!("{}/subscribe", self.base),
            &json!({"userVisibleOnly": "true", "applicationServerKey": vapid_public_key}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let data = &body["data"];
        let decode = |field: &Value| URL_SAFE_NO_PAD.decode(field.as_str().unwrap()).unwrap();
        Subscription {
            endpoint: data["endpoint"].as_str().unwrap().to_owned(),
            p256dh: decode(&data["keys"]["p256dh"]).try_into().unwrap(),
            auth: decode(&data["keys"]["auth"]).try_into().unwrap(),
            client_hash: data["clientHash"].as_str().unwrap().to_owned(),
        }
    }

    /// The decrypted payloads the service accepted for the subscription.
    async fn messages(&self, sub: &Subscription) -> Vec<String> {
        let (status, body) = post_json(
            &format!("{}/get-notifications", self.base),
            &json!({"clientHash": sub.client_hash}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        body["data"]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().to_owned())
            .collect()
    }

    /// Waits until the subscription has received at least `n` messages (or the time is up).
    async fn wait_for(&self, sub: &Subscription, n: usize) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let messages = self.messages(sub).await;
            if messages.len() >= n || tokio::time::Instant::now() > deadline {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn expire(&self, sub: &Subscription) {
        let response = reqwest::Client::new()
            .post(format!(
                "{}/expire-subscription/{}",
                self.base, sub.client_hash
            ))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }
}

// ---------------------------------------------------------------------------------------------
// The relay and a minimal client (as in tests/relay.rs).

/// A relay that pushes to the local push service, with a one-second coalescing window.
async fn start_relay() -> TestServer {
    support::start_relay_with(|config| {
        config.push_allow_private = true;
        config.push_window_ms = 1000;
    })
    .await
}

/// Push-specific requests of the shared test client.
impl Client {
    async fn send_to(&mut self, recipient: &str, n: u8, payload: &[u8]) {
        let client_id = [n; 16];
        self.send(&ClientFrame::Send {
            client_id,
            recipient: user(recipient),
            envelopes: vec![OutgoingEnvelope {
                device: 1,
                payload: payload.to_vec(),
            }],
        })
        .await;
        assert_eq!(
            self.recv().await,
            ServerFrame::Sent {
                client_id,
                outcome: SendOutcome::Stored
            }
        );
    }

    async fn push_subscribe(&mut self, sub: &Subscription) {
        self.send(&ClientFrame::PushSubscribe {
            endpoint: sub.endpoint.clone(),
            p256dh: sub.p256dh,
            auth: sub.auth,
        })
        .await;
        assert_eq!(self.recv().await, ServerFrame::PushSubscribed);
    }
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn offline_devices_are_woken_by_content_free_coalesced_pushes() {
    if !node_available() {
        eprintln!("SKIPPED: node is not installed, so web-push-testing cannot run");
        return;
    }
    let push = start_push_service();
    let relay = start_relay().await;
    let vapid = get(relay.addr, "/vapid-public-key").await;
    let point = URL_SAFE_NO_PAD.decode(vapid.trim()).unwrap();
    assert_eq!(
        (point.len(), point[0]),
        (65, 4),
        "an uncompressed P-256 point"
    );

    let alice = Account::new("alice", 1);
    let bob = Account::new("bob", 2);
    let carol = Account::new("carol", 3);
    let mut a = alice.register(relay.addr).await;
    let mut b = bob.register(relay.addr).await;
    let mut c = carol.register(relay.addr).await;
    let bob_sub = push.subscribe(&vapid).await;
    let carol_sub = push.subscribe(&vapid).await;
    b.push_subscribe(&bob_sub).await;
    c.push_subscribe(&carol_sub).await;

    // Bob goes offline; alice learns it through presence, so the relay knows it too.
    a.send(&ClientFrame::Subscribe {
        accounts: vec![user("bob")],
    })
    .await;
    assert!(matches!(
        a.recv().await,
        ServerFrame::Presence { online: true, .. }
    ));
    b.ws.close(None).await.unwrap();
    drop(b);
    assert!(matches!(
        a.recv().await,
        ServerFrame::Presence { online: false, .. }
    ));

    // Carol is online: her envelope goes down the WebSocket, and no push is sent.
    let secret: &[u8] = b"ciphertext-marker-7f3a";
    a.send_to("carol", 1, secret).await;
    assert!(matches!(c.recv().await, ServerFrame::Envelope { .. }));

    // Bob is offline: one send, then a burst of five inside the coalescing window. The first
    // wakes him at once; the burst, still queued when the window ends, gets one push then.
    a.send_to("bob", 2, secret).await;
    for n in 3..8 {
        a.send_to("bob", n, secret).await;
    }
    let messages = push.wait_for(&bob_sub, 2).await;
    assert_eq!(
        messages.len(),
        2,
        "one push now, one for the burst: {messages:?}"
    );
    // Nothing more arrives for the burst (or for carol).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let messages = push.messages(&bob_sub).await;
    assert_eq!(messages.len(), 2, "the burst was coalesced: {messages:?}");
    assert_eq!(push.messages(&carol_sub).await, Vec::<String>::new());

    // The service checked VAPID and decrypted the aes128gcm body: it holds a wake-up only.
    assert_wake_up_only(&messages[0], secret);
    let metrics = get(relay.metrics_addr, "/metrics").await;
    assert_eq!(metric(&metrics, "hush_pushes_sent_total"), 2);
    assert_eq!(metric(&metrics, "hush_pushes_failed_total"), 0);

    a_gone_subscription_is_dropped(&push, &relay, &mut a, &bob_sub, secret).await;
}

/// A push's decrypted body: a wake-up, naming neither the sender nor anything of the message.
#[allow(clippy::unwrap_used)]
fn assert_wake_up_only(text: &str, secret: &[u8]) {
    let body: Value = serde_json::from_str(text).unwrap();
    assert_eq!(body["t"], "wake", "{body}");
    assert!(!text.contains("alice"), "{text}");
    assert!(!text.contains("ciphertext-marker"), "{text}");
    assert!(!text.contains(&URL_SAFE_NO_PAD.encode(secret)), "{text}");
}

/// Bob's subscription expires at the service: the next push (at the end of the window) gets
/// 410 and the relay drops the subscription.
#[allow(clippy::unwrap_used)]
async fn a_gone_subscription_is_dropped(
    push: &PushService,
    relay: &TestServer,
    a: &mut Client,
    bob_sub: &Subscription,
    secret: &[u8],
) {
    push.expire(bob_sub).await;
    a.send_to("bob", 9, secret).await;
    let store = SqliteStore::open(&relay.data.path().join("hush.db")).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while store.push_subscription("bob", 1).await.unwrap().is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the gone subscription was not deleted"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let metrics = get(relay.metrics_addr, "/metrics").await;
    assert_eq!(metric(&metrics, "hush_pushes_sent_total"), 2);
    assert_eq!(metric(&metrics, "hush_pushes_failed_total"), 1);
    assert_eq!(push.messages(bob_sub).await.len(), 2);
}

#[tokio::test]
async fn push_subscriptions_can_be_dropped() {
    let relay = start_relay().await;
    let bob = Account::new("bob", 2);
    let mut b = bob.register(relay.addr).await;
    let sub = Subscription {
        endpoint: "https://push.example/abc".into(),
        p256dh: [4; 65],
        auth: [1; 16],
        client_hash: String::new(),
    };
    b.push_subscribe(&sub).await;
    let store = SqliteStore::open(&relay.data.path().join("hush.db")).unwrap();
    let stored = store.push_subscription("bob", 1).await.unwrap().unwrap();
    assert_eq!(stored.endpoint, sub.endpoint);
    b.send(&ClientFrame::PushUnsubscribe).await;
    assert_eq!(b.recv().await, ServerFrame::PushSubscribed);
    assert_eq!(store.push_subscription("bob", 1).await.unwrap(), None);
}

/// Bob's device goes offline, as `a` (watching his presence) sees.
#[allow(clippy::unwrap_used)]
async fn goes_offline(a: &mut Client, mut b: Client) {
    b.ws.close(None).await.unwrap();
    drop(b);
    loop {
        if let ServerFrame::Presence { online: false, .. } = a.recv().await {
            return;
        }
    }
}

/// A wake-up within the window of the last push is delayed, not dropped: the woken device
/// drained its queue, then a new envelope arrives; it gets a push when the window ends.
#[tokio::test]
async fn an_envelope_after_the_woken_device_drained_still_gets_a_push() {
    if !node_available() {
        eprintln!("SKIPPED: node is not installed, so web-push-testing cannot run");
        return;
    }
    let push = start_push_service();
    let relay = start_relay().await;
    let vapid = get(relay.addr, "/vapid-public-key").await;
    let (alice, bob) = (Account::new("alice", 1), Account::new("bob", 2));
    let mut a = alice.register(relay.addr).await;
    let mut b = bob.register(relay.addr).await;
    let sub = push.subscribe(&vapid).await;
    b.push_subscribe(&sub).await;
    a.send(&ClientFrame::Subscribe {
        accounts: vec![user("bob")],
    })
    .await;
    goes_offline(&mut a, b).await;

    a.send_to("bob", 1, b"first").await;
    assert_eq!(push.wait_for(&sub, 1).await.len(), 1, "the first wake-up");
    // The woken service worker drains and acknowledges the queue, then goes away.
    let mut b = bob.login(relay.addr).await;
    let ids = b.drain().await.into_iter().map(|(id, _, _)| id).collect();
    b.send(&ClientFrame::Ack { ids }).await;
    goes_offline(&mut a, b).await;

    a.send_to("bob", 2, b"second").await;
    let messages = push.wait_for(&sub, 2).await;
    assert_eq!(
        messages.len(),
        2,
        "the second envelope got no push: {messages:?}"
    );
}
