//! Relay frames and signed device lists: round trips, strict decoding, signatures.
// On wasm32 the tests are #[wasm_bindgen_test] functions: clippy.toml's test allowances
// do not reach them.
#![cfg_attr(target_arch = "wasm32", allow(clippy::unwrap_used))]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::*;
use hush_protocol::devices::{AccountKey, DeviceList, DeviceListError, ListedDevice};
use hush_protocol::relay::{
    auth_message, ClientFrame, ErrorCode, OutgoingEnvelope, PresenceVisibility, SendOutcome,
    ServerFrame, MAX_FRAME, MAX_PUSH_ENDPOINT,
};
use hush_protocol::{DecodeError, IdentityKeyPair};

#[allow(clippy::unwrap_used)]
fn listed(id: u32, key: &AccountKey, rng: &mut TestRng) -> ListedDevice {
    let identity = IdentityKeyPair::generate(rng).public();
    ListedDevice::certify("alice", id, identity, "Chrome on Linux", 0, key).unwrap()
}

#[test]
fn device_lists_verify_only_with_the_account_key_and_untouched() {
    let mut rng = rng(1);
    let key = AccountKey::generate(&mut rng);
    let list = DeviceList::sign(
        "alice",
        3,
        vec![listed(1, &key, &mut rng), listed(2, &key, &mut rng)],
        &key,
    )
    .unwrap();
    let decoded = DeviceList::decode(&list.encode()).unwrap();
    assert_eq!(decoded, list);
    assert_eq!(decoded.verify(&key.public()), Ok(()));
    assert_eq!(
        decoded.verify(&AccountKey::generate(&mut rng).public()),
        Err(DeviceListError::BadSignature)
    );
    // The relay cannot add a device, bump the version or rename the account.
    let mut added = list.clone();
    added.devices.push(listed(3, &key, &mut rng));
    assert_eq!(
        added.verify(&key.public()),
        Err(DeviceListError::BadSignature)
    );
    let mut bumped = list.clone();
    bumped.version += 1;
    assert_eq!(
        bumped.verify(&key.public()),
        Err(DeviceListError::BadSignature)
    );
    let encoded = list.encode();
    for i in 0..encoded.len() {
        let mut bytes = encoded.clone();
        bytes[i] ^= 1;
        if let Ok(tampered) = DeviceList::decode(&bytes) {
            assert!(
                tampered.verify(&key.public()).is_err(),
                "flip at {i} accepted"
            );
        }
    }
}

#[test]
fn each_device_carries_the_account_keys_certificate_over_its_identity_and_name() {
    let mut rng = rng(3);
    let key = AccountKey::generate(&mut rng);
    let device = listed(2, &key, &mut rng);
    let list = DeviceList::sign(
        "alice",
        2,
        vec![listed(1, &key, &mut rng), device.clone()],
        &key,
    )
    .unwrap();
    assert_eq!(list.verify(&key.public()), Ok(()));
    assert_eq!(list.devices[1].name, "Chrome on Linux");

    // A list the account key signed around a device it did not certify (a certificate by
    // another key, or a renamed device) is refused, as is a name with control characters.
    let other = AccountKey::generate(&mut rng);
    let foreign = listed(2, &other, &mut rng);
    let list =
        DeviceList::sign("alice", 2, vec![listed(1, &key, &mut rng), foreign], &key).unwrap();
    assert_eq!(
        list.verify(&key.public()),
        Err(DeviceListError::BadSignature)
    );
    let mut renamed = device.clone();
    renamed.name = "Evil twin".into();
    let list = DeviceList::sign("alice", 3, vec![renamed], &key).unwrap();
    assert_eq!(
        list.verify(&key.public()),
        Err(DeviceListError::BadSignature)
    );
    // A certificate for Alice's device does not hold in Bob's list.
    let list = DeviceList::sign("bob", 3, vec![device.clone()], &key).unwrap();
    assert_eq!(
        list.verify(&key.public()),
        Err(DeviceListError::BadSignature)
    );
    let identity = device.identity;
    for bad in [
        "",
        " ",
        "a\u{202e}b",
        "a\u{2067}b",
        "\u{200f}ab",
        "line\nbreak",
        &"x".repeat(65),
    ] {
        assert_eq!(
            ListedDevice::certify("alice", 4, identity, bad, 0, &key).err(),
            Some(DeviceListError::BadName),
            "{bad:?}"
        );
    }
}

