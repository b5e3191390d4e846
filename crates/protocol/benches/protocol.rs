//! Speed of hush-protocol, measured in one run against vodozemac (Olm, the reference we compare
//! with) and against the "primitive floor": the sum of the raw primitive operations our code must
//! perform for the same step, timed here with the same crates.
//!
//! `cargo bench -p hush-protocol --bench protocol` (natively); `tests/wasm_bench.rs` includes
//! this file to run the same scenarios in headless Chromium. With `HUSH_BENCH_SMOKE=1` (at run
//! time here, at build time for wasm) every case runs for a moment only: a smoke run.
//!
//! `cargo bench` builds with the workspace's `bench` profile: the release profile (made for the
//! wasm app's size) at `opt-level = 3`, as a native build would ship.
//!
//! Scenarios (each "op" is one of these):
//! - `steady`: Alice → Bob, one 256-byte message, session confirmed, same chain (encrypt + decrypt).
//! - `pingpong`: one 256-byte message, directions alternate, so every message is a DH ratchet step.
//! - `setup`: X3DH + first message on both sides (initiate + encrypt; respond incl. decrypt) with a
//!   fresh one-time prekey each time (pre-generated, not timed).
//!
//! Harness: every case is warmed up and calibrated to a round length; then the rounds of all cases
//! are interleaved (round 1 of every case, round 2 of every case, ...) so that load from other
//! processes hits all of them alike, and each figure is the median of the per-round means.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use ed25519_dalek::{Signer, SigningKey};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};

use hush_protocol::keys::{OneTimePreKeyPair, SignedPreKeyPair};
use hush_protocol::ratchet::Session;
use hush_protocol::wire::{Message, PreKeyBundle};
use hush_protocol::{x3dh, DeviceAddress, IdentityKeyPair};

use vodozemac::olm::{Account, OlmMessage, Session as OlmSession, SessionConfig};
use vodozemac::Curve25519PublicKey;

/// Plaintext size of every message.
const MESSAGE_LEN: usize = 256;
const ALICE: &str = "alice";
const BOB: &str = "bob";

// The inputs the protocol feeds its primitives (docs/protocol.md), so the floor hashes and
// authenticates exactly as many bytes as the real code.
/// "Hush signed prekey v1" ‖ id (u32) ‖ X25519 key: what the signed-prekey signature covers.
const SIGNED_PREKEY_MESSAGE_LEN: usize = 21 + 4 + 32;
/// X3DH IKM: 32 × 0xFF ‖ DH1 ‖ DH2 ‖ DH3 ‖ DH4.
const X3DH_IKM_LEN: usize = 32 * 5;
const X3DH_INFO: &[u8] = b"Hush X3DH v1";
const RATCHET_INFO: &[u8] = b"Hush ratchet v1";

/// AEAD associated data: "Hush AD v1" ‖ IK(initiator) ‖ IK(responder) ‖ both addresses (u32
/// length ‖ name ‖ u32 device) ‖ ratchet header (version, type, key, PN, N).
fn associated_data_len(initiator: &str, responder: &str) -> usize {
    10 + 64 + 64 + (4 + initiator.len() + 4) + (4 + responder.len() + 4) + (1 + 1 + 32 + 4 + 4)
}

// ---------------------------------------------------------------------------------------------
// Clock and harness.

/// Linux: this thread's CPU time, so that other processes' load (builds, tests, fuzzers on a
/// shared machine) does not count; still, they share caches and frequency.
#[cfg(target_os = "linux")]
const CLOCK: &str = "thread CPU time (CLOCK_THREAD_CPUTIME_ID)";

#[cfg(target_os = "linux")]
#[allow(unsafe_code)] // One FFI call that only writes the timespec it is given.
fn now_us() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, exclusively borrowed timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec as f64 * 1e6 + ts.tv_nsec as f64 / 1e3
}

#[cfg(all(not(target_os = "linux"), not(target_arch = "wasm32")))]
const CLOCK: &str = "wall clock (Instant)";

#[cfg(all(not(target_os = "linux"), not(target_arch = "wasm32")))]
fn now_us() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1e6
}

