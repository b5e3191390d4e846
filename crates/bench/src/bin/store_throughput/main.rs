//! How fast the relay's SQLite store takes envelopes and acks on this machine (no thresholds:
//! it prints).
//!
//! 64 callers (tasks on a multi-thread runtime, as the relay's connections are) insert 200,000
//! envelopes of 256 bytes, one envelope per call, then ack them, one id per call; every call
//! returns only once its group is committed with `synchronous=FULL`.
//! With `HUSH_BENCH_SMOKE=1`: 8 callers, 800 envelopes (does it still work?).
//!
//! `cargo run --release -p hush-bench --bin store_throughput [DIR [BATCH]]` (also `cargo xtask
//! bench store`)
//! - DIR: where the database goes (in a new temporary directory); default: the system's
//!   temporary directory.
//! - BATCH: envelopes per insert call and ids per ack call; default 1.

mod load;
mod recipients;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hush_bench::Failure;
use hush_server::store::sqlite::SqliteStore;
use hush_server::store::Store;

use crate::load::{ack_all, insert_all, Load};

/// The full run's size.
const FULL: Load = Load {
    callers: 64,
    envelopes: 200_000,
    batch: 1,
};

/// A smoke run's size.
const SMOKE: Load = Load {
    callers: 8,
    envelopes: 800,
    batch: 1,
};

fn main() -> Result<(), Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> Result<(), Failure> {
    let base = std::env::args_os()
        .nth(1)
        .map_or_else(std::env::temp_dir, PathBuf::from);
    let mut load = if hush_bench::smoke() { SMOKE } else { FULL };
    if let Some(batch) = std::env::args().nth(2) {
        load.batch = batch.parse::<usize>()?.max(1);
    }
    let dir = tempfile::tempdir_in(&base)?;
    let path = dir.path().join("hush.db");
    println!(
        "database: {}; {} callers, {} per call",
        path.display(),
        load.callers,
        load.batch
    );
    let store = Arc::new(SqliteStore::open(&path)?);
    recipients::create(&*store, load.callers).await?;

    let started = Instant::now();
    let ids = insert_all(&store, &load).await?;
    report("insert", ids.iter().map(Vec::len).sum(), started.elapsed());
    println!("queued: {}", store.queue_depth().await?);

    let count = ids.iter().map(Vec::len).sum();
    let started = Instant::now();
    ack_all(&store, &load, ids).await?;
    report("ack", count, started.elapsed());
    println!("queued: {}", store.queue_depth().await?);
    Ok(())
}

fn report(what: &str, count: usize, elapsed: Duration) {
    let rate = count as f64 / elapsed.as_secs_f64();
    println!(
        "{what}: {count} envelopes in {:.2} s = {rate:.0} envelopes/s",
        elapsed.as_secs_f64()
    );
}
