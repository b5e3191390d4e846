//! The floor: what each scenario needs of the primitives, and those primitives run back to back.

use super::harness::Case;
use super::primitives::{primitive_cases, Primitive};

/// The same primitives run back to back in a scenario's order: shows how much of "ours / floor"
/// comes from the primitives evicting each other from the caches (tables, code) rather than from
/// our code.
pub(crate) struct Sequence {
    primitives: Vec<Primitive>,
    order: Vec<usize>,
}

impl Sequence {
    pub(crate) fn new(names: &[&'static str]) -> Self {
        let primitives = primitive_cases();
        let order = names
            .iter()
            .map(|name| primitives.iter().position(|(n, _)| n == name).unwrap())
            .collect();
        Self { primitives, order }
    }
}

impl Case for Sequence {
    fn run(&mut self, n: usize) {
        for _ in 0..n {
            for &i in &self.order {
                (self.primitives[i].1)();
            }
        }
    }
}

pub(crate) struct Scenario {
    pub(crate) name: &'static str,
    /// The name of its [`Sequence`] case.
    pub(crate) sequence: &'static str,
    pub(crate) what: &'static str,
    /// The primitive operations the protocol needs for one op, in the order our code does them.
    pub(crate) floor: &'static [&'static str],
    /// What our code does on top (read from src/ratchet/ and src/x3dh.rs).
    pub(crate) waste: &'static [&'static str],
    pub(crate) waste_note: &'static str,
}

const SEND: [&str; 2] = ["chain_step", "seal"];

pub(crate) fn scenarios() -> [Scenario; 3] {
    [
        Scenario {
            name: "steady",
            sequence: "floor_seq/steady",
            what: "A->B 256 B, same chain: send (KDF_CK + seal) + receive (KDF_CK + open)",
            floor: &[SEND[0], SEND[1], "chain_step", "open"],
            waste: &[],
            waste_note: "none in primitives (one Vec for the AD per side)",
        },
        Scenario {
            name: "pingpong",
            sequence: "floor_seq/pingpong",
            what: "alternating 256 B: send (KDF_CK + seal) + \
                   receive (2 DH + keygen + 2 KDF_RK + KDF_CK + open)",
            floor: &[
                SEND[0],
                SEND[1], // sender
                "dh",
                "hkdf64",
                "chain_step",
                "open",
                "keygen",
                "dh",
                "hkdf64", // receiver
            ],
            waste: &["chain_step"],
            waste_note: "receiver walks the old receiving chain one step past PN and discards it",
        },
        Scenario {
            name: "setup",
            sequence: "floor_seq/setup",
            what: "A: verify + 2 keygen + 5 DH + HKDF32 + KDF_RK + KDF_CK + seal; \
                   B: 6 DH + keygen + HKDF32 + 2 KDF_RK + KDF_CK + open",
            floor: &[
                // Alice: initiate, then encrypt.
                "verify",
                "keygen",
                "dh",
                "dh",
                "dh",
                "dh",
                "hkdf32",
                "keygen",
                "dh",
                "hkdf64",
                "chain_step",
                "seal",
                // Bob: respond, which decrypts (and ratchets) at once.
                "dh",
                "dh",
                "dh",
                "dh",
                "hkdf32",
                "dh",
                "hkdf64",
                "chain_step",
                "open",
                "keygen",
                "dh",
                "hkdf64",
            ],
            waste: &["basepoint", "basepoint", "basepoint"],
            waste_note: "3 X25519 base-point mults recomputing public keys: \
                         IdentityKeyPair::public() in initiate and in respond, \
                         SignedPreKeyPair::public() in respond",
        },
    ]
}

pub(crate) fn cost(names: &[&str], us: &dyn Fn(&str) -> f64) -> f64 {
    names.iter().fold(0.0, |sum, name| sum + us(name))
}
