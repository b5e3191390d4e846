//! Phase 1: many idle connections (ours: each its own registered account), and the relay's
//! memory before and after.

use std::time::Duration;

use futures::StreamExt;
use hush_bench::Failure;
use tokio::time::Instant;

use crate::account::open;
use crate::child::Relayed;
use crate::connect::Ws;
use crate::proc_stats::rss_kb;
use crate::relay_kind::Relay;
use crate::settings::{OPENING, WAIT};

/// The most time spent opening the idle connections.
const IDLE_BUDGET: Duration = Duration::from_secs(45);

/// What the idle phase measured.
#[derive(Debug, Default)]
pub struct Idle {
    /// Connections open at the end.
    pub held: usize,
    /// The relay's RSS before opening them, KB.
    pub rss_before_kb: u64,
    /// And with them open.
    pub rss_after_kb: u64,
    /// The growth per connection held, KB.
    pub kb_each: f64,
    /// How long opening them took.
    pub open_seconds: f64,
}

/// Opens `count` connections (within a time budget), weighs the relay, closes them all.
pub async fn idle_phase(relay: Relay, server: &Relayed, count: usize) -> Result<Idle, Failure> {
    let mut idle = Idle::default();
    tokio::time::sleep(Duration::from_millis(500)).await;
    idle.rss_before_kb = rss_kb(server.pid())?;
    let started = Instant::now();
    let opened = open_all(relay, server, count, started + IDLE_BUDGET).await;
    idle.open_seconds = started.elapsed().as_secs_f64();
    let mut held = Vec::with_capacity(opened.len());
    let mut first_error = None;
    for result in opened {
        match result {
            Ok(ws) => held.push(ws),
            Err(e) => {
                first_error.get_or_insert(e.to_string());
            }
        }
    }
    if let Some(error) = first_error {
        println!(
            "[{}] {} connections failed, first: {error}",
            relay.name(),
            count - held.len()
        );
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    idle.rss_after_kb = rss_kb(server.pid())?;
    idle.held = held.len();
    if !held.is_empty() {
        idle.kb_each =
            idle.rss_after_kb.saturating_sub(idle.rss_before_kb) as f64 / held.len() as f64;
    }
    close_all(held).await;
    Ok(idle)
}

/// Opens `count` connections, [`OPENING`] at a time, none after `deadline`.
async fn open_all(
    relay: Relay,
    server: &Relayed,
    count: usize,
    deadline: Instant,
) -> Vec<Result<Ws, Failure>> {
    let addr = server.addr;
    futures::stream::iter(0..count)
        .map(|i| async move {
            if Instant::now() > deadline {
                return Err(Failure::from("out of time"));
            }
            let name = format!("idle-{i:06}");
            match tokio::time::timeout(WAIT, open(relay, addr, name, 1_000_000 + i as u64, "/idle"))
                .await
            {
                Ok(result) => result,
                Err(_) => Err("timed out".into()),
            }
        })
        .buffer_unordered(OPENING)
        .collect()
        .await
}

/// Closes them all before the next phase.
async fn close_all(held: Vec<Ws>) {
    let closing = futures::stream::iter(held)
        .map(|mut ws| async move {
            let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
        })
        .buffer_unordered(1024)
        .collect::<Vec<()>>();
    let _ = tokio::time::timeout(Duration::from_secs(20), closing).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
}
