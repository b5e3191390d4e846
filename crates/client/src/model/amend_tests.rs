use super::*;
use crate::model::{ChatId, Status};
use hush_protocol::Username;

fn text(body: &str) -> ChatMessage {
    ChatMessage {
        id: [1; 16],
        group: None,
        kind: Kind::Text,
        chat: ChatId::Direct(Username::parse("bob").unwrap()),
        from_me: false,
        body: body.to_owned(),
        sent_ms: 1_000,
        status: Status::Delivered,
        attachment: None,
        reactions: Vec::new(),
        meta: MessageMeta::default(),
    }
}

fn edit(body: &str, edited_ms: u64) -> Amendment {
    Amendment::Edit {
        body: body.to_owned(),
        edited_ms,
        mentions: Vec::new(),
    }
}

#[test]
fn the_newest_edit_wins_in_any_order() {
    let mut message = text("first");
    assert!(amend(&mut message, &edit("third", 3_000)));
    assert!(!amend(&mut message, &edit("second", 2_000)));
    assert_eq!(message.body, "third");
    assert_eq!(message.meta.edited_ms, Some(3_000));
}

#[test]
fn a_deleted_message_keeps_nothing_and_takes_no_edit_or_star() {
    let mut message = text("secret");
    message.meta.starred = true;
    message.reactions.push(crate::model::Reaction {
        by: Username::parse("bob").unwrap(),
        emoji: "👍".to_owned(),
        sent_ms: 1,
    });
    assert!(amend(&mut message, &Amendment::Delete));
    assert_eq!(
        (message.kind, message.body.as_str()),
        (Kind::Deleted, DELETED)
    );
    assert!(message.reactions.is_empty() && !message.meta.starred);
    assert!(!amend(&mut message, &edit("back", 9_000)));
    assert!(!amend(&mut message, &Amendment::Star(true)));
    assert!(!amend(&mut message, &Amendment::Delete));
    assert_eq!(message.body, DELETED);
}

#[test]
fn deleted_for_me_stays_gone_even_after_a_delete_for_everyone() {
    let mut message = text("secret");
    assert!(amend(&mut message, &Amendment::Forget));
    assert_eq!((message.kind, message.body.as_str()), (Kind::Hidden, ""));
    assert!(!amend(&mut message, &Amendment::Delete));
    assert!(!amend(&mut message, &Amendment::Forget));
    assert_eq!(message.kind, Kind::Hidden);
}

#[test]
fn stars_toggle_only_on_shown_messages() {
    let mut message = text("hi");
    assert!(amend(&mut message, &Amendment::Star(true)));
    assert!(!amend(&mut message, &Amendment::Star(true)));
    assert!(amend(&mut message, &Amendment::Star(false)));
}

#[test]
fn windows_hold_with_a_margin_and_not_beyond() {
    assert!(within(1_000, 1_000 + EDIT_WINDOW_MS, EDIT_WINDOW_MS));
    assert!(within(
        1_000,
        1_000 + EDIT_WINDOW_MS + CLOCK_MARGIN_MS,
        EDIT_WINDOW_MS
    ));
    assert!(!within(
        1_000,
        2_000 + EDIT_WINDOW_MS + CLOCK_MARGIN_MS,
        EDIT_WINDOW_MS
    ));
    assert!(within(CLOCK_MARGIN_MS, 0, EDIT_WINDOW_MS));
    assert!(!within(CLOCK_MARGIN_MS + 1, 0, EDIT_WINDOW_MS));
    assert!(within(u64::MAX - 5, u64::MAX, DELETE_WINDOW_MS));
}

#[test]
fn previews_are_one_short_line() {
    assert_eq!(preview("  hello\nworld\u{202E}! "), "hello world !");
    assert_eq!(preview(&"é".repeat(300)).chars().count(), MAX_PREVIEW_CHARS);
    assert_eq!(next_hop(u8::MAX), u8::MAX);
}
