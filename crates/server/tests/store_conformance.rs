//! The storage contract (`hush_server::store::Store`) as a conformance suite.
//!
//! Every `check_*` function is an async function generic over the backend: a new backend passes
//! the suite by adding one `#[tokio::test]` per check that hands it a fresh store (or, for the
//! reopen checks, a function that opens the same database again; for the two races, a shared
//! store that tasks on a multi-thread runtime call at once). Two backends run it: SQLite (the
//! tests after the checks, then a few specific to it: schema versions, SIGKILL durability) and
//! PostgreSQL (`mod postgres` at the end: every check on a fresh database, a newer schema
//! refused, and races between two stores on one database, as two relays).
// The checks are helpers, not tests: clippy.toml's test allowances do not reach them.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use hush_server::store::sqlite::SqliteStore;
use hush_server::store::{
    AccountRecord, BlobRecord, DeviceRecord, ExpiryNotice, NewEnvelope, Pending,
    PresenceVisibility, PushSubscription, QueueLimits, Quota, SignedDeviceList, Store, StoreError,
    StoredEnvelope, StoredListener, REMOVED_DEVICES_KEPT,
};

// ---------------------------------------------------------------------------------------------
// Fixtures.

fn identity(name: &str, device: u32, generation: u8) -> [u8; 64] {
    let mut key = [generation; 64];
    for (slot, byte) in key.iter_mut().zip(name.bytes().chain(device.to_le_bytes())) {
        *slot ^= byte;
    }
    key
}

fn device(name: &str, device_id: u32) -> DeviceRecord {
    DeviceRecord {
        device_id,
        identity: identity(name, device_id, 0),
    }
}

fn list(name: &str, version: u64, devices: &[u32]) -> SignedDeviceList {
    SignedDeviceList {
        version,
        bytes: format!("{name} list v{version} {devices:?}").into_bytes(),
        devices: devices.iter().map(|&id| device(name, id)).collect(),
    }
}

fn account(name: &str) -> AccountRecord {
    AccountRecord {
        name: name.to_owned(),
        account_key: [name.len() as u8; 32],
        created_ms: 1_700_000_000_000,
    }
}

/// Registers `name` with a version-1 list of `devices`.
async fn register(store: &impl Store, name: &str, devices: &[u32]) {
    store
        .create_account(&account(name), &list(name, 1, devices))
        .await
        .unwrap();
}

fn key(n: u32) -> [u8; 32] {
    let mut key = [0xa5; 32];
    key[..4].copy_from_slice(&n.to_le_bytes());
    key
}

fn client_id(n: u64) -> [u8; 16] {
    let mut id = [7; 16];
    id[..8].copy_from_slice(&n.to_le_bytes());
    id
}

fn envelope(from: (&str, u32), to: (&str, u32), n: u64, received_ms: u64) -> NewEnvelope {
    NewEnvelope {
        recipient: to.0.to_owned(),
        recipient_device: to.1,
        sender: from.0.to_owned(),
        sender_device: from.1,
        client_id: client_id(n),
        payload: format!("ciphertext {n} from {}:{}", from.0, from.1)
            .into_bytes()
            .into(),
        received_ms,
    }
}

async fn insert_one(store: &impl Store, envelope: NewEnvelope) -> u64 {
    let ids = store.insert_envelopes(&[envelope]).await.unwrap();
    assert_eq!(ids.len(), 1);
    ids[0]
}

async fn pending_ids(store: &impl Store, name: &str, device: u32) -> Vec<u64> {
    store
        .pending(name, device, 0, usize::MAX)
        .await
        .unwrap()
        .iter()
        .map(|stored| stored.id)
        .collect()
}

fn fresh() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("hush.db")).unwrap();
    (dir, store)
}

/// Records what the store reports as newly stored.
#[derive(Default)]
struct Recorder(Mutex<Vec<StoredEnvelope>>);

impl StoredListener for Recorder {
    fn stored(&self, envelopes: Vec<StoredEnvelope>) {
        self.0.lock().unwrap().extend(envelopes);
    }
}

// ---------------------------------------------------------------------------------------------
// The checks: any backend must pass them.

