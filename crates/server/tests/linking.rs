//! Linking a browser to an account through the relay: a one-time provisioning address that an
//! unauthenticated connection opens, a device of the account fetches and provisions, and that
//! then works no more.

use hush_protocol::devices::{DeviceList, ListedDevice};
use hush_protocol::linking::{self, Announcement, LinkCode, LinkKey, Provisioning};
use hush_protocol::relay::{auth_message, ClientFrame, ErrorCode, ServerFrame};
use hush_protocol::{DeviceAddress, IdentityKeyPair};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

mod support;

use support::{user, Account, Client};

#[allow(clippy::panic)]
fn gone(frame: ServerFrame, want_request: u32) {
    match frame {
        ServerFrame::Error {
            request,
            code: ErrorCode::NotFound,
            message,
        } => {
            assert_eq!(request, want_request);
            assert!(message.contains("expired or was already used"), "{message}");
        }
        other => panic!("expected a clear refusal, got {other:?}"),
    }
}

/// A browser to be linked: its code, keys and announcement.
struct NewBrowser {
    code: LinkCode,
    link_key: LinkKey,
    identity: IdentityKeyPair,
    announcement: Announcement,
}

impl NewBrowser {
    #[allow(clippy::unwrap_used)]
    fn new(seed: u64, name: &str) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let code = LinkCode::generate(&mut rng);
        let link_key = LinkKey::generate(&mut rng);
        let identity = IdentityKeyPair::generate(&mut rng);
        let announcement = Announcement::new(&code, &link_key, identity.public(), name).unwrap();
        Self {
            code,
            link_key,
            identity,
            announcement,
        }
    }

    /// Asks to wait at its address on `client`'s (unauthenticated) connection.
    async fn open(&self, client: &mut Client) {
        client
            .send(&ClientFrame::OpenLink {
                address: self.code.address,
                announcement: self.announcement.encode(),
            })
            .await;
    }
}

/// The new browser opens its address, which nobody else may then open; fetching it needs an
/// authenticated device. Returns the browser's connection, waiting there.
async fn open_address(addr: std::net::SocketAddr, new: &NewBrowser) -> Client {
    let mut browser = Client::connect(addr).await;
    new.open(&mut browser).await;
    assert_eq!(
        browser.recv().await,
        ServerFrame::LinkOpened { expires_in_s: 300 }
    );
    let mut squatter = Client::connect(addr).await;
    new.open(&mut squatter).await;
    assert!(matches!(
        squatter.recv().await,
        ServerFrame::Error {
            code: ErrorCode::Invalid,
            ..
        }
    ));
    squatter
        .send(&ClientFrame::FetchLink {
            request: 1,
            address: new.code.address,
        })
        .await;
    assert!(matches!(
        squatter.recv().await,
        ServerFrame::Error {
            code: ErrorCode::Unauthenticated,
            ..
        }
    ));
    browser
}

/// A device of the account fetches the announcement at the typed code's address and checks it.
#[allow(clippy::unwrap_used, clippy::panic)]
async fn fetch_announcement(device: &mut Client, typed: &LinkCode) -> Announcement {
    device
        .send(&ClientFrame::FetchLink {
            request: 7,
            address: typed.address,
        })
        .await;
    let fetched = match device.recv().await {
        ServerFrame::LinkAnnouncement {
            request: 7,
            announcement,
        } => Announcement::decode(&announcement).unwrap(),
        other => panic!("{other:?}"),
    };
    fetched.verify(typed).unwrap();
    fetched
}

