//! Replies, edits, deletes, stars and forwards over the real relay on loopback (issue 21): in
//! a 1:1 chat mirrored on a linked device, and in a group of five; edits and deletes by anyone
//! but the author, or too late, are refused and change nothing; an edit after a delete does
//! not bring the message back; one that comes before its message waits for it.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use hush_client::content::{Amend, Content};
use hush_client::model::{Kind, DELETED, EDIT_WINDOW_MS};
use hush_client::{ChatMessage, Event, MessageId, Store};
use support::*;

fn amended(id: MessageId) -> impl Fn(&Event) -> bool {
    move |e| matches!(e, Event::Amended { id: i, .. } if *i == id)
}

async fn stored(device: &Device, id: &MessageId) -> ChatMessage {
    let message = device.store.message(id).await.unwrap();
    message.expect("the message")
}

/// Lets `device` receive until message `id` passes `check` (fails after a few seconds).
async fn until(device: &mut Device, id: &MessageId, check: impl Fn(&ChatMessage) -> bool) {
    for _ in 0..100 {
        if device
            .store
            .message(id)
            .await
            .unwrap()
            .is_some_and(|m| check(&m))
        {
            return;
        }
        device
            .pump_until(|_| false, Duration::from_millis(50))
            .await;
    }
    panic!("{:?}", device.store.message(id).await.unwrap());
}

#[tokio::test]
async fn a_reply_edit_and_delete_reach_the_contact_and_our_linked_device() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let (mut laptop, _) = Device::link(&relay, &mut alice, "laptop", 3).await;
    let question = bob.deliver("alice", "lunch at noon?").await;
    alice.expect(message_from("lunch at noon?")).await;
    laptop.expect(message_from("lunch at noon?")).await;

    let (reply, out) = alice.engine.reply(&question, "yes!", now()).await.unwrap();
    alice.output(out).await;
    alice.settle().await;
    for device in [&mut bob, &mut laptop] {
        until(device, &reply.id, |m| m.body == "yes!").await;
        let quote = stored(device, &reply.id).await.meta.quote.expect("a quote");
        assert_eq!(
            (quote.target.id, quote.preview.as_str()),
            (question, "lunch at noon?")
        );
        assert_eq!(quote.target.author, user("bob"));
    }

    let out = alice
        .engine
        .edit(&reply.id, "yes, at 12:30", now())
        .await
        .unwrap();
    alice.output(out).await;
    alice.expect(amended(reply.id)).await;
    alice.settle().await;
    for device in [&mut alice, &mut bob, &mut laptop] {
        until(device, &reply.id, |m| m.body == "yes, at 12:30").await;
        assert!(
            stored(device, &reply.id).await.meta.edited_ms.is_some(),
            "shown as edited"
        );
    }

    // From the laptop: deleted for everyone, on every device.
    let out = laptop
        .engine
        .delete_for_everyone(&reply.id, now())
        .await
        .unwrap();
    laptop.output(out).await;
    laptop.settle().await;
    for device in [&mut alice, &mut bob, &mut laptop] {
        until(device, &reply.id, |m| m.kind == Kind::Deleted).await;
        let gone = stored(device, &reply.id).await;
        assert_eq!(gone.body, DELETED);
        assert!(gone.meta.quote.is_none() && gone.reactions.is_empty());
    }
    // Bob may not delete or edit Alice's message; Alice may not edit it once deleted.
    assert!(bob
        .engine
        .delete_for_everyone(&reply.id, now())
        .await
        .is_err());
    assert!(alice.engine.edit(&reply.id, "back", now()).await.is_err());
    assert!(bob
        .engine
        .edit(&question, "x", now() + EDIT_WINDOW_MS + 1)
        .await
        .is_err());
}

#[tokio::test]
async fn stars_and_deletes_for_me_stay_on_our_devices() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let (mut laptop, _) = Device::link(&relay, &mut alice, "laptop", 3).await;
    let id = bob.deliver("alice", "the door code is 4711").await;
    alice.expect(message_from("the door code is 4711")).await;
    laptop.expect(message_from("the door code is 4711")).await;

    let out = alice.engine.star(&id, true).await.unwrap();
    alice.output(out).await;
    alice.settle().await;
    assert!(stored(&alice, &id).await.meta.starred);
    until(&mut laptop, &id, |m| m.meta.starred).await;
    assert!(
        !stored(&bob, &id).await.meta.starred,
        "a star is ours alone"
    );

    let out = laptop.engine.delete_for_me(&[id]).await.unwrap();
    laptop.output(out).await;
    laptop.settle().await;
    until(&mut alice, &id, |m| m.kind == Kind::Hidden).await;
    assert_eq!(stored(&laptop, &id).await.body, "");
    assert_eq!(stored(&bob, &id).await.body, "the door code is 4711");
}

