//! Attachments: the STREAM chunks, padding, whole and streaming sealing and opening, and the
//! pointer's strict decoding. Runs natively and in headless Chromium.
// On wasm32 the tests are #[wasm_bindgen_test] functions: clippy.toml's test allowances
// do not reach them.
#![cfg_attr(target_arch = "wasm32", allow(clippy::unwrap_used))]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::rng;
use hush_protocol::attachment::pointer::{Dimensions, MAX_DIMENSION};
use hush_protocol::attachment::stream::{
    self, decrypt_chunk_at, StreamDecryptor, StreamEncryptor, CHUNK_SIZE, CIPHERTEXT_CHUNK,
};
use hush_protocol::attachment::{
    open, padding, seal, AttachmentError, AttachmentKey, AttachmentPointer, Mime, Opener, Sealer,
};
use hush_protocol::codec::Writer;
use hush_protocol::limits::{
    MAX_ATTACHMENT, MAX_CAPTION, MAX_FILE_NAME, MAX_POINTER, MAX_THUMBNAIL, MAX_WAVEFORM,
};
use hush_protocol::DecodeError;

/// The lengths the issue names: empty, one byte, around one chunk, and several chunks.
const LENGTHS: [usize; 7] = [
    0,
    1,
    CHUNK_SIZE - 1,
    CHUNK_SIZE,
    CHUNK_SIZE + 1,
    3 * CHUNK_SIZE + 123,
    16 * CHUNK_SIZE + 1,
];

fn file(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8 + 1).collect()
}

