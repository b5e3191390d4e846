//! Data for version 11, for databases written before it: the search index entries of every
//! message stored. Runs once (then `data_version` says 11), in one transaction; running it
//! again would change nothing (the same keys are put).

use futures::future::join_all;
use hush_client::search::terms_of;
use hush_client::store::StoreError;
use rexie::{Rexie, TransactionMode, TransactionResult};
use wasm_bindgen::JsValue;

use crate::store::plan::TermKey;
use crate::store::records::{backend, decode_message_record, seq_of, term_key};
use crate::store::schema;

/// Indexes the messages stored before version 11, unless it ran.
pub(super) async fn apply(db: &Rexie) -> Result<(), StoreError> {
    let stores = [schema::META, schema::MESSAGES, schema::TERMS];
    let tx = db
        .transaction(&stores, TransactionMode::ReadWrite)
        .map_err(backend)?;
    let meta = tx.store(schema::META).map_err(backend)?;
    let version_key = JsValue::from_str(schema::DATA_VERSION);
    let done = meta.get(version_key.clone()).await.map_err(backend)?;
    if done.and_then(|v| v.as_f64()).is_some_and(|v| v >= 11.0) {
        return tx.done().await.map(drop).map_err(backend);
    }
    let all = (tx.store(schema::MESSAGES).map_err(backend)?)
        .get_all(None, None)
        .await
        .map_err(backend)?;
    let mut keys = Vec::new();
    for record in &all {
        // One that does not decode is left out of the index, not a reason to stop.
        let Ok(message) = decode_message_record(record) else {
            continue;
        };
        let seq = seq_of(record)?;
        for term in terms_of(&message) {
            let chat = message.chat.to_string();
            let entry = TermKey {
                term,
                seq,
                chat,
                id: message.id,
            };
            keys.push(term_key(&entry));
        }
    }
    let terms = tx.store(schema::TERMS).map_err(backend)?;
    let present = JsValue::TRUE;
    for put in join_all(keys.iter().map(|key| terms.put(&present, Some(key)))).await {
        put.map_err(backend)?;
    }
    meta.put(&JsValue::from(11), Some(&version_key))
        .await
        .map_err(backend)?;
    match tx.done().await.map_err(backend)? {
        TransactionResult::Committed => Ok(()),
        TransactionResult::Aborted => Err(StoreError::Backend(
            "the browser aborted the version 11 migration".to_owned(),
        )),
    }
}
