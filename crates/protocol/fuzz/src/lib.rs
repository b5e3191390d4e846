//! What the hush-protocol fuzz targets share: a fixed, deterministic set of established sessions,
//! records, sender keys and valid messages (built once per process), and a mutator that lets the
//! fuzzer edit those valid encodings so it reaches the authenticated code paths, which random
//! bytes never get through.
//!
//! Input convention of every target: a first byte below 0x80 means "decode the rest as is"; from
//! 0x80 on it selects a valid template and an edit (see [`mutate`]), and the rest is the edit.

use std::sync::OnceLock;

use hush_protocol::keys::{OneTimePreKeyPair, SignedPreKeyPair};
use hush_protocol::ratchet::Session;
use hush_protocol::record::SessionRecord;
use hush_protocol::sender_key::{OwnSenderKey, SenderKeyRecord};
use hush_protocol::wire::{Message, PreKeyBundle, PreKeyMessage, RatchetMessage};
use hush_protocol::x3dh;
use hush_protocol::{DeviceAddress, IdentityKeyPair};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// The RNG every target uses: fixed seeds, so a crash reproduces exactly.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Which stored state a message is decrypted with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Alice's confirmed session with Bob (holds two skipped keys).
    Alice,
    /// Bob's confirmed session with Alice.
    Bob,
    /// Bob's record with no session: prekey messages go through X3DH.
    FreshRecord,
    /// Bob's record after the first prekey message of two further sessions (one with a one-time
    /// prekey, since consumed, and one without).
    UsedRecord,
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 4] = [
        Target::Alice,
        Target::Bob,
        Target::FreshRecord,
        Target::UsedRecord,
    ];
}

/// A valid encoded message and what it decrypts to.
#[derive(Clone, Debug)]
pub struct Case {
    /// The state it is sent to.
    pub target: Target,
    /// Its encoding: a [`RatchetMessage`] for a session, a [`Message`] for a record.
    pub message: Vec<u8>,
    /// Its plaintext.
    pub plaintext: Vec<u8>,
    /// Whether the target state already decrypted it (so it must now be refused).
    pub delivered: bool,
}

/// Everything built once per fuzzing process.
pub struct Fixture {
    /// Alice's session.
    pub alice: Session,
    /// `alice.to_bytes()`.
    pub alice_state: Vec<u8>,
    /// Bob's session.
    pub bob: Session,
    /// `bob.to_bytes()`.
    pub bob_state: Vec<u8>,
    /// See [`Target::FreshRecord`].
    pub fresh_record: SessionRecord,
    /// `fresh_record.to_bytes()`.
    pub fresh_record_state: Vec<u8>,
    /// See [`Target::UsedRecord`].
    pub used_record: SessionRecord,
    /// `used_record.to_bytes()`.
    pub used_record_state: Vec<u8>,
    /// Bob's identity.
    pub bob_identity: IdentityKeyPair,
    /// Bob's device.
    pub bob_address: DeviceAddress,
    /// Bob's signed prekey (id 1).
    pub signed_prekey: SignedPreKeyPair,
    /// Bob's one-time prekey (id 8): still available to the fresh record, consumed in the used one.
    pub one_time_prekey: OneTimePreKeyPair,
    /// 20 valid messages, each for one target: 16 for the mutating selector, then the inner
    /// ratchet messages of the used record's prekey messages (the same messages to it).
    pub cases: Vec<Case>,
    /// Valid stored states: sessions, records, sender keys.
    pub state_templates: Vec<Vec<u8>>,
    /// Valid wire encodings of every kind.
    pub wire_templates: Vec<Vec<u8>>,
}

impl Fixture {
    /// The state a target starts from, and its encoding.
    pub fn session(&self, target: Target) -> Option<(&Session, &[u8])> {
        match target {
            Target::Alice => Some((&self.alice, &self.alice_state)),
            Target::Bob => Some((&self.bob, &self.bob_state)),
            Target::FreshRecord | Target::UsedRecord => None,
        }
    }

    /// The record a target starts from, and its encoding.
    pub fn record(&self, target: Target) -> Option<(&SessionRecord, &[u8])> {
        match target {
            Target::FreshRecord => Some((&self.fresh_record, &self.fresh_record_state)),
            Target::UsedRecord => Some((&self.used_record, &self.used_record_state)),
            Target::Alice | Target::Bob => None,
        }
    }
}

