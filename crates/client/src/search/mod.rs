//! Full-text search over stored messages: the terms a message is found by ([`terms_of`]),
//! queries ([`Query`]), and the search every store runs over its term index ([`run`]). A
//! store keeps its index in the same transaction as the messages, so an edit, a delete or an
//! expiry changes what is found at once.

mod fold;
mod index;
mod lone;
mod run;
mod terms;
mod words;

pub use fold::folded;
pub use index::TermIndex;
pub use lone::LONGER_FEW;
pub use run::{run, Found, FEW, MAX_CANDIDATES};
pub use terms::{terms_of, Query, QueryTerm, MAX_QUERY_TERMS, MAX_TERMS_PER_MESSAGE};
pub use words::{words, MAX_TERM_CHARS};

#[cfg(test)]
mod tests;
