//! The Double Ratchet and X3DH behaving as the Signal specs say, and refusing what an attacker
//! can send. Runs natively and, compiled for wasm32, in headless Chromium.
// On wasm32 the tests are #[wasm_bindgen_test] functions: clippy.toml's test allowances
// do not reach them.
#![cfg_attr(target_arch = "wasm32", allow(clippy::unwrap_used, clippy::panic))]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::*;
use hush_protocol::keys::SignedPreKeyPair;
use hush_protocol::ratchet::{DecryptError, EncryptError, Session, MAX_SKIP};
use hush_protocol::record::SessionRecord;
use hush_protocol::wire::{Message, RatchetMessage, MAX_PLAINTEXT};
use hush_protocol::x3dh::{self, X3dhError};
use hush_protocol::{DecodeError, DeviceAddress, IdentityKeyPair};
use rand_chacha::rand_core::RngCore;

#[test]
fn long_conversation_in_both_directions() {
    let (_, mut a, _, mut b, mut rng) = pair(1, true);
    for round in 0..300u32 {
        // Bursts of 1 to 4 in a random direction, so some rounds ratchet and some do not.
        let burst = 1 + rng.next_u32() % 4;
        let alice_sends = rng.next_u32() % 2 == 0;
        for i in 0..burst {
            let text = format!("round {round} message {i}");
            let (from, to) = if alice_sends {
                (&mut a, &mut b)
            } else {
                (&mut b, &mut a)
            };
            let message = ratchet(from.encrypt(text.as_bytes()).unwrap());
            assert_eq!(*to.decrypt(&message, &mut rng).unwrap(), text.as_bytes());
        }
    }
    assert_eq!(a.skipped_keys() + b.skipped_keys(), 0);
}

#[test]
fn prekey_header_is_repeated_until_the_first_reply() {
    let (_, mut a, _, mut b, mut rng) = pair(2, false);
    assert!(!a.is_confirmed());
    assert!(matches!(a.encrypt(b"again").unwrap(), Message::PreKey(_)));
    let reply = ratchet(b.encrypt(b"reply").unwrap());
    a.decrypt(&reply, &mut rng).unwrap();
    assert!(a.is_confirmed());
    assert!(matches!(
        a.encrypt(b"now plain").unwrap(),
        Message::Ratchet(_)
    ));
}

#[test]
fn out_of_order_across_ratchet_steps() {
    let (_, mut a, _, mut b, mut rng) = pair(3, true);
    let mut sent = Vec::new();
    for step in 0..3 {
        for i in 0..5 {
            let text = format!("{step}/{i}");
            sent.push((ratchet(a.encrypt(text.as_bytes()).unwrap()), text));
        }
        // Bob replies (Alice ratchets) without having read anything of this burst.
        let reply = ratchet(b.encrypt(b"ack").unwrap());
        a.decrypt(&reply, &mut rng).unwrap();
    }
    // Deliver backwards: every one needs a skipped key or a new chain.
    for (message, text) in sent.iter().rev() {
        assert_eq!(*b.decrypt(message, &mut rng).unwrap(), text.as_bytes());
    }
    assert_eq!(
        b.skipped_keys(),
        0,
        "every skipped key was used exactly once"
    );
}

#[test]
fn a_jump_beyond_max_skip_is_refused_and_changes_nothing() {
    let (_, mut a, _, mut b, mut rng) = pair(4, true);
    let mut last = None;
    for _ in 0..=MAX_SKIP + 1 {
        last = Some(ratchet(a.encrypt(b"x").unwrap()));
    }
    let before = b.to_bytes();
    assert_eq!(
        b.decrypt(&last.unwrap(), &mut rng),
        Err(DecryptError::TooFarAhead)
    );
    assert_eq!(b.to_bytes(), before);

    // A forged index near u32::MAX is refused before deriving anything.
    let mut forged = ratchet(a.encrypt(b"y").unwrap());
    forged.header.index = u32::MAX;
    assert_eq!(b.decrypt(&forged, &mut rng), Err(DecryptError::TooFarAhead));
    forged.header.previous_chain_len = u32::MAX;
    forged.header.ratchet_key = x25519_public(&mut rng);
    assert_eq!(b.decrypt(&forged, &mut rng), Err(DecryptError::TooFarAhead));
    assert_eq!(b.to_bytes(), before);
}

