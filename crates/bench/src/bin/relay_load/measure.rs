//! Everything measured on one relay: idle connections, throughput, then latency at half that
//! rate (and, for the reference, again at our half rate).

use std::time::Duration;

use hush_bench::{percentile, Failure};

use crate::child::Relayed;
use crate::idle::{idle_phase, Idle};
use crate::options::Options;
use crate::pairs::{open_pairs, Pair};
use crate::relay_kind::Relay;
use crate::run::run_phase;

/// One relay's figures.
#[derive(Debug, Default)]
pub struct Figures {
    /// The idle phase.
    pub idle: Idle,
    /// Pairs connected.
    pub pairs: usize,
    /// Sends stored per second.
    pub stored_per_s: f64,
    /// Envelopes delivered per second.
    pub delivered_per_s: f64,
    /// The relay's CPU, in cores.
    pub server_cpu: f64,
    /// The generator's CPU, in cores.
    pub generator_cpu: f64,
    /// Acks applied per second (ours).
    pub acks_per_s: Option<f64>,
    /// A send's mean wait for its group commit at full throughput (ours).
    pub commit_ms: Option<f64>,
    /// The same at half rate (ours).
    pub latency_commit_ms: Option<f64>,
    /// Errors in all phases.
    pub errors: u64,
    /// Half the delivered rate: the latency phase's target.
    pub latency_rate: f64,
    /// The rate the latency phase achieved.
    pub achieved_rate: f64,
    /// Median send-to-receipt latency at half rate, µs.
    pub p50_us: f64,
    /// 99th percentile, µs.
    pub p99_us: f64,
    /// Latency samples taken.
    pub samples: usize,
    /// Full-window ticks in the latency phase.
    pub skipped: u64,
    /// The reference's median at our half rate, µs.
    pub same_rate_p50_us: f64,
    /// Its 99th percentile there, µs.
    pub same_rate_p99_us: f64,
}

/// Measures `relay`; `same_rate` (the reference's run) is our half rate, to be measured again.
pub async fn measure(
    relay: Relay,
    server: &Relayed,
    options: &Options,
    connections: usize,
    same_rate: Option<f64>,
) -> Result<Figures, Failure> {
    println!("\n[{}] idle connections…", relay.name());
    let idle = idle_phase(relay, server, connections).await?;
    println!(
        "[{}] held {}/{connections} in {:.1} s; RSS {} → {} KB",
        relay.name(),
        idle.held,
        idle.open_seconds,
        idle.rss_before_kb,
        idle.rss_after_kb
    );
    let mut figures = Figures {
        idle,
        ..Figures::default()
    };
    let pairs = open_pairs(relay, server.addr, options.pairs).await?;
    figures.pairs = pairs.len();
    println!(
        "[{}] {} pairs connected; throughput…",
        relay.name(),
        pairs.len()
    );
    let pairs = throughput(relay, server, pairs, options, &mut figures).await;
    figures.latency_rate = figures.delivered_per_s / 2.0;
    let pairs = if figures.latency_rate >= 1.0 && !pairs.is_empty() {
        let (rest, latency) =
            latency_phase(relay, server, pairs, options, figures.latency_rate).await;
        latency.record(&mut figures);
        rest
    } else {
        pairs
    };
    // The reference again at our half rate: the same absolute load, so the latencies compare.
    if let Some(rate) = same_rate.filter(|r| *r >= 1.0 && !pairs.is_empty()) {
        let (_, latency) = latency_phase(relay, server, pairs, options, rate).await;
        figures.same_rate_p50_us = latency.p50_us;
        figures.same_rate_p99_us = latency.p99_us;
    }
    Ok(figures)
}

/// The throughput phase: as fast as the windows allow.
async fn throughput(
    relay: Relay,
    server: &Relayed,
    pairs: Vec<Pair>,
    options: &Options,
    figures: &mut Figures,
) -> Vec<Pair> {
    let seconds = options.seconds as f64;
    let (pairs, run) = run_phase(relay, server, pairs, options, None, seconds).await;
    figures.stored_per_s = run.stored as f64 / seconds;
    figures.delivered_per_s = run.delivered as f64 / seconds;
    figures.server_cpu = run.server_cpu / seconds;
    figures.generator_cpu = run.generator_cpu / seconds;
    figures.errors = run.errors;
    if relay == Relay::Hush {
        figures.acks_per_s = run.metric_delta("hush_acks_total").map(|a| a / seconds);
        figures.commit_ms = run.mean_commit_ms();
    }
    println!(
        "[{}] stored {:.0}/s delivered {:.0}/s; relay CPU {:.0}%, generator CPU {:.0}%",
        relay.name(),
        figures.stored_per_s,
        figures.delivered_per_s,
        figures.server_cpu * 100.0,
        figures.generator_cpu * 100.0
    );
    pairs
}

/// What a latency phase measured.
struct Latency {
    commit_ms: Option<f64>,
    achieved: f64,
    errors: u64,
    skipped: u64,
    samples: usize,
    p50_us: f64,
    p99_us: f64,
}

impl Latency {
    fn record(&self, figures: &mut Figures) {
        figures.latency_commit_ms = self.commit_ms;
        figures.achieved_rate = self.achieved;
        figures.errors += self.errors;
        figures.skipped = self.skipped;
        figures.samples = self.samples;
        figures.p50_us = self.p50_us;
        figures.p99_us = self.p99_us;
    }
}

/// Senders rate-limited to `rate` envelopes/s in all; send→receive latency percentiles.
async fn latency_phase(
    relay: Relay,
    server: &Relayed,
    pairs: Vec<Pair>,
    options: &Options,
    rate: f64,
) -> (Vec<Pair>, Latency) {
    let every = Duration::from_secs_f64(pairs.len().max(1) as f64 / rate);
    let seconds = options.latency_seconds as f64;
    let (pairs, mut run) = run_phase(relay, server, pairs, options, Some(every), seconds).await;
    let mut samples = std::mem::take(&mut run.samples);
    samples.sort_unstable();
    let latency = Latency {
        commit_ms: run.mean_commit_ms(),
        achieved: run.delivered as f64 / seconds,
        errors: run.errors,
        skipped: run.skipped,
        samples: samples.len(),
        p50_us: percentile(&samples, 0.50),
        p99_us: percentile(&samples, 0.99),
    };
    println!(
        "[{}] at {:.0}/s (asked {rate:.0}/s): p50 {:.2} ms, p99 {:.2} ms ({} samples)",
        relay.name(),
        latency.achieved,
        latency.p50_us / 1000.0,
        latency.p99_us / 1000.0,
        latency.samples
    );
    (pairs, latency)
}
