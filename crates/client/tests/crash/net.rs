//! Devices over a relay that dies: each an engine on a memory store with its own WebSocket, as
//! `support::Device` is, but read by a task of its own so one loop can serve them all, and
//! reconnected (a new connection, `Engine::reset_connection`) whenever the relay restarts.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use hush_client::store::memory::MemoryStore;
use hush_client::{Engine, Event, Output, Status, Store};
use hush_protocol::relay::{SendOutcome, ServerFrame};
use rand_chacha::ChaCha20Rng;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use super::ledger::Ledger;
use super::relay::RelayProcess;
use crate::support::{now, Device, Ws};

/// What a device's reader task hands the loop: a frame, or the end of that connection.
struct Heard {
    device: usize,
    generation: u64,
    frame: Option<Vec<u8>>,
}

/// One device.
pub struct Node {
    pub account: String,
    pub engine: Engine<MemoryStore, ChaCha20Rng>,
    pub store: MemoryStore,
    sink: Option<SplitSink<Ws, Message>>,
    /// Which connection is current: frames from older ones are dropped.
    generation: u64,
}

/// Counts of what happened besides the texts (for the report).
#[derive(Default, Debug)]
pub struct Counts {
    pub frames_handled: u64,
    /// Sends the relay answered with `Mismatch` (a normal retry path, not an error).
    pub mismatches: u64,
    pub relay_errors: u64,
    pub undecryptable: u64,
    /// Connections the relay closed while it ran (reconnected at once).
    pub dropped: u64,
    /// Frames that could not be written (the relay had died).
    pub unwritten: u64,
}

/// Every device, the relay they use, and the ledger their events go to.
pub struct Net {
    pub nodes: Vec<Node>,
    relay: Option<RelayProcess>,
    data: PathBuf,
    heard_tx: mpsc::UnboundedSender<Heard>,
    heard: mpsc::UnboundedReceiver<Heard>,
    generation: u64,
    pub ledger: Ledger,
    pub counts: Counts,
    /// Texts written and not yet `Sent` by their sender.
    pub pending: Vec<hush_client::MessageId>,
    pub kills: u32,
}

