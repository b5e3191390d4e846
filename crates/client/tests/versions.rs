//! A message from a peer on a build of another wire version: acked, shown in its chat as
//! "Update Hush to read this message", nothing of it taken; what follows in our version is
//! read as usual.

use futures::executor::block_on;
use hush_client::loopback::{registered, texts};
use hush_client::store::memory::MemoryStore;
use hush_client::store::Store;
use hush_client::{ChatId, Event, Kind, UPDATE_NEEDED};
use hush_protocol::relay::{ClientFrame, ServerFrame};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

const NOW: u64 = 1_800_000_000_000;

/// The envelope as a build of wire version `version` would have sent it.
fn as_version(envelope: &ServerFrame, version: u8) -> ServerFrame {
    let mut envelope = envelope.clone();
    if let ServerFrame::Envelope { payload, .. } = &mut envelope {
        payload[0] = version;
    }
    envelope
}

#[test]
fn a_message_of_an_older_version_is_shown_as_update_needed_and_acked() {
    block_on(async {
        let rng = |seed| ChaCha20Rng::seed_from_u64(seed);
        let (mut alice, _) = registered(MemoryStore::new(), rng(1), "alice", NOW)
            .await
            .unwrap();
        let bob_store = MemoryStore::new();
        let (mut bob, bob_bundle) = registered(bob_store.clone(), rng(2), "bob", NOW)
            .await
            .unwrap();
        let envelopes = texts(&mut alice, &bob_bundle, 2, NOW).await.unwrap();
        let old = as_version(&envelopes[0], 1);
        let out = bob.handle_all(vec![old], NOW).await.unwrap();
        assert!(
            out.frames
                .iter()
                .any(|f| matches!(f, ClientFrame::Ack { ids } if ids == &[1])),
            "acked"
        );
        let shown: Vec<_> = out
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Message(m) => Some(m.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(shown.len(), 1, "{:?}", out.events);
        assert_eq!(shown[0].kind, Kind::UpdateNeeded);
        assert_eq!(shown[0].body, "Update Hush to read this message");
        assert_eq!(shown[0].body, UPDATE_NEEDED);
        let alice_chat = ChatId::parse("alice").unwrap();
        assert_eq!(shown[0].chat, alice_chat);
        assert!(
            !out.events
                .iter()
                .any(|e| matches!(e, Event::Undecryptable { .. })),
            "not taken for garbage"
        );
        let stored = bob_store.messages(&alice_chat, None, 10).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].body, UPDATE_NEEDED);
        let notice = Some(hush_client::model::Notice::UpdateNeeded);
        assert_eq!(
            (&shown[0].meta.notice, &stored[0].meta.notice),
            (&notice, &notice)
        );
        // No session was started from it.
        let alice_name = hush_client::Username::parse("alice").unwrap();
        assert!(bob_store
            .sessions_with(&alice_name)
            .await
            .unwrap()
            .is_empty());
        // The next message, in our version, starts the session and is read.
        let out = bob
            .handle_all(vec![envelopes[1].clone()], NOW)
            .await
            .unwrap();
        assert!(out
            .events
            .iter()
            .any(|e| matches!(e, Event::Message(m) if m.kind == Kind::Text && m.body == "text 1")));
    })
}
