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
use hush_protocol::{DeviceAddress, IdentityKeyPair};

const GROUP: [u8; 16] = *b"group-0000000001";

/// The sending member's device.
#[allow(clippy::unwrap_used)]
fn bob() -> DeviceAddress {
    DeviceAddress::new("bob", 1).unwrap()
}

#[allow(clippy::unwrap_used)]
fn member_pair(seed: u64) -> (OwnSenderKey, SenderKeyRecord, common::TestRng) {
    let mut rng = rng(seed);
    let own = OwnSenderKey::generate(GROUP, &mut rng);
    let mut record = SenderKeyRecord::new();
    // Distribution travels encoded (inside a pairwise message).
    let encoded = own.distribution(&bob()).encode();
    let distribution = SenderKeyDistribution::decode(&encoded).unwrap();
    record.process(&GROUP, &bob(), &distribution).unwrap();
    (own, record, rng)
}

#[test]
fn members_decrypt_in_order_out_of_order_and_once() {
    let (mut own, mut record, _) = member_pair(1);
    let messages: Vec<_> = (0..20)
        .map(|i| own.encrypt(&bob(), format!("{i}").as_bytes()).unwrap())
        .collect();
    for i in [
        3usize, 0, 19, 1, 2, 10, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18,
    ] {
        let wire = SenderKeyMessage::decode(&messages[i].encode()).unwrap();
        assert_eq!(
            *record.decrypt(&bob(), &wire).unwrap(),
            format!("{i}").as_bytes()
        );
    }
    for message in &messages {
        assert_eq!(
            record.decrypt(&bob(), message),
            Err(SenderKeyError::Duplicate)
        );
    }
}

#[test]
fn forged_or_tampered_group_messages_are_refused_unchanged() {
    let (mut own, mut record, mut rng) = member_pair(2);
    let message = own.encrypt(&bob(), b"real").unwrap();
    let before = record.to_bytes();
    let encoded = message.encode();
    for position in 0..encoded.len() {
        let mut bytes = encoded.clone();
        bytes[position] ^= 0x01;
        if let Ok(tampered) = SenderKeyMessage::decode(&bytes) {
            assert!(
                record.decrypt(&bob(), &tampered).is_err(),
                "flip at {position} accepted"
            );
        }
        assert_eq!(record.to_bytes(), before);
    }
    // A member who knows the chain key but not the signing key cannot forge.
    let mut impostor = OwnSenderKey::generate(GROUP, &mut rng);
    let mut forged = impostor.encrypt(&bob(), b"fake").unwrap();
    forged.chain_id = message.chain_id;
    assert_eq!(
        record.decrypt(&bob(), &forged),
        Err(SenderKeyError::BadSignature)
    );
    assert_eq!(*record.decrypt(&bob(), &message).unwrap(), b"real");
}

#[test]
fn a_rotated_sender_key_is_a_chain_old_holders_cannot_follow() {
    let (mut own, mut current_member, mut rng) = member_pair(3);
    let mut removed_member = current_member.clone();
    own.encrypt(&bob(), b"before").unwrap();
    // The sender rotates after a member left; only remaining members get the new distribution.
    own = OwnSenderKey::generate(GROUP, &mut rng);
    current_member
        .process(&GROUP, &bob(), &own.distribution(&bob()))
        .unwrap();
    let after = own.encrypt(&bob(), b"after the removal").unwrap();
    assert_eq!(
        *current_member.decrypt(&bob(), &after).unwrap(),
        b"after the removal"
    );
    assert_eq!(
        removed_member.decrypt(&bob(), &after),
        Err(SenderKeyError::UnknownChain)
    );
}

#[test]
fn a_jump_too_far_ahead_is_refused() {
    let (mut own, mut record, _) = member_pair(4);
    let mut last = None;
    for _ in 0..=MAX_SENDER_SKIP + 1 {
        last = Some(own.encrypt(&bob(), b"x").unwrap());
    }
    let before = record.to_bytes();
    assert_eq!(
        record.decrypt(&bob(), &last.unwrap()),
        Err(SenderKeyError::TooFarAhead)
    );
    assert_eq!(record.to_bytes(), before);
}

#[test]
fn a_replayed_distribution_cannot_rewind_a_chain() {
    let (mut own, mut record, _) = member_pair(5);
    let old = own.distribution(&bob());
    let first = own.encrypt(&bob(), b"first").unwrap();
    record.decrypt(&bob(), &first).unwrap();
    record.process(&GROUP, &bob(), &old).unwrap();
    assert_eq!(
        record.decrypt(&bob(), &first),
        Err(SenderKeyError::Duplicate)
    );
}