/// Deleting an account: its devices' prekeys, queues and push subscriptions, its blobs and its
/// presence choice go in one step; the name and the closing list stay, and nothing reopens it.
async fn check_close_account(store: &impl Store) {
    register(store, "alice", &[1, 2]).await;
    register(store, "bob", &[1]).await;
    for device in [1, 2] {
        store
            .set_signed_prekey("alice", device, b"spk")
            .await
            .unwrap();
        store
            .add_one_time_prekeys("alice", device, &[(device, key(device))])
            .await
            .unwrap();
        store
            .set_push_subscription("alice", device, &subscription(device as u8))
            .await
            .unwrap();
        insert_one(
            store,
            envelope(("bob", 1), ("alice", device), u64::from(device), 5),
        )
        .await;
    }
    insert_one(store, envelope(("alice", 1), ("bob", 1), 9, 5)).await;
    store.add_blob(&blob(1, 1, 10, 1_000)).await.unwrap();
    store.add_blob(&blob(2, 2, 20, 1_000)).await.unwrap();
    let mut bobs = blob(3, 1, 30, 1_000);
    bobs.account = "bob".to_owned();
    store.add_blob(&bobs).await.unwrap();
    store
        .set_presence_visibility("alice", PresenceVisibility::Nobody)
        .await
        .unwrap();

    // A list that names a device does not close an account, nor does an old one.
    assert!(store
        .close_account("alice", &list("alice", 2, &[1]))
        .await
        .is_err());
    assert!(matches!(
        store.close_account("alice", &list("alice", 1, &[])).await,
        Err(StoreError::Stale)
    ));
    let closed = store
        .close_account("alice", &list("alice", 2, &[]))
        .await
        .unwrap();
    let mut taken = closed.blobs;
    taken.sort();
    assert_eq!(taken, vec![[1; 32], [2; 32]]);

    for device in [1, 2] {
        assert_eq!(
            store.one_time_prekey_count("alice", device).await.unwrap(),
            0
        );
        assert!(store
            .push_subscription("alice", device)
            .await
            .unwrap()
            .is_none());
        assert!(pending_ids(store, "alice", device).await.is_empty());
        assert_eq!(store.blob_bytes("alice", device, 0).await.unwrap(), 0);
    }
    assert!(store.take_bundles("alice").await.unwrap().is_empty());
    assert!(store.reachable_devices("alice").await.unwrap().is_empty());
    assert_eq!(
        store.presence_visibility("alice").await.unwrap(),
        PresenceVisibility::Everyone
    );
    // Bob hears that what he had queued for Alice will never be delivered: one notice per
    // envelope, as when an envelope expires.
    let mut notices: Vec<_> = store
        .expiry_notices("bob", 1, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.client_id, n.recipient, n.recipient_device))
        .collect();
    notices.sort();
    // The same notices come back from the call, to tell Bob at once if he is online.
    let mut told: Vec<_> = (closed.notices.into_iter())
        .map(|n| (n.client_id, n.recipient, n.recipient_device))
        .collect();
    told.sort();
    assert_eq!(told, notices);
    assert_eq!(
        notices,
        vec![
            (client_id(1), "alice".to_owned(), 1),
            (client_id(2), "alice".to_owned(), 2)
        ]
    );
    // What Alice sent Bob, and Bob's blob, stay.
    assert_eq!(pending_ids(store, "bob", 1).await.len(), 1);
    assert_eq!(store.blob_bytes("bob", 1, 0).await.unwrap(), 30);

    // The name stays taken, the closing list is served, and no newer list reopens it.
    assert!(matches!(
        store
            .create_account(&account("alice"), &list("alice", 1, &[1]))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let served = store.device_list("alice").await.unwrap().unwrap();
    assert_eq!((served.version, served.devices.len()), (2, 0));
    assert!(store
        .replace_device_list("alice", &list("alice", 3, &[1]))
        .await
        .is_err());
    assert!(store
        .close_account("alice", &list("alice", 3, &[]))
        .await
        .is_err());
    assert_eq!(
        store.device_list("alice").await.unwrap().unwrap().version,
        2
    );
    // An upload that finishes after the deletion is not recorded (its file goes).
    assert!(matches!(
        store.add_blob(&blob(4, 1, 10, 1_000)).await,
        Err(StoreError::NotFound(_))
    ));
}

/// Registration stores the account and its list; a taken name is a conflict that changes nothing.
async fn check_account_create_and_conflict(store: &impl Store) {
    assert_eq!(store.account("alice").await.unwrap(), None);
    assert_eq!(store.device_list("alice").await.unwrap(), None);

    let alice = account("alice");
    let alice_list = list("alice", 3, &[1, 2]);
    store.create_account(&alice, &alice_list).await.unwrap();
    assert_eq!(store.account("alice").await.unwrap(), Some(alice.clone()));
    assert_eq!(
        store.device_list("alice").await.unwrap(),
        Some(alice_list.clone())
    );

    let impostor = AccountRecord {
        account_key: [0xee; 32],
        created_ms: 1,
        ..alice.clone()
    };
    assert!(matches!(
        store
            .create_account(&impostor, &list("alice", 9, &[5]))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.account("alice").await.unwrap(), Some(alice));
    assert_eq!(store.device_list("alice").await.unwrap(), Some(alice_list));

    // A list naming one device twice is refused, atomically.
    let mut twice = list("carol", 1, &[1, 1]);
    twice.devices[1].identity = identity("carol", 1, 9);
    assert!(store
        .create_account(&account("carol"), &twice)
        .await
        .is_err());
    assert_eq!(store.account("carol").await.unwrap(), None);

    register(store, "bob", &[1]).await;
    assert_eq!(store.account("bob").await.unwrap(), Some(account("bob")));
}

/// Equal or older versions are stale; a newer one replaces the list and drops removed devices'
/// prekeys and queues (and nothing else).
async fn check_device_list_versions(store: &impl Store) {
    store
        .create_account(&account("alice"), &list("alice", 5, &[1, 2]))
        .await
        .unwrap();
    register(store, "bob", &[1]).await;
    for device in [1, 2] {
        store
            .set_signed_prekey("alice", device, b"spk")
            .await
            .unwrap();
        store
            .add_one_time_prekeys("alice", device, &[(1, key(1)), (2, key(2))])
            .await
            .unwrap();
    }
    let to_1 = insert_one(store, envelope(("bob", 1), ("alice", 1), 1, 10)).await;
    insert_one(store, envelope(("bob", 1), ("alice", 2), 2, 10)).await;
    let from_2 = insert_one(store, envelope(("alice", 2), ("bob", 1), 3, 10)).await;

    for stale in [0, 4, 5] {
        assert!(matches!(
            store
                .replace_device_list("alice", &list("alice", stale, &[1]))
                .await,
            Err(StoreError::Stale)
        ));
    }
    assert_eq!(
        store.device_list("alice").await.unwrap().unwrap().version,
        5
    );
    assert_eq!(store.one_time_prekey_count("alice", 2).await.unwrap(), 2);
    assert!(matches!(
        store
            .replace_device_list("nobody", &list("nobody", 9, &[1]))
            .await,
        Err(StoreError::NotFound(_))
    ));

    // Device 2 is removed, device 3 added.
    let newer = list("alice", 6, &[1, 3]);
    store.replace_device_list("alice", &newer).await.unwrap();
    assert_eq!(store.device_list("alice").await.unwrap(), Some(newer));
    assert_eq!(store.one_time_prekey_count("alice", 2).await.unwrap(), 0);
    assert!(pending_ids(store, "alice", 2).await.is_empty());
    assert!(matches!(
        store.set_signed_prekey("alice", 2, b"spk").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .insert_envelopes(&[envelope(("bob", 1), ("alice", 2), 4, 10)])
            .await,
        Err(StoreError::NotFound(_))
    ));
    // Device 1 keeps everything; what device 2 sent is still delivered.
    assert_eq!(store.one_time_prekey_count("alice", 1).await.unwrap(), 2);
    assert_eq!(pending_ids(store, "alice", 1).await, vec![to_1]);
    assert_eq!(pending_ids(store, "bob", 1).await, vec![from_2]);
    let bundles = store.take_bundles("alice").await.unwrap();
    assert_eq!(bundles.len(), 1, "device 3 has no signed prekey yet");
    assert_eq!(bundles[0].device, device("alice", 1));

    // A device number listed with another identity key is another device.
    let mut rekeyed = list("alice", 7, &[1, 3]);
    rekeyed.devices[0].identity = identity("alice", 1, 1);
    store.replace_device_list("alice", &rekeyed).await.unwrap();
    assert_eq!(store.device_list("alice").await.unwrap(), Some(rekeyed));
    assert_eq!(store.one_time_prekey_count("alice", 1).await.unwrap(), 0);
    assert!(pending_ids(store, "alice", 1).await.is_empty());
    assert!(store.take_bundles("alice").await.unwrap().is_empty());

    // The whole u64 range orders correctly.
    let top = list("alice", u64::MAX, &[1]);
    store.replace_device_list("alice", &top).await.unwrap();
    assert_eq!(store.device_list("alice").await.unwrap(), Some(top));
    assert!(matches!(
        store
            .replace_device_list("alice", &list("alice", u64::MAX - 1, &[1]))
            .await,
        Err(StoreError::Stale)
    ));
}

/// Issue 19, finding 11: the identity keys of removed (or rekeyed) devices are kept, the newest
/// `REMOVED_DEVICES_KEPT` per account, and only for the account and device number they had.
async fn check_removed_identities(store: &impl Store) {
    register(store, "alice", &[1, 2]).await;
    register(store, "bob", &[2]).await;
    assert!(store
        .removed_identities("alice", 2)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .removed_identities("nobody", 2)
        .await
        .unwrap()
        .is_empty());
    store
        .replace_device_list("alice", &list("alice", 2, &[1]))
        .await
        .unwrap();
    assert_eq!(
        store.removed_identities("alice", 2).await.unwrap(),
        vec![identity("alice", 2, 0)]
    );
    assert!(store
        .removed_identities("alice", 1)
        .await
        .unwrap()
        .is_empty());
    assert!(store.removed_identities("bob", 2).await.unwrap().is_empty());
    // Device 1 rekeyed: its old key is remembered too.
    let mut rekeyed = list("alice", 3, &[1]);
    rekeyed.devices[0].identity = identity("alice", 1, 1);
    store.replace_device_list("alice", &rekeyed).await.unwrap();
    assert_eq!(
        store.removed_identities("alice", 1).await.unwrap(),
        vec![identity("alice", 1, 0)]
    );
    // Bounded: after that many more removals, the oldest are forgotten.
    for n in 0..REMOVED_DEVICES_KEPT as u64 {
        let id = 10 + n as u32;
        let version = 4 + 2 * n;
        let mut with = list("alice", version, &[1, id]);
        with.devices[0].identity = identity("alice", 1, 1);
        store.replace_device_list("alice", &with).await.unwrap();
        let mut without = list("alice", version + 1, &[1]);
        without.devices[0].identity = identity("alice", 1, 1);
        store.replace_device_list("alice", &without).await.unwrap();
    }
    assert!(store
        .removed_identities("alice", 2)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .removed_identities("alice", 1)
        .await
        .unwrap()
        .is_empty());
    let newest = 10 + REMOVED_DEVICES_KEPT as u32 - 1;
    assert_eq!(
        store.removed_identities("alice", newest).await.unwrap(),
        vec![identity("alice", newest, 0)]
    );
}

fn subscription(n: u8) -> PushSubscription {
    PushSubscription {
        endpoint: format!("https://push.example/{n}"),
        p256dh: [n; 65],
        auth: [n ^ 0xff; 16],
    }
}

/// One push subscription per listed device: set replaces, delete is idempotent, unlisted devices
/// have none, and a device dropped from the list loses its subscription.
async fn check_push_subscriptions(store: &impl Store) {
    register(store, "alice", &[1, 2]).await;
    register(store, "bob", &[1]).await;
    assert_eq!(store.push_subscription("alice", 1).await.unwrap(), None);
    store
        .set_push_subscription("alice", 1, &subscription(1))
        .await
        .unwrap();
    store
        .set_push_subscription("alice", 2, &subscription(2))
        .await
        .unwrap();
    store
        .set_push_subscription("alice", 1, &subscription(3))
        .await
        .unwrap();
    assert_eq!(
        store.push_subscription("alice", 1).await.unwrap(),
        Some(subscription(3))
    );
    assert_eq!(
        store.push_subscription("alice", 2).await.unwrap(),
        Some(subscription(2))
    );
    assert_eq!(store.push_subscription("bob", 1).await.unwrap(), None);
    for (name, device) in [("alice", 9), ("nobody", 1)] {
        assert!(matches!(
            store
                .set_push_subscription(name, device, &subscription(4))
                .await,
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(store.push_subscription(name, device).await.unwrap(), None);
        store.delete_push_subscription(name, device).await.unwrap();
    }

    store.delete_push_subscription("alice", 1).await.unwrap();
    store.delete_push_subscription("alice", 1).await.unwrap();
    assert_eq!(store.push_subscription("alice", 1).await.unwrap(), None);
    assert_eq!(
        store.push_subscription("alice", 2).await.unwrap(),
        Some(subscription(2))
    );

    // Device 2 leaves the list: its subscription goes; a new device 2 starts without one.
    store
        .set_push_subscription("alice", 1, &subscription(5))
        .await
        .unwrap();
    store
        .replace_device_list("alice", &list("alice", 2, &[1]))
        .await
        .unwrap();
    assert_eq!(store.push_subscription("alice", 2).await.unwrap(), None);
    assert_eq!(
        store.push_subscription("alice", 1).await.unwrap(),
        Some(subscription(5))
    );
    store
        .replace_device_list("alice", &list("alice", 3, &[1, 2]))
        .await
        .unwrap();
    assert_eq!(store.push_subscription("alice", 2).await.unwrap(), None);
    // A rekeyed device number is another device: the old subscription goes with it.
    let mut rekeyed = list("alice", 4, &[1, 2]);
    rekeyed.devices[0].identity = identity("alice", 1, 1);
    store.replace_device_list("alice", &rekeyed).await.unwrap();
    assert_eq!(store.push_subscription("alice", 1).await.unwrap(), None);
}

/// Signed prekeys are replaced; one-time prekeys are added (same id replaces) and each handed out
/// with its own public key; only listed devices take prekeys.
async fn check_prekeys(store: &impl Store) {
    register(store, "alice", &[1, 2]).await;
    store
        .set_signed_prekey("alice", 1, b"spk one")
        .await
        .unwrap();
    store
        .set_signed_prekey("alice", 1, b"spk two")
        .await
        .unwrap();
    assert_eq!(
        store
            .add_one_time_prekeys("alice", 1, &[(1, key(1)), (2, key(2))])
            .await
            .unwrap(),
        2
    );
    let replaced = [0x11; 32];
    assert_eq!(
        store
            .add_one_time_prekeys("alice", 1, &[(2, replaced), (3, key(3))])
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store.add_one_time_prekeys("alice", 1, &[]).await.unwrap(),
        3
    );
    assert_eq!(store.one_time_prekey_count("alice", 1).await.unwrap(), 3);
    assert_eq!(store.one_time_prekey_count("alice", 2).await.unwrap(), 0);

    let mut handed_out = Vec::new();
    for remaining in [2, 1, 0] {
        let bundles = store.take_bundles("alice").await.unwrap();
        assert_eq!(bundles.len(), 1, "device 2 has no signed prekey");
        let bundle = &bundles[0];
        assert_eq!(bundle.device, device("alice", 1));
        assert_eq!(bundle.signed_prekey, b"spk two");
        assert_eq!(bundle.one_time_remaining, remaining);
        handed_out.push(bundle.one_time_prekey.unwrap());
    }
    handed_out.sort_unstable();
    assert_eq!(handed_out, vec![(1, key(1)), (2, replaced), (3, key(3))]);

    for (name, device) in [("alice", 9), ("nobody", 1)] {
        assert!(matches!(
            store.set_signed_prekey(name, device, b"spk").await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store
                .add_one_time_prekeys(name, device, &[(1, key(1))])
                .await,
            Err(StoreError::NotFound(_))
        ));
    }
    assert!(matches!(
        store.take_bundles("nobody").await,
        Err(StoreError::NotFound(_))
    ));
}

/// 8 callers racing for bundles (tasks on a multi-thread runtime, so they run in parallel)
/// never get the same one-time prekey, and get all of them.
async fn check_take_bundles_race<S: Store>(store: Arc<S>) {
    const PER_DEVICE: u32 = 600;
    register(&*store, "alice", &[1, 2]).await;
    for device in [1, 2] {
        store
            .set_signed_prekey("alice", device, b"spk")
            .await
            .unwrap();
        for chunk in (0..PER_DEVICE).collect::<Vec<_>>().chunks(100) {
            let keys: Vec<_> = chunk.iter().map(|&id| (id, key(id + device))).collect();
            store
                .add_one_time_prekeys("alice", device, &keys)
                .await
                .unwrap();
        }
    }
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut taken = Vec::new();
                loop {
                    let bundles = store.take_bundles("alice").await.unwrap();
                    assert_eq!(bundles.len(), 2);
                    let mut got_any = false;
                    for bundle in bundles {
                        if let Some((id, public)) = bundle.one_time_prekey {
                            assert_eq!(public, key(id + bundle.device.device_id));
                            taken.push((bundle.device.device_id, id));
                            got_any = true;
                        }
                    }
                    if !got_any {
                        return taken;
                    }
                }
            })
        })
        .collect();
    let mut taken: Vec<(u32, u32)> = Vec::new();
    for task in tasks {
        taken.extend(task.await.unwrap());
    }
    let distinct: HashSet<_> = taken.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        taken.len(),
        "a one-time prekey was handed out twice"
    );
    assert_eq!(taken.len(), 2 * PER_DEVICE as usize);
    assert_eq!(store.one_time_prekey_count("alice", 1).await.unwrap(), 0);
    assert_eq!(store.one_time_prekey_count("alice", 2).await.unwrap(), 0);
}

