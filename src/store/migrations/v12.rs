//! Data for version 12, for databases written before it: the search index record of every
//! message stored (version 11's index store is dropped by the upgrade). The messages are read
//! and indexed [`BATCH`] at a time, each batch in its own transaction, so memory stays bounded
//! however many there are; then `data_version` says 12. Interrupted, it starts over on the
//! next opening (the same records are put again).

use futures::future::join_all;
use hush_client::search::terms_of;
use hush_client::store::StoreError;
use rexie::{KeyRange, Rexie, TransactionMode, TransactionResult};
use wasm_bindgen::JsValue;

use crate::store::records::{backend, decode_message_record, field, search_record, seq_of};
use crate::store::schema;

/// Messages read and indexed per transaction.
const BATCH: u32 = 500;

/// Indexes the messages stored before version 12, unless it ran.
pub(super) async fn apply(db: &Rexie) -> Result<(), StoreError> {
    if ran(db).await? {
        return Ok(());
    }
    let mut after = None;
    while let Some(last) = index_batch(db, after.as_ref()).await? {
        after = Some(last);
    }
    done(db).await
}

/// Whether `data_version` says it ran.
async fn ran(db: &Rexie) -> Result<bool, StoreError> {
    let tx = (db.transaction(&[schema::META], TransactionMode::ReadOnly)).map_err(backend)?;
    let meta = tx.store(schema::META).map_err(backend)?;
    let version = meta.get(JsValue::from_str(schema::DATA_VERSION)).await;
    tx.done().await.map_err(backend)?;
    Ok((version.map_err(backend)?)
        .and_then(|v| v.as_f64())
        .is_some_and(|v| v >= 12.0))
}

/// Indexes up to [`BATCH`] messages, those whose keys come after `after` (from the first for
/// None); the last key read when there may be more.
async fn index_batch(db: &Rexie, after: Option<&JsValue>) -> Result<Option<JsValue>, StoreError> {
    let stores = [schema::MESSAGES, schema::SEARCH];
    let tx = (db.transaction(&stores, TransactionMode::ReadWrite)).map_err(backend)?;
    let range = after
        .map(|key| KeyRange::lower_bound(key, Some(true)).map_err(|e| backend(e.into())))
        .transpose()?;
    let records = (tx.store(schema::MESSAGES).map_err(backend)?)
        .get_all(range, Some(BATCH))
        .await
        .map_err(backend)?;
    let mut indexed = Vec::with_capacity(records.len());
    for record in &records {
        // One that does not decode is left out of the index, not a reason to stop.
        let Ok(message) = decode_message_record(record) else {
            continue;
        };
        let terms = terms_of(&message);
        if !terms.is_empty() {
            let chat = message.chat.to_string();
            indexed.push(search_record(seq_of(record)?, &message.id, &chat, &terms)?);
        }
    }
    let search = tx.store(schema::SEARCH).map_err(backend)?;
    for put in join_all(indexed.iter().map(|record| search.put(record, None))).await {
        put.map_err(backend)?;
    }
    committed(tx.done().await.map_err(backend)?)?;
    let full = records.len() == BATCH as usize;
    records
        .last()
        .filter(|_| full)
        .map(|r| field(r, "id"))
        .transpose()
}

/// Records that it ran.
async fn done(db: &Rexie) -> Result<(), StoreError> {
    let tx = (db.transaction(&[schema::META], TransactionMode::ReadWrite)).map_err(backend)?;
    let meta = tx.store(schema::META).map_err(backend)?;
    let key = JsValue::from_str(schema::DATA_VERSION);
    meta.put(&JsValue::from(12), Some(&key))
        .await
        .map_err(backend)?;
    committed(tx.done().await.map_err(backend)?)
}

fn committed(result: TransactionResult) -> Result<(), StoreError> {
    match result {
        TransactionResult::Committed => Ok(()),
        TransactionResult::Aborted => Err(StoreError::Backend(
            "the browser aborted the version 12 migration".to_owned(),
        )),
    }
}
