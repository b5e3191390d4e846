//! One client connection: challenge, authentication (or registration), then the relay loop.
//!
//! Ordering and durability: an envelope is committed to the store before its sender hears
//! `Sent`, and a device's connection sends envelopes in id order: first its queue read from the
//! store, then the envelopes the store's commits hand it live (see `hub`), skipping any it has
//! sent already; if it fell behind and missed some, it reads the store again. An envelope
//! leaves the store only when that device acks it.
//!
//! Pipelining: writes (sends, acks) are submitted to the store's group commit and the loop goes
//! on reading; their answers leave in request order as the commits land. Up to
//! [`IN_FLIGHT`] requests may wait so; beyond that the loop stops reading the socket.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket};
use futures::future::BoxFuture;
use futures::stream::FuturesOrdered;
use futures::{FutureExt, SinkExt, StreamExt};
use hush_protocol::relay::{ClientFrame, ErrorCode, ServerFrame};
use rand_core::{OsRng, RngCore};
use tokio::sync::mpsc;

use crate::guests::GuestPass;
use crate::hub::{CatchUp, DeviceKey, Notice};
use crate::limits::DeviceLimits;
use crate::links::{OpenRefused, LINK_LIFETIME};
use crate::requests::{self, Reply};
use crate::store::StoredEnvelope;
use crate::{now_ms, AppState};

/// How often the server pings; two unanswered pings drop the connection.
const PING_EVERY: Duration = Duration::from_secs(30);
/// Envelopes read from the store per batch while catching up.
const DELIVERY_BATCH: usize = 256;
/// Frames that may wait for the socket before the connection counts as stuck.
const OUTGOING_QUEUE: usize = 512;
/// Requests of one connection whose answers may wait for a commit at once.
const IN_FLIGHT: usize = 256;
/// Notices (mostly live envelopes) that may wait for a connection; past that it catches up
/// from the store.
const NOTICES: usize = 1024;

/// Runs a connection to its end. `guest` holds its place among its address's unauthenticated
/// connections until it authenticates.
pub(crate) async fn run(socket: WebSocket, state: AppState, guest: Option<GuestPass>) {
    let (sink, mut stream) = socket.split();
    let (out, out_rx) = mpsc::channel::<Message>(OUTGOING_QUEUE);
    let writer = tokio::spawn(write_loop(sink, out_rx));

    let mut nonce = [0u8; 32];
    OsRng.fill_bytes(&mut nonce);
    let _ = out.send(binary(&ServerFrame::Challenge { nonce })).await;

    // No deadline to authenticate: a browser may sit on the sign-up screen for minutes. Pings
    // (answered by the browser itself) still drop dead peers.
    let authenticated = tokio::select! {
        device = authenticate(&mut stream, &out, &state, &nonce) => device,
        () = state.shutdown.cancelled() => None,
    };
    drop(guest);
    if let Some(device) = authenticated {
        serve_device(&mut stream, &out, &state, device).await;
    }
    let _ = out.send(goodbye(&state)).await;
    drop(out);
    let _ = writer.await;
}

fn goodbye(state: &AppState) -> Message {
    let (code, reason) = if state.shutdown.is_cancelled() {
        (close_code::AWAY, "server shutting down")
    } else {
        (close_code::NORMAL, "bye")
    };
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

async fn write_loop(
    mut sink: futures::stream::SplitSink<WebSocket, Message>,
    mut frames: mpsc::Receiver<Message>,
) {
    // Everything already queued goes out with one flush: one write syscall for a burst, not one
    // per frame.
    'socket: while let Some(mut frame) = frames.recv().await {
        loop {
            let closing = matches!(frame, Message::Close(_));
            if sink.feed(frame).await.is_err() {
                break 'socket;
            }
            if closing {
                break 'socket;
            }
            match frames.try_recv() {
                Ok(next) => frame = next,
                Err(_) => break,
            }
        }
        if sink.flush().await.is_err() {
            break;
        }
    }
    let _ = sink.close().await;
}

pub(crate) fn binary(frame: &ServerFrame) -> Message {
    Message::Binary(frame.encode().into())
}

fn error(request: u32, code: ErrorCode, message: impl Into<String>) -> Message {
    binary(&ServerFrame::Error {
        request,
        code,
        message: message.into(),
    })
}

type Stream = futures::stream::SplitStream<WebSocket>;

