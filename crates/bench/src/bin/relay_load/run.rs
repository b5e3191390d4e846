//! One phase of sending and receiving on every pair: a warm-up, then a counted window, then
//! a drain; the pairs that are still whole come back for the next phase.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::child::Relayed;
use crate::connect::{Sink, Stream};
use crate::options::Options;
use crate::pairs::Pair;
use crate::phase::{Counters, Phase};
use crate::proc_stats::cpu_seconds;
use crate::receiver::run_receiver;
use crate::relay_kind::Relay;
use crate::relay_metrics::metrics;
use crate::sender::{run_sender, Sender};
use crate::settings::{DRAIN, WARM_UP};

/// What a phase counted over its window.
#[derive(Default)]
pub struct Run {
    /// Sends stored.
    pub stored: u64,
    /// Envelopes delivered.
    pub delivered: u64,
    /// Errors over the whole phase.
    pub errors: u64,
    /// Full-window ticks over the whole phase.
    pub skipped: u64,
    /// The relay's CPU seconds.
    pub server_cpu: f64,
    /// This generator's CPU seconds.
    pub generator_cpu: f64,
    /// The relay's metrics when the window opened (ours only).
    pub metrics_before: HashMap<String, f64>,
    /// And when it closed.
    pub metrics_after: HashMap<String, f64>,
    /// Send-to-receipt latencies, µs.
    pub samples: Vec<u32>,
}

impl Run {
    /// How much a relay metric grew over the window.
    pub fn metric_delta(&self, name: &str) -> Option<f64> {
        Some(self.metrics_after.get(name)? - self.metrics_before.get(name)?)
    }

    /// The mean wait of a send for its group commit over the window.
    pub fn mean_commit_ms(&self) -> Option<f64> {
        self.metric_delta("hush_send_commit_seconds_sum")
            .zip(self.metric_delta("hush_send_commit_seconds_count"))
            .filter(|(_, n)| *n > 0.0)
            .map(|(s, n)| s / n * 1000.0)
    }
}

/// A pair's two running tasks.
struct Running {
    index: usize,
    to: hush_protocol::Username,
    sending: JoinHandle<(Sink, Stream)>,
    receiving: JoinHandle<(Sink, Stream, Vec<u32>)>,
}

/// Runs senders and receivers for a warm-up plus `seconds`, counting over those seconds (at
/// one send per `every` per sender when given); returns the pairs still whole.
pub async fn run_phase(
    relay: Relay,
    server: &Relayed,
    pairs: Vec<Pair>,
    options: &Options,
    every: Option<Duration>,
    seconds: f64,
) -> (Vec<Pair>, Run) {
    let start = Instant::now();
    let window_start = start + WARM_UP;
    let window_end = window_start + Duration::from_secs_f64(seconds);
    let phase = Arc::new(Phase {
        relay,
        id: 1 + u64::from(every.is_some()),
        base: start,
        window: options.window,
        ack_batch: options.ack_batch,
        every,
        stop_sending: window_end,
        record_from: every.map(|_| window_start),
    });
    let counters = Arc::new(Counters::default());
    let stop_receiving = CancellationToken::new();
    let running = start_pairs(pairs, &phase, &counters, &stop_receiving);
    tokio::time::sleep_until(window_start).await;
    let mut run = count_window(relay, server, &counters, window_end).await;
    let (pairs, samples) = finish(running, &counters, &stop_receiving).await;
    run.samples = samples;
    run.errors = counters.errors.load(Ordering::Relaxed);
    run.skipped = counters.skipped.load(Ordering::Relaxed);
    (pairs, run)
}

/// Spawns each pair's sender and receiver.
fn start_pairs(
    pairs: Vec<Pair>,
    phase: &Arc<Phase>,
    counters: &Arc<Counters>,
    stop_receiving: &CancellationToken,
) -> Vec<Running> {
    let count = pairs.len().max(1) as u32;
    let mut running = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let offset = phase
            .every
            .map_or(Duration::ZERO, |e| e * (pair.index as u32 % count) / count);
        let (sink, stream) = pair.sender;
        let sender = Sender {
            sink,
            stream,
            to: pair.to.clone(),
            index: pair.index,
        };
        let sending = tokio::spawn(run_sender(sender, offset, phase.clone(), counters.clone()));
        let (sink, stream) = pair.receiver;
        let receiving = tokio::spawn(run_receiver(
            sink,
            stream,
            phase.clone(),
            counters.clone(),
            stop_receiving.clone(),
        ));
        running.push(Running {
            index: pair.index,
            to: pair.to,
            sending,
            receiving,
        });
    }
    running
}

/// Counts from now (the window's start) until `window_end`.
async fn count_window(
    relay: Relay,
    server: &Relayed,
    counters: &Counters,
    window_end: Instant,
) -> Run {
    let mut run = Run::default();
    let pid = server.pid().to_string();
    let (stored0, delivered0) = (
        counters.stored.load(Ordering::Relaxed),
        counters.delivered.load(Ordering::Relaxed),
    );
    let (server0, generator0) = (cpu_seconds(&pid), cpu_seconds("self"));
    let scrape = server.metrics.filter(|_| relay == Relay::Hush);
    if let Some(at) = scrape {
        run.metrics_before = metrics(at).await;
    }
    tokio::time::sleep_until(window_end).await;
    run.stored = counters.stored.load(Ordering::Relaxed) - stored0;
    run.delivered = counters.delivered.load(Ordering::Relaxed) - delivered0;
    run.server_cpu = cpu_seconds(&pid) - server0;
    run.generator_cpu = cpu_seconds("self") - generator0;
    if let Some(at) = scrape {
        run.metrics_after = metrics(at).await;
    }
    run
}

/// Senders stop on their own; then waits for what was stored to arrive, stops the receivers
/// and puts the pairs back together. Returns them and every latency sample.
async fn finish(
    running: Vec<Running>,
    counters: &Counters,
    stop_receiving: &CancellationToken,
) -> (Vec<Pair>, Vec<u32>) {
    let mut senders = Vec::with_capacity(running.len());
    let mut receivers = Vec::with_capacity(running.len());
    for pair in running {
        senders.push((pair.index, pair.to, pair.sending.await.ok()));
        receivers.push(pair.receiving);
    }
    let drained_by = Instant::now() + DRAIN;
    while counters.delivered.load(Ordering::Relaxed) < counters.stored.load(Ordering::Relaxed)
        && Instant::now() < drained_by
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop_receiving.cancel();
    let mut pairs = Vec::with_capacity(senders.len());
    let mut samples = Vec::new();
    for ((index, to, sender), receiving) in senders.into_iter().zip(receivers) {
        let Ok((sink, stream, mut taken)) = receiving.await else {
            continue;
        };
        samples.append(&mut taken);
        if let Some(sender) = sender {
            pairs.push(Pair {
                index,
                to,
                sender,
                receiver: (sink, stream),
            });
        }
    }
    (pairs, samples)
}
