//! How fast the SQLite store takes envelopes and acks on this machine (no thresholds: it prints).
//!
//! 64 threads insert 200,000 envelopes of 256 bytes, one envelope per call, then ack them, one id
//! per call; every call returns only once its group is committed with `synchronous=FULL`.
//!
//! `cargo run --release -p hush-server --example store_throughput [DIR [BATCH]]`
//! - DIR: where the database goes (in a new temporary directory); default: the system's
//!   temporary directory.
//! - BATCH: envelopes per insert call and ids per ack call; default 1.

use std::error::Error;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use hush_server::store::sqlite::SqliteStore;
use hush_server::store::{AccountRecord, DeviceRecord, NewEnvelope, SignedDeviceList, Store};

const THREADS: usize = 64;
const ENVELOPES: usize = 200_000;
const PAYLOAD: usize = 256;

type Failure = Box<dyn Error + Send + Sync>;

fn main() -> Result<(), Failure> {
    let base = std::env::args_os()
        .nth(1)
        .map_or_else(std::env::temp_dir, PathBuf::from);
    let batch: usize = match std::env::args().nth(2) {
        Some(batch) => batch.parse::<usize>()?.max(1),
        None => 1,
    };
    let dir = tempfile::tempdir_in(&base)?;
    let path = dir.path().join("hush.db");
    println!(
        "database: {}; {THREADS} threads, {batch} per call",
        path.display()
    );
    let store = SqliteStore::open(&path)?;

    // One recipient account (one device) per thread, so acks are per device as in the relay.
    for thread in 0..THREADS {
        let name = recipient(thread);
        let device = DeviceRecord {
            device_id: 1,
            identity: [1; 64],
        };
        store.create_account(
            &AccountRecord {
                name: name.clone(),
                account_key: [2; 32],
                created_ms: 0,
            },
            &SignedDeviceList {
                version: 1,
                bytes: name.into_bytes(),
                devices: vec![device],
            },
        )?;
    }

    let per_thread = ENVELOPES / THREADS;
    let total = per_thread * THREADS;
    let started = Instant::now();
    let ids = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..THREADS)
            .map(|thread| {
                let store = &store;
                scope.spawn(move || -> Result<Vec<u64>, Failure> {
                    let mut ids = Vec::with_capacity(per_thread);
                    let numbers: Vec<usize> = (0..per_thread).collect();
                    for chunk in numbers.chunks(batch) {
                        let envelopes: Vec<_> =
                            chunk.iter().map(|&n| envelope(thread, n)).collect();
                        ids.extend(store.insert_envelopes(&envelopes)?);
                    }
                    Ok(ids)
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|thread| {
                thread
                    .join()
                    .map_err(|_| Failure::from("a thread panicked"))?
            })
            .collect::<Result<Vec<_>, Failure>>()
    })?;
    report("insert", total, started.elapsed());
    println!("queued: {}", store.queue_depth()?);

    let started = Instant::now();
    std::thread::scope(|scope| {
        let threads: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(thread, ids)| {
                let store = &store;
                scope.spawn(move || -> Result<(), Failure> {
                    let name = recipient(thread);
                    for chunk in ids.chunks(batch) {
                        if store.ack(&name, 1, chunk)? != chunk.len() {
                            return Err(format!("envelopes {chunk:?} were not all acked").into());
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        threads.into_iter().try_for_each(|thread| {
            thread
                .join()
                .map_err(|_| Failure::from("a thread panicked"))?
        })
    })?;
    report("ack", total, started.elapsed());
    println!("queued: {}", store.queue_depth()?);
    Ok(())
}

fn recipient(thread: usize) -> String {
    format!("recipient{thread}")
}

fn envelope(thread: usize, n: usize) -> NewEnvelope {
    let mut client_id = [0; 16];
    client_id[..8].copy_from_slice(&(n as u64).to_le_bytes());
    let mut payload = vec![0; PAYLOAD];
    for (i, byte) in payload.iter_mut().enumerate() {
        *byte = (i.wrapping_mul(31) ^ n ^ thread) as u8;
    }
    NewEnvelope {
        recipient: recipient(thread),
        recipient_device: 1,
        sender: "sender".to_owned(),
        sender_device: 1,
        client_id,
        payload,
        received_ms: 1_700_000_000_000,
    }
}

fn report(what: &str, count: usize, elapsed: Duration) {
    let rate = count as f64 / elapsed.as_secs_f64();
    println!(
        "{what}: {count} envelopes in {:.2} s = {rate:.0} envelopes/s",
        elapsed.as_secs_f64()
    );
}
