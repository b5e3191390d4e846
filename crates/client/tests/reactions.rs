//! Reactions over the real relay on loopback (issue 21): one per person per message, the
//! newest winning, in a 1:1 chat, in a group of five and mirrored on a linked device; a
//! reaction that comes before its message waits for it; one naming a message of another chat
//! or another author is refused and changes nothing.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use hush_client::content::Content;
use hush_client::model::{tally, MessageRef};
use hush_client::{Changes, Event, MessageId, OutboxEntry, Store};
use support::*;

fn reacted(id: MessageId) -> impl Fn(&Event) -> bool {
    move |e| matches!(e, Event::Reacted { id: i, .. } if *i == id)
}

/// The reactions `device` shows on message `id`, as (emoji, count), sorted.
async fn shown(device: &Device, id: &MessageId) -> Vec<(String, usize)> {
    let message = device
        .store
        .message(id)
        .await
        .unwrap()
        .expect("the message");
    let counts = tally(&message.reactions);
    let mut shown: Vec<_> = counts.into_iter().map(|(e, n)| (e.to_owned(), n)).collect();
    shown.sort();
    shown
}

fn counts(pairs: &[(&str, usize)]) -> Vec<(String, usize)> {
    let mut counts: Vec<_> = pairs.iter().map(|(e, n)| ((*e).to_owned(), *n)).collect();
    counts.sort();
    counts
}

async fn react(device: &mut Device, id: &MessageId, emoji: &str) {
    let out = device.engine.react(id, emoji, now()).await.unwrap();
    device.output(out).await;
    // Shown here at once.
    device.expect(reacted(*id)).await;
}

/// Queues raw `content` from `device` to `to` under a fresh id (what a modified client could
/// send), ahead of whatever it sends next.
async fn queue_fresh(device: &mut Device, to: &str, content: Content) {
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&now().to_be_bytes());
    id[8] = content.encode().len() as u8;
    queue_raw(device, to, id, content).await;
}

fn reaction(author: &str, id: MessageId, emoji: &str) -> Content {
    Content::Reaction {
        target: MessageRef {
            author: user(author),
            id,
        },
        emoji: emoji.to_owned(),
        sent_ms: now(),
    }
}

#[tokio::test]
async fn a_reaction_reaches_the_contact_and_our_linked_device_and_the_newest_wins() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let (mut laptop, _) = Device::link(&relay, &mut alice, "laptop", 3).await;
    let id = bob.deliver("alice", "lunch at noon?").await;
    alice.expect(message_from("lunch at noon?")).await;
    laptop.expect(message_from("lunch at noon?")).await;

    react(&mut alice, &id, "👍").await;
    alice.settle().await;
    assert_eq!(shown(&alice, &id).await, counts(&[("👍", 1)]));
    bob.expect(reacted(id)).await;
    assert_eq!(shown(&bob, &id).await, counts(&[("👍", 1)]));
    laptop.expect(reacted(id)).await;
    assert_eq!(shown(&laptop, &id).await, counts(&[("👍", 1)]));

    // Bob on his own message; then Alice changes hers, from her laptop.
    react(&mut bob, &id, "👍").await;
    bob.settle().await;
    alice.expect(reacted(id)).await;
    assert_eq!(shown(&alice, &id).await, counts(&[("👍", 2)]));
    tokio::time::sleep(Duration::from_millis(2)).await;
    react(&mut laptop, &id, "😂").await;
    laptop.settle().await;
    bob.expect(reacted(id)).await;
    alice.expect(reacted(id)).await;
    assert_eq!(shown(&bob, &id).await, counts(&[("👍", 1), ("😂", 1)]));
    assert_eq!(shown(&alice, &id).await, counts(&[("👍", 1), ("😂", 1)]));

    // Taken back: gone everywhere.
    tokio::time::sleep(Duration::from_millis(2)).await;
    react(&mut alice, &id, "").await;
    alice.settle().await;
    for device in [&mut alice, &mut bob, &mut laptop] {
        until_shown(device, &id, counts(&[("👍", 1)])).await;
    }
}

/// Lets `device` receive until it shows `wanted` on message `id` (fails after a few seconds).
async fn until_shown(device: &mut Device, id: &MessageId, wanted: Vec<(String, usize)>) {
    for _ in 0..100 {
        if shown(device, id).await == wanted {
            return;
        }
        device
            .pump_until(|_| false, Duration::from_millis(50))
            .await;
    }
    assert_eq!(shown(device, id).await, wanted);
}

#[tokio::test]
async fn every_member_of_a_group_of_five_sees_a_reaction() {
    let relay = relay().await;
    let (mut devices, group) = group_of(&relay, 5, "Lunch").await;
    let (sent, out) = devices[0]
        .engine
        .send_text(&group, "pizza?", now())
        .await
        .unwrap();
    devices[0].output(out).await;
    settle_all(&mut devices).await;

    react(&mut devices[3], &sent.id, "❤️").await;
    react(&mut devices[1], &sent.id, "❤️").await;
    settle_all(&mut devices).await;
    for device in &devices {
        assert_eq!(shown(device, &sent.id).await, counts(&[("❤️", 2)]));
    }
    // Someone outside the group cannot react to it, even knowing its id.
    let mut outsider = Device::register(&relay, "outsider", 9).await;
    assert!(outsider.engine.react(&sent.id, "👍", now()).await.is_err());
}

#[tokio::test]
async fn a_reaction_that_comes_before_its_message_is_shown_once_the_message_arrives() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    bob.deliver("alice", "hi").await;
    alice.expect(message_from("hi")).await;
    // Alice's reaction to her own message leaves first, the message after it.
    let id = [0x5A; 16];
    queue_fresh(&mut alice, "bob", reaction("alice", id, "🙏")).await;
    let text = Content::Text {
        id,
        sent_ms: now(),
        body: "thanks for yesterday".to_owned(),
    };
    let entry = OutboxEntry {
        id,
        to: chat("bob"),
        content: text.encode(),
        attempts: 0,
    };
    let changes = Changes {
        outbox: vec![entry],
        ..Changes::default()
    };
    alice.store.commit(changes).await.unwrap();
    alice.deliver("bob", "and this").await;
    bob.expect(message_from("thanks for yesterday")).await;
    bob.expect(message_from("and this")).await;
    assert_eq!(shown(&bob, &id).await, counts(&[("🙏", 1)]));
}

#[tokio::test]
async fn a_reaction_naming_another_chat_or_another_author_is_refused() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let mut carol = Device::register(&relay, "carol", 3).await;
    let id = alice.deliver("bob", "our secret plan").await;
    bob.expect(message_from("our secret plan")).await;

    // Carol names Alice's message to Bob: not a message of her chat with Bob.
    queue_fresh(&mut carol, "bob", reaction("alice", id, "😂")).await;
    carol.deliver("bob", "hello bob").await;
    bob.expect(message_from("hello bob")).await;
    // Alice names it as Bob's: the author is wrong.
    queue_fresh(&mut alice, "bob", reaction("bob", id, "😮")).await;
    alice.deliver("bob", "anyway").await;
    bob.expect(message_from("anyway")).await;
    assert_eq!(shown(&bob, &id).await, counts(&[]));

    // The same from Alice, named rightly, is shown.
    react(&mut alice, &id, "😮").await;
    alice.settle().await;
    bob.expect(reacted(id)).await;
    assert_eq!(shown(&bob, &id).await, counts(&[("😮", 1)]));
}
