//! The WebSocket endpoint clients keep open to the relay; [`crate::connection`] runs each one.

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::response::Response;
use hush_protocol::relay::MAX_FRAME;

use crate::AppState;

pub(crate) async fn upgrade(State(state): State<AppState>, ws: WebSocketUpgrade) -> Response {
    let connections = state.connections.clone();
    // tungstenite's default 128 KiB read buffer per socket is most of an idle connection's
    // memory; frames grow it on demand.
    ws.read_buffer_size(4 * 1024)
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| connections.track_future(crate::connection::run(socket, state)))
}