fn x25519_public(rng: &mut TestRng) -> x25519_dalek::PublicKey {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    x25519_dalek::PublicKey::from(bytes)
}

#[test]
fn replays_are_refused_on_every_path() {
    let (_, mut a, _, mut b, mut rng) = pair(5, true);
    let m1 = ratchet(a.encrypt(b"one").unwrap());
    let m2 = ratchet(a.encrypt(b"two").unwrap());
    // In order, then replayed.
    b.decrypt(&m1, &mut rng).unwrap();
    assert_eq!(b.decrypt(&m1, &mut rng), Err(DecryptError::Duplicate));
    // Through a skipped key: m3 first, then m2, then m2 again.
    let m3 = ratchet(a.encrypt(b"three").unwrap());
    b.decrypt(&m3, &mut rng).unwrap();
    b.decrypt(&m2, &mut rng).unwrap();
    let before = b.to_bytes();
    assert_eq!(b.decrypt(&m2, &mut rng), Err(DecryptError::Duplicate));
    // From a chain that has since been replaced by a DH ratchet step.
    let reply = ratchet(b.encrypt(b"reply").unwrap());
    a.decrypt(&reply, &mut rng).unwrap();
    let m4 = ratchet(a.encrypt(b"four").unwrap());
    b.decrypt(&m4, &mut rng).unwrap();
    let before_old = b.to_bytes();
    assert_eq!(b.decrypt(&m3, &mut rng), Err(DecryptError::Duplicate));
    assert_eq!(b.to_bytes(), before_old);
    assert_ne!(before, before_old);
}

/// Flips every byte of `encoded`, one at a time; each must be refused with `session` unchanged.
fn assert_every_flip_refused(session: &mut Session, encoded: &[u8], rng: &mut TestRng) {
    let before = session.to_bytes();
    for position in 0..encoded.len() {
        for mask in [0x01u8, 0x80] {
            let mut bytes = encoded.to_vec();
            bytes[position] ^= mask;
            if let Ok(message) = RatchetMessage::decode(&bytes) {
                assert!(
                    session.decrypt(&message, rng).is_err(),
                    "flip {mask:#x} at byte {position} was accepted"
                );
            }
            assert_eq!(
                session.to_bytes(),
                before,
                "flip at byte {position} changed the session"
            );
        }
    }
}

#[test]
fn every_single_byte_flip_is_refused_and_leaves_the_session_unchanged() {
    let (_, mut a, _, mut b, mut rng) = pair(6, true);
    // Same chain.
    let same_chain = ratchet(a.encrypt(b"a message in the current chain").unwrap()).encode();
    assert_every_flip_refused(&mut b, &same_chain, &mut rng);
    // New chain (the receiver must do a DH ratchet step to read it).
    let reply = ratchet(b.encrypt(b"reply").unwrap());
    a.decrypt(&reply, &mut rng).unwrap();
    let new_chain = ratchet(a.encrypt(b"a message after a ratchet step").unwrap()).encode();
    assert_every_flip_refused(&mut b, &new_chain, &mut rng);
    // Unflipped they still decrypt, in any order.
    assert!(b
        .decrypt(&RatchetMessage::decode(&new_chain).unwrap(), &mut rng)
        .is_ok());
    assert!(b
        .decrypt(&RatchetMessage::decode(&same_chain).unwrap(), &mut rng)
        .is_ok());
}

#[test]
fn every_byte_flip_of_a_prekey_message_is_refused() {
    let mut rng = rng(7);
    let alice = Device::new("alice", 1, &mut rng);
    let bob = Device::new("bob", 1, &mut rng);
    let mut a =
        x3dh::initiate(&alice.identity, &alice.address, &bob.bundle(true), &mut rng).unwrap();
    let encoded = a.encrypt(b"first").unwrap().encode();
    for position in 0..encoded.len() {
        let mut bytes = encoded.to_vec();
        bytes[position] ^= 0x01;
        let Ok(Message::PreKey(message)) = Message::decode(&bytes) else {
            continue;
        };
        let result = x3dh::respond(
            &bob.identity,
            &bob.address,
            &bob.signed_prekey,
            bob.one_time(message.one_time_prekey_id),
            &message,
            &mut rng,
        );
        assert!(result.is_err(), "flip at byte {position} accepted");
    }
}

