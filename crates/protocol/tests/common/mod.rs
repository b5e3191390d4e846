//! Shared set-up for the protocol tests: deterministic RNG, devices, established sessions.
// Helpers, not tests: clippy.toml's test allowances do not reach them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hush_protocol::keys::{OneTimePreKeyPair, SignedPreKeyPair};
use hush_protocol::ratchet::Session;
use hush_protocol::record::SessionRecord;
use hush_protocol::wire::{Message, PreKeyBundle, PreKeyMessage, RatchetMessage};
use hush_protocol::{x3dh, DeviceAddress, IdentityKeyPair};
use rand_chacha::rand_core::SeedableRng;
pub use rand_chacha::ChaCha20Rng as TestRng;

/// The account `name`.
pub fn user(name: &str) -> hush_protocol::Username {
    hush_protocol::Username::parse(name).unwrap()
}

pub fn rng(seed: u64) -> TestRng {
    TestRng::seed_from_u64(seed)
}

/// A device with its identity and prekeys.
pub struct Device {
    pub address: DeviceAddress,
    pub identity: IdentityKeyPair,
    pub signed_prekey: SignedPreKeyPair,
    pub one_time_prekeys: Vec<OneTimePreKeyPair>,
}

impl Device {
    pub fn new(account: &str, device: u32, rng: &mut TestRng) -> Self {
        let identity = IdentityKeyPair::generate(rng);
        let signed_prekey = SignedPreKeyPair::generate(1, &identity, rng);
        let one_time_prekeys = (100..110)
            .map(|id| OneTimePreKeyPair::generate(id, rng))
            .collect();
        Self {
            address: DeviceAddress::new(account, device).unwrap(),
            identity,
            signed_prekey,
            one_time_prekeys,
        }
    }

    pub fn bundle(&self, with_one_time: bool) -> PreKeyBundle {
        PreKeyBundle {
            identity: self.identity.public(),
            address: self.address.clone(),
            signed_prekey: self.signed_prekey.public(),
            one_time_prekey: with_one_time.then(|| self.one_time_prekeys[0].public()),
        }
    }

    pub fn one_time(&self, id: Option<u32>) -> Option<&OneTimePreKeyPair> {
        id.and_then(|id| self.one_time_prekeys.iter().find(|k| k.id() == id))
    }
}

pub fn prekey(message: Message) -> PreKeyMessage {
    match message {
        Message::PreKey(m) => m,
        Message::Ratchet(_) => panic!("expected a prekey message"),
    }
}

pub fn ratchet(message: Message) -> RatchetMessage {
    match message {
        Message::Ratchet(m) => m,
        Message::PreKey(m) => m.message,
    }
}

/// Alice and Bob with a session each; Bob has decrypted Alice's first message, and (if
/// `confirmed`) Alice has decrypted Bob's reply.
pub fn pair(seed: u64, confirmed: bool) -> (Device, Session, Device, Session, TestRng) {
    let mut rng = rng(seed);
    let alice = Device::new("alice", 1, &mut rng);
    let bob = Device::new("bob", 1, &mut rng);
    let mut a =
        x3dh::initiate(&alice.identity, &alice.address, &bob.bundle(true), &mut rng).unwrap();
    let first = prekey(a.encrypt(b"hello bob").unwrap());
    let (mut b, plaintext) = x3dh::respond(
        &bob.identity,
        &bob.address,
        &bob.signed_prekey,
        bob.one_time(first.one_time_prekey_id),
        &first,
        &mut rng,
    )
    .unwrap();
    assert_eq!(*plaintext, b"hello bob");
    if confirmed {
        let reply = ratchet(b.encrypt(b"hi alice").unwrap());
        assert_eq!(*a.decrypt(&reply, &mut rng).unwrap(), b"hi alice");
    }
    (alice, a, bob, b, rng)
}

/// Delivers any pairwise message into a record, through X3DH when needed.
pub fn deliver(
    record: &mut SessionRecord,
    to: &Device,
    message: &Message,
    rng: &mut TestRng,
) -> Result<Vec<u8>, String> {
    match message {
        Message::Ratchet(m) => record
            .decrypt(m, rng)
            .map(|p| p.to_vec())
            .map_err(|e| format!("{e:?}")),
        Message::PreKey(m) => record
            .decrypt_prekey(
                m,
                &to.identity,
                &to.address,
                Some(&to.signed_prekey),
                to.one_time(m.one_time_prekey_id),
                rng,
            )
            .map(|p| p.to_vec())
            .map_err(|e| format!("{e:?}")),
    }
}