#[cfg(target_arch = "wasm32")]
const CLOCK: &str = "wall clock (performance.now())";

// `Instant::now()` panics on wasm32-unknown-unknown: use the page's `performance.now()`.
#[cfg(target_arch = "wasm32")]
fn now_us() -> f64 {
    performance::now() * 1e3
}

#[cfg(target_arch = "wasm32")]
mod performance {
    use wasm_bindgen::prelude::wasm_bindgen;
    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = performance)]
        pub fn now() -> f64;
    }
}

/// How long to measure.
pub struct Config {
    /// Warm-up (and calibration) time per case, µs.
    pub warmup_us: f64,
    /// Length of one round, µs.
    pub round_us: f64,
    /// Rounds per case (the median of their means is reported).
    pub rounds: usize,
    /// Also the cases that only explain the others: steady state with wire encoding, the floor
    /// sequences, 2 × HMAC and vodozemac's X25519.
    pub extras: bool,
}

#[allow(dead_code)] // The bench uses one, tests/wasm_bench.rs the other.
impl Config {
    /// About 20 s of CPU in all.
    pub const NATIVE: Config = Config {
        warmup_us: 80_000.0,
        round_us: 25_000.0,
        rounds: 31,
        extras: true,
    };
    /// About 3 s in all. The warm-up is long because V8 first runs wasm in its baseline compiler
    /// and swaps in optimized code some time later; `performance.now()` is coarse (5 to 100 µs).
    pub const WASM: Config = Config {
        warmup_us: 80_000.0,
        round_us: 6_000.0,
        rounds: 13,
        extras: false,
    };

    /// The same cases in a fraction of a second (`HUSH_BENCH_SMOKE=1`, as `cargo xtask bench
    /// --smoke` sets): that everything still runs, not how fast.
    pub const fn smoke(self) -> Config {
        Config {
            warmup_us: 2_000.0,
            round_us: 1_000.0,
            rounds: 3,
            extras: self.extras,
        }
    }
}

/// Something to time: `prepare(n)` (not timed) readies `n` operations, `run(n)` does them.
trait Case {
    fn prepare(&mut self, _n: usize) {}
    fn run(&mut self, n: usize);
    /// The largest batch `prepare` supports.
    fn max_batch(&self) -> usize {
        1 << 26
    }
}

/// A primitive with no per-iteration preparation.
struct Loop<F>(F);

impl<F: FnMut()> Case for Loop<F> {
    fn run(&mut self, n: usize) {
        for _ in 0..n {
            (self.0)();
        }
    }
}

fn batch(case: &mut dyn Case, n: usize) -> f64 {
    case.prepare(n);
    let start = now_us();
    case.run(n);
    now_us() - start
}

/// Warms up and returns how many operations make one round.
fn calibrate(config: &Config, case: &mut dyn Case) -> usize {
    let max = case.max_batch();
    let mut n = 1usize;
    let mut spent = 0.0;
    loop {
        let took = batch(case, n);
        spent += took;
        let long_enough = took >= config.warmup_us / 4.0 || n >= max;
        if long_enough && spent >= config.warmup_us {
            let per_op = took / n as f64;
            return ((config.round_us / per_op) as usize).clamp(1, max);
        }
        if !long_enough {
            n = (n * 2).min(max);
        }
    }
}

struct Entry {
    name: &'static str,
    case: Box<dyn Case>,
    iters: usize,
    means: Vec<f64>,
}

