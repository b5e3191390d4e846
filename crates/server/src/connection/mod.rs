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
//! `IN_FLIGHT` requests may wait so; beyond that the loop stops reading the socket.
//!
//! - `guest`: before authentication (and a browser waiting to be linked).
//! - `device`: the relay loop of an authenticated device.
//! - `socket`: frames as WebSocket messages, and pings.
//! - `writer`: the socket's writing half, with its write deadline.
//!
//! Memory: what waits for a peer is bounded in bytes (`OUTGOING_BYTES` here, the notices'
//! budget in `device`), and a peer that takes no frame within the write deadline is closed
//! (its envelopes stay queued in the store until its next connection acks them).

mod device;
#[cfg(feature = "fuzzing")]
pub(crate) mod fuzzing;
mod guest;
mod socket;
mod writer;

use std::net::IpAddr;

use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket};
use futures::StreamExt;
use hush_protocol::relay::ServerFrame;
use rand_core::{OsRng, RngCore};

use crate::byte_queue;
use crate::guests::GuestPass;
use crate::AppState;
use device::serve_device;
use guest::{authenticate, Left};
use socket::binary;
use writer::{write_loop, Ended};

/// Bytes of frames that may wait for the socket; past it the connection stops reading
/// requests and taking envelopes until the peer takes some.
const OUTGOING_BYTES: usize = 1024 * 1024;
/// How long a closing connection's last frames may take to leave.
const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs a connection to its end. `guest` holds its place among its address's unauthenticated
/// connections until it authenticates; `client` is that address.
pub(crate) async fn run(
    socket: WebSocket,
    state: AppState,
    guest: Option<GuestPass>,
    client: IpAddr,
) {
    let (sink, mut stream) = socket.split();
    let (out, out_rx) = byte_queue::channel::<Message>(OUTGOING_BYTES);
    let mut writer = tokio::spawn(write_loop(sink, out_rx, state.write_deadline));

    let mut nonce = [0u8; 32];
    OsRng.fill_bytes(&mut nonce);
    let _ = out.send(binary(&ServerFrame::Challenge { nonce })).await;

    // A guest has a deadline to authenticate or open a link (see `guest`).
    let authenticated = tokio::select! {
        device = authenticate(&mut stream, &out, &state, &nonce, client) => device,
        () = state.shutdown.cancelled() => Err(Left::Gone),
    };
    drop(guest);
    let last = match authenticated {
        Ok(device) => {
            serve_device(&mut stream, &out, &state, device, client).await;
            goodbye(&state)
        }
        Err(Left::TooLate) => too_late(&state),
        Err(Left::Gone) => goodbye(&state),
    };
    // A peer that stopped reading does not keep the connection: the last frame goes if there
    // is room, and the writer gets a while to finish before the socket is dropped.
    let _ = out.try_send(last);
    drop(out);
    match tokio::time::timeout(CLOSE_WAIT, &mut writer).await {
        Ok(Ok(Ended::Stuck)) => state.metrics.write_timeouts.inc(),
        Ok(_) => {}
        Err(_) => writer.abort(),
    }
}

/// The close for a guest that neither authenticated nor opened a link in time. A close, not an
/// error frame: a browser idling on the sign-up screen just connects again, with nothing to
/// show.
fn too_late(state: &AppState) -> Message {
    state.metrics.guests_timed_out.inc();
    Message::Close(Some(CloseFrame {
        code: close_code::POLICY,
        reason: "authenticate or open a link sooner".into(),
    }))
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
