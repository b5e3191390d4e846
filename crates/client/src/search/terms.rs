//! What the search index keeps of a message, and what a query asks for.

use super::words::{words, MAX_TERM_CHARS};
use crate::model::{ChatMessage, Kind};

/// The most terms one message puts in the index (a long text's later words are left out).
pub const MAX_TERMS_PER_MESSAGE: usize = 500;
/// The most words of a query that count (later ones are ignored).
pub const MAX_QUERY_TERMS: usize = 8;

/// The distinct terms a message is found by, sorted: the words of a text, or of an
/// attachment's caption and file name. A deleted, hidden or expired message and a notice are
/// found by nothing.
pub fn terms_of(message: &ChatMessage) -> Vec<String> {
    let mut terms = match message.kind {
        Kind::Text => words(&message.body),
        Kind::Attachment => {
            let mut terms = words(&message.body);
            if let Some(attachment) = &message.attachment {
                terms.extend(words(&attachment.file_name));
            }
            terms
        }
        _ => Vec::new(),
    };
    // The first distinct words in the text's order are kept, then sorted.
    let mut seen = std::collections::BTreeSet::new();
    terms.retain(|term| seen.insert(term.clone()));
    terms.truncate(MAX_TERMS_PER_MESSAGE);
    terms.sort_unstable();
    terms
}

/// One word of a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryTerm {
    /// The folded word.
    pub text: String,
    /// Whether any term starting with it matches (the last word, still being typed), or only
    /// the same term.
    pub prefix: bool,
}

impl QueryTerm {
    /// Whether the index term `term` matches it.
    pub fn matches(&self, term: &str) -> bool {
        match self.prefix {
            true => term.starts_with(&self.text),
            false => term == self.text,
        }
    }
}

/// A search: every word must match, the last one as a prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// Its words, at most [`MAX_QUERY_TERMS`].
    pub terms: Vec<QueryTerm>,
}

impl Query {
    /// The query typed as `text` (empty when it has no word).
    pub fn parse(text: &str) -> Self {
        // Enough characters for every word that counts (a pasted book is not split whole).
        let cut = text
            .char_indices()
            .nth(MAX_QUERY_TERMS * (MAX_TERM_CHARS + 8))
            .map_or(text, |(at, _)| &text[..at]);
        let mut found = words(cut);
        found.truncate(MAX_QUERY_TERMS);
        let last = found.len().saturating_sub(1);
        let terms = found
            .into_iter()
            .enumerate()
            .map(|(at, text)| QueryTerm {
                text,
                prefix: at == last,
            })
            .collect();
        Self { terms }
    }

    /// Whether it asks for nothing.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether `message` matches it (each word by one of the message's terms).
    pub fn matches(&self, message: &ChatMessage) -> bool {
        let terms = terms_of(message);
        !self.is_empty()
            && self
                .terms
                .iter()
                .all(|wanted| terms.iter().any(|term| wanted.matches(term)))
    }
}
