//! A commit in IndexedDB: one read-write transaction over every store, its requests placed in
//! two rounds (every read, then every write), not one round trip each: the browser runs them
//! in order. What the second round writes is decided by `plan` in between, without awaiting
//! anything, so inside the transaction only IndexedDB requests are awaited and the browser
//! cannot commit it half done. A tab closed mid-way leaves the previous state.

use futures::future::{join, join3, join_all};
use hush_client::store::{Changes, StoreError};
use rexie::{Rexie, TransactionMode, TransactionResult};
use wasm_bindgen::JsValue;

use super::plan::{self, Found};
use super::records::{self, backend, id_key};
use super::schema;

/// Writes `changes` in one transaction (with `index_terms`, their search index entries too).
pub(super) async fn commit(
    db: &Rexie,
    changes: &Changes,
    index_terms: bool,
) -> Result<(), StoreError> {
    let tx = db
        .transaction(&schema::ALL, TransactionMode::ReadWrite)
        .map_err(backend)?;
    let stores = schema::ALL
        .iter()
        .map(|name| Ok((*name, tx.store(name).map_err(backend)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let store = |name: &str| {
        stores
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, store)| store)
            .ok_or_else(|| StoreError::Backend(format!("no object store {name}")))
    };
    let (meta, messages, outbox) = (
        store(schema::META)?,
        store(schema::MESSAGES)?,
        store(schema::OUTBOX)?,
    );

    // Round 1, reads: the arrival counter and what is stored under every id written.
    let (next_seq, found_messages, found_outbox) = join3(
        meta.get(JsValue::from_str(schema::NEXT_SEQ)),
        join_all(plan::message_ids(changes).map(|id| messages.get(id_key(&id)))),
        join_all(changes.outbox.iter().map(|e| outbox.get(id_key(&e.id)))),
    )
    .await;
    let found = Found {
        next_seq: stored(next_seq)?.and_then(|v| v.as_f64()),
        messages: found_messages
            .into_iter()
            .map(stored)
            .collect::<Result<_, _>>()?,
        outbox: found_outbox
            .into_iter()
            .map(stored)
            .collect::<Result<_, _>>()?,
    };

    // Deciding, without awaiting anything.
    let plan = plan::plan(changes, found, index_terms)?;
    let mut puts = Vec::with_capacity(plan.puts.len());
    for put in &plan.puts {
        let key = put.key.as_ref().map(records::key);
        puts.push((store(put.store)?, records::value(&put.record)?, key));
    }
    let mut deletes = Vec::with_capacity(plan.deletes.len());
    for delete in &plan.deletes {
        deletes.push((store(delete.store)?, records::key(&delete.key)));
    }

    // Round 2, writes: every put, then every delete.
    let (put_results, delete_results) = join(
        join_all(
            puts.iter()
                .map(|(store, value, key)| store.put(value, key.as_ref())),
        ),
        join_all(deletes.into_iter().map(|(store, key)| store.delete(key))),
    )
    .await;
    for result in put_results {
        result.map_err(backend)?;
    }
    for result in delete_results {
        result.map_err(backend)?;
    }
    match tx.done().await.map_err(backend)? {
        TransactionResult::Committed => Ok(()),
        TransactionResult::Aborted => Err(StoreError::Backend(
            "the browser aborted the transaction; nothing was written".to_owned(),
        )),
    }
}

/// What a read found: None where nothing is stored.
fn stored(found: rexie::Result<Option<JsValue>>) -> Result<Option<JsValue>, StoreError> {
    found
        .map(|v| v.filter(|v| !v.is_undefined()))
        .map_err(backend)
}
