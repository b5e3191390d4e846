//! Issue 19, finding 11: what strangers learn. A failed authentication tells nothing (not
//! whether the account or device exists, nor the account's devices) except to a removed device
//! that proves it is one; typing reaches an account only from accounts it has exchanged an
//! envelope with.

use hush_protocol::devices::{DeviceList, ListedDevice};
use hush_protocol::relay::{auth_message, ClientFrame, ErrorCode, OutgoingEnvelope, ServerFrame};
use hush_protocol::IdentityKeyPair;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

mod support;

use support::{metric, metrics, user, Account, Client, TestServer};

async fn start() -> TestServer {
    support::start_relay(500.0, false).await
}

/// The first frame a new connection gets after signing in as `account`'s `device` with `key`.
async fn sign_in_answer(
    server: &TestServer,
    account: &str,
    device: u32,
    key: &IdentityKeyPair,
) -> (Client, ServerFrame) {
    let mut client = Client::connect(server.addr).await;
    let signature = key.sign(&auth_message(&client.nonce, account, device));
    client
        .send(&ClientFrame::Authenticate {
            account: user(account),
            device,
            signature,
        })
        .await;
    let first = client.recv_any().await;
    (client, first)
}

fn is_auth_failed(frame: &ServerFrame) -> bool {
    matches!(
        frame,
        ServerFrame::Error {
            code: ErrorCode::AuthFailed,
            ..
        }
    )
}

#[tokio::test]
async fn a_failed_authentication_is_the_same_for_unknown_accounts_devices_and_signatures() {
    let server = start().await;
    let alice = Account::new("alice", 1);
    let _a = alice.register(server.addr).await;
    let mallory = Account::new("mallory", 2);

    for (account, device, key, what) in [
        ("nobody", 1, &mallory.identity, "an unknown account"),
        ("alice", 999, &alice.identity, "a device never listed"),
        ("alice", 1, &mallory.identity, "a bad signature"),
    ] {
        let (mut client, first) = sign_in_answer(&server, account, device, key).await;
        assert!(is_auth_failed(&first), "{what}: {first:?}");
        assert!(client.closed().await, "{what}");
    }
    let text = metrics(&server).await;
    assert_eq!(metric(&text, "hush_auth_failures_total"), 3);
}

#[tokio::test]
async fn only_a_removed_device_that_proves_it_was_listed_is_shown_the_list() {
    let server = start().await;
    let alice = Account::new("alice", 3);
    let mut a = alice.register(server.addr).await;
    let second = IdentityKeyPair::generate(&mut ChaCha20Rng::seed_from_u64(4));
    let first_device = alice.list().devices[0].clone();
    let second_device =
        ListedDevice::certify("alice", 2, second.public(), "Two", 0, &alice.key).unwrap();
    for (request, version, devices) in [
        (1, 2, vec![first_device.clone(), second_device]),
        (2, 3, vec![first_device]),
    ] {
        let list = DeviceList::sign("alice", version, devices, &alice.key).unwrap();
        a.send(&ClientFrame::PublishDeviceList {
            request,
            device_list: list.encode(),
        })
        .await;
        assert!(matches!(
            a.recv().await,
            ServerFrame::DeviceListPublished { .. }
        ));
    }

    // Someone else claiming the removed device number learns nothing.
    let mallory = Account::new("mallory", 5);
    let (_, first) = sign_in_answer(&server, "alice", 2, &mallory.identity).await;
    assert!(is_auth_failed(&first), "{first:?}");

    // The removed device itself is shown the current signed list (it wipes itself), then
    // refused.
    let (mut removed, first) = sign_in_answer(&server, "alice", 2, &second).await;
    match first {
        ServerFrame::OwnDevices {
            device_list,
            last_active,
        } => {
            assert_eq!(DeviceList::decode(&device_list).unwrap().version, 3);
            assert!(last_active.is_empty());
        }
        other => panic!("expected the list, got {other:?}"),
    }
    assert!(is_auth_failed(&removed.recv_any().await));
}

/// Requests are handled in order: once this answer arrives, everything sent before is done.
async fn barrier(client: &mut Client) {
    client
        .send(&ClientFrame::FetchBundles {
            request: 77,
            account: user("nobody"),
        })
        .await;
    assert!(matches!(
        client.recv().await,
        ServerFrame::Error { request: 77, .. }
    ));
}

fn typing(to: &str) -> ClientFrame {
    ClientFrame::Typing {
        to: user(to),
        typing: true,
    }
}

#[tokio::test]
async fn typing_reaches_an_account_only_from_accounts_it_exchanged_an_envelope_with() {
    let server = start().await;
    let (alice, bob, eve) = (
        Account::new("alice", 6),
        Account::new("bob", 7),
        Account::new("eve", 8),
    );
    let mut a = alice.register(server.addr).await;
    let mut b = bob.register(server.addr).await;
    let mut e = eve.register(server.addr).await;

    // A stranger's typing, alone or as a "group", is dropped.
    e.send(&typing("alice")).await;
    e.send(&ClientFrame::GroupTyping {
        group: [1; 16],
        members: vec![user("alice")],
        typing: true,
    })
    .await;
    barrier(&mut e).await;

    // Bob writes to Alice: from then on his typing reaches her, and hers reaches him.
    b.send(&ClientFrame::Send {
        client_id: [1; 16],
        recipient: user("alice"),
        envelopes: vec![OutgoingEnvelope {
            device: 1,
            payload: b"hi".to_vec(),
        }],
    })
    .await;
    assert!(matches!(b.recv().await, ServerFrame::Sent { .. }));
    match a.recv().await {
        ServerFrame::Envelope { sender, .. } => assert_eq!(sender.as_str(), "bob"),
        other => panic!("expected Bob's envelope first, got {other:?}"),
    }
    b.send(&typing("alice")).await;
    match a.recv().await {
        ServerFrame::Typing { from, .. } => assert_eq!(from.as_str(), "bob"),
        other => panic!("{other:?}"),
    }
    a.send(&typing("bob")).await;
    match b.recv().await {
        ServerFrame::Typing { from, .. } => assert_eq!(from.as_str(), "alice"),
        other => panic!("{other:?}"),
    }
    let text = metrics(&server).await;
    assert_eq!(metric(&text, "hush_typing_dropped_total"), 2);
}
