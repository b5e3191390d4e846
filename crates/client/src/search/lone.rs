//! A lone word, as a search is typed: its newest matches without reading every entry. A
//! common word has many entries and IndexedDB reads a range no faster than entry by entry, so
//! only the word's own newest entries are read (a few, from the newest end), with every entry
//! of the longer terms it starts when they are few (they are rarer words). The newest places
//! of the two, merged, are the word's newest places down to the oldest of its own read: when
//! they hold enough matches (or were all of its entries) those are its newest matches.

use futures::future::join;

use super::index::{load_matching, newest_first, TermIndex};
use super::terms::{Query, QueryTerm};
use crate::model::ChatMessage;
use crate::store::StoreError;

/// The most entries of a prefix's longer terms read at once; past it, the search reads the
/// general way.
pub const LONGER_FEW: usize = 4_000;

/// Of the word itself, the entries read past the results asked for (a few may be in another
/// chat, or no longer match): a search in one chat reads the general way when they are not
/// enough.
const SPARE: usize = 16;

/// Up to `limit` of the newest messages matching `query`, its lone word `term`; None when
/// they could not be told from the entries read here.
pub(super) async fn newest_matches(
    index: &impl TermIndex,
    term: &QueryTerm,
    query: &Query,
    chat: Option<&str>,
    limit: usize,
) -> Result<Option<Vec<ChatMessage>>, StoreError> {
    let each = limit.saturating_add(SPARE);
    let itself = QueryTerm {
        text: term.text.clone(),
        prefix: false,
    };
    // Both reads at once: one walks back entry by entry, the other is a single request.
    let (own, longer) = join(index.newest_places(&itself, each), async {
        match term.prefix {
            true => index.longer_places(&term.text, LONGER_FEW + 1).await,
            false => Ok(Vec::new()),
        }
    })
    .await;
    let (own, longer) = (own?, longer?);
    if longer.len() > LONGER_FEW {
        return Ok(None);
    }
    let whole = own.len() < each;
    let oldest_read = own.iter().copied().min_by(f64::total_cmp);
    let mut places = newest_first([own, longer].concat());
    // Past the oldest of the word's own entries read, some of its entries were not read.
    if let (false, Some(oldest)) = (whole, oldest_read) {
        places.retain(|place| *place >= oldest);
    }
    let messages = load_matching(index, &places, query, chat, limit).await?;
    Ok((whole || messages.len() >= limit).then_some(messages))
}
