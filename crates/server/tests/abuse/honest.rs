//! Honest clients: pairs of accounts exchanging messages through the relay before and during
//! the attack, each round trip timed. Every message must be stored and delivered (that is
//! asserted); how long it took is only printed (timing depends on the machine).

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use hush_protocol::relay::{ClientFrame, OutgoingEnvelope, SendOutcome, ServerFrame};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{user, Client};

/// Between two round trips of one pair: a chatty user, not a load generator.
const PAUSE: Duration = Duration::from_millis(20);
/// The longest an honest round trip may take before the suite calls the pair starved.
const STARVED: Duration = Duration::from_secs(20);

/// Which part of the run a round trip started in.
pub const BEFORE: u8 = 0;
pub const DURING: u8 = 1;
pub const AFTER: u8 = 2;

/// One pair's round trips: the phase each started in, and how long it took.
pub type Samples = Vec<(u8, Duration)>;

/// Alice sends Bob a message, Bob receives and acknowledges it, Alice hears it was stored;
/// repeated until `stop`. Panics if any message is refused, lost, or starved.
pub async fn pair(
    (mut alice, mut bob): (Client, Client),
    bob_name: String,
    phase: Arc<AtomicU8>,
    stop: Arc<AtomicBool>,
) -> Samples {
    let mut samples = Vec::new();
    let mut n: u64 = 0;
    while !stop.load(Relaxed) {
        n += 1;
        let started = (phase.load(Relaxed), Instant::now());
        let payload = n.to_be_bytes().repeat(32);
        let mut client_id = [0; 16];
        client_id[..8].copy_from_slice(&n.to_be_bytes());
        alice
            .send(&ClientFrame::Send {
                client_id,
                recipient: user(&bob_name),
                envelopes: vec![OutgoingEnvelope {
                    device: 1,
                    payload: payload.clone(),
                }],
            })
            .await;
        let id = delivered(&mut bob, &payload).await;
        bob.send(&ClientFrame::Ack { ids: vec![id] }).await;
        match frame(&mut alice).await {
            ServerFrame::Sent {
                client_id: got,
                outcome: SendOutcome::Stored,
            } if got == client_id => {}
            other => panic!("an honest message was not stored: {other:?}"),
        }
        samples.push((started.0, started.1.elapsed()));
        tokio::time::sleep(PAUSE).await;
    }
    samples
}

/// Bob's next envelope, which must be this payload: its id.
async fn delivered(bob: &mut Client, payload: &[u8]) -> u64 {
    match frame(bob).await {
        ServerFrame::Envelope {
            id, payload: got, ..
        } if got == payload => id,
        other => panic!("an honest message was not delivered: {other:?}"),
    }
}

/// The next frame for an honest client (pings and its own list skipped), within [`STARVED`].
async fn frame(client: &mut Client) -> ServerFrame {
    loop {
        let message = tokio::time::timeout(STARVED, client.ws.next())
            .await
            .expect("an honest client was starved")
            .expect("an honest client's connection closed")
            .unwrap();
        if let Message::Binary(bytes) = message {
            match ServerFrame::decode(&bytes).unwrap() {
                ServerFrame::OwnDevices { .. } => {}
                frame => return frame,
            }
        }
    }
}

/// "n, p50, p99, max" of the round trips that started in `phase`.
pub fn summary(samples: &[Samples], phase: u8) -> String {
    let mut times: Vec<Duration> = samples
        .iter()
        .flatten()
        .filter(|(p, _)| *p == phase)
        .map(|(_, t)| *t)
        .collect();
    times.sort();
    if times.is_empty() {
        return "no round trips".to_owned();
    }
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    format!(
        "{} round trips, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        times.len(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(times[times.len() - 1])
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
