//! Envelopes the relay gives up on (issue 19's expiry notices, heard by the engine): a message
//! no device of its recipient took before the envelope lifetime fails for its sender, live or
//! on the next connection, and every notice is acknowledged so the relay keeps none.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hush_client::{Status, Store};
use support::*;

#[tokio::test]
async fn a_message_nobody_fetched_in_time_fails_and_its_notice_is_acknowledged() {
    let relay = relay_with(|config| config.envelope_lifetime_secs = 1).await;
    let mut alice = Device::register(&relay, "alice", 1).await;
    let bob = Device::register(&relay, "bob", 2).await;
    let bob_store = bob.store.clone();
    drop(bob.ws);

    // Alice is online when it expires: she hears it at once.
    let live = alice.deliver("bob", "see you at 8").await;
    alice.expect(status(live, Status::Failed)).await;

    // Offline when the next one expires: she hears it on connecting.
    let later = alice.deliver("bob", "or at 9").await;
    let alice_store = alice.store.clone();
    drop(alice.ws);
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    let mut alice = Device::open(&relay, alice_store, 3).await;
    alice.expect(status(later, Status::Failed)).await;
    alice.settle().await;

    for id in [live, later] {
        let mine = alice.store.message(&id).await.unwrap().unwrap();
        assert_eq!(mine.status, Status::Failed);
    }
    // Both acknowledged: the relay keeps none, and a third connection hears nothing of them.
    assert_eq!(relay.rows("expiry_notices", "account", "alice"), 0);
    drop(alice.ws);
    let mut alice = Device::open(&relay, alice.store.clone(), 4).await;
    alice.settle().await;
    assert!(
        !alice
            .sent
            .iter()
            .any(|f| matches!(f, hush_protocol::relay::ClientFrame::AckExpired { .. })),
        "notices came again: {:?}",
        alice.sent
    );
    // Bob comes back with nothing waiting; a failed plain text can then be sent again.
    let mut bob = Device::open(&relay, bob_store, 5).await;
    bob.settle().await;
    let out = alice.engine.retry(live).await.unwrap();
    alice.output(out).await;
    alice.expect(status(live, Status::Sent)).await;
    bob.expect(message_from("see you at 8")).await;
    let got = bob.store.messages(&chat("alice"), None, 10).await.unwrap();
    assert_eq!(got.len(), 1, "{got:?}");
}
