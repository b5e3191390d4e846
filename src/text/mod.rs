//! Every text the app shows people, in one catalogue, so that Hush can be translated without
//! touching a component. Components say `text::NEW_CHAT` or `text::clear_media_of(&name)`,
//! never the words themselves (`cargo xtask test lint` fails on an English literal elsewhere
//! in `src/`).
//!
//! - A fixed text is a `const`, named for what it is for; a text with values is a small
//!   function; a text that depends on a count is a function of the count, so the language's
//!   plural rules live here, not in the component.
//! - One file per area of the app (`en/chats.rs`, `en/settings.rs`...); texts several areas
//!   share are in `en/common.rs`.
//! - To translate: add a sibling of `en/` (say `de/`) with the same items, and switch the one
//!   `pub use` below. The compiler then names every text the new language lacks.
//!
//! Consts and plain functions cost nothing at run time: no map, no lookup, no extra crate.

// The catalogue's items are documented by their names and texts.
#![allow(missing_docs)]

mod en;

pub use en::*;
