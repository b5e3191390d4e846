//! Our protocol's cases: steady state, ping-pong and session setup.

use std::hint::black_box;

use hush_protocol::keys::{OneTimePreKeyPair, SignedPreKeyPair};
use hush_protocol::ratchet::Session;
use hush_protocol::wire::{Message, PreKeyBundle};
use hush_protocol::{x3dh, DeviceAddress, IdentityKeyPair};
use rand_chacha::ChaCha20Rng;

use super::harness::{Case, Named};
use super::inputs::{ALICE, BOB};

struct Parties {
    alice: IdentityKeyPair,
    alice_address: DeviceAddress,
    bob: IdentityKeyPair,
    bob_address: DeviceAddress,
    signed_prekey: SignedPreKeyPair,
}

impl Parties {
    fn new(rng: &mut ChaCha20Rng) -> Self {
        let bob = IdentityKeyPair::generate(rng);
        Self {
            alice: IdentityKeyPair::generate(rng),
            alice_address: DeviceAddress::new(ALICE, 1).unwrap(),
            signed_prekey: SignedPreKeyPair::generate(1, &bob, rng),
            bob,
            bob_address: DeviceAddress::new(BOB, 1).unwrap(),
        }
    }

    fn bundle(&self, one_time_prekey: &OneTimePreKeyPair) -> PreKeyBundle {
        PreKeyBundle {
            identity: self.bob.public(),
            address: self.bob_address.clone(),
            signed_prekey: self.signed_prekey.public(),
            one_time_prekey: Some(one_time_prekey.public()),
        }
    }
}

/// One message `from` → `to`; the session must be confirmed.
fn ours_send(from: &mut Session, to: &mut Session, text: &[u8], rng: &mut ChaCha20Rng) -> Vec<u8> {
    let Ok(Message::Ratchet(message)) = from.encrypt(text) else {
        panic!("session not confirmed");
    };
    to.decrypt(&message, rng).unwrap().to_vec()
}

/// A confirmed pair of sessions (Bob has replied once).
fn ours_pair(rng: &mut ChaCha20Rng, text: &[u8]) -> (Session, Session) {
    let parties = Parties::new(rng);
    let one_time_prekey = OneTimePreKeyPair::generate(1, rng);
    let bundle = parties.bundle(&one_time_prekey);
    let mut alice = x3dh::initiate(&parties.alice, &parties.alice_address, &bundle, rng).unwrap();
    let Ok(Message::PreKey(first)) = alice.encrypt(text) else {
        panic!("first message is not a prekey message");
    };
    let (mut bob, got) = x3dh::respond(
        &parties.bob,
        &parties.bob_address,
        &parties.signed_prekey,
        Some(&one_time_prekey),
        &first,
        rng,
    )
    .unwrap();
    assert_eq!(*got, text);
    assert_eq!(ours_send(&mut bob, &mut alice, text, rng), text);
    assert_eq!(ours_send(&mut alice, &mut bob, text, rng), text);
    (alice, bob)
}

struct OursSteady {
    alice: Session,
    bob: Session,
    text: Vec<u8>,
    rng: ChaCha20Rng,
}

impl Case for OursSteady {
    fn run(&mut self, n: usize) {
        for _ in 0..n {
            black_box(ours_send(
                &mut self.alice,
                &mut self.bob,
                &self.text,
                &mut self.rng,
            ));
        }
    }
}

/// Steady state with the wire encoding and decoding of each message (for comparison with
/// vodozemac, whose `encrypt` encodes the message to compute its MAC).
struct OursSteadyWire(OursSteady);

impl Case for OursSteadyWire {
    fn run(&mut self, n: usize) {
        let s = &mut self.0;
        for _ in 0..n {
            let bytes = s.alice.encrypt(&s.text).unwrap().encode();
            let Ok(Message::Ratchet(message)) = Message::decode(black_box(&bytes)) else {
                panic!("not a ratchet message");
            };
            black_box(s.bob.decrypt(&message, &mut s.rng).unwrap());
        }
    }
}

struct OursPingPong {
    alice: Session,
    bob: Session,
    alice_sends: bool,
    text: Vec<u8>,
    rng: ChaCha20Rng,
}

impl Case for OursPingPong {
    fn run(&mut self, n: usize) {
        for _ in 0..n {
            let (from, to) = if self.alice_sends {
                (&mut self.alice, &mut self.bob)
            } else {
                (&mut self.bob, &mut self.alice)
            };
            black_box(ours_send(from, to, &self.text, &mut self.rng));
            self.alice_sends = !self.alice_sends;
        }
    }
}

struct OursSetup {
    parties: Parties,
    pool: Vec<(OneTimePreKeyPair, PreKeyBundle)>,
    next_id: u32,
    text: Vec<u8>,
    rng: ChaCha20Rng,
}

impl Case for OursSetup {
    fn prepare(&mut self, n: usize) {
        self.pool.clear();
        for _ in 0..n {
            self.next_id = self.next_id.wrapping_add(1);
            let one_time_prekey = OneTimePreKeyPair::generate(self.next_id, &mut self.rng);
            let bundle = self.parties.bundle(&one_time_prekey);
            self.pool.push((one_time_prekey, bundle));
        }
    }

    fn run(&mut self, _n: usize) {
        let p = &self.parties;
        for (one_time_prekey, bundle) in self.pool.drain(..) {
            let mut alice =
                x3dh::initiate(&p.alice, &p.alice_address, &bundle, &mut self.rng).unwrap();
            let Ok(Message::PreKey(first)) = alice.encrypt(&self.text) else {
                panic!("first message is not a prekey message");
            };
            let bob = x3dh::respond(
                &p.bob,
                &p.bob_address,
                &p.signed_prekey,
                Some(&one_time_prekey),
                &first,
                &mut self.rng,
            )
            .unwrap();
            black_box((alice, bob));
        }
    }
}

/// Our cases in the order they are reported, and steady state with the wire encoding (one of
/// the extras).
pub(crate) fn cases(rng: &mut ChaCha20Rng, text: &[u8]) -> (Vec<Named>, Named) {
    let (alice, bob) = ours_pair(rng, text);
    let steady = OursSteady {
        alice,
        bob,
        text: text.to_vec(),
        rng: super::inputs::rng(),
    };
    let (alice, bob) = ours_pair(rng, text);
    let wire = OursSteadyWire(OursSteady {
        alice,
        bob,
        text: text.to_vec(),
        rng: super::inputs::rng(),
    });
    let (alice, bob) = ours_pair(rng, text);
    let pingpong = OursPingPong {
        alice,
        bob,
        alice_sends: false,
        text: text.to_vec(),
        rng: super::inputs::rng(),
    };
    let setup = OursSetup {
        parties: Parties::new(rng),
        pool: Vec::new(),
        next_id: 0,
        text: text.to_vec(),
        rng: super::inputs::rng(),
    };
    let main: Vec<Named> = vec![
        ("ours/steady", Box::new(steady)),
        ("ours/pingpong", Box::new(pingpong)),
        ("ours/setup", Box::new(setup)),
    ];
    (main, ("ours/steady+wire", Box::new(wire)))
}
