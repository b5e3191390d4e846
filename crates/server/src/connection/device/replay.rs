//! The relay loop of an authenticated device fed frames from a list instead of a socket (the
//! `fuzzing` feature). Each request is answered before the next is read, and after each the
//! hub's notices and any catch-up are served, as the loop's other branches would have.

use std::net::IpAddr;

use axum::extract::ws::Message;
use futures::FutureExt;

use super::{binary, join, send_reply, Incoming, Joined, Out};
use crate::hub::DeviceKey;
use crate::AppState;

/// Serves `frames` as `device`'s connection, until they run out or the connection would end.
pub(in crate::connection) async fn replay<'f>(
    state: &AppState,
    out: &Out,
    device: DeviceKey,
    client: IpAddr,
    frames: impl Iterator<Item = &'f [u8]>,
) {
    let Joined {
        mut connection,
        mut notices,
        close,
        id,
    } = join(state, out, device, client).await;
    let mut alive = connection.send_queue().await;
    for bytes in frames {
        if !alive {
            break;
        }
        let message = Message::Binary(bytes.to_vec().into());
        alive = match connection.message(Some(Ok(message))).await {
            Incoming::Request(answer) => send_reply(out, answer.await).await,
            Incoming::Handled(still) => still,
        };
        while alive {
            let Some(notice) = notices.try_recv() else {
                break;
            };
            alive = connection.notice(Some(notice)).await;
        }
        if alive && connection.catch_up.pending() {
            alive = connection.catch_up().await;
        }
        if close.requested().now_or_never().is_some() {
            if let Some(frame) = close.last_words() {
                let _ = out.try_send(binary(&frame));
            }
            break;
        }
    }
    connection.leave(id).await;
}
