//! The socket's writing half: frames in queue order, a burst with one flush, and a deadline
//! for each write so a peer that reads nothing cannot hold the connection (and what waits for
//! it) for ever.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures::SinkExt;
use tokio::time::timeout;

use crate::byte_queue::Receiver;

/// Why the writer stopped.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Ended {
    /// The queue closed, the close was sent, or the socket failed.
    Done,
    /// The peer took no frame within the deadline.
    Stuck,
}

/// Writes `frames` until the queue ends or a close is sent. Each write (a frame into the
/// socket's buffer, or a flush, which blocks only when the peer's window is full) must finish
/// within `deadline`; when one does not, the writer stops, which closes the queue: the
/// connection then ends too.
pub(super) async fn write_loop(
    mut sink: futures::stream::SplitSink<WebSocket, Message>,
    mut frames: Receiver<Message>,
    deadline: Duration,
) -> Ended {
    let ended = write_all(&mut sink, &mut frames, deadline).await;
    // The queue closes now: a connection waiting for room hears at once.
    drop(frames);
    if ended == Ended::Done {
        let _ = timeout(deadline, sink.close()).await;
    }
    ended
}

async fn write_all(
    sink: &mut futures::stream::SplitSink<WebSocket, Message>,
    frames: &mut Receiver<Message>,
    deadline: Duration,
) -> Ended {
    // Everything already queued goes out with one flush: one write syscall for a burst, not one
    // per frame.
    while let Some(mut frame) = frames.recv().await {
        loop {
            let closing = matches!(frame, Message::Close(_));
            match timeout(deadline, sink.feed(frame)).await {
                Err(_) => return Ended::Stuck,
                Ok(Err(_)) => return Ended::Done,
                Ok(Ok(())) => {}
            }
            if closing {
                let _ = timeout(deadline, sink.flush()).await;
                return Ended::Done;
            }
            match frames.try_recv() {
                Some(next) => frame = next,
                None => break,
            }
        }
        match timeout(deadline, sink.flush()).await {
            Err(_) => return Ended::Stuck,
            Ok(Err(_)) => return Ended::Done,
            Ok(Ok(())) => {}
        }
    }
    Ended::Done
}
