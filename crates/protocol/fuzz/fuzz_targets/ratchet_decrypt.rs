//! Decryption of untrusted messages with fixed, established state (two confirmed sessions and
//! two session records of Bob's). Properties:
//! - it never panics;
//! - a rejected message leaves the state byte for byte as it was;
//! - only a valid, unmodified, not yet delivered message is accepted, with its own plaintext
//!   (anything else would be a forgery or a replay).
//!
//! First byte below 0x80: the rest is decoded as is and tried on every state. From 0x80 on: bits
//! 0-3 pick one of the 16 valid messages, bits 4-6 an edit (see `mutate`), and the rest edits it,
//! which reaches the AEAD and the code behind it.
#![no_main]

use hush_protocol::hex;
use hush_protocol::wire::{Message, RatchetMessage};
use hush_protocol_fuzz::{fixture, mutate, rng, Fixture, Target};
use libfuzzer_sys::fuzz_target;

/// An accepted message must be one of the valid, undelivered messages for that state.
fn check_accepted(f: &Fixture, target: Target, bytes: &[u8], plaintext: &[u8]) {
    let Some(case) = f
        .cases
        .iter()
        .find(|c| c.target == target && c.message == bytes)
    else {
        panic!(
            "{target:?} accepted a message that was never sent: {}",
            hex::encode(bytes)
        );
    };
    assert!(
        !case.delivered,
        "{target:?} accepted a replay: {}",
        hex::encode(bytes)
    );
    assert!(
        plaintext == case.plaintext,
        "{target:?} decrypted {} to {} instead of {}",
        hex::encode(bytes),
        hex::encode(plaintext),
        hex::encode(&case.plaintext)
    );
}

fn check_unchanged(target: Target, before: &[u8], after: &[u8], error: &str, bytes: &[u8]) {
    assert!(
        before == after,
        "{target:?}: rejected message ({error}) changed the state; message {}",
        hex::encode(bytes)
    );
}

fn attempt(f: &Fixture, target: Target, bytes: &[u8]) {
    let mut rng = rng(7);
    if let Some((session, before)) = f.session(target) {
        let Ok(message) = RatchetMessage::decode(bytes) else {
            return;
        };
        let mut session = session.clone();
        match session.decrypt(&message, &mut rng) {
            Ok(plaintext) => check_accepted(f, target, bytes, &plaintext),
            Err(e) => check_unchanged(
                target,
                before,
                &session.to_bytes(),
                &format!("{e:?}"),
                bytes,
            ),
        }
    } else if let Some((record, before)) = f.record(target) {
        let Ok(message) = Message::decode(bytes) else {
            return;
        };
        let mut record = record.clone();
        let result = match &message {
            Message::Ratchet(m) => record.decrypt(m, &mut rng).map_err(|e| format!("{e:?}")),
            Message::PreKey(m) => {
                // The prekeys Bob's store would find by the ids in the message.
                let signed =
                    (m.signed_prekey_id == f.signed_prekey.id()).then_some(&f.signed_prekey);
                let one_time = (target == Target::FreshRecord
                    && m.one_time_prekey_id == Some(f.one_time_prekey.id()))
                .then_some(&f.one_time_prekey);
                record
                    .decrypt_prekey(
                        m,
                        &f.bob_identity,
                        &f.bob_address,
                        signed,
                        one_time,
                        &mut rng,
                    )
                    .map_err(|e| format!("{e:?}"))
            }
        };
        match result {
            Ok(plaintext) => check_accepted(f, target, bytes, &plaintext),
            Err(e) => check_unchanged(target, before, &record.to_bytes(), &e, bytes),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    if selector < 0x80 {
        for target in Target::ALL {
            attempt(f, target, rest);
        }
    } else {
        let case = &f.cases[usize::from(selector & 0x0f) % f.cases.len()];
        attempt(
            f,
            case.target,
            &mutate(&case.message, (selector >> 4) & 0x07, rest),
        );
    }
});