#[test]
fn a_prekey_message_readdressed_from_or_to_another_device_is_refused() {
    let mut rng = rng(8);
    let alice = Device::new("alice", 1, &mut rng);
    let bob = Device::new("bob", 1, &mut rng);
    let mallory = Device::new("mallory", 1, &mut rng);
    let mut a =
        x3dh::initiate(&alice.identity, &alice.address, &bob.bundle(true), &mut rng).unwrap();
    let original = prekey(a.encrypt(b"for bob's first device").unwrap());
    let respond =
        |message: &hush_protocol::wire::PreKeyMessage, at: &DeviceAddress, rng: &mut TestRng| {
            x3dh::respond(
                &bob.identity,
                at,
                &bob.signed_prekey,
                bob.one_time(message.one_time_prekey_id),
                message,
                rng,
            )
        };

    // Delivered to another device of Bob's (even one holding the same keys).
    let bob2 = DeviceAddress::new("bob", 2).unwrap();
    assert_eq!(
        respond(&original, &bob2, &mut rng).err(),
        Some(X3dhError::WrongRecipient)
    );
    let mut to_bob2 = original.clone();
    to_bob2.recipient = bob2.clone();
    assert_eq!(
        respond(&to_bob2, &bob2, &mut rng).err(),
        Some(X3dhError::Decrypt(DecryptError::BadMessage))
    );
    // Claimed to come from another device or account.
    let mut from_other_device = original.clone();
    from_other_device.sender = DeviceAddress::new("alice", 2).unwrap();
    assert!(respond(&from_other_device, &bob.address, &mut rng).is_err());
    let mut from_mallory = original.clone();
    from_mallory.sender = mallory.address.clone();
    from_mallory.sender_identity = mallory.identity.public();
    assert!(respond(&from_mallory, &bob.address, &mut rng).is_err());
    // The original is fine.
    assert!(respond(&original, &bob.address, &mut rng).is_ok());
}

#[test]
fn a_bad_signed_prekey_signature_aborts_with_nothing_created() {
    let mut rng = rng(9);
    let alice = Device::new("alice", 1, &mut rng);
    let bob = Device::new("bob", 1, &mut rng);
    let mut bundle = bob.bundle(true);
    bundle.signed_prekey.signature[10] ^= 1;
    assert_eq!(
        x3dh::initiate(&alice.identity, &alice.address, &bundle, &mut rng).err(),
        Some(X3dhError::BadSignature)
    );
    // A valid signature by someone else's identity does not count either.
    let mut substituted = bob.bundle(true);
    substituted.identity = IdentityKeyPair::generate(&mut rng).public();
    assert_eq!(
        x3dh::initiate(&alice.identity, &alice.address, &substituted, &mut rng).err(),
        Some(X3dhError::BadSignature)
    );
}

#[test]
fn low_order_keys_are_refused_everywhere() {
    let mut rng = rng(10);
    let alice = Device::new("alice", 1, &mut rng);
    let bob = Device::new("bob", 1, &mut rng);
    let zero = x25519_dalek::PublicKey::from([0u8; 32]);
    let mut bundle = bob.bundle(true);
    bundle.one_time_prekey = Some(hush_protocol::keys::OneTimePreKey {
        id: 100,
        public: zero,
    });
    assert_eq!(
        x3dh::initiate(&alice.identity, &alice.address, &bundle, &mut rng).err(),
        Some(X3dhError::NonContributory)
    );
    let (_, mut a, _, mut b, mut rng) = pair(11, true);
    let mut message = ratchet(a.encrypt(b"x").unwrap());
    message.header.ratchet_key = zero;
    let before = b.to_bytes();
    assert_eq!(
        b.decrypt(&message, &mut rng),
        Err(DecryptError::InvalidRatchetKey)
    );
    assert_eq!(b.to_bytes(), before);
}

