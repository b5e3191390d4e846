//! One set of size limits, each derived from the ones it must hold, so a payload one part of
//! Hush accepts is never refused by another (a group update stored in the outbox is read back,
//! an attested update fits one message, a message fits one relay envelope). Other modules
//! re-export these; none defines its own copy.

use crate::devices::MAX_DEVICE_LIST;

/// The longest text a person may send (bytes of UTF-8).
pub const MAX_TEXT: usize = 64 * 1024;
/// What a content's own encoding adds around its largest field (version, type, ids, times,
/// lengths).
pub const CONTENT_FRAMING: usize = 1024;
/// The longest encoded content a pairwise message carries (before any attestation): a text
/// with its framing. Every decoder of stored or received content (the outbox, `Attested`'s
/// inner content) takes exactly this much.
pub const MAX_CONTENT: usize = MAX_TEXT + CONTENT_FRAMING;
/// The longest encoded group update we send: the longest content, so that it is stored, read
/// back from the outbox and decoded inside an attestation like any content.
pub const MAX_UPDATE: usize = MAX_CONTENT;
/// What an attestation adds around its content: the account key, the signed device list and
/// the framing (version, type, two lengths).
pub const ATTESTATION: usize = 32 + MAX_DEVICE_LIST + 64;
/// The longest encoded attested content (a new session's messages show the sender's list).
pub const MAX_ATTESTED: usize = MAX_CONTENT + ATTESTATION;
/// The largest plaintext a message may carry: the longest attested content, rounded up to
/// 4 KiB (73,728 bytes; attachments travel as encrypted blobs).
pub const MAX_PLAINTEXT: usize = MAX_ATTESTED.next_multiple_of(4096);
/// The largest ciphertext: the plaintext plus the 16-byte Poly1305 tag.
pub const MAX_CIPHERTEXT: usize = MAX_PLAINTEXT + 16;
/// The largest envelope payload the relay carries: a prekey message (its X3DH header) around
/// the largest ciphertext.
pub const MAX_PAYLOAD: usize = MAX_CIPHERTEXT + 1024;

/// The largest attachment blob (its ciphertext, padding included): 100 MiB. A relay may grant
/// less (the reference relay's `MAX_BLOB_BYTES`); no pointer names a larger one.
pub const MAX_ATTACHMENT: u64 = 100 * 1024 * 1024;
/// The largest inline thumbnail of an attachment (an image or a video's first frame): 8 KiB.
pub const MAX_THUMBNAIL: usize = 8 * 1024;
/// The most amplitude samples in a voice note's waveform (one byte each).
pub const MAX_WAVEFORM: usize = 64;
/// The longest attachment file name, in bytes of UTF-8 (what file systems allow).
pub const MAX_FILE_NAME: usize = 255;
/// What an attachment pointer's own encoding adds around its thumbnail and caption: the blob
/// id (32), key (39), SHA-256 (32), length (8), MIME type (1), file name (4 + 255), width and
/// height (9), duration (5), waveform (4 + 64), the two length fields (8), with room to spare.
pub const POINTER_FRAMING: usize = 512;
/// The longest attachment caption (bytes of UTF-8): a text, less what the pointer holds
/// besides, so the largest attachment content is no larger than the largest text content.
pub const MAX_CAPTION: usize = MAX_TEXT - MAX_THUMBNAIL - POINTER_FRAMING;
/// The longest encoded attachment pointer.
pub const MAX_POINTER: usize = MAX_CAPTION + MAX_THUMBNAIL + POINTER_FRAMING;

// The nesting holds at compile time: a change that breaks it does not build.
const _: () = {
    assert!(MAX_UPDATE <= MAX_CONTENT);
    // An attachment's content (a pointer with a chat name, ids and times) fits one content.
    assert!(MAX_POINTER <= MAX_TEXT);
    assert!(MAX_FILE_NAME + MAX_WAVEFORM + 32 + 39 + 32 + 8 + 1 + 9 + 5 + 4 * 4 <= POINTER_FRAMING);
    assert!(MAX_ATTESTED <= MAX_PLAINTEXT);
    assert!(MAX_CIPHERTEXT < MAX_PAYLOAD);
    assert!(MAX_PAYLOAD < crate::relay::MAX_FRAME);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_nest() {
        // Peers on older builds check 73,728: the derivation must land on it.
        assert_eq!(MAX_PLAINTEXT, 73_728);
    }
}
