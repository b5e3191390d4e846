//! Group messages with sender keys, and safety numbers. Runs natively and in headless Chromium.
// On wasm32 the tests are #[wasm_bindgen_test] functions: clippy.toml's test allowances
// do not reach them.
#![cfg_attr(target_arch = "wasm32", allow(clippy::unwrap_used))]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::rng;
use hush_protocol::fingerprint::SafetyNumber;
use hush_protocol::sender_key::{OwnSenderKey, SenderKeyError, SenderKeyRecord, MAX_SENDER_SKIP};
use hush_protocol::wire::{SenderKeyDistribution, SenderKeyMessage};
use hush_protocol::IdentityKeyPair;

const GROUP: [u8; 16] = *b"group-0000000001";

#[allow(clippy::unwrap_used)]
fn member_pair(seed: u64) -> (OwnSenderKey, SenderKeyRecord, common::TestRng) {
    let mut rng = rng(seed);
    let own = OwnSenderKey::generate(GROUP, &mut rng);
    let mut record = SenderKeyRecord::new();
    // Distribution travels encoded (inside a pairwise message).
    let encoded = own.distribution().encode();
    record.process(&SenderKeyDistribution::decode(&encoded).unwrap());
    (own, record, rng)
}

#[test]
fn members_decrypt_in_order_out_of_order_and_once() {
    let (mut own, mut record, _) = member_pair(1);
    let messages: Vec<_> = (0..20)
        .map(|i| own.encrypt(format!("{i}").as_bytes()).unwrap())
        .collect();
    for i in [
        3usize, 0, 19, 1, 2, 10, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18,
    ] {
        let wire = SenderKeyMessage::decode(&messages[i].encode()).unwrap();
        assert_eq!(record.decrypt(&wire).unwrap(), format!("{i}").as_bytes());
    }
    for message in &messages {
        assert_eq!(record.decrypt(message), Err(SenderKeyError::Duplicate));
    }
}

#[test]
fn forged_or_tampered_group_messages_are_refused_unchanged() {
    let (mut own, mut record, mut rng) = member_pair(2);
    let message = own.encrypt(b"real").unwrap();
    let before = record.to_bytes();
    let encoded = message.encode();
    for position in 0..encoded.len() {
        let mut bytes = encoded.clone();
        bytes[position] ^= 0x01;
        if let Ok(tampered) = SenderKeyMessage::decode(&bytes) {
            assert!(
                record.decrypt(&tampered).is_err(),
                "flip at {position} accepted"
            );
        }
        assert_eq!(record.to_bytes(), before);
    }
    // A member who knows the chain key but not the signing key cannot forge.
    let mut impostor = OwnSenderKey::generate(GROUP, &mut rng);
    let mut forged = impostor.encrypt(b"fake").unwrap();
    forged.chain_id = message.chain_id;
    assert_eq!(record.decrypt(&forged), Err(SenderKeyError::BadSignature));
    assert_eq!(record.decrypt(&message).unwrap(), b"real");
}

#[test]
fn a_rotated_sender_key_is_a_chain_old_holders_cannot_follow() {
    let (mut own, mut current_member, mut rng) = member_pair(3);
    let mut removed_member = current_member.clone();
    own.encrypt(b"before").unwrap();
    // The sender rotates after a member left; only remaining members get the new distribution.
    own = OwnSenderKey::generate(GROUP, &mut rng);
    current_member.process(&own.distribution());
    let after = own.encrypt(b"after the removal").unwrap();
    assert_eq!(
        current_member.decrypt(&after).unwrap(),
        b"after the removal"
    );
    assert_eq!(
        removed_member.decrypt(&after),
        Err(SenderKeyError::UnknownChain)
    );
}

#[test]
fn a_jump_too_far_ahead_is_refused() {
    let (mut own, mut record, _) = member_pair(4);
    let mut last = None;
    for _ in 0..=MAX_SENDER_SKIP + 1 {
        last = Some(own.encrypt(b"x").unwrap());
    }
    let before = record.to_bytes();
    assert_eq!(
        record.decrypt(&last.unwrap()),
        Err(SenderKeyError::TooFarAhead)
    );
    assert_eq!(record.to_bytes(), before);
}

#[test]
fn a_replayed_distribution_cannot_rewind_a_chain() {
    let (mut own, mut record, _) = member_pair(5);
    let old = own.distribution();
    let first = own.encrypt(b"first").unwrap();
    record.decrypt(&first).unwrap();
    record.process(&old);
    assert_eq!(record.decrypt(&first), Err(SenderKeyError::Duplicate));
}

#[test]
fn sender_key_state_round_trips() {
    let (mut own, mut record, _) = member_pair(6);
    let m0 = own.encrypt(b"0").unwrap();
    let m1 = own.encrypt(b"1").unwrap();
    record.decrypt(&m1).unwrap();
    let mut own = OwnSenderKey::from_bytes(&own.to_bytes()).unwrap();
    let mut record = SenderKeyRecord::from_bytes(&record.to_bytes()).unwrap();
    assert_eq!(record.decrypt(&m0).unwrap(), b"0");
    let m2 = own.encrypt(b"2").unwrap();
    assert_eq!(record.decrypt(&m2).unwrap(), b"2");
    let bytes = record.to_bytes();
    assert!(SenderKeyRecord::from_bytes(&bytes[..bytes.len() - 3]).is_err());
}

#[test]
fn safety_numbers_match_on_both_sides_and_change_with_a_key() {
    let mut rng = rng(7);
    let alice = IdentityKeyPair::generate(&mut rng).public();
    let bob = IdentityKeyPair::generate(&mut rng).public();
    let at_alice = SafetyNumber::new("alice", &alice, "bob", &bob);
    let at_bob = SafetyNumber::new("bob", &bob, "alice", &alice);
    assert_eq!(at_alice.digits(), at_bob.digits());
    assert_eq!(at_alice.digits().len(), 60);
    assert!(at_alice.digits().bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(at_alice.display_groups().len(), 12);
    assert!(at_alice.matches_scanned(&at_bob.qr_payload()));
    assert!(!at_alice.matches_scanned(&at_alice.qr_payload()));
    let new_bob = IdentityKeyPair::generate(&mut rng).public();
    let changed = SafetyNumber::new("alice", &alice, "bob", &new_bob);
    assert_ne!(changed.digits(), at_alice.digits());
    assert!(!changed.matches_scanned(&at_bob.qr_payload()));
}

#[test]
fn account_safety_numbers_match_on_both_sides_and_change_with_an_account_key() {
    let (alice, bob, other) = ([1u8; 32], [2u8; 32], [3u8; 32]);
    let at_alice = SafetyNumber::of_accounts("alice", &alice, "bob", &bob);
    let at_bob = SafetyNumber::of_accounts("bob", &bob, "alice", &alice);
    assert_eq!(at_alice.digits(), at_bob.digits());
    assert_eq!(at_alice.digits().len(), 60);
    assert!(at_alice.matches_scanned(&at_bob.qr_payload()));
    assert_ne!(
        SafetyNumber::of_accounts("alice", &alice, "bob", &other).digits(),
        at_alice.digits()
    );
    // The same name and bytes as a different kind of key give another number.
    let mut rng = rng(8);
    let identity = IdentityKeyPair::generate(&mut rng).public();
    let bytes: [u8; 32] = identity.to_bytes()[..32].try_into().unwrap();
    assert_ne!(
        SafetyNumber::of_accounts("alice", &alice, "bob", &bytes).digits(),
        SafetyNumber::new("alice", &identity, "bob", &identity).digits()
    );
}
