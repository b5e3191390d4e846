//! Stars written before the index held each starred message's time hold `1`: they are written
//! again with their time, so the newest stars list first. Reads only those records (through the
//! index, at key 1), so once done it costs one empty read per opening; running it again
//! changes nothing.

use futures::future::join_all;
use hush_client::store::StoreError;
use rexie::{KeyRange, Rexie, TransactionMode, TransactionResult};
use wasm_bindgen::JsValue;

use crate::store::records::{backend, decode_message_record, message_record, seq_of};
use crate::store::schema;

/// Writes the starred messages still marked `1` again, with their time.
pub(super) async fn apply(db: &Rexie) -> Result<(), StoreError> {
    let tx = db
        .transaction(&[schema::MESSAGES], TransactionMode::ReadWrite)
        .map_err(backend)?;
    let messages = tx.store(schema::MESSAGES).map_err(backend)?;
    let old_mark = KeyRange::only(&JsValue::from_f64(1.0)).map_err(|e| backend(e.into()))?;
    let old = messages
        .index(schema::MESSAGES_STARRED)
        .map_err(backend)?
        .get_all(Some(old_mark), None)
        .await
        .map_err(backend)?;
    let mut rewritten = Vec::with_capacity(old.len());
    for record in &old {
        rewritten.push(message_record(
            &decode_message_record(record)?,
            seq_of(record)?,
        )?);
    }
    let puts = rewritten.iter().map(|record| messages.put(record, None));
    for put in join_all(puts).await {
        put.map_err(backend)?;
    }
    match tx.done().await.map_err(backend)? {
        TransactionResult::Committed => Ok(()),
        TransactionResult::Aborted => Err(StoreError::Backend(
            "the browser aborted rewriting the stars".to_owned(),
        )),
    }
}
