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

/// Two parties, and what the test knows: what was sent, what decrypted, what is on the wire.
struct TwoParties {
    run: u64,
    devices: [Device; 2],
    records: [SessionRecord; 2],
    sent: HashMap<u64, Vec<u8>>,
    decrypted: HashSet<u64>,
    network: Vec<InFlight>,
    next_id: u64,
}

impl TwoParties {
    /// Alice has started a session with Bob; nothing is sent yet.
    #[allow(clippy::unwrap_used)]
    fn new(run: u64, rng: &mut TestRng) -> Self {
        let devices = [Device::new("alice", 1, rng), Device::new("bob", 1, rng)];
        let mut records = [SessionRecord::new(), SessionRecord::new()];
        records[0].promote(
            x3dh::initiate(
                &devices[0].identity,
                &devices[0].address,
                &devices[1].bundle(true),
                rng,
            )
            .unwrap(),
        );
        Self {
            run,
            devices,
            records,
            sent: HashMap::new(),
            decrypted: HashSet::new(),
            network: Vec::new(),
            next_id: 0,
        }
    }

    /// `text` encrypted by `from`, remembered as sent, not on the network yet.
    #[allow(clippy::unwrap_used)]
    fn encrypt(&mut self, from: usize, text: Vec<u8>) -> InFlight {
        let bytes = self.records[from].encrypt(&text).unwrap().encode();
        let id = self.next_id;
        self.sent.insert(id, text);
        self.next_id += 1;
        InFlight {
            to: 1 - from,
            id,
            bytes,
        }
    }