fn key(seed: u64) -> AttachmentKey {
    AttachmentKey::generate(&mut rng(seed))
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

#[test]
fn streams_round_trip_at_chunk_boundaries() {
    let key = key(1);
    for len in LENGTHS {
        let plaintext = file(len);
        let ciphertext = stream::encrypt(&key, &plaintext).unwrap();
        let chunks = len.div_ceil(CHUNK_SIZE).max(1);
        assert_eq!(ciphertext.len(), len + 16 * chunks, "{len}");
        assert_eq!(
            stream::ciphertext_len(len as u64),
            Some(ciphertext.len() as u64)
        );
        assert_eq!(
            stream::decrypt(&key, &ciphertext).unwrap(),
            plaintext,
            "{len}"
        );
    }
}

#[test]
fn files_round_trip_padded_at_chunk_boundaries() {
    for len in LENGTHS {
        let plaintext = file(len);
        let sealed = seal(&mut rng(2), &plaintext).unwrap();
        assert_eq!(sealed.plaintext_len, len as u64);
        assert_eq!(sealed.sha256, sha256(&plaintext));
        // The blob is the padded framing's stream: the relay sees only the bucket.
        let framed = padding::framed_len(len as u64).unwrap();
        assert_eq!(
            stream::ciphertext_len(framed),
            Some(sealed.ciphertext.len() as u64)
        );
        let opened = open(&sealed.key, &sealed.ciphertext, &sealed.sha256).unwrap();
        assert_eq!(opened, plaintext, "{len}");
    }
}

#[test]
fn padding_hides_the_exact_size_and_is_removed() {
    // Files of nearby sizes make blobs of one size.
    let a = seal(&mut rng(3), &file(1_000_000)).unwrap();
    let b = seal(&mut rng(3), &file(1_010_000)).unwrap();
    assert_eq!(a.ciphertext.len(), b.ciphertext.len());
    assert!(a.ciphertext.len() > 1_010_000);
    assert_eq!(
        open(&b.key, &b.ciphertext, &b.sha256).unwrap(),
        file(1_010_000)
    );
    assert_eq!(
        open(&a.key, &a.ciphertext, &a.sha256).unwrap(),
        file(1_000_000)
    );
}

/// A stream of `framed` bytes under `key`, as a sealer would make if its framing were `framed`.
fn framed_blob(key: &AttachmentKey, data: &[u8], header_len: u64, pad_byte: u8) -> Vec<u8> {
    let total = padding::framed_len(data.len() as u64).unwrap_or(0) as usize;
    let mut framed = header_len.to_be_bytes().to_vec();
    framed.extend_from_slice(data);
    framed.resize(total, pad_byte);
    stream::encrypt(key, &framed).unwrap_or_default()
}

#[test]
fn bad_padding_is_refused() {
    let key = key(4);
    let data = file(1000);
    let sha = sha256(&data);
    // The framing a sealer makes opens.
    let good = framed_blob(&key, &data, 1000, 0);
    assert_eq!(open(&key, &good, &sha).unwrap(), data);
    // Padding that is not zero.
    let dirty = framed_blob(&key, &data, 1000, 1);
    assert_eq!(open(&key, &dirty, &sha), Err(AttachmentError::Padding));
    // A length that does not pad to the stream's.
    let long = framed_blob(&key, &data, 100_000, 0);
    assert_eq!(open(&key, &long, &sha), Err(AttachmentError::Padding));
    // A shorter length of the same bucket leaves file bytes in the padding.
    let short = framed_blob(&key, &data, 990, 0);
    assert_eq!(open(&key, &short, &sha), Err(AttachmentError::Padding));
    // A stream too short to hold the length.
    let tiny = stream::encrypt(&key, &[0; 4]).unwrap();
    assert_eq!(open(&key, &tiny, &sha), Err(AttachmentError::Length));
}

#[test]
fn a_truncated_file_is_refused() {
    let key = key(5);
    let plaintext = file(3 * CHUNK_SIZE + 123);
    let ciphertext = stream::encrypt(&key, &plaintext).unwrap();
    // Cut at a chunk boundary: the new final chunk was not sealed as the last.
    for chunks in 1..=3 {
        let cut = &ciphertext[..chunks * CIPHERTEXT_CHUNK];
        assert_eq!(stream::decrypt(&key, cut), Err(AttachmentError::Corrupt));
    }
    // Cut inside a chunk.
    for cut in [1, 15, 16, 17, CIPHERTEXT_CHUNK + 16, ciphertext.len() - 1] {
        assert!(stream::decrypt(&key, &ciphertext[..cut]).is_err(), "{cut}");
    }
    // Streamed with the pointer's length, a short download never finishes.
    let sealed = seal(&mut rng(5), &plaintext).unwrap();
    let mut opener = Opener::new(&sealed.key, sealed.ciphertext.len() as u64).unwrap();
    let short = &sealed.ciphertext[..2 * CIPHERTEXT_CHUNK];
    opener.push(short, &mut |_: &[u8]| {}).unwrap();
    assert_eq!(
        opener.finish(&sealed.sha256),
        Err(AttachmentError::Truncated)
    );
    // And the pointer's length names the last chunk: a blob cut to it fails.
    let cut = &sealed.ciphertext[..CIPHERTEXT_CHUNK];
    assert_eq!(
        open(&sealed.key, cut, &sealed.sha256),
        Err(AttachmentError::Corrupt)
    );
}

#[test]
fn reordered_chunks_are_refused() {
    let key = key(6);
    let ciphertext = stream::encrypt(&key, &file(3 * CHUNK_SIZE)).unwrap();
    let chunks: Vec<&[u8]> = ciphertext.chunks(CIPHERTEXT_CHUNK).collect();
    for order in [[1, 0, 2], [0, 2, 1], [2, 1, 0], [0, 0, 2]] {
        let swapped: Vec<u8> = order.iter().flat_map(|&i| chunks[i].to_vec()).collect();
        assert_eq!(
            stream::decrypt(&key, &swapped),
            Err(AttachmentError::Corrupt),
            "{order:?}"
        );
    }
}

#[test]
fn flipped_bytes_and_wrong_keys_are_refused() {
    let key = key(7);
    let plaintext = file(2 * CHUNK_SIZE + 77);
    let ciphertext = stream::encrypt(&key, &plaintext).unwrap();
    for at in [
        0,
        1,
        CHUNK_SIZE,
        CIPHERTEXT_CHUNK - 1,
        CIPHERTEXT_CHUNK,
        2 * CIPHERTEXT_CHUNK + 5,
        ciphertext.len() - 1,
    ] {
        for mask in [0x01, 0x80] {
            let mut changed = ciphertext.clone();
            changed[at] ^= mask;
            assert_eq!(
                stream::decrypt(&key, &changed),
                Err(AttachmentError::Corrupt),
                "{at}"
            );
        }
    }
    for other in [self::key(8), {
        // Same cipher key, another nonce prefix.
        let mut bytes = *key.to_bytes();
        bytes[38] ^= 1;
        AttachmentKey::from_bytes(&bytes)
    }] {
        assert_eq!(
            stream::decrypt(&other, &ciphertext),
            Err(AttachmentError::Corrupt)
        );
    }
    let sealed = seal(&mut rng(8), &plaintext).unwrap();
    assert_eq!(
        open(&key, &sealed.ciphertext, &sealed.sha256),
        Err(AttachmentError::Corrupt)
    );
}

#[test]
fn the_sha256_is_checked_before_anything_is_returned() {
    let plaintext = file(CHUNK_SIZE + 5);
    let sealed = seal(&mut rng(9), &plaintext).unwrap();
    let mut wrong = sealed.sha256;
    wrong[0] ^= 1;
    assert_eq!(
        open(&sealed.key, &sealed.ciphertext, &wrong),
        Err(AttachmentError::Hash)
    );
    let mut opener = Opener::new(&sealed.key, sealed.ciphertext.len() as u64).unwrap();
    opener.push(&sealed.ciphertext, &mut |_: &[u8]| {}).unwrap();
    assert_eq!(opener.finish(&wrong), Err(AttachmentError::Hash));
}

#[test]
fn streaming_in_any_pieces_matches_the_whole() {
    let plaintext = file(5 * CHUNK_SIZE + 999);
    let sealed = seal(&mut rng(10), &plaintext).unwrap();
    for piece in [
        7,
        CHUNK_SIZE - 3,
        CIPHERTEXT_CHUNK,
        CIPHERTEXT_CHUNK + 1,
        1 << 20,
    ] {
        let mut blob = Vec::new();
        let mut sealer = Sealer::new(&sealed.key, plaintext.len() as u64).unwrap();
        assert_eq!(sealer.ciphertext_len(), sealed.ciphertext.len() as u64);
        for part in plaintext.chunks(piece) {
            sealer
                .push(part, &mut |c: &[u8]| blob.extend_from_slice(c))
                .unwrap();
        }
        let sha = sealer
            .finish(&mut |c: &[u8]| blob.extend_from_slice(c))
            .unwrap();
        assert_eq!(sha, sealed.sha256);
        assert_eq!(blob, sealed.ciphertext, "{piece}");

        let mut opened = Vec::new();
        let mut opener = Opener::new(&sealed.key, blob.len() as u64).unwrap();
        for part in blob.chunks(piece) {
            opener
                .push(part, &mut |d: &[u8]| opened.extend_from_slice(d))
                .unwrap();
        }
        opener.finish(&sealed.sha256).unwrap();
        assert_eq!(opened, plaintext, "{piece}");
    }
    // Byte by byte through a small file.
    let small = seal(&mut rng(11), &file(300)).unwrap();
    let mut opener = Opener::new(&small.key, small.ciphertext.len() as u64).unwrap();
    let mut opened = Vec::new();
    for byte in &small.ciphertext {
        opener
            .push(&[*byte], &mut |d: &[u8]| opened.extend_from_slice(d))
            .unwrap();
    }
    opener.finish(&small.sha256).unwrap();
    assert_eq!(opened, file(300));
}

#[test]
fn sealers_and_openers_keep_to_the_announced_length() {
    let key = key(12);
    let mut sink = |_: &[u8]| {};
    let mut sealer = Sealer::new(&key, 10).unwrap();
    assert_eq!(
        sealer.push(&[1; 11], &mut sink),
        Err(AttachmentError::Length)
    );
    let mut sealer = Sealer::new(&key, 10).unwrap();
    sealer.push(&[1; 9], &mut sink).unwrap();
    assert_eq!(sealer.finish(&mut sink), Err(AttachmentError::Length));
    assert!(matches!(
        Sealer::new(&key, MAX_ATTACHMENT),
        Err(AttachmentError::TooLarge)
    ));
    assert!(matches!(
        Opener::new(&key, MAX_ATTACHMENT + 1),
        Err(AttachmentError::TooLarge)
    ));
    assert!(matches!(
        Opener::new(&key, (CIPHERTEXT_CHUNK + 3) as u64),
        Err(AttachmentError::Length)
    ));
    // A blob longer than announced, and an opener that failed, refuse what follows.
    let sealed = seal(&mut rng(12), &file(100)).unwrap();
    let mut long = sealed.ciphertext.clone();
    long.push(0);
    // (Read as a blob of that length, its one chunk fails.)
    assert_eq!(
        open(&sealed.key, &long, &sealed.sha256),
        Err(AttachmentError::Corrupt)
    );
    let mut opener = Opener::new(&sealed.key, sealed.ciphertext.len() as u64).unwrap();
    assert_eq!(opener.push(&long, &mut sink), Err(AttachmentError::Length));
    assert_eq!(
        opener.push(&sealed.ciphertext, &mut sink),
        Err(AttachmentError::Length)
    );
    assert_eq!(opener.finish(&sealed.sha256), Err(AttachmentError::Length));
}

#[test]
fn any_chunk_can_be_checked_alone() {
    let key = key(13);
    let plaintext = file(4 * CHUNK_SIZE + 10);
    let ciphertext = stream::encrypt(&key, &plaintext).unwrap();
    let len = ciphertext.len() as u64;
    assert_eq!(stream::chunk_count(len), Some(5));
    for index in [3u32, 0, 4, 1] {
        let (range, last) = stream::chunk_range(len, index).unwrap();
        let chunk = &ciphertext[range.start as usize..range.end as usize];
        let opened = decrypt_chunk_at(&key, index, chunk, last).unwrap();
        let start = index as usize * CHUNK_SIZE;
        assert_eq!(
            opened,
            &plaintext[start..(start + CHUNK_SIZE).min(plaintext.len())]
        );
        // At another place, or with the wrong last flag, it fails.
        let other = (index + 1) % 5;
        assert!(decrypt_chunk_at(&key, other, chunk, last).is_err());
        assert!(decrypt_chunk_at(&key, index, chunk, !last).is_err());
    }
    assert_eq!(stream::chunk_range(len, 5), None);
}

#[test]
fn the_state_machines_refuse_chunks_out_of_place() {
    let key = key(14);
    let mut encryptor = StreamEncryptor::new(&key);
    // Only the last chunk may be short, and only a lone last chunk empty.
    assert_eq!(
        encryptor.encrypt_chunk(&[1; 10], false),
        Err(AttachmentError::ChunkSize)
    );
    assert_eq!(
        encryptor.encrypt_chunk(&vec![1; CHUNK_SIZE + 1], true),
        Err(AttachmentError::ChunkSize)
    );
    let first = encryptor
        .encrypt_chunk(&vec![1; CHUNK_SIZE], false)
        .unwrap();
    assert_eq!(
        encryptor.encrypt_chunk(&[], true),
        Err(AttachmentError::ChunkSize)
    );
    let second = encryptor.encrypt_chunk(b"end", true).unwrap();
    assert!(encryptor.is_finished());
    assert_eq!(
        encryptor.encrypt_chunk(b"more", true),
        Err(AttachmentError::Finished)
    );

    let mut decryptor = StreamDecryptor::new(&key);
    // A failed chunk leaves the position: the right one still opens after it.
    assert_eq!(
        decryptor.decrypt_chunk(&second, true),
        Err(AttachmentError::Corrupt)
    );
    assert_eq!(
        decryptor.decrypt_chunk(&first, true),
        Err(AttachmentError::Corrupt)
    );
    assert_eq!(
        decryptor.decrypt_chunk(&first, false).unwrap(),
        vec![1; CHUNK_SIZE]
    );
    assert_eq!(
        decryptor.decrypt_chunk(&second, false),
        Err(AttachmentError::ChunkSize)
    );
    assert_eq!(decryptor.decrypt_chunk(&second, true).unwrap(), b"end");
    assert!(decryptor.is_finished());
    assert_eq!(
        decryptor.decrypt_chunk(&second, true),
        Err(AttachmentError::Finished)
    );
}

#[allow(clippy::unwrap_used)]
fn photo(seed: u64) -> AttachmentPointer {
    let sealed = seal(&mut rng(seed), &file(5000)).unwrap();
    AttachmentPointer {
        blob: [7; 32],
        key: sealed.key,
        sha256: sealed.sha256,
        ciphertext_len: sealed.ciphertext.len() as u64,
        mime: Mime::Jpeg,
        file_name: "IMG_0001.jpg".into(),
        dimensions: Some(Dimensions {
            width: 4032,
            height: 3024,
        }),
        duration_ms: None,
        thumbnail: vec![0xFF; 3000],
        waveform: Vec::new(),
        caption: "the harbour at dawn".into(),
    }
}

fn voice_note(seed: u64) -> AttachmentPointer {
    let mut pointer = photo(seed);
    pointer.mime = Mime::OggAudio;
    pointer.file_name = String::new();
    pointer.dimensions = None;
    pointer.duration_ms = Some(12_345);
    pointer.thumbnail = Vec::new();
    pointer.waveform = vec![0x40; MAX_WAVEFORM];
    pointer.caption = String::new();
    pointer
}

#[test]
fn pointers_round_trip_and_every_cut_is_an_error() {
    for pointer in [photo(20), voice_note(21)] {
        let bytes = pointer.encode();
        assert_eq!(bytes.len(), pointer.encoded_len());
        assert_eq!(AttachmentPointer::decode(&bytes).unwrap(), pointer);
        for cut in 0..bytes.len() {
            assert!(AttachmentPointer::decode(&bytes[..cut]).is_err(), "{cut}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(
            AttachmentPointer::decode(&long),
            Err(DecodeError::TrailingBytes)
        );
    }
}

#[test]
fn the_largest_pointer_fits_and_decodes() {
    let mut pointer = photo(22);
    pointer.file_name = "x".repeat(MAX_FILE_NAME);
    pointer.thumbnail = vec![1; MAX_THUMBNAIL];
    pointer.caption = "c".repeat(MAX_CAPTION);
    let bytes = pointer.encode();
    assert!(bytes.len() <= MAX_POINTER, "{}", bytes.len());
    assert_eq!(AttachmentPointer::decode(&bytes).unwrap(), pointer);
}

/// `pointer` encoded after `edit`, decoded.
fn decoded_after(
    edit: impl FnOnce(&mut AttachmentPointer),
) -> Result<AttachmentPointer, DecodeError> {
    let mut pointer = photo(23);
    edit(&mut pointer);
    AttachmentPointer::decode(&pointer.encode())
}

#[test]
fn oversized_fields_are_refused() {
    let too_long = |field: &str, result: Result<AttachmentPointer, DecodeError>| {
        assert!(
            matches!(result, Err(DecodeError::TooLong { field: f, .. }) if f == field),
            "{field}: {result:?}"
        );
    };
    too_long(
        "file name",
        decoded_after(|p| p.file_name = "x".repeat(MAX_FILE_NAME + 1)),
    );
    too_long(
        "thumbnail",
        decoded_after(|p| p.thumbnail = vec![0; MAX_THUMBNAIL + 1]),
    );
    too_long(
        "caption",
        decoded_after(|p| p.caption = "c".repeat(MAX_CAPTION + 1)),
    );
    let mut voice = voice_note(24);
    voice.waveform.push(0);
    too_long("waveform", AttachmentPointer::decode(&voice.encode()));
    too_long(
        "attachment",
        decoded_after(|p| p.ciphertext_len = MAX_ATTACHMENT + 1),
    );
    // A forged length field is refused before anything is allocated.
    let mut bytes = photo(25).encode();
    let name_len_at = 32 + AttachmentKey::LEN + 32 + 8 + 1;
    bytes[name_len_at..name_len_at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(AttachmentPointer::decode(&bytes).is_err());
}

#[test]
fn bad_fields_are_refused() {
    let invalid = |field: &'static str, result: Result<AttachmentPointer, DecodeError>| {
        assert_eq!(result, Err(DecodeError::Invalid(field)), "{field}");
    };
    for name in [
        "../../.bashrc",
        "a/b",
        " padded ",
        "evil\u{202E}gpj.exe",
        "two\nlines",
        "..",
    ] {
        invalid("file name", decoded_after(|p| p.file_name = name.into()));
    }
    // A length no padded stream has.
    invalid("attachment length", decoded_after(|p| p.ciphertext_len = 0));
    invalid(
        "attachment length",
        decoded_after(|p| p.ciphertext_len = 17),
    );
    invalid(
        "attachment length",
        decoded_after(|p| p.ciphertext_len = 16 + 1001),
    );
    for (width, height) in [(0, 10), (10, 0), (MAX_DIMENSION + 1, 10)] {
        invalid(
            "dimensions",
            decoded_after(|p| p.dimensions = Some(Dimensions { width, height })),
        );
    }
    invalid("duration", decoded_after(|p| p.duration_ms = Some(1000)));
    invalid("waveform", decoded_after(|p| p.waveform = vec![1; 10]));
    let mut voice = voice_note(26);
    voice.duration_ms = Some(0);
    invalid("duration", AttachmentPointer::decode(&voice.encode()));
    let mut voice = voice_note(26);
    voice.thumbnail = vec![1];
    invalid("thumbnail", AttachmentPointer::decode(&voice.encode()));
    let mut pdf = voice_note(26);
    pdf.mime = Mime::Pdf;
    invalid("duration", AttachmentPointer::decode(&pdf.encode()));
    // Bad UTF-8 and a bad flag.
    let mut bytes = photo(27).encode();
    let name_at = 32 + AttachmentKey::LEN + 32 + 8 + 1 + 4;
    bytes[name_at] = 0xFF;
    assert_eq!(
        AttachmentPointer::decode(&bytes),
        Err(DecodeError::Invalid("file name"))
    );
    let mut bytes = photo(27).encode();
    bytes[name_at + "IMG_0001.jpg".len()] = 2;
    assert_eq!(
        AttachmentPointer::decode(&bytes),
        Err(DecodeError::Invalid("dimensions flag"))
    );
}

#[test]
fn mime_types_come_from_the_allow_list() {
    for mime in Mime::ALL {
        assert_eq!(Mime::parse(mime.as_str()), mime);
    }
    assert_eq!(Mime::parse("IMAGE/JPEG"), Mime::Jpeg);
    assert_eq!(Mime::parse("audio/ogg; codecs=opus"), Mime::OggAudio);
    for other in [
        "image/svg+xml",
        "text/html",
        "application/zip",
        "",
        "image/",
    ] {
        assert_eq!(Mime::parse(other), Mime::File, "{other}");
    }
    // A type code of a newer build is a generic file: a file never shown inline.
    let mut pointer = photo(28);
    pointer.dimensions = None;
    pointer.thumbnail = Vec::new();
    let mut bytes = pointer.encode();
    bytes[32 + AttachmentKey::LEN + 32 + 8] = 0xEE;
    let decoded = AttachmentPointer::decode(&bytes).unwrap();
    assert_eq!(decoded.mime, Mime::File);
}

#[test]
fn keys_stay_out_of_debug_output() {
    let pointer = photo(29);
    let shown = format!("{pointer:?}");
    assert!(shown.contains("AttachmentKey(<secret>)"), "{shown}");
    let key_hex = hush_protocol::hex::encode(&pointer.key.to_bytes()[..8]);
    assert!(!shown.contains(&key_hex), "{shown}");
    // Written into a content's buffer, the pointer is what `encode` makes.
    let mut w = Writer::default();
    pointer.write(&mut w);
    assert_eq!(w.into_bytes(), pointer.encode());
}
