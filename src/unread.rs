//! The `N unread messages` divider a chat opens with: before the oldest message on the page
//! shown that was not read yet, saying how many were unread in the chat (the chat list's
//! count, which may be more than the page holds).

use hush_client::model::is_unread;
use hush_client::{ChatMessage, MessageId};

use crate::text;

/// Where the divider goes among `messages` (oldest first) and the count it shows, for a chat
/// the list counted `unread` messages in; None when nothing was unread.
pub fn divider(messages: &[ChatMessage], unread: u32) -> Option<(MessageId, u32)> {
    if unread == 0 {
        return None;
    }
    let oldest_unread = messages.iter().find(|m| is_unread(m))?;
    Some((oldest_unread.id, unread))
}

/// How many of `messages` are unread.
pub fn count(messages: &[ChatMessage]) -> u32 {
    let unread = messages.iter().filter(|m| is_unread(m)).count();
    u32::try_from(unread).unwrap_or(u32::MAX)
}

/// What the divider says.
pub fn label(count: u32) -> String {
    text::unread_messages(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hush_client::{ChatId, Kind, Status};

    fn message(n: u8, from_me: bool, status: Status) -> ChatMessage {
        ChatMessage {
            id: [n; 16],
            group: None,
            kind: Kind::Text,
            chat: ChatId::parse("bob").expect("a name"),
            from_me,
            body: format!("message {n}"),
            sent_ms: u64::from(n),
            status,
            attachment: None,
            reactions: Vec::new(),
            meta: Default::default(),
        }
    }

    #[test]
    fn the_divider_goes_before_the_oldest_unread_message() {
        let messages = [
            message(1, false, Status::Read),
            message(2, true, Status::Delivered),
            message(3, false, Status::Delivered),
            message(4, true, Status::Sent),
            message(5, false, Status::Delivered),
        ];
        assert_eq!(divider(&messages, 2), Some(([3; 16], 2)));
        assert_eq!(divider(&messages, 0), None, "nothing unread: no divider");
        let read = [
            message(1, false, Status::Read),
            message(2, true, Status::Sent),
        ];
        assert_eq!(divider(&read, 3), None, "none of them on the page");
        assert_eq!((count(&messages), count(&read)), (2, 0));
    }

    #[test]
    fn the_label_counts_in_words() {
        assert_eq!(label(1), "1 unread message");
        assert_eq!(label(12), "12 unread messages");
    }
}
