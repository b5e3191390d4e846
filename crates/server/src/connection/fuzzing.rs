//! A connection fed frames from a list instead of a WebSocket (the `fuzzing` feature): the
//! guest's frames go through `guest::guest_frame`, an authenticated device's through its relay
//! loop's own request path (`device::replay`). What the relay sends is collected as the
//! socket's writer would take it, so a full outgoing queue never stalls the replay.

use std::net::IpAddr;

use axum::extract::ws::Message;

use super::guest::{guest_frame, Guest};
use super::socket::Out;
use super::{device, OUTGOING_BYTES};
use crate::byte_queue;
use crate::hub::DeviceKey;
use crate::AppState;

/// Where every replayed connection comes from.
const CLIENT: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

/// Serves `frames` as one connection whose challenge was `nonce`: from its first frame as
/// `signed_in`, or as a guest until a frame authenticates it. Returns the binary messages the
/// relay sent, in order.
pub(crate) async fn replay<'f>(
    state: &AppState,
    nonce: &[u8; 32],
    signed_in: Option<DeviceKey>,
    frames: impl IntoIterator<Item = &'f [u8]>,
) -> Vec<Vec<u8>> {
    let (out, mut sent) = byte_queue::channel::<Message>(OUTGOING_BYTES);
    let serve = async move {
        let mut frames = frames.into_iter();
        let device = match signed_in {
            Some(device) => Some(device),
            None => as_guest(state, &out, nonce, &mut frames).await,
        };
        if let Some(device) = device {
            device::replay::replay(state, &out, device, CLIENT, frames).await;
        }
        // `out` is dropped here, which ends the collection below.
    };
    let mut said = Vec::new();
    let collect = async {
        while let Some(message) = sent.recv().await {
            if let Message::Binary(bytes) = message {
                said.push(bytes.to_vec());
            }
        }
    };
    tokio::join!(serve, collect);
    said
}

/// The guest's frames up to the one that authenticates it (then that device), or all of them.
async fn as_guest<'f>(
    state: &AppState,
    out: &Out,
    nonce: &[u8; 32],
    frames: &mut impl Iterator<Item = &'f [u8]>,
) -> Option<DeviceKey> {
    // An open link waits here for its provisioning, as it would on the socket, until the
    // replay ends.
    let mut link = None;
    for bytes in frames {
        match guest_frame(out, state, nonce, bytes, &mut link, CLIENT).await {
            Guest::Waiting => {}
            Guest::Authenticated(device) => return Some(device),
            Guest::Gone => return None,
        }
    }
    None
}