#[test]
fn a_missing_one_time_prekey_is_a_clear_error() {
    let mut rng = rng(12);
    let alice = Device::new("alice", 1, &mut rng);
    let bob = Device::new("bob", 1, &mut rng);
    let mut a =
        x3dh::initiate(&alice.identity, &alice.address, &bob.bundle(true), &mut rng).unwrap();
    let first = prekey(a.encrypt(b"hi").unwrap());
    let result = x3dh::respond(
        &bob.identity,
        &bob.address,
        &bob.signed_prekey,
        None,
        &first,
        &mut rng,
    );
    assert_eq!(result.err(), Some(X3dhError::OneTimePreKeyMissing));
    // Without a one-time prekey in the bundle, X3DH runs with DH1..DH3.
    let mut a = x3dh::initiate(
        &alice.identity,
        &alice.address,
        &bob.bundle(false),
        &mut rng,
    )
    .unwrap();
    let first = prekey(a.encrypt(b"hi").unwrap());
    assert_eq!(first.one_time_prekey_id, None);
    let (_, plaintext) = x3dh::respond(
        &bob.identity,
        &bob.address,
        &bob.signed_prekey,
        None,
        &first,
        &mut rng,
    )
    .unwrap();
    assert_eq!(*plaintext, b"hi");
}

#[test]
fn simultaneous_initiation_converges() {
    let mut rng = rng(13);
    let alice = Device::new("alice", 1, &mut rng);
    let bob = Device::new("bob", 1, &mut rng);
    let (mut ra, mut rb) = (SessionRecord::new(), SessionRecord::new());
    ra.promote(
        x3dh::initiate(&alice.identity, &alice.address, &bob.bundle(true), &mut rng).unwrap(),
    );
    let mut bob_bundle_for_alice = alice.bundle(true);
    bob_bundle_for_alice.one_time_prekey = Some(alice.one_time_prekeys[1].public());
    rb.promote(
        x3dh::initiate(&bob.identity, &bob.address, &bob_bundle_for_alice, &mut rng).unwrap(),
    );
    // Both send before hearing from the other.
    let from_a = ra.encrypt(b"a first").unwrap();
    let from_b = rb.encrypt(b"b first").unwrap();
    assert_eq!(
        deliver(&mut rb, &bob, &from_a, &mut rng).unwrap(),
        b"a first"
    );
    assert_eq!(
        deliver(&mut ra, &alice, &from_b, &mut rng).unwrap(),
        b"b first"
    );
    assert_eq!((ra.len(), rb.len()), (2, 2));
    // Then they talk; every message decrypts, and they end on the same session.
    for i in 0..6 {
        let text = format!("turn {i}");
        let (from, to, to_device) = if i % 2 == 0 {
            (&mut ra, &mut rb, &bob)
        } else {
            (&mut rb, &mut ra, &alice)
        };
        let message = from.encrypt(text.as_bytes()).unwrap();
        assert_eq!(
            deliver(to, to_device, &message, &mut rng).unwrap(),
            text.as_bytes()
        );
    }
    assert_eq!(
        ra.current().unwrap().base_key(),
        rb.current().unwrap().base_key()
    );
}

#[test]
fn stored_state_round_trips_mid_conversation() {
    let (_, a, _, b, mut rng) = pair(14, true);
    let (mut a, mut b) = (a, b);
    let mut pending = Vec::new();
    for i in 0..10 {
        pending.push(ratchet(a.encrypt(format!("{i}").as_bytes()).unwrap()));
    }
    // Bob reads a few out of order, so his state holds skipped keys; then both restart.
    b.decrypt(&pending[7], &mut rng).unwrap();
    a = Session::from_bytes(&a.to_bytes()).unwrap();
    b = Session::from_bytes(&b.to_bytes()).unwrap();
    assert_eq!(b.skipped_keys(), 7);
    for (i, message) in pending.iter().enumerate().filter(|(i, _)| *i != 7) {
        assert_eq!(
            *b.decrypt(message, &mut rng).unwrap(),
            format!("{i}").as_bytes()
        );
    }
    let reply = ratchet(b.encrypt(b"after restart").unwrap());
    assert_eq!(*a.decrypt(&reply, &mut rng).unwrap(), b"after restart");
    let record = {
        let mut r = SessionRecord::new();
        r.promote(a.clone());
        r
    };
    let restored = SessionRecord::from_bytes(&record.to_bytes()).unwrap();
    assert_eq!(restored.to_bytes(), record.to_bytes());
}