/// The account's device lists the new device as device 2, then provisions it. Returns the
/// list and the sealed provisioning message.
#[allow(clippy::unwrap_used)]
async fn list_and_provision(
    device: &mut Client,
    alice: &Account,
    typed: &LinkCode,
    fetched: &Announcement,
) -> (DeviceList, Vec<u8>) {
    let devices = vec![
        ListedDevice::certify(
            "alice",
            1,
            alice.identity.public(),
            "Test browser",
            0,
            &alice.key,
        )
        .unwrap(),
        ListedDevice::certify("alice", 2, fetched.identity, &fetched.name, 9, &alice.key).unwrap(),
    ];
    let list = DeviceList::sign("alice", 2, devices, &alice.key).unwrap();
    device
        .send(&ClientFrame::PublishDeviceList {
            request: 8,
            device_list: list.encode(),
        })
        .await;
    assert!(matches!(
        device.recv().await,
        ServerFrame::DeviceListPublished { request: 8, .. }
    ));
    let provisioning = Provisioning {
        address: DeviceAddress::new("alice", 2).unwrap(),
        account_key: alice.key.clone(),
        display_name: "Alice".to_owned(),
        history: None,
        device_list: list.encode(),
    };
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let sealed = linking::seal(typed, fetched, &provisioning, &mut rng).unwrap();
    device
        .send(&ClientFrame::Provision {
            request: 9,
            address: typed.address,
            sealed: sealed.clone(),
        })
        .await;
    assert_eq!(device.recv().await, ServerFrame::Provisioned { request: 9 });
    (list, sealed)
}

/// The browser gets its provisioning message, opens it, and authenticates as device 2 on the
/// same connection.
#[allow(clippy::unwrap_used, clippy::panic)]
async fn authenticate_provisioned(browser: &mut Client, new: &NewBrowser, list: &DeviceList) {
    let received = match browser.recv().await {
        ServerFrame::Provisioning { sealed } => sealed,
        other => panic!("{other:?}"),
    };
    let opened = linking::open(&new.code, &new.link_key, &received).unwrap();
    assert_eq!(opened.address.device(), 2);
    browser
        .send(&ClientFrame::Authenticate {
            account: user("alice"),
            device: 2,
            signature: new.identity.sign(&auth_message(&browser.nonce, "alice", 2)),
        })
        .await;
    // Its account's list comes first, as on every authentication.
    match browser.recv_any().await {
        ServerFrame::OwnDevices {
            device_list,
            last_active,
        } => {
            assert_eq!(device_list, list.encode());
            // Device 1 is connected now; device 2 too (this connection).
            assert_eq!(last_active.len(), 2);
            assert!(last_active.iter().all(|(_, ms)| *ms > 0), "{last_active:?}");
        }
        other => panic!("expected the list, got {other:?}"),
    }
    assert!(matches!(
        browser.recv().await,
        ServerFrame::Authenticated { .. }
    ));
    assert_eq!(browser.drain().await, vec![]);
}

/// Used: the address is gone for fetching and for provisioning.
async fn address_is_used_up(device: &mut Client, typed: &LinkCode, sealed: Vec<u8>) {
    device
        .send(&ClientFrame::FetchLink {
            request: 10,
            address: typed.address,
        })
        .await;
    gone(device.recv().await, 10);
    device
        .send(&ClientFrame::Provision {
            request: 11,
            address: typed.address,
            sealed,
        })
        .await;
    gone(device.recv().await, 11);
}

/// Unlinked: device 1 publishes a list without device 2, which is shown that signed list and
/// disconnected, and from then on shown it and refused.
#[allow(clippy::unwrap_used, clippy::panic)]
async fn unlink_device_2(
    addr: std::net::SocketAddr,
    first: &mut Client,
    browser: &mut Client,
    alice: &Account,
    list: &DeviceList,
    identity: &IdentityKeyPair,
) {
    let only_first =
        DeviceList::sign("alice", 3, vec![list.devices[0].clone()], &alice.key).unwrap();
    first
        .send(&ClientFrame::PublishDeviceList {
            request: 12,
            device_list: only_first.encode(),
        })
        .await;
    assert!(matches!(
        first.recv().await,
        ServerFrame::DeviceListPublished { request: 12, .. }
    ));
    let told = |frame: ServerFrame| match frame {
        ServerFrame::OwnDevices { device_list, .. } => {
            assert_eq!(DeviceList::decode(&device_list).unwrap(), only_first);
        }
        other => panic!("expected the new list, got {other:?}"),
    };
    told(browser.recv_any().await);
    assert!(browser.closed().await);
    let mut again = Client::connect(addr).await;
    again
        .send(&ClientFrame::Authenticate {
            account: user("alice"),
            device: 2,
            signature: identity.sign(&auth_message(&again.nonce, "alice", 2)),
        })
        .await;
    told(again.recv_any().await);
    assert!(matches!(
        again.recv().await,
        ServerFrame::Error {
            code: ErrorCode::AuthFailed,
            ..
        }
    ));
}

