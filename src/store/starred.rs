//! The "Starred messages" list: the newest starred messages, read newest first from the index
//! on each starred message's time.

use hush_client::model::ChatMessage;
use hush_client::store::StoreError;
use rexie::{Direction, Rexie, TransactionMode};

use super::records::{backend, decode_message_record};
use super::schema;

/// The `limit` newest starred messages, newest first.
pub(super) async fn newest(db: &Rexie, limit: usize) -> Result<Vec<ChatMessage>, StoreError> {
    let tx = db
        .transaction(&[schema::MESSAGES], TransactionMode::ReadOnly)
        .map_err(backend)?;
    let limit = u32::try_from(limit).unwrap_or(u32::MAX);
    let found = tx
        .store(schema::MESSAGES)
        .map_err(backend)?
        .index(schema::MESSAGES_STARRED)
        .map_err(backend)?
        .scan(None, Some(limit), None, Some(Direction::Prev))
        .await
        .map_err(backend)?;
    tx.done().await.map_err(backend)?;
    found
        .iter()
        .map(|(_, value)| decode_message_record(value))
        .collect()
}
