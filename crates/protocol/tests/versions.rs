//! Wire version 2: a peer's message of another version is `Outdated` (shown to the user, not
//! taken for garbage), and state an earlier build stored (version 1) still loads.
#![cfg_attr(target_arch = "wasm32", allow(clippy::unwrap_used))]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::*;
use hush_protocol::record::SessionRecord;
use hush_protocol::sender_key::{OwnSenderKey, SenderKeyRecord};
use hush_protocol::wire::{Message, PreKeyBundle, SenderKeyDistribution, SenderKeyMessage};
use hush_protocol::{DecodeError, WIRE_VERSION};

const GROUP: [u8; 16] = *b"group-0000000001";

/// `bytes` as a build of wire version `version` would have written them.
fn as_version(bytes: &[u8], version: u8) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    bytes[0] = version;
    bytes
}

#[test]
fn peer_messages_of_another_version_are_outdated() {
    assert_eq!(WIRE_VERSION, 2);
    let (alice, mut a, _, _, mut rng) = pair(30, false);
    let first = a.encrypt(b"hi").unwrap().encode();
    for version in [1, 3] {
        assert_eq!(
            Message::decode(&as_version(&first, version)).err(),
            Some(DecodeError::Outdated(version))
        );
    }
    let bundle = alice.bundle(true).encode();
    assert_eq!(
        PreKeyBundle::decode(&as_version(&bundle, 1)).err(),
        Some(DecodeError::Outdated(1))
    );
    let mut own = OwnSenderKey::generate(GROUP, &mut rng);
    let distribution = own.distribution(&alice.address).encode();
    assert_eq!(
        SenderKeyDistribution::decode(&as_version(&distribution, 1)).err(),
        Some(DecodeError::Outdated(1))
    );
    let message = own
        .encrypt(&alice.address, b"to the group")
        .unwrap()
        .encode();
    assert_eq!(
        SenderKeyMessage::decode(&as_version(&message, 1)).err(),
        Some(DecodeError::Outdated(1))
    );
}

#[test]
fn state_an_earlier_build_stored_still_loads() {
    let (alice, a, _, b, mut rng) = pair(31, true);
    // Sessions and session records: the layout is the same, only the version byte differs.
    let session = a.to_bytes();
    let loaded = hush_protocol::ratchet::Session::from_bytes(&as_version(&session, 1)).unwrap();
    assert_eq!(*loaded.to_bytes(), *session, "read back as it was");
    let mut record = SessionRecord::new();
    record.promote(b);
    let stored = record.to_bytes();
    let mut inner = as_version(&stored, 1);
    // The session inside starts after version, type, count and its length.
    inner[10] = 1;
    assert!(SessionRecord::from_bytes(&inner).is_ok());
    // Sender keys: ours and a member's.
    let own = OwnSenderKey::generate(GROUP, &mut rng);
    assert!(OwnSenderKey::from_bytes(&as_version(&own.to_bytes(), 1)).is_ok());
    let mut theirs = SenderKeyRecord::new();
    theirs
        .process(&GROUP, &alice.address, &own.distribution(&alice.address))
        .unwrap();
    assert!(SenderKeyRecord::from_bytes(&as_version(&theirs.to_bytes(), 1)).is_ok());
    // A version no build wrote is refused.
    assert_eq!(
        SenderKeyRecord::from_bytes(&as_version(&theirs.to_bytes(), 9)).err(),
        Some(DecodeError::UnsupportedVersion(9))
    );
}
