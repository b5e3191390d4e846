//! Sending again over the real relay on loopback, as after a relay crash: a text whose `Sent`
//! was lost is sent again with the same id, and is shown once wherever it arrives twice; a
//! resend is not a failed attempt; and a send that has to wait holds the later ones to that
//! account, which follow it in order. (The crash suite, `crash_safety.rs`, kills a relay
//! process for real; these are its findings, each on its own.)
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use hush_client::{ChatId, Event, Kind, Status, Store};
use support::*;

fn text_in<'a>(chat: &'a ChatId, body: &'a str) -> impl Fn(&Event) -> bool + 'a {
    move |e| matches!(e, Event::Message(m) if m.chat == *chat && m.body == body && m.kind == Kind::Text)
}

/// Runs each device a while, so that everything in flight lands.
async fn run(devices: &mut [&mut Device]) {
    for _ in 0..3 {
        for device in devices.iter_mut() {
            device
                .pump_until(|_| false, Duration::from_millis(100))
                .await;
        }
    }
}

#[tokio::test]
async fn a_group_text_sent_again_after_its_sent_was_lost_is_shown_once() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let (chat, out) = alice
        .engine
        .create_group("Climbing", "", &[user("bob")], now())
        .await
        .unwrap();
    alice.output(out).await;
    run(&mut [&mut alice, &mut bob]).await;
    bob.expect(|e| matches!(e, Event::GroupChanged { .. }))
        .await;
    // Bob has her sender key once a first text went.
    let (_, out) = alice.engine.send_text(&chat, "first", now()).await.unwrap();
    alice.output(out).await;
    run(&mut [&mut alice, &mut bob]).await;
    bob.expect(text_in(&chat, "first")).await;

    // Alice's text reaches Bob, who acks it; her relay's `Sent` never reaches her.
    let (message, out) = alice.engine.send_text(&chat, "once", now()).await.unwrap();
    alice.output(out).await;
    bob.expect(text_in(&chat, "once")).await;
    bob.settle().await;
    let store = alice.store.clone();
    drop(alice);

    // Her browser comes back and sends it again (a new envelope: Bob acked the first).
    let mut alice = Device::open(&relay, store, 3).await;
    alice.expect(status(message.id, Status::Sent)).await;
    assert!(
        bob.pump_until(text_in(&chat, "once"), Duration::from_millis(500))
            .await
            .is_none(),
        "shown twice"
    );
    let shown = bob.store.messages(&chat, None, 10).await.unwrap();
    assert_eq!(shown.iter().filter(|m| m.body == "once").count(), 1);
}

#[tokio::test]
async fn a_transcript_sent_again_after_its_sent_was_lost_is_shown_once() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 4).await;
    let mut bob = Device::register(&relay, "bob", 5).await;
    let (mut phone, _) = Device::link(&relay, &mut alice, "phone", 6).await;
    // Sessions first: the next text leaves at once.
    alice.deliver("bob", "first").await;
    bob.expect(message_from("first")).await;
    phone.expect(message_from("first")).await;

    let id = alice.send("bob", "to bob, copied").await;
    bob.expect(message_from("to bob, copied")).await;
    phone.expect(message_from("to bob, copied")).await;
    bob.settle().await;
    phone.settle().await;
    let store = alice.store.clone();
    drop(alice);

    let mut alice = Device::open(&relay, store, 7).await;
    alice.expect(status(id, Status::Sent)).await;
    for device in [&mut phone, &mut bob] {
        assert!(
            device
                .pump_until(message_from("to bob, copied"), Duration::from_millis(500))
                .await
                .is_none(),
            "shown twice"
        );
    }
    let copies = phone.store.messages(&chat("bob"), None, 10).await.unwrap();
    let once = copies.iter().filter(|m| m.body == "to bob, copied").count();
    assert_eq!(once, 1, "{copies:?}");
}

#[tokio::test]
async fn resends_after_reconnects_are_not_failed_attempts() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 8).await;
    let bob = Device::register(&relay, "bob", 9).await;
    let bob_store = bob.store.clone();
    drop(bob);

    // Sent, and sent again on six connections whose `Sent` is lost each time.
    let id = alice.send("bob", "patient").await;
    let mut store = alice.store.clone();
    drop(alice);
    for seed in 10..16 {
        let again = Device::open_losing_sent(&relay, store, seed).await;
        assert!(again
            .sent
            .iter()
            .any(|f| matches!(f, hush_protocol::relay::ClientFrame::Send { client_id, .. } if *client_id == id)));
        store = again.store.clone();
    }

    // Bob links a phone meanwhile: the next resend is answered `Mismatch`, a first real
    // failed attempt, and goes again to both.
    let mut bob = Device::open(&relay, bob_store, 16).await;
    bob.expect(message_from("patient")).await;
    let (mut phone, _) = Device::link(&relay, &mut bob, "phone", 17).await;
    let mut alice = Device::open(&relay, store, 18).await;
    alice.expect(status(id, Status::Sent)).await;
    assert!(alice.store.outbox().await.unwrap().is_empty());
    assert_ne!(
        alice.store.message(&id).await.unwrap().map(|m| m.status),
        Some(Status::Failed)
    );
    run(&mut [&mut alice, &mut bob, &mut phone]).await;
    let shown = bob.store.messages(&chat("alice"), None, 10).await.unwrap();
    assert_eq!(shown.len(), 1, "{shown:?}");
}

#[tokio::test]
async fn a_send_refused_for_slowing_down_holds_the_later_ones_which_follow_in_order() {
    let relay = relay_with(|c| c.frames_per_second = 4.0).await;
    let mut alice = Device::register(&relay, "alice", 19).await;
    let mut bob = Device::register(&relay, "bob", 20).await;
    tokio::time::sleep(Duration::from_secs(3)).await;

    // Written faster than the relay takes them: some are refused for slowing down.
    let mut written = Vec::new();
    for n in 0.. {
        assert!(n < 100, "the relay never asked to slow down");
        let body = format!("burst {n}");
        alice.send("bob", &body).await;
        written.push(body);
        let refused = alice
            .pump_until(
                |e| matches!(e, Event::RelayError(_)),
                Duration::from_millis(20),
            )
            .await;
        if refused.is_some() {
            break;
        }
    }
    // Once the relay takes sends again, the next text leaves behind the refused ones.
    tokio::time::sleep(Duration::from_secs(3)).await;
    alice.send("bob", "after").await;
    written.push("after".to_owned());
    for _ in 0..20 {
        run(&mut [&mut alice, &mut bob]).await;
        let shown = bob.store.messages(&chat("alice"), None, 200).await.unwrap();
        if shown.len() == written.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let shown: Vec<String> = (bob.store.messages(&chat("alice"), None, 200).await.unwrap())
        .into_iter()
        .map(|m| m.body)
        .collect();
    assert_eq!(shown, written);
}
