//! Every name from the wire is a `Username` in the relay's grammar (issue 18, finding 8): a
//! malicious relay cannot present an account spelled like a group's chat (`#` and a group id),
//! whose 1:1 texts would land in that group's timeline. Played through the scripted relay: the
//! frames the client decodes, the addresses inside messages and bundles, and the engine itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod adversary;

use adversary::{Relay, NOW};
use futures::executor::block_on;
use hush_client::loopback::registered;
use hush_client::store::memory::MemoryStore;
use hush_client::ChatId;
use hush_protocol::relay::ServerFrame;
use hush_protocol::wire::Message;
use hush_protocol::{DeviceAddress, Username};

/// `bytes` with the length-prefixed `from` replaced by `to` (as a malicious relay would write).
fn spliced(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let mut needle = (from.len() as u32).to_be_bytes().to_vec();
    needle.extend_from_slice(from.as_bytes());
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the name in the bytes");
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(&(to.len() as u32).to_be_bytes());
    out.extend_from_slice(to.as_bytes());
    out.extend_from_slice(&bytes[at + needle.len()..]);
    out
}

#[test]
fn an_account_spelled_like_a_group_chat_cannot_exist() {
    let group = format!("#{}", "ab".repeat(16));
    assert!(matches!(ChatId::parse(&group), Ok(ChatId::Group(_))));
    assert!(
        Username::parse(&group).is_err(),
        "a username spelled like a group chat"
    );
    assert!(DeviceAddress::new(group.as_str(), 1).is_err());
    // The relay's grammar: 3 to 32 of a-z, 0-9, '.', '_', '-', a letter first.
    for good in ["bob", "alice.b", "x_1-2", &"a".repeat(32)] {
        assert!(Username::parse(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "ab",
        "Bob",
        "1bob",
        "bob!",
        "bo b",
        "#bob",
        "böb",
        &"a".repeat(33),
    ] {
        assert!(Username::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_relay_presenting_a_group_spelled_name_gets_nothing_in() {
    block_on(async {
        let group = format!("#{}", "cd".repeat(16));
        let mut relay = Relay::new();
        relay.register("alice", 1).await;
        relay.register("bob", 2).await;
        relay.send("bob", 1, "alice", "hello").await;
        let first = relay.carried[0].clone();

        // An envelope from "#<group id>": the frame does not decode, so it never reaches the
        // engine (the web app decodes every frame before `Engine::handle`).
        let envelope = relay.envelope(&first).encode();
        assert!(ServerFrame::decode(&envelope).is_ok());
        let forged = spliced(&envelope, "bob", &group);
        assert!(ServerFrame::decode(&forged).is_err());

        // Nor does a first message naming such a sender, nor a bundle for such an address.
        let payload = spliced(&first.payload, "bob", &group);
        assert!(Message::decode(&first.payload).is_ok());
        assert!(Message::decode(&payload).is_err());
        let bundles = ServerFrame::Bundles {
            request: 1,
            account_key: [0; 32],
            device_list: Vec::new(),
            bundles: vec![relay.device("bob", 1).bundle.clone()],
        }
        .encode();
        assert!(ServerFrame::decode(&spliced(&bundles, "bob", &group)).is_err());

        // The engine cannot be given such an account either.
        let made = registered(MemoryStore::new(), adversary::rng(9), &group, NOW).await;
        assert!(made.is_err());
        // And nothing of it reached Alice's group chat.
        let chat = ChatId::parse(&group).unwrap();
        let alice = relay.device("alice", 1);
        assert!(alice.shown.iter().all(|(c, _)| *c != chat));
    });
}