/// Without one-time prekeys a bundle still comes, with none.
async fn check_bundles_without_one_time_prekeys(store: &impl Store) {
    register(store, "alice", &[4]).await;
    store.set_signed_prekey("alice", 4, b"spk").await.unwrap();
    let bundles = store.take_bundles("alice").await.unwrap();
    assert_eq!(bundles.len(), 1);
    assert_eq!(bundles[0].one_time_prekey, None);
    assert_eq!(bundles[0].one_time_remaining, 0);

    store
        .add_one_time_prekeys("alice", 4, &[(8, key(8))])
        .await
        .unwrap();
    let first = store.take_bundles("alice").await.unwrap();
    assert_eq!(first[0].one_time_prekey, Some((8, key(8))));
    assert_eq!(first[0].one_time_remaining, 0);
    let second = store.take_bundles("alice").await.unwrap();
    assert_eq!(second[0].one_time_prekey, None);
    assert_eq!(second[0].signed_prekey, b"spk");
}

/// A device's own account's fetch skips it; only devices with a signed prekey are reachable;
/// last-active times are kept per listed device.
async fn check_own_devices(store: &impl Store) {
    register(store, "alice", &[1, 2, 3]).await;
    store.set_signed_prekey("alice", 1, b"spk1").await.unwrap();
    store.set_signed_prekey("alice", 2, b"spk2").await.unwrap();
    store
        .add_one_time_prekeys("alice", 1, &[(1, key(1))])
        .await
        .unwrap();
    let others = store.take_bundles_except("alice", Some(1)).await.unwrap();
    assert_eq!(
        others
            .iter()
            .map(|b| b.device.device_id)
            .collect::<Vec<_>>(),
        [2]
    );
    assert_eq!(store.one_time_prekey_count("alice", 1).await.unwrap(), 1);
    assert_eq!(store.reachable_devices("alice").await.unwrap(), [1, 2]);

    assert_eq!(
        store.last_active("alice").await.unwrap(),
        [(1, 0), (2, 0), (3, 0)]
    );
    store
        .set_last_active("alice", 2, 1_800_000_000_000)
        .await
        .unwrap();
    store.set_last_active("alice", 9, 5).await.unwrap();
    assert_eq!(
        store.last_active("alice").await.unwrap(),
        [(1, 0), (2, 1_800_000_000_000), (3, 0)]
    );
    assert!(store.last_active("nobody").await.unwrap().is_empty());
}

/// The remaining count follows uploads and takes.
async fn check_remaining_count(store: &impl Store) {
    register(store, "alice", &[1]).await;
    store.set_signed_prekey("alice", 1, b"spk").await.unwrap();
    let keys: Vec<_> = (10..15).map(|id| (id, key(id))).collect();
    assert_eq!(
        store.add_one_time_prekeys("alice", 1, &keys).await.unwrap(),
        5
    );
    for left in (0..5).rev() {
        let bundles = store.take_bundles("alice").await.unwrap();
        assert_eq!(bundles[0].one_time_remaining, left);
        assert_eq!(store.one_time_prekey_count("alice", 1).await.unwrap(), left);
    }
    assert_eq!(
        store
            .add_one_time_prekeys("alice", 1, &keys[..2])
            .await
            .unwrap(),
        2
    );
}

/// A resend (same sender, sender device, client id, recipient and recipient device) is the same
/// envelope; anything else is a new one.
async fn check_insert_idempotent(store: &impl Store) {
    register(store, "alice", &[1, 2]).await;
    register(store, "bob", &[1, 2]).await;
    let original = envelope(("bob", 1), ("alice", 1), 1, 10);
    let id = insert_one(store, original.clone()).await;

    let resend = NewEnvelope {
        payload: b"different bytes".to_vec().into(),
        received_ms: 99,
        ..original.clone()
    };
    assert_eq!(insert_one(store, resend).await, id);
    let pending = store.pending("alice", 1, 0, 10).await.unwrap();
    assert_eq!(
        pending,
        vec![StoredEnvelope {
            id,
            envelope: original.clone()
        }]
    );

    let other_device = NewEnvelope {
        recipient_device: 2,
        ..original.clone()
    };
    let from_other_device = NewEnvelope {
        sender_device: 2,
        ..original.clone()
    };
    let other_id = NewEnvelope {
        client_id: client_id(2),
        ..original.clone()
    };
    let ids = store
        .insert_envelopes(&[
            original.clone(),
            other_device.clone(),
            from_other_device,
            other_id,
            other_device,
        ])
        .await
        .unwrap();
    assert_eq!(ids[0], id);
    assert_eq!(ids[4], ids[1], "a duplicate within one call is stored once");
    let distinct: HashSet<_> = ids[..4].iter().collect();
    assert_eq!(distinct.len(), 4);
    assert_eq!(pending_ids(store, "alice", 1).await.len(), 3);
    assert_eq!(pending_ids(store, "alice", 2).await, vec![ids[1]]);
    assert_eq!(store.queue_depth().await.unwrap(), 4);
}

/// A device's queue comes oldest first, after the cursor, at most `limit` at a time.
async fn check_pending_order(store: &impl Store) {
    register(store, "alice", &[1, 2]).await;
    register(store, "bob", &[1]).await;
    let mut mine = Vec::new();
    for n in 0..10 {
        let ours = envelope(("bob", 1), ("alice", 1), n, 100 + n);
        let theirs = envelope(("bob", 1), ("alice", 2), n, 100 + n);
        let ids = if n % 3 == 0 {
            store
                .insert_envelopes(&[theirs, ours.clone()])
                .await
                .unwrap()[1]
        } else {
            insert_one(store, theirs).await;
            insert_one(store, ours.clone()).await
        };
        mine.push(StoredEnvelope {
            id: ids,
            envelope: ours,
        });
    }
    assert!(mine.windows(2).all(|pair| pair[0].id < pair[1].id));

    assert_eq!(store.pending("alice", 1, 0, 100).await.unwrap(), mine);
    assert_eq!(store.pending("alice", 1, 0, 3).await.unwrap(), mine[..3]);
    assert_eq!(
        store.pending("alice", 1, mine[4].id, 100).await.unwrap(),
        mine[5..]
    );
    assert_eq!(
        store.pending("alice", 1, mine[4].id, 2).await.unwrap(),
        mine[5..7]
    );
    assert!(store
        .pending("alice", 1, mine[9].id, 100)
        .await
        .unwrap()
        .is_empty());
    assert!(store.pending("alice", 1, 0, 0).await.unwrap().is_empty());
    assert_eq!(store.pending("alice", 2, 0, 100).await.unwrap().len(), 10);
    // A byte budget ends the batch with the envelope that reaches it; one always comes.
    let two = mine[0].envelope.payload.len() + mine[1].envelope.payload.len();
    assert_eq!(
        store.pending_within("alice", 1, 0, 100, two).await.unwrap(),
        mine[..2]
    );
    assert_eq!(
        store
            .pending_within("alice", 1, 0, 100, two + 1)
            .await
            .unwrap(),
        mine[..3]
    );
    assert_eq!(
        store.pending_within("alice", 1, 0, 100, 1).await.unwrap(),
        mine[..1]
    );
    assert_eq!(
        store
            .pending_within("alice", 1, 0, 2, usize::MAX)
            .await
            .unwrap(),
        mine[..2]
    );
}

