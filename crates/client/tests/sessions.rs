//! Sessions against a malicious relay (issue 18, findings 5 to 7), played through the scripted
//! relay in `adversary/`: only devices the pinned list names receive (5), a forged
//! `Mismatch{extra}` or a replayed first message cannot reset or replace a session, and content
//! is never applied twice (6), and a prekey message delivered from another address than the one
//! it names is refused (7).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod adversary;

use adversary::Relay;
use futures::executor::block_on;
use hush_client::devices::Refusal;
use hush_client::store::Store;
use hush_client::Event;
use hush_protocol::wire::Message;
use hush_protocol::DeviceAddress;

/// Alice and Bob, one device each, who have written to each other (Bob first).
async fn talking() -> Relay {
    let mut relay = Relay::new();
    relay.register("alice", 1).await;
    relay.register("bob", 2).await;
    relay.send("bob", 1, "alice", "hello from bob").await;
    relay.send("alice", 1, "bob", "hello from alice").await;
    assert_eq!(relay.device("alice", 1).shown.len(), 1);
    assert_eq!(relay.device("bob", 1).shown.len(), 1);
    relay
}

fn bodies(relay: &mut Relay, account: &str, id: u32) -> Vec<String> {
    relay
        .device(account, id)
        .shown
        .iter()
        .map(|(_, body)| body.clone())
        .collect()
}

/// The base key of Alice's current session with Bob's device 1.
async fn alices_current_with_bob(relay: &mut Relay) -> Option<[u8; 32]> {
    let address = DeviceAddress::new("bob", 1).unwrap();
    let record = relay
        .device("alice", 1)
        .store
        .session(&address)
        .await
        .unwrap()?;
    record.current().map(|s| *s.base_key().as_bytes())
}

#[test]
fn a_device_the_pinned_list_no_longer_names_gets_nothing() {
    block_on(async {
        let mut relay = talking().await;
        // Bob links device 2 and unlinks device 1 (stolen: the relay keeps delivering to it
        // and never tells Alice `Mismatch{extra}`). Device 2 writes to Alice: she pins the
        // list that no longer names device 1.
        relay.link("bob", 2, &[1], 3).await;
        relay.send("bob", 2, "alice", "new browser").await;
        assert!(bodies(&mut relay, "alice", 1).contains(&"new browser".to_owned()));

        let carried = relay.carried.len();
        relay.send("alice", 1, "bob", "after the unlink").await;
        assert!(bodies(&mut relay, "bob", 2).contains(&"after the unlink".to_owned()));
        assert!(
            !bodies(&mut relay, "bob", 1).contains(&"after the unlink".to_owned()),
            "the unlinked device read a message sent after Alice pinned the list without it"
        );
        assert!(
            !relay.carried[carried..]
                .iter()
                .any(|c| c.sender == "alice" && c.to == "bob" && c.to_device == 1),
            "Alice encrypted to the unlisted device"
        );
        let bob1 = DeviceAddress::new("bob", 1).unwrap();
        let dropped = relay.device("alice", 1).store.session(&bob1).await.unwrap();
        assert!(
            dropped.is_none_or(|r| r.is_empty()),
            "the session with the unlisted device is dropped with the new pin"
        );
    });
}

#[test]
fn our_transcripts_go_only_to_our_listed_devices() {
    block_on(async {
        let mut relay = talking().await;
        // Bob links device 2, then replaces it (device 2 with a new identity); the old one is
        // stolen. Bob's device 1 holds a session with the old identity.
        relay.link("bob", 2, &[], 3).await;
        relay.send("bob", 1, "alice", "with two devices").await;
        assert!(relay
            .device("bob", 2)
            .shown
            .iter()
            .any(|(_, b)| b == "with two devices"));
        let stolen = relay.index("bob", 2);
        relay.link("bob", 2, &[], 4).await;
        relay
            .send("bob", 1, "alice", "transcript after the change")
            .await;
        assert!(
            !relay.devices[stolen]
                .shown
                .iter()
                .any(|(_, b)| b == "transcript after the change"),
            "the replaced identity read our transcript"
        );
    });
}

#[test]
fn a_forged_mismatch_cannot_reset_a_listed_device_nor_a_replay_replace_its_session() {
    block_on(async {
        let mut relay = talking().await;
        let before = alices_current_with_bob(&mut relay).await;
        assert!(before.is_some());
        // The relay answers Alice's next send: "device 1 is not Bob's" (it is).
        relay.forge_extra.push(("bob".to_owned(), vec![1]));
        relay.send("alice", 1, "bob", "two").await;
        assert_eq!(
            alices_current_with_bob(&mut relay).await,
            before,
            "a Mismatch naming a listed device reset its session"
        );
        // Then it replays Bob's first message to Alice (no one-time prekey in it).
        let first = relay
            .carried
            .iter()
            .find(|c| {
                c.sender == "bob" && matches!(Message::decode(&c.payload), Ok(Message::PreKey(_)))
            })
            .cloned()
            .unwrap();
        relay.deliver(&first).await;
        assert_eq!(
            alices_current_with_bob(&mut relay).await,
            before,
            "a replayed first message replaced the current session"
        );
        let shown = bodies(&mut relay, "alice", 1);
        assert_eq!(
            shown.iter().filter(|b| *b == "hello from bob").count(),
            1,
            "content applied twice: {shown:?}"
        );
        relay.send("alice", 1, "bob", "three").await;
        assert!(bodies(&mut relay, "bob", 1).contains(&"three".to_owned()));
    });
}

#[test]
fn a_prekey_message_delivered_from_another_address_is_refused() {
    block_on(async {
        let mut relay = Relay::new();
        relay.register("alice", 1).await;
        relay.register("bob", 2).await;
        relay.register("mallory", 3).await;
        relay.send("alice", 1, "bob", "for bob").await;
        let first = relay.carried[0].clone();
        let bob = relay.index("bob", 1);
        relay.devices[bob].shown.clear();
        relay.devices[bob].refusals.clear();
        let sessions_before = relay.devices[bob]
            .store
            .sessions_with("mallory")
            .await
            .unwrap()
            .len();
        // The relay hands Alice's first message to Bob as Mallory's, then as Alice's device 2.
        for (sender, device) in [("mallory", 1), ("alice", 2)] {
            let mut forged = first.clone();
            forged.sender = sender.to_owned();
            forged.sender_device = device;
            relay.deliver(&forged).await;
            let claimed = DeviceAddress::new("alice", 1).unwrap();
            assert_eq!(
                relay.devices[bob].refusals.pop(),
                Some(Event::DevicesRefused {
                    account: hush_protocol::Username::parse(sender).unwrap(),
                    reason: Refusal::Misaddressed(claimed),
                }),
                "a prekey message naming alice.1 was taken from {sender}.{device}"
            );
        }
        assert!(relay.devices[bob].shown.is_empty());
        let store = &relay.devices[bob].store;
        assert_eq!(
            store.sessions_with("mallory").await.unwrap().len(),
            sessions_before
        );
        assert!(store
            .session(&DeviceAddress::new("alice", 2).unwrap())
            .await
            .unwrap()
            .is_none_or(|r| r.is_empty()));
    });
}
