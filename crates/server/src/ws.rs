//! The WebSocket endpoint clients keep open to the relay; [`crate::connection`] runs each one.

use std::net::SocketAddr;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use hush_protocol::relay::MAX_FRAME;

use crate::AppState;

pub(crate) async fn upgrade(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    ws: WebSocketUpgrade,
) -> Response {
    // Served without connect info (a router in a unit test), there is no address to count.
    let pass = match peer {
        Some(Extension(ConnectInfo(addr))) => match state.guests.admit(addr.ip()) {
            Some(pass) => Some(pass),
            None => {
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    "too many unauthenticated connections from this address",
                )
                    .into_response()
            }
        },
        None => None,
    };
    let connections = state.connections.clone();
    // tungstenite's default 128 KiB read buffer per socket is most of an idle connection's
    // memory; frames grow it on demand.
    ws.read_buffer_size(4 * 1024)
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| {
            connections.track_future(crate::connection::run(socket, state, pass))
        })
}
