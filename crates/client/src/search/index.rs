//! A store's term index, as every search reads it, and the reading of candidate messages from
//! it: newest first, a page at a time, until enough match.

use super::terms::{Query, QueryTerm};
use crate::model::ChatMessage;
use crate::store::StoreError;

/// Messages read per page within one chat, where many candidates may be in other chats.
const CHAT_PAGE: usize = 200;

/// A store's term index: every message with a term is indexed at its place in arrival order.
#[allow(async_fn_in_trait)]
pub trait TermIndex {
    /// The places of up to `cap` entries matching `term` (all of them when fewer match), in any
    /// order, a place repeated where a prefix starts several terms of one message.
    async fn some_places(&self, term: &QueryTerm, cap: usize) -> Result<Vec<f64>, StoreError>;
    /// The same, but past the cap the newest (for a prefix: of the terms it starts that sort
    /// last).
    async fn newest_places(&self, term: &QueryTerm, cap: usize) -> Result<Vec<f64>, StoreError>;
    /// The places of up to `cap` entries of the terms `text` starts but is not (a prefix's
    /// longer terms), in any order.
    async fn longer_places(&self, text: &str, cap: usize) -> Result<Vec<f64>, StoreError>;
    /// The messages at these places, in order, where they are in the chat spelled `chat` (or
    /// in any, for None): None where no indexed message is there, or one in another chat.
    async fn load(
        &self,
        places: &[f64],
        chat: Option<&str>,
    ) -> Result<Vec<Option<ChatMessage>>, StoreError>;
}

/// Places newest first, each once.
pub(super) fn newest_first(mut places: Vec<f64>) -> Vec<f64> {
    places.sort_by(|a, b| b.total_cmp(a));
    places.dedup();
    places
}

/// Up to `limit` of the messages at `places` (newest first) that match `query` in the chat
/// spelled `chat` (or in any), read a page at a time until enough are found.
pub(super) async fn load_matching(
    index: &impl TermIndex,
    places: &[f64],
    query: &Query,
    chat: Option<&str>,
    limit: usize,
) -> Result<Vec<ChatMessage>, StoreError> {
    let page = match chat {
        Some(_) => CHAT_PAGE,
        None => limit.clamp(1, 100),
    };
    let mut messages = Vec::new();
    for places in places.chunks(page) {
        let loaded = index.load(places, chat).await?.into_iter().flatten();
        messages.extend(loaded.filter(|m| query.matches(m)));
        if messages.len() >= limit {
            messages.truncate(limit);
            break;
        }
    }
    Ok(messages)
}
