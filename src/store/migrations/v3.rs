//! Data for version 3, for databases written before it: the `unread` field on unread messages
//! and each chat's newest message. Runs once (then `data_version` says 3), in one transaction;
//! running it again would change nothing.

use futures::future::join_all;
use hush_client::store::StoreError;
use hush_client::MessageId;
use rexie::{Rexie, TransactionMode, TransactionResult};
use wasm_bindgen::JsValue;

use crate::store::records::{backend, chat_record, decode_message_record, message_record, seq_of};
use crate::store::schema;

/// Adds what version 3 keeps to the messages stored before it, unless it ran.
pub(super) async fn apply(db: &Rexie) -> Result<(), StoreError> {
    let tx = db
        .transaction(
            &[schema::META, schema::MESSAGES, schema::CHATS],
            TransactionMode::ReadWrite,
        )
        .map_err(backend)?;
    let meta = tx.store(schema::META).map_err(backend)?;
    let version_key = JsValue::from_str(schema::DATA_VERSION);
    let done = meta.get(version_key.clone()).await.map_err(backend)?;
    if done.and_then(|v| v.as_f64()).is_some_and(|v| v >= 3.0) {
        return tx.done().await.map(drop).map_err(backend);
    }
    let messages = tx.store(schema::MESSAGES).map_err(backend)?;
    let all = messages.get_all(None, None).await.map_err(backend)?;
    let mut newest: Vec<(String, f64, MessageId)> = Vec::new();
    let mut rewritten = Vec::with_capacity(all.len());
    for old in &all {
        let message = decode_message_record(old)?;
        let seq = seq_of(old)?;
        let chat = message.chat.to_string();
        match newest.iter_mut().find(|(known, _, _)| *known == chat) {
            Some(entry) if entry.1 < seq => *entry = (chat, seq, message.id),
            Some(_) => {}
            None => newest.push((chat, seq, message.id)),
        }
        rewritten.push(message_record(&message, seq)?);
    }
    let puts = rewritten.iter().map(|record| messages.put(record, None));
    for put in join_all(puts).await {
        put.map_err(backend)?;
    }
    let chats = tx.store(schema::CHATS).map_err(backend)?;
    for (chat, seq, id) in &newest {
        chats
            .put(&chat_record(*seq, id)?, Some(&JsValue::from_str(chat)))
            .await
            .map_err(backend)?;
    }
    meta.put(&JsValue::from(3), Some(&version_key))
        .await
        .map_err(backend)?;
    match tx.done().await.map_err(backend)? {
        TransactionResult::Committed => Ok(()),
        TransactionResult::Aborted => Err(StoreError::Backend(
            "the browser aborted the version 3 migration".to_owned(),
        )),
    }
}
