//! A connection before it authenticates: it registers, signs in, or (a browser being linked)
//! opens a link address and waits there for its provisioning message.

use std::net::IpAddr;
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
pub(super) enum Guest {
    /// It is still waiting (to authenticate, or for its provisioning message).
    Waiting,
    /// It is this device now.
    Authenticated(DeviceKey),
    /// The connection ends.
    Gone,
}

/// Why a connection left before authenticating.
pub(super) enum Left {
    /// It neither authenticated nor opened a link before its deadline.
    TooLate,
    /// It closed, failed to authenticate, or the relay is shutting down.
    Gone,
}

/// Waits for `Register` or `Authenticate`; anything else is refused with an error, except
/// `OpenLink`: a browser being linked waits here for its provisioning message (then
/// authenticates as its new device on the same connection). Without an open link, the
/// connection has `state.guest_deadline` to do either (again from when its link closes), so
/// idle sockets cannot pile up; `client` is the address its links count against.
pub(super) async fn authenticate(
    stream: &mut Stream,
    out: &Out,
    state: &AppState,
    nonce: &[u8; 32],
    client: IpAddr,
) -> Result<DeviceKey, Left> {
    let mut pings = Pings::start().await;
    let mut link: Option<Provisioning> = None;
    let deadline = tokio::time::sleep(state.guest_deadline);
    tokio::pin!(deadline);
    loop {
        let message = tokio::select! {
            () = &mut deadline, if link.is_none() => return Err(Left::TooLate),
            () = pings.due() => {
                if !pings.ping(out).await {
                    return Err(Left::Gone);
                }
                continue;
            }
            sealed = async { link.as_mut()?.await }, if link.is_some() => {
                link = None;
                deadline
                    .as_mut()
                    .reset(tokio::time::Instant::now() + state.guest_deadline);
                let reply = match sealed {
                    Some(sealed) => binary(&ServerFrame::Provisioning { sealed }),
                    None => error(0, ErrorCode::NotFound, GONE),
                };
                if out.send(reply).await.is_err() {
                    return Err(Left::Gone);
                }
                continue;
            }
            message = stream.next() => match message {
                Some(Ok(message)) => message,
                _ => return Err(Left::Gone),
            },
        };
        pings.answered();
        let bytes = match message {
            Message::Binary(bytes) => bytes,
            Message::Close(_) => return Err(Left::Gone),
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Text(_) => {
                let _ = out
                    .send(error(0, ErrorCode::Malformed, "binary frames only"))
                    .await;
                continue;
            }
        };
        match guest_frame(out, state, nonce, &bytes, &mut link, client).await {
            Guest::Waiting => {}
            Guest::Authenticated(device) => return Ok(device),
            Guest::Gone => return Err(Left::Gone),
        }
    }
}

/// One frame of a connection that has not authenticated yet.
pub(super) async fn guest_frame(
    out: &Out,
    state: &AppState,
    nonce: &[u8; 32],
    bytes: &[u8],
    link: &mut Option<Provisioning>,
    client: IpAddr,
) -> Guest {
    let outcome = match ClientFrame::decode(bytes) {
        Ok(frame @ (ClientFrame::Register { .. } | ClientFrame::Authenticate { .. })) => {
            let claim = frame.clone();
            let outcome = requests::authenticate(state, frame, nonce, client).await;
            if outcome.is_err() {
                // Only a removed device that proves it is one is shown its account's list.
                if let Some(list) = requests::unlinked(state, &claim, nonce).await {
                    let _ = out.send(binary(&list)).await;
                }
            }
            outcome
        }
        Ok(ClientFrame::OpenLink {
            address,
            announcement,
        }) if link.is_none() => {
            let (reply, waiting) = open_link(state, address, announcement, client);
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
/// wait for (for [`LINK_LIFETIME`] at most) if the address was free. The address stays open
/// while that future lives.
fn open_link(
    state: &AppState,
    address: [u8; ADDRESS_LEN],
    announcement: Vec<u8>,
    client: IpAddr,
) -> (Message, Option<Provisioning>) {
    let opened = state
        .links
        .open(address, announcement, client, Instant::now());
    if matches!(
        opened,
        Err(OpenRefused::TooManyFromAddress | OpenRefused::Full)
    ) {
        state.metrics.links_refused.inc();
    }
    match opened {
        Ok((waiting, hold)) => {
            let provisioning: Provisioning = Box::pin(async move {
                let _hold = hold;
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
        Err(OpenRefused::TooManyFromAddress) => (
            error(
                0,
                ErrorCode::RateLimited,
                "too many links are open from your network; try again in a few minutes",
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