/// Waits for `Register` or `Authenticate`; anything else is refused with an error, except
/// `OpenLink`: a browser being linked waits here for its provisioning message (then
/// authenticates as its new device on the same connection).
async fn authenticate(
    stream: &mut Stream,
    out: &mpsc::Sender<Message>,
    state: &AppState,
    nonce: &[u8; 32],
) -> Option<DeviceKey> {
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut unanswered = 0u8;
    // The provisioning message of the link this connection opened (None once it expired).
    let mut link: Option<BoxFuture<'static, Option<Vec<u8>>>> = None;
    loop {
        let message = tokio::select! {
            _ = ping.tick() => {
                if unanswered >= 2 || out.send(Message::Ping(Default::default())).await.is_err() {
                    return None;
                }
                unanswered += 1;
                continue;
            }
            sealed = async { link.as_mut()?.await }, if link.is_some() => {
                link = None;
                let reply = match sealed {
                    Some(sealed) => binary(&ServerFrame::Provisioning { sealed }),
                    None => error(0, ErrorCode::NotFound, crate::links::GONE),
                };
                if out.send(reply).await.is_err() {
                    return None;
                }
                continue;
            }
            message = stream.next() => match message {
                Some(Ok(message)) => message,
                _ => return None,
            },
        };
        unanswered = 0;
        let bytes = match message {
            Message::Binary(bytes) => bytes,
            Message::Close(_) => return None,
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Text(_) => {
                let _ = out
                    .send(error(0, ErrorCode::Malformed, "binary frames only"))
                    .await;
                continue;
            }
        };
        let outcome = match ClientFrame::decode(&bytes) {
            Ok(frame @ (ClientFrame::Register { .. } | ClientFrame::Authenticate { .. })) => {
                let unlisted = requests::unlisted(state, &frame).await;
                let outcome = requests::authenticate(state, frame, nonce).await;
                if let (Err(_), Some(list)) = (&outcome, unlisted) {
                    let _ = out.send(binary(&list)).await;
                }
                outcome
            }
            Ok(ClientFrame::OpenLink {
                address,
                announcement,
            }) if link.is_none() => {
                let reply = match state.links.open(address, announcement, Instant::now()) {
                    Ok(waiting) => {
                        link = Some(Box::pin(async move {
                            tokio::time::timeout(LINK_LIFETIME, waiting)
                                .await
                                .ok()?
                                .ok()
                        }));
                        binary(&ServerFrame::LinkOpened {
                            expires_in_s: LINK_LIFETIME.as_secs() as u32,
                        })
                    }
                    Err(OpenRefused::Taken) => error(
                        0,
                        ErrorCode::Invalid,
                        "that link address is taken: make a new code",
                    ),
                    Err(OpenRefused::Full) => error(
                        0,
                        ErrorCode::RateLimited,
                        "too many links pending; try again soon",
                    ),
                };
                if out.send(reply).await.is_err() {
                    return None;
                }
                continue;
            }
            Ok(_) => Err((ErrorCode::Unauthenticated, "authenticate first".to_owned())),
            Err(e) => Err((ErrorCode::Malformed, e.to_string())),
        };
        match outcome {
            Ok(device) => return Some(device),
            Err((code, message)) => {
                let _ = out.send(error(0, code, message)).await;
                // One failed authentication ends the connection: a new one gets a new challenge.
                if matches!(
                    code,
                    ErrorCode::AuthFailed | ErrorCode::NameTaken | ErrorCode::Invalid
                ) {
                    return None;
                }
            }
        }
    }
}

