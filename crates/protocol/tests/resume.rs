//! Resumed uploads and blob sizes: a sealer resuming where the relay stopped passes on exactly
//! the rest of the blob a fresh sealer makes, with the same SHA-256; `sealed_len` and
//! `max_sealable` agree with the sealer. Runs natively and in headless Chromium.
#![cfg_attr(target_arch = "wasm32", allow(clippy::unwrap_used))]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::rng;
use hush_protocol::attachment::stream::{resume_point, CHUNK_SIZE, CIPHERTEXT_CHUNK};
use hush_protocol::attachment::{
    max_sealable, open, sealed_len, AttachmentError, AttachmentKey, Sealer,
};
use hush_protocol::limits::MAX_ATTACHMENT;

const CT_CHUNK: u64 = CIPHERTEXT_CHUNK as u64;

fn file(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 17 % 253) as u8).collect()
}

/// What `sealer` passes on for `data` pushed in pieces of `piece` bytes, and the SHA-256.
fn sealed(
    mut sealer: Sealer,
    data: &[u8],
    piece: usize,
) -> Result<(Vec<u8>, [u8; 32]), AttachmentError> {
    let mut out = Vec::new();
    let mut sink = |chunk: &[u8]| out.extend_from_slice(chunk);
    for part in data.chunks(piece.max(1)) {
        sealer.push(part, &mut sink)?;
    }
    let sha = sealer.finish(&mut sink)?;
    Ok((out, sha))
}

#[test]
fn a_resumed_sealer_passes_on_the_rest_of_the_same_blob() {
    let key = AttachmentKey::generate(&mut rng(7));
    for len in [
        0,
        1,
        CHUNK_SIZE - 8,
        CHUNK_SIZE,
        3 * CHUNK_SIZE + 5,
        5 * CHUNK_SIZE,
    ] {
        let data = file(len);
        let fresh = Sealer::new(&key, len as u64).unwrap();
        let total = fresh.ciphertext_len();
        let (whole, sha) = sealed(fresh, &data, 10_000).unwrap();
        assert_eq!(whole.len() as u64, total);
        assert_eq!(open(&key, &whole, &sha).unwrap(), data);
        for held in [
            0,
            1,
            CT_CHUNK - 1,
            CT_CHUNK,
            CT_CHUNK + 3,
            2 * CT_CHUNK,
            total - 1,
            total,
        ] {
            let (skip, offset) = resume_point(total, held).unwrap();
            assert!(offset <= held.min(total), "{len} {held}");
            assert!(offset < total, "the last chunk is always sealed again");
            let sealer = Sealer::resuming(&key, len as u64, skip).unwrap();
            let (rest, resumed_sha) = sealed(sealer, &data, 77_777).unwrap();
            assert_eq!(resumed_sha, sha, "{len} {held}");
            assert_eq!(rest, whole[offset as usize..], "{len} {held}");
        }
    }
}

#[test]
fn a_resumed_sealer_still_checks_the_length() {
    let key = AttachmentKey::generate(&mut rng(8));
    let mut sealer = Sealer::resuming(&key, 3 * CHUNK_SIZE as u64, 2).unwrap();
    let mut sink = |_: &[u8]| {};
    sealer.push(&file(CHUNK_SIZE), &mut sink).unwrap();
    assert_eq!(sealer.finish(&mut sink), Err(AttachmentError::Length));
    assert_eq!(resume_point(0, 0), None);
}

#[test]
fn sealed_len_is_the_sealers_and_max_sealable_its_inverse() {
    let key = AttachmentKey::generate(&mut rng(9));
    for len in [0u64, 1, 100, 65_529, 65_536, 1_000_000] {
        let sealer = Sealer::new(&key, len).unwrap();
        assert_eq!(sealed_len(len), Some(sealer.ciphertext_len()), "{len}");
        let fits = max_sealable(sealer.ciphertext_len()).unwrap();
        assert!(fits >= len, "{len}");
        assert_eq!(sealed_len(fits), Some(sealer.ciphertext_len()), "{len}");
        assert!(
            sealed_len(fits + 1).unwrap() > sealer.ciphertext_len(),
            "{len}"
        );
    }
    assert_eq!(max_sealable(0), None);
    assert_eq!(max_sealable(15), None);
    let largest = max_sealable(u64::MAX).unwrap();
    assert!(sealed_len(largest).is_some_and(|len| len <= MAX_ATTACHMENT));
    assert_eq!(sealed_len(largest + 1), None);
    assert_eq!(sealed_len(u64::MAX), None);
}
