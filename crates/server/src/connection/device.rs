//! The relay loop of an authenticated device: its queue first, then live envelopes, notices
//! and the answers to its requests, in order.

use std::net::IpAddr;
use std::sync::Arc;

use super::socket::{binary, error, Out, Pings, Stream};
use crate::byte_queue;
use crate::hub::{CatchUp, Close, DeviceKey, Notice};
use crate::limits::SharedDeviceLimits;
use crate::requests::{self, Reply};
use crate::store::StoredEnvelope;
use crate::{now_ms, AppState};
use axum::extract::ws::Message;
use futures::future::BoxFuture;
use futures::stream::FuturesOrdered;
use futures::{FutureExt, StreamExt};
use hush_protocol::relay::{ClientFrame, ErrorCode, PresenceVisibility, ServerFrame};
use hush_protocol::Username;

#[cfg(feature = "fuzzing")]
pub(super) mod replay;

/// Envelopes read from the store per batch while catching up.
const DELIVERY_BATCH: usize = 256;
/// Payload bytes read from the store per batch (the envelope that passes it ends the batch):
/// a batch waits in memory while its envelopes go out, so a peer that reads nothing must not
/// make it hold 256 envelopes as large as they get (~19 MiB).
const DELIVERY_BYTES: usize = 256 * 1024;
/// Both, as the store takes them.
const BATCH: (usize, usize) = (DELIVERY_BATCH, DELIVERY_BYTES);
/// Requests of one connection whose answers may wait for a commit at once.
const IN_FLIGHT: usize = 256;
/// Bytes of notices (mostly live envelopes) that may wait for a connection; past that it
/// catches up from the store.
const NOTICE_BYTES: usize = 1024 * 1024;

/// What one message from the socket leads to.
enum Incoming {
    /// A request whose answer waits its turn among the answers in flight.
    Request(BoxFuture<'static, Reply>),
    /// Nothing to answer in turn; whether the connection is still alive.
    Handled(bool),
}

/// An authenticated device's connection: what the relay loop keeps between frames.
struct DeviceConnection<'a> {
    state: &'a AppState,
    out: &'a Out,
    device: DeviceKey,
    /// Set by the hub when live envelopes were missed: the store is read again.
    catch_up: Arc<CatchUp>,
    /// The device's rate limits, as its last connection left them.
    limits: SharedDeviceLimits,
    /// The client address its connection comes from (for the per-address limits).
    client: IpAddr,
    /// The id of the last envelope sent.
    delivered_up_to: u64,
    /// The accounts whose presence the device follows.
    watching: Vec<String>,
}

/// A device's connection once it joined: in the hub, greeted, its limits loaded.
struct Joined<'a> {
    connection: DeviceConnection<'a>,
    /// What the hub passes on to it.
    notices: byte_queue::Receiver<Notice>,
    /// Set by the hub when another connection replaced it, or it was unlinked.
    close: Arc<Close>,
    /// Its id in the hub.
    id: u64,
}

/// Joins the hub as `device` and greets it (see [`greet`]).
async fn join<'a>(
    state: &'a AppState,
    out: &'a Out,
    device: DeviceKey,
    client: IpAddr,
) -> Joined<'a> {
    let (notices_tx, notices) = byte_queue::channel::<Notice>(NOTICE_BYTES);
    let catch_up = Arc::new(CatchUp::default());
    let close = Arc::new(Close::default());
    // Before `connect` announces the device online: a hidden account is never announced.
    let visibility = requests::learn_visibility(state, &device.account).await;
    let id = state
        .hub
        .connect(&device, notices_tx, catch_up.clone(), close.clone());
    state.metrics.connections.inc();
    greet(state, out, &device, visibility).await;
    let limits = state.limits.device(&device);
    let connection = DeviceConnection {
        state,
        out,
        device,
        catch_up,
        limits,
        client,
        delivered_up_to: 0,
        watching: Vec::new(),
    };
    Joined {
        connection,
        notices,
        close,
        id,
    }
}

