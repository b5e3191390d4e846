//! The WebSocket endpoint clients keep open to the relay.
//!
//! For now it holds the connection and keeps it alive; the frames get their meaning from
//! hush-protocol's wire types when the relay protocol lands.

use std::time::Duration;

use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use tokio_util::sync::CancellationToken;

use crate::AppState;

/// No frame from a client may be larger than this.
pub(crate) const MAX_FRAME_BYTES: usize = 256 * 1024;

/// How often the server pings; two unanswered pings drop the connection.
const PING_EVERY: Duration = Duration::from_secs(30);

pub(crate) async fn upgrade(State(state): State<AppState>, ws: WebSocketUpgrade) -> Response {
    let shutdown = state.shutdown.clone();
    let connections = state.connections.clone();
    ws.max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| connections.track_future(connection(socket, shutdown)))
}

async fn connection(mut socket: WebSocket, shutdown: CancellationToken) {
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await; // the first tick is immediate
    let mut unanswered = 0u8;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => {
                let bye = CloseFrame { code: close_code::AWAY, reason: "server shutting down".into() };
                let _ = socket.send(Message::Close(Some(bye))).await;
                break;
            }
            _ = ping.tick() => {
                if unanswered >= 2 {
                    tracing::debug!("dropping a WebSocket that stopped answering");
                    break;
                }
                unanswered += 1;
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    break;
                }
            }
            frame = socket.recv() => match frame {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                // Any frame, a pong included, shows the peer is alive.
                Some(Ok(_)) => unanswered = 0,
            },
        }
    }
}
