//! The primitives, as our code calls them.

use std::hint::black_box;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use ed25519_dalek::{Signer, SigningKey};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use vodozemac::Curve25519PublicKey;
use x25519_dalek::{PublicKey, StaticSecret};

use super::inputs::{
    associated_data_len, plaintext, rng, ALICE, BOB, RATCHET_INFO, SIGNED_PREKEY_MESSAGE_LEN,
    X3DH_IKM_LEN, X3DH_INFO,
};

/// One primitive operation on fixed inputs, by name.
pub(crate) type Primitive = (&'static str, Box<dyn FnMut()>);

/// Primitives timed only to explain the others (left out when `Config::extras` is false).
pub(crate) const EXTRA_PRIMITIVES: [&str; 2] = ["hmac", "vdz_dh"];

/// The key every HMAC, HKDF and AEAD case uses.
const KEY: [u8; 32] = [7; 32];
/// The AEAD nonce.
const NONCE: [u8; 12] = [0; 12];

/// Every primitive, in the order they are reported.
pub(crate) fn primitive_cases() -> Vec<Primitive> {
    let mut cases = curve_cases();
    cases.push(verify_case());
    cases.extend(kdf_cases());
    cases.extend(aead_cases());
    cases.push(vodozemac_dh_case());
    cases
}

/// X25519: a DH, a key pair, a base-point multiplication.
fn curve_cases() -> Vec<Primitive> {
    let mut rng = rng();
    let secret = StaticSecret::random_from_rng(&mut rng);
    let public = PublicKey::from(&StaticSecret::random_from_rng(&mut rng));
    let dh = {
        let (secret, public) = (secret.clone(), public);
        move || {
            black_box(black_box(&secret).diffie_hellman(black_box(&public)));
        }
    };
    let keygen = move || {
        let secret = StaticSecret::random_from_rng(&mut rng);
        black_box(PublicKey::from(&secret));
    };
    let basepoint = move || {
        black_box(PublicKey::from(black_box(&secret)));
    };
    vec![
        ("dh", Box::new(dh)),
        ("keygen", Box::new(keygen)),
        ("basepoint", Box::new(basepoint)),
    ]
}

/// Ed25519: verifying a signed prekey's signature.
fn verify_case() -> Primitive {
    let signing = SigningKey::from_bytes(&[9; 32]);
    let verifying = signing.verifying_key();
    let signed = [0x5au8; SIGNED_PREKEY_MESSAGE_LEN];
    let signature = signing.sign(&signed);
    assert!(verifying.verify_strict(&signed, &signature).is_ok());
    let verify = move || {
        black_box(
            verifying
                .verify_strict(black_box(&signed), &signature)
                .is_ok(),
        );
    };
    ("verify", Box::new(verify))
}

/// HKDF as X3DH and KDF_RK call it, KDF_CK, and one HMAC.
fn kdf_cases() -> Vec<Primitive> {
    let ikm = [0x33u8; X3DH_IKM_LEN];
    let hkdf32 = move || {
        let mut out = [0u8; 32];
        let ok = Hkdf::<Sha256>::new(Some(&[0; 32]), black_box(&ikm)).expand(X3DH_INFO, &mut out);
        black_box((ok.is_ok(), out));
    };
    let hkdf64 = move || {
        let mut out = [0u8; 64];
        let ok = Hkdf::<Sha256>::new(Some(black_box(&KEY)), black_box(&KEY))
            .expand(RATCHET_INFO, &mut out);
        black_box((ok.is_ok(), out));
    };
    // KDF_CK as ratchet/ does it: the keyed HMAC state once, cloned for the two outputs.
    let chain_step = move || {
        let keyed = <Hmac<Sha256> as Mac>::new_from_slice(black_box(&KEY)).unwrap();
        let mut for_message = keyed.clone();
        for_message.update(&[0x01]);
        let mut for_chain = keyed;
        for_chain.update(&[0x02]);
        black_box((
            for_message.finalize().into_bytes(),
            for_chain.finalize().into_bytes(),
        ));
    };
    let hmac = move || {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(black_box(&KEY)).unwrap();
        mac.update(&[0x01]);
        black_box(mac.finalize().into_bytes());
    };
    vec![
        ("hkdf32", Box::new(hkdf32)),
        ("hkdf64", Box::new(hkdf64)),
        ("chain_step", Box::new(chain_step)),
        ("hmac", Box::new(hmac)),
    ]
}

/// ChaCha20-Poly1305 on one message with the protocol's associated data.
fn aead_cases() -> Vec<Primitive> {
    let ad = vec![0x42u8; associated_data_len(ALICE, BOB)];
    let text = plaintext();
    let sealed = ChaCha20Poly1305::new(Key::from_slice(&KEY))
        .encrypt(
            Nonce::from_slice(&NONCE),
            Payload {
                msg: &text,
                aad: &ad,
            },
        )
        .unwrap();
    let seal = {
        let ad = ad.clone();
        move || {
            let cipher = ChaCha20Poly1305::new(Key::from_slice(black_box(&KEY)));
            let out = cipher.encrypt(
                Nonce::from_slice(&NONCE),
                Payload {
                    msg: &text,
                    aad: &ad,
                },
            );
            black_box(out.unwrap());
        }
    };
    let open = move || {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(black_box(&KEY)));
        let out = cipher.decrypt(
            Nonce::from_slice(&NONCE),
            Payload {
                msg: &sealed,
                aad: &ad,
            },
        );
        black_box(out.unwrap());
    };
    vec![("seal", Box::new(seal)), ("open", Box::new(open))]
}

/// For reference only (not in the floor): vodozemac's X25519 (x25519-dalek 3).
fn vodozemac_dh_case() -> Primitive {
    let secret = vodozemac::Curve25519SecretKey::new();
    let public = Curve25519PublicKey::from(&vodozemac::Curve25519SecretKey::new());
    let vdz_dh = move || {
        black_box(black_box(&secret).diffie_hellman(black_box(&public)));
    };
    ("vdz_dh", Box::new(vdz_dh))
}