#[tokio::test]
async fn a_group_of_five_sees_replies_edits_and_deletes_and_refuses_others() {
    let relay = relay().await;
    let (mut devices, group) = group_of(&relay, 5, "Lunch").await;
    let (sent, out) = devices[0]
        .engine
        .send_text(&group, "pizza?", now())
        .await
        .unwrap();
    devices[0].output(out).await;
    settle_all(&mut devices).await;

    let (reply, out) = devices[2]
        .engine
        .reply(&sent.id, "🍕 yes", now())
        .await
        .unwrap();
    devices[2].output(out).await;
    settle_all(&mut devices).await;
    let out = devices[0]
        .engine
        .edit(&sent.id, "pizza at 1?", now())
        .await
        .unwrap();
    devices[0].output(out).await;
    settle_all(&mut devices).await;
    for device in &devices {
        assert_eq!(stored(device, &sent.id).await.body, "pizza at 1?");
        let quote = stored(device, &reply.id).await.meta.quote.expect("a quote");
        assert_eq!(quote.preview, "pizza?", "the preview kept with the reply");
    }

    // Member 3 edits member 0's message: refused by every member.
    assert!(devices[3]
        .engine
        .edit(&sent.id, "forged", now())
        .await
        .is_err());
    let forged = Content::Amend {
        id: sent.id,
        amend: Amend::edit("forged"),
        sent_ms: now(),
    };
    queue_raw(&mut devices[3], &group.to_string(), [0x33; 16], forged).await;
    devices[3]
        .deliver(&group.to_string(), "after the forgery")
        .await;
    settle_all(&mut devices).await;
    for device in &devices {
        assert_eq!(stored(device, &sent.id).await.body, "pizza at 1?");
    }

    let out = devices[2]
        .engine
        .delete_for_everyone(&reply.id, now())
        .await
        .unwrap();
    devices[2].output(out).await;
    settle_all(&mut devices).await;
    for device in &devices {
        assert_eq!(stored(device, &reply.id).await.kind, Kind::Deleted);
    }
}

#[tokio::test]
async fn late_edits_edits_after_a_delete_and_forged_authors_change_nothing() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let mut carol = Device::register(&relay, "carol", 3).await;
    let id = alice.deliver("bob", "v1").await;
    let sent = stored(&alice, &id).await;
    bob.expect(message_from("v1")).await;
    let late = Content::Amend {
        id: sent.id,
        amend: Amend::edit("too late"),
        sent_ms: sent.sent_ms + EDIT_WINDOW_MS + 10 * 60 * 1000,
    };
    queue_raw(&mut alice, "bob", [0x41; 16], late).await;
    // Carol names Alice's message in her chat with Bob.
    let forged = Content::Amend {
        id: sent.id,
        amend: Amend::Delete,
        sent_ms: now(),
    };
    queue_raw(&mut carol, "bob", [0x42; 16], forged).await;
    alice.deliver("bob", "marker a").await;
    bob.expect(message_from("marker a")).await;
    carol.deliver("bob", "marker c").await;
    bob.expect(message_from("marker c")).await;
    assert_eq!(stored(&bob, &sent.id).await.body, "v1");
    assert_eq!(stored(&bob, &sent.id).await.kind, Kind::Text);

    // Deleted, then an edit written before the delete arrives: still deleted.
    let edit = Content::Amend {
        id: sent.id,
        amend: Amend::edit("resurrected"),
        sent_ms: now(),
    };
    let out = alice
        .engine
        .delete_for_everyone(&sent.id, now())
        .await
        .unwrap();
    alice.output(out).await;
    alice.settle().await;
    until(&mut bob, &sent.id, |m| m.kind == Kind::Deleted).await;
    queue_raw(&mut alice, "bob", [0x43; 16], edit).await;
    alice.deliver("bob", "marker b").await;
    bob.expect(message_from("marker b")).await;
    assert_eq!(stored(&bob, &sent.id).await.body, DELETED);
}

