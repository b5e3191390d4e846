//! A model-based chaos test in the spirit of libsignal's `session_management` fuzz target:
//! random send / deliver / drop / duplicate / reorder / save-and-restore on two parties, and on
//! a group of four with sender keys. Whatever decrypts must equal what was sent, nothing may
//! decrypt twice, and the parties must talk normally again within two round trips.
// On wasm32 the tests are #[wasm_bindgen_test] functions: clippy.toml's test allowances
// do not reach them.
#![cfg_attr(target_arch = "wasm32", allow(clippy::unwrap_used))]
#![allow(clippy::needless_range_loop)]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use std::collections::{HashMap, HashSet};

use common::*;
use hush_protocol::record::SessionRecord;
use hush_protocol::sender_key::{OwnSenderKey, SenderKeyError, SenderKeyRecord};
use hush_protocol::wire::{Message, SenderKeyMessage};
use hush_protocol::x3dh;
use rand_chacha::rand_core::RngCore;

#[cfg(not(target_arch = "wasm32"))]
const RUNS: u64 = 24;
#[cfg(target_arch = "wasm32")]
const RUNS: u64 = 4;
const OPS: usize = 400;

struct InFlight {
    to: usize,
    id: u64,
    bytes: Vec<u8>,
}

fn pick(rng: &mut TestRng, len: usize) -> usize {
    (rng.next_u64() % len as u64) as usize
}

#[test]
fn two_parties_survive_loss_duplication_reordering_and_restarts() {
    for run in 0..RUNS {
        let mut rng = rng(1000 + run);
        let devices = [
            Device::new("alice", 1, &mut rng),
            Device::new("bob", 1, &mut rng),
        ];
        let mut records = [SessionRecord::new(), SessionRecord::new()];
        records[0].promote(
            x3dh::initiate(
                &devices[0].identity,
                &devices[0].address,
                &devices[1].bundle(true),
                &mut rng,
            )
            .unwrap(),
        );
        let mut sent: HashMap<u64, Vec<u8>> = HashMap::new();
        let mut decrypted: HashSet<u64> = HashSet::new();
        let mut network: Vec<InFlight> = Vec::new();
        let mut next_id = 0u64;

        let deliver_one = |records: &mut [SessionRecord; 2],
                           item: InFlight,
                           rng: &mut TestRng,
                           decrypted: &mut HashSet<u64>,
                           sent: &HashMap<u64, Vec<u8>>| {
            let message = Message::decode(&item.bytes).unwrap();
            match deliver(&mut records[item.to], &devices[item.to], &message, rng) {
                Ok(plaintext) => {
                    assert_eq!(&plaintext, &sent[&item.id], "run {run}: wrong plaintext");
                    assert!(
                        decrypted.insert(item.id),
                        "run {run}: message {} decrypted twice",
                        item.id
                    );
                    true
                }
                Err(error) => {
                    // Refusing is fine for a copy already read, or a key expired by age.
                    assert!(error.contains("Duplicate"), "run {run}: unexpected {error}");
                    false
                }
            }
        };

        for _ in 0..OPS {
            match rng.next_u32() % 100 {
                op @ 0..=44 => {
                    let from = usize::from(op >= 25);
                    if records[from].is_empty() {
                        continue;
                    }
                    let text = format!("{next_id}:{}", rng.next_u64()).into_bytes();
                    let bytes = records[from].encrypt(&text).unwrap().encode();
                    sent.insert(next_id, text);
                    network.push(InFlight {
                        to: 1 - from,
                        id: next_id,
                        bytes,
                    });
                    next_id += 1;
                }
                45..=74 if !network.is_empty() => {
                    let i = pick(&mut rng, network.len());
                    let item = network.swap_remove(i);
                    deliver_one(&mut records, item, &mut rng, &mut decrypted, &sent);
                }
                75..=84 if !network.is_empty() => {
                    let i = pick(&mut rng, network.len());
                    let copy = InFlight {
                        to: network[i].to,
                        id: network[i].id,
                        bytes: network[i].bytes.clone(),
                    };
                    network.push(copy);
                }
                85..=91 if !network.is_empty() => {
                    let i = pick(&mut rng, network.len());
                    network.swap_remove(i);
                }
                92..=99 => {
                    let who = pick(&mut rng, 2);
                    records[who] = SessionRecord::from_bytes(&records[who].to_bytes()).unwrap();
                }
                _ => {}
            }
        }
        // Drain the network, then two round trips must simply work.
        while let Some(item) = network.pop() {
            deliver_one(&mut records, item, &mut rng, &mut decrypted, &sent);
        }
        if records[1].is_empty() {
            // Every message from Alice was dropped: her next one still starts the session.
            let text = b"late start".to_vec();
            let bytes = records[0].encrypt(&text).unwrap().encode();
            sent.insert(next_id, text);
            assert!(deliver_one(
                &mut records,
                InFlight {
                    to: 1,
                    id: next_id,
                    bytes
                },
                &mut rng,
                &mut decrypted,
                &sent
            ));
            next_id += 1;
        }
        for round in 0..4 {
            let from = round % 2;
            let text = format!("recovery {round}").into_bytes();
            let bytes = records[from].encrypt(&text).unwrap().encode();
            sent.insert(next_id, text);
            assert!(
                deliver_one(
                    &mut records,
                    InFlight {
                        to: 1 - from,
                        id: next_id,
                        bytes
                    },
                    &mut rng,
                    &mut decrypted,
                    &sent
                ),
                "run {run}: no recovery in round {round}"
            );
            next_id += 1;
        }
    }
}