/// An ack deletes only that device's envelopes.
async fn check_ack(store: &impl Store) {
    register(store, "alice", &[1, 2]).await;
    register(store, "bob", &[1]).await;
    let mut a1 = Vec::new();
    for n in 0..4 {
        a1.push(insert_one(store, envelope(("bob", 1), ("alice", 1), n, 10)).await);
    }
    let a2 = insert_one(store, envelope(("bob", 1), ("alice", 2), 9, 10)).await;
    let b1 = insert_one(store, envelope(("alice", 1), ("bob", 1), 9, 10)).await;

    assert_eq!(
        store
            .ack("alice", 1, &[a1[0], a1[2], a2, b1])
            .await
            .unwrap(),
        2
    );
    assert_eq!(pending_ids(store, "alice", 1).await, vec![a1[1], a1[3]]);
    assert_eq!(pending_ids(store, "alice", 2).await, vec![a2]);
    assert_eq!(pending_ids(store, "bob", 1).await, vec![b1]);
    assert_eq!(store.ack("alice", 1, &[a1[0], a1[2]]).await.unwrap(), 0);
    assert_eq!(store.ack("bob", 1, &[b1, b1]).await.unwrap(), 1);
    assert_eq!(store.queue_depth().await.unwrap(), 3);
}

/// Expiry deletes and returns what was received before the cutoff.
async fn check_expire(store: &impl Store) {
    register(store, "alice", &[1]).await;
    register(store, "bob", &[1]).await;
    let ids = store
        .insert_envelopes(&[
            envelope(("bob", 1), ("alice", 1), 1, 100),
            envelope(("alice", 1), ("bob", 1), 2, 200),
            envelope(("bob", 1), ("alice", 1), 3, 300),
        ])
        .await
        .unwrap();
    // The notice for `from` about its envelope `n` to `to`'s device 1.
    let notice = |id: u64, from: &str, to: &str, n: u64| ExpiryNotice {
        id,
        account: from.to_owned(),
        device: 1,
        client_id: client_id(n),
        recipient: to.to_owned(),
        recipient_device: 1,
    };

    let first = store.expire(200).await.unwrap();
    assert_eq!(first, vec![notice(first[0].id, "bob", "alice", 1)]);
    assert!(store.expire(200).await.unwrap().is_empty());
    assert_eq!(pending_ids(store, "alice", 1).await, vec![ids[2]]);

    let rest = store.expire(u64::MAX).await.unwrap();
    assert_eq!(
        rest,
        vec![
            notice(rest[0].id, "alice", "bob", 2),
            notice(rest[1].id, "bob", "alice", 3)
        ]
    );
    assert!(first[0].id < rest[0].id && rest[0].id < rest[1].id);
    assert_eq!(store.queue_depth().await.unwrap(), 0);
    assert_eq!(
        store.expiry_notices("bob", 1, 10).await.unwrap(),
        vec![first[0].clone(), rest[1].clone()]
    );
    assert_eq!(
        store.expiry_notices("bob", 1, 1).await.unwrap(),
        vec![first[0].clone()]
    );

    // Notices stay until their own device acks them.
    assert_eq!(
        store
            .ack_expiry_notices("bob", 1, &[rest[0].id])
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .ack_expiry_notices("alice", 1, &[u64::MAX, 0])
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .ack_expiry_notices("alice", 1, &[rest[0].id])
            .await
            .unwrap(),
        1
    );
    assert!(store
        .expiry_notices("alice", 1, 10)
        .await
        .unwrap()
        .is_empty());

    // A device that leaves the list takes its notices with it, and gets no new ones.
    store
        .insert_envelopes(&[envelope(("bob", 1), ("alice", 1), 4, 400)])
        .await
        .unwrap();
    store
        .replace_device_list("bob", &list("bob", 2, &[2]))
        .await
        .unwrap();
    assert!(store.expiry_notices("bob", 1, 10).await.unwrap().is_empty());
    assert!(store.expire(u64::MAX).await.unwrap().is_empty());
    assert_eq!(store.queue_depth().await.unwrap(), 0);
}

/// Finding 13 (issue 19): expiry deletes in bounded batches, oldest first, each its own
/// transaction, so a backlog never loads every expired payload at once.
async fn check_expire_in_batches(store: &impl Store) {
    register(store, "alice", &[1]).await;
    register(store, "bob", &[1]).await;
    let old: Vec<NewEnvelope> = (1..=5)
        .map(|n| envelope(("alice", 1), ("bob", 1), n, n * 10))
        .collect();
    store.insert_envelopes(&old).await.unwrap();
    let first = store.expire_batch(u64::MAX, 2).await.unwrap();
    assert_eq!(first.deleted, 2);
    let numbers = |notices: &[ExpiryNotice]| -> Vec<[u8; 16]> {
        notices.iter().map(|n| n.client_id).collect()
    };
    assert_eq!(numbers(&first.notices), vec![client_id(1), client_id(2)]);
    assert_eq!(store.queue_depth().await.unwrap(), 3);
    let second = store.expire_batch(u64::MAX, 2).await.unwrap();
    assert_eq!(numbers(&second.notices), vec![client_id(3), client_id(4)]);
    let last = store.expire_batch(u64::MAX, 2).await.unwrap();
    assert_eq!(
        (last.deleted, numbers(&last.notices)),
        (1, vec![client_id(5)])
    );
    assert_eq!(store.expire_batch(u64::MAX, 2).await.unwrap().deleted, 0);
    assert_eq!(store.queue_depth().await.unwrap(), 0);
}

/// The queue depth counts every queued envelope.
async fn check_queue_depth(store: &impl Store) {
    assert_eq!(store.queue_depth().await.unwrap(), 0);
    register(store, "alice", &[1, 2]).await;
    let ids = store
        .insert_envelopes(&[
            envelope(("alice", 1), ("alice", 2), 1, 10),
            envelope(("alice", 2), ("alice", 1), 1, 10),
            envelope(("alice", 2), ("alice", 1), 2, 20),
        ])
        .await
        .unwrap();
    assert_eq!(store.queue_depth().await.unwrap(), 3);
    store.ack("alice", 1, &ids[1..2]).await.unwrap();
    assert_eq!(store.queue_depth().await.unwrap(), 2);
    store.expire(15).await.unwrap();
    assert_eq!(store.queue_depth().await.unwrap(), 1);
}

/// Envelope `n` from `from` to `to` with a payload of `size` bytes.
fn sized(from: (&str, u32), to: (&str, u32), n: u64, size: usize) -> NewEnvelope {
    NewEnvelope {
        payload: vec![n as u8; size].into(),
        ..envelope(from, to, n, 10 * n)
    }
}

/// Envelope `n` from `from` to each of `to`, all with one shared payload (a group message).
fn group(from: (&str, u32), to: &[(&str, u32)], n: u64, size: usize) -> Vec<NewEnvelope> {
    let payload: Arc<[u8]> = vec![n as u8; size].into();
    to.iter()
        .map(|&to| NewEnvelope {
            payload: payload.clone(),
            ..envelope(from, to, n, 10 * n)
        })
        .collect()
}

/// Issue 19, findings 1 and 2: payload bytes are counted per device queue and per sender (a
/// shared payload once for the sender), acks and expiry give them back, and a submission past
/// a quota stores nothing and says which quota.
async fn check_queue_quotas(store: &impl Store) {
    register(store, "alice", &[1]).await;
    register(store, "bob", &[1, 2]).await;
    register(store, "carol", &[1]).await;
    let limits = QueueLimits {
        per_device: 200,
        per_sender: 250,
    };
    let first = store
        .insert_envelopes_within(&[sized(("alice", 1), ("bob", 1), 1, 60)], limits)
        .await
        .unwrap();
    // Past bob 1's queue: the whole send is refused, bob 2's envelope too.
    let refused = store
        .insert_envelopes_within(
            &[
                sized(("alice", 1), ("bob", 2), 2, 10),
                sized(("alice", 1), ("bob", 1), 2, 150),
            ],
            limits,
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Quota(Quota::Device))),
        "{refused:?}"
    );
    assert!(pending_ids(store, "bob", 2).await.is_empty());
    assert_eq!(store.queued_bytes("bob", 1).await.unwrap(), 60);
    assert_eq!(store.sent_bytes("alice").await.unwrap(), 60);
    // A resend of what is stored is answered with its id, whatever the quota.
    let tight = QueueLimits {
        per_device: 1,
        per_sender: 1,
    };
    let resend = sized(("alice", 1), ("bob", 1), 1, 60);
    assert_eq!(
        store
            .insert_envelopes_within(&[resend], tight)
            .await
            .unwrap(),
        first
    );
    // A group payload counts once for its sender, and for each device it is queued for.
    let shared = group(("alice", 1), &[("bob", 2), ("carol", 1)], 3, 100);
    let ids = store
        .insert_envelopes_within(&shared, limits)
        .await
        .unwrap();
    assert_eq!(store.sent_bytes("alice").await.unwrap(), 160);
    assert_eq!(store.queued_bytes("bob", 2).await.unwrap(), 100);
    assert_eq!(store.queued_bytes("carol", 1).await.unwrap(), 100);
    assert_eq!(store.queue_bytes().await.unwrap(), 160);
    // Past alice's quota (160 + 100 > 250): refused, nothing stored.
    let over = store
        .insert_envelopes_within(&[sized(("alice", 1), ("carol", 1), 4, 100)], limits)
        .await;
    assert!(
        matches!(over, Err(StoreError::Quota(Quota::Sender))),
        "{over:?}"
    );
    assert_eq!(pending_ids(store, "carol", 1).await, vec![ids[1]]);
    // Others' quotas are their own.
    store
        .insert_envelopes_within(&[sized(("bob", 1), ("alice", 1), 5, 100)], limits)
        .await
        .unwrap();
    // The shared payload stays until its last device acks it.
    assert_eq!(store.ack("carol", 1, &ids[1..]).await.unwrap(), 1);
    assert_eq!(store.sent_bytes("alice").await.unwrap(), 160);
    assert_eq!(store.queued_bytes("carol", 1).await.unwrap(), 0);
    assert_eq!(store.ack("bob", 2, &ids[..1]).await.unwrap(), 1);
    assert_eq!(store.sent_bytes("alice").await.unwrap(), 60);
    store
        .insert_envelopes_within(&[sized(("alice", 1), ("carol", 1), 4, 100)], limits)
        .await
        .unwrap();
    // Expiry gives back the rest; a device leaving its list takes its queue's bytes along.
    store
        .replace_device_list("bob", &list("bob", 2, &[2]))
        .await
        .unwrap();
    assert_eq!(store.sent_bytes("alice").await.unwrap(), 100);
    store.expire(u64::MAX).await.unwrap();
    for (name, device) in [("alice", 1), ("bob", 2), ("carol", 1)] {
        assert_eq!(store.queued_bytes(name, device).await.unwrap(), 0);
    }
    assert_eq!(store.sent_bytes("alice").await.unwrap(), 0);
    assert_eq!(store.sent_bytes("bob").await.unwrap(), 0);
    assert_eq!(store.queue_bytes().await.unwrap(), 0);
}

