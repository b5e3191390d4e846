//! The chat list's actions over the real relay on loopback (issue 21): pinning, archiving,
//! marking unread, clearing and deleting on Alice's phone show on her linked laptop; an
//! archived chat comes back when a message arrives unless it is muted; a fourth pin is refused.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use hush_client::error::{EngineError, InputError};
use hush_client::model::ChatState;
use hush_client::{Changes, ChatAction, ChatId, Kind, Store};
use support::*;

async fn state(device: &Device, chat: &ChatId) -> ChatState {
    let states = device.engine.chat_states().await.unwrap();
    let found = states.into_iter().find(|(c, _)| c == chat);
    found.map(|(_, s)| s).unwrap_or_default()
}

/// Lets `device` receive until `chat`'s state passes `check` (fails after a few seconds).
async fn until(device: &mut Device, chat: &ChatId, check: impl Fn(&ChatState) -> bool) {
    for _ in 0..100 {
        if check(&state(device, chat).await) {
            return;
        }
        device
            .pump_until(|_| false, Duration::from_millis(50))
            .await;
    }
    panic!("{:?}", state(device, chat).await);
}

/// The chats `device` has pinned, by name.
async fn pinned(device: &Device) -> Vec<String> {
    let states = device.engine.chat_states().await.unwrap();
    let mut pinned: Vec<String> = (states.iter())
        .filter(|(_, s)| s.pinned.on)
        .map(|(c, _)| c.to_string())
        .collect();
    pinned.sort();
    pinned
}

async fn act(device: &mut Device, chat: &ChatId, action: ChatAction) {
    let out = device
        .engine
        .chat_action(chat, action, now())
        .await
        .unwrap();
    device.output(out).await;
    device.settle().await;
}

/// Whether every message `device` holds of `chat` is gone (hidden).
async fn cleared(device: &Device, chat: &ChatId) -> bool {
    let messages = device.store.messages(chat, None, 100).await.unwrap();
    !messages.is_empty() && messages.iter().all(|m| m.kind == Kind::Hidden)
}

#[tokio::test]
async fn pins_archives_marks_clears_and_deletes_reach_our_linked_device() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let (mut laptop, _) = Device::link(&relay, &mut alice, "laptop", 3).await;
    bob.deliver("alice", "hi alice").await;
    alice.expect(message_from("hi alice")).await;
    laptop.expect(message_from("hi alice")).await;
    let with_bob = chat("bob");

    act(&mut alice, &with_bob, ChatAction::Pin(true)).await;
    until(&mut laptop, &with_bob, |s| s.pinned.on).await;
    act(&mut alice, &with_bob, ChatAction::MarkUnread(true)).await;
    until(&mut laptop, &with_bob, |s| s.unread.on && s.pinned.on).await;
    // From the laptop this time: archiving unpins.
    act(&mut laptop, &with_bob, ChatAction::Archive(true)).await;
    until(&mut alice, &with_bob, |s| s.archived.on && !s.pinned.on).await;
    act(&mut alice, &with_bob, ChatAction::Archive(false)).await;
    until(&mut laptop, &with_bob, |s| !s.archived.on && s.unread.on).await;

    act(&mut alice, &with_bob, ChatAction::Clear).await;
    assert!(cleared(&alice, &with_bob).await, "cleared here");
    until(&mut laptop, &with_bob, |s| s.cleared_ms > 0 && !s.unread.on).await;
    assert!(cleared(&laptop, &with_bob).await, "cleared on the laptop");
    let kept = alice.store.chats().await.unwrap();
    let kept = kept
        .into_iter()
        .find(|c| c.chat == with_bob)
        .expect("the chat stays");
    assert!(state(&alice, &with_bob).await.is_listed(&kept.last));

    // A message that came after the clear stays, though its sender's clock says earlier
    // (the tests' clock stands still), also when the chat's state changes again.
    let later = bob.deliver("alice", "still there?").await;
    alice.expect(message_from("still there?")).await;
    laptop.expect(message_from("still there?")).await;
    act(&mut alice, &with_bob, ChatAction::Pin(true)).await;
    until(&mut laptop, &with_bob, |s| s.pinned.on).await;
    for device in [&alice, &laptop] {
        let kept = device.store.message(&later).await.unwrap().unwrap();
        assert_eq!(kept.kind, Kind::Text, "kept after the clear");
    }
    act(&mut laptop, &with_bob, ChatAction::Delete).await;
    until(&mut alice, &with_bob, |s| s.deleted.on).await;
    for device in [&alice, &laptop] {
        assert!(cleared(device, &with_bob).await, "deleted");
        let last = device.store.chats().await.unwrap();
        let last = last.into_iter().find(|c| c.chat == with_bob).unwrap().last;
        assert!(
            !state(device, &with_bob).await.is_listed(&last),
            "off the list"
        );
    }
    // A new message brings the chat back.
    bob.deliver("alice", "hello again").await;
    alice.expect(message_from("hello again")).await;
    let last = alice.store.chats().await.unwrap();
    let last = last.into_iter().find(|c| c.chat == with_bob).unwrap().last;
    assert!(
        state(&alice, &with_bob).await.is_listed(&last),
        "back on the list"
    );
}