/// The fixture, built on first use.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(build)
}

fn ratchet(message: Message) -> RatchetMessage {
    match message {
        Message::Ratchet(m) => m,
        Message::PreKey(_) => panic!("fixture: expected a ratchet message"),
    }
}

fn prekey(message: Message) -> PreKeyMessage {
    match message {
        Message::PreKey(m) => m,
        Message::Ratchet(_) => panic!("fixture: expected a prekey message"),
    }
}

/// Bob's keys and both devices' addresses (Alice's first session uses `first_otk`).
struct Keys {
    alice_identity: IdentityKeyPair,
    bob_identity: IdentityKeyPair,
    alice_address: DeviceAddress,
    bob_address: DeviceAddress,
    signed_prekey: SignedPreKeyPair,
    first_otk: OneTimePreKeyPair,
    one_time_prekey: OneTimePreKeyPair,
}

impl Keys {
    fn generate(rng: &mut ChaCha20Rng) -> Self {
        let alice_identity = IdentityKeyPair::generate(rng);
        let bob_identity = IdentityKeyPair::generate(rng);
        let signed_prekey = SignedPreKeyPair::generate(1, &bob_identity, rng);
        Self {
            alice_identity,
            alice_address: DeviceAddress::new("alice", 1).expect("address"),
            bob_address: DeviceAddress::new("bob", 1).expect("address"),
            signed_prekey,
            first_otk: OneTimePreKeyPair::generate(7, rng),
            one_time_prekey: OneTimePreKeyPair::generate(8, rng),
            bob_identity,
        }
    }

    /// Bob's bundle, with or without a one-time prekey.
    fn bundle(&self, otk: Option<&OneTimePreKeyPair>) -> PreKeyBundle {
        PreKeyBundle {
            identity: self.bob_identity.public(),
            address: self.bob_address.clone(),
            signed_prekey: self.signed_prekey.public(),
            one_time_prekey: otk.map(OneTimePreKeyPair::public),
        }
    }
}

/// Adds a case.
fn case(
    cases: &mut Vec<Case>,
    target: Target,
    message: Vec<u8>,
    plaintext: &[u8],
    delivered: bool,
) {
    cases.push(Case {
        target,
        message,
        plaintext: plaintext.to_vec(),
        delivered,
    });
}

/// Alice's and Bob's confirmed sessions, and Alice's messages Bob has not read yet.
struct Pair {
    alice: Session,
    bob: Session,
    alices: Vec<RatchetMessage>,
}

/// The established pair: Alice initiates, Bob responds, Bob replies, Alice reads the reply.
fn established_pair(keys: &Keys, rng: &mut ChaCha20Rng, cases: &mut Vec<Case>) -> Pair {
    let mut alice = x3dh::initiate(
        &keys.alice_identity,
        &keys.alice_address,
        &keys.bundle(Some(&keys.first_otk)),
        rng,
    )
    .expect("initiate");
    let first = prekey(alice.encrypt(b"hello bob").expect("encrypt"));
    let (mut bob, text) = x3dh::respond(
        &keys.bob_identity,
        &keys.bob_address,
        &keys.signed_prekey,
        Some(&keys.first_otk),
        &first,
        rng,
    )
    .expect("respond");
    assert_eq!(*text, b"hello bob");
    let reply = ratchet(bob.encrypt(b"hi alice").expect("encrypt"));
    alice.decrypt(&reply, rng).expect("decrypt reply");
    assert!(alice.is_confirmed() && bob.is_confirmed());

    // Bob sends 1..=4 in his chain; Alice reads only 3, so she keeps the keys of 1 and 2.
    let bobs: Vec<RatchetMessage> = (1..=4)
        .map(|i| ratchet(bob.encrypt(format!("bob {i}").as_bytes()).expect("encrypt")))
        .collect();
    alice.decrypt(&bobs[2], rng).expect("decrypt bob 3");
    // Alice (already ratcheted by the reply) sends 0..=2 under a ratchet key Bob has not seen.
    let alices: Vec<RatchetMessage> = (0..=2)
        .map(|i| {
            ratchet(
                alice
                    .encrypt(format!("alice {i}").as_bytes())
                    .expect("encrypt"),
            )
        })
        .collect();

    case(cases, Target::Alice, bobs[0].encode(), b"bob 1", false); // from the skipped keys
    case(cases, Target::Alice, bobs[1].encode(), b"bob 2", false); // from the skipped keys
    case(cases, Target::Alice, bobs[3].encode(), b"bob 4", false); // current chain
    case(cases, Target::Alice, bobs[2].encode(), b"bob 3", true);
    case(cases, Target::Alice, reply.encode(), b"hi alice", true);
    case(cases, Target::Bob, alices[0].encode(), b"alice 0", false); // DH ratchet step
    case(cases, Target::Bob, alices[2].encode(), b"alice 2", false); // step, skipping 0 and 1
    case(
        cases,
        Target::Bob,
        first.message.encode(),
        b"hello bob",
        true,
    );
    Pair { alice, bob, alices }
}

