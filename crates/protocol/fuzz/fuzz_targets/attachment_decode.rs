//! The attachment pointer decoder (what a message's `Attachment` content carries) on untrusted
//! bytes, and opening an attachment blob a relay may have changed: neither may panic; a pointer
//! it accepts passes its own checks and re-encodes to a value that decodes equal (and to the
//! same bytes, but for a MIME code of a newer build, read as a generic file); a changed blob
//! never opens, and the real one opens to its file.
#![no_main]

use std::sync::OnceLock;

use hush_protocol::attachment::pointer::Dimensions;
use hush_protocol::attachment::{open, seal, AttachmentPointer, Mime, Sealed};
use hush_protocol::hex;
use hush_protocol_fuzz::{mutate, rng};
use libfuzzer_sys::fuzz_target;

struct Templates {
    pointers: Vec<Vec<u8>>,
    file: Vec<u8>,
    sealed: Sealed,
}

fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let file: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
        let sealed = seal(&mut rng(20), &file).expect("seal");
        let photo = AttachmentPointer {
            blob: [7; 32],
            key: sealed.key.clone(),
            sha256: sealed.sha256,
            ciphertext_len: sealed.ciphertext.len() as u64,
            mime: Mime::Jpeg,
            file_name: "IMG_0001.jpg".into(),
            dimensions: Some(Dimensions {
                width: 640,
                height: 480,
            }),
            duration_ms: None,
            thumbnail: vec![0xFF; 64],
            waveform: Vec::new(),
            caption: "caption".into(),
        };
        let voice = AttachmentPointer {
            mime: Mime::OggAudio,
            file_name: String::new(),
            dimensions: None,
            duration_ms: Some(4_000),
            thumbnail: Vec::new(),
            waveform: vec![9; 32],
            caption: String::new(),
            ..photo.clone()
        };
        let document = AttachmentPointer {
            mime: Mime::Pdf,
            file_name: "report.pdf".into(),
            dimensions: None,
            thumbnail: Vec::new(),
            ..photo.clone()
        };
        Templates {
            pointers: [photo, voice, document]
                .iter()
                .map(|p| p.encode())
                .collect(),
            file,
            sealed,
        }
    })
}

fn check_pointer(input: &[u8]) {
    let Ok(pointer) = AttachmentPointer::decode(input) else {
        return;
    };
    assert_eq!(
        pointer.check(),
        Ok(()),
        "a decoded pointer fails its checks"
    );
    let bytes = pointer.encode();
    assert_eq!(bytes.len(), pointer.encoded_len());
    match AttachmentPointer::decode(&bytes) {
        Ok(again) => assert_eq!(again, pointer, "encode then decode changed the pointer"),
        Err(e) => panic!(
            "its own encoding does not decode ({e}): {}",
            hex::encode(&bytes)
        ),
    }
    // Only the MIME code (at a fixed offset) may differ: a code this build does not know.
    let mime_at = 32 + 39 + 32 + 8;
    let same = bytes.len() == input.len()
        && bytes
            .iter()
            .zip(input)
            .enumerate()
            .all(|(i, (a, b))| a == b || (i == mime_at && pointer.mime == Mime::File));
    assert!(
        same,
        "non-canonical pointer accepted: {} re-encodes as {}",
        hex::encode(input),
        hex::encode(&bytes)
    );
}

fn check_blob(blob: &[u8]) {
    let t = templates();
    match open(&t.sealed.key, blob, &t.sealed.sha256) {
        Ok(file) => {
            assert!(blob == t.sealed.ciphertext, "a changed blob opened");
            assert!(file == t.file, "the blob opened to another file");
        }
        Err(_) => assert!(blob != t.sealed.ciphertext, "the real blob did not open"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let t = templates();
    match selector {
        0x00..=0x7F => check_pointer(rest),
        // A sealed blob, edited: libFuzzer's inputs are too short to hold one of their own.
        0xF0..=0xFF => check_blob(&mutate(&t.sealed.ciphertext, selector, rest)),
        _ => {
            let template = &t.pointers[usize::from(selector & 0x0f) % t.pointers.len()];
            check_pointer(&mutate(template, selector >> 4, rest));
        }
    }
});