/// The relay loop of an authenticated device.
pub(super) async fn serve_device(
    stream: &mut Stream,
    out: &Out,
    state: &AppState,
    device: DeviceKey,
    client: IpAddr,
) {
    let Joined {
        mut connection,
        mut notices,
        close,
        id,
    } = join(state, out, device, client).await;
    let mut pings = Pings::start().await;
    let mut in_flight: FuturesOrdered<BoxFuture<'static, Reply>> = FuturesOrdered::new();
    let mut alive = connection.send_queue().await;
    while alive {
        tokio::select! {
            () = state.shutdown.cancelled() => break,
            // The writer stopped: the peer took nothing within the write deadline.
            () = out.closed() => break,
            () = close.requested() => {
                // No waiting for a stuck peer: without room the last words are dropped.
                if let Some(frame) = close.last_words() {
                    let _ = out.try_send(binary(&frame));
                }
                break;
            }
            () = pings.due() => alive = pings.ping(out).await,
            () = connection.catch_up.wanted() => alive = connection.catch_up().await,
            notice = notices.recv() => alive = connection.notice(notice).await,
            Some(reply) = in_flight.next(), if !in_flight.is_empty() => {
                alive = send_reply(out, reply).await;
            }
            message = stream.next(), if in_flight.len() < IN_FLIGHT => {
                pings.answered();
                match connection.message(message).await {
                    Incoming::Request(answer) => in_flight.push_back(answer),
                    Incoming::Handled(still) => alive = still,
                }
            }
        }
    }
    // Writes already submitted still commit; their answers just have nowhere to go.
    connection.leave(id).await;
}

/// What a device hears first: its account's list (so it knows its own devices before it sends
/// anything; its other devices hear it is active), its account's presence setting (so all its
/// devices agree), then `Authenticated`.
async fn greet(state: &AppState, out: &Out, device: &DeviceKey, visibility: PresenceVisibility) {
    let remaining = requests::one_time_prekey_count(state, device).await;
    requests::touch(state, device).await;
    if let Some(list) = requests::own_devices(state, &device.account).await {
        let _ = out.send(binary(&list)).await;
        state
            .hub
            .tell_others(&device.account, Some(device.device), &list);
    }
    let setting = ServerFrame::PresenceVisibility {
        request: 0,
        visibility,
    };
    let _ = out.send(binary(&setting)).await;
    let _ = out
        .send(binary(&ServerFrame::Authenticated {
            one_time_prekeys: remaining,
        }))
        .await;
}

