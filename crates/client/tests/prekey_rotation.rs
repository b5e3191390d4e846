//! The signed prekey is replaced weekly and a replaced one still opens late first messages for
//! two weeks, then is deleted (issue 18, finding 9); a session started from a bundle without a
//! one-time prekey is reported, not taken silently.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::executor::block_on;
use hush_client::loopback::{registered, texts, Published};
use hush_client::store::memory::MemoryStore;
use hush_client::{Engine, Event};
use hush_protocol::keys::SignedPreKey;
use hush_protocol::relay::{ClientFrame, ServerFrame};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

const NOW: u64 = 1_800_000_000_000;
const DAY: u64 = 24 * 60 * 60 * 1000;

type Core = Engine<MemoryStore, ChaCha20Rng>;

async fn account(name: &str, seed: u64) -> (Core, Published) {
    let rng = ChaCha20Rng::seed_from_u64(seed);
    registered(MemoryStore::new(), rng, name, NOW)
        .await
        .unwrap()
}

/// A new connection at `now_ms` (the relay still holds plenty of one-time prekeys): the
/// signed prekey it uploads, if it uploads one.
async fn reconnect(engine: &mut Core, now_ms: u64) -> Option<SignedPreKey> {
    engine
        .handle(ServerFrame::Challenge { nonce: [9; 32] }, now_ms)
        .await
        .unwrap();
    let out = engine
        .handle(
            ServerFrame::Authenticated {
                one_time_prekeys: 100,
            },
            now_ms,
        )
        .await
        .unwrap();
    out.frames.into_iter().find_map(|frame| match frame {
        ClientFrame::UploadPreKeys {
            signed_prekey,
            one_time,
        } => {
            assert!(
                one_time.is_empty(),
                "a rotation uploads no one-time prekeys"
            );
            Some(signed_prekey)
        }
        _ => None,
    })
}

/// What Bob shows of one envelope.
async fn read(bob: &mut Core, envelope: ServerFrame, now_ms: u64) -> Vec<Event> {
    bob.handle(envelope, now_ms).await.unwrap().events
}

fn shows(events: &[Event], body: &str) -> bool {
    events
        .iter()
        .any(|e| matches!(e, Event::Message(m) if m.body == body))
}

#[test]
fn the_signed_prekey_is_replaced_weekly_and_the_old_one_opens_late_first_messages_for_two_weeks() {
    block_on(async {
        let (mut bob, bob_published) = account("bob", 1).await;
        let (mut alice, _) = account("alice", 2).await;
        let (mut carol, _) = account("carol", 3).await;
        assert_eq!(bob_published.bundle.signed_prekey.id, 1);
        // Alice and Carol fetched Bob's bundle (signed prekey 1) and wrote; the relay holds
        // their first messages while Bob is away.
        let from_alice = texts(&mut alice, &bob_published, 1, NOW).await.unwrap();
        let from_carol = texts(&mut carol, &bob_published, 1, NOW).await.unwrap();

        // Six days on: the key is not due.
        assert_eq!(reconnect(&mut bob, NOW + 6 * DAY).await, None);
        // Eight days on: a new signed prekey, the next id, signed by Bob's identity.
        let rotated = reconnect(&mut bob, NOW + 8 * DAY)
            .await
            .expect("a week-old signed prekey is replaced");
        assert_eq!(rotated.id, 2);
        assert!(rotated.verify(&bob_published.bundle.identity));
        assert_ne!(rotated.public, bob_published.bundle.signed_prekey.public);
        // And only once.
        assert_eq!(reconnect(&mut bob, NOW + 9 * DAY).await, None);

        // Alice's first message, naming the replaced key, is read within its grace period.
        let [envelope] = <[ServerFrame; 1]>::try_from(from_alice).unwrap();
        let events = read(&mut bob, envelope, NOW + 9 * DAY).await;
        assert!(shows(&events, "text 0"), "{events:?}");

        // Fifteen days after it was replaced, key 1 is gone: Carol's first message naming it
        // cannot be read (and Bob's current key moved on again meanwhile).
        let again = reconnect(&mut bob, NOW + 23 * DAY).await.unwrap();
        assert_eq!(again.id, 3);
        let [envelope] = <[ServerFrame; 1]>::try_from(from_carol).unwrap();
        let events = read(&mut bob, envelope, NOW + 23 * DAY).await;
        assert!(!shows(&events, "text 0"), "{events:?}");
        assert!(
            events
                .iter()
                .any(|e| matches!(e, Event::Undecryptable { from } if from == "carol")),
            "{events:?}"
        );
        let account = bob.account().unwrap();
        let kept: Vec<u32> = account.retired_prekeys.iter().map(|r| r.key.id()).collect();
        assert_eq!((account.signed_prekey.id(), kept), (3, vec![2]));
    });
}

#[test]
fn a_rotation_survives_a_restart_on_the_same_store() {
    block_on(async {
        let store = MemoryStore::new();
        let rng = ChaCha20Rng::seed_from_u64(4);
        let (mut bob, _) = registered(store.clone(), rng, "bob", NOW).await.unwrap();
        let rotated = reconnect(&mut bob, NOW + 8 * DAY).await.unwrap();
        drop(bob);
        let mut reopened = Core::open(store, ChaCha20Rng::seed_from_u64(5))
            .await
            .unwrap();
        let account = reopened.account().unwrap();
        assert_eq!(account.signed_prekey.public(), rotated);
        assert_eq!(account.retired_prekeys.len(), 1);
        // Its week started at the rotation, not at the restart.
        assert_eq!(reconnect(&mut reopened, NOW + 10 * DAY).await, None);
    });
}

#[test]
fn a_session_from_a_bundle_without_a_one_time_prekey_is_reported() {
    block_on(async {
        let (_, mut bob_published) = account("bob", 6).await;
        let (mut alice, _) = account("alice", 7).await;
        bob_published.bundle.one_time_prekey = None;
        let (_, out) = alice
            .send_text(&hush_client::ChatId::parse("bob").unwrap(), "hi", NOW)
            .await
            .unwrap();
        let request = out
            .frames
            .iter()
            .find_map(|f| match f {
                ClientFrame::FetchBundles { request, .. } => Some(*request),
                _ => None,
            })
            .unwrap();
        let bundles = ServerFrame::Bundles {
            request,
            account_key: bob_published.account_key,
            device_list: bob_published.device_list.clone(),
            bundles: vec![bob_published.bundle.clone()],
        };
        let events = alice.handle(bundles, NOW).await.unwrap().events;
        assert!(
            events.contains(&Event::NoOneTimePreKey {
                device: bob_published.bundle.address.clone()
            }),
            "{events:?}"
        );
    });
}
