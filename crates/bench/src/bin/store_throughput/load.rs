//! The load: callers (tokio tasks) inserting envelopes for their recipient, then acking them.

use std::sync::Arc;

use hush_bench::Failure;
use hush_server::store::{NewEnvelope, Store};
use tokio::task::JoinHandle;

use crate::recipients::recipient;

/// Envelope payload bytes.
const PAYLOAD: usize = 256;

/// How much load, from how many callers.
pub struct Load {
    /// Callers, each with its recipient.
    pub callers: usize,
    /// Envelopes in all (rounded down to a multiple of `callers`).
    pub envelopes: usize,
    /// Envelopes per insert call and ids per ack call.
    pub batch: usize,
}

/// Every caller inserts its share; returns the ids, per caller.
pub async fn insert_all<S: Store>(store: &Arc<S>, load: &Load) -> Result<Vec<Vec<u64>>, Failure> {
    let per_caller = load.envelopes / load.callers;
    let batch = load.batch;
    let tasks: Vec<_> = (0..load.callers)
        .map(|caller| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut ids = Vec::with_capacity(per_caller);
                let numbers: Vec<usize> = (0..per_caller).collect();
                for chunk in numbers.chunks(batch) {
                    let envelopes: Vec<_> = chunk.iter().map(|&n| envelope(caller, n)).collect();
                    ids.extend(store.insert_envelopes(&envelopes).await?);
                }
                Ok(ids)
            })
        })
        .collect();
    let mut ids = Vec::with_capacity(tasks.len());
    for task in tasks {
        ids.push(joined(task).await?);
    }
    Ok(ids)
}

/// Every caller acks what it inserted, for its recipient.
pub async fn ack_all<S: Store>(
    store: &Arc<S>,
    load: &Load,
    ids: Vec<Vec<u64>>,
) -> Result<(), Failure> {
    let batch = load.batch;
    let tasks: Vec<_> = ids
        .into_iter()
        .enumerate()
        .map(|(caller, ids)| {
            let store = store.clone();
            tokio::spawn(async move {
                let name = recipient(caller);
                for chunk in ids.chunks(batch) {
                    if store.ack(&name, 1, chunk).await? != chunk.len() {
                        return Err(format!("envelopes {chunk:?} were not all acked").into());
                    }
                }
                Ok(())
            })
        })
        .collect();
    for task in tasks {
        joined(task).await?;
    }
    Ok(())
}

/// A caller's outcome; its panic is a failure.
async fn joined<T>(task: JoinHandle<Result<T, Failure>>) -> Result<T, Failure> {
    task.await.map_err(|_| Failure::from("a caller panicked"))?
}

/// Envelope `n` of caller `caller`, with a payload that differs between them.
fn envelope(caller: usize, n: usize) -> NewEnvelope {
    let mut client_id = [0; 16];
    client_id[..8].copy_from_slice(&(n as u64).to_le_bytes());
    let mut payload = vec![0; PAYLOAD];
    for (i, byte) in payload.iter_mut().enumerate() {
        *byte = (i.wrapping_mul(31) ^ n ^ caller) as u8;
    }
    NewEnvelope {
        recipient: recipient(caller),
        recipient_device: 1,
        sender: "sender".to_owned(),
        sender_device: 1,
        client_id,
        payload: payload.into(),
        received_ms: 1_700_000_000_000,
    }
}
