//! What a message says wherever it shows as text: the log (a notice line, or a deleted
//! message's bubble), the chat list's preview, search results and starred. Notices the engine
//! keeps as data ([`hush_client::model::Notice`]) and a message deleted for everyone are worded
//! by the catalogue, in the app's language; anything else, and a notice line stored before
//! notices were kept as data, shows its body.

use hush_client::{ChatMessage, Kind};

use crate::text;

/// What `message` says to the account `me`; `name` says what to call an account.
pub fn message_text(message: &ChatMessage, me: &str, name: &dyn Fn(&str) -> String) -> String {
    match (message.kind, &message.meta.notice) {
        (Kind::Deleted, _) => text::MESSAGE_DELETED.to_owned(),
        (_, Some(notice)) => text::notice_line(notice, me, name),
        _ => message.body.clone(),
    }
}

#[cfg(test)]
mod tests {
    use hush_client::model::{GroupNotice, Notice};
    use hush_client::{ChatId, Status};

    use super::*;

    fn line(kind: Kind, body: &str, notice: Option<Notice>) -> ChatMessage {
        let mut message = ChatMessage {
            id: [1; 16],
            group: None,
            kind,
            chat: ChatId::parse("bob").unwrap(),
            from_me: false,
            body: body.to_owned(),
            sent_ms: 1,
            status: Status::Read,
            attachment: None,
            reactions: Vec::new(),
            meta: Default::default(),
        };
        message.meta.notice = notice;
        message
    }

    fn name(account: &str) -> String {
        match account {
            "bob" => "Bob".to_owned(),
            other => other.to_owned(),
        }
    }

    #[test]
    fn a_notice_is_worded_for_this_account_not_as_its_body_says() {
        let added = Notice::Group {
            author: "bob".into(),
            change: GroupNotice::Added("alice".into()),
        };
        // The body as Bob's device wrote it, say in a history it sent: "You" is Bob there.
        let message = line(Kind::GroupChange, "You added alice", Some(added));
        assert_eq!(message_text(&message, "alice", &name), "Bob added you");
        assert_eq!(message_text(&message, "bob", &name), "You added alice");
        let update = line(Kind::UpdateNeeded, "", Some(Notice::UpdateToSee));
        assert_eq!(
            message_text(&update, "alice", &name),
            "Update Hush to see this message"
        );
    }

    #[test]
    fn a_deleted_message_says_so_from_the_catalogue() {
        let deleted = line(Kind::Deleted, "", None);
        assert_eq!(
            message_text(&deleted, "alice", &name),
            text::MESSAGE_DELETED
        );
    }

    #[test]
    fn texts_and_lines_stored_before_notices_show_their_body() {
        let old = line(
            Kind::TimerChanged,
            "bob set disappearing messages to 7 days",
            None,
        );
        assert_eq!(
            message_text(&old, "alice", &name),
            "bob set disappearing messages to 7 days"
        );
        let text = line(Kind::Text, "You added alice", None);
        assert_eq!(message_text(&text, "alice", &name), "You added alice");
    }
}
