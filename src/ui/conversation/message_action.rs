//! What may be done to a message, in the order its `Message actions` menu lists it. Each
//! action is one entry here: its item's name and whether this message offers it (only what
//! the user may do: editing and deleting for everyone only our own messages, in time).

use hush_client::model::{DELETE_WINDOW_MS, EDIT_WINDOW_MS};
use hush_client::{ChatMessage, Kind};

use crate::text;

/// One item of a message's menu.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum MessageAction {
    /// Quotes it in the composer.
    Reply,
    /// Opens the quick reactions.
    React,
    /// Puts our text (or caption) in the composer to change.
    Edit,
    /// Deletes our message for everyone (after a confirmation).
    DeleteForEveryone,
    /// Deletes it from this account's devices.
    DeleteForMe,
    /// Sends it again to chats chosen in `Forward to`.
    Forward,
    /// Stars it.
    Star,
    /// Takes its star back.
    Unstar,
    /// Puts the text (or caption) on the clipboard.
    Copy,
    /// Shows who got one of our group messages and who read it.
    Info,
}

impl MessageAction {
    /// Every action, in the menu's order.
    pub(super) const ALL: [Self; 10] = [
        Self::Reply,
        Self::React,
        Self::Edit,
        Self::DeleteForEveryone,
        Self::DeleteForMe,
        Self::Forward,
        Self::Star,
        Self::Unstar,
        Self::Copy,
        Self::Info,
    ];

    /// The menu item's accessible name (and text).
    pub(super) fn label(self) -> &'static str {
        match self {
            Self::Reply => text::REPLY,
            Self::React => text::REACT,
            Self::Edit => text::EDIT,
            Self::DeleteForEveryone => text::DELETE_FOR_EVERYONE,
            Self::DeleteForMe => text::DELETE_FOR_ME,
            Self::Forward => text::FORWARD,
            Self::Star => text::STAR,
            Self::Unstar => text::UNSTAR,
            Self::Copy => text::COPY,
            Self::Info => text::INFO,
        }
    }

    /// Whether `message` offers this action at `now_ms`.
    pub(super) fn offered(self, message: &ChatMessage, now_ms: u64) -> bool {
        let shown = message.is_reactable();
        // As the engine counts it: a message "from the future" (another device's clock ahead
        // of ours) is not ours to change yet.
        let age = now_ms.checked_sub(message.sent_ms).unwrap_or(u64::MAX);
        match self {
            Self::Reply | Self::React | Self::Forward => shown,
            Self::Edit => shown && message.from_me && age <= EDIT_WINDOW_MS,
            Self::DeleteForEveryone => shown && message.from_me && age <= DELETE_WINDOW_MS,
            Self::DeleteForMe => message.kind != Kind::Hidden,
            Self::Star => shown && !message.meta.starred,
            Self::Unstar => shown && message.meta.starred,
            Self::Copy => shown && !message.body.is_empty(),
            Self::Info => message.from_me && message.group.is_some(),
        }
    }

    /// The actions `message` offers at `now_ms`, in order.
    pub(super) fn offered_for(message: &ChatMessage, now_ms: u64) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|action| action.offered(message, now_ms))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hush_client::{ChatId, Status};

    fn text(from_me: bool) -> ChatMessage {
        ChatMessage {
            id: [1; 16],
            group: None,
            kind: Kind::Text,
            chat: ChatId::parse("bob").unwrap(),
            from_me,
            body: "hi".into(),
            sent_ms: 1_000,
            status: Status::Delivered,
            attachment: None,
            reactions: Vec::new(),
            meta: Default::default(),
        }
    }

    fn labels(message: &ChatMessage, now_ms: u64) -> Vec<&'static str> {
        let offered = MessageAction::offered_for(message, now_ms);
        offered.into_iter().map(MessageAction::label).collect()
    }

    #[test]
    fn only_what_the_user_may_do_is_offered() {
        let all = [
            "Reply",
            "React",
            "Edit",
            "Delete for everyone",
            "Delete for me",
            "Forward",
            "Star",
            "Copy",
        ];
        assert_eq!(labels(&text(true), 2_000), all);
        let theirs = ["Reply", "React", "Delete for me", "Forward", "Star", "Copy"];
        assert_eq!(labels(&text(false), 2_000), theirs);
        // Too late to edit, still in time to delete for everyone.
        let later = 1_000 + EDIT_WINDOW_MS + 1;
        assert!(!labels(&text(true), later).contains(&"Edit"));
        assert!(labels(&text(true), later).contains(&"Delete for everyone"));
        let mut starred = text(false);
        starred.meta.starred = true;
        assert!(labels(&starred, 2_000).contains(&"Unstar"));
        let mut deleted = text(true);
        deleted.kind = Kind::Deleted;
        assert_eq!(labels(&deleted, 2_000), ["Delete for me"]);
    }
}
