//! Issue 19, finding 11: an account chooses who sees its presence (online, last seen), and the
//! relay enforces it. `Nobody` shows it to no one, in answer to a subscription or live, and
//! (as WhatsApp does) hides everyone's from it; `Everyone` (the default) shows it again.

use hush_protocol::relay::{ClientFrame, PresenceVisibility, ServerFrame};

mod support;

use support::{user, Account, Client, TestServer};

async fn start() -> TestServer {
    support::start_relay(500.0, false).await
}

/// A presence frame as (account, online, last seen).
#[allow(clippy::panic)]
fn presence(frame: ServerFrame) -> (String, bool, u64) {
    match frame {
        ServerFrame::Presence {
            account,
            online,
            last_seen_ms,
        } => (account.into_string(), online, last_seen_ms),
        other => panic!("expected presence, got {other:?}"),
    }
}

async fn subscribe(client: &mut Client, account: &str) -> (String, bool, u64) {
    client
        .send(&ClientFrame::Subscribe {
            accounts: vec![user(account)],
        })
        .await;
    presence(client.recv().await)
}

async fn set(client: &mut Client, request: u32, visibility: PresenceVisibility) {
    client
        .send(&ClientFrame::SetPresenceVisibility {
            request,
            visibility,
        })
        .await;
    assert_eq!(
        client.recv().await,
        ServerFrame::PresenceVisibility {
            request,
            visibility,
        }
    );
}

/// Hidden: offline, never seen (what the relay says of an account it knows nothing of).
fn hidden(name: &str) -> (String, bool, u64) {
    (name.to_owned(), false, 0)
}

#[tokio::test]
async fn nobody_sees_the_presence_of_an_account_that_chose_nobody() {
    let server = start().await;
    let (alice, bob) = (Account::new("alice", 1), Account::new("bob", 2));
    let mut a = alice.register(server.addr).await;
    let mut b = bob.register(server.addr).await;
    assert_eq!(subscribe(&mut a, "bob").await, ("bob".to_owned(), true, 0));

    // Bob hides his presence: Alice, following him, sees him go; a new subscription of hers
    // sees nothing of him though he is online.
    set(&mut b, 1, PresenceVisibility::Nobody).await;
    assert_eq!(presence(a.recv().await), hidden("bob"));
    assert_eq!(subscribe(&mut a, "bob").await, hidden("bob"));

    // He leaves and comes back (the setting is the account's, kept): Alice hears nothing.
    drop(b);
    let mut b = bob.login(server.addr).await;
    assert_eq!(b.drain().await, vec![]);
    assert!(a.quiet(200).await, "Alice heard of hidden Bob");
    assert_eq!(subscribe(&mut a, "bob").await, hidden("bob"));

    // And hiding is mutual: Bob sees nothing of Alice, online or leaving.
    assert_eq!(subscribe(&mut b, "alice").await, hidden("alice"));
    drop(a);
    assert!(b.quiet(200).await, "hidden Bob heard of Alice");
}

#[tokio::test]
async fn choosing_everyone_again_shows_presence_both_ways() {
    let server = start().await;
    let (alice, bob) = (Account::new("alice", 3), Account::new("bob", 4));
    let mut a = alice.register(server.addr).await;
    let mut b = bob.register(server.addr).await;
    set(&mut b, 1, PresenceVisibility::Nobody).await;
    assert_eq!(subscribe(&mut a, "bob").await, hidden("bob"));
    assert_eq!(subscribe(&mut b, "alice").await, hidden("alice"));

    // Back to Everyone: each is shown the other as they are now, and live again.
    // Bob's answer and Alice's presence reach him by two paths, in either order.
    b.send(&ClientFrame::SetPresenceVisibility {
        request: 2,
        visibility: PresenceVisibility::Everyone,
    })
    .await;
    let answer = ServerFrame::PresenceVisibility {
        request: 2,
        visibility: PresenceVisibility::Everyone,
    };
    let (first, second) = (b.recv().await, b.recv().await);
    let alice_seen = match (first, second) {
        (frame, other) | (other, frame) if frame == answer => presence(other),
        (first, second) => panic!("expected the answer and a presence, got {first:?}, {second:?}"),
    };
    assert_eq!(alice_seen, ("alice".to_owned(), true, 0));
    assert_eq!(presence(a.recv().await), ("bob".to_owned(), true, 0));
    drop(a);
    let (name, online, last_seen_ms) = presence(b.recv().await);
    assert_eq!((name.as_str(), online), ("alice", false));
    assert!(last_seen_ms > 0);
}

#[tokio::test]
async fn every_device_of_the_account_is_told_its_setting() {
    let server = start().await;
    let bob = Account::new("bob", 5);
    let mut b = bob.register(server.addr).await;
    set(&mut b, 7, PresenceVisibility::Nobody).await;
    drop(b);
    // On every authentication, before `Authenticated`.
    let mut again = Client::connect(server.addr).await;
    let signature = bob
        .identity
        .sign(&hush_protocol::relay::auth_message(&again.nonce, "bob", 1));
    again
        .send(&ClientFrame::Authenticate {
            account: user("bob"),
            device: 1,
            signature,
        })
        .await;
    assert!(matches!(
        again.recv_any().await,
        ServerFrame::OwnDevices { .. }
    ));
    assert_eq!(
        again.recv_any().await,
        ServerFrame::PresenceVisibility {
            request: 0,
            visibility: PresenceVisibility::Nobody,
        }
    );
    assert!(matches!(
        again.recv_any().await,
        ServerFrame::Authenticated { .. }
    ));
}