#[tokio::test]
async fn a_browser_is_linked_once_through_its_provisioning_address() {
    let server = support::start_relay(500.0, false).await;
    let alice = Account::new("alice", 2);
    let mut first = alice.register(server.addr).await;
    // The new browser: not authenticated, it opens its address with its announcement.
    let new = NewBrowser::new(5, "Firefox on Linux");
    let mut browser = open_address(server.addr, &new).await;
    // Alice's device fetches the announcement and checks it with the typed code.
    let typed = LinkCode::parse(&new.code.to_text()).unwrap();
    let fetched = fetch_announcement(&mut first, &typed).await;
    let (list, sealed) = list_and_provision(&mut first, &alice, &typed, &fetched).await;
    authenticate_provisioned(&mut browser, &new, &list).await;
    address_is_used_up(&mut first, &typed, sealed).await;
    unlink_device_2(
        server.addr,
        &mut first,
        &mut browser,
        &alice,
        &list,
        &new.identity,
    )
    .await;
}

#[tokio::test]
async fn an_address_closes_when_its_browser_leaves() {
    let server = support::start_relay(500.0, false).await;
    let alice = Account::new("alice", 4);
    let mut first = alice.register(server.addr).await;
    let new = NewBrowser::new(3, "Chrome on Android");
    let code = &new.code;
    let mut browser = Client::connect(server.addr).await;
    new.open(&mut browser).await;
    assert!(matches!(
        browser.recv().await,
        ServerFrame::LinkOpened { .. }
    ));
    drop(browser);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    first
        .send(&ClientFrame::FetchLink {
            request: 1,
            address: code.address,
        })
        .await;
    gone(first.recv().await, 1);
}

/// One address may hold only a few open links, so nobody can fill the table for everyone else.
/// The refused browser hears why, and gets a place as soon as one of its links closes.
#[tokio::test]
#[allow(clippy::panic)]
async fn open_links_are_limited_per_address() {
    const PER_ADDRESS: u64 = 8;
    let server = support::start_relay(500.0, false).await;
    let mut waiting = Vec::new();
    for seed in 0..PER_ADDRESS {
        let browser = NewBrowser::new(500 + seed, "Laptop");
        let mut client = Client::connect(server.addr).await;
        browser.open(&mut client).await;
        assert_eq!(
            client.recv().await,
            ServerFrame::LinkOpened { expires_in_s: 300 }
        );
        waiting.push(client);
    }
    let extra = NewBrowser::new(600, "Laptop");
    let mut client = Client::connect(server.addr).await;
    extra.open(&mut client).await;
    match client.recv().await {
        ServerFrame::Error {
            code: ErrorCode::RateLimited,
            message,
            ..
        } => assert!(message.contains("links"), "{message}"),
        other => panic!("one more link from the same address was opened: {other:?}"),
    }
    let metrics = support::get(server.metrics_addr, "/metrics").await;
    assert_eq!(support::metric(&metrics, "hush_links_refused_total"), 1);
    // One browser leaves: its place is free again (once the relay has seen it go).
    drop(waiting.pop());
    let deadline = tokio::time::Instant::now() + support::WAIT;
    loop {
        extra.open(&mut client).await;
        match client.recv().await {
            ServerFrame::LinkOpened { .. } => break,
            ServerFrame::Error {
                code: ErrorCode::RateLimited,
                ..
            } => assert!(tokio::time::Instant::now() < deadline, "no place came back"),
            other => panic!("unexpected {other:?}"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
