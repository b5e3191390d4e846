//! What happens to a message after it is sent (issue 21): its author edits it (the newest
//! edit wins) or deletes it for everyone, we star it, or we delete it for ourselves. Also what
//! a message carries besides its text: the message it replies to and how often it was
//! forwarded. Both stores apply [`amend`] inside their commit, so the same rules hold
//! whichever store keeps the message.

use hush_protocol::Username;

use super::{ChatMessage, Kind, MessageRef, Notice};

/// How long after sending its author may edit a message (their clock).
pub const EDIT_WINDOW_MS: u64 = 15 * 60 * 1000;
/// How long after sending its author may delete a message for everyone (their clock).
pub const DELETE_WINDOW_MS: u64 = 48 * 60 * 60 * 1000;
/// What a receiver allows beyond those windows: an author's devices' clocks differ a little,
/// and the message may have been written on another of them.
pub const CLOCK_MARGIN_MS: u64 = 2 * 60 * 1000;
/// The text a message deleted for everyone shows instead.
pub const DELETED: &str = "This message was deleted";
/// The longest quote preview kept with a reply, in characters.
pub const MAX_PREVIEW_CHARS: usize = 100;
/// The most bytes a quote preview takes on the wire and in storage.
pub const MAX_PREVIEW: usize = MAX_PREVIEW_CHARS * 4;
/// From this many hops on, a message shows "Forwarded many times".
pub const FORWARDED_MANY: u8 = 5;

/// The message a reply quotes, with a short preview of it kept with the reply: the quote still
/// shows when the original is gone or never came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quote {
    /// The message quoted.
    pub target: MessageRef,
    /// Its first words, on one line ([`preview`]).
    pub preview: String,
}

/// What a message holds besides its text and attachment: all empty for most messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageMeta {
    /// The message it replies to.
    pub quote: Option<Box<Quote>>,
    /// How many times it was forwarded before reaching this chat (0: written here).
    pub forwards: u8,
    /// When its author last edited it (their clock); `None` if never.
    pub edited_ms: Option<u64>,
    /// Starred on this account.
    pub starred: bool,
    /// When it disappears (the chat's timer when it came), if it does.
    pub expires_ms: Option<u64>,
    /// The group members it mentions (`@Name` in its text), by username.
    pub mentions: Vec<Username>,
    /// For a notice line: what it says, as data the app words in its language (the body
    /// keeps an English wording for rows and builds without it).
    pub notice: Option<Notice>,
}

/// A change to a stored message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Amendment {
    /// Its author's new text (or caption), written at `edited_ms` (their clock).
    Edit {
        /// The new text.
        body: String,
        /// When it was edited.
        edited_ms: u64,
        /// The group members the new text mentions (replacing the old ones).
        mentions: Vec<Username>,
    },
    /// Its author deleted it for everyone: it shows [`DELETED`], and nothing of it is kept.
    Delete,
    /// Starred (true) or unstarred on this account.
    Star(bool),
    /// Deleted for me: gone from this account's devices; only a mark that it was here stays,
    /// so a sender's repeat cannot bring it back.
    Forget,
}

/// Applies `amendment` to `message`; returns whether anything changed. An edit older than the
/// one shown changes nothing, nor does anything to a message deleted (for everyone or for us).
pub fn amend(message: &mut ChatMessage, amendment: &Amendment) -> bool {
    let shown = matches!(message.kind, Kind::Text | Kind::Attachment);
    match amendment {
        Amendment::Edit {
            body,
            edited_ms,
            mentions,
        } => {
            let newer = message.meta.edited_ms.is_none_or(|at| *edited_ms > at);
            if !shown || !newer {
                return false;
            }
            message.body.clone_from(body);
            if let Some(pointer) = message.attachment.as_mut() {
                pointer.caption.clone_from(body);
            }
            message.meta.edited_ms = Some(*edited_ms);
            message.meta.mentions.clone_from(mentions);
            true
        }
        Amendment::Star(starred) => {
            let changes = shown && message.meta.starred != *starred;
            if changes {
                message.meta.starred = *starred;
            }
            changes
        }
        Amendment::Delete if message.kind == Kind::Deleted => false,
        Amendment::Delete => wipe(message, Kind::Deleted, DELETED),
        Amendment::Forget if message.kind == Kind::Hidden => false,
        Amendment::Forget => wipe(message, Kind::Hidden, ""),
    }
}

/// Leaves only the message's place: its text, attachment, reactions and quote go.
fn wipe(message: &mut ChatMessage, kind: Kind, body: &str) -> bool {
    if message.kind == Kind::Hidden {
        return false;
    }
    message.kind = kind;
    message.body = body.to_owned();
    message.attachment = None;
    message.reactions.clear();
    // "This message was deleted" still disappears with its chat's timer.
    let expires_ms = message.meta.expires_ms.filter(|_| kind == Kind::Deleted);
    message.meta = MessageMeta {
        expires_ms,
        ..MessageMeta::default()
    };
    true
}

/// Whether an edit or delete written at `at_ms` falls in `window_ms` after the message was
/// sent at `sent_ms` (both the author's clock), with [`CLOCK_MARGIN_MS`] to spare.
pub fn within(sent_ms: u64, at_ms: u64, window_ms: u64) -> bool {
    let margin = CLOCK_MARGIN_MS;
    at_ms.saturating_add(margin) >= sent_ms
        && at_ms <= sent_ms.saturating_add(window_ms).saturating_add(margin)
}

/// A quote's preview of `text`: its first [`MAX_PREVIEW_CHARS`] characters on one line,
/// anything that could reorder or break the text around it turned into a space.
pub fn preview(text: &str) -> String {
    let line: String = text
        .chars()
        .map(|c| match hush_protocol::text::is_blocked(c) {
            true => ' ',
            false => c,
        })
        .take(MAX_PREVIEW_CHARS)
        .collect();
    line.trim().to_owned()
}

/// What a forward of a message that came with `forwards` hops carries: one more, up to the
/// most a byte holds.
pub fn next_hop(forwards: u8) -> u8 {
    forwards.saturating_add(1)
}

#[cfg(test)]
#[path = "amend_tests.rs"]
mod tests;
