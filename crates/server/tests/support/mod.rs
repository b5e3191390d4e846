//! The relay test client shared by the integration tests: an in-process server on port 0, a
//! WebSocket client speaking hush-protocol's relay frames, and test accounts.
// Helpers, not tests: clippy.toml's test allowances do not reach them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod postgres;

use std::net::SocketAddr;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use hush_protocol::devices::{AccountKey, DeviceList, ListedDevice};
use hush_protocol::keys::{OneTimePreKeyPair, SignedPreKeyPair};
use hush_protocol::relay::{auth_message, ClientFrame, ServerFrame};
use hush_protocol::IdentityKeyPair;
use hush_server::{Config, Server};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const WAIT: Duration = Duration::from_secs(5);

/// A relay on a free loopback port with its own data directory; stops when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    /// Where the metrics are served (`Config::local` puts them on a loopback port of their own).
    pub metrics_addr: SocketAddr,
    pub data: tempfile::TempDir,
    _stop: oneshot::Sender<()>,
    /// Fires once the relay has stopped.
    finished: oneshot::Receiver<()>,
}

/// Starts a relay with the given per-device frame rate; `push_allow_private` lets it push to a
/// push service on loopback.
pub async fn start_relay(frames_per_second: f64, push_allow_private: bool) -> TestServer {
    start_relay_with(|config| {
        config.frames_per_second = frames_per_second;
        config.push_allow_private = push_allow_private;
    })
    .await
}

/// Starts a relay with the test defaults changed by `adjust`.
pub async fn start_relay_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
    start_relay_in(tempfile::tempdir().unwrap(), adjust).await
}

/// Starts a relay on the data directory `data` (a new one, or one a stopped relay left).
pub async fn start_relay_in(
    data: tempfile::TempDir,
    adjust: impl FnOnce(&mut Config),
) -> TestServer {
    let mut config = Config::local(data.path());
    adjust(&mut config);
    let server = Server::open(&config).await.unwrap();
    let listener = TcpListener::bind(config.addr).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let metrics = TcpListener::bind(config.metrics_addr.expect("tests read metrics"))
        .await
        .unwrap();
    let metrics_addr = metrics.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let (done, finished) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = server
            .serve_with_metrics(listener, Some(metrics), async move {
                let _ = stopped.await;
            })
            .await;
        let _ = done.send(());
    });
    TestServer {
        addr,
        metrics_addr,
        data,
        _stop: stop,
        finished,
    }
}

impl TestServer {
    /// Stops this relay (waiting until it has) and starts another on its data directory, on
    /// a new port: a restart.
    pub async fn restart(self) -> TestServer {
        let TestServer {
            data,
            _stop,
            finished,
            ..
        } = self;
        drop(_stop);
        let _ = tokio::time::timeout(Duration::from_secs(10), finished).await;
        start_relay_in(data, |_| {}).await
    }
}

/// The body of a successful GET.
pub async fn get(addr: SocketAddr, path: &str) -> String {
    let response = reqwest::get(format!("http://{addr}{path}")).await.unwrap();
    assert!(response.status().is_success());
    response.text().await.unwrap()
}

/// The relay's Prometheus text, from its metrics address.
pub async fn metrics(server: &TestServer) -> String {
    get(server.metrics_addr, "/metrics").await
}

/// One value from the relay's Prometheus text.
pub fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{name} missing from metrics:\n{text}"))
}

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub nonce: [u8; 32],
}

impl Client {
    /// Connects and reads the relay's challenge.
    pub async fn connect(addr: SocketAddr) -> Self {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
            .await
            .unwrap();
        let mut client = Self { ws, nonce: [0; 32] };
        match client.recv().await {
            ServerFrame::Challenge { nonce } => client.nonce = nonce,
            other => panic!("expected a challenge, got {other:?}"),
        }
        client
    }

    pub async fn send(&mut self, frame: &ClientFrame) {
        self.ws.send(Message::binary(frame.encode())).await.unwrap();
    }

    /// The next frame (pings, the account's own device list and its presence setting as told
    /// on every authentication skipped), within [`WAIT`].
    pub async fn recv(&mut self) -> ServerFrame {
        loop {
            match self.recv_any().await {
                ServerFrame::OwnDevices { .. }
                | ServerFrame::PresenceVisibility { request: 0, .. } => continue,
                frame => return frame,
            }
        }
    }

