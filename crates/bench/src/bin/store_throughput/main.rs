//! How fast the relay's SQLite store takes envelopes and acks on this machine (no thresholds:
//! it prints).
//!
//! 64 threads insert 200,000 envelopes of 256 bytes, one envelope per call, then ack them, one
//! id per call; every call returns only once its group is committed with `synchronous=FULL`.
//! With `HUSH_BENCH_SMOKE=1`: 8 threads, 800 envelopes (does it still work?).
//!
//! `cargo run --release -p hush-bench --bin store_throughput [DIR [BATCH]]` (also `cargo xtask
//! bench store`)
//! - DIR: where the database goes (in a new temporary directory); default: the system's
//!   temporary directory.
//! - BATCH: envelopes per insert call and ids per ack call; default 1.

mod load;
mod recipients;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use hush_bench::Failure;
use hush_server::store::sqlite::SqliteStore;
use hush_server::store::Store;

use crate::load::{ack_all, insert_all, Load};

/// The full run's size.
const FULL: Load = Load {
    threads: 64,
    envelopes: 200_000,
    batch: 1,
};

/// A smoke run's size.
const SMOKE: Load = Load {
    threads: 8,
    envelopes: 800,
    batch: 1,
};

fn main() -> Result<(), Failure> {
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
        "database: {}; {} threads, {} per call",
        path.display(),
        load.threads,
        load.batch
    );
    let store = SqliteStore::open(&path)?;
    recipients::create(&store, load.threads)?;

    let started = Instant::now();
    let ids = insert_all(&store, &load)?;
    report("insert", ids.iter().map(Vec::len).sum(), started.elapsed());
    println!("queued: {}", store.queue_depth()?);

    let started = Instant::now();
    ack_all(&store, &load, &ids)?;
    report("ack", ids.iter().map(Vec::len).sum(), started.elapsed());
    println!("queued: {}", store.queue_depth()?);
    Ok(())
}

fn report(what: &str, count: usize, elapsed: Duration) {
    let rate = count as f64 / elapsed.as_secs_f64();
    println!(
        "{what}: {count} envelopes in {:.2} s = {rate:.0} envelopes/s",
        elapsed.as_secs_f64()
    );
}
