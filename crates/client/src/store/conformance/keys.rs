//! The account, one-time prekeys and sessions.

use hush_protocol::keys::{OneTimePreKeyPair, SignedPreKeyPair};
use hush_protocol::record::SessionRecord;
use hush_protocol::wire::PreKeyBundle;
use hush_protocol::{x3dh, DeviceAddress, IdentityKeyPair, Rng};

use super::{ensure, store_error, user, Outcome};
use crate::account::LocalAccount;
use crate::store::{Changes, Store};

/// The account and one-time prekeys come back as written; used prekeys are gone.
pub async fn account_and_prekeys(store: &impl Store, rng: &mut impl Rng) -> Outcome {
    ensure(
        store.account().await.map_err(store_error)?.is_none(),
        "a fresh store has no account",
    )?;
    let mut account = LocalAccount::generate(&user("alice")?, "Firefox on Linux", rng);
    let prekeys = account.new_prekeys(rng);
    let ids: Vec<u32> = prekeys.iter().map(OneTimePreKeyPair::id).collect();
    let first_public = prekeys.first().map(OneTimePreKeyPair::public);
    store
        .commit(Changes {
            account: Some(account.clone()),
            new_prekeys: prekeys,
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let stored = store.account().await.map_err(store_error)?;
    let stored = stored.ok_or("the account was not stored")?;
    ensure(
        stored.name == account.name
            && stored.identity.public() == account.identity.public()
            && stored.account_key.public() == account.account_key.public()
            && stored.signed_prekey.public() == account.signed_prekey.public()
            && stored.next_prekey_id == account.next_prekey_id,
        "the account came back different",
    )?;
    let first = ids.first().copied().ok_or("no prekeys were made")?;
    let prekey = store.prekey(first).await.map_err(store_error)?;
    ensure(
        prekey.map(|k| k.public()) == first_public,
        "a prekey came back different",
    )?;
    store
        .commit(Changes {
            used_prekeys: vec![first],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    ensure(
        store.prekey(first).await.map_err(store_error)?.is_none(),
        "a used prekey is still there",
    )?;
    ensure(
        store.prekey(ids[1]).await.map_err(store_error)?.is_some(),
        "an unused prekey went missing",
    )
}

/// A record holding one real session (Alice's side of X3DH with a made-up Bob).
fn some_record(rng: &mut impl Rng) -> Result<SessionRecord, String> {
    let alice = IdentityKeyPair::generate(rng);
    let bob = IdentityKeyPair::generate(rng);
    let bundle = PreKeyBundle {
        identity: bob.public(),
        address: DeviceAddress::new("bob", 1).map_err(|e| e.to_string())?,
        signed_prekey: SignedPreKeyPair::generate(1, &bob, rng).public(),
        one_time_prekey: None,
    };
    let from = DeviceAddress::new("alice", 1).map_err(|e| e.to_string())?;
    let session = x3dh::initiate(&alice, &from, &bundle, rng).map_err(|e| e.to_string())?;
    let mut record = SessionRecord::new();
    record.promote(session);
    Ok(record)
}

/// Sessions are kept per device and listed per account.
pub async fn sessions(store: &impl Store, rng: &mut impl Rng) -> Outcome {
    let bob1 = DeviceAddress::new("bob", 1).map_err(|e| e.to_string())?;
    let bob2 = DeviceAddress::new("bob", 2).map_err(|e| e.to_string())?;
    let carol = DeviceAddress::new("carol", 1).map_err(|e| e.to_string())?;
    ensure(
        store.session(&bob1).await.map_err(store_error)?.is_none(),
        "a fresh store has no session",
    )?;
    let record = some_record(rng)?;
    store
        .commit(Changes {
            sessions: vec![
                (bob1.clone(), record.clone()),
                (bob2.clone(), SessionRecord::new()),
                (carol, record.clone()),
            ],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let back = store.session(&bob1).await.map_err(store_error)?;
    ensure(
        back.map(|r| r.to_bytes()) == Some(record.to_bytes()),
        "a session came back different",
    )?;
    let bobs = store.sessions_with("bob").await.map_err(store_error)?;
    let devices: Vec<u32> = bobs.iter().map(|(a, _)| a.device()).collect();
    ensure(
        devices == [1, 2],
        "sessions_with lists each device of that account once",
    )?;
    // Read once, then changed: what is read next is what was committed last (a store that
    // keeps sessions in memory must follow its own commits).
    let newer = some_record(rng)?;
    let bob3 = DeviceAddress::new("bob", 3).map_err(|e| e.to_string())?;
    store
        .commit(Changes {
            sessions: vec![(bob3, record.clone()), (bob1.clone(), newer.clone())],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let back = store.session(&bob1).await.map_err(store_error)?;
    ensure(
        back.map(|r| r.to_bytes()) == Some(newer.to_bytes()),
        "a session committed again did not replace the old one",
    )?;
    let bobs = store.sessions_with("bob").await.map_err(store_error)?;
    let devices: Vec<u32> = bobs.iter().map(|(a, _)| a.device()).collect();
    ensure(
        devices == [1, 2, 3] && bobs[0].1.to_bytes() == newer.to_bytes(),
        "sessions_with does not follow the sessions committed since it was last read",
    )
}
