//! Frames as WebSocket messages, and the pings that drop dead peers.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use hush_protocol::relay::{ErrorCode, ServerFrame};
use tokio::time::Interval;

use crate::byte_queue::{self, Weight, ITEM_OVERHEAD};

/// How often the server pings; two unanswered pings drop the connection.
const PING_EVERY: Duration = Duration::from_secs(30);

/// The messages a connection reads.
pub(super) type Stream = futures::stream::SplitStream<WebSocket>;
/// Where a connection's outgoing messages queue for the socket (bounded in bytes).
pub(super) type Out = byte_queue::Sender<Message>;

impl Weight for Message {
    fn weight(&self) -> usize {
        ITEM_OVERHEAD
            + match self {
                Message::Binary(bytes) | Message::Ping(bytes) | Message::Pong(bytes) => bytes.len(),
                Message::Text(text) => text.len(),
                Message::Close(_) => 0,
            }
    }
}

/// A frame as one binary message.
pub(super) fn binary(frame: &ServerFrame) -> Message {
    Message::Binary(frame.encode().into())
}

/// An error frame as one binary message.
pub(super) fn error(request: u32, code: ErrorCode, message: impl Into<String>) -> Message {
    binary(&ServerFrame::Error {
        request,
        code,
        message: message.into(),
    })
}

/// Pings every [`PING_EVERY`]; a peer that leaves two unanswered is dropped.
pub(super) struct Pings {
    every: Interval,
    unanswered: u8,
}

impl Pings {
    /// Pings starting one period from now.
    pub(super) async fn start() -> Self {
        let mut every = tokio::time::interval(PING_EVERY);
        every.tick().await;
        Self {
            every,
            unanswered: 0,
        }
    }

    /// Waits until the next ping is due.
    pub(super) async fn due(&mut self) {
        self.every.tick().await;
    }

    /// Sends a ping: false once two went unanswered or the connection is gone.
    pub(super) async fn ping(&mut self, out: &Out) -> bool {
        if self.unanswered >= 2 || out.send(Message::Ping(Default::default())).await.is_err() {
            return false;
        }
        self.unanswered += 1;
        true
    }

    /// The peer was heard from.
    pub(super) fn answered(&mut self) {
        self.unanswered = 0;
    }
}
