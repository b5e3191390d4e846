//! Load on the real relay over loopback, with a bare WebSocket relay as the same-run reference.
//!
//! `cargo run --release -p hush-bench --bin relay_load [-- FLAGS]` (also `cargo xtask bench
//! relay`). The relays run in child processes (this program again, with `--serve`): ours is the
//! real `hush_server::Server` on a fresh SQLite database in a temporary directory, the reference
//! a bare tokio-tungstenite relay that forwards each frame of a sender to its paired receiver (no
//! storage, no authentication). With two CPUs or more the relay is pinned to one CPU and this
//! generator to another. For each relay:
//!
//! 1. idle connections: C connections (ours: each registers its own account and stays
//!    authenticated), the relay's RSS before and after → KB per idle connection;
//! 2. throughput: P sender/receiver pairs, senders pipelining `Send`s of 256-byte payloads
//!    (a window of W unanswered sends each), receivers acking every envelope, for T seconds;
//! 3. latency: the same pairs rate-limited to half the measured throughput, payloads
//!    timestamped, p50/p99 from send to receipt.
//!
//! Flags: `--connections C` (10000) `--pairs P` (200) `--window W` (32) `--seconds T` (10)
//! `--latency-seconds L` (6) `--ack-batch N` (1: one `Ack` per envelope; more: envelopes already
//! received are acked together) `--no-pin`; for the reference only, `--bare-nagle` (leave
//! TCP_NODELAY off; by default the reference sets it, as ours does, since with Nagle's algorithm
//! and delayed ACKs its figures are stall-bound and vary severalfold run to run) and
//! `--bare-read-buffer BYTES` (tungstenite's read buffer, 128 KiB by default; ours uses 4 KiB).
//! `--before-exe PATH` measures a third relay between ours and the reference: ours as it was
//! before issue 19's hardening (`PATH` is this program built from that commit; `cargo xtask
//! bench relay` builds it), so the hardening's cost is a same-run ratio.
//! With `HUSH_BENCH_SMOKE=1` the defaults are tiny (a run of seconds: does it still work?).
//! Only loopback addresses; every loop is bounded in count and time.

mod account;
mod bare;
mod child;
mod connect;
mod generate;
mod idle;
mod lifeline;
mod measure;
mod options;
mod os;
mod pairs;
mod phase;
mod proc_stats;
mod receiver;
mod relay_kind;
mod relay_metrics;
mod report;
mod run;
mod sender;
mod serve;
mod settings;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((first, rest)) if first == "--serve" => serve::serve(rest),
        _ => generate::generate(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("relay_load: {error}");
            ExitCode::FAILURE
        }
    }
}
