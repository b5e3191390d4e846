//! The load: threads inserting envelopes for their recipient, then acking them.

use hush_bench::Failure;
use hush_server::store::{NewEnvelope, Store};

use crate::recipients::recipient;

/// Envelope payload bytes.
const PAYLOAD: usize = 256;

/// How much load, in how many threads.
pub struct Load {
    /// Threads, each with its recipient.
    pub threads: usize,
    /// Envelopes in all (rounded down to a multiple of `threads`).
    pub envelopes: usize,
    /// Envelopes per insert call and ids per ack call.
    pub batch: usize,
}

/// Every thread inserts its share; returns the ids, per thread.
pub fn insert_all<S: Store + Sync>(store: &S, load: &Load) -> Result<Vec<Vec<u64>>, Failure> {
    let per_thread = load.envelopes / load.threads;
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..load.threads)
            .map(|thread| {
                scope.spawn(move || -> Result<Vec<u64>, Failure> {
                    let mut ids = Vec::with_capacity(per_thread);
                    let numbers: Vec<usize> = (0..per_thread).collect();
                    for chunk in numbers.chunks(load.batch) {
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
            .collect()
    })
}

/// Every thread acks what it inserted, for its recipient.
pub fn ack_all<S: Store + Sync>(store: &S, load: &Load, ids: &[Vec<u64>]) -> Result<(), Failure> {
    std::thread::scope(|scope| {
        let threads: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(thread, ids)| {
                scope.spawn(move || -> Result<(), Failure> {
                    let name = recipient(thread);
                    for chunk in ids.chunks(load.batch) {
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
    })
}

/// Envelope `n` of thread `thread`, with a payload that differs between them.
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
        payload: payload.into(),
        received_ms: 1_700_000_000_000,
    }
}
