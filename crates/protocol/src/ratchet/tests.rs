//! Unit tests of the ratchet that need its insides: counters at the end of their range, which
//! no honest peer reaches but a malicious one can claim.

use rand_chacha::rand_core::SeedableRng;

use super::*;
use crate::keys::{OneTimePreKeyPair, SignedPreKeyPair};
use crate::wire::PreKeyBundle;
use crate::{x3dh, IdentityKeyPair};

/// Alice's and Bob's sessions after Alice's first message and Bob's reply.
fn pair() -> (Session, Session, rand_chacha::ChaCha20Rng) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(10);
    let (alice, bob) = (
        IdentityKeyPair::generate(&mut rng),
        IdentityKeyPair::generate(&mut rng),
    );
    let alice_at = DeviceAddress::new("alice", 1).unwrap();
    let bob_at = DeviceAddress::new("bob", 1).unwrap();
    let spk = SignedPreKeyPair::generate(1, &bob, &mut rng);
    let otk = OneTimePreKeyPair::generate(2, &mut rng);
    let bundle = PreKeyBundle {
        identity: bob.public(),
        address: bob_at.clone(),
        signed_prekey: spk.public(),
        one_time_prekey: Some(otk.public()),
    };
    let mut a = x3dh::initiate(&alice, &alice_at, &bundle, &mut rng).unwrap();
    let Message::PreKey(first) = a.encrypt(b"hi").unwrap() else {
        panic!("expected a prekey message");
    };
    let (mut b, _) = x3dh::respond(&bob, &bob_at, &spk, Some(&otk), &first, &mut rng).unwrap();
    let Message::Ratchet(reply) = b.encrypt(b"hello").unwrap() else {
        panic!("expected a ratchet message");
    };
    a.decrypt(&reply, &mut rng).unwrap();
    (a, b, rng)
}

/// A message a malicious sender forges at `index` of `from`'s current sending chain, with
/// `from`'s send index moved to `index` first (the keys are those of that chain).
fn forged_at(from: &mut Session, previous_chain_len: u32, index: u32) -> RatchetMessage {
    let chain = from.send_chain.clone().unwrap();
    let (_, key) = chain.step();
    let header = RatchetHeader {
        ratchet_key: from.sending.public,
        previous_chain_len,
        index,
    };
    let ciphertext = key.seal(b"wrapped", &from.aead_ad(&header));
    RatchetMessage { header, ciphertext }
}

#[test]
fn an_index_at_u32_max_in_the_current_chain_is_a_typed_error() {
    let (mut a, mut b, mut rng) = pair();
    // Bob's receiving chain of Alice's key stands at the last index, as after 2^32-1 messages.
    let message = ratchet_of(a.encrypt(b"one").unwrap());
    b.decrypt(&message, &mut rng).unwrap();
    b.receiving.as_mut().unwrap().next_index = u32::MAX;
    let forged = forged_at(&mut a, 0, u32::MAX);
    let before = b.to_bytes();
    assert_eq!(
        b.decrypt(&forged, &mut rng),
        Err(DecryptError::CounterOverflow)
    );
    assert_eq!(*b.to_bytes(), *before, "the session is unchanged");
}

#[test]
fn an_index_at_u32_max_in_a_new_chain_is_a_typed_error() {
    let (mut a, mut b, mut rng) = pair();
    // Alice's new chain (after Bob's reply) claims the last index, with no skip to get there.
    let mut forged = forged_at(&mut a, 0, 0);
    forged.header.index = u32::MAX;
    let before = b.to_bytes();
    let result = b.decrypt(&forged, &mut rng);
    assert!(
        matches!(
            result,
            Err(DecryptError::TooFarAhead | DecryptError::CounterOverflow)
        ),
        "{result:?}"
    );
    assert_eq!(*b.to_bytes(), *before, "the session is unchanged");
}

#[test]
fn a_previous_chain_length_at_u32_max_is_a_typed_error() {
    let (mut a, mut b, mut rng) = pair();
    let message = ratchet_of(a.encrypt(b"one").unwrap());
    b.decrypt(&message, &mut rng).unwrap();
    b.receiving.as_mut().unwrap().next_index = u32::MAX;
    // A message of a chain Bob has not seen, claiming the old one ran to u32::MAX.
    let mut c = a.clone();
    c.sending = RatchetKeyPair::generate(&mut rng);
    let forged = forged_at(&mut c, u32::MAX, 0);
    let before = b.to_bytes();
    assert!(b.decrypt(&forged, &mut rng).is_err());
    assert_eq!(*b.to_bytes(), *before, "the session is unchanged");
}

fn ratchet_of(message: Message) -> RatchetMessage {
    match message {
        Message::Ratchet(m) => m,
        Message::PreKey(m) => m.message,
    }
}
