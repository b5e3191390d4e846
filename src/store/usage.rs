//! What this browser keeps per chat (Settings' Storage): its messages, how many and their
//! stored bytes, and their ids (so the media kept for them can be added up and cleared).

use std::collections::BTreeMap;

use hush_client::store::StoreError;
use hush_client::ChatId;
use js_sys::Uint8Array;
use rexie::{KeyRange, Rexie, TransactionMode};
use wasm_bindgen::JsValue;

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

/// Messages read at once: the whole store is never in memory together.
const BATCH: u32 = 500;

/// Every chat's messages as stored here, by chat (the messages store read in batches).
pub(super) async fn by_chat(db: &Rexie) -> Result<Vec<(ChatId, ChatUsage)>, StoreError> {
    let mut usage: BTreeMap<String, ChatUsage> = BTreeMap::new();
    let mut after: Option<JsValue> = None;
    loop {
        let range = match &after {
            Some(key) => {
                Some(KeyRange::lower_bound(key, Some(true)).map_err(|e| backend(e.into()))?)
            }
            None => None,
        };
        let tx = db
            .transaction(&[schema::MESSAGES], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let records = tx
            .store(schema::MESSAGES)
            .map_err(backend)?
            .scan(range, Some(BATCH), None, None)
            .await
            .map_err(backend)?;
        tx.done().await.map_err(backend)?;
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
        match records.last() {
            Some((key, _)) if records.len() == BATCH as usize => after = Some(key.clone()),
            _ => break,
        }
    }
    usage
        .into_iter()
        .map(|(chat, usage)| Ok((ChatId::parse(&chat).map_err(corrupt)?, usage)))
        .collect()
}