#[test]
fn corrupted_or_foreign_state_is_a_clear_error() {
    let (_, a, _, _, _) = pair(15, true);
    let good = a.to_bytes();
    assert_eq!(
        Session::from_bytes(&good[..good.len() - 1]).err(),
        Some(DecodeError::Truncated)
    );
    let mut longer = good.to_vec();
    longer.push(0);
    assert_eq!(
        Session::from_bytes(&longer).err(),
        Some(DecodeError::TrailingBytes)
    );
    let mut future = good.to_vec();
    future[0] = 99;
    assert_eq!(
        Session::from_bytes(&future).err(),
        Some(DecodeError::UnsupportedVersion(99))
    );
    // A session an earlier build stored (version 1, same layout) still loads.
    let mut earlier = good.to_vec();
    earlier[0] = 1;
    assert!(Session::from_bytes(&earlier).is_ok());
    assert!(matches!(
        SessionRecord::from_bytes(&good),
        Err(DecodeError::UnexpectedType(_))
    ));
    assert!(Session::from_bytes(&[]).is_err());
    // Every truncation fails cleanly.
    for len in 0..good.len() {
        assert!(Session::from_bytes(&good[..len]).is_err());
    }
}

#[test]
fn oversized_plaintext_is_refused() {
    let (_, mut a, _, _, _) = pair(16, true);
    assert_eq!(
        a.encrypt(&vec![0; MAX_PLAINTEXT + 1]).err(),
        Some(EncryptError::TooLong)
    );
    assert!(a.encrypt(&vec![0; MAX_PLAINTEXT]).is_ok());
}

#[test]
fn secrets_never_show_in_debug_output() {
    let (alice, a, _, _, _) = pair(17, true);
    let shown = format!("{a:?} {:?} {:?}", alice.identity, alice.signed_prekey);
    assert!(!shown.contains(&hush_protocol::hex::encode(&alice.identity.to_bytes()[..8])));
    assert!(!shown.contains(&hush_protocol::hex::encode(
        &alice.identity.to_bytes()[32..40]
    )));
    assert!(!shown.contains(&hush_protocol::hex::encode(
        &alice.signed_prekey.to_bytes()[4..12]
    )));
}

/// Alice's session towards Bob (with his one-time prekey), and Bob's record after her first
/// message: she has not heard from him, so her next messages are prekey messages too.
#[allow(clippy::unwrap_used)]
fn started_by_alice(seed: u64) -> (Device, Device, Session, SessionRecord, TestRng) {
    let mut rng = rng(seed);
    let alice = Device::new("alice", 3, &mut rng);
    let bob = Device::new("bob", 1, &mut rng);
    let mut a =
        x3dh::initiate(&alice.identity, &alice.address, &bob.bundle(true), &mut rng).unwrap();
    let mut record = SessionRecord::new();
    let first = a.encrypt(b"first").unwrap();
    deliver(&mut record, &bob, &first, &mut rng).unwrap();
    (alice, bob, a, record, rng)
}

/// Found by the `ratchet_decrypt` fuzz target: a repeated prekey message whose outer X3DH
/// fields were rewritten used to be accepted by the session it started.
#[test]
fn a_repeated_prekey_message_with_any_altered_field_is_refused() {
    let (alice, bob, mut a, mut record, mut rng) = started_by_alice(18);
    let second = prekey(a.encrypt(b"second").unwrap());
    type Alteration = Box<dyn Fn(&mut hush_protocol::wire::PreKeyMessage)>;
    let alterations: Vec<Alteration> = vec![
        Box::new(|m| m.sender = DeviceAddress::new("alice", 7).unwrap()),
        Box::new(|m| m.sender = DeviceAddress::new("alicf", 3).unwrap()),
        Box::new(|m| m.recipient = DeviceAddress::new("bob", 3).unwrap()),
        Box::new(|m| m.signed_prekey_id ^= 2),
        Box::new(|m| m.one_time_prekey_id = m.one_time_prekey_id.map(|id| id ^ 1)),
        // X25519 ignores bit 255; the associated data does not.
        Box::new(|m| {
            let mut key = m.base_key.to_bytes();
            key[31] ^= 0x80;
            m.base_key = x25519_dalek::PublicKey::from(key);
        }),
    ];
    let before = record.to_bytes();
    for (i, alter) in alterations.iter().enumerate() {
        let mut altered = second.clone();
        alter(&mut altered);
        let result = deliver(&mut record, &bob, &Message::PreKey(altered), &mut rng);
        assert!(result.is_err(), "alteration {i} accepted");
        assert_eq!(
            record.to_bytes(),
            before,
            "alteration {i} changed the record"
        );
    }
    assert_eq!(
        deliver(&mut record, &bob, &Message::PreKey(second), &mut rng).unwrap(),
        b"second"
    );

    // The very first message with the base key's ignored bit flipped does not start a session.
    let mut a = x3dh::initiate(
        &alice.identity,
        &alice.address,
        &bob.bundle(false),
        &mut rng,
    )
    .unwrap();
    let mut first = prekey(a.encrypt(b"first").unwrap());
    let mut key = first.base_key.to_bytes();
    key[31] ^= 0x80;
    first.base_key = x25519_dalek::PublicKey::from(key);
    let result = x3dh::respond(
        &bob.identity,
        &bob.address,
        &bob.signed_prekey,
        None,
        &first,
        &mut rng,
    );
    assert!(result.is_err());
}