fn blob(n: u8, device: u32, size: u64, expires_ms: u64) -> BlobRecord {
    BlobRecord {
        id: [n; 32],
        account: "alice".to_owned(),
        device,
        size,
        expires_ms,
    }
}

/// Blobs: bytes per uploading device (unexpired only), renewal only by the account and only
/// before expiry (another device taking the blob over within its quota), expired ones taken in
/// bounded batches, each once.
async fn check_blobs(store: &impl Store) {
    // A device no longer listed (or never) records nothing.
    assert!(matches!(
        store.add_blob(&blob(9, 1, 5, 50)).await,
        Err(StoreError::NotFound(_))
    ));
    register(store, "alice", &[1, 2]).await;
    assert_eq!(store.blob_bytes("alice", 1, 0).await.unwrap(), 0);
    for (n, device, size, expires) in [
        (1, 1, 100, 50),
        (2, 1, 20, 10),
        (3, 2, 7, 50),
        (4, 1, 1, 30),
    ] {
        store
            .add_blob(&blob(n, device, size, expires))
            .await
            .unwrap();
    }
    assert_eq!(store.blob_bytes("alice", 1, 0).await.unwrap(), 121);
    assert_eq!(store.blob_bytes("alice", 1, 10).await.unwrap(), 101);
    assert_eq!(store.blob_bytes("alice", 2, 10).await.unwrap(), 7);
    // Another account, an expired blob or none: not renewed.
    let quota = 1_000;
    assert!(!store
        .renew_blob(&[1; 32], ("bob", 1), 20, 500, quota)
        .await
        .unwrap());
    assert!(!store
        .renew_blob(&[2; 32], ("alice", 1), 20, 500, quota)
        .await
        .unwrap());
    assert!(!store
        .renew_blob(&[9; 32], ("alice", 1), 20, 500, quota)
        .await
        .unwrap());
    assert!(store
        .renew_blob(&[1; 32], ("alice", 1), 20, 500, quota)
        .await
        .unwrap());
    // Another device of the account takes a blob over, within its own quota (device 2 keeps 7
    // bytes; blob 4 is 1 byte), and it counts there from then on; not past its quota.
    assert!(matches!(
        store.renew_blob(&[4; 32], ("alice", 2), 20, 30, 7).await,
        Err(StoreError::Quota(Quota::Blobs))
    ));
    assert_eq!(store.blob_bytes("alice", 2, 20).await.unwrap(), 7);
    assert!(store
        .renew_blob(&[4; 32], ("alice", 2), 20, 30, 8)
        .await
        .unwrap());
    assert_eq!(store.blob_bytes("alice", 2, 20).await.unwrap(), 8);
    assert_eq!(store.blob_bytes("alice", 1, 20).await.unwrap(), 100);
    // At 60: blobs 2 and 4 (device 1) and 3 expired; 1 was renewed. Two at a time, oldest first.
    let first = store.take_expired_blobs(60, 2).await.unwrap();
    assert_eq!(first, vec![[2; 32], [4; 32]]);
    assert_eq!(
        store.take_expired_blobs(60, 2).await.unwrap(),
        vec![[3; 32]]
    );
    assert!(store.take_expired_blobs(60, 2).await.unwrap().is_empty());
    assert_eq!(store.blob_bytes("alice", 1, 60).await.unwrap(), 100);
    assert_eq!(
        store.take_expired_blobs(500, 10).await.unwrap(),
        vec![[1; 32]]
    );
    assert_eq!(store.blob_bytes("alice", 1, 0).await.unwrap(), 0);
}

/// Everything survives closing and reopening; ids keep increasing and are never reused.
async fn check_reopen<S: Store>(open: impl Fn() -> S) {
    let alice_list = list("alice", 4, &[1, 2]);
    let (first, newest) = {
        let store = open();
        store
            .create_account(&account("alice"), &alice_list)
            .await
            .unwrap();
        store.set_signed_prekey("alice", 1, b"spk").await.unwrap();
        store
            .add_one_time_prekeys("alice", 1, &[(1, key(1)), (2, key(2))])
            .await
            .unwrap();
        store
            .set_push_subscription("alice", 2, &subscription(7))
            .await
            .unwrap();
        let ids = store
            .insert_envelopes(&[
                envelope(("alice", 2), ("alice", 1), 1, 10),
                envelope(("alice", 1), ("alice", 2), 2, 10),
            ])
            .await
            .unwrap();
        (ids[0], ids[1])
    };
    {
        let store = open();
        assert_eq!(
            store.account("alice").await.unwrap(),
            Some(account("alice"))
        );
        assert_eq!(
            store.device_list("alice").await.unwrap(),
            Some(alice_list.clone())
        );
        assert_eq!(store.one_time_prekey_count("alice", 1).await.unwrap(), 2);
        assert_eq!(
            store.push_subscription("alice", 2).await.unwrap(),
            Some(subscription(7))
        );
        assert_eq!(pending_ids(&store, "alice", 1).await, vec![first]);
        assert_eq!(pending_ids(&store, "alice", 2).await, vec![newest]);
        let bundle = &store.take_bundles("alice").await.unwrap()[0];
        assert_eq!(bundle.signed_prekey, b"spk");
        assert_eq!(bundle.one_time_remaining, 1);
        // Ack the newest, so nothing but the store's memory of ids stops reuse.
        assert_eq!(store.ack("alice", 2, &[newest]).await.unwrap(), 1);
    }
    let store = open();
    assert_eq!(store.one_time_prekey_count("alice", 1).await.unwrap(), 1);
    assert!(pending_ids(&store, "alice", 2).await.is_empty());
    let next = insert_one(&store, envelope(("alice", 1), ("alice", 2), 3, 10)).await;
    assert!(
        next > newest,
        "id {next} reused or went backwards after {newest}"
    );
}

/// What the queue holds is counted again on reopen: per device, per sender (a shared payload
/// once), in all, and the envelopes; acking after the reopen frees the shared payload.
async fn check_counts_survive_reopen<S: Store>(open: impl Fn() -> S) {
    let ids = {
        let store = open();
        register(&store, "alice", &[1]).await;
        register(&store, "bob", &[1, 2]).await;
        store
            .insert_envelopes(&[sized(("alice", 1), ("bob", 1), 1, 30)])
            .await
            .unwrap();
        store
            .insert_envelopes(&group(("alice", 1), &[("bob", 1), ("bob", 2)], 2, 100))
            .await
            .unwrap()
    };
    let store = open();
    assert_eq!(store.queued_bytes("bob", 1).await.unwrap(), 130);
    assert_eq!(store.queued_bytes("bob", 2).await.unwrap(), 100);
    assert_eq!(store.sent_bytes("alice").await.unwrap(), 130);
    assert_eq!(store.queue_bytes().await.unwrap(), 130);
    assert_eq!(store.queue_depth().await.unwrap(), 3);
    store.ack("bob", 1, &ids[..1]).await.unwrap();
    assert_eq!(
        store.sent_bytes("alice").await.unwrap(),
        130,
        "bob 2 still holds it"
    );
    store.ack("bob", 2, &ids[1..]).await.unwrap();
    assert_eq!(store.sent_bytes("alice").await.unwrap(), 30);
    assert_eq!(store.queue_bytes().await.unwrap(), 30);
    assert_eq!(store.queue_depth().await.unwrap(), 1);
}

/// A stored envelope is durable as soon as the call returns: no flush, no clean shutdown needed
/// beyond dropping the store.
async fn check_durable_without_flush<S: Store>(open: impl Fn() -> S) {
    {
        let store = open();
        register(&store, "alice", &[1]).await;
    }
    let id = {
        let store = open();
        insert_one(&store, envelope(("alice", 1), ("alice", 1), 1, 10)).await
    };
    let store = open();
    assert_eq!(pending_ids(&store, "alice", 1).await, vec![id]);
}

