//! Devices over the real relay on loopback: each an engine on a memory store with its own
//! WebSocket, exchanging real frames. Shared by the engine's relay tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use hush_client::store::memory::MemoryStore;
use hush_client::{ChatId, Engine, Event, Output, Status, Username};
use hush_protocol::relay::{ClientFrame, ServerFrame};
use hush_server::{Config, Server};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const WAIT: Duration = Duration::from_secs(10);

pub struct Relay {
    pub addr: SocketAddr,
    pub data: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Relay {
    /// How many rows of the relay's `table` belong to `account` (in its column `column`),
    /// read from its SQLite file.
    pub fn rows(&self, table: &str, column: &str, account: &str) -> i64 {
        let db = rusqlite::Connection::open(self.data.path().join("hush.db")).unwrap();
        db.query_row(
            &format!("SELECT count(*) FROM {table} WHERE {column} = ?1"),
            [account],
            |row| row.get(0),
        )
        .unwrap()
    }
}

pub async fn relay() -> Relay {
    start_on(tempfile::tempdir().unwrap()).await
}

/// A relay that lets each device send `frames_per_second` (for load tools).
pub async fn relay_at_rate(frames_per_second: f64) -> Relay {
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::local(data.path());
    config.frames_per_second = frames_per_second;
    start_with(config, data).await
}

/// A relay with the test defaults changed by `adjust`.
pub async fn relay_with(adjust: impl FnOnce(&mut Config)) -> Relay {
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::local(data.path());
    adjust(&mut config);
    start_with(config, data).await
}

/// Stops the relay and starts it again on the same data (nothing cached from before).
pub async fn restart(relay: Relay) -> Relay {
    let Relay { data, _stop, .. } = relay;
    drop(_stop);
    tokio::time::sleep(Duration::from_millis(200)).await;
    start_on(data).await
}

async fn start_on(data: tempfile::TempDir) -> Relay {
    let config = Config::local(data.path());
    start_with(config, data).await
}

async fn start_with(config: Config, data: tempfile::TempDir) -> Relay {
    let server = Server::new(&config).unwrap();
    let listener = TcpListener::bind(config.addr).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve(listener, async move {
        let _ = stopped.await;
    }));
    Relay {
        addr,
        data,
        _stop: stop,
    }
}

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Where a relay listens: one started here, or one in another process (the crash suite's).
pub trait At {
    fn addr(&self) -> SocketAddr;
}

impl At for Relay {
    fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl At for SocketAddr {
    fn addr(&self) -> SocketAddr {
        *self
    }
}

/// One device: an engine, its store, and its connection.
pub struct Device {
    pub engine: Engine<MemoryStore, ChaCha20Rng>,
    pub store: MemoryStore,
    pub ws: Ws,
    pub events: Vec<Event>,
    /// Every frame this device sent, in order.
    pub sent: Vec<ClientFrame>,
}

pub fn now() -> u64 {
    1_800_000_000_000
}

impl Device {
    /// Opens an engine on `store` and connects it.
    pub async fn open(relay: &impl At, store: MemoryStore, seed: u64) -> Self {
        let engine = Engine::open(store.clone(), ChaCha20Rng::seed_from_u64(seed))
            .await
            .unwrap();
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", relay.addr()))
            .await
            .unwrap();
        let mut device = Self {
            engine,
            store,
            ws,
            events: Vec::new(),
            sent: Vec::new(),
        };
        device
            .pump_until(|_| false, Duration::from_millis(100))
            .await;
        device
    }

    /// Opens an engine on `store` on a new connection (a browser restarted) and runs it for
    /// `wait`, losing every `Sent` the relay answers meanwhile, as if each connection died
    /// before its answer came: what it sends again after this, it sends as a resend.
    pub async fn open_losing_sent(relay: &impl At, store: MemoryStore, seed: u64) -> Self {
        let engine = Engine::open(store.clone(), ChaCha20Rng::seed_from_u64(seed))
            .await
            .unwrap();
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", relay.addr()))
            .await
            .unwrap();
        let mut device = Self {
            engine,
            store,
            ws,
            events: Vec::new(),
            sent: Vec::new(),
        };
        let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
        while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, device.ws.next()).await
        {
            let Message::Binary(bytes) = message else {
                continue;
            };
            let frame = ServerFrame::decode(&bytes).unwrap();
            if matches!(frame, ServerFrame::Sent { .. }) {
                continue;
            }
            let out = device.engine.handle(frame, now()).await.unwrap();
            device.output(out).await;
        }
        device
    }

    /// A new account on a new device, with its prekeys on the relay.
    pub async fn register(relay: &impl At, name: &str, seed: u64) -> Self {
        let mut device = Self::open(relay, MemoryStore::new(), seed).await;
        let out = device.engine.create_account(&user(name)).await.unwrap();
        device.output(out).await;
        device.expect(|e| matches!(e, Event::Authenticated)).await;
        device.settle().await;
        device
    }

    /// Waits until the relay has handled everything this device sent so far (it handles a
    /// connection's frames in order: once it answers a probe, an earlier prekey upload is
    /// stored and others can start sessions). Other frames go to the engine meanwhile.
    pub async fn settle(&mut self) {
        let name = self.engine.account().unwrap().name.clone();
        let probe = ClientFrame::FetchBundles {
            request: u32::MAX,
            account: name,
        };
        self.ws.send(Message::binary(probe.encode())).await.unwrap();
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next()).await.unwrap();
            let Message::Binary(bytes) = message.unwrap().unwrap() else {
                continue;
            };
            match ServerFrame::decode(&bytes).unwrap() {
                ServerFrame::Bundles {
                    request: u32::MAX, ..
                } => return,
                frame => {
                    let out = self.engine.handle(frame, now()).await.unwrap();
                    self.output(out).await;
                }
            }
        }
    }

    /// A new browser named `name`, linked to `approver`'s account by its code, with the
    /// history the approver sent imported; returns it and how many messages it imported.
    pub async fn link(
        relay: &impl At,
        approver: &mut Device,
        name: &str,
        seed: u64,
    ) -> (Self, usize) {
        let (device, imported, _) = Self::link_by_code(relay, approver, name, seed).await;
        (device, imported)
    }

    /// [`Device::link`], also returning the code it used.
    pub async fn link_by_code(
        relay: &impl At,
        approver: &mut Device,
        name: &str,
        seed: u64,
    ) -> (Self, usize, String) {
        let mut new = Self::open(relay, MemoryStore::new(), seed).await;
        new.engine.set_device_name(name);
        let (code, out) = new.engine.start_link().unwrap();
        new.output(out).await;
        new.expect(|e| matches!(e, Event::LinkOpened { expires_in_s: 300 }))
            .await;

        let out = approver.engine.fetch_link(&code).unwrap();
        approver.output(out).await;
        let asked = approver
            .expect(|e| matches!(e, Event::LinkRequest { .. }))
            .await;
        assert_eq!(
            asked,
            Event::LinkRequest {
                device_name: name.to_owned()
            }
        );
        let out = approver.engine.allow_link(now()).await.unwrap();
        approver.output(out).await;
        let Event::UploadHistory { id, blob } = approver
            .expect(|e| matches!(e, Event::UploadHistory { .. }))
            .await
        else {
            unreachable!()
        };
        put_blob(relay.addr(), &id, blob).await;
        let out = approver.engine.history_uploaded(true, now()).unwrap();
        approver.output(out).await;
        approver
            .expect(|e| matches!(e, Event::LinkDone { device_name } if device_name == name))
            .await;

        let Event::Linked { history } = new.expect(|e| matches!(e, Event::Linked { .. })).await
        else {
            unreachable!()
        };
        let history = history.expect("the approver sent history");
        let blob = get_blob(relay.addr(), &history.blob).await;
        let (imported, out) = new.engine.import_history(&history, &blob).await.unwrap();
        new.output(out).await;
        new.expect(|e| matches!(e, Event::Authenticated)).await;
        new.settle().await;
        (new, imported, code.to_string())
    }

    pub async fn output(&mut self, out: Output) {
        for frame in out.frames {
            if std::env::var_os("HUSH_TRACE").is_some() {
                let who = self.engine.account().map(|a| (a.name.clone(), a.device_id));
                eprintln!("{who:?} -> {frame:?}");
            }
            self.ws.send(Message::binary(frame.encode())).await.unwrap();
            self.sent.push(frame);
        }
        self.events.extend(out.events);
    }

    /// Feeds the relay's frames to the engine until an event matches (returned) or `wait`
    /// passes (None).
    pub async fn pump_until(
        &mut self,
        wanted: impl Fn(&Event) -> bool,
        wait: Duration,
    ) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(i) = self.events.iter().position(&wanted) {
                return Some(self.events.remove(i));
            }
            let next = tokio::time::timeout_at(deadline, self.ws.next()).await;
            let Ok(Some(Ok(message))) = next else {
                if std::env::var_os("HUSH_TRACE").is_some() {
                    eprintln!("pump ended: {next:?}");
                }
                return None;
            };
            let Message::Binary(bytes) = message else {
                continue;
            };
            let frame = ServerFrame::decode(&bytes).unwrap();
            if std::env::var_os("HUSH_TRACE").is_some() {
                let who = self.engine.account().map(|a| (a.name.clone(), a.device_id));
                eprintln!("{who:?} <- {frame:?}");
            }
            let out = self.engine.handle(frame, now()).await.unwrap();
            self.output(out).await;
        }
    }

    pub async fn expect(&mut self, wanted: impl Fn(&Event) -> bool) -> Event {
        match self.pump_until(wanted, WAIT).await {
            Some(event) => event,
            None => panic!("expected event not seen; had {:?}", self.events),
        }
    }

    /// Sends and waits until the relay stored it (bundles fetched and sessions made on the
    /// way), and until the transcript for our other devices has left too.
    pub async fn deliver(&mut self, to: &str, body: &str) -> [u8; 16] {
        let id = self.send(to, body).await;
        self.expect(status(id, Status::Sent)).await;
        self.settle().await;
        id
    }

    pub async fn send(&mut self, to: &str, body: &str) -> [u8; 16] {
        let (message, out) = self.engine.send_text(&chat(to), body, now()).await.unwrap();
        self.output(out).await;
        message.id
    }
}

