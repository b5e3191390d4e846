//! A connection before it authenticates: it registers, signs in, or (a browser being linked)
//! opens a link address and waits there for its provisioning message.

use std::time::Instant;

use axum::extract::ws::Message;
use futures::future::BoxFuture;
use futures::StreamExt;
use hush_protocol::linking::ADDRESS_LEN;
use hush_protocol::relay::{ClientFrame, ErrorCode, ServerFrame};

use super::socket::{binary, error, Out, Pings, Stream};
use crate::hub::DeviceKey;
use crate::links::{OpenRefused, GONE, LINK_LIFETIME};
use crate::requests::{self, Refusal};
use crate::AppState;

/// The provisioning message of the link a connection opened (`None` once the link expired).
type Provisioning = BoxFuture<'static, Option<Vec<u8>>>;

/// What one frame from a connection that has not authenticated leads to.
enum Guest {
    /// It is still waiting (to authenticate, or for its provisioning message).
    Waiting,
    /// It is this device now.
    Authenticated(DeviceKey),
    /// The connection ends.
    Gone,
}

/// Waits for `Register` or `Authenticate`; anything else is refused with an error, except
/// `OpenLink`: a browser being linked waits here for its provisioning message (then
/// authenticates as its new device on the same connection).
pub(super) async fn authenticate(
    stream: &mut Stream,
    out: &Out,
    state: &AppState,
    nonce: &[u8; 32],
) -> Option<DeviceKey> {
    let mut pings = Pings::start().await;
    let mut link: Option<Provisioning> = None;
    loop {
        let message = tokio::select! {
            () = pings.due() => {
                if !pings.ping(out).await {
                    return None;
                }
                continue;
            }
            sealed = async { link.as_mut()?.await }, if link.is_some() => {
                link = None;
                let reply = match sealed {
                    Some(sealed) => binary(&ServerFrame::Provisioning { sealed }),
                    None => error(0, ErrorCode::NotFound, GONE),
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
        pings.answered();
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
        match guest_frame(out, state, nonce, &bytes, &mut link).await {
            Guest::Waiting => {}
            Guest::Authenticated(device) => return Some(device),
            Guest::Gone => return None,
        }
    }
}

/// One frame of a connection that has not authenticated yet.
async fn guest_frame(
    out: &Out,
    state: &AppState,
    nonce: &[u8; 32],
    bytes: &[u8],
    link: &mut Option<Provisioning>,
) -> Guest {
    let outcome = match ClientFrame::decode(bytes) {
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
            let (reply, waiting) = open_link(state, address, announcement);
            *link = waiting;
            return match out.send(reply).await {
                Ok(()) => Guest::Waiting,
                Err(_) => Guest::Gone,
            };
        }
        Ok(_) => Err((ErrorCode::Unauthenticated, "authenticate first".to_owned())),
        Err(e) => Err((ErrorCode::Malformed, e.to_string())),
    };
    refused_or_in(out, outcome).await
}

/// The device, or the refusal told to the connection. One failed authentication ends the
/// connection: a new one gets a new challenge.
async fn refused_or_in(out: &Out, outcome: Result<DeviceKey, Refusal>) -> Guest {
    match outcome {
        Ok(device) => Guest::Authenticated(device),
        Err((code, message)) => {
            let _ = out.send(error(0, code, message)).await;
            if matches!(
                code,
                ErrorCode::AuthFailed | ErrorCode::NameTaken | ErrorCode::Invalid
            ) {
                Guest::Gone
            } else {
                Guest::Waiting
            }
        }
    }
}

/// Opens `address` for a browser to be linked: the answer, and its provisioning message to
/// wait for (for [`LINK_LIFETIME`] at most) if the address was free.
fn open_link(
    state: &AppState,
    address: [u8; ADDRESS_LEN],
    announcement: Vec<u8>,
) -> (Message, Option<Provisioning>) {
    match state.links.open(address, announcement, Instant::now()) {
        Ok(waiting) => {
            let provisioning: Provisioning = Box::pin(async move {
                tokio::time::timeout(LINK_LIFETIME, waiting)
                    .await
                    .ok()?
                    .ok()
            });
            let opened = binary(&ServerFrame::LinkOpened {
                expires_in_s: LINK_LIFETIME.as_secs() as u32,
            });
            (opened, Some(provisioning))
        }
        Err(OpenRefused::Taken) => (
            error(
                0,
                ErrorCode::Invalid,
                "that link address is taken: make a new code",
            ),
            None,
        ),
        Err(OpenRefused::Full) => (
            error(
                0,
                ErrorCode::RateLimited,
                "too many links pending; try again soon",
            ),
            None,
        ),
    }
}
