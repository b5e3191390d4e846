//! Disappearing messages over the real relay on loopback (issue 21): a timer set in a 1:1 chat
//! reaches the contact and our linked device as a notice, messages after it expire on every
//! device (also one whose engine was stopped meanwhile: it removes them when it starts), the
//! newest setting wins whatever order settings arrive in, and a group of five shares one.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use hush_client::content::Content;
use hush_client::model::{Kind, TIMER_CHOICES};
use hush_client::{ChatId, MessageId, Store};
use support::*;

const DAY: u64 = TIMER_CHOICES[1];
const WEEK: u64 = TIMER_CHOICES[2];

/// The timer `device` holds for `chat` (0: none).
async fn timer(device: &Device, chat: &ChatId) -> u64 {
    let timer = device.engine.timer_of(chat).await.unwrap();
    timer.map_or(0, |t| t.timer_ms)
}

/// Lets `device` receive until it holds `wanted` as `chat`'s timer.
async fn until_timer(device: &mut Device, chat: &ChatId, wanted: u64) {
    for _ in 0..100 {
        if timer(device, chat).await == wanted {
            return;
        }
        device
            .pump_until(|_| false, Duration::from_millis(50))
            .await;
    }
    assert_eq!(timer(device, chat).await, wanted);
}

async fn kind(device: &Device, id: &MessageId) -> Kind {
    device
        .store
        .message(id)
        .await
        .unwrap()
        .expect("the message")
        .kind
}

/// Runs `expire` at `at` until it removes nothing more.
async fn expire(device: &mut Device, at: u64) {
    while !device.engine.expire(at).await.unwrap().events.is_empty() {}
}

#[tokio::test]
async fn a_timer_reaches_everyone_and_messages_expire_on_every_device() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let (mut laptop, _) = Device::link(&relay, &mut alice, "laptop", 3).await;
    let before = bob.deliver("alice", "before the timer").await;
    alice.expect(message_from("before the timer")).await;

    let (notice, out) = alice
        .engine
        .set_timer(&chat("bob"), DAY, now())
        .await
        .unwrap();
    alice.output(out).await;
    alice.settle().await;
    assert_eq!(notice.body, "You set disappearing messages to 24 hours");
    // The notice as data, "You" left to the app (issue 22), kept by the store.
    let setting = Some(hush_client::model::Notice::Timer {
        setter: hush_client::Username::parse("alice").unwrap(),
        timer_ms: DAY,
    });
    assert_eq!(notice.meta.notice, setting);
    let stored = alice
        .store
        .message(&notice.id)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(stored.meta.notice, setting);
    until_timer(&mut bob, &chat("alice"), DAY).await;
    until_timer(&mut laptop, &chat("bob"), DAY).await;
    bob.expect(message_from("alice set disappearing messages to 24 hours"))
        .await;

    let after = bob.deliver("alice", "this one disappears").await;
    alice.expect(message_from("this one disappears")).await;
    laptop.expect(message_from("this one disappears")).await;
    let mine = alice.deliver("bob", "so does this").await;
    bob.expect(message_from("so does this")).await;

    // Nothing has run out a minute later.
    for device in [&mut alice, &mut bob, &mut laptop] {
        expire(device, now() + 60_000).await;
        assert_eq!(kind(device, &after).await, Kind::Text);
    }
    // A day later, on every device, what came after the timer is gone; what came before stays.
    let later = now() + DAY + 1_000;
    for device in [&mut alice, &mut bob, &mut laptop] {
        expire(device, later).await;
        assert_eq!(kind(device, &after).await, Kind::Hidden);
        assert_eq!(kind(device, &before).await, Kind::Text);
    }
    assert_eq!(kind(&alice, &mine).await, Kind::Hidden);
    assert_eq!(kind(&bob, &mine).await, Kind::Hidden);
}

#[tokio::test]
async fn a_device_stopped_meanwhile_removes_what_expired_when_it_starts() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    bob.deliver("alice", "hi").await;
    alice.expect(message_from("hi")).await;
    let (_, out) = bob
        .engine
        .set_timer(&chat("alice"), DAY, now())
        .await
        .unwrap();
    bob.output(out).await;
    bob.settle().await;
    until_timer(&mut alice, &chat("bob"), DAY).await;
    let id = bob.deliver("alice", "gone tomorrow").await;
    alice.expect(message_from("gone tomorrow")).await;
    let store = alice.store.clone();
    drop(alice);

    let mut alice = Device::open(&relay, store, 11).await;
    expire(&mut alice, now() + DAY + 1).await;
    assert_eq!(kind(&alice, &id).await, Kind::Hidden);
    let gone = alice.store.message(&id).await.unwrap().unwrap();
    assert!(gone.body.is_empty() && !gone.meta.starred);
}

#[tokio::test]
async fn the_newest_setting_wins_whatever_order_settings_arrive_in() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    bob.deliver("alice", "hi").await;
    alice.expect(message_from("hi")).await;
    let (_, out) = alice
        .engine
        .set_timer(&chat("bob"), WEEK, now() + 10)
        .await
        .unwrap();
    alice.output(out).await;
    alice.settle().await;
    until_timer(&mut bob, &chat("alice"), WEEK).await;
    // An older setting (a modified client, or one delayed) arrives after it: ignored.
    let older = Content::Timer {
        id: [0x71; 16],
        sent_ms: now() + 5,
        timer_ms: DAY,
    };
    queue_raw(&mut alice, "bob", [0x71; 16], older).await;
    alice.deliver("bob", "marker").await;
    bob.expect(message_from("marker")).await;
    assert_eq!(timer(&bob, &chat("alice")).await, WEEK);
    // One from far in the future (which would lock out every later setting): ignored.
    let future = Content::Timer {
        id: [0x72; 16],
        sent_ms: u64::MAX,
        timer_ms: DAY,
    };
    queue_raw(&mut alice, "bob", [0x72; 16], future).await;
    alice.deliver("bob", "marker 2").await;
    bob.expect(message_from("marker 2")).await;
    assert_eq!(timer(&bob, &chat("alice")).await, WEEK);
    // Turned off: messages stay.
    let (_, out) = bob
        .engine
        .set_timer(&chat("alice"), 0, now() + 20)
        .await
        .unwrap();
    bob.output(out).await;
    bob.settle().await;
    until_timer(&mut alice, &chat("bob"), 0).await;
    let id = alice.deliver("bob", "for ever").await;
    bob.expect(message_from("for ever")).await;
    expire(&mut bob, now() + 100 * DAY).await;
    assert_eq!(kind(&bob, &id).await, Kind::Text);
    assert!(alice
        .engine
        .set_timer(&chat("bob"), 5, now())
        .await
        .is_err());
}

#[tokio::test]
async fn a_group_of_five_shares_one_timer() {
    let relay = relay().await;
    let (mut devices, group) = group_of(&relay, 5, "Lunch").await;
    let (_, out) = devices[2]
        .engine
        .set_timer(&group, WEEK, now())
        .await
        .unwrap();
    devices[2].output(out).await;
    settle_all(&mut devices).await;
    for device in &devices {
        assert_eq!(timer(device, &group).await, WEEK);
    }
    let (sent, out) = devices[0]
        .engine
        .send_text(&group, "pizza?", now())
        .await
        .unwrap();
    devices[0].output(out).await;
    settle_all(&mut devices).await;
    for device in devices.iter_mut() {
        expire(device, now() + WEEK + 1).await;
        assert_eq!(kind(device, &sent.id).await, Kind::Hidden);
    }
}