/// The relay loop of an authenticated device.
async fn serve_device(
    stream: &mut Stream,
    out: &mpsc::Sender<Message>,
    state: &AppState,
    device: DeviceKey,
) {
    let (notices_tx, mut notices) = mpsc::channel::<Notice>(NOTICES);
    let catch_up = Arc::new(CatchUp::default());
    let id = state.hub.connect(&device, notices_tx, catch_up.clone());
    state.metrics.connections.inc();
    let remaining = requests::one_time_prekey_count(state, &device).await;
    requests::touch(state, &device).await;
    // The account's list first: the device knows its own devices before it sends anything.
    // Its other devices hear it is active.
    if let Some(list) = requests::own_devices(state, &device.account).await {
        let _ = out.send(binary(&list)).await;
        state
            .hub
            .tell_others(&device.account, Some(device.device), &list);
    }
    let _ = out
        .send(binary(&ServerFrame::Authenticated {
            one_time_prekeys: remaining,
        }))
        .await;

    let mut limits = DeviceLimits::new(state.frames_per_second, std::time::Instant::now());
    let mut delivered_up_to = 0u64;
    let mut watching: Vec<String> = Vec::new();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut unanswered = 0u8;
    let mut in_flight: FuturesOrdered<BoxFuture<'static, Reply>> = FuturesOrdered::new();
    let mut alive = deliver(state, &device, &mut delivered_up_to, out).await;
    if alive {
        alive = send_reply(out, expiry_notices(state, &device).await).await;
    }
    if alive {
        alive = out.send(binary(&ServerFrame::QueueDrained)).await.is_ok();
    }

    while alive {
        tokio::select! {
            () = state.shutdown.cancelled() => break,
            _ = ping.tick() => {
                if unanswered >= 2 || out.send(Message::Ping(Default::default())).await.is_err() {
                    break;
                }
                unanswered += 1;
            }
            () = catch_up.wanted() => {
                catch_up.start();
                state.metrics.catch_ups.inc();
                alive = deliver(state, &device, &mut delivered_up_to, out).await;
            }
            notice = notices.recv() => match notice {
                Some(Notice::Envelope(stored)) => {
                    // Already sent by a read, or a read is due that will send it in order.
                    if stored.id > delivered_up_to && !catch_up.pending() {
                        delivered_up_to = stored.id;
                        alive = send_envelope(state, out, stored).await;
                    }
                }
                Some(Notice::Frame(frame)) => alive = out.send(binary(&frame)).await.is_ok(),
                Some(Notice::Replaced) | None => break,
            },
            Some(reply) = in_flight.next(), if !in_flight.is_empty() => {
                alive = send_reply(out, reply).await;
            }
            message = stream.next(), if in_flight.len() < IN_FLIGHT => {
                unanswered = 0;
                let bytes = match message {
                    Some(Ok(Message::Binary(bytes))) => bytes,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Text(_))) => {
                        alive = out.send(error(0, ErrorCode::Malformed, "binary frames only")).await.is_ok();
                        continue;
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                };
                                let reply = match ClientFrame::decode(&bytes) {
                    Ok(frame) if !within_limits(&mut limits, &device.account, &frame) => {
                        Reply::Error(requests::request_id(&frame), ErrorCode::RateLimited, "too many requests; slow down".to_owned())
                    }
                    Ok(ClientFrame::Subscribe { accounts }) => {
                        state.hub.unwatch(&device, &watching);
                        let now = state.hub.watch(&device, &accounts);
                        watching = accounts;
                        Reply::Frames(now)
                    }
                    Ok(frame) => requests::handle(state, &device, frame).await,
                    Err(e) => Reply::Error(0, ErrorCode::Malformed, e.to_string()),
                };
                in_flight.push_back(match reply {
                    Reply::Later(answer) => answer,
                    now => futures::future::ready(now).boxed(),
                });
            }
        }
    }
    // Writes already submitted still commit; their answers just have nowhere to go.
    state.hub.unwatch(&device, &watching);
    state.hub.disconnect(&device, id, now_ms());
    state.metrics.connections.dec();
    // When it was last here, for its account's other devices.
    requests::touch(state, &device).await;
    if let Some(list) = requests::own_devices(state, &device.account).await {
        state.hub.tell_account(&device.account, &list);
    }
}

/// Charges the frame to the device's buckets: one token per frame or envelope, and the
/// dedicated buckets for bundle fetches and prekey uploads.
fn within_limits(limits: &mut DeviceLimits, own: &str, frame: &ClientFrame) -> bool {
    let now = std::time::Instant::now();
    let cost = match frame {
        ClientFrame::Send { envelopes, .. } => envelopes.len().max(1) as f64,
        ClientFrame::GroupSend { members, .. } | ClientFrame::GroupTyping { members, .. } => {
            members.len().max(1) as f64
        }
        _ => 1.0,
    };
    let special = match frame {
        // Our own account's bundles take only our own prekeys.
        ClientFrame::FetchBundles { account, .. } if account == own => {
            limits.bundle_fetches.allow(1.0, now)
        }
        ClientFrame::FetchBundles { account, .. } => limits.fetch(account, now),
        ClientFrame::UploadPreKeys { .. } => limits.prekey_uploads.allow(1.0, now),
        _ => true,
    };
    special && limits.frames.allow(cost, now)
}

async fn send_reply(out: &mpsc::Sender<Message>, reply: Reply) -> bool {
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

/// Sends every queued envelope after `delivered_up_to`, in store order. Returns false when the
/// connection is gone.
async fn deliver(
    state: &AppState,
    device: &DeviceKey,
    delivered_up_to: &mut u64,
    out: &mpsc::Sender<Message>,
) -> bool {
    loop {
        let batch = match requests::pending(state, device, *delivered_up_to, DELIVERY_BATCH).await {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(error = %e, "reading the queue failed");
                return out
                    .send(error(0, ErrorCode::Internal, "queue unavailable"))
                    .await
                    .is_ok();
            }
        };
        let full = batch.len() == DELIVERY_BATCH;
        for stored in batch {
            *delivered_up_to = stored.id;
            if !send_envelope(state, out, stored).await {
                return false;
            }
        }
        if !full {
            return true;
        }
    }
}

async fn send_envelope(
    state: &AppState,
    out: &mpsc::Sender<Message>,
    stored: StoredEnvelope,
) -> bool {
    let e = stored.envelope;
    let frame = ServerFrame::Envelope {
        id: stored.id,
        sender: e.sender,
        sender_device: e.sender_device,
        received_ms: e.received_ms,
        payload: e.payload,
    };
    let sent = out.send(binary(&frame)).await.is_ok();
    if sent {
        state.metrics.envelopes_out.inc();
    }
    sent
}