#[test]
fn an_identity_key_has_one_encoding() {
    // X25519 ignores the top bit, so a set one would make a second encoding of the same key
    // (and a second accepted form of a prekey message): it is refused.
    let identity = IdentityKeyPair::generate(&mut rng(90)).public();
    let mut bytes = identity.to_bytes();
    assert_eq!(
        hush_protocol::IdentityKey::from_bytes(&bytes).unwrap(),
        identity
    );
    bytes[63] |= 0x80;
    assert_eq!(
        hush_protocol::IdentityKey::from_bytes(&bytes).err(),
        Some(DecodeError::Invalid("identity key"))
    );
}

#[test]
fn x25519_keys_on_the_wire_have_one_encoding() {
    // The same for every X25519 key a peer sends: the ratchet key of a message, and the base
    // key of a prekey message.
    let (_, mut a, _, _, _) = pair(91, false);
    let first = a.encrypt(b"hi").unwrap();
    let Message::PreKey(prekey) = first else {
        panic!("an unconfirmed session sends prekey messages");
    };
    let bytes = prekey.message.encode();
    assert!(RatchetMessage::decode(&bytes).is_ok());
    let mut flipped = bytes.clone();
    flipped[2 + 31] |= 0x80;
    assert_eq!(
        RatchetMessage::decode(&flipped).err(),
        Some(DecodeError::Invalid("ratchet key"))
    );
    let whole = Message::PreKey(prekey.clone()).encode();
    let base_key_end = whole
        .windows(32)
        .position(|w| w == prekey.base_key.as_bytes())
        .unwrap()
        + 31;
    let mut flipped = whole.clone();
    flipped[base_key_end] |= 0x80;
    assert!(Message::decode(&flipped).is_err());
}

/// Found by the `ratchet_decrypt` fuzz target: once Bob has the session, the ratchet message
/// inside a later prekey message also decrypts alone (as in Signal; a relay may strip the
/// wrapper). It is the same message: same plaintext, and its key is then used up, so neither
/// form decrypts again.
#[test]
fn a_prekey_messages_inner_message_is_the_same_message_once_the_session_exists() {
    let (_, bob, mut a, mut record, mut rng) = started_by_alice(19);
    let second = prekey(a.encrypt(b"second").unwrap());
    let inner = Message::Ratchet(second.message.clone());
    assert_eq!(
        deliver(&mut record, &bob, &inner, &mut rng).unwrap(),
        b"second"
    );
    let before = record.to_bytes();
    for again in [inner, Message::PreKey(second)] {
        assert!(deliver(&mut record, &bob, &again, &mut rng).is_err());
        assert_eq!(record.to_bytes(), before);
    }
    // To a record without the session, the inner message alone starts nothing.
    let mut fresh = SessionRecord::new();
    let third = prekey(a.encrypt(b"third").unwrap());
    let alone = Message::Ratchet(third.message);
    assert!(deliver(&mut fresh, &bob, &alone, &mut rng).is_err());
    assert!(fresh.to_bytes() == SessionRecord::new().to_bytes());
}

