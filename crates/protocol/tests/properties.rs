//! Property tests: any delivery order within the window decrypts, and no decoder panics on
//! arbitrary bytes. Native only (proptest).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use hush_protocol::ratchet::Session;
use hush_protocol::record::SessionRecord;
use hush_protocol::sender_key::{OwnSenderKey, SenderKeyRecord};
use hush_protocol::wire::{Message, PreKeyBundle, SenderKeyDistribution, SenderKeyMessage};
use proptest::prelude::*;
use rand_chacha::rand_core::RngCore;

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Alice sends bursts separated by Bob's replies (so the bursts use different ratchet keys);
    /// Bob gets all of them in an arbitrary order and reads every one exactly once.
    #[test]
    fn any_permutation_across_ratchet_steps_decrypts(
        bursts in prop::collection::vec(1usize..8, 1..5),
        order_seed in any::<u64>(),
        seed in any::<u64>(),
    ) {
        let (_, mut a, _, mut b, mut rng) = pair(seed, true);
        let mut sent = Vec::new();
        for (step, size) in bursts.iter().enumerate() {
            for i in 0..*size {
                let text = format!("{step}/{i}");
                sent.push((ratchet(a.encrypt(text.as_bytes()).unwrap()), text));
            }
            let reply = ratchet(b.encrypt(b"ack").unwrap());
            a.decrypt(&reply, &mut rng).unwrap();
        }
        // Fisher-Yates with its own seed, so proptest can shrink the order independently.
        let mut order_rng = common::rng(order_seed);
        for i in (1..sent.len()).rev() {
            let j = (order_rng.next_u64() % (i as u64 + 1)) as usize;
            sent.swap(i, j);
        }
        for (message, text) in &sent {
            let plaintext = b.decrypt(message, &mut rng).unwrap();
            prop_assert_eq!(plaintext.as_slice(), text.as_bytes());
        }
        prop_assert_eq!(b.skipped_keys(), 0);
    }

    #[test]
    fn decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = Message::decode(&bytes);
        let _ = PreKeyBundle::decode(&bytes);
        let _ = SenderKeyMessage::decode(&bytes);
        let _ = SenderKeyDistribution::decode(&bytes);
        let _ = Session::from_bytes(&bytes);
        let _ = SessionRecord::from_bytes(&bytes);
        let _ = SenderKeyRecord::from_bytes(&bytes);
        let _ = OwnSenderKey::from_bytes(&bytes);
        let _ = hush_protocol::relay::ClientFrame::decode(&bytes);
        let _ = hush_protocol::relay::ServerFrame::decode(&bytes);
        let _ = hush_protocol::devices::DeviceList::decode(&bytes);
    }

    /// Valid encodings with a version and type prefix forced, so the decoders get past the
    /// first two bytes and into the fields.
    #[test]
    fn decoders_never_panic_past_the_header(kind in prop::sample::select(vec![1u8, 2, 3, 4, 5, 6, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x40, 0x42, 0x43, 0x44, 0x46, 0x49, 0x4A, 0x4B]), body in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut bytes = vec![hush_protocol::WIRE_VERSION, kind];
        bytes.extend_from_slice(&body);
        let _ = Message::decode(&bytes);
        let _ = PreKeyBundle::decode(&bytes);
        let _ = SenderKeyMessage::decode(&bytes);
        let _ = SenderKeyDistribution::decode(&bytes);
        let _ = hush_protocol::relay::ClientFrame::decode(&bytes);
        let _ = hush_protocol::relay::ServerFrame::decode(&bytes);
        let _ = hush_protocol::devices::DeviceList::decode(&bytes);
    }

    #[test]
    fn encodings_round_trip(seed in any::<u64>(), len in 0usize..300) {
        let (_, mut a, bob, _, _) = pair(seed, false);
        let message = a.encrypt(&vec![7u8; len]).unwrap();
        prop_assert_eq!(Message::decode(&message.encode()).unwrap(), message);
        let bundle = bob.bundle(true);
        prop_assert_eq!(PreKeyBundle::decode(&bundle.encode()).unwrap(), bundle);
    }
}
