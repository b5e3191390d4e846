//! WebSocket connections to a relay, and reading its frames with a time limit.

use std::net::SocketAddr;

use futures::stream::{SplitSink, SplitStream};
use futures::StreamExt;
use hush_bench::Failure;
use hush_protocol::relay::ServerFrame;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::settings::WAIT;

/// A client connection.
pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
/// Its writing half.
pub type Sink = SplitSink<Ws, Message>;
/// Its reading half.
pub type Stream = SplitStream<Ws>;

/// Connects to `ws://ADDR/PATH` (TCP_NODELAY on, as the app's browser has it).
pub async fn connect(addr: SocketAddr, path: &str) -> Result<Ws, Failure> {
    let (ws, _) =
        tokio_tungstenite::connect_async_with_config(format!("ws://{addr}{path}"), None, true)
            .await?;
    Ok(ws)
}

/// The relay's next frame, within [`WAIT`].
pub async fn next_frame(ws: &mut Ws) -> Result<ServerFrame, Failure> {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await {
            Err(_) => return Err("no answer in time".into()),
            Ok(None) => return Err("the relay closed the connection".into()),
            Ok(Some(Err(e))) => return Err(e.into()),
            Ok(Some(Ok(Message::Binary(bytes)))) => return Ok(ServerFrame::decode(&bytes)?),
            Ok(Some(Ok(Message::Close(_)))) => return Err("the relay closed the connection".into()),
            Ok(Some(Ok(_))) => continue,
        }
    }
}