#[test]
fn a_first_message_on_an_older_signed_prekey_never_replaces_a_newer_session() {
    let mut rng = rng(40);
    let alice = Device::new("alice", 1, &mut rng);
    let mut bob = Device::new("bob", 1, &mut rng);
    // Alice's first message on Bob's signed prekey 1, kept by the relay, not delivered.
    let mut old = x3dh::initiate(
        &alice.identity,
        &alice.address,
        &bob.bundle(false),
        &mut rng,
    )
    .unwrap();
    let replayed = prekey(old.encrypt(b"old").unwrap());
    // Bob rotates to signed prekey 2; Alice's newer session on it is Bob's current one.
    let newer = SignedPreKeyPair::generate(2, &bob.identity, &mut rng);
    let old_spk = std::mem::replace(&mut bob.signed_prekey, newer);
    let mut new = x3dh::initiate(
        &alice.identity,
        &alice.address,
        &bob.bundle(false),
        &mut rng,
    )
    .unwrap();
    let first = prekey(new.encrypt(b"new").unwrap());
    let mut record = SessionRecord::new();
    record
        .decrypt_prekey(
            &first,
            &bob.identity,
            &bob.address,
            Some(&bob.signed_prekey),
            None,
            &mut rng,
        )
        .unwrap();
    let before = record.to_bytes();
    // Even with the old signed prekey still held (its grace period), the older message is
    // refused and nothing changes.
    let result = record.decrypt_prekey(
        &replayed,
        &bob.identity,
        &bob.address,
        Some(&old_spk),
        None,
        &mut rng,
    );
    assert_eq!(result.err(), Some(X3dhError::Stale));
    assert_eq!(record.to_bytes(), before);
}

/// Found by fuzzing (state_decode): a record of this version holding a session of the first
/// version loaded and re-encoded differently. This build writes both in one version, so only an
/// earlier build's record may hold earlier sessions; such a record still loads.
#[test]
fn a_stored_record_of_this_version_holding_an_earlier_session_is_refused() {
    let hex = "0282000000020000017b018100d65db97d14d97709d859bb2862ac457b4ac45593524386e09215d87736e07323fd36d3cb15f10bb7af1ba5244f377dc5e7701849a6c61319e24378c9d37f602c55af3278c67d3cf5ac5072fa9726613cea389eab6c5f62ba119f5694f1358f17628835faba79d3263f9808e46c2046f8cdae7043d9fbcd50661979c1e706a26c00000003626f620000000100000005616c69636500000003eeb3257156ccb7a426bf442deb651c8bac66f7525ddd201bb93dc3618cfd9b190000000100019980a089d3a7b6d679b263ca137b22cefc9ddfb62bff7420714613753461d60dc45a3a9431b7c40a2171c11eb295f36358cee28f0d055f298a50ab23fcb0991e01390624b92b60d62b037d597852c95b2d79cea936f8a417bf487fc6c0a29fc198000000000000000001ba7d2af74dfd382f74818bdbd443b865432a57881e12f2af9c8576af5dc9a1762c4e63f5f5970d17325767cf379f205f378573f89f010690affb62da9c146064000000010000000000000000000000010000017f028100d65db97d14d97709d859bb2862ac457b4ac45593524386e09215d87736e07323fd36d3cb15f10bb7af1ba5244f377dc5e7701849a6c61319e24378c9d37f602c55af3278c67d3cf5ac5072fa9726613cea389eab6c5f62ba119f5694f1358f17628835faba84d3263f9808e46c2046f8cdae7043d9fbcd50661979c1e706a26c00000003626f620000000100000005616c696365000000027f5237d6478bf5235ec0613377abdb9fe9d2d09aecfc0f1611624c2290169b2f00000001010000000801300a1f42ee84a8b51ba004d34f90c82d957cd7b78b62929086f3026fbdb49bd164c7185917c990d6b78f08002f3c37304fb8c68cb51714d0fc6e55d1a5ae7bb401732d976e8ca2e7019328c68350d29f25cc651e84a3d8289c5b652d8d8dd8c7ad000000000000000001ea27e604c5988bc347cfdd1cb44ce46de1d8f644dd63b5c6bd217acfaecb6c1b97f4a0dbd553576cf7e282c6c7c059a7a25654114bb9d3b35c70319f074e3d1a00000001000000000000000000000001";
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(
        SessionRecord::from_bytes(&bytes).err(),
        Some(hush_protocol::DecodeError::Invalid(
            "session of an earlier version"
        ))
    );
    let mut older = bytes.clone();
    older[0] = 1;
    let migrated = SessionRecord::from_bytes(&older).unwrap();
    let again = SessionRecord::from_bytes(&migrated.to_bytes()).unwrap();
    assert_eq!(again.to_bytes(), migrated.to_bytes());
}
