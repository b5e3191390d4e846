//! What searching shows: the global search's results, the open chat's matches and which one
//! is shown, and the commands that ask for them.

use hush_client::{ChatId, ChatMessage, MessageId};
use leptos::prelude::*;

/// The most results a search shows (the newest).
pub(crate) const MAX_RESULTS: usize = 50;
/// The most matches of one chat stepped through.
pub(crate) const MAX_CHAT_MATCHES: usize = 500;

/// What a search asks the runner for.
#[derive(Clone, Debug)]
pub(crate) enum SearchCommand {
    /// Search every chat for what was typed.
    Everywhere(String),
    /// Search the open chat for what was typed.
    InChat(String),
    /// Show message `id` of `chat`: open the chat, read back to the page holding it, and
    /// bring it into view (`focus`: moving the focus to it).
    Reveal {
        chat: ChatId,
        id: MessageId,
        focus: bool,
    },
}

/// The global search's results, for the query they answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Results {
    /// What was searched.
    pub(crate) query: String,
    /// The matching messages, newest first.
    pub(crate) messages: Vec<ChatMessage>,
    /// False when there were more matches than were read ("type more").
    pub(crate) complete: bool,
}

/// The open chat's matches and the one shown.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ChatMatches {
    /// What was searched.
    pub(crate) query: String,
    /// The matching messages, newest first.
    pub(crate) ids: Vec<MessageId>,
    /// The one shown (an index into `ids`).
    pub(crate) at: Option<usize>,
    /// False when a word matched too many messages to read them all: the oldest may be missing.
    pub(crate) complete: bool,
}

/// Everything searching shows.
#[derive(Clone, Copy)]
pub(crate) struct SearchState {
    /// What the global search typed: results for an older query are dropped.
    pub(crate) query: RwSignal<String>,
    /// The global search's results.
    pub(crate) results: RwSignal<Results>,
    /// Whether the open chat's search bar shows.
    pub(crate) in_chat: RwSignal<bool>,
    /// What the chat's search typed.
    pub(crate) chat_query: RwSignal<String>,
    /// The open chat's matches.
    pub(crate) matches: RwSignal<ChatMatches>,
    /// A message to bring into view once it is on screen, and whether it takes the focus (not
    /// while the chat's search field is being typed in).
    pub(crate) reveal: RwSignal<Option<(MessageId, bool)>>,
}

impl SearchState {
    /// Closes the chat's search bar and forgets its matches.
    pub(crate) fn close_in_chat(&self) {
        self.in_chat.set(false);
        self.chat_query.set(String::new());
        self.matches.set(ChatMatches::default());
    }

    pub(crate) fn new() -> Self {
        Self {
            query: RwSignal::new(String::new()),
            results: RwSignal::new(Results::default()),
            in_chat: RwSignal::new(false),
            chat_query: RwSignal::new(String::new()),
            matches: RwSignal::new(ChatMatches::default()),
            reveal: RwSignal::new(None),
        }
    }
}
