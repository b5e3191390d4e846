//! A sender: pipelined `Send`s (a window of unanswered ones at most, at the phase's rate if it
//! has one), each answer counted.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use hush_protocol::relay::{ClientFrame, OutgoingEnvelope, SendOutcome, ServerFrame};
use hush_protocol::Username;
use tokio::time::{Instant, Interval, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;

use crate::connect::{Sink, Stream};
use crate::phase::{Counters, Phase};
use crate::settings::{DRAIN, PAYLOAD};

/// A sender's connection and whom it sends to.
pub struct Sender {
    /// Writing half.
    pub sink: Sink,
    /// Reading half (the relay's answers).
    pub stream: Stream,
    /// The receiver's account.
    pub to: Username,
    /// The pair's index (in every client id).
    pub index: usize,
}

/// Sends until the phase stops sending, then waits for the outstanding answers; the first
/// tick comes `offset` after the start (so rate-limited senders are spread out).
pub async fn run_sender(
    mut sender: Sender,
    offset: Duration,
    phase: Arc<Phase>,
    counters: Arc<Counters>,
) -> (Sink, Stream) {
    // Sequence numbers stay unique across phases (a resent client id is not stored twice).
    let mut seq = phase.id << 40;
    let mut outstanding = 0usize;
    let mut tick = phase.every.map(|every| {
        let mut tick = tokio::time::interval_at(Instant::now() + offset, every);
        tick.set_missed_tick_behavior(MissedTickBehavior::Burst);
        tick
    });
    let give_up = phase.stop_sending + DRAIN;
    loop {
        let now = Instant::now();
        let sending = now < phase.stop_sending;
        if (!sending && outstanding == 0) || now >= give_up {
            break;
        }
        let wake = if sending { phase.stop_sending } else { give_up };
        let ready = sending && (tick.is_some() || outstanding < phase.window);
        tokio::select! {
            biased;
            reply = sender.stream.next() => match reply {
                Some(Ok(Message::Binary(bytes))) => {
                    if count_answer(&bytes, &counters) {
                        outstanding = outstanding.saturating_sub(1);
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            () = next_tick(&mut tick), if ready => {
                let room = phase.window.saturating_sub(outstanding);
                let n = if tick.is_some() { room.min(1) } else { room };
                if n == 0 {
                    counters.skipped.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                if send_burst(&mut sender, &phase, &mut seq, n).await.is_err() {
                    break;
                }
                outstanding += n;
            }
            () = tokio::time::sleep_until(wake) => {}
        }
    }
    (sender.sink, sender.stream)
}

/// Counts an answer to a send (stored, or an error); false for a frame that answers none.
fn count_answer(bytes: &[u8], counters: &Counters) -> bool {
    match ServerFrame::decode(bytes) {
        Ok(ServerFrame::Sent {
            outcome: SendOutcome::Stored,
            ..
        }) => {
            counters.stored.fetch_add(1, Ordering::Relaxed);
            true
        }
        Ok(ServerFrame::Sent { .. } | ServerFrame::Error { .. }) | Err(_) => {
            counters.errors.fetch_add(1, Ordering::Relaxed);
            true
        }
        // Something the relay tells of its own accord (its list of our devices, say).
        Ok(_) => false,
    }
}

/// Writes `n` sends and flushes them together.
async fn send_burst(
    sender: &mut Sender,
    phase: &Phase,
    seq: &mut u64,
    n: usize,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    for _ in 0..n {
        *seq += 1;
        let frame = send_frame(phase, &sender.to, sender.index, *seq);
        sender.sink.feed(frame).await?;
    }
    sender.sink.flush().await
}

/// A `Send` of one timestamped envelope, its client id made of the pair and `seq`.
fn send_frame(phase: &Phase, to: &Username, index: usize, seq: u64) -> Message {
    let mut payload = vec![0u8; PAYLOAD];
    payload[..8].copy_from_slice(&phase.now_ns().to_be_bytes());
    let mut client_id = [0u8; 16];
    client_id[..8].copy_from_slice(&(index as u64).to_be_bytes());
    client_id[8..].copy_from_slice(&seq.to_be_bytes());
    let frame = ClientFrame::Send {
        client_id,
        recipient: to.clone(),
        envelopes: vec![OutgoingEnvelope { device: 1, payload }],
    };
    Message::binary(frame.encode())
}

async fn next_tick(tick: &mut Option<Interval>) {
    if let Some(tick) = tick {
        tick.tick().await;
    }
}