#[tokio::test]
async fn an_archived_chat_comes_back_on_a_message_unless_muted() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let mut carol = Device::register(&relay, "carol", 4).await;
    bob.deliver("alice", "one").await;
    alice.expect(message_from("one")).await;
    carol.deliver("alice", "two").await;
    alice.expect(message_from("two")).await;
    let (with_bob, with_carol) = (chat("bob"), chat("carol"));
    act(&mut alice, &with_bob, ChatAction::Archive(true)).await;
    act(&mut alice, &with_carol, ChatAction::Archive(true)).await;
    let mute = Changes {
        muted: vec![(with_carol.clone(), true)],
        ..Changes::default()
    };
    alice.store.commit(mute).await.unwrap();

    bob.deliver("alice", "three").await;
    alice.expect(message_from("three")).await;
    carol.deliver("alice", "four").await;
    alice.expect(message_from("four")).await;
    assert!(!state(&alice, &with_bob).await.archived.on, "bob's is back");
    assert!(
        state(&alice, &with_carol).await.archived.on,
        "muted stays archived"
    );
}

#[tokio::test]
async fn a_fourth_pin_is_refused() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    for name in ["bob", "carol", "dave", "erin"] {
        act(&mut alice, &chat(name), ChatAction::Pin(false)).await;
    }
    for name in ["bob", "carol", "dave"] {
        act(&mut alice, &chat(name), ChatAction::Pin(true)).await;
    }
    let fourth = alice
        .engine
        .chat_action(&chat("erin"), ChatAction::Pin(true), now())
        .await;
    assert!(matches!(
        fourth,
        Err(EngineError::Input(InputError::TooManyPinned))
    ));
    assert!(!state(&alice, &chat("erin")).await.pinned.on);
    // Unpinning one makes room.
    act(&mut alice, &chat("bob"), ChatAction::Pin(false)).await;
    act(&mut alice, &chat("erin"), ChatAction::Pin(true)).await;
    assert!(state(&alice, &chat("erin")).await.pinned.on);
}

/// A message Bob wrote well before Alice cleared their chat, which reaches her only after
/// (his phone was offline), stays cleared; one written about when she cleared (his clock may
/// be behind hers) is shown, so nothing new is ever lost.
#[tokio::test]
async fn a_message_written_well_before_a_clear_that_arrives_after_it_stays_cleared() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    bob.deliver("alice", "hi alice").await;
    alice.expect(message_from("hi alice")).await;
    let with_bob = chat("bob");
    act(&mut alice, &with_bob, ChatAction::Clear).await;

    let late = |minutes: u64| now() - minutes * 60 * 1000;
    let (old, out) = (bob
        .engine
        .send_text(&chat("alice"), "from before", late(10))
        .await)
        .unwrap();
    bob.output(out).await;
    let (recent, out) = (bob
        .engine
        .send_text(&chat("alice"), "just now", late(1))
        .await)
        .unwrap();
    bob.output(out).await;
    bob.settle().await;
    let shown = alice
        .expect(|e| matches!(e, hush_client::Event::Message(_)))
        .await;
    assert!(
        matches!(&shown, hush_client::Event::Message(m) if m.id == recent.id),
        "only the recent one is shown: {shown:?}"
    );
    for (id, kind) in [(old.id, Kind::Hidden), (recent.id, Kind::Text)] {
        let stored = alice.store.message(&id).await.unwrap().unwrap();
        assert_eq!(stored.kind, kind, "{}", stored.body);
    }
}

