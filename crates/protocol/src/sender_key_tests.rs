//! Unit tests of sender keys that need their insides: counters at the end of their range.

use rand_chacha::rand_core::SeedableRng;

use super::*;

#[test]
fn an_iteration_at_u32_max_is_a_typed_error_and_changes_nothing() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(10);
    let mut own = OwnSenderKey::generate([3; 16], &mut rng);
    // As after 2^32-1 messages: the distribution and the message both stand at the last one.
    own.iteration = u32::MAX;
    let bob = DeviceAddress::new("bob", 1).unwrap();
    let mut record = SenderKeyRecord::new();
    record
        .process(&[3; 16], &bob, &own.distribution(&bob))
        .unwrap();
    own.iteration = u32::MAX - 1;
    let mut message = own.encrypt(&bob, b"last").unwrap();
    message.iteration = u32::MAX;
    message.signature = own.signing.sign(&message.signed_bytes(&bob)).to_bytes();
    let before = record.to_bytes();
    assert_eq!(
        record.decrypt(&bob, &message),
        Err(SenderKeyError::CounterOverflow)
    );
    assert_eq!(*record.to_bytes(), *before);
    // Encrypting at the last iteration is refused too.
    own.iteration = u32::MAX;
    assert_eq!(
        own.encrypt(&bob, b"more").unwrap_err(),
        EncryptError::ChainExhausted
    );
}