/// Uploads a granted blob.
pub async fn put_blob(addr: SocketAddr, id: &[u8; 32], blob: Vec<u8>) {
    let response = reqwest::Client::new()
        .put(format!(
            "http://{addr}/blobs/{}",
            hush_protocol::hex::encode(id)
        ))
        .body(blob)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
}

/// Fetches a blob.
pub async fn get_blob(addr: SocketAddr, id: &[u8; 32]) -> Vec<u8> {
    let response = reqwest::get(format!(
        "http://{addr}/blobs/{}",
        hush_protocol::hex::encode(id)
    ))
    .await
    .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.bytes().await.unwrap().to_vec()
}

/// The account `name`.
pub fn user(name: &str) -> Username {
    Username::parse(name).unwrap()
}

/// The chat `name` (an account's, or `#` and a group id in hex).
pub fn chat(name: &str) -> ChatId {
    ChatId::parse(name).unwrap()
}

pub fn message_from<'a>(body: &'a str) -> impl Fn(&Event) -> bool + 'a {
    move |e| matches!(e, Event::Message(m) if m.body == body)
}

pub fn status(id: [u8; 16], wanted: Status) -> impl Fn(&Event) -> bool {
    move |e| matches!(e, Event::Status(i, s) if *i == id && *s == wanted)
}