/// 8 callers inserting at once (tasks on a multi-thread runtime, so they run in parallel) all
/// get distinct, per-caller increasing ids; a failing call among them fails alone.
async fn check_concurrent_inserts<S: Store>(store: Arc<S>) {
    const THREADS: u64 = 8;
    const PER_THREAD: u64 = 250;
    register(&*store, "alice", &[1]).await;
    register(&*store, "bob", &[1]).await;
    let tasks: Vec<_> = (0..THREADS)
        .map(|thread| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for n in 0..PER_THREAD {
                    let unique = thread * PER_THREAD + n;
                    if n % 25 == 0 {
                        let lost = envelope(("bob", 1), ("alice", 7), unique, 10);
                        assert!(matches!(
                            store.insert_envelopes(&[lost]).await,
                            Err(StoreError::NotFound(_))
                        ));
                    }
                    ids.push(
                        insert_one(&*store, envelope(("bob", 1), ("alice", 1), unique, 10)).await,
                    );
                }
                assert!(ids.windows(2).all(|pair| pair[0] < pair[1]));
                ids
            })
        })
        .collect();
    let mut ids: Vec<u64> = Vec::new();
    for task in tasks {
        ids.extend(task.await.unwrap());
    }
    let store = &*store;
    let distinct: HashSet<_> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), (THREADS * PER_THREAD) as usize);
    let mut sorted = ids;
    sorted.sort_unstable();
    assert_eq!(pending_ids(store, "alice", 1).await, sorted);
    assert!(pending_ids(store, "alice", 7).await.is_empty());
    assert_eq!(store.queue_depth().await.unwrap(), THREADS * PER_THREAD);
}

/// Odd or unknown input is harmless: empty answers, or `NotFound`, never a panic or a partial write.
async fn check_bad_input(store: &impl Store) {
    register(store, "alice", &[1]).await;
    let id = insert_one(store, envelope(("alice", 1), ("alice", 1), 1, 10)).await;

    assert_eq!(store.ack("alice", 1, &[]).await.unwrap(), 0);
    assert_eq!(
        store
            .ack("alice", 1, &[id + 1000, 0, u64::MAX])
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.ack("nobody", 3, &[id]).await.unwrap(), 0);
    assert_eq!(store.ack("alice", 2, &[id]).await.unwrap(), 0);
    assert!(store.pending("nobody", 1, 0, 10).await.unwrap().is_empty());
    assert!(store.pending("alice", 9, 0, 10).await.unwrap().is_empty());
    assert!(store
        .pending("alice", 1, u64::MAX, usize::MAX)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.one_time_prekey_count("nobody", 1).await.unwrap(), 0);
    assert_eq!(
        store
            .one_time_prekey_count("alice", u32::MAX)
            .await
            .unwrap(),
        0
    );
    assert!(store.insert_envelopes(&[]).await.unwrap().is_empty());
    assert!(store.expire(0).await.unwrap().is_empty());
    assert_eq!(store.account("").await.unwrap(), None);
    assert_eq!(store.device_list("nobody").await.unwrap(), None);

    // One unknown recipient fails the whole call: nothing of it is stored.
    let valid = envelope(("alice", 1), ("alice", 1), 2, 10);
    let unknown = envelope(("alice", 1), ("nobody", 1), 3, 10);
    assert!(matches!(
        store.insert_envelopes(&[valid, unknown]).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(pending_ids(store, "alice", 1).await, vec![id]);
    assert_eq!(store.queue_depth().await.unwrap(), 1);
}

// ---------------------------------------------------------------------------------------------
// SQLite.

/// Writes submitted without waiting commit in submission order; the listener hears of each new
/// envelope once, in id order, and never of a resend or a refused write.
async fn check_submissions<S: Store>(open: impl FnOnce(Arc<dyn StoredListener>) -> S) {
    let recorder = Arc::new(Recorder::default());
    let store = open(recorder.clone());
    register(&store, "alice", &[1]).await;
    register(&store, "bob", &[1]).await;
    let mut submitted: Vec<Pending<Vec<u64>>> = (0..50)
        .map(|n| store.submit_envelopes(vec![envelope(("alice", 1), ("bob", 1), n, 10)]))
        .collect();
    let resend = store.submit_envelopes(vec![envelope(("alice", 1), ("bob", 1), 0, 10)]);
    let refused = store.submit_envelopes(vec![envelope(("alice", 1), ("nobody", 1), 99, 10)]);
    let acked = store.submit_ack("bob", 1, vec![]);
    // Awaited last first: the order is the submissions', not the awaits'.
    let last = submitted.pop().unwrap().await.unwrap()[0];
    let mut ids: Vec<u64> = Vec::new();
    for pending in submitted {
        ids.push(pending.await.unwrap()[0]);
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert!(ids.last() < Some(&last));
    assert_eq!(resend.await.unwrap(), vec![ids[0]]);
    assert!(matches!(refused.await, Err(StoreError::NotFound(_))));
    assert_eq!(acked.await.unwrap(), 0);

    let heard: Vec<u64> = recorder.0.lock().unwrap().iter().map(|s| s.id).collect();
    let mut expected = ids.clone();
    expected.push(last);
    assert_eq!(heard, expected);
    let first = recorder.0.lock().unwrap()[0].clone();
    assert_eq!(first.envelope, envelope(("alice", 1), ("bob", 1), 0, 10));

    let acked = store.submit_ack("bob", 1, expected.clone());
    assert_eq!(acked.await.unwrap(), 50);
    assert!(pending_ids(&store, "bob", 1).await.is_empty());
}

#[tokio::test]
async fn submissions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    check_submissions(|listener| SqliteStore::open_with_listener(&path, Some(listener)).unwrap())
        .await;
}

#[tokio::test]
async fn account_create_and_conflict() {
    check_account_create_and_conflict(&fresh().1).await;
}

#[tokio::test]
async fn device_list_versions() {
    check_device_list_versions(&fresh().1).await;
}

#[tokio::test]
async fn removed_identities() {
    check_removed_identities(&fresh().1).await;
}

#[tokio::test]
async fn prekeys() {
    check_prekeys(&fresh().1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn take_bundles_race() {
    let (_dir, store) = fresh();
    check_take_bundles_race(Arc::new(store)).await;
}

#[tokio::test]
async fn bundles_without_one_time_prekeys() {
    check_bundles_without_one_time_prekeys(&fresh().1).await;
}

#[tokio::test]
async fn own_devices() {
    check_own_devices(&fresh().1).await;
}

#[tokio::test]
async fn remaining_count() {
    check_remaining_count(&fresh().1).await;
}

#[tokio::test]
async fn insert_idempotent() {
    check_insert_idempotent(&fresh().1).await;
}

#[tokio::test]
async fn pending_order() {
    check_pending_order(&fresh().1).await;
}

#[tokio::test]
async fn ack() {
    check_ack(&fresh().1).await;
}

#[tokio::test]
async fn expire() {
    check_expire(&fresh().1).await;
}

#[tokio::test]
async fn expire_in_batches() {
    check_expire_in_batches(&fresh().1).await;
}

#[tokio::test]
async fn queue_depth() {
    check_queue_depth(&fresh().1).await;
}

#[tokio::test]
async fn queue_quotas() {
    check_queue_quotas(&fresh().1).await;
}

/// SQLite: a group message is one payload row, deleted in the transaction that removes its last
/// envelope (ack or expiry); a resend adds none.
#[tokio::test]
async fn group_payloads_are_stored_once_and_go_with_their_last_envelope() {
    let (dir, store) = fresh();
    register(&store, "alice", &[1]).await;
    register(&store, "bob", &[1, 2, 3]).await;
    let payload_rows = || -> i64 {
        let conn = rusqlite::Connection::open(dir.path().join("hush.db")).unwrap();
        conn.query_row("SELECT count(*) FROM payloads", [], |row| row.get(0))
            .unwrap()
    };
    let to = [("bob", 1), ("bob", 2), ("bob", 3)];
    let ids = store
        .insert_envelopes(&group(("alice", 1), &to, 1, 1000))
        .await
        .unwrap();
    assert_eq!(payload_rows(), 1);
    store
        .insert_envelopes(&group(("alice", 1), &to, 1, 1000))
        .await
        .unwrap();
    assert_eq!(payload_rows(), 1, "a resend stores no payload");
    store.ack("bob", 1, &ids[..1]).await.unwrap();
    store.ack("bob", 2, &ids[1..2]).await.unwrap();
    assert_eq!(payload_rows(), 1);
    assert_eq!(
        store.pending("bob", 3, 0, 10).await.unwrap()[0]
            .envelope
            .payload
            .len(),
        1000
    );
    store.expire(u64::MAX).await.unwrap();
    assert_eq!(payload_rows(), 0);
}

#[tokio::test]
async fn blobs() {
    check_blobs(&fresh().1).await;
}

#[tokio::test]
async fn close_account() {
    check_close_account(&fresh().1).await;
}

#[tokio::test]
async fn reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    check_reopen(|| SqliteStore::open(&path).unwrap()).await;
}

#[tokio::test]
async fn counts_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    check_counts_survive_reopen(|| SqliteStore::open(&path).unwrap()).await;
}

#[tokio::test]
async fn durable_without_flush() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    check_durable_without_flush(|| SqliteStore::open(&path).unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_inserts() {
    let (_dir, store) = fresh();
    check_concurrent_inserts(Arc::new(store)).await;
}

#[tokio::test]
async fn push_subscriptions() {
    let (_dir, store) = fresh();
    check_push_subscriptions(&store).await;
}

#[tokio::test]
async fn bad_input() {
    check_bad_input(&fresh().1).await;
}

/// A database from a newer build is refused with a clear message, and left alone.
#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    drop(SqliteStore::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let journal: String = conn
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap();
        assert_eq!(journal, "wal");
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let Err(StoreError::Backend(message)) = SqliteStore::open(&path) else {
        panic!("a newer database was opened");
    };
    assert!(message.contains("newer hush-server"), "{message}");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, 999);
}

/// Where [`sigkill_child`] keeps its database; set only in the child process.
const CHILD_DIR: &str = "HUSH_STORE_TEST_SIGKILL_DIR";

/// The child of [`envelopes_survive_sigkill`]: inserts envelopes one by one, printing each id once
/// its insert has returned, until it is killed. Does nothing when run on its own.
#[tokio::test]
#[ignore = "run by envelopes_survive_sigkill in a child process"]
async fn sigkill_child() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let store = SqliteStore::open(&Path::new(&dir).join("hush.db")).unwrap();
    for n in 0..1_000_000 {
        let id = insert_one(&store, envelope(("alice", 1), ("alice", 1), n, 10)).await;
        println!("acked {id}");
    }
}

