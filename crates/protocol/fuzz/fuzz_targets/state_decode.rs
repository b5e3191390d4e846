//! Every stored-state decoder on untrusted bytes (storage can be corrupted or tampered with): it
//! must never panic, and whatever it accepts must re-encode to bytes that decode again to the same
//! value, and, for this version's records, to the same bytes.
#![no_main]

use hush_protocol::hex;
use hush_protocol::ratchet::Session;
use hush_protocol::record::SessionRecord;
use hush_protocol::sender_key::{OwnSenderKey, SenderKeyRecord};
use hush_protocol::DecodeError;
use hush_protocol_fuzz::{fixture, mutate};
use libfuzzer_sys::fuzz_target;

fn round_trip<T>(
    name: &str,
    input: &[u8],
    decode: impl Fn(&[u8]) -> Result<T, DecodeError>,
    encode: impl Fn(&T) -> Vec<u8>,
) {
    let Ok(value) = decode(input) else { return };
    let bytes = encode(&value);
    match decode(&bytes) {
        Ok(again) => assert!(
            encode(&again) == bytes,
            "{name}: decoding its own encoding changed it: {}",
            hex::encode(&bytes)
        ),
        Err(e) => panic!(
            "{name}: its own encoding does not decode ({e}): {}",
            hex::encode(&bytes)
        ),
    }
    // A record of an earlier version is migrated on load, so only this version's are canonical.
    assert!(
        input.first() != Some(&hush_protocol::WIRE_VERSION) || bytes == input,
        "{name}: non-canonical encoding accepted: input {} re-encodes as {}",
        hex::encode(input),
        hex::encode(&bytes)
    );
}

fn check_all(input: &[u8]) {
    round_trip("Session", input, Session::from_bytes, |s| {
        s.to_bytes().to_vec()
    });
    round_trip("SessionRecord", input, SessionRecord::from_bytes, |r| {
        r.to_bytes().to_vec()
    });
    round_trip("SenderKeyRecord", input, SenderKeyRecord::from_bytes, |r| {
        r.to_bytes().to_vec()
    });
    round_trip("OwnSenderKey", input, OwnSenderKey::from_bytes, |k| {
        k.to_bytes().to_vec()
    });
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if selector < 0x80 {
        check_all(rest);
    } else {
        let templates = &fixture().state_templates;
        let template = &templates[usize::from(selector & 0x0f) % templates.len()];
        check_all(&mutate(template, selector >> 4, rest));
    }
});
