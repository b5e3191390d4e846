//! A chat's messages a page at a time, read from the index on (chat, place): the newest page,
//! the page before a message (scrolling back) and the page after one (scrolling forward again
//! from a search result far back).

use hush_client::model::{ChatMessage, MessageId};
use hush_client::store::StoreError;
use hush_client::ChatId;
use js_sys::Array;
use rexie::{Direction, KeyRange, Rexie, TransactionMode};
use wasm_bindgen::JsValue;

use super::records::{backend, decode_message_record, field, id_key, seq_of};
use super::schema;

/// Which page of a chat: the newest, or the one just before or after a message.
#[derive(Clone, Copy)]
pub(super) enum Page<'a> {
    Newest,
    Before(&'a MessageId),
    After(&'a MessageId),
}

/// Up to `limit` messages of `chat` on `page`, oldest first. A message that is not this
/// chat's gives none.
pub(super) async fn read(
    db: &Rexie,
    chat: &ChatId,
    page: Page<'_>,
    limit: usize,
) -> Result<Vec<ChatMessage>, StoreError> {
    let chat = chat.to_string();
    let tx = db
        .transaction(&[schema::MESSAGES], TransactionMode::ReadOnly)
        .map_err(backend)?;
    let store = tx.store(schema::MESSAGES).map_err(backend)?;
    let place = match page {
        Page::Newest => None,
        Page::Before(id) | Page::After(id) => match store.get(id_key(id)).await.map_err(backend)? {
            Some(found) if field(&found, "chat")?.as_string().as_ref() == Some(&chat) => {
                Some(seq_of(&found)?)
            }
            _ => return Ok(Vec::new()),
        },
    };
    let key = |seq: f64| -> JsValue { Array::of2(&JsValue::from_str(&chat), &seq.into()).into() };
    // Bounds open at the message itself: a page never repeats the message it starts from.
    let (range, direction) = match (page, place) {
        (Page::After(_), Some(seq)) => (
            KeyRange::bound(&key(seq), &key(f64::MAX), Some(true), None),
            Direction::Next,
        ),
        (_, seq) => (
            KeyRange::bound(&key(0.0), &key(seq.unwrap_or(f64::MAX)), None, Some(true)),
            Direction::Prev,
        ),
    };
    let forward = matches!(direction, Direction::Next);
    let range = range.map_err(|e| backend(e.into()))?;
    let limit = u32::try_from(limit).unwrap_or(u32::MAX);
    let found = store
        .index(schema::MESSAGES_BY_CHAT)
        .map_err(backend)?
        .scan(Some(range), Some(limit), None, Some(direction))
        .await
        .map_err(backend)?;
    tx.done().await.map_err(backend)?;
    let mut messages = found
        .iter()
        .map(|(_, value)| decode_message_record(value))
        .collect::<Result<Vec<_>, _>>()?;
    if !forward {
        messages.reverse();
    }
    Ok(messages)
}
