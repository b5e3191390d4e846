//! One search over a store's term index, the same steps for every store. A lone word is first
//! looked for among its newest entries ([`super::lone`]). Otherwise: with several words,
//! read each word's places (arrival order) up to [`FEW`] (a word with fewer is read whole); take
//! the places of the rarest word's messages (past [`FEW`], the newest up to the cap), and keep
//! only those every other word with few entries holds too (a common one is checked on the
//! messages instead); then read the messages, newest first, a page at a time, until enough are found.
//! Only places (numbers) are read in bulk, and only the messages shown are loaded.

use super::index::{load_matching, newest_first, TermIndex};
use super::lone;
use super::terms::{Query, QueryTerm};
use crate::model::ChatMessage;
use crate::store::StoreError;

/// The most entries of one word a search reads: past it, the results are the newest matches
/// among them, and [`Found::complete`] is false ("type more to narrow it").
pub const MAX_CANDIDATES: usize = 20_000;

/// Below this many entries a word's places are read whole to narrow the candidates down; at it,
/// a word counts as common (no more of it is read but the rarest word's newest places).
pub const FEW: usize = 2_000;

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
    let nothing = Found {
        messages: Vec::new(),
        complete: true,
    };
    if let [only] = query.terms.as_slice() {
        if let Some(messages) = lone::newest_matches(index, only, query, chat, limit).await? {
            return Ok(Found {
                messages,
                complete: true,
            });
        }
    }
    let Some(read) = read_few(index, query).await? else {
        return Ok(nothing);
    };
    let Some(((rarest, few), others)) = read.split_first() else {
        return Ok(nothing);
    };
    // The rarest word's places, all of them if it has few, else the newest up to the cap.
    let mut candidates = match few {
        Some(all) => all.clone(),
        None => index.newest_places(rarest, MAX_CANDIDATES + 1).await?,
    };
    let complete = candidates.len() <= MAX_CANDIDATES;
    candidates = newest_first(candidates);
    candidates.truncate(MAX_CANDIDATES);
    // The other words with few entries narrow the candidates by their places; the rest are
    // checked on the messages, as every word is.
    for places in others.iter().filter_map(|(_, places)| places.as_ref()) {
        let mut holding = places.clone();
        holding.sort_by(f64::total_cmp);
        candidates.retain(|place| holding.binary_search_by(|p| p.total_cmp(place)).is_ok());
    }
    let messages = load_matching(index, &candidates, query, chat, limit).await?;
    Ok(Found { messages, complete })
}

/// A query's word, with all its places if it has fewer than [`FEW`] entries (None: common).
type Word<'q> = (&'q QueryTerm, Option<Vec<f64>>);

/// The query's words, rarest first; None when one has no entry (nothing matches). One word
/// alone is not read here (its newest places are read next).
async fn read_few<'q>(
    index: &impl TermIndex,
    query: &'q Query,
) -> Result<Option<Vec<Word<'q>>>, StoreError> {
    if let [only] = query.terms.as_slice() {
        return Ok(Some(vec![(only, None)]));
    }
    let mut read = Vec::with_capacity(query.terms.len());
    for term in &query.terms {
        let places = index.some_places(term, FEW).await?;
        if places.is_empty() {
            return Ok(None);
        }
        read.push((term, (places.len() < FEW).then_some(places)));
    }
    read.sort_by_key(|(_, places)| places.as_ref().map_or(usize::MAX, Vec::len));
    Ok(Some(read))
}
