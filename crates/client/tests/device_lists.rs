//! A sender's checks of the device lists the relay serves, played frame by frame (the engine is
//! sans-IO, so the test answers for the relay): once a contact's account key is pinned, a list
//! signed by another key, or older than one already seen, is refused, reported, and gets
//! nothing; the pinned list stays.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::executor::block_on;
use hush_client::devices::Refusal;
use hush_client::loopback::{registered, Published};
use hush_client::store::memory::MemoryStore;
use hush_client::store::Store;
use hush_client::{Event, Kind, Output, Status};
use hush_protocol::devices::{AccountKey, DeviceList, ListedDevice};
use hush_protocol::relay::{ClientFrame, SendOutcome, ServerFrame};
use hush_protocol::IdentityKeyPair;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

const NOW: u64 = 1_800_000_000_000;

fn fetch_request(out: &Output) -> u32 {
    out.frames
        .iter()
        .find_map(|f| match f {
            ClientFrame::FetchBundles { request, .. } => Some(*request),
            _ => None,
        })
        .expect("a bundle fetch")
}

fn refused(out: &Output) -> Vec<Refusal> {
    out.events
        .iter()
        .filter_map(|e| match e {
            Event::DevicesRefused { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

type Device = hush_client::Engine<MemoryStore, ChaCha20Rng>;

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Alice (with her store, to look into) and Bob (with what the relay would serve of him).
async fn alice_and_bob(seed: u64) -> (Device, MemoryStore, Device, Published) {
    let alice_store = MemoryStore::new();
    let (alice, _) = registered(alice_store.clone(), rng(seed), "alice", NOW)
        .await
        .unwrap();
    let (bob, published) = registered(MemoryStore::new(), rng(seed + 1), "bob", NOW)
        .await
        .unwrap();
    (alice, alice_store, bob, published)
}

/// The relay's answer to a send: Bob's devices changed, device 2 is missing.
/// Bob's device `id`, certified by `key`.
fn bobs(id: u32, identity: hush_protocol::IdentityKey, key: &AccountKey) -> ListedDevice {
    ListedDevice::certify("bob", id, identity, "Chrome on Linux", 0, key).unwrap()
}

fn missing_device_2(client_id: [u8; 16]) -> ServerFrame {
    ServerFrame::Sent {
        client_id,
        outcome: SendOutcome::Mismatch {
            missing: vec![2],
            extra: vec![],
        },
    }
}

#[test]
fn lists_signed_by_another_key_or_older_are_refused_and_the_pinned_one_stays() {
    block_on(async {
        let (mut alice, alice_store, bob, published) = alice_and_bob(1).await;
        let bob_key = bob.account().unwrap().account_key.clone();
        let one = bobs(1, published.bundle.identity, &bob_key);
        let two = bobs(2, IdentityKeyPair::generate(&mut rng(3)).public(), &bob_key);
        let v2 = DeviceList::sign("bob", 2, vec![one.clone(), two.clone()], &bob_key).unwrap();
        let bundles = |request, account_key: [u8; 32], list: &DeviceList| ServerFrame::Bundles {
            request,
            account_key,
            device_list: list.encode(),
            bundles: vec![published.bundle.clone()],
        };

        // First contact: Bob's key is pinned with his version 2 list.
        let (first, out) = alice
            .send_text(&hush_client::ChatId::parse("bob").unwrap(), "one", NOW)
            .await
            .unwrap();
        let answer = bundles(fetch_request(&out), published.account_key, &v2);
        let out = alice.handle(answer, NOW).await.unwrap();
        assert!(refused(&out).is_empty());
        assert!(out
            .frames
            .iter()
            .any(|f| matches!(f, ClientFrame::Send { .. })));
        let pinned = alice_store.pinned_devices("bob").await.unwrap().unwrap();
        assert_eq!(pinned.list, v2);

        // The relay says the devices changed, then serves a list under a key of its own.
        let out = alice.handle(missing_device_2(first.id), NOW).await.unwrap();
        let relays_key = AccountKey::generate(&mut rng(4));
        let devices = vec![
            bobs(1, one.identity, &relays_key),
            bobs(2, two.identity, &relays_key),
        ];
        let forged = DeviceList::sign("bob", 3, devices, &relays_key).unwrap();
        let out = alice
            .handle(
                bundles(fetch_request(&out), relays_key.public(), &forged),
                NOW,
            )
            .await
            .unwrap();
        assert_eq!(refused(&out), [Refusal::KeyChanged]);
        assert!(out
            .events
            .contains(&Event::Status(first.id, Status::Failed)));
        assert!(!out
            .frames
            .iter()
            .any(|f| matches!(f, ClientFrame::Send { .. })));

        // Then it rolls Bob's list back to version 1 (really signed by Bob, but old).
        let (second, out) = alice
            .send_text(&hush_client::ChatId::parse("bob").unwrap(), "two", NOW)
            .await
            .unwrap();
        assert!(out
            .frames
            .iter()
            .any(|f| matches!(f, ClientFrame::Send { .. })));
        let out = alice
            .handle(missing_device_2(second.id), NOW)
            .await
            .unwrap();
        let v1 = DeviceList::decode(&published.device_list).unwrap();
        let out = alice
            .handle(
                bundles(fetch_request(&out), published.account_key, &v1),
                NOW,
            )
            .await
            .unwrap();
        assert_eq!(refused(&out), [Refusal::RolledBack]);
        assert!(out
            .events
            .contains(&Event::Status(second.id, Status::Failed)));

        // Neither replaced what was pinned.
        let still = alice_store.pinned_devices("bob").await.unwrap().unwrap();
        assert_eq!(still, pinned);
    });
}

#[test]
fn a_device_the_account_signed_since_the_last_list_is_noticed_in_the_chat() {
    block_on(async {
        let (mut alice, alice_store, bob, published) = alice_and_bob(5).await;
        let linked = |out: &Output| {
            out.events
                .iter()
                .filter(|e| matches!(e, Event::Message(m) if m.kind == Kind::DeviceLinked && m.chat.to_string() == "bob"))
                .count()
        };
        let answer = |request, list: &[u8]| ServerFrame::Bundles {
            request,
            account_key: published.account_key,
            device_list: list.to_vec(),
            bundles: vec![published.bundle.clone()],
        };

        // First contact: nothing to compare with, no notice.
        let (first, out) = alice
            .send_text(&hush_client::ChatId::parse("bob").unwrap(), "one", NOW)
            .await
            .unwrap();
        let out = alice
            .handle(answer(fetch_request(&out), &published.device_list), NOW)
            .await
            .unwrap();
        assert_eq!(linked(&out), 0);

        // Bob links a second browser: his account signs version 2, and sends to him now miss
        // it; the list fetched again names a device that was not there.
        let key = &bob.account().unwrap().account_key;
        let one = bobs(1, published.bundle.identity, key);
        let two = bobs(2, IdentityKeyPair::generate(&mut rng(7)).public(), key);
        let v2 = DeviceList::sign("bob", 2, vec![one, two], key).unwrap();
        let out = alice.handle(missing_device_2(first.id), NOW).await.unwrap();
        let out = alice
            .handle(answer(fetch_request(&out), &v2.encode()), NOW)
            .await
            .unwrap();
        assert_eq!(linked(&out), 1);
        let chat = alice_store
            .messages(&hush_client::ChatId::parse("bob").unwrap(), None, 10)
            .await
            .unwrap();
        assert_eq!(
            chat.iter().filter(|m| m.kind == Kind::DeviceLinked).count(),
            1,
            "the notice is stored in the chat"
        );
    });
}
