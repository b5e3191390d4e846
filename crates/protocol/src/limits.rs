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

// The nesting holds at compile time: a change that breaks it does not build.
const _: () = {
    assert!(MAX_UPDATE <= MAX_CONTENT);
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