#[test]
fn sender_key_state_round_trips() {
    let (mut own, mut record, _) = member_pair(6);
    let m0 = own.encrypt(&bob(), b"0").unwrap();
    let m1 = own.encrypt(&bob(), b"1").unwrap();
    record.decrypt(&bob(), &m1).unwrap();
    let mut own = OwnSenderKey::from_bytes(&own.to_bytes()).unwrap();
    let mut record = SenderKeyRecord::from_bytes(&record.to_bytes()).unwrap();
    assert_eq!(*record.decrypt(&bob(), &m0).unwrap(), b"0");
    let m2 = own.encrypt(&bob(), b"2").unwrap();
    assert_eq!(*record.decrypt(&bob(), &m2).unwrap(), b"2");
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

#[test]
#[allow(clippy::unwrap_used)]
fn a_sender_key_is_bound_to_its_device_and_group() {
    let (mut own, _, _) = member_pair(7);
    let mallory = DeviceAddress::new("mallory", 1).unwrap();
    let bobs = own.distribution(&bob());
    let mut record = SenderKeyRecord::new();
    // Forwarded by Mallory as it is: it names Bob.
    assert_eq!(
        record.process(&GROUP, &mallory, &bobs),
        Err(SenderKeyError::WrongSender)
    );
    // Rewritten to name Mallory: Bob's signing key did not sign that.
    let mut renamed = SenderKeyDistribution::decode(&bobs.encode()).unwrap();
    renamed.sender = mallory.clone();
    assert_eq!(
        record.process(&GROUP, &mallory, &renamed),
        Err(SenderKeyError::BadSignature)
    );
    // For another group.
    assert_eq!(
        record.process(b"group-0000000002", &bob(), &bobs),
        Err(SenderKeyError::WrongSender)
    );
    // Bob's own is taken; his message, delivered as Mallory's, does not verify.
    record.process(&GROUP, &bob(), &bobs).unwrap();
    let message = own.encrypt(&bob(), b"from bob").unwrap();
    assert_eq!(
        record.decrypt(&mallory, &message),
        Err(SenderKeyError::BadSignature)
    );
    assert_eq!(*record.decrypt(&bob(), &message).unwrap(), b"from bob");
}

/// `own`'s next `n` messages.
#[allow(clippy::unwrap_used)]
fn burst(own: &mut OwnSenderKey, n: usize) -> Vec<SenderKeyMessage> {
    (0..n)
        .map(|i| own.encrypt(&bob(), format!("{i}").as_bytes()).unwrap())
        .collect()
}

#[test]
#[allow(clippy::unwrap_used)]
fn skipped_sender_keys_expire_by_age() {
    let (mut own, mut record, _) = member_pair(8);
    let sent = burst(&mut own, 1100);
    // Jumps within the bound: 0..500 and 501..1000 are skipped.
    record.decrypt(&bob(), &sent[500]).unwrap();
    record.decrypt(&bob(), &sent[1001]).unwrap();
    // The chain moved on more than MAX_SKIP past message 0: its key is gone, as a pairwise
    // skipped key goes after MAX_SKIPPED_AGE steps. A recent one still opens.
    assert_eq!(
        record.decrypt(&bob(), &sent[0]),
        Err(SenderKeyError::Duplicate)
    );
    assert_eq!(*record.decrypt(&bob(), &sent[600]).unwrap(), b"600");
}

#[test]
#[allow(clippy::unwrap_used)]
fn skipped_sender_keys_are_bounded_per_sender_like_a_session() {
    let mut rng = rng(9);
    let mut record = SenderKeyRecord::new();
    let mut firsts = Vec::new();
    // Three chains (rotations), each with MAX_SKIP keys skipped.
    for _ in 0..3 {
        let mut own = OwnSenderKey::generate(GROUP, &mut rng);
        record
            .process(&GROUP, &bob(), &own.distribution(&bob()))
            .unwrap();
        let sent = burst(&mut own, 1001);
        record.decrypt(&bob(), &sent[1000]).unwrap();
        // (Message 0 is just past the age bound; message 1 is not.)
        firsts.push(sent[1].clone());
    }
    // At most MAX_SKIPPED_KEYS for the sender, the oldest evicted first.
    assert_eq!(
        record.decrypt(&bob(), &firsts[0]),
        Err(SenderKeyError::Duplicate)
    );
    assert!(record.skipped_keys() <= hush_protocol::ratchet::MAX_SKIPPED_KEYS);
    assert_eq!(*record.decrypt(&bob(), &firsts[2]).unwrap(), b"1");
}

/// Found by fuzzing (state_decode): a stored record of this version holding keys its own build
/// would have expired was loaded and pruned, so it did not re-encode as itself. This build
/// expires keys on every decrypt, so only an earlier version's record may hold them.
#[test]
fn a_stored_record_of_this_version_with_expired_keys_is_refused_and_an_older_one_migrated() {
    let bytes = from_hex("02840111111111111111111111111111111111000000024e33fb8d000000010a07e0ba26fa15262a95a35321e017fc3e66830d762c6d74136119652312a19d4cb528a2400055a79de73299bb0cdf3aad31dd4507dc60413e5b5a47b43e3fce00000000de6a6c04000200045a92e634224619e8574c63fd6202711f36b41de985f97bc6b2ebdf03cbc5cc9a760c17825e1654e60ae28f53b030b0cd16d44f5867071bd3fbe3bf4e393b7f6700000003000000009831f3900e94c24fcc105df2064d6e8fe9d5955e9a08efeb77c4f632ca424b9d00000001e5a02b63db65467e182ca87550af2db2143640ccec604783f93a65ba3a0f7bd1000000028553a42d01e5359e72c99b70f4e8821898cbcc3b1a821a304be130e9f0b1623f");
    assert_eq!(
        SenderKeyRecord::from_bytes(&bytes).err(),
        Some(hush_protocol::DecodeError::Invalid("expired sender keys"))
    );
    let mut older = bytes.clone();
    older[0] = 1;
    let migrated = SenderKeyRecord::from_bytes(&older).unwrap();
    let again = SenderKeyRecord::from_bytes(&migrated.to_bytes()).unwrap();
    assert_eq!(again.to_bytes(), migrated.to_bytes());
}

/// Bytes from hex (the text is this file's own: a bad digit reads as 0 and the test fails).
fn from_hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap_or(0))
        .collect()
}