/// Every envelope whose insert returned survives SIGKILL of the process at an arbitrary moment.
#[tokio::test]
async fn envelopes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    register(&SqliteStore::open(&path).unwrap(), "alice", &[1]).await;

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["sigkill_child", "--exact", "--ignored", "--nocapture"])
        .env(CHILD_DIR, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acked = Vec::new();
    while acked.len() < 200 {
        let line = lines.next().expect("the child stopped early").unwrap();
        if let Some(id) = line.strip_prefix("acked ") {
            acked.push(id.parse::<u64>().unwrap());
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // Whatever it printed before dying was acked too.
    for line in lines {
        if let Some(id) = line.unwrap().strip_prefix("acked ") {
            acked.push(id.parse::<u64>().unwrap());
        }
    }

    let store = SqliteStore::open(&path).unwrap();
    let stored: HashSet<u64> = pending_ids(&store, "alice", 1).await.into_iter().collect();
    let lost: Vec<_> = acked.iter().filter(|id| !stored.contains(id)).collect();
    assert!(lost.is_empty(), "acked but lost after SIGKILL: {lost:?}");
}

/// The first change hash submitted for a group's next epoch is kept; a later one for that epoch,
/// or one that skips ahead, is refused with the head; the same hash again is accepted; the
/// newest `MAX_ORDERED` epochs are kept, and every row survives a reopen.
async fn check_group_order<S: Store>(open: impl Fn() -> S) {
    use hush_protocol::relay::MAX_ORDERED;
    use hush_server::store::GroupCommit;
    let store = open();
    let (g, other) = ([1; 16], [2; 16]);
    // The first epoch the relay sees for a group starts its order (groups older than it).
    assert_eq!(
        store.commit_group_change(g, 5, [5; 32]).await.unwrap(),
        GroupCommit::Accepted
    );
    assert_eq!(
        store.commit_group_change(g, 6, [6; 32]).await.unwrap(),
        GroupCommit::Accepted
    );
    let refused = GroupCommit::Refused { head: 6 };
    assert_eq!(
        store.commit_group_change(g, 6, [7; 32]).await.unwrap(),
        refused
    );
    assert_eq!(
        store.commit_group_change(g, 8, [8; 32]).await.unwrap(),
        refused
    );
    assert_eq!(
        store.commit_group_change(g, 4, [4; 32]).await.unwrap(),
        refused
    );
    assert_eq!(
        store.commit_group_change(g, 6, [6; 32]).await.unwrap(),
        GroupCommit::Accepted
    );
    assert_eq!(
        store
            .commit_group_change(g, u64::MAX, [1; 32])
            .await
            .unwrap(),
        refused
    );
    // Another group is ordered on its own.
    assert_eq!(
        store.commit_group_change(other, 1, [1; 32]).await.unwrap(),
        GroupCommit::Accepted
    );
    assert_eq!(
        store.group_order(&g, 0).await.unwrap(),
        vec![(5, [5; 32]), (6, [6; 32])]
    );
    assert_eq!(store.group_order(&g, 5).await.unwrap(), vec![(6, [6; 32])]);
    assert_eq!(store.group_order(&[3; 16], 0).await.unwrap(), vec![]);
    for epoch in 7..(7 + MAX_ORDERED as u64 + 10) {
        let hash = [epoch as u8; 32];
        assert_eq!(
            store.commit_group_change(g, epoch, hash).await.unwrap(),
            GroupCommit::Accepted
        );
    }
    drop(store);
    let store = open();
    let kept = store.group_order(&g, 0).await.unwrap();
    assert_eq!(kept.len(), MAX_ORDERED);
    let head = 6 + MAX_ORDERED as u64 + 10;
    assert_eq!(kept.last().unwrap().0, head);
    assert_eq!(kept[0].0, head + 1 - MAX_ORDERED as u64);
    assert_eq!(
        store.group_order(&other, 0).await.unwrap(),
        vec![(1, [1; 32])]
    );
}

#[tokio::test]
async fn group_order_first_wins_and_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hush.db");
    check_group_order(|| SqliteStore::open(&path).unwrap()).await;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: every check above on a fresh database of the test server that
// `support/postgres.rs` starts (skipped loudly when there is none, failing under CI=true), then
// cases with several stores on one database at once: two pools, as two relays would have.

#[path = "support/postgres.rs"]
mod pg_server;

mod postgres {
    use super::*;
    use hush_server::store::postgres::PostgresStore;

    /// A store on a new database (and its URL, to open more stores on it), or `None`.
    async fn fresh(test: &str) -> Option<(String, PostgresStore)> {
        let url = super::pg_server::database(test).await?;
        let store = PostgresStore::connect(&url).await.unwrap();
        Some((url, store))
    }

    /// Opens a store synchronously, for the checks that take an `open` function (the test's
    /// runtime must be multi-threaded).
    fn open_blocking(url: &str, listener: Option<Arc<dyn StoredListener>>) -> PostgresStore {
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current()
                .block_on(PostgresStore::connect_with_listener(url, listener))
                .unwrap()
        })
    }

    /// One test per check that takes a store.
    macro_rules! on_postgres {
        ($($test:ident => $check:ident),* $(,)?) => {$(
            #[tokio::test]
            async fn $test() {
                let Some((_url, store)) = fresh(stringify!($test)).await else { return };
                $check(&store).await;
            }
        )*};
    }

    on_postgres! {
        account_create_and_conflict => check_account_create_and_conflict,
        device_list_versions => check_device_list_versions,
        removed_identities => check_removed_identities,
        prekeys => check_prekeys,
        bundles_without_one_time_prekeys => check_bundles_without_one_time_prekeys,
        own_devices => check_own_devices,
        remaining_count => check_remaining_count,
        insert_idempotent => check_insert_idempotent,
        pending_order => check_pending_order,
        ack => check_ack,
        expire => check_expire,
        expire_in_batches => check_expire_in_batches,
        queue_depth => check_queue_depth,
        queue_quotas => check_queue_quotas,
        blobs => check_blobs,
        close_account => check_close_account,
        push_subscriptions => check_push_subscriptions,
        bad_input => check_bad_input,
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn take_bundles_race() {
        let Some((_url, store)) = fresh("take_bundles_race").await else {
            return;
        };
        check_take_bundles_race(Arc::new(store)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_inserts() {
        let Some((_url, store)) = fresh("concurrent_inserts").await else {
            return;
        };
        check_concurrent_inserts(Arc::new(store)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn submissions() {
        let Some(url) = super::pg_server::database("submissions").await else {
            return;
        };
        check_submissions(|listener| open_blocking(&url, Some(listener))).await;
    }

    /// One test per check that opens the same database again (on a multi-thread runtime, as
    /// `open_blocking` needs).
    macro_rules! on_postgres_reopened {
        ($($test:ident => $check:ident),* $(,)?) => {$(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                let Some(url) = super::pg_server::database(stringify!($test)).await else {
                    return;
                };
                $check(|| open_blocking(&url, None)).await;
            }
        )*};
    }

    on_postgres_reopened! {
        reopen => check_reopen,
        counts_survive_reopen => check_counts_survive_reopen,
        durable_without_flush => check_durable_without_flush,
        group_order_first_wins_and_is_bounded => check_group_order,
    }

    /// A database migrated by a newer build is refused with a clear message, and left alone.
    #[tokio::test]
    async fn newer_schema_is_refused() {
        let Some((url, store)) = fresh("newer_schema_is_refused").await else {
            return;
        };
        drop(store);
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .batch_execute("UPDATE hush_schema SET version = 999")
            .await
            .unwrap();
        let error = PostgresStore::connect(&url)
            .await
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("newer hush-server"), "{error}");
        let row = client
            .query_one("SELECT version FROM hush_schema", &[])
            .await
            .unwrap();
        assert_eq!(row.get::<_, i64>(0), 999);
    }

    /// Two stores on one database: `n` of them, as `n` relays would be.
    async fn stores(test: &str, n: usize) -> Option<Vec<Arc<PostgresStore>>> {
        let (url, first) = fresh(test).await?;
        let mut stores = vec![Arc::new(first)];
        for _ in 1..n {
            stores.push(Arc::new(PostgresStore::connect(&url).await.unwrap()));
        }
        Some(stores)
    }

    /// Two relays fetching one account's bundles at once: each one-time prekey is handed out
    /// once, and none is left behind.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_relays_hand_out_each_prekey_once() {
        const KEYS: u32 = 300;
        let Some(stores) = stores("two_relays_prekeys", 2).await else {
            return;
        };
        register(&*stores[0], "alice", &[1]).await;
        stores[0]
            .set_signed_prekey("alice", 1, b"spk")
            .await
            .unwrap();
        let keys: Vec<_> = (0..KEYS).map(|id| (id, key(id))).collect();
        stores[0]
            .add_one_time_prekeys("alice", 1, &keys)
            .await
            .unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|n| {
                let store = stores[n % 2].clone();
                tokio::spawn(async move {
                    let mut taken = Vec::new();
                    loop {
                        let bundles = store.take_bundles("alice").await.unwrap();
                        match bundles[0].one_time_prekey {
                            Some((id, _)) => taken.push(id),
                            None => return taken,
                        }
                    }
                })
            })
            .collect();
        let mut taken = Vec::new();
        for task in tasks {
            taken.extend(task.await.unwrap());
        }
        let distinct: HashSet<_> = taken.iter().copied().collect();
        assert_eq!(
            distinct.len(),
            taken.len(),
            "a one-time prekey was handed out twice"
        );
        assert_eq!(taken.len(), KEYS as usize);
    }

    /// Four writers on two relays fill one device's queue while a reader follows it with an
    /// `after` cursor, as a connection catching up does: it must see every envelope, each
    /// once, in increasing id order. An id committed after a larger one (an id taken before
    /// the device's queue row was locked) would fall behind the cursor and be missed.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_reader_following_a_queue_misses_nothing_with_two_writers() {
        const WRITERS: u64 = 4;
        const EACH: u64 = 150;
        let Some(stores) = stores("two_relays_queue_order", 2).await else {
            return;
        };
        register(&*stores[0], "alice", &[1, 2]).await;
        register(&*stores[0], "bob", &[1]).await;
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let store = stores[(w % 2) as usize].clone();
                tokio::spawn(async move {
                    for n in 0..EACH {
                        let unique = w * EACH + n;
                        // Some submissions also queue for another device, in one transaction.
                        let mut batch = vec![envelope(("alice", 1), ("bob", 1), unique, 10)];
                        if n % 3 == 0 {
                            batch.push(envelope(("alice", 1), ("alice", 2), unique, 10));
                        }
                        store.insert_envelopes(&batch).await.unwrap();
                    }
                })
            })
            .collect();
        let reader = {
            let store = stores[1].clone();
            tokio::spawn(async move {
                let (mut seen, mut cursor) = (Vec::new(), 0);
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
                while (seen.len() as u64) < WRITERS * EACH {
                    assert!(
                        std::time::Instant::now() < deadline,
                        "reader saw {}",
                        seen.len()
                    );
                    let batch = store.pending("bob", 1, cursor, 7).await.unwrap();
                    for stored in batch {
                        assert!(stored.id > cursor);
                        cursor = stored.id;
                        seen.push(stored.id);
                    }
                }
                seen
            })
        };
        for writer in writers {
            writer.await.unwrap();
        }
        let seen = reader.await.unwrap();
        assert_eq!(
            pending_ids(&*stores[0], "bob", 1).await,
            seen,
            "the reader missed some"
        );
        assert_eq!(
            stores[0].queue_depth().await.unwrap(),
            WRITERS * EACH + WRITERS * EACH.div_ceil(3)
        );
    }

    /// A sender's and a device's quotas hold when two relays store for them at once: exactly
    /// as many envelopes as fit are stored, and the counters say so.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn quotas_hold_across_two_relays() {
        const SIZE: usize = 1000;
        const FIT: u64 = 10;
        let Some(stores) = stores("two_relays_quotas", 2).await else {
            return;
        };
        register(&*stores[0], "alice", &[1]).await;
        register(&*stores[0], "carol", &[1]).await;
        let devices: Vec<u32> = (1..=40).collect();
        register(&*stores[0], "bob", &devices).await;
        let sender_limit = QueueLimits {
            per_device: u64::MAX,
            per_sender: FIT * SIZE as u64,
        };
        let device_limit = QueueLimits {
            per_device: FIT * SIZE as u64,
            per_sender: u64::MAX,
        };
        let tasks: Vec<_> = (0..40u32)
            .map(|n| {
                let store = stores[(n % 2) as usize].clone();
                tokio::spawn(async move {
                    // Alice to 40 devices of bob's: her quota is what limits her.
                    let mine = sized(("alice", 1), ("bob", n + 1), u64::from(n), SIZE);
                    let alice = store.insert_envelopes_within(&[mine], sender_limit).await;
                    // Carol's sends all go to bob's device 1: its quota is what limits her.
                    let theirs = sized(("carol", 1), ("bob", 1), u64::from(n), SIZE);
                    let carol = store.insert_envelopes_within(&[theirs], device_limit).await;
                    (alice, carol)
                })
            })
            .collect();
        let (mut alice_ok, mut carol_ok) = (0, 0);
        for task in tasks {
            let (alice, carol) = task.await.unwrap();
            match alice {
                Ok(_) => alice_ok += 1,
                Err(StoreError::Quota(Quota::Sender)) => {}
                Err(other) => panic!("alice: {other}"),
            }
            match carol {
                Ok(_) => carol_ok += 1,
                Err(StoreError::Quota(Quota::Device)) => {}
                Err(other) => panic!("carol: {other}"),
            }
        }
        assert_eq!(alice_ok, FIT);
        assert_eq!(
            stores[1].sent_bytes("alice").await.unwrap(),
            FIT * SIZE as u64
        );
        // Bob's device 1 holds carol's that fit, and alice's if hers was stored: the counter
        // says exactly what is queued, and carol's quota counted alice's if it came first.
        let queued = stores[1].pending("bob", 1, 0, usize::MAX).await.unwrap();
        let from_alice = queued
            .iter()
            .filter(|e| e.envelope.sender == "alice")
            .count() as u64;
        assert_eq!(queued.len() as u64, carol_ok + from_alice);
        assert_eq!(
            stores[0].queued_bytes("bob", 1).await.unwrap(),
            (carol_ok + from_alice) * SIZE as u64
        );
        assert!(
            (FIT - 1..=FIT).contains(&carol_ok),
            "carol stored {carol_ok}"
        );
    }

    /// Two relays expiring at once: each envelope expires once, with one notice.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_relays_expire_each_envelope_once() {
        let Some(stores) = stores("two_relays_expiry", 2).await else {
            return;
        };
        register(&*stores[0], "alice", &[1]).await;
        register(&*stores[0], "bob", &[1]).await;
        let batch: Vec<_> = (0..2500)
            .map(|n| envelope(("alice", 1), ("bob", 1), n, 10))
            .collect();
        stores[0].insert_envelopes(&batch).await.unwrap();
        let sweeps: Vec<_> = (0..4)
            .map(|n| {
                let store = stores[n % 2].clone();
                tokio::spawn(async move {
                    let mut notices = Vec::new();
                    for _ in 0..10 {
                        notices.extend(store.expire(100).await.unwrap());
                    }
                    notices
                })
            })
            .collect();
        let mut notices = Vec::new();
        for sweep in sweeps {
            notices.extend(sweep.await.unwrap());
        }
        // A sweep that found the lock taken did nothing; one more finishes whatever is left.
        notices.extend(stores[0].expire(100).await.unwrap());
        let ids: HashSet<_> = notices.iter().map(|n| n.client_id).collect();
        assert_eq!(notices.len(), 2500);
        assert_eq!(ids.len(), 2500);
        assert_eq!(stores[1].queue_depth().await.unwrap(), 0);
        assert_eq!(stores[1].queue_bytes().await.unwrap(), 0);
    }

    /// Two relays replacing one device list with different versions at once: the newest wins
    /// whatever the order, and a stale one changes nothing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn device_list_races_keep_the_newest() {
        let Some(stores) = stores("two_relays_device_lists", 2).await else {
            return;
        };
        register(&*stores[0], "alice", &[1]).await;
        let tasks: Vec<_> = (2..40u64)
            .map(|version| {
                let store = stores[(version % 2) as usize].clone();
                tokio::spawn(async move {
                    let devices: Vec<u32> = vec![1, version as u32];
                    match store
                        .replace_device_list("alice", &list("alice", version, &devices))
                        .await
                    {
                        Ok(()) | Err(StoreError::Stale) => {}
                        Err(other) => panic!("{other}"),
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let stored = stores[1].device_list("alice").await.unwrap().unwrap();
        assert_eq!(stored, list("alice", 39, &[1, 39]));
    }

    /// Relays starting together on an empty database: every one opens (the schema is made
    /// once, under the migrations' lock).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn relays_starting_together_migrate_once() {
        let Some(url) = super::pg_server::database("starting_together").await else {
            return;
        };
        let opening: Vec<_> = (0..8)
            .map(|_| {
                let url = url.clone();
                tokio::spawn(async move { PostgresStore::connect(&url).await.map(|_| ()) })
            })
            .collect();
        for opened in opening {
            opened.await.unwrap().unwrap();
        }
    }

    /// A table another connection holds locked (another relay's stuck transaction): a call
    /// that needs it fails once the lock wait is over, rather than waiting without end.
    #[tokio::test]
    async fn a_lock_held_elsewhere_fails_the_call_in_time() {
        let Some((url, store)) = fresh("lock_held_elsewhere").await else {
            return;
        };
        register(&store, "alice", &[1]).await;
        let (mut holder, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        let held = holder.transaction().await.unwrap();
        held.batch_execute("LOCK TABLE device_queues IN ACCESS EXCLUSIVE MODE")
            .await
            .unwrap();
        let waited = tokio::time::timeout(
            std::time::Duration::from_secs(45),
            store.queued_bytes("alice", 1),
        )
        .await;
        drop(held);
        match waited {
            Ok(Err(StoreError::Backend(_))) => {}
            Ok(other) => panic!("a locked table gave {other:?}"),
            Err(_) => panic!("a call behind a held lock waited 45 s"),
        }
        // The lock gone, the store answers again.
        assert_eq!(store.queued_bytes("alice", 1).await.unwrap(), 0);
    }
}

/// A database that takes connections but never answers: opening the store fails with an error
/// once the pool's wait is over, instead of hanging the relay's start (and, later, every call
/// holding its connection's work) without end.
#[tokio::test]
async fn a_database_that_never_answers_is_an_error_not_a_hang() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut accepted = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            accepted.push(socket);
        }
    });
    let url = format!("postgres://hush@127.0.0.1:{port}/hush");
    let opened = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        hush_server::store::postgres::PostgresStore::connect(&url),
    )
    .await;
    held.abort();
    match opened {
        Ok(Err(StoreError::Backend(_))) => {}
        Ok(Err(other)) => panic!("a silent database gave {other:?}"),
        Ok(Ok(_)) => panic!("a silent database opened"),
        Err(_) => panic!("opening a silent database hung for a minute"),
    }
}
