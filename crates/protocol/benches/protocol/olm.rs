//! vodozemac's cases (Olm v1: 3DH, AES-256-CBC + truncated HMAC-SHA256), the reference we
//! compare with.

use std::hint::black_box;

use vodozemac::olm::{Account, OlmMessage, Session as OlmSession, SessionConfig};
use vodozemac::Curve25519PublicKey;

use super::harness::{Case, Named};

fn olm_send(from: &mut OlmSession, to: &mut OlmSession, text: &[u8]) -> Vec<u8> {
    let message = from.encrypt(text).unwrap();
    assert!(
        matches!(message, OlmMessage::Normal(_)),
        "session not confirmed"
    );
    to.decrypt(&message).unwrap()
}

fn olm_pair(text: &[u8]) -> (OlmSession, OlmSession) {
    let alice = Account::new();
    let mut bob = Account::new();
    bob.generate_one_time_keys(1);
    let one_time_key = *bob.one_time_keys().values().next().unwrap();
    bob.mark_keys_as_published();
    let mut a = alice
        .create_outbound_session(
            SessionConfig::version_1(),
            bob.curve25519_key(),
            one_time_key,
        )
        .unwrap();
    let OlmMessage::PreKey(first) = a.encrypt(text).unwrap() else {
        panic!("first message is not a prekey message");
    };
    let created = bob
        .create_inbound_session(SessionConfig::version_1(), alice.curve25519_key(), &first)
        .unwrap();
    assert_eq!(created.plaintext, text);
    let mut b = created.session;
    assert_eq!(olm_send(&mut b, &mut a, text), text);
    assert_eq!(olm_send(&mut a, &mut b, text), text);
    (a, b)
}

struct OlmSteady {
    alice: OlmSession,
    bob: OlmSession,
    text: Vec<u8>,
}

impl Case for OlmSteady {
    fn run(&mut self, n: usize) {
        for _ in 0..n {
            black_box(olm_send(&mut self.alice, &mut self.bob, &self.text));
        }
    }
}

struct OlmPingPong {
    alice: OlmSession,
    bob: OlmSession,
    alice_sends: bool,
    text: Vec<u8>,
}

impl Case for OlmPingPong {
    fn run(&mut self, n: usize) {
        for _ in 0..n {
            let (from, to) = if self.alice_sends {
                (&mut self.alice, &mut self.bob)
            } else {
                (&mut self.bob, &mut self.alice)
            };
            black_box(olm_send(from, to, &self.text));
            self.alice_sends = !self.alice_sends;
        }
    }
}

struct OlmSetup {
    alice: Account,
    bob: Account,
    pool: Vec<Curve25519PublicKey>,
    text: Vec<u8>,
}

impl Case for OlmSetup {
    fn prepare(&mut self, n: usize) {
        self.bob.generate_one_time_keys(n);
        self.pool = self.bob.one_time_keys().into_values().collect();
        self.bob.mark_keys_as_published();
    }

    fn run(&mut self, _n: usize) {
        let (alice_key, bob_key) = (self.alice.curve25519_key(), self.bob.curve25519_key());
        for one_time_key in self.pool.drain(..) {
            let mut alice = self
                .alice
                .create_outbound_session(SessionConfig::version_1(), bob_key, one_time_key)
                .unwrap();
            let OlmMessage::PreKey(first) = alice.encrypt(&self.text).unwrap() else {
                panic!("first message is not a prekey message");
            };
            let bob = self
                .bob
                .create_inbound_session(SessionConfig::version_1(), alice_key, &first)
                .unwrap();
            black_box((alice, bob));
        }
    }

    /// The account keeps at most 5000 one-time keys.
    fn max_batch(&self) -> usize {
        4000
    }
}

/// vodozemac's cases, in the order they are reported.
pub(crate) fn cases(text: &[u8]) -> Vec<Named> {
    let (alice, bob) = olm_pair(text);
    let steady = OlmSteady {
        alice,
        bob,
        text: text.to_vec(),
    };
    let (alice, bob) = olm_pair(text);
    let pingpong = OlmPingPong {
        alice,
        bob,
        alice_sends: false,
        text: text.to_vec(),
    };
    let setup = OlmSetup {
        alice: Account::new(),
        bob: Account::new(),
        pool: Vec::new(),
        text: text.to_vec(),
    };
    vec![
        ("vodozemac/steady", Box::new(steady)),
        ("vodozemac/pingpong", Box::new(pingpong)),
        ("vodozemac/setup", Box::new(setup)),
    ]
}