/// Times every case, rounds interleaved; returns µs/op (median of round means) per name.
fn measure_all(
    config: &Config,
    cases: Vec<(&'static str, Box<dyn Case>)>,
) -> Vec<(&'static str, f64)> {
    let mut entries: Vec<Entry> = cases
        .into_iter()
        .map(|(name, mut case)| {
            let iters = calibrate(config, case.as_mut());
            Entry {
                name,
                case,
                iters,
                means: Vec::with_capacity(config.rounds),
            }
        })
        .collect();
    for _ in 0..config.rounds {
        for e in &mut entries {
            let took = batch(e.case.as_mut(), e.iters);
            e.means.push(took / e.iters as f64);
        }
    }
    entries
        .into_iter()
        .map(|mut e| {
            e.means.sort_by(f64::total_cmp);
            (e.name, e.means[e.means.len() / 2])
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Ours.

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::from_entropy()
}

fn plaintext() -> Vec<u8> {
    (0..MESSAGE_LEN).map(|i| i as u8).collect()
}

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
    to.decrypt(&message, rng).unwrap()
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
    assert_eq!(got, text);
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

// ---------------------------------------------------------------------------------------------
// vodozemac (Olm v1: 3DH, AES-256-CBC + truncated HMAC-SHA256).

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

// ---------------------------------------------------------------------------------------------
// The primitives, as our code calls them.

/// One primitive operation on fixed inputs, by name.
type Primitive = (&'static str, Box<dyn FnMut()>);

fn primitive_cases() -> Vec<Primitive> {
    let mut rng = rng();
    let secret = StaticSecret::random_from_rng(&mut rng);
    let public = PublicKey::from(&StaticSecret::random_from_rng(&mut rng));
    let ad = vec![0x42u8; associated_data_len(ALICE, BOB)];
    let text = plaintext();
    let key = [7u8; 32];
    let nonce = [0u8; 12];
    let sealed = ChaCha20Poly1305::new(Key::from_slice(&key))
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &text,
                aad: &ad,
            },
        )
        .unwrap();
    let signing = SigningKey::from_bytes(&[9; 32]);
    let verifying = signing.verifying_key();
    let signed = [0x5au8; SIGNED_PREKEY_MESSAGE_LEN];
    let signature = signing.sign(&signed);
    assert!(verifying.verify_strict(&signed, &signature).is_ok());
    let ikm = [0x33u8; X3DH_IKM_LEN];

    let dh = {
        let (secret, public) = (secret.clone(), public);
        Loop(move || {
            black_box(black_box(&secret).diffie_hellman(black_box(&public)));
        })
    };
    let keygen = {
        let mut rng = self::rng();
        Loop(move || {
            let secret = StaticSecret::random_from_rng(&mut rng);
            black_box(PublicKey::from(&secret));
        })
    };
    let basepoint = Loop(move || {
        black_box(PublicKey::from(black_box(&secret)));
    });
    let verify = Loop(move || {
        black_box(
            verifying
                .verify_strict(black_box(&signed), &signature)
                .is_ok(),
        );
    });
    let hkdf32 = Loop(move || {
        let mut out = [0u8; 32];
        let ok = Hkdf::<Sha256>::new(Some(&[0; 32]), black_box(&ikm)).expand(X3DH_INFO, &mut out);
        black_box((ok.is_ok(), out));
    });
    let hkdf64 = Loop(move || {
        let mut out = [0u8; 64];
        let ok = Hkdf::<Sha256>::new(Some(black_box(&key)), black_box(&key))
            .expand(RATCHET_INFO, &mut out);
        black_box((ok.is_ok(), out));
    });
    // KDF_CK as ratchet.rs does it: the keyed HMAC state once, cloned for the two outputs.
    let chain_step = Loop(move || {
        let keyed = <Hmac<Sha256> as Mac>::new_from_slice(black_box(&key)).unwrap();
        let mut for_message = keyed.clone();
        for_message.update(&[0x01]);
        let mut for_chain = keyed;
        for_chain.update(&[0x02]);
        black_box((
            for_message.finalize().into_bytes(),
            for_chain.finalize().into_bytes(),
        ));
    });
    let hmac = Loop(move || {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(black_box(&key)).unwrap();
        mac.update(&[0x01]);
        black_box(mac.finalize().into_bytes());
    });
    let seal = {
        let (text, ad) = (text.clone(), ad.clone());
        Loop(move || {
            let cipher = ChaCha20Poly1305::new(Key::from_slice(black_box(&key)));
            let out = cipher.encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &text,
                    aad: &ad,
                },
            );
            black_box(out.unwrap());
        })
    };
    let open = Loop(move || {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(black_box(&key)));
        let out = cipher.decrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &sealed,
                aad: &ad,
            },
        );
        black_box(out.unwrap());
    });
    // For reference only (not in the floor): vodozemac's X25519 (x25519-dalek 3).
    let vdz_dh = {
        let secret = vodozemac::Curve25519SecretKey::new();
        let public = Curve25519PublicKey::from(&vodozemac::Curve25519SecretKey::new());
        Loop(move || {
            black_box(black_box(&secret).diffie_hellman(black_box(&public)));
        })
    };
    vec![
        ("dh", Box::new(dh.0)),
        ("keygen", Box::new(keygen.0)),
        ("basepoint", Box::new(basepoint.0)),
        ("verify", Box::new(verify.0)),
        ("hkdf32", Box::new(hkdf32.0)),
        ("hkdf64", Box::new(hkdf64.0)),
        ("chain_step", Box::new(chain_step.0)),
        ("hmac", Box::new(hmac.0)),
        ("seal", Box::new(seal.0)),
        ("open", Box::new(open.0)),
        ("vdz_dh", Box::new(vdz_dh.0)),
    ]
}

