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

fn build() -> Fixture {
    let mut rng = rng(0x4855_5348);
    let alice_identity = IdentityKeyPair::generate(&mut rng);
    let bob_identity = IdentityKeyPair::generate(&mut rng);
    let alice_address = DeviceAddress::new("alice", 1).expect("address");
    let bob_address = DeviceAddress::new("bob", 1).expect("address");
    let signed_prekey = SignedPreKeyPair::generate(1, &bob_identity, &mut rng);
    let first_otk = OneTimePreKeyPair::generate(7, &mut rng);
    let one_time_prekey = OneTimePreKeyPair::generate(8, &mut rng);
    let bundle = |otk: Option<&OneTimePreKeyPair>| PreKeyBundle {
        identity: bob_identity.public(),
        address: bob_address.clone(),
        signed_prekey: signed_prekey.public(),
        one_time_prekey: otk.map(OneTimePreKeyPair::public),
    };
    let mut cases = Vec::new();
    let mut case = |target, message: Vec<u8>, plaintext: &[u8], delivered| {
        cases.push(Case {
            target,
            message,
            plaintext: plaintext.to_vec(),
            delivered,
        })
    };

    // The established pair: Alice initiates, Bob responds, Bob replies, Alice reads the reply.
    let mut alice = x3dh::initiate(
        &alice_identity,
        &alice_address,
        &bundle(Some(&first_otk)),
        &mut rng,
    )
    .expect("initiate");
    let first = prekey(alice.encrypt(b"hello bob").expect("encrypt"));
    let (mut bob, text) = x3dh::respond(
        &bob_identity,
        &bob_address,
        &signed_prekey,
        Some(&first_otk),
        &first,
        &mut rng,
    )
    .expect("respond");
    assert_eq!(text, b"hello bob");
    let reply = ratchet(bob.encrypt(b"hi alice").expect("encrypt"));
    alice.decrypt(&reply, &mut rng).expect("decrypt reply");
    assert!(alice.is_confirmed() && bob.is_confirmed());

    // Bob sends 1..=4 in his chain; Alice reads only 3, so she keeps the keys of 1 and 2.
    let bobs: Vec<RatchetMessage> = (1..=4)
        .map(|i| ratchet(bob.encrypt(format!("bob {i}").as_bytes()).expect("encrypt")))
        .collect();
    alice.decrypt(&bobs[2], &mut rng).expect("decrypt bob 3");
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

    case(Target::Alice, bobs[0].encode(), b"bob 1", false); // from the skipped keys
    case(Target::Alice, bobs[1].encode(), b"bob 2", false); // from the skipped keys
    case(Target::Alice, bobs[3].encode(), b"bob 4", false); // current chain
    case(Target::Alice, bobs[2].encode(), b"bob 3", true);
    case(Target::Alice, reply.encode(), b"hi alice", true);
    case(Target::Bob, alices[0].encode(), b"alice 0", false); // DH ratchet step
    case(Target::Bob, alices[2].encode(), b"alice 2", false); // step, skipping 0 and 1
    case(Target::Bob, first.message.encode(), b"hello bob", true);

    // Two more sessions towards Bob's record: P used the one-time prekey, Q did not.
    let alice2 = DeviceAddress::new("alice", 2).expect("address");
    let alice3 = DeviceAddress::new("alice", 3).expect("address");
    let mut p = x3dh::initiate(
        &alice_identity,
        &alice2,
        &bundle(Some(&one_time_prekey)),
        &mut rng,
    )
    .expect("initiate");
    let mut q =
        x3dh::initiate(&alice_identity, &alice3, &bundle(None), &mut rng).expect("initiate");
    let p0 = p.encrypt(b"p0").expect("encrypt");
    let p1 = p.encrypt(b"p1").expect("encrypt");
    let q0 = q.encrypt(b"q0").expect("encrypt");
    let q1 = q.encrypt(b"q1").expect("encrypt");
    let fresh_record = SessionRecord::new();
    let mut used_record = SessionRecord::new();
    let text = used_record
        .decrypt_prekey(
            &prekey(p0.clone()),
            &bob_identity,
            &bob_address,
            Some(&signed_prekey),
            Some(&one_time_prekey),
            &mut rng,
        )
        .expect("decrypt p0");
    assert_eq!(text, b"p0");
    let text = used_record
        .decrypt_prekey(
            &prekey(q0.clone()),
            &bob_identity,
            &bob_address,
            Some(&signed_prekey),
            None,
            &mut rng,
        )
        .expect("decrypt q0");
    assert_eq!(text, b"q0");
    for (message, text) in [(&p0, b"p0"), (&p1, b"p1"), (&q0, b"q0"), (&q1, b"q1")] {
        case(Target::FreshRecord, message.encode(), text, false);
    }
    case(Target::UsedRecord, p0.encode(), b"p0", true);
    case(Target::UsedRecord, p1.encode(), b"p1", false);
    case(Target::UsedRecord, q0.encode(), b"q0", true);
    case(Target::UsedRecord, q1.encode(), b"q1", false);
    // To a record that has the session, a prekey message's inner ratchet message alone is the
    // same message (the relay may strip the wrapper; same key, same plaintext, used once).
    // These four come after the 16 the mutating selector picks from.
    for (message, text, delivered) in [
        (&p0, b"p0", true),
        (&p1, b"p1", false),
        (&q0, b"q0", true),
        (&q1, b"q1", false),
    ] {
        let inner = Message::Ratchet(prekey(message.clone()).message);
        case(Target::UsedRecord, inner.encode(), text, delivered);
    }
    assert_eq!(cases.len(), 20);

    // Sender keys: a record with two chains, the first holding skipped keys.
    let mut own = OwnSenderKey::generate([0x11; 16], &mut rng);
    let mut record = SenderKeyRecord::new();
    record.process(&own.distribution());
    let group: Vec<_> = (0..4)
        .map(|i| {
            own.encrypt(format!("group {i}").as_bytes())
                .expect("encrypt")
        })
        .collect();
    record.decrypt(&group[3]).expect("decrypt group");
    let mut rotated = OwnSenderKey::generate([0x11; 16], &mut rng);
    record.process(&rotated.distribution());
    let after = rotated.encrypt(b"rotated").expect("encrypt");
    record.decrypt(&after).expect("decrypt rotated");

    let state_templates = vec![
        alice.to_bytes().to_vec(),
        bob.to_bytes().to_vec(),
        used_record.to_bytes().to_vec(),
        record.to_bytes().to_vec(),
        rotated.to_bytes().to_vec(),
        p.to_bytes().to_vec(), // unconfirmed: has the pending prekey fields
    ];
    let wire_templates = vec![
        p0.encode(),
        q1.encode(),
        alices[2].encode(),
        bundle(Some(&one_time_prekey)).encode(),
        bundle(None).encode(),
        group[1].encode(),
        rotated.distribution().encode().to_vec(),
    ];

    Fixture {
        alice_state: alice.to_bytes().to_vec(),
        alice,
        bob_state: bob.to_bytes().to_vec(),
        bob,
        fresh_record_state: fresh_record.to_bytes().to_vec(),
        fresh_record,
        used_record_state: used_record.to_bytes().to_vec(),
        used_record,
        bob_identity,
        bob_address,
        signed_prekey,
        one_time_prekey,
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