impl DeviceConnection<'_> {
    /// The device's queue, its expiry notices, then `QueueDrained`. False when the connection
    /// is gone.
    async fn send_queue(&mut self) -> bool {
        self.deliver().await
            && send_reply(self.out, expiry_notices(self.state, &self.device).await).await
            && self
                .out
                .send(binary(&ServerFrame::QueueDrained))
                .await
                .is_ok()
    }

    /// Reads the store again: live envelopes were missed.
    async fn catch_up(&mut self) -> bool {
        self.catch_up.start();
        self.state.metrics.catch_ups.inc();
        self.deliver().await
    }

    /// A notice from the hub: a live envelope or a frame to pass on. False when the connection
    /// is gone.
    async fn notice(&mut self, notice: Option<Notice>) -> bool {
        match notice {
            Some(Notice::Envelope(stored)) => {
                // Already sent by a read, or a read is due that will send it in order.
                if stored.id > self.delivered_up_to && !self.catch_up.pending() {
                    self.delivered_up_to = stored.id;
                    return send_envelope(self.state, self.out, stored).await;
                }
                true
            }
            Some(Notice::Frame(bytes)) => self.out.send(Message::Binary(bytes)).await.is_ok(),
            None => false,
        }
    }

    /// One message from the socket.
    async fn message(&mut self, message: Option<Result<Message, axum::Error>>) -> Incoming {
        let bytes = match message {
            Some(Ok(Message::Binary(bytes))) => bytes,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => return Incoming::Handled(true),
            Some(Ok(Message::Text(_))) => {
                let refused = error(0, ErrorCode::Malformed, "binary frames only");
                return Incoming::Handled(self.out.send(refused).await.is_ok());
            }
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return Incoming::Handled(false),
        };
        let reply = match ClientFrame::decode(&bytes) {
            Ok(frame)
                if !self.state.limits.allow(
                    &self.limits,
                    self.client,
                    &self.device.account,
                    &frame,
                ) =>
            {
                self.state.metrics.rate_limited.inc();
                requests::refuse(
                    &frame,
                    (
                        ErrorCode::RateLimited,
                        "too many requests; slow down".to_owned(),
                    ),
                )
            }
            Ok(ClientFrame::Subscribe { accounts }) => {
                self.state.hub.unwatch(&self.device, &self.watching);
                let now = self.state.hub.watch(&self.device, &accounts);
                self.watching = accounts.into_iter().map(Username::into_string).collect();
                Reply::Frames(now)
            }
            Ok(frame) => requests::handle(self.state, &self.device, &self.limits, frame).await,
            Err(e) => Reply::Error(0, ErrorCode::Malformed, e.to_string()),
        };
        Incoming::Request(match reply {
            Reply::Later(answer) => answer,
            now => futures::future::ready(now).boxed(),
        })
    }

    /// Sends every queued envelope after `delivered_up_to`, in store order. Returns false when
    /// the connection is gone.
    async fn deliver(&mut self) -> bool {
        loop {
            let after = self.delivered_up_to;
            let batch = match requests::pending(self.state, &self.device, after, BATCH).await {
                Ok(batch) => batch,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the queue failed");
                    return self
                        .out
                        .send(error(0, ErrorCode::Internal, "queue unavailable"))
                        .await
                        .is_ok();
                }
            };
            let bytes: usize = batch.iter().map(|s| s.envelope.payload.len()).sum();
            let full = batch.len() == DELIVERY_BATCH || bytes >= DELIVERY_BYTES;
            for stored in batch {
                self.delivered_up_to = stored.id;
                if !send_envelope(self.state, self.out, stored).await {
                    return false;
                }
            }
            if !full {
                return true;
            }
        }
    }

    /// The device leaves: the hub forgets it, and its account's other devices hear when it was
    /// last here.
    async fn leave(self, id: u64) {
        let (state, device) = (self.state, &self.device);
        state.hub.unwatch(device, &self.watching);
        state.hub.disconnect(device, id, now_ms());
        state.metrics.connections.dec();
        requests::touch(state, device).await;
        if let Some(list) = requests::own_devices(state, &device.account).await {
            state.hub.tell_account(&device.account, &list);
        }
    }
}

/// Sends a reply (waiting for a later one); false when the connection is gone.
async fn send_reply(out: &Out, reply: Reply) -> bool {
    match reply {
        Reply::None => true,
        // The loop resolves these before answering; a nested one is answered in turn.
        Reply::Later(answer) => Box::pin(send_reply(out, answer.await)).await,
        Reply::Frames(frames) => {
            for frame in frames {
                if out.send(binary(&frame)).await.is_err() {
                    return false;
                }
            }
            true
        }
        Reply::Error(request, code, message) => {
            out.send(error(request, code, message)).await.is_ok()
        }
    }
}

/// The device's stored expiry notices (they stay until it acknowledges them).
async fn expiry_notices(state: &AppState, device: &DeviceKey) -> Reply {
    match requests::expiry_notices(state, device).await {
        Ok(frames) => Reply::Frames(frames),
        Err(_) => Reply::Error(
            0,
            ErrorCode::Internal,
            "expiry notices unavailable".to_owned(),
        ),
    }
}

/// One envelope to the device; false when the connection is gone.
async fn send_envelope(state: &AppState, out: &Out, stored: StoredEnvelope) -> bool {
    let e = stored.envelope;
    let Some(sender) = crate::names::stored(&e.sender) else {
        return true;
    };
    let frame = ServerFrame::Envelope {
        id: stored.id,
        sender,
        sender_device: e.sender_device,
        received_ms: e.received_ms,
        payload: e.payload.to_vec(),
    };
    let sent = out.send(binary(&frame)).await.is_ok();
    if sent {
        state.metrics.envelopes_out.inc();
    }
    sent
}