#[tokio::test]
async fn an_edit_that_comes_before_its_message_is_applied_when_it_arrives() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    bob.deliver("alice", "hi").await;
    alice.expect(message_from("hi")).await;
    let (id, sent_ms) = ([0x5B; 16], now());
    let edit = Content::Amend {
        id,
        amend: Amend::edit("edited first"),
        sent_ms: sent_ms + 1,
    };
    queue_raw(&mut alice, "bob", [0x5C; 16], edit).await;
    let text = Content::Text {
        id,
        sent_ms,
        body: "original".to_owned(),
    };
    queue_raw(&mut alice, "bob", id, text).await;
    alice.deliver("bob", "and this").await;
    bob.expect(message_from("and this")).await;
    until(&mut bob, &id, |m| m.body == "edited first").await;
}

#[tokio::test]
async fn a_forward_goes_to_several_chats_and_counts_its_hops() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let mut carol = Device::register(&relay, "carol", 3).await;
    let mut dave = Device::register(&relay, "dave", 4).await;
    let id = alice.deliver("bob", "a joke").await;
    bob.expect(message_from("a joke")).await;
    // A group Bob is not in cannot take it; the chats on either side of it still do.
    let nowhere = hush_client::ChatId::Group([9; 16]);
    let chats = [chat("carol"), nowhere.clone(), chat("dave")];
    let (done, out) = bob.engine.forward(&id, &chats, now()).await.unwrap();
    bob.output(out).await;
    let sent = done.sent;
    assert_eq!(sent.len(), 2);
    let failed: Vec<_> = done.failed.iter().map(|(chat, _)| chat).collect();
    assert_eq!(failed, [&nowhere]);
    assert_eq!(sent[1].chat, chat("dave"));
    bob.settle().await;
    carol.expect(message_from("a joke")).await;
    dave.expect(message_from("a joke")).await;
    let at_carol = stored(&carol, &sent[0].id).await;
    assert_eq!(at_carol.meta.forwards, 1);
    // Carol forwards it on: two hops.
    let (again, out) = carol
        .engine
        .forward(&at_carol.id, &[chat("dave")], now())
        .await
        .unwrap();
    let again = again.sent;
    carol.output(out).await;
    carol.settle().await;
    until(&mut dave, &again[0].id, |m| m.meta.forwards == 2).await;
    // At most five chats at once.
    let six: Vec<_> = ["erin", "frank", "grace", "heidi", "ivan", "judy"]
        .iter()
        .map(|n| chat(n))
        .collect();
    assert!(bob.engine.forward(&id, &six, now()).await.is_err());
}

#[tokio::test]
async fn a_quote_cannot_put_words_in_someone_elses_mouth() {
    use hush_client::content::Rich;
    use hush_client::model::{MessageRef, Quote};
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let mut carol = Device::register(&relay, "carol", 3).await;
    let id = alice.deliver("bob", "the real words").await;
    bob.expect(message_from("the real words")).await;
    let fake = |reply: u8, body: &str| {
        Content::Rich(Box::new(Rich {
            id: [reply; 16],
            sent_ms: now(),
            body: body.to_owned(),
            attachment: None,
            quote: Some(Quote {
                target: MessageRef {
                    author: user("alice"),
                    id,
                },
                preview: "words never said".to_owned(),
            }),
            forwards: 0,
        }))
    };
    // Alice's quote of her own message: the preview shown is the message's own words.
    queue_raw(&mut alice, "bob", [0x61; 16], fake(0x61, "quoting myself")).await;
    alice.deliver("bob", "marker a").await;
    bob.expect(message_from("marker a")).await;
    let quote = stored(&bob, &[0x61; 16]).await.meta.quote.expect("a quote");
    assert_eq!(quote.preview, "the real words");
    // Carol quotes Alice's message to Bob in her own chat with Bob: no quote at all.
    queue_raw(&mut carol, "bob", [0x62; 16], fake(0x62, "quoting alice")).await;
    carol.deliver("bob", "marker c").await;
    bob.expect(message_from("marker c")).await;
    assert!(stored(&bob, &[0x62; 16]).await.meta.quote.is_none());
}
