//! Search over the real relay on loopback (issue 21): what arrives is found by its words on the
//! contact's device and on our linked one; an edit is found by its new words only, and a
//! message deleted for everyone, deleted for us or expired is found no more.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use hush_client::model::TIMER_CHOICES;
use hush_client::search::Query;
use hush_client::{MessageId, Store};
use support::*;

/// The ids `device` finds for `typed`, newest first.
async fn found(device: &Device, typed: &str) -> Vec<MessageId> {
    let query = Query::parse(typed);
    let found = device.store.search(&query, None, 20).await.unwrap();
    found.messages.iter().map(|m| m.id).collect()
}

/// Lets `device` receive until `typed` finds exactly `wanted` (fails after a few seconds).
async fn until_found(device: &mut Device, typed: &str, wanted: &[MessageId]) {
    for _ in 0..100 {
        if found(device, typed).await == wanted {
            return;
        }
        device
            .pump_until(|_| false, Duration::from_millis(50))
            .await;
    }
    assert_eq!(found(device, typed).await, wanted, "searching {typed:?}");
}

#[tokio::test]
async fn search_follows_edits_deletes_and_expiry_on_every_device() {
    let relay = relay().await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let mut bob = Device::register(&relay, "bob", 2).await;
    let (mut laptop, _) = Device::link(&relay, &mut alice, "laptop", 3).await;
    let cafe = bob.deliver("alice", "Meet at the Café Noir").await;
    let later = bob.deliver("alice", "the café closes at ten").await;
    alice.expect(message_from("the café closes at ten")).await;
    laptop.expect(message_from("the café closes at ten")).await;
    for device in [&mut alice, &mut bob, &mut laptop] {
        until_found(device, "cafe", &[later, cafe]).await;
        until_found(device, "noi", &[cafe]).await;
    }

    // An edit is found by its new words only, on every device.
    let out = bob
        .engine
        .edit(&cafe, "Meet at the bar", now())
        .await
        .unwrap();
    bob.output(out).await;
    bob.settle().await;
    for device in [&mut alice, &mut bob, &mut laptop] {
        until_found(device, "noir", &[]).await;
        until_found(device, "meet bar", &[cafe]).await;
    }

    // Deleted for everyone: found nowhere.
    let out = bob.engine.delete_for_everyone(&cafe, now()).await.unwrap();
    bob.output(out).await;
    bob.settle().await;
    for device in [&mut alice, &mut bob, &mut laptop] {
        until_found(device, "meet", &[]).await;
    }

    // Deleted for us: gone from our devices, still found by the contact.
    let out = alice.engine.delete_for_me(&[later]).await.unwrap();
    alice.output(out).await;
    alice.settle().await;
    until_found(&mut alice, "closes", &[]).await;
    until_found(&mut laptop, "closes", &[]).await;
    until_found(&mut bob, "closes", &[later]).await;

    // Expired: found no more once the timer ran out.
    let day = TIMER_CHOICES[1];
    let (_, out) = alice
        .engine
        .set_timer(&chat("bob"), day, now())
        .await
        .unwrap();
    alice.output(out).await;
    alice.settle().await;
    bob.expect(message_from("alice set disappearing messages to 24 hours"))
        .await;
    let fleeting = alice.deliver("bob", "a fleeting secret").await;
    bob.expect(message_from("a fleeting secret")).await;
    until_found(&mut bob, "fleeting", &[fleeting]).await;
    for device in [&mut alice, &mut bob] {
        while !device
            .engine
            .expire(now() + day + 1_000)
            .await
            .unwrap()
            .events
            .is_empty()
        {}
        assert_eq!(found(device, "fleeting").await, Vec::<MessageId>::new());
    }
}