#[test]
fn device_lists_name_one_to_six_distinct_devices() {
    let mut rng = rng(2);
    let key = AccountKey::generate(&mut rng);
    assert!(DeviceList::sign("alice", 1, vec![], &key).is_err());
    let twice = vec![listed(1, &key, &mut rng), listed(1, &key, &mut rng)];
    assert_eq!(
        DeviceList::sign("alice", 1, twice, &key).err(),
        Some(DeviceListError::BadDevices)
    );
    // The first device and 5 linked ones; a seventh is refused when signing and verifying.
    let six: Vec<_> = (1..=6).map(|i| listed(i, &key, &mut rng)).collect();
    let list = DeviceList::sign("alice", 1, six.clone(), &key).unwrap();
    assert_eq!(list.verify(&key.public()), Ok(()));
    let mut seven = six;
    seven.push(listed(7, &key, &mut rng));
    assert_eq!(
        DeviceList::sign("alice", 1, seven.clone(), &key).err(),
        Some(DeviceListError::BadDevices)
    );
    let mut grown = list;
    grown.devices = seven;
    assert_eq!(
        grown.verify(&key.public()),
        Err(DeviceListError::BadDevices)
    );
    assert!(
        DeviceList::decode(&grown.encode()).is_ok(),
        "the wire allows up to 16"
    );
}

#[test]
fn only_the_account_key_closes_an_account_with_a_list_naming_no_device() {
    let mut rng = rng(4);
    let key = AccountKey::generate(&mut rng);
    let closed = DeviceList::close("alice", 7, &key).unwrap();
    let decoded = DeviceList::decode(&closed.encode()).unwrap();
    assert!(decoded.is_closed());
    assert_eq!(decoded.verify(&key.public()), Ok(()));
    // Another key cannot close it, nor can the relay empty a signed list.
    let forged = DeviceList::close("alice", 7, &AccountKey::generate(&mut rng)).unwrap();
    assert_eq!(
        forged.verify(&key.public()),
        Err(DeviceListError::BadSignature)
    );
    let mut emptied = DeviceList::sign("alice", 7, vec![listed(1, &key, &mut rng)], &key).unwrap();
    emptied.devices.clear();
    assert_eq!(
        emptied.verify(&key.public()),
        Err(DeviceListError::BadSignature)
    );
    assert!(
        !DeviceList::sign("alice", 7, vec![listed(1, &key, &mut rng)], &key)
            .unwrap()
            .is_closed()
    );
}

#[test]
fn auth_messages_bind_challenge_account_and_device() {
    let a = auth_message(&[1; 32], "alice", 1);
    assert_ne!(a, auth_message(&[2; 32], "alice", 1));
    assert_ne!(a, auth_message(&[1; 32], "alicf", 1));
    assert_ne!(a, auth_message(&[1; 32], "alice", 2));
}

