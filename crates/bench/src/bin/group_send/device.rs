//! A device for the load: an engine on a memory store with its own WebSocket to the relay,
//! feeding the relay's frames to the engine and sending what the engine answers.

use std::net::SocketAddr;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use hush_bench::Failure;
use hush_client::store::memory::MemoryStore;
use hush_client::{Engine, Event, Output, Store, Username};
use hush_protocol::relay::{ClientFrame, ServerFrame};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long an expected event may take.
const WAIT: Duration = Duration::from_secs(10);

/// The clock every engine is given (the figures do not depend on it).
pub fn now() -> u64 {
    1_800_000_000_000
}

/// One device of one account.
pub struct Device {
    /// Its engine.
    pub engine: Engine<MemoryStore, ChaCha20Rng>,
    store: MemoryStore,
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Events not yet looked for.
    events: Vec<Event>,
}

impl Device {
    /// A new account `name` on a new device, with its prekeys on the relay.
    pub async fn register(relay: SocketAddr, name: &str, seed: u64) -> Result<Self, Failure> {
        let store = MemoryStore::new();
        let engine = Engine::open(store.clone(), ChaCha20Rng::seed_from_u64(seed)).await?;
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{relay}/ws")).await?;
        let mut device = Self {
            engine,
            store,
            ws,
            events: Vec::new(),
        };
        // The relay's challenge.
        device
            .pump_until(|_| false, Duration::from_millis(100))
            .await?;
        let out = device
            .engine
            .create_account(&Username::parse(name)?)
            .await?;
        device.output(out).await?;
        device.expect(|e| matches!(e, Event::Authenticated)).await?;
        device.settle(name).await?;
        Ok(device)
    }

    /// Sends the engine's frames and keeps its events.
    pub async fn output(&mut self, out: Output) -> Result<(), Failure> {
        for frame in out.frames {
            self.ws.send(Message::binary(frame.encode())).await?;
        }
        self.events.extend(out.events);
        Ok(())
    }

    /// Feeds the relay's frames to the engine until an event matches (returned) or `wait`
    /// passes (`None`).
    async fn pump_until(
        &mut self,
        wanted: impl Fn(&Event) -> bool,
        wait: Duration,
    ) -> Result<Option<Event>, Failure> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(i) = self.events.iter().position(&wanted) {
                return Ok(Some(self.events.remove(i)));
            }
            let Ok(Some(message)) = tokio::time::timeout_at(deadline, self.ws.next()).await else {
                return Ok(None);
            };
            let Message::Binary(bytes) = message? else {
                continue;
            };
            let out = self
                .engine
                .handle(ServerFrame::decode(&bytes)?, now())
                .await?;
            self.output(out).await?;
        }
    }

    /// The first event that matches, within [`WAIT`].
    pub async fn expect(&mut self, wanted: impl Fn(&Event) -> bool) -> Result<Event, Failure> {
        self.pump_until(wanted, WAIT)
            .await?
            .ok_or_else(|| format!("expected event not seen; had {:?}", self.events).into())
    }

    /// Runs until the outbox is empty (everything sent was stored by the relay).
    pub async fn drain(&mut self) -> Result<(), Failure> {
        for _ in 0..600 {
            if self.store.outbox().await?.is_empty() {
                return Ok(());
            }
            self.pump_until(|_| false, Duration::from_millis(100))
                .await?;
        }
        Err("the outbox did not empty".into())
    }

    /// Waits until the relay has handled everything this device sent so far (it handles a
    /// connection's frames in order: once it answers a probe, the prekeys are stored and
    /// others can start sessions).
    async fn settle(&mut self, name: &str) -> Result<(), Failure> {
        let probe = ClientFrame::FetchBundles {
            request: u32::MAX,
            account: Username::parse(name)?,
        };
        self.ws.send(Message::binary(probe.encode())).await?;
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .map_err(|_| "the relay did not answer the probe")?
                .ok_or("the relay closed the connection")?;
            let Message::Binary(bytes) = message? else {
                continue;
            };
            match ServerFrame::decode(&bytes)? {
                ServerFrame::Bundles {
                    request: u32::MAX, ..
                } => return Ok(()),
                frame => {
                    let out = self.engine.handle(frame, now()).await?;
                    self.output(out).await?;
                }
            }
        }
    }
}
