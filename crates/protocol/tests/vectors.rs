//! Known-answer tests of the primitive wrappers in `hush_protocol::crypto`, against the published
//! vectors: RFC 7748 (X25519), RFC 8439 (ChaCha20-Poly1305), RFC 5869 (HKDF-SHA256), RFC 4231
//! (HMAC-SHA256) and Project Wycheproof (X25519, ChaCha20-Poly1305, HKDF-SHA256).
//!
//! Every RFC value below is copied from the RFC it names, and the Wycheproof ones come from the
//! `wycheproof` crate's JSON: none is computed by the code under test.
// On wasm32 the tests are #[wasm_bindgen_test] functions: clippy.toml's test allowances
// do not reach them.
#![cfg_attr(target_arch = "wasm32", allow(clippy::expect_used))]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use hush_protocol::crypto::{self, AeadError, NonContributory};
use x25519_dalek::{PublicKey, StaticSecret};

/// Decodes a hex string (whitespace is ignored, so long vectors can be wrapped).
#[allow(clippy::expect_used)]
fn h(s: &str) -> Vec<u8> {
    let compact: String = s.split_whitespace().collect();
    hex::decode(compact).expect("valid hex in a test vector")
}

/// Decodes a hex string of exactly 32 bytes.
#[allow(clippy::expect_used)]
fn h32(s: &str) -> [u8; 32] {
    h(s).try_into().expect("a 32-byte test vector value")
}

/// Decodes a hex string of exactly 12 bytes.
#[allow(clippy::expect_used)]
fn h12(s: &str) -> [u8; 12] {
    h(s).try_into().expect("a 12-byte test vector value")
}

/// X25519 through the wrapper, with the scalar and u-coordinate as raw 32-byte strings.
fn x25519(scalar: [u8; 32], u: [u8; 32]) -> Result<[u8; 32], NonContributory> {
    crypto::dh(&StaticSecret::from(scalar), &PublicKey::from(u)).map(|shared| *shared)
}

// ---------------------------------------------------------------------------------------------
// RFC 7748: X25519

/// RFC 7748 §5.2, the two single-shot test vectors.
#[test]
fn rfc7748_x25519_single_shot() {
    let cases = [
        (
            "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
            "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
            "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
        ),
        (
            "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
            "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
            "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
        ),
    ];
    for (scalar, u, out) in cases {
        assert_eq!(x25519(h32(scalar), h32(u)), Ok(h32(out)), "scalar {scalar}");
    }
}

/// RFC 7748 §5.2, the iterated test: k = u = 9, then `k, u = X25519(k, u), k`.
#[test]
fn rfc7748_x25519_iterated_1_and_1000() {
    let mut k = [0u8; 32];
    k[0] = 9;
    let mut u = k;
    for i in 1..=1000 {
        let next = x25519(k, u).expect("the iterated test never produces zero");
        u = k;
        k = next;
        if i == 1 {
            assert_eq!(
                k,
                h32("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"),
                "after one iteration"
            );
        }
    }
    assert_eq!(
        k,
        h32("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"),
        "after 1,000 iterations"
    );
}

/// RFC 7748 §6.1: Alice's and Bob's key pairs and their shared secret.
#[test]
fn rfc7748_diffie_hellman_alice_bob() {
    let alice_sk = StaticSecret::from(h32(
        "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
    ));
    let alice_pk = h32("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    let bob_sk = StaticSecret::from(h32(
        "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
    ));
    let bob_pk = h32("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    let shared = h32("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

    assert_eq!(PublicKey::from(&alice_sk).to_bytes(), alice_pk);
    assert_eq!(PublicKey::from(&bob_sk).to_bytes(), bob_pk);
    let a = crypto::dh(&alice_sk, &PublicKey::from(bob_pk)).expect("contributory");
    let b = crypto::dh(&bob_sk, &PublicKey::from(alice_pk)).expect("contributory");
    assert_eq!(*a, shared);
    assert_eq!(*b, shared);
}