impl Net {
    pub fn new(relay: RelayProcess, data: PathBuf) -> Self {
        let (heard_tx, heard) = mpsc::unbounded_channel();
        Self {
            nodes: Vec::new(),
            relay: Some(relay),
            data,
            heard_tx,
            heard,
            generation: 0,
            ledger: Ledger::default(),
            counts: Counts::default(),
            pending: Vec::new(),
            kills: 0,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.relay.as_ref().map(|r| r.addr).expect("a relay runs")
    }

    /// Takes over a device set up by `support` (its connection stays: same relay).
    pub fn adopt(&mut self, device: Device, account: &str) {
        let Device {
            engine, store, ws, ..
        } = device;
        let index = self.nodes.len();
        let (sink, stream) = ws.split();
        self.nodes.push(Node {
            account: account.to_owned(),
            engine,
            store,
            sink: Some(sink),
            generation: self.generation,
        });
        self.read(index, self.generation, stream);
    }

    fn read(&self, device: usize, generation: u64, mut stream: futures::stream::SplitStream<Ws>) {
        let tx = self.heard_tx.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                if let Message::Binary(bytes) = message {
                    let frame = Some(bytes.to_vec());
                    if tx
                        .send(Heard {
                            device,
                            generation,
                            frame,
                        })
                        .is_err()
                    {
                        return;
                    }
                }
            }
            let _ = tx.send(Heard {
                device,
                generation,
                frame: None,
            });
        });
    }

    /// A new connection for `device` to the current relay.
    async fn connect(&mut self, device: usize) {
        let url = format!("ws://{}/ws", self.addr());
        let mut tries = 0;
        let ws = loop {
            match tokio_tungstenite::connect_async(url.as_str()).await {
                Ok((ws, _)) => break ws,
                Err(error) if tries < 100 => {
                    tries += 1;
                    eprintln!("device {device}: connecting again after {error}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(error) => panic!("device {device} cannot reach the relay: {error}"),
            }
        };
        let (sink, stream) = ws.split();
        let node = &mut self.nodes[device];
        node.engine.reset_connection();
        node.sink = Some(sink);
        node.generation = self.generation;
        self.read(device, self.generation, stream);
    }

    /// SIGKILLs the relay, handles what the devices had received before it died, starts it
    /// again on the same database and reconnects every device.
    pub async fn crash(&mut self) {
        if let Some(relay) = self.relay.take() {
            relay.kill().await;
        }
        self.kills += 1;
        // Frames already received are read, as a browser would before noticing the close.
        while let Ok(heard) = self.heard.try_recv() {
            self.hear(heard).await;
        }
        self.relay = Some(RelayProcess::start(&self.data).await);
        self.generation += 1;
        for device in 0..self.nodes.len() {
            self.connect(device).await;
        }
    }

    /// Waits up to `wait` for one frame (or the end of a connection) and handles it; false if
    /// nothing came.
    pub async fn step(&mut self, wait: Duration) -> bool {
        match tokio::time::timeout(wait, self.heard.recv()).await {
            Ok(Some(heard)) => {
                self.hear(heard).await;
                true
            }
            _ => false,
        }
    }

    /// Handles every frame already received.
    pub async fn drain(&mut self) {
        while let Ok(heard) = self.heard.try_recv() {
            self.hear(heard).await;
        }
    }

    async fn hear(&mut self, heard: Heard) {
        let Heard {
            device,
            generation,
            frame,
        } = heard;
        if generation != self.nodes[device].generation {
            return;
        }
        let Some(bytes) = frame else {
            // The relay closed this connection while running: a browser reconnects.
            if self.relay.is_some() {
                self.counts.dropped += 1;
                self.connect(device).await;
            }
            return;
        };
        let frame = ServerFrame::decode(&bytes).expect("the relay sends frames that decode");
        if let ServerFrame::Sent {
            outcome: SendOutcome::Mismatch { .. },
            ..
        } = &frame
        {
            self.counts.mismatches += 1;
        }
        self.counts.frames_handled += 1;
        let node = &mut self.nodes[device];
        let out = match node.engine.handle(frame, now()).await {
            Ok(out) => out,
            Err(error) => panic!("device {device} ({}): {error}", node.account),
        };
        self.output(device, out).await;
    }

    /// Sends a device's frames and books its events.
    pub async fn output(&mut self, device: usize, out: Output) {
        let node = &mut self.nodes[device];
        for frame in out.frames {
            let Some(sink) = node.sink.as_mut() else {
                self.counts.unwritten += 1;
                continue;
            };
            if sink.send(Message::binary(frame.encode())).await.is_err() {
                // The relay died: nothing more goes on this connection.
                node.sink = None;
                self.counts.unwritten += 1;
            }
        }
        for event in out.events {
            match event {
                Event::Message(message) => self.ledger.shown(device, &message),
                Event::Status(id, Status::Sent) => self.pending.retain(|p| *p != id),
                Event::Status(id, Status::Failed) => {
                    self.pending.retain(|p| *p != id);
                    self.ledger.failed(&id);
                }
                Event::RelayError(message) => {
                    self.counts.relay_errors += 1;
                    eprintln!("device {device}: relay error: {message}");
                }
                Event::Undecryptable { from } => {
                    self.counts.undecryptable += 1;
                    eprintln!("device {device}: undecryptable from {from}");
                }
                _ => {}
            }
        }
    }

    /// Texts and receipts still waiting in the devices' outboxes.
    pub async fn outboxes(&self) -> usize {
        let mut waiting = 0;
        for node in &self.nodes {
            waiting += node.store.outbox().await.expect("memory store").len();
        }
        waiting
    }

    /// Runs until no outbox holds anything and nothing was heard for `idle`, or until
    /// nothing was heard for `give_up` (then false).
    pub async fn settle(&mut self, idle: Duration, give_up: Duration) -> bool {
        let mut quiet = Duration::ZERO;
        loop {
            if self.step(idle).await {
                self.drain().await;
                quiet = Duration::ZERO;
                continue;
            }
            quiet += idle;
            if self.outboxes().await == 0 {
                return true;
            }
            if quiet >= give_up {
                return false;
            }
        }
    }
}
