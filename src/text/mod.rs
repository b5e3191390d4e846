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
//!
//! `index.html`'s splash (drawn before the code arrives) repeats the first screen's texts; a
//! test below keeps them the same, and a translation changes them there too.

// The catalogue's items are documented by their names and texts.
#![allow(missing_docs)]

mod en;

pub use en::*;

#[cfg(test)]
mod tests {
    /// The splash says what the app then draws in its place, word for word.
    #[test]
    fn the_splash_says_what_the_app_says_first() {
        let page = include_str!("../../index.html");
        for text in [
            super::APP_NAME,
            super::WELCOME_TITLE,
            super::WELCOME_PROMISE,
            super::OPENING_HUSH,
        ] {
            assert!(page.contains(text), "index.html lacks {text:?}");
        }
    }

    /// The timer menus say what the engine's notices say of the same timers.
    #[test]
    fn timer_choices_read_as_the_notices_do() {
        for timer in hush_client::model::TIMER_CHOICES {
            assert_eq!(
                super::timer_choice(timer),
                hush_client::model::timer_label(timer)
            );
        }
    }
}