/// Primitives timed only to explain the others (left out when [`Config::extras`] is false).
const EXTRA_PRIMITIVES: [&str; 2] = ["hmac", "vdz_dh"];

/// The same primitives run back to back in a scenario's order: shows how much of "ours / floor"
/// comes from the primitives evicting each other from the caches (tables, code) rather than from
/// our code.
struct Sequence {
    primitives: Vec<Primitive>,
    order: Vec<usize>,
}

impl Sequence {
    fn new(names: &[&'static str]) -> Self {
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

struct Scenario {
    name: &'static str,
    /// The name of its [`Sequence`] case.
    sequence: &'static str,
    what: &'static str,
    /// The primitive operations the protocol needs for one op, in the order our code does them.
    floor: &'static [&'static str],
    /// What our code does on top (read from src/ratchet.rs and src/x3dh.rs).
    waste: &'static [&'static str],
    waste_note: &'static str,
}

const SEND: [&str; 2] = ["chain_step", "seal"];

fn scenarios() -> [Scenario; 3] {
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

fn cost(names: &[&str], us: &dyn Fn(&str) -> f64) -> f64 {
    names.iter().fold(0.0, |sum, name| sum + us(name))
}

// ---------------------------------------------------------------------------------------------
// The run.

/// Runs everything and reports through `out`; `tag` prefixes the machine-readable lines.
pub fn run(config: &Config, tag: &str, out: &mut dyn FnMut(&str)) {
    let text = plaintext();
    let mut rng = rng();

    let (alice, bob) = ours_pair(&mut rng, &text);
    let ours_steady = OursSteady {
        alice,
        bob,
        text: text.clone(),
        rng: self::rng(),
    };
    let (alice, bob) = ours_pair(&mut rng, &text);
    let ours_wire = OursSteadyWire(OursSteady {
        alice,
        bob,
        text: text.clone(),
        rng: self::rng(),
    });
    let (alice, bob) = ours_pair(&mut rng, &text);
    let ours_pingpong = OursPingPong {
        alice,
        bob,
        alice_sends: false,
        text: text.clone(),
        rng: self::rng(),
    };
    let ours_setup = OursSetup {
        parties: Parties::new(&mut rng),
        pool: Vec::new(),
        next_id: 0,
        text: text.clone(),
        rng: self::rng(),
    };
    let (alice, bob) = olm_pair(&text);
    let olm_steady = OlmSteady {
        alice,
        bob,
        text: text.clone(),
    };
    let (alice, bob) = olm_pair(&text);
    let olm_pingpong = OlmPingPong {
        alice,
        bob,
        alice_sends: false,
        text: text.clone(),
    };
    let olm_setup = OlmSetup {
        alice: Account::new(),
        bob: Account::new(),
        pool: Vec::new(),
        text: text.clone(),
    };

    let mut cases: Vec<(&'static str, Box<dyn Case>)> = vec![
        ("ours/steady", Box::new(ours_steady)),
        ("ours/pingpong", Box::new(ours_pingpong)),
        ("ours/setup", Box::new(ours_setup)),
        ("vodozemac/steady", Box::new(olm_steady)),
        ("vodozemac/pingpong", Box::new(olm_pingpong)),
        ("vodozemac/setup", Box::new(olm_setup)),
    ];
    if config.extras {
        cases.push(("ours/steady+wire", Box::new(ours_wire)));
        for s in scenarios() {
            cases.push((s.sequence, Box::new(Sequence::new(s.floor))));
        }
    }
    for (name, primitive) in primitive_cases() {
        if config.extras || !EXTRA_PRIMITIVES.contains(&name) {
            cases.push((name, Box::new(Loop(primitive))));
        }
    }
    let results = measure_all(config, cases);
    let get = |name: &str| results.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    let us = |name: &str| -> f64 { get(name).unwrap() };

    out(&format!(
        "clock: {CLOCK}; median of {} interleaved rounds of {} ms per case",
        config.rounds,
        config.round_us / 1e3
    ));
    out("primitives (µs/op):");
    for (name, v) in results.iter().filter(|(n, _)| !n.contains('/')) {
        out(&format!("  {name:<11} {v:>9.3}"));
    }
    if let Some(hmac) = get("hmac") {
        out(&format!(
            "  (KDF_CK = 1 keyed HMAC cloned for 2 outputs; 2 independent HMACs would be {:.3})",
            2.0 * hmac
        ));
        out(
            "  (vdz_dh: vodozemac's X25519, x25519-dalek 3 / curve25519-dalek 5; not in the floor)",
        );
    }
    out("");
    out(&format!(
        "{:<9} {:>9} {:>12} {:>9} {:>9} {:>10} {:>9} {:>13} {:>10}",
        "scenario",
        "ours µs",
        "vodozemac",
        "floor",
        "ours/vdz",
        "ours/floor",
        "floor seq",
        "ours/floor seq",
        "waste µs"
    ));
    let mut lines = Vec::new();
    for s in scenarios() {
        let ours = us(&format!("ours/{}", s.name));
        let olm = us(&format!("vodozemac/{}", s.name));
        let floor = cost(s.floor, &us);
        let (sequence, vs_sequence) = match get(s.sequence) {
            Some(v) => (format!("{v:.2}"), format!("{:.3}", ours / v)),
            None => ("-".to_owned(), "-".to_owned()),
        };
        let waste = cost(s.waste, &us);
        out(&format!(
            "{:<9} {:>9.2} {:>12.2} {:>9.2} {:>9.3} {:>10.3} {:>9} {:>14} {:>10.2}",
            s.name,
            ours,
            olm,
            floor,
            ours / olm,
            ours / floor,
            sequence,
            vs_sequence,
            waste
        ));
        lines.push(format!(
            "bench {tag}/{} ours_us={ours:.3} vodozemac_us={olm:.3} floor_us={floor:.3} vs_vodozemac={:.3} vs_floor={:.3}",
            s.name,
            ours / olm,
            ours / floor
        ));
    }
    out(
        "floor = sum of the primitives timed alone; floor seq = the same primitives run back to \
         back in the code's order (adds their cache interplay); waste = known extra primitive work \
         in our code, not in the floor",
    );
    out("");
    for s in scenarios() {
        out(&format!("{}: floor = {}", s.name, s.what));
        out(&format!("{}: known waste = {}", s.name, s.waste_note));
    }
    if let Some(wire) = get("ours/steady+wire") {
        out(&format!(
            "steady with wire encode+decode: ours {wire:.2} µs/op \
             (vodozemac's figure includes its encoding)"
        ));
    }
    out("");
    for line in &lines {
        out(line);
    }
}

#[allow(dead_code)] // Unused when tests/wasm_bench.rs includes this file.
fn main() {
    let smoke = std::env::var("HUSH_BENCH_SMOKE").is_ok_and(|v| !v.is_empty() && v != "0");
    let config = if smoke {
        Config::NATIVE.smoke()
    } else {
        Config::NATIVE
    };
    run(&config, "protocol", &mut |line| println!("{line}"));
}