    /// The next frame (pings skipped), within [`WAIT`].
    pub async fn recv_any(&mut self) -> ServerFrame {
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a frame in time")
                .expect("the connection is open")
                .unwrap();
            match message {
                Message::Binary(bytes) => return ServerFrame::decode(&bytes).unwrap(),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    /// True when the server closed the connection.
    pub async fn closed(&mut self) -> bool {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next()).await {
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => continue,
                Err(_) => return false,
            }
        }
    }

    /// True when nothing arrives for `ms`.
    pub async fn quiet(&mut self, ms: u64) -> bool {
        tokio::time::timeout(Duration::from_millis(ms), self.ws.next())
            .await
            .is_err()
    }

    /// Envelopes up to `QueueDrained`, as (id, sender, payload).
    pub async fn drain(&mut self) -> Vec<(u64, String, Vec<u8>)> {
        let mut got = Vec::new();
        loop {
            match self.recv().await {
                ServerFrame::Envelope {
                    id,
                    sender,
                    payload,
                    ..
                } => got.push((id, sender.into_string(), payload)),
                ServerFrame::QueueDrained => return got,
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

/// A test account with one device (device 1).
pub struct Account {
    pub name: String,
    pub key: AccountKey,
    pub identity: IdentityKeyPair,
}

impl Account {
    pub fn new(name: &str, seed: u64) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        Self {
            name: name.to_owned(),
            key: AccountKey::generate(&mut rng),
            identity: IdentityKeyPair::generate(&mut rng),
        }
    }

    pub fn list(&self) -> DeviceList {
        let identity = self.identity.public();
        let device =
            ListedDevice::certify(&self.name, 1, identity, "Test browser", 0, &self.key).unwrap();
        DeviceList::sign(&self.name, 1, vec![device], &self.key).unwrap()
    }

    pub fn register_frame(&self, nonce: &[u8; 32]) -> ClientFrame {
        ClientFrame::Register {
            account_key: self.key.public(),
            device_list: self.list().encode(),
            device: 1,
            signature: self.identity.sign(&auth_message(nonce, &self.name, 1)),
        }
    }

    /// Uploads a signed prekey and `count` one-time prekeys for device 1 (then reachable).
    pub async fn upload(&self, client: &mut Client, count: u32) {
        self.upload_ids(client, 0..count).await;
    }

    /// Uploads a signed prekey and the one-time prekeys numbered `ids` for device 1.
    pub async fn upload_ids(&self, client: &mut Client, ids: std::ops::Range<u32>) {
        let mut rng = ChaCha20Rng::seed_from_u64(u64::from(ids.start) + u64::from(ids.end) + 99);
        let signed_prekey = SignedPreKeyPair::generate(1, &self.identity, &mut rng).public();
        let one_time = ids
            .map(|id| OneTimePreKeyPair::generate(id, &mut rng).public())
            .collect();
        client
            .send(&ClientFrame::UploadPreKeys {
                signed_prekey,
                one_time,
            })
            .await;
    }

    /// Registers on a new connection, which is then authenticated with an empty queue.
    pub async fn register(&self, addr: SocketAddr) -> Client {
        let mut client = Client::connect(addr).await;
        client
            .send(&self.register_frame(&client.nonce.clone()))
            .await;
        assert!(matches!(
            client.recv().await,
            ServerFrame::Authenticated { .. }
        ));
        assert_eq!(client.drain().await, vec![]);
        client
    }

    /// Authenticates device 1 on a new connection (its queue follows).
    pub async fn login(&self, addr: SocketAddr) -> Client {
        let mut client = Client::connect(addr).await;
        let signature = self
            .identity
            .sign(&auth_message(&client.nonce, &self.name, 1));
        client
            .send(&ClientFrame::Authenticate {
                account: user(&self.name),
                device: 1,
                signature,
            })
            .await;
        match client.recv().await {
            ServerFrame::Authenticated { .. } => client,
            other => panic!("login failed: {other:?}"),
        }
    }
}

/// The account `name`.
pub fn user(name: &str) -> hush_protocol::Username {
    hush_protocol::Username::parse(name).unwrap()
}
