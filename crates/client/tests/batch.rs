//! Receiving in batches, without a relay: the engine is sans-IO, so the test plays the relay
//! by turning one engine's frames into the other's.

use futures::executor::block_on;
use hush_client::loopback::{registered, texts};
use hush_client::store::memory::MemoryStore;
use hush_client::store::Store;
use hush_client::Event;
use hush_protocol::relay::{ClientFrame, ServerFrame};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

const NOW: u64 = 1_800_000_000_000;

#[test]
fn a_batch_is_one_commit_one_ack_and_survives_reordering_duplicates_and_garbage() {
    block_on(async {
        let rng = |seed| ChaCha20Rng::seed_from_u64(seed);
        let (mut alice, _) = registered(MemoryStore::new(), rng(1), "alice", NOW)
            .await
            .unwrap();
        let bob_store = MemoryStore::new();
        let (mut bob, bob_bundle) = registered(bob_store.clone(), rng(2), "bob", NOW)
            .await
            .unwrap();
        let mut envelopes = texts(&mut alice, &bob_bundle, 40, NOW).await.unwrap();
        // Out of order within the window, one duplicate, one garbage envelope.
        envelopes.swap(3, 17);
        envelopes.swap(20, 39);
        envelopes.push(envelopes[5].clone());
        envelopes.push(ServerFrame::Envelope {
            id: 999,
            sender: hush_client::Username::parse("alice").unwrap(),
            sender_device: 1,
            received_ms: NOW,
            // Garbage in our version (another version would be shown as "update needed").
            payload: vec![hush_protocol::WIRE_VERSION, 2, 3],
        });

        // A failed commit: nothing stored, nothing acked.
        bob_store.fail_next_commit();
        assert!(bob.handle_all(envelopes.clone(), NOW).await.is_err());
        assert!(bob_store
            .messages(&hush_client::ChatId::parse("alice").unwrap(), None, 100)
            .await
            .unwrap()
            .is_empty());

        // Again: everything in one go.
        let out = bob.handle_all(envelopes, NOW).await.unwrap();
        let acks: Vec<&ClientFrame> = out
            .frames
            .iter()
            .filter(|f| matches!(f, ClientFrame::Ack { .. }))
            .collect();
        assert_eq!(acks.len(), 1, "one ack for the batch");
        let ClientFrame::Ack { ids } = acks[0] else {
            unreachable!()
        };
        assert_eq!(
            ids.len(),
            42,
            "every envelope acked, the duplicate and garbage too"
        );
        let stored = bob_store
            .messages(&hush_client::ChatId::parse("alice").unwrap(), None, 100)
            .await
            .unwrap();
        assert_eq!(stored.len(), 40);
        let mut bodies: Vec<String> = stored.iter().map(|m| m.body.clone()).collect();
        bodies.sort_by_key(|b| b[5..].parse::<u32>().unwrap());
        assert_eq!(
            bodies,
            (0..40).map(|n| format!("text {n}")).collect::<Vec<_>>()
        );
        assert_eq!(
            out.events
                .iter()
                .filter(|e| matches!(e, Event::Undecryptable { .. }))
                .count(),
            1
        );
        // One delivery receipt for the whole batch, waiting in the outbox.
        assert_eq!(bob_store.outbox().await.unwrap().len(), 1);
    });
}