/// Alice's phone and laptop each pin a third chat at the same time: together four. Both end
/// with the same three pinned, the earliest pins, as a fourth pin is refused on one device.
#[tokio::test]
async fn pins_made_at_once_on_two_devices_end_at_three_on_both() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let (mut laptop, _) = Device::link(&relay, &mut alice, "laptop", 3).await;
    for (name, at) in [("bob", 1), ("carol", 2)] {
        let pin = ChatAction::Pin(true);
        let out = (alice.engine.chat_action(&chat(name), pin, now() + at)).await;
        alice.output(out.unwrap()).await;
        alice.settle().await;
        until(&mut laptop, &chat(name), |s| s.pinned.on).await;
    }
    // Neither has heard of the other's third pin yet.
    let pin = ChatAction::Pin(true);
    let out = (alice.engine.chat_action(&chat("dave"), pin, now() + 10)).await;
    let phone_out = out.unwrap();
    let out = (laptop.engine.chat_action(&chat("erin"), pin, now() + 11)).await;
    laptop.output(out.unwrap()).await;
    alice.output(phone_out).await;
    alice.settle().await;
    laptop.settle().await;
    until(&mut alice, &chat("erin"), |s| s.pinned.set_ms > 0).await;
    until(&mut laptop, &chat("dave"), |s| s.pinned.on).await;
    for device in [&alice, &laptop] {
        let pinned = pinned(device).await;
        assert_eq!(pinned, ["bob", "carol", "dave"], "the latest pin gives way");
    }
}

/// A message dated a day ahead (a clock far off, or a lie) is kept as arriving now, so a Clear
/// after it does not reach into the future and hide what Bob writes next.
#[tokio::test]
async fn a_message_from_the_future_cannot_make_a_clear_hide_later_ones() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let day = 24 * 60 * 60 * 1000;
    let (ahead, out) = (bob
        .engine
        .send_text(&chat("alice"), "from tomorrow", now() + day)
        .await)
        .unwrap();
    bob.output(out).await;
    bob.settle().await;
    alice.expect(message_from("from tomorrow")).await;
    let kept = alice.store.message(&ahead.id).await.unwrap().unwrap();
    assert!(
        kept.sent_ms <= now() + 2 * 60 * 1000,
        "kept as arriving now"
    );
    act(&mut alice, &chat("bob"), ChatAction::Clear).await;
    assert!(state(&alice, &chat("bob")).await.cleared_ms < now() + day);

    bob.deliver("alice", "written after the clear").await;
    alice.expect(message_from("written after the clear")).await;
}

/// Pia and Pam are pinned. The phone pins Xena and then unpins Pia while the laptop, not
/// hearing of it yet, pins Yuri: the laptop sees four pins and undoes Yuri's, and tells the
/// phone, so both end with the same pins though the phone never saw four at once.
#[tokio::test]
async fn an_unpin_past_the_limit_reaches_our_other_devices() {
    let relay = relay().await;
    let mut phone = Device::register(&relay, "alice", 1).await;
    let (mut laptop, _) = Device::link(&relay, &mut phone, "laptop", 3).await;
    let pin = |on| ChatAction::Pin(on);
    let at = |ms: u64| now() + ms;
    for (name, ms) in [("pia", 1), ("pam", 2)] {
        let out = (phone
            .engine
            .chat_action(&chat(name), pin(true), at(ms))
            .await)
            .unwrap();
        phone.output(out).await;
        phone.settle().await;
        until(&mut laptop, &chat(name), |s| s.pinned.on).await;
    }
    let out = (phone
        .engine
        .chat_action(&chat("xena"), pin(true), at(10))
        .await)
        .unwrap();
    phone.output(out).await;
    let out = (phone
        .engine
        .chat_action(&chat("pia"), pin(false), at(12))
        .await)
        .unwrap();
    phone.output(out).await;
    phone.settle().await;
    let out = (laptop
        .engine
        .chat_action(&chat("yuri"), pin(true), at(11))
        .await)
        .unwrap();
    laptop.output(out).await;
    laptop.settle().await;
    until(&mut laptop, &chat("pia"), |s| !s.pinned.on).await;
    until(&mut phone, &chat("yuri"), |s| {
        !s.pinned.on && s.pinned.set_ms > at(11)
    })
    .await;
    for device in [&phone, &laptop] {
        assert_eq!(pinned(device).await, ["pam", "xena"]);
    }
}
