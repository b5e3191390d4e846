//! Unit tests of the group rooms that need the engine's insides.

use hush_protocol::devices::AccountKey;
use hush_protocol::groups::GroupLog;
use hush_protocol::relay::{ClientFrame, ServerFrame};
use hush_protocol::sender_key::OwnSenderKey;
use rand_chacha::rand_core::SeedableRng;

use super::*;
use crate::engine::Engine;

#[test]
fn a_member_cannot_offer_another_devices_sender_key_as_its_own() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let key = AccountKey::generate(&mut rng);
    let op = Op::Create {
        name: "Climbing".into(),
        description: String::new(),
        members: vec!["bob".into(), "mallory".into()],
    };
    let change = Change::sign(None, [5; 16], "alice", op, &key);
    let mut record = GroupRecord {
        log: GroupLog::create(change, &key.public()).unwrap(),
        own_key: None,
        shared_with: Vec::new(),
        senders: Vec::new(),
        pending: Vec::new(),
    };
    let bob = DeviceAddress::new("bob", 1).unwrap();
    let mallory = DeviceAddress::new("mallory", 1).unwrap();
    let mut bobs = OwnSenderKey::generate([5; 16], &mut rng);
    keep_sender_key(&mut record, &bob, &bobs.distribution());
    // Mallory hands out Bob's key as hers: refused, so Bob's messages never show as hers.
    keep_sender_key(&mut record, &mallory, &bobs.distribution());
    assert_eq!(record.senders.len(), 1);
    let message = bobs.encrypt(b"from bob").unwrap();
    assert!(record.senders[0].1.decrypt(&message).is_ok());
    // Her own key is taken.
    let hers = OwnSenderKey::generate([5; 16], &mut rng);
    keep_sender_key(&mut record, &mallory, &hers.distribution());
    assert_eq!(record.senders.len(), 2);
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
    let change = Change::sign(None, [5; 16], "alice", op, &key);
    let record = GroupRecord {
        log: GroupLog::create(change, &key.public()).unwrap(),
        own_key: Some(OwnSenderKey::generate([5; 16], &mut engine.rng)),
        shared_with: Vec::new(),
        senders: Vec::new(),
        pending: Vec::new(),
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
