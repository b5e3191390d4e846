//! Read receipts off (issue 22), over the real relay: mutual, as in WhatsApp. A device with
//! them off tells no one it read their messages, in 1:1 chats and groups, and shows others'
//! "read" as delivered; turned on again, both work as before.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hush_client::{ChatId, Engine, Event, Status, Store};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use support::*;

/// Sends `body` to `chat` (1:1 or group) from `device`, until the relay has it.
async fn say(device: &mut Device, chat: &ChatId, body: &str) -> [u8; 16] {
    let (message, out) = device.engine.send_text(chat, body, now()).await.unwrap();
    device.output(out).await;
    device.expect(status(message.id, Status::Sent)).await;
    message.id
}

async fn read(device: &mut Device, chat: &ChatId) {
    let out = device.engine.mark_read(chat).await.unwrap();
    device.output(out).await;
    device.settle().await;
}

async fn status_of(device: &Device, id: &[u8; 16]) -> Status {
    device.store.message(id).await.unwrap().unwrap().status
}

fn arrived<'a>(body: &'a str) -> impl Fn(&Event) -> bool + 'a {
    move |e| matches!(e, Event::Message(m) if m.body == body)
}

#[tokio::test]
async fn off_in_a_chat_neither_tells_nor_sees_reading_and_on_again_does_both() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let out = bob.engine.set_read_receipts(false).await.unwrap();
    bob.output(out).await;
    assert!(!bob.engine.read_receipts() && alice.engine.read_receipts());

    // Bob reads: read on his side; Alice, who gets what he sends next after any receipt,
    // still sees only "delivered".
    let hello = say(&mut alice, &chat("bob"), "hello").await;
    bob.expect(arrived("hello")).await;
    alice.expect(status(hello, Status::Delivered)).await;
    read(&mut bob, &chat("alice")).await;
    assert_eq!(status_of(&bob, &hello).await, Status::Read);
    let answer = say(&mut bob, &chat("alice"), "answer").await;
    alice.expect(arrived("answer")).await;
    assert_eq!(status_of(&alice, &hello).await, Status::Delivered);

    // Alice reads Bob's answer and says so; Bob does not see it.
    bob.expect(status(answer, Status::Delivered)).await;
    read(&mut alice, &chat("bob")).await;
    say(&mut alice, &chat("bob"), "after reading").await;
    bob.expect(arrived("after reading")).await;
    assert_eq!(status_of(&bob, &answer).await, Status::Delivered);

    // Kept with the account: an engine opened on what Bob's stored has the choice.
    let reopened = Engine::open(bob.store.clone(), ChaCha20Rng::seed_from_u64(3))
        .await
        .unwrap();
    assert!(!reopened.read_receipts());
    drop(reopened);

    // On again: both ways, as before.
    let out = bob.engine.set_read_receipts(true).await.unwrap();
    bob.output(out).await;
    read(&mut bob, &chat("alice")).await;
    let seen = say(&mut bob, &chat("alice"), "seen").await;
    alice.expect(arrived("seen")).await;
    read(&mut alice, &chat("bob")).await;
    bob.expect(status(seen, Status::Read)).await;
    let again = say(&mut alice, &chat("bob"), "read me").await;
    bob.expect(arrived("read me")).await;
    read(&mut bob, &chat("alice")).await;
    alice.expect(status(again, Status::Read)).await;
}

#[tokio::test]
async fn off_in_a_group_tells_no_author() {
    let relay = relay().await;
    let (mut devices, group) = group_of(&relay, 3, "Book club").await;
    let out = devices[1].engine.set_read_receipts(false).await.unwrap();
    devices[1].output(out).await;

    let hello = say(&mut devices[0], &group, "chapter one?").await;
    settle_all(&mut devices).await;
    read(&mut devices[1], &group).await;
    read(&mut devices[2], &group).await;
    // Until member2's Read reached the author: the relay queues for the author in order, and
    // anything member1 sent on reading was at the relay before member2 read.
    let mut receipts = Vec::new();
    for _ in 0..20 {
        settle_all(&mut devices).await;
        let mine = devices[0].store.message(&hello).await.unwrap().unwrap();
        receipts = mine.group.unwrap().receipts;
        if receipts.contains(&(user("member2"), Status::Read)) {
            break;
        }
    }
    let mine = devices[0].store.message(&hello).await.unwrap().unwrap();
    assert!(
        receipts.contains(&(user("member1"), Status::Delivered)),
        "{receipts:?}"
    );
    assert!(
        receipts.contains(&(user("member2"), Status::Read)),
        "{receipts:?}"
    );
    assert_eq!(mine.status, Status::Delivered);
}

#[tokio::test]
async fn a_read_receipt_still_queued_when_turned_off_is_never_sent() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let hello = say(&mut alice, &chat("bob"), "hello").await;
    bob.expect(arrived("hello")).await;
    alice.expect(status(hello, Status::Delivered)).await;
    drop(bob.ws);

    // Offline, Bob reads (a Read receipt waits in his outbox), then turns receipts off.
    let mut offline = Engine::open(bob.store.clone(), ChaCha20Rng::seed_from_u64(4))
        .await
        .unwrap();
    offline.mark_read(&chat("alice")).await.unwrap();
    offline.set_read_receipts(false).await.unwrap();
    drop(offline);

    // Back online, everything left in his outbox goes: a message, but not that receipt.
    let mut bob = Device::open(&relay, bob.store.clone(), 5).await;
    bob.expect(|e| matches!(e, Event::Authenticated)).await;
    say(&mut bob, &chat("alice"), "later").await;
    alice.expect(arrived("later")).await;
    assert_eq!(status_of(&alice, &hello).await, Status::Delivered);
}
