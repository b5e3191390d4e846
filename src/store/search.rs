//! Search in IndexedDB: the [`TermIndex`] the engine's search runs over, read from the
//! [`schema::TERMS`] store whose keys `[term, seq, chat, id]` hold everything a step needs
//! (counts and key lists are single requests; no cursor, no record read until the pages of
//! candidates).

use futures::future::join_all;
use hush_client::model::{ChatMessage, MessageId};
use hush_client::search::{Hit, QueryTerm, TermIndex};
use hush_client::store::StoreError;
use js_sys::Array;
use rexie::{Direction, KeyRange, Rexie, TransactionMode};
use wasm_bindgen::{JsCast, JsValue};

use super::records::{backend, corrupt, decode_message_record, id_key};
use super::schema;

/// The term index of one database.
pub(super) struct Terms<'a>(pub &'a Rexie);

/// The keys of `term`'s entries: from `[text]` to `[text, []]` (an array sorts after every
/// number, so after every place) for one term; to `[text + U+FFFF]` for every term it starts.
fn range(term: &QueryTerm) -> Result<KeyRange, StoreError> {
    let text = JsValue::from_str(&term.text);
    let lower = Array::of1(&text);
    let upper = match term.prefix {
        true => Array::of1(&JsValue::from_str(&format!("{}\u{ffff}", term.text))),
        false => Array::of2(&text, &Array::new()),
    };
    KeyRange::bound(&lower, &upper, None, None).map_err(|e| backend(e.into()))
}

/// The entry a key `[term, seq, chat, id]` names.
fn hit(key: &JsValue) -> Result<Hit, StoreError> {
    let parts = key
        .dyn_ref::<Array>()
        .ok_or_else(|| corrupt("a search entry's key is not a list"))?;
    let id_hex = parts.get(3).as_string().unwrap_or_default();
    let id = hush_protocol::hex::decode::<16>(&id_hex)
        .ok_or_else(|| corrupt("a search entry's id is not a message id"))?;
    let (seq, chat) = (parts.get(1).as_f64(), parts.get(2).as_string());
    match (seq, chat) {
        (Some(seq), Some(chat)) => Ok(Hit { seq, chat, id }),
        _ => Err(corrupt("a search entry's key lacks its place or chat")),
    }
}

impl Terms<'_> {
    /// A read-only transaction on one store, and the store.
    fn open(&self, store: &str) -> Result<(rexie::Transaction, rexie::Store), StoreError> {
        let tx = (self.0)
            .transaction(&[store], TransactionMode::ReadOnly)
            .map_err(backend)?;
        let opened = tx.store(store).map_err(backend)?;
        Ok((tx, opened))
    }
}

impl TermIndex for Terms<'_> {
    async fn count(&self, term: &QueryTerm) -> Result<usize, StoreError> {
        let (tx, terms) = self.open(schema::TERMS)?;
        let count = terms.count(Some(range(term)?)).await.map_err(backend)?;
        tx.done().await.map_err(backend)?;
        Ok(usize::try_from(count).unwrap_or(usize::MAX))
    }

    async fn hits(&self, term: &QueryTerm, cap: usize) -> Result<Vec<Hit>, StoreError> {
        let (tx, terms) = self.open(schema::TERMS)?;
        let cap = u32::try_from(cap).unwrap_or(u32::MAX);
        let count = terms.count(Some(range(term)?)).await.map_err(backend)?;
        // All of them in one request; past the cap, the newest by a cursor walking back (for
        // one term; for a prefix, those of its last terms).
        let keys = match count <= cap {
            true => terms.get_all_keys(Some(range(term)?), None).await,
            false => (terms
                .scan(Some(range(term)?), Some(cap), None, Some(Direction::Prev))
                .await)
                .map(|found| found.into_iter().map(|(key, _)| key).collect()),
        };
        tx.done().await.map_err(backend)?;
        keys.map_err(backend)?.iter().map(hit).collect()
    }

    async fn load(&self, ids: &[MessageId]) -> Result<Vec<Option<ChatMessage>>, StoreError> {
        let (tx, messages) = self.open(schema::MESSAGES)?;
        let found = join_all(ids.iter().map(|id| messages.get(id_key(id)))).await;
        tx.done().await.map_err(backend)?;
        let decode = |found: rexie::Result<Option<JsValue>>| {
            let record = found.map_err(backend)?.filter(|r| !r.is_undefined());
            record.map(|r| decode_message_record(&r)).transpose()
        };
        found.into_iter().map(decode).collect()
    }
}
