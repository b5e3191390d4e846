//! A receiver: counts the envelopes that reach it, acks them, and samples their latency.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use futures::{FutureExt, SinkExt, StreamExt};
use hush_protocol::relay::{ClientFrame, ServerFrame};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::connect::{Sink, Stream};
use crate::phase::{Counters, Phase};
use crate::relay_kind::Relay;

/// Latency samples kept per receiver.
const MAX_SAMPLES: usize = 1 << 16;

/// Receives until told to stop. With an ack batch above 1, envelopes already waiting are acked
/// together (up to the batch per `Ack`). Returns the connection and the latency samples, µs.
pub async fn run_receiver(
    mut sink: Sink,
    mut stream: Stream,
    phase: Arc<Phase>,
    counters: Arc<Counters>,
    stop: CancellationToken,
) -> (Sink, Stream, Vec<u32>) {
    let mut samples = Vec::new();
    let mut ids = Vec::with_capacity(phase.ack_batch);
    loop {
        let message = tokio::select! {
            biased;
            () = stop.cancelled() => break,
            message = stream.next() => message,
        };
        match message {
            Some(Ok(Message::Binary(bytes))) => {
                ids.extend(take_envelope(&phase, &counters, &mut samples, &bytes));
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => break,
        }
        let open = take_waiting(&mut stream, &phase, &counters, &mut samples, &mut ids);
        if !ids.is_empty() {
            let ack = ClientFrame::Ack {
                ids: std::mem::take(&mut ids),
            };
            if sink.send(Message::binary(ack.encode())).await.is_err() {
                break;
            }
        }
        if !open {
            break;
        }
    }
    (sink, stream, samples)
}

/// Takes envelopes that are already there, until the ack batch is full; false when the
/// connection ended.
fn take_waiting(
    stream: &mut Stream,
    phase: &Phase,
    counters: &Counters,
    samples: &mut Vec<u32>,
    ids: &mut Vec<u64>,
) -> bool {
    while ids.len() < phase.ack_batch {
        match stream.next().now_or_never() {
            Some(Some(Ok(Message::Binary(bytes)))) => {
                ids.extend(take_envelope(phase, counters, samples, &bytes));
            }
            Some(Some(Ok(_))) => {}
            Some(Some(Err(_)) | None) => return false,
            None => break,
        }
    }
    true
}

/// What a receiver's frame was.
enum Received {
    /// An envelope (the bare relay's carry no id: 0).
    Envelope { id: u64, payload: Vec<u8> },
    /// Another frame of ours: nothing to count or ack.
    Other,
    /// A frame that did not decode, or not a send on the bare relay: an error.
    Garbled,
}

/// Counts one delivered envelope and samples its latency; returns the id to ack.
fn take_envelope(
    phase: &Phase,
    counters: &Counters,
    samples: &mut Vec<u32>,
    bytes: &[u8],
) -> Option<u64> {
    let (id, payload) = match received(phase.relay, bytes) {
        Received::Envelope { id, payload } => (id, payload),
        Received::Other => return None,
        Received::Garbled => {
            counters.errors.fetch_add(1, Ordering::Relaxed);
            return None;
        }
    };
    counters.delivered.fetch_add(1, Ordering::Relaxed);
    let sent = payload
        .get(..8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_be_bytes);
    if let (Some(from), Some(sent)) = (phase.record_from, sent) {
        let in_window = sent >= phase.nanos_at(from) && sent < phase.nanos_at(phase.stop_sending);
        if in_window && samples.len() < MAX_SAMPLES {
            let micros = phase.now_ns().saturating_sub(sent) / 1000;
            samples.push(u32::try_from(micros).unwrap_or(u32::MAX));
        }
    }
    Some(id)
}

fn received(relay: Relay, bytes: &[u8]) -> Received {
    if relay.speaks_hush() {
        return match ServerFrame::decode(bytes) {
            Ok(ServerFrame::Envelope { id, payload, .. }) => Received::Envelope { id, payload },
            Ok(_) => Received::Other,
            Err(_) => Received::Garbled,
        };
    }
    // The bare relay forwards the sender's frame as it was.
    match ClientFrame::decode(bytes) {
        Ok(ClientFrame::Send { envelopes, .. }) => Received::Envelope {
            id: 0,
            payload: envelopes
                .into_iter()
                .next()
                .map(|e| e.payload)
                .unwrap_or_default(),
        },
        _ => Received::Garbled,
    }
}
