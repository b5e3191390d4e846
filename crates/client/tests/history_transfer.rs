//! History transfer over the real relay on loopback (issue 21): a browser linked after the
//! fact gets the messages as this device holds them, with their reactions, edits, deletes for
//! everyone, stars and expiry, the chats' disappearing-message timers and their places in the
//! chat list.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hush_client::model::{Kind, TIMER_CHOICES};
use hush_client::{ChatAction, ChatMessage, Event, MessageId, Store};
use support::*;

const DAY: u64 = TIMER_CHOICES[1];

async fn stored(device: &Device, id: &MessageId) -> ChatMessage {
    let message = device.store.message(id).await.unwrap();
    message.expect("the message")
}

fn amended(id: MessageId) -> impl Fn(&Event) -> bool {
    move |e| matches!(e, Event::Amended { id: i, .. } if *i == id)
}

#[tokio::test]
async fn a_linked_browser_gets_reactions_edits_deletes_stars_and_timers() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let question = bob.deliver("alice", "lunch?").await;
    alice.expect(message_from("lunch?")).await;

    // Alice reacts to and stars Bob's message, edits one of hers and deletes another.
    let out = alice.engine.react(&question, "👍", now()).await.unwrap();
    alice.output(out).await;
    let out = alice.engine.star(&question, true).await.unwrap();
    alice.output(out).await;
    let typo = alice.deliver("bob", "yse").await;
    let out = alice.engine.edit(&typo, "yes", now()).await.unwrap();
    alice.output(out).await;
    alice.expect(amended(typo)).await;
    let oops = alice.deliver("bob", "wrong chat").await;
    let out = alice
        .engine
        .delete_for_everyone(&oops, now())
        .await
        .unwrap();
    alice.output(out).await;
    alice.expect(amended(oops)).await;
    // Bob reacts to her edited message.
    bob.expect(message_from("yse")).await;
    let out = bob.engine.react(&typo, "❤️", now()).await.unwrap();
    bob.output(out).await;
    bob.settle().await;
    // A timer, then a message under it.
    let (_, out) = alice
        .engine
        .set_timer(&chat("bob"), DAY, now())
        .await
        .unwrap();
    alice.output(out).await;
    let fading = alice.deliver("bob", "this one fades").await;
    // Bob's chat pinned and marked unread.
    for action in [ChatAction::Pin(true), ChatAction::MarkUnread(true)] {
        let out = (alice.engine.chat_action(&chat("bob"), action, now()).await).unwrap();
        alice.output(out).await;
    }
    alice.settle().await;
    while stored(&alice, &typo).await.reactions.is_empty() {
        alice
            .pump_until(|_| false, std::time::Duration::from_millis(50))
            .await;
    }

    let (laptop, _) = Device::link(&relay, &mut alice, "laptop", 3).await;
    let at_laptop = stored(&laptop, &question).await;
    assert!(at_laptop.meta.starred, "the star came along");
    let reactions: Vec<(String, String)> = (at_laptop.reactions.iter())
        .map(|r| (r.by.to_string(), r.emoji.clone()))
        .collect();
    assert_eq!(reactions, [("alice".to_owned(), "👍".to_owned())]);
    let edited = stored(&laptop, &typo).await;
    assert_eq!(edited.body, "yes");
    assert!(edited.meta.edited_ms.is_some(), "shown as edited");
    assert_eq!(edited.reactions.len(), 1, "Bob's reaction came along");
    assert_eq!(stored(&laptop, &oops).await.kind, Kind::Deleted);
    // The timer came along, and the message under it still expires.
    let timer = laptop.engine.timer_of(&chat("bob")).await.unwrap();
    assert_eq!(timer.map(|t| t.timer_ms), Some(DAY));
    let fades_at = stored(&laptop, &fading).await.meta.expires_ms;
    assert_eq!(fades_at, stored(&alice, &fading).await.meta.expires_ms);
    assert!(fades_at.is_some());
    // So did the chat's place in the list.
    let states = laptop.engine.chat_states().await.unwrap();
    let bobs = states
        .iter()
        .find(|(c, _)| *c == chat("bob"))
        .map(|(_, s)| *s);
    assert!(
        bobs.is_some_and(|s| s.pinned.on && s.unread.on),
        "{states:?}"
    );
    assert_eq!(states, alice.engine.chat_states().await.unwrap());
    // Everything is as the approver holds it (receipts may still move its status on).
    for id in [question, typo, oops, fading] {
        let (mut here, there) = (stored(&laptop, &id).await, stored(&alice, &id).await);
        here.status = there.status;
        assert_eq!(here, there);
    }
}
