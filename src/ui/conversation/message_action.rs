//! What may be done to a message, in the order its `Message actions` menu lists it. Each
//! action is one entry here: its item's name and whether this message offers it. (Reply, Edit,
//! Delete, Forward and Star join as entries of their own.)

use hush_client::{ChatMessage, Kind};

/// One item of a message's menu.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum MessageAction {
    /// Opens the quick reactions.
    React,
    /// Puts the text (or caption) on the clipboard.
    Copy,
    /// Shows who got one of our group messages and who read it.
    Info,
}

impl MessageAction {
    /// Every action, in the menu's order.
    pub(super) const ALL: [Self; 3] = [Self::React, Self::Copy, Self::Info];

    /// The menu item's accessible name (and text).
    pub(super) fn label(self) -> &'static str {
        match self {
            Self::React => "React",
            Self::Copy => "Copy",
            Self::Info => "Info",
        }
    }

    /// Whether `message` offers this action.
    pub(super) fn offered(self, message: &ChatMessage) -> bool {
        match self {
            Self::React => message.is_reactable(),
            Self::Copy => {
                matches!(message.kind, Kind::Text | Kind::Attachment) && !message.body.is_empty()
            }
            Self::Info => message.from_me && message.group.is_some(),
        }
    }

    /// The actions `message` offers, in order.
    pub(super) fn offered_for(message: &ChatMessage) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|action| action.offered(message))
            .collect()
    }
}