#[test]
fn a_group_of_four_survives_chaos_and_rotations() {
    const GROUP: [u8; 16] = *b"chaos-group-0001";
    for run in 0..RUNS {
        let mut rng = rng(2000 + run);
        let mut own: Vec<OwnSenderKey> = (0..4)
            .map(|_| OwnSenderKey::generate(GROUP, &mut rng))
            .collect();
        // records[receiver][sender]
        let mut records: Vec<Vec<SenderKeyRecord>> = (0..4)
            .map(|_| (0..4).map(|_| SenderKeyRecord::new()).collect())
            .collect();
        for sender in 0..4 {
            for receiver in 0..4 {
                records[receiver][sender].process(&own[sender].distribution());
            }
        }
        let mut sent: HashMap<u64, Vec<u8>> = HashMap::new();
        let mut decrypted: HashSet<(u64, usize)> = HashSet::new();
        let mut network: Vec<(usize, usize, u64, Vec<u8>)> = Vec::new(); // sender, receiver, id, bytes
        let mut next_id = 0u64;
        let mut rotations = 0;

        let deliver = |records: &mut Vec<Vec<SenderKeyRecord>>,
                       (sender, receiver, id, bytes): (usize, usize, u64, Vec<u8>),
                       decrypted: &mut HashSet<(u64, usize)>,
                       sent: &HashMap<u64, Vec<u8>>| {
            let message = SenderKeyMessage::decode(&bytes).unwrap();
            match records[receiver][sender].decrypt(&message) {
                Ok(plaintext) => {
                    assert_eq!(&plaintext, &sent[&id]);
                    assert!(decrypted.insert((id, receiver)), "decrypted twice");
                    true
                }
                Err(error) => {
                    assert_eq!(error, SenderKeyError::Duplicate, "run {run}");
                    false
                }
            }
        };

        for _ in 0..OPS {
            match rng.next_u32() % 100 {
                0..=29 => {
                    let sender = pick(&mut rng, 4);
                    let text = format!("{next_id}").into_bytes();
                    let bytes = own[sender].encrypt(&text).unwrap().encode();
                    sent.insert(next_id, text);
                    for receiver in (0..4).filter(|r| *r != sender) {
                        network.push((sender, receiver, next_id, bytes.clone()));
                    }
                    next_id += 1;
                }
                30..=69 if !network.is_empty() => {
                    let i = pick(&mut rng, network.len());
                    let item = network.swap_remove(i);
                    deliver(&mut records, item, &mut decrypted, &sent);
                }
                70..=79 if !network.is_empty() => {
                    let i = pick(&mut rng, network.len());
                    let copy = network[i].clone();
                    network.push(copy);
                }
                80..=89 if !network.is_empty() => {
                    let i = pick(&mut rng, network.len());
                    network.swap_remove(i);
                }
                90..=96 => {
                    let who = pick(&mut rng, 4);
                    for record in &mut records[who] {
                        *record = SenderKeyRecord::from_bytes(&record.to_bytes()).unwrap();
                    }
                    own[who] = OwnSenderKey::from_bytes(&own[who].to_bytes()).unwrap();
                }
                97..=99 if rotations < 3 => {
                    let who = pick(&mut rng, 4);
                    own[who] = OwnSenderKey::generate(GROUP, &mut rng);
                    for receiver in 0..4 {
                        records[receiver][who].process(&own[who].distribution());
                    }
                    rotations += 1;
                }
                _ => {}
            }
        }
        while let Some(item) = network.pop() {
            deliver(&mut records, item, &mut decrypted, &sent);
        }
        for sender in 0..4 {
            let text = format!("{next_id}").into_bytes();
            let bytes = own[sender].encrypt(&text).unwrap().encode();
            sent.insert(next_id, text);
            for receiver in (0..4).filter(|r| *r != sender) {
                assert!(deliver(
                    &mut records,
                    (sender, receiver, next_id, bytes.clone()),
                    &mut decrypted,
                    &sent
                ));
            }
            next_id += 1;
        }
    }
}
