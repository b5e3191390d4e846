//! Every wire decoder on untrusted bytes: it must never panic, and whatever it accepts must
//! re-encode to the very same bytes (the encoding is canonical) and decode back to an equal value.
#![no_main]

use std::fmt::Debug;

use hush_protocol::hex;
use hush_protocol::wire::{
    Message, PreKeyBundle, PreKeyMessage, RatchetMessage, SenderKeyDistribution, SenderKeyMessage,
};
use hush_protocol::DecodeError;
use hush_protocol_fuzz::{fixture, mutate};
use libfuzzer_sys::fuzz_target;

fn round_trip<T: PartialEq + Debug>(
    name: &str,
    input: &[u8],
    decode: impl Fn(&[u8]) -> Result<T, DecodeError>,
    encode: impl Fn(&T) -> Vec<u8>,
) {
    let Ok(value) = decode(input) else { return };
    let bytes = encode(&value);
    match decode(&bytes) {
        Ok(again) => assert_eq!(again, value, "{name}: encode then decode changed the value"),
        Err(e) => panic!(
            "{name}: its own encoding does not decode ({e}): {}",
            hex::encode(&bytes)
        ),
    }
    assert!(
        bytes == input,
        "{name}: non-canonical encoding accepted: input {} re-encodes as {}",
        hex::encode(input),
        hex::encode(&bytes)
    );
}

fn check_all(input: &[u8]) {
    round_trip("Message", input, Message::decode, Message::encode);
    round_trip(
        "RatchetMessage",
        input,
        RatchetMessage::decode,
        RatchetMessage::encode,
    );
    round_trip(
        "PreKeyMessage",
        input,
        PreKeyMessage::decode,
        PreKeyMessage::encode,
    );
    round_trip(
        "PreKeyBundle",
        input,
        PreKeyBundle::decode,
        PreKeyBundle::encode,
    );
    round_trip(
        "SenderKeyMessage",
        input,
        SenderKeyMessage::decode,
        SenderKeyMessage::encode,
    );
    round_trip(
        "SenderKeyDistribution",
        input,
        SenderKeyDistribution::decode,
        |d| d.encode().to_vec(),
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if selector < 0x80 {
        check_all(rest);
    } else {
        let templates = &fixture().wire_templates;
        let template = &templates[usize::from(selector & 0x0f) % templates.len()];
        check_all(&mutate(template, selector >> 4, rest));
    }
});