/// Lets every device send and receive until all are idle.
pub async fn settle_all(devices: &mut [Device]) {
    for _ in 0..6 {
        for device in devices.iter_mut() {
            device
                .pump_until(|_| false, Duration::from_millis(60))
                .await;
        }
    }
}

/// A group called `name` of `size` accounts (`member0`, `member1` ...), made by the first
/// and settled on every device.
pub async fn group_of(relay: &Relay, size: usize, name: &str) -> (Vec<Device>, ChatId) {
    let names: Vec<String> = (0..size).map(|n| format!("member{n}")).collect();
    let mut devices = Vec::new();
    for (n, member) in names.iter().enumerate() {
        devices.push(Device::register(relay, member, 100 + n as u64).await);
    }
    let others: Vec<Username> = names[1..].iter().map(|m| user(m)).collect();
    let (group, out) = devices[0]
        .engine
        .create_group(name, "", &others, now())
        .await
        .unwrap();
    devices[0].output(out).await;
    settle_all(&mut devices).await;
    (devices, group)
}

/// Queues raw `content` from `device` to `to` under `id` (what a modified client could send),
/// ahead of whatever it sends next.
#[allow(dead_code)] // not every test binary sends raw content
pub async fn queue_raw(
    device: &mut Device,
    to: &str,
    id: [u8; 16],
    content: hush_client::content::Content,
) {
    use hush_client::Store;
    let entry = hush_client::OutboxEntry {
        id,
        to: chat(to),
        content: content.encode(),
        attempts: 0,
    };
    let changes = hush_client::Changes {
        outbox: vec![entry],
        ..hush_client::Changes::default()
    };
    device.store.commit(changes).await.unwrap();
}

/// Encrypts `plaintext` under a key from `seed`, asks `device`'s relay for a grant and uploads
/// it: the blob's id and what sealing gave.
#[allow(dead_code)] // not every test binary sends files
pub async fn upload_sealed(
    relay: &Relay,
    device: &mut Device,
    plaintext: &[u8],
    seed: u64,
) -> ([u8; 32], hush_protocol::attachment::Sealed) {
    let sealed =
        hush_protocol::attachment::seal(&mut ChaCha20Rng::seed_from_u64(seed), plaintext).unwrap();
    let (request, out) = device
        .engine
        .request_upload(sealed.ciphertext.len() as u64)
        .unwrap();
    device.output(out).await;
    let granted = device
        .expect(|e| matches!(e, Event::UploadGranted { request: r, .. } if *r == request))
        .await;
    let Event::UploadGranted { id, .. } = granted else {
        unreachable!()
    };
    put_blob(relay.addr, &id, sealed.ciphertext.clone()).await;
    (id, sealed)
}
