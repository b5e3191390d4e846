//! A file downloaded and opened a range at a time, in bounded memory: the next range is on its
//! way while this one is opened chunk by chunk ([`Opener`]); the file's bytes are handed to the
//! browser as Blob parts (which it may keep on disk), and joined into one Blob only once every
//! chunk authenticated and the SHA-256 matches the pointer's: nothing unchecked is shown or
//! saved.

use hush_protocol::attachment::{AttachmentPointer, Opener};
use js_sys::Array;

use crate::platform::blobs::{self, RangeError};
use crate::platform::files::FileBlob;

/// Ciphertext bytes asked for at once.
pub(crate) const RANGE: u64 = 4 * 1024 * 1024;

/// Why a file did not come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Failure {
    /// The relay no longer has it (expired).
    Gone,
    /// The connection failed.
    Unreachable,
    /// A chunk failed authentication, the length or the SHA-256 is wrong.
    NotIntact,
}

/// The file `pointer` names, downloaded, opened and checked, as a Blob of its type.
/// `progress` hears how many ciphertext bytes arrived after each range.
pub(super) async fn fetch(
    pointer: &AttachmentPointer,
    progress: impl Fn(u64),
) -> Result<FileBlob, Failure> {
    let total = pointer.ciphertext_len;
    let mut opener = Opener::new(&pointer.key, total).map_err(|_| Failure::NotIntact)?;
    let parts = Array::new();
    let mut ciphertext = Vec::with_capacity(RANGE as usize);
    let mut plaintext = Vec::with_capacity(RANGE as usize);
    let mut at = 0u64;
    let mut next = Some(blobs::range(&pointer.blob, 0, RANGE.min(total)));
    while let Some(request) = next.take() {
        let bytes = request.bytes().await.map_err(|e| match e {
            RangeError::Gone => Failure::Gone,
            RangeError::Failed => Failure::Unreachable,
        })?;
        let end = at + u64::from(bytes.length());
        if end == at || end > total {
            return Err(Failure::NotIntact);
        }
        // The next range comes while this one is opened.
        if end < total {
            next = Some(blobs::range(
                &pointer.blob,
                end,
                end.saturating_add(RANGE).min(total),
            ));
        }
        ciphertext.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut ciphertext);
        plaintext.clear();
        let mut sink = |data: &[u8]| plaintext.extend_from_slice(data);
        opener
            .push(&ciphertext, &mut sink)
            .map_err(|_| Failure::NotIntact)?;
        if !plaintext.is_empty() {
            parts.push(&blobs::part(&plaintext).ok_or(Failure::NotIntact)?);
        }
        at = end;
        progress(at);
    }
    opener
        .finish(&pointer.sha256)
        .map_err(|_| Failure::NotIntact)?;
    blobs::join(&parts, pointer.mime.as_str()).ok_or(Failure::NotIntact)
}
