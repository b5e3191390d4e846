//! One search over a store's term index, the same steps for every store: with several words,
//! count each word's entries (no further than [`FEW`]: counting costs as much as reading); take
//! the places (arrival order) of the rarest word's messages, and keep only those every other
//! word's places hold too (a word with [`FEW`] entries or more is checked on the messages
//! instead); then read the messages, newest first, a page at a time, until enough are found.
//! Only places (numbers) are read in bulk, and only the messages shown are loaded.

use super::terms::{Query, QueryTerm};
use crate::model::ChatMessage;
use crate::store::StoreError;

/// The most entries of one word a search reads: past it, the results are the newest matches
/// among them, and [`Found::complete`] is false ("type more to narrow it").
pub const MAX_CANDIDATES: usize = 20_000;

/// Below this many entries a word's places are read to narrow the candidates down; at it, a word
/// counts as common (its count is not read further).
pub const FEW: usize = 2_000;

/// Messages read per page within one chat, where many candidates may be in other chats.
const CHAT_PAGE: usize = 200;

/// A store's term index: every message with a term is indexed at its place in arrival order.
#[allow(async_fn_in_trait)]
pub trait TermIndex {
    /// How many entries match `term` (for a prefix: one per term it starts in each message),
    /// counting no further than `cap`.
    async fn count(&self, term: &QueryTerm, cap: usize) -> Result<usize, StoreError>;
    /// The places of up to `cap` entries matching `term`, in any order, a place repeated
    /// where a prefix starts several terms of one message; past the cap, the newest (for a
    /// prefix: of the terms it starts that sort last).
    async fn places(&self, term: &QueryTerm, cap: usize) -> Result<Vec<f64>, StoreError>;
    /// The messages at these places, in order, where they are in the chat spelled `chat` (or
    /// in any, for None): None where no indexed message is there, or one in another chat.
    async fn load(
        &self,
        places: &[f64],
        chat: Option<&str>,
    ) -> Result<Vec<Option<ChatMessage>>, StoreError>;
}

/// What a search found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Found {
    /// The matching messages, newest first.
    pub messages: Vec<ChatMessage>,
    /// False when a word matched more than [`MAX_CANDIDATES`] entries and not all were read.
    pub complete: bool,
}

/// Up to `limit` messages matching `query`, newest first, in the chat spelled `chat` or in
/// all chats.
pub async fn run(
    index: &impl TermIndex,
    query: &Query,
    chat: Option<&str>,
    limit: usize,
) -> Result<Found, StoreError> {
    let counted = counted(index, query).await?.unwrap_or_default();
    let Some(((rarest, _), others)) = counted.split_first() else {
        return Ok(Found {
            messages: Vec::new(),
            complete: true,
        });
    };
    let mut candidates = newest_first(index.places(rarest, MAX_CANDIDATES + 1).await?);
    let complete = candidates.len() <= MAX_CANDIDATES;
    candidates.truncate(MAX_CANDIDATES);
    // The other words narrow the candidates where their places can be read whole; the rest
    // are checked on the messages, as every word is.
    for (term, count) in others {
        if candidates.is_empty() || *count >= FEW {
            continue;
        }
        let mut holding = index.places(term, FEW).await?;
        holding.sort_by(f64::total_cmp);
        candidates.retain(|place| holding.binary_search_by(|p| p.total_cmp(place)).is_ok());
    }
    let page = match chat {
        Some(_) => CHAT_PAGE,
        None => limit.clamp(1, 100),
    };
    let mut messages = Vec::new();
    for places in candidates.chunks(page) {
        let loaded = index.load(places, chat).await?.into_iter().flatten();
        messages.extend(loaded.filter(|m| query.matches(m)));
        if messages.len() >= limit {
            messages.truncate(limit);
            break;
        }
    }
    Ok(Found { messages, complete })
}

/// Places newest first, each once.
fn newest_first(mut places: Vec<f64>) -> Vec<f64> {
    places.sort_by(|a, b| b.total_cmp(a));
    places.dedup();
    places
}

/// The query's words with their counts (up to [`FEW`]), rarest first; None when one has none
/// (nothing matches). One word alone is not counted.
async fn counted<'q>(
    index: &impl TermIndex,
    query: &'q Query,
) -> Result<Option<Vec<(&'q QueryTerm, usize)>>, StoreError> {
    if let [only] = query.terms.as_slice() {
        return Ok(Some(vec![(only, FEW)]));
    }
    let mut counted = Vec::with_capacity(query.terms.len());
    for term in &query.terms {
        let count = index.count(term, FEW).await?;
        if count == 0 {
            return Ok(None);
        }
        counted.push((term, count));
    }
    counted.sort_by_key(|(_, count)| *count);
    Ok(Some(counted))
}
