//! One search over a store's term index, the same steps for every store: count each word's
//! entries, take the rarest word's entries (each names its message's place, chat and id),
//! newest first, and check the other words on the messages themselves, a page at a time,
//! until enough are found. Only the rarest word's entries and a few pages are ever read.

use super::terms::{Query, QueryTerm};
use crate::model::{ChatMessage, MessageId};
use crate::store::StoreError;

/// The most entries of one word a search reads: past it, the results are the newest matches
/// among them, and [`Found::complete`] is false ("type more to narrow it").
pub const MAX_CANDIDATES: usize = 20_000;

/// One entry of the index: a term in a message.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The message's place in arrival order.
    pub seq: f64,
    /// Its chat, as [`crate::ChatId`] spells it.
    pub chat: String,
    /// The message.
    pub id: MessageId,
}

/// A store's term index.
#[allow(async_fn_in_trait)]
pub trait TermIndex {
    /// How many entries match `term`.
    async fn count(&self, term: &QueryTerm) -> Result<usize, StoreError>;
    /// Up to `cap` entries matching `term`, in any order; past the cap, the newest (for a
    /// prefix: of the terms it starts that sort last).
    async fn hits(&self, term: &QueryTerm, cap: usize) -> Result<Vec<Hit>, StoreError>;
    /// The messages with these ids, in order (None where one is gone).
    async fn load(&self, ids: &[MessageId]) -> Result<Vec<Option<ChatMessage>>, StoreError>;
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
    let Some(rarest) = rarest(index, query).await? else {
        return Ok(Found {
            messages: Vec::new(),
            complete: true,
        });
    };
    let mut hits = index.hits(rarest, MAX_CANDIDATES + 1).await?;
    let complete = hits.len() <= MAX_CANDIDATES;
    hits.retain(|hit| chat.is_none_or(|chat| hit.chat == chat));
    hits.sort_by(|a, b| b.seq.total_cmp(&a.seq));
    // A prefix matches a message once per term it starts: one entry each.
    hits.dedup_by(|a, b| a.id == b.id);
    let mut messages = Vec::new();
    for page in hits.chunks(limit.clamp(1, 100)) {
        let ids: Vec<MessageId> = page.iter().map(|hit| hit.id).collect();
        let loaded = index.load(&ids).await?.into_iter().flatten();
        messages.extend(loaded.filter(|m| query.matches(m)));
        if messages.len() >= limit {
            messages.truncate(limit);
            break;
        }
    }
    Ok(Found { messages, complete })
}

/// The query's word with the fewest entries, or None when one has none (nothing matches).
async fn rarest<'q>(
    index: &impl TermIndex,
    query: &'q Query,
) -> Result<Option<&'q QueryTerm>, StoreError> {
    let mut rarest: Option<(&QueryTerm, usize)> = None;
    for term in &query.terms {
        let count = index.count(term).await?;
        if count == 0 {
            return Ok(None);
        }
        if rarest.is_none_or(|(_, fewest)| count < fewest) {
            rarest = Some((term, count));
        }
    }
    Ok(rarest.map(|(term, _)| term))
}
