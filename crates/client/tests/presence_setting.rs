//! Issue 19, finding 11: who may see the account's presence is one setting for all its
//! devices. Chosen on one, it is stored, sent to the relay (once signed in, again after every
//! authentication until the relay confirms it), and told to the others, which keep it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hush_client::{Engine, Event};
use hush_protocol::relay::{ClientFrame, PresenceVisibility};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use support::{relay, Device};

fn told(visibility: PresenceVisibility) -> impl Fn(&Event) -> bool {
    move |e| *e == Event::PresenceVisibility(visibility)
}

#[tokio::test]
async fn the_setting_is_the_accounts_on_every_device_and_survives_being_offline() {
    let relay = relay().await;
    let mut first = Device::register(&relay, "bob", 1).await;
    let (mut second, _) = Device::link(&relay, &mut first, "Second", 2).await;
    assert_eq!(
        second.engine.presence_visibility(),
        PresenceVisibility::Everyone
    );

    // Chosen on the first device: stored, confirmed by the relay, told to the second.
    let out = first
        .engine
        .set_presence_visibility(PresenceVisibility::Nobody)
        .await
        .unwrap();
    first.output(out).await;
    first.expect(told(PresenceVisibility::Nobody)).await;
    first.settle().await;
    let account = first.engine.account().unwrap();
    assert_eq!(
        (account.presence, account.presence_unsent),
        (PresenceVisibility::Nobody, false)
    );
    second.expect(told(PresenceVisibility::Nobody)).await;
    let reopened = Engine::open(second.store.clone(), ChaCha20Rng::seed_from_u64(3))
        .await
        .unwrap();
    assert_eq!(reopened.presence_visibility(), PresenceVisibility::Nobody);

    // Changed on the second while it is offline: kept, and sent once it signs in again (the
    // relay's older word on signing in does not undo it).
    second.engine.reset_connection();
    let out = second
        .engine
        .set_presence_visibility(PresenceVisibility::Everyone)
        .await
        .unwrap();
    assert!(
        out.frames.is_empty(),
        "sent while offline: {:?}",
        out.frames
    );
    let store = second.store.clone();
    drop(second);
    let mut again = Device::open(&relay, store, 4).await;
    again.expect(|e| matches!(e, Event::Authenticated)).await;
    again.settle().await;
    assert!(again.sent.iter().any(|f| matches!(
        f,
        ClientFrame::SetPresenceVisibility {
            visibility: PresenceVisibility::Everyone,
            ..
        }
    )));
    let account = again.engine.account().unwrap();
    assert_eq!(
        (account.presence, account.presence_unsent),
        (PresenceVisibility::Everyone, false)
    );
    first.expect(told(PresenceVisibility::Everyone)).await;
    assert_eq!(
        first.engine.presence_visibility(),
        PresenceVisibility::Everyone
    );
}
