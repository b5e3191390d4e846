//! Runs in a conversation's log: consecutive bubbles from one sender, each within a few
//! minutes of the one before, show as one group (closer together, the sender's name once).
//! Each message stays its own row with its own actions; only how it is drawn changes.

use hush_client::{ChatMessage, Kind};

/// How long after a sender's bubble their next one still continues its run.
pub const RUN_WITHIN_MS: u64 = 5 * 60 * 1000;

/// Whether a message shows as a bubble (not a notice, not hidden).
fn is_bubble(message: &ChatMessage) -> bool {
    matches!(message.kind, Kind::Text | Kind::Attachment | Kind::Deleted)
}

/// Who wrote a message, as the log tells senders apart: us, or the group member (in a 1:1
/// chat, the contact: no group line).
fn sender(message: &ChatMessage) -> Option<&str> {
    match message.from_me {
        true => None,
        false => Some(message.group.as_ref().map_or("", |g| g.author.as_str())),
    }
}

/// Whether `message` continues the run of `previous`, the row drawn just before it (none after
/// a day separator): both bubbles, one sender, at most [`RUN_WITHIN_MS`] apart.
pub fn continues(previous: Option<&ChatMessage>, message: &ChatMessage) -> bool {
    let Some(previous) = previous else {
        return false;
    };
    is_bubble(previous)
        && is_bubble(message)
        && previous.from_me == message.from_me
        && sender(previous) == sender(message)
        && message.sent_ms.saturating_sub(previous.sent_ms) <= RUN_WITHIN_MS
        && message.sent_ms >= previous.sent_ms
}

/// For each message of a log (oldest first), whether it continues a run: the row before it is
/// the last message drawn (a message deleted for us only is not), and a new day (`day_of` a
/// time differs) starts afresh after its separator.
pub fn marks<D: PartialEq>(messages: &[ChatMessage], day_of: impl Fn(u64) -> D) -> Vec<bool> {
    let mut drawn: Option<&ChatMessage> = None;
    let mut marks = Vec::with_capacity(messages.len());
    for message in messages {
        let same_day = drawn.is_some_and(|d| day_of(d.sent_ms) == day_of(message.sent_ms));
        marks.push(same_day && continues(drawn, message));
        if message.kind != Kind::Hidden {
            drawn = Some(message);
        }
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;
    use hush_client::model::GroupLine;
    use hush_client::{ChatId, Status, Username};

    fn message(from_me: bool, author: Option<&str>, sent_ms: u64, kind: Kind) -> ChatMessage {
        let group = author.map(|a| GroupLine {
            author: Username::parse(a).expect("a valid username"),
            receipts: Vec::new(),
        });
        ChatMessage {
            id: [0; 16],
            group,
            kind,
            chat: ChatId::parse("alice").expect("a valid chat"),
            from_me,
            body: "hi".to_owned(),
            sent_ms,
            status: Status::Sent,
            attachment: None,
            reactions: Vec::new(),
            meta: Default::default(),
        }
    }

    #[test]
    fn one_sender_within_the_window_continues() {
        let first = message(false, None, 1_000, Kind::Text);
        let next = message(false, None, 1_000 + RUN_WITHIN_MS, Kind::Attachment);
        assert!(continues(Some(&first), &next));
        let mine = message(true, None, 2_000, Kind::Text);
        let mine_next = message(true, None, 3_000, Kind::Deleted);
        assert!(continues(Some(&mine), &mine_next));
    }

    #[test]
    fn a_break_starts_a_new_run() {
        let first = message(false, None, 1_000, Kind::Text);
        assert!(!continues(None, &first), "first after a day separator");
        let late = message(false, None, 1_001 + RUN_WITHIN_MS, Kind::Text);
        assert!(!continues(Some(&first), &late), "too long after");
        let ours = message(true, None, 2_000, Kind::Text);
        assert!(!continues(Some(&first), &ours), "the other side");
        let notice = message(false, None, 2_000, Kind::GroupChange);
        assert!(!continues(Some(&first), &notice));
        assert!(!continues(Some(&notice), &late));
        let earlier = message(false, None, 500, Kind::Text);
        assert!(!continues(Some(&first), &earlier), "out of order");
    }

    #[test]
    fn in_a_group_each_member_is_a_sender() {
        let bob = message(false, Some("bob"), 1_000, Kind::Text);
        let bob_again = message(false, Some("bob"), 2_000, Kind::Text);
        let carol = message(false, Some("carol"), 3_000, Kind::Text);
        assert!(continues(Some(&bob), &bob_again));
        assert!(!continues(Some(&bob_again), &carol));
    }

    #[test]
    fn marks_skip_hidden_messages_and_restart_each_day() {
        let day = |ms: u64| ms / 10_000;
        let log = [
            message(false, None, 1_000, Kind::Text),
            message(false, None, 2_000, Kind::Hidden),
            message(false, None, 3_000, Kind::Text),
            message(false, None, 9_999, Kind::Text),
            message(false, None, 10_000, Kind::Text),
        ];
        assert_eq!(marks(&log, day), [false, false, true, true, false]);
    }
}
