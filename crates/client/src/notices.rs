//! What to tell the user about messages that arrived while they were not looking (a closed or
//! hidden tab, another chat open): one notice per chat, from the events of one engine step.
//! The browser shows them as notifications, one per chat (its tag), whoever produced them (the
//! service worker woken by a push, or the tab that owns the engine). Each notice names the
//! messages it announces, so one deleted or expired later withdraws it.

use hush_protocol::Username;

use crate::{ChatId, Event, Kind, MessageId};

/// The longest preview, in characters: a notification shows a line or two.
const PREVIEW_CHARS: usize = 120;

/// One chat's new messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The chat.
    pub chat: ChatId,
    /// Who wrote: their display name, else their username.
    pub title: String,
    /// The newest message's text, shortened.
    pub body: String,
    /// How many new messages this is.
    pub count: u32,
    /// The messages announced, oldest first.
    pub ids: Vec<MessageId>,
}

/// The notices for `events`: received texts only (not our own, not notices from this device),
/// none for `skip` (the chat the user is looking at) or for a muted chat (unless the text
/// mentions `me`), chats in the order their newest message arrived. `names` are contacts'
/// display names.
pub fn notices(
    events: &[Event],
    names: &[(Username, String)],
    muted: &[ChatId],
    skip: Option<&ChatId>,
    me: Option<&Username>,
) -> Vec<Notice> {
    let mut notices: Vec<Notice> = Vec::new();
    for event in events {
        let Event::Message(message) = event else {
            continue;
        };
        let mentions_me = me.is_some_and(|me| message.meta.mentions.contains(me));
        if message.from_me
            || message.kind != Kind::Text
            || (muted.contains(&message.chat) && !mentions_me)
            || skip == Some(&message.chat)
        {
            continue;
        }
        let (count, mut ids) = match notices.iter().position(|n| n.chat == message.chat) {
            Some(at) => {
                let earlier = notices.remove(at);
                (earlier.count + 1, earlier.ids)
            }
            None => (1, Vec::new()),
        };
        ids.push(message.id);
        let title = names
            .iter()
            .find(|(account, _)| message.chat.is_with(account))
            .map_or_else(|| message.chat.to_string(), |(_, name)| name.clone());
        notices.push(Notice {
            chat: message.chat.clone(),
            title,
            body: preview(&message.body),
            count,
            ids,
        });
    }
    notices
}

/// The text on one line, cut to [`PREVIEW_CHARS`] with an ellipsis.
fn preview(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(PREVIEW_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ChatMessage, Status};

    fn received(n: u8, chat: &str, body: &str) -> Event {
        Event::Message(ChatMessage {
            id: [n; 16],
            group: None,
            kind: Kind::Text,
            chat: ChatId::parse(chat).unwrap(),
            from_me: false,
            body: body.to_owned(),
            sent_ms: u64::from(n),
            status: Status::Delivered,
            attachment: None,
            reactions: Vec::new(),
            meta: Default::default(),
        })
    }

    #[test]
    fn one_notice_per_chat_with_the_newest_text_and_a_count() {
        let events = [
            received(1, "alice", "hi"),
            received(2, "bob", "yo"),
            Event::Typing {
                from: Username::parse("alice").unwrap(),
                typing: true,
            },
            received(3, "alice", "are you\nthere?"),
        ];
        let names = [(Username::parse("alice").unwrap(), "Alice A.".to_owned())];
        let got = notices(&events, &names, &[], None, None);
        assert_eq!(
            got,
            [
                Notice {
                    chat: ChatId::parse("bob").unwrap(),
                    title: "bob".to_owned(),
                    body: "yo".to_owned(),
                    count: 1,
                    ids: vec![[2; 16]],
                },
                Notice {
                    chat: ChatId::parse("alice").unwrap(),
                    title: "Alice A.".to_owned(),
                    body: "are you there?".to_owned(),
                    count: 2,
                    ids: vec![[1; 16], [3; 16]],
                },
            ]
        );
    }

    #[test]
    fn muted_open_own_and_notice_messages_are_silent() {
        let mut mine = received(4, "carol", "mine");
        if let Event::Message(m) = &mut mine {
            m.from_me = true;
        }
        let mut notice = received(5, "dave", "");
        if let Event::Message(m) = &mut notice {
            m.kind = Kind::SecurityCodeChanged;
        }
        let events = [
            received(1, "alice", "muted"),
            received(2, "bob", "looking at it"),
            mine,
            notice,
            received(3, "erin", "shown"),
        ];
        let muted = [ChatId::parse("alice").unwrap()];
        let open = ChatId::parse("bob").unwrap();
        let got = notices(&events, &[], &muted, Some(&open), None);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].chat.to_string(), "erin");
    }

    #[test]
    fn long_texts_are_cut_on_a_character_boundary() {
        let body = "é".repeat(PREVIEW_CHARS + 10);
        let got = notices(&[received(1, "alice", &body)], &[], &[], None, None);
        assert_eq!(got[0].body.chars().count(), PREVIEW_CHARS + 1);
        assert!(got[0].body.ends_with('…'));
    }

    #[test]
    fn a_mention_of_me_notifies_even_in_a_muted_chat() {
        let me = Username::parse("carol").unwrap();
        let mut mentioning = received(1, "alice", "@Carol look");
        if let Event::Message(m) = &mut mentioning {
            m.meta.mentions = vec![me.clone()];
        }
        let mut someone_else = received(2, "alice", "@Dave look");
        if let Event::Message(m) = &mut someone_else {
            m.meta.mentions = vec![Username::parse("dave").unwrap()];
        }
        let muted = [ChatId::parse("alice").unwrap()];
        let got = notices(&[someone_else.clone()], &[], &muted, None, Some(&me));
        assert!(got.is_empty(), "a mention of someone else stays muted");
        let got = notices(&[someone_else, mentioning], &[], &muted, None, Some(&me));
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].body.as_str(), got[0].ids.clone()),
            ("@Carol look", vec![[1; 16]])
        );
    }
}
