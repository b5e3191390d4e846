//! Frames from the relay, handled as one engine step. The tab's runner and the service
//! worker's wake-up both receive this way, each sending what comes out on its own socket.

use hush_client::{Engine, EngineError, Output, Store};
use hush_protocol::relay::ServerFrame;
use hush_protocol::Rng;

/// What one batch of frames came to.
pub(crate) struct Received {
    /// What to send to the relay and show.
    pub(crate) out: Output,
    /// The relay said it has sent everything that was queued.
    pub(crate) drained: bool,
}

/// Handles frames that arrived together as one step: a catch-up of many envelopes is one
/// transaction and one ack, not one per message. Nothing the relay sends may break the app:
/// an unreadable frame is skipped.
pub(crate) async fn receive<S: Store, R: Rng>(
    engine: &mut Engine<S, R>,
    batch: &[Vec<u8>],
    now_ms: u64,
) -> Result<Received, EngineError> {
    let frames: Vec<ServerFrame> = batch
        .iter()
        .filter_map(|bytes| ServerFrame::decode(bytes).ok())
        .collect();
    let drained = frames
        .iter()
        .any(|frame| matches!(frame, ServerFrame::QueueDrained));
    let out = engine.handle_all(frames, now_ms).await?;
    Ok(Received { out, drained })
}