/// Bob's records, and the two further sessions towards them with their first messages.
struct Records {
    fresh_record: SessionRecord,
    used_record: SessionRecord,
    /// The session that used the one-time prekey (still unconfirmed).
    p: Session,
    p0: Message,
    q1: Message,
}

/// Two more sessions towards Bob's record: P used the one-time prekey, Q did not.
fn bobs_records(keys: &Keys, rng: &mut ChaCha20Rng, cases: &mut Vec<Case>) -> Records {
    let alice2 = DeviceAddress::new("alice", 2).expect("address");
    let alice3 = DeviceAddress::new("alice", 3).expect("address");
    let mut p = x3dh::initiate(
        &keys.alice_identity,
        &alice2,
        &keys.bundle(Some(&keys.one_time_prekey)),
        rng,
    )
    .expect("initiate");
    let mut q =
        x3dh::initiate(&keys.alice_identity, &alice3, &keys.bundle(None), rng).expect("initiate");
    let p0 = p.encrypt(b"p0").expect("encrypt");
    let p1 = p.encrypt(b"p1").expect("encrypt");
    let q0 = q.encrypt(b"q0").expect("encrypt");
    let q1 = q.encrypt(b"q1").expect("encrypt");
    let fresh_record = SessionRecord::new();
    let mut used_record = SessionRecord::new();
    for (message, otk, text) in [
        (&p0, Some(&keys.one_time_prekey), b"p0"),
        (&q0, None, b"q0"),
    ] {
        let plaintext = used_record
            .decrypt_prekey(
                &prekey(message.clone()),
                &keys.bob_identity,
                &keys.bob_address,
                Some(&keys.signed_prekey),
                otk,
                rng,
            )
            .expect("decrypt the first message");
        assert_eq!(*plaintext, text);
    }
    for (message, text) in [(&p0, b"p0"), (&p1, b"p1"), (&q0, b"q0"), (&q1, b"q1")] {
        case(cases, Target::FreshRecord, message.encode(), text, false);
    }
    // To a record that has the session, a prekey message's inner ratchet message alone is the
    // same message (the relay may strip the wrapper; same key, same plaintext, used once).
    // The inner ones come after the 16 the mutating selector picks from.
    let used = [
        (&p0, b"p0", true),
        (&p1, b"p1", false),
        (&q0, b"q0", true),
        (&q1, b"q1", false),
    ];
    for (message, text, delivered) in used {
        case(cases, Target::UsedRecord, message.encode(), text, delivered);
    }
    for (message, text, delivered) in used {
        let inner = Message::Ratchet(prekey(message.clone()).message);
        case(cases, Target::UsedRecord, inner.encode(), text, delivered);
    }
    Records {
        fresh_record,
        used_record,
        p,
        p0,
        q1,
    }
}

/// Sender keys: a record with two chains, the first holding skipped keys.
struct SenderKeys {
    record: SenderKeyRecord,
    rotated: OwnSenderKey,
    group: Vec<Vec<u8>>,
}