/// One frame of (almost) every client kind.
fn client_frames() -> Vec<ClientFrame> {
    let mut rng = rng(3);
    let spk = hush_protocol::keys::SignedPreKeyPair::generate(
        1,
        &IdentityKeyPair::generate(&mut rng),
        &mut rng,
    );
    vec![
        ClientFrame::Authenticate {
            account: user("alice"),
            device: 2,
            signature: [7; 64],
        },
        ClientFrame::UploadPreKeys {
            signed_prekey: spk.public(),
            one_time: vec![hush_protocol::keys::OneTimePreKeyPair::generate(5, &mut rng).public()],
        },
        ClientFrame::Send {
            client_id: [9; 16],
            recipient: user("bob"),
            envelopes: vec![OutgoingEnvelope {
                device: 1,
                payload: vec![1, 2, 3],
            }],
        },
        ClientFrame::Ack {
            ids: vec![1, u64::MAX],
        },
        ClientFrame::Typing {
            to: user("bob"),
            typing: true,
        },
        ClientFrame::GroupTyping {
            group: [3; 16],
            members: vec![user("bob"), user("carol")],
            typing: false,
        },
        ClientFrame::GroupCommit {
            group: [3; 16],
            epoch: u64::MAX,
            hash: [6; 32],
        },
        ClientFrame::GroupOrder {
            group: [3; 16],
            after: 7,
        },
        ClientFrame::Subscribe {
            accounts: vec![user("bob"), user("carol")],
        },
        ClientFrame::PushSubscribe {
            endpoint: "https://push.example.net/send/abc?x=1".into(),
            p256dh: [4; 65],
            auth: [5; 16],
        },
        ClientFrame::PushUnsubscribe,
        ClientFrame::RequestUpload {
            request: 7,
            size: 1_000,
        },
        ClientFrame::RenewBlob {
            request: 8,
            id: [9; 32],
        },
        ClientFrame::AckExpired {
            ids: vec![0, 3, u64::MAX],
        },
        ClientFrame::OpenLink {
            address: [1, 2, 3, 4, 5, 6],
            announcement: vec![7; 198],
        },
        ClientFrame::FetchLink {
            request: 8,
            address: [6; 6],
        },
        ClientFrame::Provision {
            request: 9,
            address: [6; 6],
            sealed: vec![3; 600],
        },
        ClientFrame::SetPresenceVisibility {
            request: 10,
            visibility: PresenceVisibility::Nobody,
        },
        ClientFrame::SetPresenceVisibility {
            request: 11,
            visibility: PresenceVisibility::Everyone,
        },
    ]
}

/// One frame of (almost) every relay kind.
fn server_frames() -> Vec<ServerFrame> {
    vec![
        ServerFrame::Challenge { nonce: [3; 32] },
        ServerFrame::Error {
            request: 4,
            code: ErrorCode::RateLimited,
            message: "slow down".into(),
        },
        ServerFrame::Sent {
            client_id: [1; 16],
            outcome: SendOutcome::Mismatch {
                missing: vec![1],
                extra: vec![2, 3],
            },
        },
        ServerFrame::Sent {
            client_id: [2; 16],
            outcome: SendOutcome::Refused {
                code: ErrorCode::RateLimited,
                message: "too many requests; slow down".into(),
            },
        },
        ServerFrame::Envelope {
            id: 42,
            sender: user("alice"),
            sender_device: 1,
            received_ms: 1_700_000_000_000,
            payload: vec![0; 100],
        },
        ServerFrame::QueueDrained,
        ServerFrame::UploadGranted {
            request: 3,
            id: [8; 32],
        },
        ServerFrame::BlobRenewed { request: 5 },
        ServerFrame::Error {
            request: 6,
            code: ErrorCode::QuotaExceeded,
            message: "storage quota reached".to_owned(),
        },
        ServerFrame::DeviceListPublished {
            request: 4,
            version: 9,
        },
        ServerFrame::Presence {
            account: user("bob"),
            online: false,
            last_seen_ms: 5,
        },
        ServerFrame::GroupTyping {
            group: [4; 16],
            from: user("carol"),
            typing: true,
        },
        ServerFrame::GroupCommitted {
            group: [4; 16],
            epoch: 3,
            hash: [8; 32],
        },
        ServerFrame::GroupCommitRefused {
            group: [4; 16],
            epoch: 3,
            head: 9,
        },
        ServerFrame::GroupOrder {
            group: [4; 16],
            entries: vec![
                hush_protocol::groups::Ordered {
                    epoch: 1,
                    hash: [1; 32],
                },
                hush_protocol::groups::Ordered {
                    epoch: 2,
                    hash: [2; 32],
                },
            ],
        },
        ServerFrame::Expired {
            id: 12,
            client_id: [2; 16],
            recipient: user("bob"),
            device: 1,
        },
        ServerFrame::PushSubscribed,
        ServerFrame::LinkOpened { expires_in_s: 300 },
        ServerFrame::LinkAnnouncement {
            request: 5,
            announcement: vec![4; 198],
        },
        ServerFrame::Provisioned { request: 6 },
        ServerFrame::Provisioning {
            sealed: vec![5; 500],
        },
        ServerFrame::OwnDevices {
            device_list: vec![6; 700],
            last_active: vec![(1, 0), (2, 1_800_000_000_000)],
        },
        ServerFrame::PresenceVisibility {
            request: 7,
            visibility: PresenceVisibility::Nobody,
        },
        ServerFrame::PresenceVisibility {
            request: 0,
            visibility: PresenceVisibility::Everyone,
        },
    ]
}