    /// Whether `item` decrypted (to what was sent, and only once).
    #[allow(clippy::unwrap_used)]
    fn deliver(&mut self, item: InFlight, rng: &mut TestRng) -> bool {
        let run = self.run;
        let message = Message::decode(&item.bytes).unwrap();
        match deliver(
            &mut self.records[item.to],
            &self.devices[item.to],
            &message,
            rng,
        ) {
            Ok(plaintext) => {
                assert_eq!(
                    &plaintext, &self.sent[&item.id],
                    "run {run}: wrong plaintext"
                );
                assert!(
                    self.decrypted.insert(item.id),
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
    }

    /// One random step: send, deliver, duplicate, drop, or save and restore a record.
    #[allow(clippy::unwrap_used)]
    fn step(&mut self, rng: &mut TestRng) {
        match rng.next_u32() % 100 {
            op @ 0..=44 => {
                let from = usize::from(op >= 25);
                if self.records[from].is_empty() {
                    return;
                }
                let text = format!("{}:{}", self.next_id, rng.next_u64()).into_bytes();
                let item = self.encrypt(from, text);
                self.network.push(item);
            }
            45..=74 if !self.network.is_empty() => {
                let i = pick(rng, self.network.len());
                let item = self.network.swap_remove(i);
                self.deliver(item, rng);
            }
            75..=84 if !self.network.is_empty() => {
                let i = pick(rng, self.network.len());
                let copy = InFlight {
                    to: self.network[i].to,
                    id: self.network[i].id,
                    bytes: self.network[i].bytes.clone(),
                };
                self.network.push(copy);
            }
            85..=91 if !self.network.is_empty() => {
                let i = pick(rng, self.network.len());
                self.network.swap_remove(i);
            }
            92..=99 => {
                let who = pick(rng, 2);
                let restored = SessionRecord::from_bytes(&self.records[who].to_bytes()).unwrap();
                self.records[who] = restored;
            }
            _ => {}
        }
    }

    /// Drains the network; then two round trips must simply work.
    fn recover(&mut self, rng: &mut TestRng) {
        while let Some(item) = self.network.pop() {
            self.deliver(item, rng);
        }
        if self.records[1].is_empty() {
            // Every message from Alice was dropped: her next one still starts the session.
            let item = self.encrypt(0, b"late start".to_vec());
            assert!(self.deliver(item, rng));
        }
        for round in 0..4 {
            let item = self.encrypt(round % 2, format!("recovery {round}").into_bytes());
            let run = self.run;
            assert!(
                self.deliver(item, rng),
                "run {run}: no recovery in round {round}"
            );
        }
    }
}

#[test]
fn two_parties_survive_loss_duplication_reordering_and_restarts() {
    for run in 0..RUNS {
        let mut rng = rng(1000 + run);
        let mut parties = TwoParties::new(run, &mut rng);
        for _ in 0..OPS {
            parties.step(&mut rng);
        }
        parties.recover(&mut rng);
    }
}

const GROUP: [u8; 16] = *b"chaos-group-0001";

/// A group message on its way: sender, receiver, id, bytes.
type InTransit = (usize, usize, u64, Vec<u8>);

/// Member `n`'s device.
#[allow(clippy::unwrap_used)]
fn member(n: usize) -> hush_protocol::DeviceAddress {
    hush_protocol::DeviceAddress::new(format!("member{n}"), 1).unwrap()
}

/// Four members with sender keys, and what the test knows.
struct Group {
    run: u64,
    own: Vec<OwnSenderKey>,
    /// `records[receiver][sender]`.
    records: Vec<Vec<SenderKeyRecord>>,
    sent: HashMap<u64, Vec<u8>>,
    decrypted: HashSet<(u64, usize)>,
    network: Vec<InTransit>,
    next_id: u64,
    rotations: u32,
}

impl Group {
    /// Every member holds every member's sender key.
    #[allow(clippy::unwrap_used)]
    fn new(run: u64, rng: &mut TestRng) -> Self {
        let own: Vec<OwnSenderKey> = (0..4).map(|_| OwnSenderKey::generate(GROUP, rng)).collect();
        let mut records: Vec<Vec<SenderKeyRecord>> = (0..4)
            .map(|_| (0..4).map(|_| SenderKeyRecord::new()).collect())
            .collect();
        for sender in 0..4 {
            for receiver in 0..4 {
                records[receiver][sender]
                    .process(
                        &GROUP,
                        &member(sender),
                        &own[sender].distribution(&member(sender)),
                    )
                    .unwrap();
            }
        }
        Self {
            run,
            own,
            records,
            sent: HashMap::new(),
            decrypted: HashSet::new(),
            network: Vec::new(),
            next_id: 0,
            rotations: 0,
        }
    }

    /// A new message from `sender`: one copy per other member.
    #[allow(clippy::unwrap_used)]
    fn send(&mut self, sender: usize) -> Vec<InTransit> {
        let id = self.next_id;
        let text = format!("{id}").into_bytes();
        let bytes = self.own[sender]
            .encrypt(&member(sender), &text)
            .unwrap()
            .encode();
        self.sent.insert(id, text);
        self.next_id += 1;
        (0..4)
            .filter(|r| *r != sender)
            .map(|receiver| (sender, receiver, id, bytes.clone()))
            .collect()
    }

    /// Whether the copy decrypted (to what was sent, and only once).
    #[allow(clippy::unwrap_used)]
    fn deliver(&mut self, (sender, receiver, id, bytes): InTransit) -> bool {
        let message = SenderKeyMessage::decode(&bytes).unwrap();
        match self.records[receiver][sender].decrypt(&member(sender), &message) {
            Ok(plaintext) => {
                assert_eq!(&*plaintext, &self.sent[&id]);
                assert!(self.decrypted.insert((id, receiver)), "decrypted twice");
                true
            }
            Err(error) => {
                assert_eq!(error, SenderKeyError::Duplicate, "run {}", self.run);
                false
            }
        }
    }

    /// One random step: send, deliver, duplicate, drop, save and restore a member, or rotate
    /// a member's sender key (three times at most).
    #[allow(clippy::unwrap_used)]
    fn step(&mut self, rng: &mut TestRng) {
        match rng.next_u32() % 100 {
            0..=29 => {
                let copies = self.send(pick(rng, 4));
                self.network.extend(copies);
            }
            30..=69 if !self.network.is_empty() => {
                let i = pick(rng, self.network.len());
                let item = self.network.swap_remove(i);
                self.deliver(item);
            }
            70..=79 if !self.network.is_empty() => {
                let i = pick(rng, self.network.len());
                let copy = self.network[i].clone();
                self.network.push(copy);
            }
            80..=89 if !self.network.is_empty() => {
                let i = pick(rng, self.network.len());
                self.network.swap_remove(i);
            }
            90..=96 => {
                let who = pick(rng, 4);
                for record in &mut self.records[who] {
                    *record = SenderKeyRecord::from_bytes(&record.to_bytes()).unwrap();
                }
                self.own[who] = OwnSenderKey::from_bytes(&self.own[who].to_bytes()).unwrap();
            }
            97..=99 if self.rotations < 3 => {
                let who = pick(rng, 4);
                self.own[who] = OwnSenderKey::generate(GROUP, rng);
                for receiver in 0..4 {
                    let distribution = self.own[who].distribution(&member(who));
                    self.records[receiver][who]
                        .process(&GROUP, &member(who), &distribution)
                        .unwrap();
                }
                self.rotations += 1;
            }
            _ => {}
        }
    }

    /// Drains the network; then every member's next message reaches every other member.
    fn recover(&mut self) {
        while let Some(item) = self.network.pop() {
            self.deliver(item);
        }
        for sender in 0..4 {
            for copy in self.send(sender) {
                assert!(self.deliver(copy));
            }
        }
    }
}

#[test]
fn a_group_of_four_survives_chaos_and_rotations() {
    for run in 0..RUNS {
        let mut rng = rng(2000 + run);
        let mut group = Group::new(run, &mut rng);
        for _ in 0..OPS {
            group.step(&mut rng);
        }
        group.recover();
    }
}