fn sender_keys(rng: &mut ChaCha20Rng) -> SenderKeys {
    let from = DeviceAddress::new("bob", 1).expect("address");
    let mut own = OwnSenderKey::generate([0x11; 16], rng);
    let mut record = SenderKeyRecord::new();
    record
        .process(&[0x11; 16], &from, &own.distribution(&from))
        .expect("distribution");
    let group: Vec<_> = (0..4)
        .map(|i| {
            own.encrypt(&from, format!("group {i}").as_bytes())
                .expect("encrypt")
        })
        .collect();
    record.decrypt(&from, &group[3]).expect("decrypt group");
    let mut rotated = OwnSenderKey::generate([0x11; 16], rng);
    record
        .process(&[0x11; 16], &from, &rotated.distribution(&from))
        .expect("distribution");
    let after = rotated.encrypt(&from, b"rotated").expect("encrypt");
    record.decrypt(&from, &after).expect("decrypt rotated");
    SenderKeys {
        record,
        rotated,
        group: group.iter().map(|m| m.encode()).collect(),
    }
}

fn build() -> Fixture {
    let mut rng = rng(0x4855_5348);
    let keys = Keys::generate(&mut rng);
    let mut cases = Vec::new();
    let Pair { alice, bob, alices } = established_pair(&keys, &mut rng, &mut cases);
    let records = bobs_records(&keys, &mut rng, &mut cases);
    assert_eq!(cases.len(), 20);
    let senders = sender_keys(&mut rng);
    let state_templates = vec![
        alice.to_bytes().to_vec(),
        bob.to_bytes().to_vec(),
        records.used_record.to_bytes().to_vec(),
        senders.record.to_bytes().to_vec(),
        senders.rotated.to_bytes().to_vec(),
        records.p.to_bytes().to_vec(), // unconfirmed: has the pending prekey fields
    ];
    let wire_templates = vec![
        records.p0.encode(),
        records.q1.encode(),
        alices[2].encode(),
        keys.bundle(Some(&keys.one_time_prekey)).encode(),
        keys.bundle(None).encode(),
        senders.group[1].clone(),
        senders
            .rotated
            .distribution(&DeviceAddress::new("bob", 1).expect("address"))
            .encode()
            .to_vec(),
    ];
    Fixture {
        alice_state: alice.to_bytes().to_vec(),
        alice,
        bob_state: bob.to_bytes().to_vec(),
        bob,
        fresh_record_state: records.fresh_record.to_bytes().to_vec(),
        fresh_record: records.fresh_record,
        used_record_state: records.used_record.to_bytes().to_vec(),
        used_record: records.used_record,
        bob_identity: keys.bob_identity,
        bob_address: keys.bob_address,
        signed_prekey: keys.signed_prekey,
        one_time_prekey: keys.one_time_prekey,
        cases,
        state_templates,
        wire_templates,
    }
}

/// Edits a valid encoding with fuzzer bytes. `op` (taken modulo 4) picks the edit:
/// - 0: XOR `edit` onto the template from its first byte;
/// - 1: XOR `edit` onto the template's end (the ciphertext, tag and trailing fields);
/// - 2: `edit` is a list of (position: u16 big-endian, modulo the length; XOR mask: u8);
/// - 3: splice: at position `edit[0..2]` (u16, modulo length + 1) remove `edit[2]` bytes and
///   insert `edit[3..]` (changes lengths, truncates, appends).
pub fn mutate(template: &[u8], op: u8, edit: &[u8]) -> Vec<u8> {
    let mut out = template.to_vec();
    let len = out.len();
    match op % 4 {
        0 => out.iter_mut().zip(edit).for_each(|(b, e)| *b ^= e),
        1 => out
            .iter_mut()
            .rev()
            .zip(edit.iter().rev())
            .for_each(|(b, e)| *b ^= e),
        2 if len > 0 => {
            for chunk in edit.chunks_exact(3) {
                let pos = usize::from(u16::from_be_bytes([chunk[0], chunk[1]])) % len;
                out[pos] ^= chunk[2];
            }
        }
        3 if edit.len() >= 3 => {
            let pos = usize::from(u16::from_be_bytes([edit[0], edit[1]])) % (len + 1);
            let end = (pos + usize::from(edit[2])).min(len);
            out.splice(pos..end, edit[3..].iter().copied());
        }
        _ => {}
    }
    out
}
