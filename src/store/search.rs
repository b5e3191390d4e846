//! Search in IndexedDB: the [`TermIndex`] the engine's search runs over. The
//! [`schema::SEARCH`] store keeps one record per message with a term, keyed by the message's
//! place, and its multi-entry index [`schema::SEARCH_BY_TERM`] lists each term's places: a
//! count or the places of a term are one request, and only numbers cross (no record is read
//! until the page of messages to show). Chromium counts a range by walking it, as slowly as
//! reading its keys, so no word is counted: its places are read, up to a cap.

use futures::future::join_all;
use hush_client::model::ChatMessage;
use hush_client::search::{QueryTerm, TermIndex};
use hush_client::store::StoreError;
use rexie::{Direction, KeyRange, Rexie, TransactionMode};
use wasm_bindgen::JsValue;

use super::records::{backend, corrupt, decode_message_record, field};
use super::schema;

/// The term index of one database.
pub(super) struct Terms<'a>(pub &'a Rexie);

/// The index keys of `term`: the term alone, or every term it starts (up to `text + U+FFFF`).
fn range(term: &QueryTerm) -> Result<KeyRange, StoreError> {
    let text = JsValue::from_str(&term.text);
    let range = match term.prefix {
        true => {
            let upper = JsValue::from_str(&format!("{}\u{ffff}", term.text));
            KeyRange::bound(&text, &upper, None, None)
        }
        false => KeyRange::only(&text),
    };
    range.map_err(|e| backend(e.into()))
}

/// The index keys of the terms `text` starts but is not.
fn longer(text: &str) -> Result<KeyRange, StoreError> {
    let lower = JsValue::from_str(text);
    let upper = JsValue::from_str(&format!("{text}\u{ffff}"));
    let range = KeyRange::bound(&lower, &upper, Some(true), None);
    range.map_err(|e| backend(e.into()))
}

/// A place as stored (a key of the search store).
fn place(key: &JsValue) -> Result<f64, StoreError> {
    key.as_f64()
        .ok_or_else(|| corrupt("a search record's key is not a place"))
}

impl Terms<'_> {
    /// A read-only transaction on `stores`.
    fn read(&self, stores: &[&str]) -> Result<rexie::Transaction, StoreError> {
        (self.0)
            .transaction(stores, TransactionMode::ReadOnly)
            .map_err(backend)
    }

    /// The first `cap` places the term index holds in `terms` (a key range of terms), in
    /// index order.
    async fn places_in(&self, terms: KeyRange, cap: usize) -> Result<Vec<f64>, StoreError> {
        let tx = self.read(&[schema::SEARCH])?;
        let cap = u32::try_from(cap).unwrap_or(u32::MAX);
        let keys = (Self::by_term(&tx)?.get_all_keys(Some(terms), Some(cap)))
            .await
            .map_err(backend)?;
        tx.done().await.map_err(backend)?;
        keys.iter().map(place).collect()
    }

    /// The index of terms, in `tx`.
    fn by_term(tx: &rexie::Transaction) -> Result<rexie::StoreIndex, StoreError> {
        let search = tx.store(schema::SEARCH).map_err(backend)?;
        search.index(schema::SEARCH_BY_TERM).map_err(backend)
    }
}

impl TermIndex for Terms<'_> {
    async fn some_places(&self, term: &QueryTerm, cap: usize) -> Result<Vec<f64>, StoreError> {
        self.places_in(range(term)?, cap).await
    }

    async fn newest_places(&self, term: &QueryTerm, cap: usize) -> Result<Vec<f64>, StoreError> {
        let tx = self.read(&[schema::SEARCH])?;
        let by_term = Self::by_term(&tx)?;
        let cap = u32::try_from(cap).unwrap_or(u32::MAX);
        // All of them in one request (in index order: by term, then by place); past the cap,
        // the newest by a cursor walking back (of the last terms, for a prefix).
        let mut keys = (by_term.get_all_keys(Some(range(term)?), Some(cap.saturating_add(1))))
            .await
            .map_err(backend)?;
        if keys.len() > cap as usize {
            let newest = (by_term.scan(Some(range(term)?), Some(cap), None, Some(Direction::Prev)))
                .await
                .map_err(backend)?;
            // An index cursor's value is the record; its key in the store is the place.
            keys = newest
                .iter()
                .map(|(_, record)| field(record, "seq"))
                .collect::<Result<_, _>>()?;
        }
        tx.done().await.map_err(backend)?;
        keys.iter().map(place).collect()
    }

    async fn longer_places(&self, text: &str, cap: usize) -> Result<Vec<f64>, StoreError> {
        self.places_in(longer(text)?, cap).await
    }

    async fn load(
        &self,
        places: &[f64],
        chat: Option<&str>,
    ) -> Result<Vec<Option<ChatMessage>>, StoreError> {
        let tx = self.read(&[schema::SEARCH, schema::MESSAGES])?;
        let search = tx.store(schema::SEARCH).map_err(backend)?;
        let messages = tx.store(schema::MESSAGES).map_err(backend)?;
        // The index records name the messages (and their chats); then the messages in the chat.
        let records = join_all(places.iter().map(|p| search.get(JsValue::from_f64(*p)))).await;
        let mut ids = Vec::with_capacity(records.len());
        for record in records {
            let record = record.map_err(backend)?.filter(|r| !r.is_undefined());
            let id = match record {
                Some(record) => in_chat(&record, chat)?,
                None => None,
            };
            ids.push(id);
        }
        let found = join_all(ids.iter().map(|id| async {
            match id {
                Some(id) => messages.get(id.clone()).await.map(Some),
                None => Ok(None),
            }
        }))
        .await;
        tx.done().await.map_err(backend)?;
        let decode = |found: rexie::Result<Option<Option<JsValue>>>| {
            let record = found
                .map_err(backend)?
                .flatten()
                .filter(|r| !r.is_undefined());
            record.map(|r| decode_message_record(&r)).transpose()
        };
        found.into_iter().map(decode).collect()
    }
}

/// The message id (hex, the messages' key) an index record names, if it is in `chat` (or any
/// chat, for None).
fn in_chat(record: &JsValue, chat: Option<&str>) -> Result<Option<JsValue>, StoreError> {
    let in_chat = match chat {
        Some(chat) => field(record, "chat")?.as_string().as_deref() == Some(chat),
        None => true,
    };
    in_chat.then(|| field(record, "id")).transpose()
}