#[test]
fn frames_round_trip() {
    for frame in client_frames() {
        assert_eq!(ClientFrame::decode(&frame.encode()).unwrap(), frame);
    }
    let group = ClientFrame::GroupSend {
        client_id: [3; 16],
        members: vec![user("alice"), user("bob")],
        payload: vec![1; 100],
    };
    assert_eq!(ClientFrame::decode(&group.encode()).unwrap(), group);
    for frame in server_frames() {
        assert_eq!(ServerFrame::decode(&frame.encode()).unwrap(), frame);
    }
}

#[test]
fn bad_frames_are_clear_errors() {
    assert_eq!(ClientFrame::decode(&[]).err(), Some(DecodeError::Truncated));
    assert_eq!(
        ClientFrame::decode(&[1, 0x20]).err(),
        Some(DecodeError::UnsupportedVersion(1))
    );
    assert_eq!(
        ClientFrame::decode(&[2, 0x40]).err(),
        Some(DecodeError::UnexpectedType(0x40))
    );
    assert!(matches!(
        ClientFrame::decode(&vec![1; MAX_FRAME + 1]),
        Err(DecodeError::TooLong { .. })
    ));
    // An empty account name is refused.
    let mut frame = ClientFrame::Typing {
        to: user("xyz"),
        typing: true,
    }
    .encode();
    frame[5] = 0; // length 3 → 0 (u32 BE at bytes 2..6)
    frame.drain(6..9);
    assert!(ClientFrame::decode(&frame).is_err());
    // A count larger than the bytes that follow is refused before allocating.
    assert!(ClientFrame::decode(&[2, 0x25, 0, 0, 3, 0xe8]).is_err());
}

#[test]
fn unknown_presence_visibilities_are_refused() {
    let invalid = Some(DecodeError::Invalid("presence visibility"));
    // Version, 0x35, request 1, then the setting: 2 is no setting.
    assert_eq!(
        ClientFrame::decode(&[2, 0x35, 0, 0, 0, 1, 2]).err(),
        invalid
    );
    assert_eq!(
        ServerFrame::decode(&[2, 0x58, 0, 0, 0, 1, 0xFF]).err(),
        invalid
    );
    assert_eq!(
        ClientFrame::decode(&[2, 0x35, 0, 0, 0, 1]).err(),
        Some(DecodeError::Truncated)
    );
    assert_eq!(
        PresenceVisibility::from_byte(1),
        Ok(PresenceVisibility::Nobody)
    );
}

#[test]
fn push_endpoints_are_checked() {
    let frame = |endpoint: String| {
        ClientFrame::PushSubscribe {
            endpoint,
            p256dh: [4; 65],
            auth: [5; 16],
        }
        .encode()
    };
    assert!(ClientFrame::decode(&frame("http://127.0.0.1:9/notify/a".into())).is_ok());
    let longest = format!("https://p.example/{}", "a".repeat(MAX_PUSH_ENDPOINT - 18));
    assert_eq!(longest.len(), MAX_PUSH_ENDPOINT);
    assert!(ClientFrame::decode(&frame(longest.clone())).is_ok());
    for bad in [
        format!("{longest}a"),
        "ftp://push.example/x".into(),
        "https://".into(),
        "https:///path".into(),
        "https://push.example/a b".into(),
        "https://push.example/\u{e9}".into(),
        String::new(),
    ] {
        assert!(ClientFrame::decode(&frame(bad.clone())).is_err(), "{bad}");
    }
    // The keys have fixed lengths: one byte short is truncated.
    let mut short = frame("https://push.example/x".into());
    short.pop();
    assert_eq!(
        ClientFrame::decode(&short).err(),
        Some(DecodeError::Truncated)
    );
}
