//! The reference relay: bare tokio-tungstenite, no storage, no authentication. `/idle` holds a
//! connection, `/r/K` is receiver K, `/s/K` sends to receiver K (each binary frame forwarded as
//! is, answered with a fixed `Sent`); receivers' frames (acks) are read and dropped.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use hush_bench::Failure;
use hush_protocol::relay::{SendOutcome, ServerFrame};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::lifeline::{announce, stdin_closed};

/// Each connected receiver's outbox, by pair.
type Receivers = Arc<Mutex<HashMap<u32, mpsc::Sender<Message>>>>;

/// A connection accepted by the reference relay.
type Accepted = WebSocketStream<TcpStream>;

/// Accepts until stdin closes.
pub async fn serve_bare(nodelay: bool, config: Option<WebSocketConfig>) -> Result<(), Failure> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    announce(listener.local_addr()?, None)?;
    let receivers = Receivers::default();
    let stop = stdin_closed();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => {
                    if nodelay {
                        let _ = tcp.set_nodelay(true);
                    }
                    tokio::spawn(connection(tcp, receivers.clone(), config));
                }
                // Out of files, most likely: let connections close.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
        }
    }
}

fn lock(receivers: &Receivers) -> MutexGuard<'_, HashMap<u32, mpsc::Sender<Message>>> {
    receivers
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One connection, in the role its path names.
async fn connection(tcp: TcpStream, receivers: Receivers, config: Option<WebSocketConfig>) {
    let mut path = String::new();
    // The signature is tungstenite's.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
        path = request.uri().path().to_owned();
        Ok(response)
    };
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async_with_config(tcp, callback, config).await
    else {
        return;
    };
    let (role, pair) = path
        .trim_start_matches('/')
        .split_once('/')
        .unwrap_or((path.trim_start_matches('/'), ""));
    let pair: u32 = pair.parse().unwrap_or(0);
    match role {
        "r" => receive(ws, pair, receivers).await,
        "s" => forward(ws, pair, receivers).await,
        _ => while let Some(Ok(_)) = ws.next().await {},
    }
}

/// Receiver `pair`: writes what its sender forwards, reads and drops its acks.
async fn receive(ws: Accepted, pair: u32, receivers: Receivers) {
    let (tx, mut rx) = mpsc::channel::<Message>(512);
    lock(&receivers).insert(pair, tx);
    let (mut sink, mut stream) = ws.split();
    let writer = tokio::spawn(async move {
        while let Some(frame) = rx.recv().await {
            if sink.send(frame).await.is_err() {
                break;
            }
        }
    });
    while let Some(Ok(_)) = stream.next().await {}
    lock(&receivers).remove(&pair);
    writer.abort();
}

/// Sender `pair`: each binary frame goes to its receiver and is answered with `Sent`.
async fn forward(mut ws: Accepted, pair: u32, receivers: Receivers) {
    let sent = ServerFrame::Sent {
        client_id: [0; 16],
        outcome: SendOutcome::Stored,
    }
    .encode();
    let mut to: Option<mpsc::Sender<Message>> = None;
    while let Some(Ok(message)) = ws.next().await {
        if !message.is_binary() {
            continue;
        }
        if to.is_none() {
            to = find_receiver(&receivers, pair).await;
        }
        let Some(receiver) = &to else { return };
        if receiver.send(message).await.is_err()
            || ws.send(Message::binary(sent.clone())).await.is_err()
        {
            return;
        }
    }
}

/// The receiver connects first; its registration gets a few seconds.
async fn find_receiver(receivers: &Receivers, pair: u32) -> Option<mpsc::Sender<Message>> {
    for _ in 0..500 {
        let found = lock(receivers).get(&pair).cloned();
        if found.is_some() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}
