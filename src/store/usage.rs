//! What this browser keeps per chat (Settings' Storage): its messages, how many and their
//! stored bytes, and their ids (so the media kept for them can be added up and cleared).

use std::collections::BTreeMap;

use hush_client::store::StoreError;
use hush_client::ChatId;
use js_sys::Uint8Array;
use rexie::{Rexie, TransactionMode};

use super::records::{backend, corrupt, field};
use super::schema;

/// One chat's messages as stored here.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChatUsage {
    /// How many messages (notices included).
    pub messages: u32,
    /// Their stored bytes.
    pub bytes: u64,
    /// Their ids, spelled as the media store keys them (hex).
    pub ids: Vec<String>,
}

/// Every chat's messages as stored here, by chat (one read of the messages store).
pub(super) async fn by_chat(db: &Rexie) -> Result<Vec<(ChatId, ChatUsage)>, StoreError> {
    let tx = db
        .transaction(&[schema::MESSAGES], TransactionMode::ReadOnly)
        .map_err(backend)?;
    let records = tx
        .store(schema::MESSAGES)
        .map_err(backend)?
        .scan(None, None, None, None)
        .await
        .map_err(backend)?;
    tx.done().await.map_err(backend)?;
    let mut usage: BTreeMap<String, ChatUsage> = BTreeMap::new();
    for (key, record) in &records {
        let chat = field(record, "chat")?
            .as_string()
            .ok_or_else(|| corrupt("a message's chat is not text"))?;
        let size = Uint8Array::new(&field(record, "bytes")?).length();
        let entry = usage.entry(chat).or_default();
        entry.messages += 1;
        entry.bytes += u64::from(size);
        entry.ids.extend(key.as_string());
    }
    usage
        .into_iter()
        .map(|(chat, usage)| Ok((ChatId::parse(&chat).map_err(corrupt)?, usage)))
        .collect()
}
