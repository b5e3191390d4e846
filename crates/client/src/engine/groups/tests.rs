//! Unit tests of the group rooms that need the engine's insides.

use hush_protocol::devices::AccountKey;
use hush_protocol::groups::{GroupLog, Op};
use hush_protocol::relay::{ClientFrame, ServerFrame};
use hush_protocol::sender_key::OwnSenderKey;
use rand_chacha::rand_core::SeedableRng;

use super::*;
use crate::engine::Engine;

/// A group of Alice, Bob and Mallory, as Alice holds it.
fn group_of_three(rng: &mut rand_chacha::ChaCha20Rng) -> GroupRecord {
    let key = AccountKey::generate(rng);
    let op = Op::Create {
        name: "Climbing".into(),
        description: String::new(),
        members: vec!["bob".into(), "mallory".into()],
    };
    let change = Change::create("alice", op, [5; 32], &key);
    GroupRecord {
        log: GroupLog::create(change, &key.public()).unwrap(),
        own_key: None,
        shared_with: Vec::new(),
        senders: Vec::new(),
        pending: Vec::new(),
        proposed: Vec::new(),
    }
}

#[test]
fn a_sender_key_handed_out_as_anothers_is_refused_and_the_real_one_taken() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let mut record = group_of_three(&mut rng);
    let id = record.log.state().group;
    let bob = DeviceAddress::new("bob", 1).unwrap();
    let mallory = DeviceAddress::new("mallory", 1).unwrap();
    let mut bobs = OwnSenderKey::generate(id, &mut rng);
    // Mallory, holding Bob's chain and signing key, hands it out as hers before Bob does.
    keep_sender_key(&mut record, "alice", &mallory, &bobs.distribution(&bob));
    assert!(
        record.senders.iter().all(|(a, _)| *a != mallory),
        "refused as Mallory's"
    );
    // Bob's own is taken, and his messages open as his.
    keep_sender_key(&mut record, "alice", &bob, &bobs.distribution(&bob));
    let message = bobs.encrypt(&bob, b"from bob").unwrap();
    let (_, keys) = (record.senders.iter_mut())
        .find(|(a, _)| *a == bob)
        .expect("Bob's real key is taken");
    assert_eq!(*keys.decrypt(&bob, &message).unwrap(), b"from bob");
    // Passed off as Mallory's (her envelope), it does not verify.
    let mut as_hers = SenderKeyRecord::new();
    as_hers
        .process(&id, &bob, &bobs.distribution(&bob))
        .unwrap();
    assert_eq!(
        as_hers.decrypt(&mallory, &message),
        Err(hush_protocol::sender_key::SenderKeyError::BadSignature)
    );
    // Her own key is taken.
    let hers = OwnSenderKey::generate(id, &mut rng);
    keep_sender_key(&mut record, "alice", &mallory, &hers.distribution(&mallory));
    assert_eq!(record.senders.len(), 2);
}

#[test]
fn a_group_we_are_not_in_takes_no_sender_keys() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(8);
    // Alice, Bob and Mallory: we are Carol, removed (or never added).
    let mut record = group_of_three(&mut rng);
    let id = record.log.state().group;
    let bob = DeviceAddress::new("bob", 1).unwrap();
    let bobs = OwnSenderKey::generate(id, &mut rng);
    keep_sender_key(&mut record, "carol", &bob, &bobs.distribution(&bob));
    assert!(record.senders.is_empty(), "no key kept once out");
    // Nor from the keys that came early (kept in memory until their change).
    let mut orphans = OrphanKeys::default();
    orphans.keep(&bob, bobs.distribution(&bob));
    orphans.adopt(&mut record, "carol");
    assert!(record.senders.is_empty());
    // A member takes it.
    keep_sender_key(&mut record, "alice", &bob, &bobs.distribution(&bob));
    assert_eq!(record.senders.len(), 1);
}

/// The frames one connection's `Authenticated` makes an engine send, with a group of
/// Alice and Bob whose key of ours is unused (as on a newly linked browser).
async fn frames_on_connect(brief: bool) -> Vec<ClientFrame> {
    let rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
    let store = crate::store::memory::MemoryStore::new();
    let mut engine = Engine::open(store, rng).await.unwrap();
    engine
        .create_account(&hush_protocol::Username::parse("alice").unwrap())
        .await
        .unwrap();
    let registered = ServerFrame::Authenticated {
        one_time_prekeys: 100,
    };
    engine.handle(registered.clone(), 1).await.unwrap();
    engine.reset_connection();
    let key = engine.account.as_ref().unwrap().account_key.clone();
    let op = Op::Create {
        name: "Climbing".into(),
        description: String::new(),
        members: vec!["bob".into()],
    };
    let change = Change::create("alice", op, [5; 32], &key);
    let id = change.group;
    let record = GroupRecord {
        log: GroupLog::create(change, &key.public()).unwrap(),
        own_key: Some(OwnSenderKey::generate(id, &mut engine.rng)),
        shared_with: Vec::new(),
        senders: Vec::new(),
        pending: Vec::new(),
        proposed: Vec::new(),
    };
    let groups = vec![record];
    let changes = Changes {
        groups,
        ..Changes::default()
    };
    engine.store.commit(changes).await.unwrap();
    if brief {
        engine.set_brief();
    }
    engine.handle(registered, 2).await.unwrap().frames
}

#[tokio::test]
async fn an_unused_group_key_is_announced_on_connect_but_not_from_a_push_wake_up() {
    let fetches_bob = |f: &ClientFrame| matches!(f, ClientFrame::FetchBundles { account, .. } if account == "bob");
    // Bob's devices are fetched, to give them our key.
    assert!(frames_on_connect(false).await.iter().any(fetches_bob));
    // A service worker's wake-up would hear the answer only after it closed.
    assert!(!frames_on_connect(true).await.iter().any(fetches_bob));
}