/// RFC 7748 §6.1's all-zero check: low-order points (here u = 0, u = 1 and the order-8 point
/// from the RFC 7748 errata / libsodium's blacklist) give an all-zero secret, which `dh` refuses.
#[test]
fn dh_rejects_low_order_points() {
    let scalar = h32("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    let mut one = [0u8; 32];
    one[0] = 1;
    for u in [
        [0u8; 32],
        one,
        h32("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
        // p itself (non-canonical encoding of 0).
        h32("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    ] {
        assert_eq!(
            x25519(scalar, u),
            Err(NonContributory),
            "u = {}",
            hex::encode(u)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 8439: ChaCha20-Poly1305

const SUNSCREEN: &[u8] = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";

/// RFC 8439 §2.8.2: key, nonce, AD, and the expected ciphertext || tag.
fn rfc8439_2_8_2() -> ([u8; 32], [u8; 12], Vec<u8>, Vec<u8>) {
    let key = h32("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    // The 32-bit constant 07 00 00 00 followed by the IV 40..47.
    let nonce = h12("070000004041424344454647");
    let ad = h("50515253c0c1c2c3c4c5c6c7");
    let mut sealed = h(
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6
         3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36
         92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc
         3ff4def08e4b7a9de576d26586cec64b6116",
    );
    sealed.extend(h("1ae10b594f09e26a7e902ecbd0600691"));
    (key, nonce, ad, sealed)
}

/// RFC 8439 §2.8.2, the AEAD test vector ("Ladies and Gentlemen…").
#[test]
fn rfc8439_aead_sunscreen() {
    let (key, nonce, ad, sealed) = rfc8439_2_8_2();
    assert_eq!(crypto::seal(&key, &nonce, SUNSCREEN, &ad), sealed);
    assert_eq!(
        crypto::open(&key, &nonce, &sealed, &ad),
        Ok(zeroize::Zeroizing::new(SUNSCREEN.to_vec()))
    );
}

/// RFC 8439 Appendix A.5, the ChaCha20-Poly1305 AEAD decryption vector.
#[test]
fn rfc8439_appendix_a5_decryption() {
    let key = h32("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
    let nonce = h12("000000000102030405060708");
    let ad = h("f33388860000000000004e91");
    let mut sealed = h(
        "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2
         4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf
         332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855
         9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4
         b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e
         af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a
         0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10
         49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29
         a6ad5cb4022b02709b",
    );
    sealed.extend(h("eead9d67890cbb22392336fea1851f38"));
    let plaintext =
        "Internet-Drafts are draft documents valid for a maximum of six months and may \
                     be updated, replaced, or obsoleted by other documents at any time. It is \
                     inappropriate to use Internet-Drafts as reference material or to cite them \
                     other than as /\u{201c}work in progress./\u{201d}";

    assert_eq!(
        crypto::open(&key, &nonce, &sealed, &ad),
        Ok(zeroize::Zeroizing::new(plaintext.as_bytes().to_vec()))
    );
    // Encryption is deterministic, so sealing the plaintext gives the published bytes back.
    assert_eq!(
        crypto::seal(&key, &nonce, plaintext.as_bytes(), &ad),
        sealed
    );
}

/// Any change to the ciphertext, the tag, the AD, the nonce or the key makes `open` fail.
#[test]
fn aead_tampering_is_rejected() {
    let (key, nonce, ad, sealed) = rfc8439_2_8_2();
    let tag_start = sealed.len() - 16;
    assert_eq!(tag_start, SUNSCREEN.len());

    for (what, i) in [
        ("first ciphertext byte", 0),
        ("last ciphertext byte", tag_start - 1),
    ] {
        let mut bad = sealed.clone();
        bad[i] ^= 0x01;
        assert_eq!(
            crypto::open(&key, &nonce, &bad, &ad),
            Err(AeadError),
            "{what}"
        );
    }
    for i in [tag_start, sealed.len() - 1] {
        let mut bad = sealed.clone();
        bad[i] ^= 0x80;
        assert_eq!(
            crypto::open(&key, &nonce, &bad, &ad),
            Err(AeadError),
            "tag byte {i}"
        );
    }
    for i in 0..ad.len() {
        let mut bad_ad = ad.clone();
        bad_ad[i] ^= 0x01;
        assert_eq!(
            crypto::open(&key, &nonce, &sealed, &bad_ad),
            Err(AeadError),
            "AD byte {i}"
        );
    }
    assert_eq!(
        crypto::open(&key, &nonce, &sealed, &[]),
        Err(AeadError),
        "AD removed"
    );

    let mut bad_nonce = nonce;
    bad_nonce[11] ^= 0x01;
    assert_eq!(
        crypto::open(&key, &bad_nonce, &sealed, &ad),
        Err(AeadError),
        "nonce"
    );
    let mut bad_key = key;
    bad_key[0] ^= 0x01;
    assert_eq!(
        crypto::open(&bad_key, &nonce, &sealed, &ad),
        Err(AeadError),
        "key"
    );

    assert_eq!(
        crypto::open(&key, &nonce, &sealed[..tag_start], &ad),
        Err(AeadError),
        "no tag"
    );
    assert_eq!(
        crypto::open(&key, &nonce, &sealed[..15], &ad),
        Err(AeadError),
        "short"
    );
    assert_eq!(
        crypto::open(&key, &nonce, &[], &ad),
        Err(AeadError),
        "empty"
    );
    let mut extended = sealed.clone();
    extended.push(0);
    assert_eq!(
        crypto::open(&key, &nonce, &extended, &ad),
        Err(AeadError),
        "extended"
    );

    // The untouched message still opens (the failures above are the tampering's doing).
    assert_eq!(
        crypto::open(&key, &nonce, &sealed, &ad),
        Ok(zeroize::Zeroizing::new(SUNSCREEN.to_vec()))
    );
}

// ---------------------------------------------------------------------------------------------
// RFC 5869: HKDF-SHA256

fn hkdf_vec(salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    crypto::hkdf(salt, ikm, info, &mut out);
    out
}

/// RFC 5869 Appendix A.1: basic test case with SHA-256.
#[test]
fn rfc5869_hkdf_case_1() {
    let ikm = [0x0b; 22];
    let salt = h("000102030405060708090a0b0c");
    let info = h("f0f1f2f3f4f5f6f7f8f9");
    assert_eq!(
        hkdf_vec(&salt, &ikm, &info, 42),
        h("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    );
}

/// RFC 5869 Appendix A.2: longer inputs and outputs.
#[test]
fn rfc5869_hkdf_case_2() {
    let ikm: Vec<u8> = (0x00..=0x4f).collect();
    let salt: Vec<u8> = (0x60..=0xaf).collect();
    let info: Vec<u8> = (0xb0..=0xff).collect();
    assert_eq!(
        hkdf_vec(&salt, &ikm, &info, 82),
        h(
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c
           59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71
           cc30c58179ec3e87c14c01d5c1f3434f1d87"
        )
    );
}

/// RFC 5869 Appendix A.3: zero-length salt and info. The wrapper passes `Some(&[])`; an empty
/// HMAC key is padded with zeros, so this must equal the RFC's "HashLen zeros" salt.
#[test]
fn rfc5869_hkdf_case_3_empty_salt() {
    let ikm = [0x0b; 22];
    let okm =
        h("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    assert_eq!(hkdf_vec(&[], &ikm, &[], 42), okm);
    assert_eq!(hkdf_vec(&[0u8; 32], &ikm, &[], 42), okm);
}

// ---------------------------------------------------------------------------------------------
// RFC 4231: HMAC-SHA256

/// RFC 4231 §4.2–4.8, test cases 1, 2, 3, 4, 6 and 7 (case 5 is a truncated MAC, which the
/// wrapper does not offer).
#[test]
fn rfc4231_hmac_sha256() {
    let cases: [(&str, Vec<u8>, Vec<u8>, &str); 6] = [
        (
            "case 1",
            vec![0x0b; 20],
            b"Hi There".to_vec(),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        ),
        (
            "case 2",
            b"Jefe".to_vec(),
            b"what do ya want for nothing?".to_vec(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            "case 3",
            vec![0xaa; 20],
            vec![0xdd; 50],
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        ),
        (
            "case 4",
            (0x01..=0x19).collect(),
            vec![0xcd; 50],
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        ),
        (
            "case 6",
            vec![0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
        (
            "case 7",
            vec![0xaa; 131],
            b"This is a test using a larger than block-size key and a larger than block-size \
              data. The key needs to be hashed before being used by the HMAC algorithm."
                .to_vec(),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        ),
    ];
    for (name, key, data, mac) in cases {
        assert_eq!(crypto::hmac(&key, &data), h32(mac), "RFC 4231 {name}");
    }
}

// ---------------------------------------------------------------------------------------------
// Project Wycheproof
//
// `wycheproof` is a native-only dev-dependency (see Cargo.toml), so these three tests do not
// exist on wasm32. The crate itself builds for wasm32-unknown-unknown (its vectors are
// `include_str!`ed JSON); moving it to `[dev-dependencies]` and dropping the `cfg`s below would
// run them in the browser too.

/// Every case of Wycheproof's `x25519_test.json`.
///
/// The wrapper computes X25519 exactly as RFC 7748 specifies (clamped scalar, high bit of u
/// masked, twist points and non-canonical encodings accepted) and refuses only an all-zero
/// result. So: every case whose shared secret is non-zero — `valid`, and `acceptable` ones
/// flagged `Twist`, `NonCanonicalPublic`, `EdgeCase*` — must give exactly the expected secret, and
/// every case whose secret is all zero (`LowOrderPublic`/`ZeroSharedSecret`, all `acceptable`)
/// must be refused with `NonContributory`.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn wycheproof_x25519() {
    use wycheproof::xdh::{TestFlag, TestName, TestSet};
    use wycheproof::{MontgomeryCurve, TestResult};

    let set = TestSet::load(TestName::X25519).expect("the Wycheproof X25519 set loads");
    let (mut accepted, mut refused) = (0usize, 0usize);
    for group in &set.test_groups {
        assert_eq!(group.curve, MontgomeryCurve::X25519);
        for test in &group.tests {
            let id = test.tc_id;
            let scalar: [u8; 32] = test.private_key[..]
                .try_into()
                .expect("32-byte private key");
            let u: [u8; 32] = test.public_key[..].try_into().expect("32-byte public key");
            let expected: [u8; 32] = test.shared_secret[..].try_into().expect("32-byte secret");
            let zero = expected == [0u8; 32];
            let low_order = test.flags.contains(&TestFlag::LowOrderPublic)
                || test.flags.contains(&TestFlag::ZeroSharedSecret);
            // The data's own flags must agree with its secret, or the per-flag rules below mean
            // nothing.
            assert_eq!(zero, low_order, "tcId {id}: flags {:?}", test.flags);

            let got = x25519(scalar, u);
            match test.result {
                TestResult::Valid => {
                    assert!(!zero, "tcId {id}: a valid case with a zero secret");
                    assert_eq!(got, Ok(expected), "tcId {id} ({:?})", test.flags);
                }
                TestResult::Acceptable if zero => {
                    assert_eq!(got, Err(NonContributory), "tcId {id} ({:?})", test.flags);
                }
                TestResult::Acceptable => {
                    assert_eq!(got, Ok(expected), "tcId {id} ({:?})", test.flags);
                }
                TestResult::Invalid => {
                    assert!(
                        got.is_err(),
                        "tcId {id}: invalid case accepted ({:?})",
                        test.flags
                    );
                }
            }
            if got.is_ok() {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
    }
    let ran = accepted + refused;
    println!("Wycheproof X25519: {ran} cases ({accepted} accepted, {refused} refused)");
    assert!(ran > 0, "no X25519 case ran");
    assert_eq!(ran, set.number_of_tests, "every X25519 case runs");
    assert!(refused > 0, "the set has all-zero cases; none was refused");
}

/// Wycheproof's `chacha20_poly1305_test.json`, the cases with a 96-bit nonce and 256-bit key
/// (the only ones `seal`/`open` can express: their types fix those sizes). Valid cases must seal
/// to `ct || tag` and open back; invalid ones must not open.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn wycheproof_chacha20_poly1305() {
    use wycheproof::aead::{TestFlag, TestName, TestSet};
    use wycheproof::TestResult;

    let set = TestSet::load(TestName::ChaCha20Poly1305).expect("the Wycheproof AEAD set loads");
    let (mut valid, mut invalid, mut skipped) = (0usize, 0usize, 0usize);
    for group in &set.test_groups {
        if group.nonce_size != 96 || group.key_size != 256 || group.tag_size != 128 {
            // Only other nonce sizes occur here, all of them invalid for RFC 8439.
            for test in &group.tests {
                assert!(
                    test.flags.contains(&TestFlag::InvalidNonceSize),
                    "tcId {}",
                    test.tc_id
                );
                assert_eq!(test.result, TestResult::Invalid, "tcId {}", test.tc_id);
                skipped += 1;
            }
            continue;
        }
        for test in &group.tests {
            let id = test.tc_id;
            let key: [u8; 32] = test.key[..].try_into().expect("32-byte key");
            let nonce: [u8; 12] = test.nonce[..].try_into().expect("12-byte nonce");
            let mut sealed = test.ct.to_vec();
            sealed.extend_from_slice(&test.tag);
            let opened = crypto::open(&key, &nonce, &sealed, &test.aad);
            match test.result {
                TestResult::Valid | TestResult::Acceptable => {
                    assert_eq!(
                        crypto::seal(&key, &nonce, &test.pt, &test.aad),
                        sealed,
                        "tcId {id}: seal ({:?})",
                        test.flags
                    );
                    assert_eq!(
                        opened,
                        Ok(zeroize::Zeroizing::new(test.pt.to_vec())),
                        "tcId {id}: open ({:?})",
                        test.flags
                    );
                    valid += 1;
                }
                TestResult::Invalid => {
                    assert_eq!(
                        opened,
                        Err(AeadError),
                        "tcId {id}: opened ({:?})",
                        test.flags
                    );
                    invalid += 1;
                }
            }
        }
    }
    let ran = valid + invalid;
    println!(
        "Wycheproof ChaCha20-Poly1305: {ran} cases ({valid} valid, {invalid} invalid), \
         {skipped} skipped (nonce not 96 bits)"
    );
    assert!(valid > 0 && invalid > 0, "no ChaCha20-Poly1305 case ran");
    assert_eq!(ran + skipped, set.number_of_tests);
}

/// Wycheproof's `hkdf_sha256_test.json`. Valid cases (output size up to 255 × 32) must give the
/// expected OKM. The invalid ones ask for more than 255 × 32 bytes, which HKDF cannot give: the
/// wrapper then zeroes the whole buffer, which is checked by pre-filling it with non-zero bytes.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn wycheproof_hkdf_sha256() {
    use wycheproof::hkdf::{TestFlag, TestName, TestSet};
    use wycheproof::TestResult;

    const MAX_OKM: usize = 255 * 32;
    let set = TestSet::load(TestName::HkdfSha256).expect("the Wycheproof HKDF set loads");
    let (mut valid, mut too_large) = (0usize, 0usize);
    for group in &set.test_groups {
        for test in &group.tests {
            let id = test.tc_id;
            let mut out = vec![0xa5u8; test.size];
            crypto::hkdf(&test.salt, &test.ikm, &test.info, &mut out);
            match test.result {
                TestResult::Valid | TestResult::Acceptable => {
                    assert!(
                        test.size <= MAX_OKM,
                        "tcId {id}: valid with size {}",
                        test.size
                    );
                    assert_eq!(test.okm.len(), test.size, "tcId {id}");
                    assert_eq!(out, test.okm.to_vec(), "tcId {id} ({:?})", test.flags);
                    valid += 1;
                }
                TestResult::Invalid => {
                    assert!(
                        test.size > MAX_OKM,
                        "tcId {id}: an invalid case HKDF can express"
                    );
                    assert!(test.flags.contains(&TestFlag::SizeTooLarge), "tcId {id}");
                    assert!(out.iter().all(|&b| b == 0), "tcId {id}: output not zeroed");
                    too_large += 1;
                }
            }
        }
    }
    let ran = valid + too_large;
    println!("Wycheproof HKDF-SHA256: {ran} cases ({valid} valid, {too_large} too large)");
    assert!(valid > 0 && too_large > 0, "no HKDF-SHA256 case ran");
    assert_eq!(ran, set.number_of_tests, "every HKDF-SHA256 case runs");
}
