//! STREAM (Hoang, Reyhanitabar, Rogaway, Vizár 2015), as age and Tink use it: a file is cut
//! into chunks of [`CHUNK_SIZE`] plaintext bytes, each sealed on its own with ChaCha20-Poly1305
//! under the file's key, with the nonce
//!
//! ```text
//! nonce prefix (7, random per file) ‖ chunk index (u32, big-endian) ‖ last flag (1: 0x01 on the last chunk, else 0x00)
//! ```
//!
//! and no associated data. The index in the nonce refuses a reordered chunk; the last flag
//! refuses a file cut at a chunk boundary (its new final chunk was not sealed as the last) and
//! a chunk after the last. Every chunk but the last holds exactly [`CHUNK_SIZE`] bytes; the
//! last holds 1 to [`CHUNK_SIZE`], or 0 when it is the only one, so a plaintext has one
//! ciphertext length and the length names the chunks. Memory is one chunk, whatever the file,
//! and any chunk can be checked alone ([`decrypt_chunk_at`], for ranged downloads).

use core::ops::Range;

use super::{AttachmentError, AttachmentKey};
use crate::crypto;

/// Plaintext bytes per chunk: 64 KiB.
pub const CHUNK_SIZE: usize = 64 * 1024;
/// The Poly1305 tag each chunk adds.
pub const TAG_LEN: usize = 16;
/// A full chunk's ciphertext: [`CHUNK_SIZE`] + [`TAG_LEN`].
pub const CIPHERTEXT_CHUNK: usize = CHUNK_SIZE + TAG_LEN;
/// The most chunks a stream may have: the index is a u32.
pub const MAX_CHUNKS: u64 = 1 << 32;

const CHUNK: u64 = CHUNK_SIZE as u64;
const TAG: u64 = TAG_LEN as u64;
const CT_CHUNK: u64 = CIPHERTEXT_CHUNK as u64;

/// The ciphertext length of a stream of `plaintext_len` bytes (`None` past [`MAX_CHUNKS`]).
pub fn ciphertext_len(plaintext_len: u64) -> Option<u64> {
    let chunks = plaintext_len.div_ceil(CHUNK).max(1);
    if chunks > MAX_CHUNKS {
        return None;
    }
    plaintext_len.checked_add(chunks * TAG)
}

/// The plaintext length of a stream of `ciphertext_len` bytes; `None` if no stream has that
/// length (a last chunk shorter than a tag, an empty last chunk after others, too many chunks).
pub fn plaintext_len(ciphertext_len: u64) -> Option<u64> {
    let (full, rest) = (ciphertext_len / CT_CHUNK, ciphertext_len % CT_CHUNK);
    let len = match rest {
        0 if full == 0 => return None,
        0 => full * CHUNK,
        TAG if full == 0 => 0,
        r if r <= TAG => return None,
        r => full * CHUNK + r - TAG,
    };
    (len.div_ceil(CHUNK) <= MAX_CHUNKS).then_some(len)
}

/// How many chunks a stream of `ciphertext_len` bytes has (`None` as for [`plaintext_len`]).
pub fn chunk_count(ciphertext_len: u64) -> Option<u64> {
    plaintext_len(ciphertext_len).map(|len| len.div_ceil(CHUNK).max(1))
}

/// Where chunk `index` lies in a stream of `ciphertext_len` bytes, and whether it is the last:
/// what a ranged download fetches to check one chunk alone.
pub fn chunk_range(ciphertext_len: u64, index: u32) -> Option<(Range<u64>, bool)> {
    let chunks = chunk_count(ciphertext_len)?;
    let index = u64::from(index);
    if index >= chunks {
        return None;
    }
    let start = index * CT_CHUNK;
    let end = (start + CT_CHUNK).min(ciphertext_len);
    Some((start..end, index + 1 == chunks))
}

/// Whether a chunk of `len` plaintext bytes may be chunk `index`.
fn check_size(index: u32, len: usize, last: bool) -> Result<(), AttachmentError> {
    let ok = match last {
        false => len == CHUNK_SIZE,
        true => len <= CHUNK_SIZE && (len > 0 || index == 0),
    };
    ok.then_some(()).ok_or(AttachmentError::ChunkSize)
}

/// The plaintext size a chunk of `ciphertext_len` bytes holds, if it may be chunk `index`.
fn check_ciphertext_size(
    index: u32,
    ciphertext_len: usize,
    last: bool,
) -> Result<usize, AttachmentError> {
    let len = ciphertext_len
        .checked_sub(TAG_LEN)
        .ok_or(AttachmentError::ChunkSize)?;
    check_size(index, len, last)?;
    Ok(len)
}

/// Opens chunk `index` of a stream on its own (nothing else of the stream is needed): for a
/// ranged download, or to check one chunk. `last` must say whether it is the stream's last chunk
/// (see [`chunk_range`]). An attachment's chunks hold its framing ([`super::padding`]): byte
/// `n` of the file is byte `n + 8` of the stream, and the file's SHA-256 can only be checked
/// over the whole file.
pub fn decrypt_chunk_at(
    key: &AttachmentKey,
    index: u32,
    ciphertext: &[u8],
    last: bool,
) -> Result<Vec<u8>, AttachmentError> {
    check_ciphertext_size(index, ciphertext.len(), last)?;
    let mut plaintext = crypto::open(&key.key, &key.nonce(index, last), ciphertext, &[])
        .map_err(|_| AttachmentError::Corrupt)?;
    Ok(core::mem::take(&mut *plaintext))
}

/// Where a stream is: the next chunk's index, or finished (its last chunk was sealed or opened).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Position {
    Next(u32),
    Finished,
}

impl Position {
    fn index(self) -> Result<u32, AttachmentError> {
        match self {
            Self::Next(index) => Ok(index),
            Self::Finished => Err(AttachmentError::Finished),
        }
    }

    /// After chunk `index`; a chunk that is not the last must leave room for another index.
    fn after(index: u32, last: bool) -> Result<Self, AttachmentError> {
        if last {
            return Ok(Self::Finished);
        }
        index
            .checked_add(1)
            .map(Self::Next)
            .ok_or(AttachmentError::CounterOverflow)
    }
}

/// Seals a stream one chunk at a time, in order.
pub struct StreamEncryptor {
    key: AttachmentKey,
    position: Position,
}

impl StreamEncryptor {
    /// A stream under `key`, from chunk 0.
    pub fn new(key: &AttachmentKey) -> Self {
        Self {
            key: key.clone(),
            position: Position::Next(0),
        }
    }

    /// Seals the next chunk: exactly [`CHUNK_SIZE`] bytes unless `last` (then 1 to
    /// [`CHUNK_SIZE`], or 0 for a stream of one empty chunk). Nothing after the last chunk.
    pub fn encrypt_chunk(
        &mut self,
        plaintext: &[u8],
        last: bool,
    ) -> Result<Vec<u8>, AttachmentError> {
        let index = self.position.index()?;
        check_size(index, plaintext.len(), last)?;
        let next = Position::after(index, last)?;
        let ciphertext = crypto::seal(&self.key.key, &self.key.nonce(index, last), plaintext, &[]);
        self.position = next;
        Ok(ciphertext)
    }

    /// [`Self::encrypt_chunk`] where the chunk lies: `chunk` holds the plaintext and gets its
    /// ciphertext and tag appended in its place (no allocation beyond `chunk`'s).
    pub fn encrypt_chunk_in_place(
        &mut self,
        chunk: &mut Vec<u8>,
        last: bool,
    ) -> Result<(), AttachmentError> {
        let index = self.position.index()?;
        check_size(index, chunk.len(), last)?;
        let next = Position::after(index, last)?;
        let tag = crypto::seal_in_place(&self.key.key, &self.key.nonce(index, last), chunk);
        chunk.extend_from_slice(&tag);
        self.position = next;
        Ok(())
    }

    /// Passes over the next chunk without sealing it (it is not the last): a resumed upload
    /// whose earlier chunks the relay holds already.
    pub fn skip_chunk(&mut self) -> Result<(), AttachmentError> {
        let index = self.position.index()?;
        self.position = Position::after(index, false)?;
        Ok(())
    }

    /// The next chunk's index (None once the last was sealed).
    pub fn next_index(&self) -> Option<u32> {
        self.position.index().ok()
    }

    /// Whether the last chunk was sealed.
    pub fn is_finished(&self) -> bool {
        self.position == Position::Finished
    }
}

/// Where a resumed upload of a `ciphertext_len`-byte stream goes on when the relay holds
/// `held` bytes: the chunks to skip (whole ones held, never the last, which is sealed again
/// with the stream's end) and the ciphertext offset the next sealed chunk starts at.
pub fn resume_point(ciphertext_len: u64, held: u64) -> Option<(u32, u64)> {
    let chunks = chunk_count(ciphertext_len)?;
    let skip = (held.min(ciphertext_len) / CT_CHUNK).min(chunks - 1);
    Some((u32::try_from(skip).ok()?, skip * CT_CHUNK))
}

/// Opens a stream one chunk at a time, in order. A chunk that fails leaves the position as it
/// was.
pub struct StreamDecryptor {
    key: AttachmentKey,
    position: Position,
}

impl StreamDecryptor {
    /// A stream under `key`, from chunk 0.
    pub fn new(key: &AttachmentKey) -> Self {
        Self {
            key: key.clone(),
            position: Position::Next(0),
        }
    }

    /// Opens the next chunk; `last` says whether the stream ends with it (the caller knows
    /// from the ciphertext length: [`chunk_count`]). A chunk sealed at another place, under
    /// another key, changed, or sealed as last when it is not (or the reverse) is
    /// [`AttachmentError::Corrupt`].
    pub fn decrypt_chunk(
        &mut self,
        ciphertext: &[u8],
        last: bool,
    ) -> Result<Vec<u8>, AttachmentError> {
        let index = self.position.index()?;
        let next = Position::after(index, last)?;
        let plaintext = decrypt_chunk_at(&self.key, index, ciphertext, last)?;
        self.position = next;
        Ok(plaintext)
    }

    /// [`Self::decrypt_chunk`] where the chunk lies: `chunk` (ciphertext and tag) becomes its
    /// plaintext (the tag cut off). On failure `chunk` is left as it was.
    pub fn decrypt_chunk_in_place(
        &mut self,
        chunk: &mut Vec<u8>,
        last: bool,
    ) -> Result<(), AttachmentError> {
        let index = self.position.index()?;
        let next = Position::after(index, last)?;
        let len = check_ciphertext_size(index, chunk.len(), last)?;
        let (body, tag) = chunk.split_at_mut(len);
        let tag: &[u8; TAG_LEN] = (&*tag).try_into().map_err(|_| AttachmentError::ChunkSize)?;
        crypto::open_in_place(&self.key.key, &self.key.nonce(index, last), body, tag)
            .map_err(|_| AttachmentError::Corrupt)?;
        chunk.truncate(len);
        self.position = next;
        Ok(())
    }

    /// Whether the last chunk was opened: a stream that ends before is truncated.
    pub fn is_finished(&self) -> bool {
        self.position == Position::Finished
    }
}

/// Seals `plaintext` whole (tests and small files).
pub fn encrypt(key: &AttachmentKey, plaintext: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    let len = ciphertext_len(plaintext.len() as u64).ok_or(AttachmentError::TooLarge)?;
    let mut out = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    let mut stream = StreamEncryptor::new(key);
    let mut chunks = plaintext.chunks(CHUNK_SIZE).peekable();
    if chunks.peek().is_none() {
        out.extend(stream.encrypt_chunk(&[], true)?);
    }
    while let Some(chunk) = chunks.next() {
        out.extend(stream.encrypt_chunk(chunk, chunks.peek().is_none())?);
    }
    Ok(out)
}

/// Opens a whole stream (tests and small files): its last chunk is the one the length names.
pub fn decrypt(key: &AttachmentKey, ciphertext: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    let len = plaintext_len(ciphertext.len() as u64).ok_or(AttachmentError::Length)?;
    let mut out = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    let mut stream = StreamDecryptor::new(key);
    let mut chunks = ciphertext.chunks(CIPHERTEXT_CHUNK).peekable();
    while let Some(chunk) = chunks.next() {
        out.extend(stream.decrypt_chunk(chunk, chunks.peek().is_none())?);
    }
    if !stream.is_finished() {
        return Err(AttachmentError::Truncated);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_name_their_chunks() {
        for (plain, cipher) in [
            (0, 16),
            (1, 17),
            (CHUNK - 1, CT_CHUNK - 1),
            (CHUNK, CT_CHUNK),
            (CHUNK + 1, CT_CHUNK + 17),
            (3 * CHUNK, 3 * CT_CHUNK),
        ] {
            assert_eq!(ciphertext_len(plain), Some(cipher), "{plain}");
            assert_eq!(plaintext_len(cipher), Some(plain), "{cipher}");
        }
        // No stream is empty, ends in a chunk shorter than a tag, or in an empty chunk after
        // others.
        for cipher in [0, 1, 15, CT_CHUNK + 1, CT_CHUNK + 15, CT_CHUNK + 16] {
            assert_eq!(plaintext_len(cipher), None, "{cipher}");
        }
        assert_eq!(chunk_count(16), Some(1));
        assert_eq!(chunk_count(CT_CHUNK + 17), Some(2));
        assert_eq!(
            chunk_range(CT_CHUNK + 17, 1),
            Some((CT_CHUNK..CT_CHUNK + 17, true))
        );
        assert_eq!(chunk_range(CT_CHUNK + 17, 0), Some((0..CT_CHUNK, false)));
        assert_eq!(chunk_range(CT_CHUNK + 17, 2), None);
        assert_eq!(ciphertext_len(MAX_CHUNKS * CHUNK + 1), None);
        assert_eq!(plaintext_len((MAX_CHUNKS + 1) * CT_CHUNK), None);
    }

    #[test]
    fn the_counter_never_wraps() {
        let key = AttachmentKey::from_bytes(&[9; AttachmentKey::LEN]);
        let mut stream = StreamEncryptor::new(&key);
        stream.position = Position::Next(u32::MAX);
        let chunk = vec![0; CHUNK_SIZE];
        assert_eq!(
            stream.encrypt_chunk(&chunk, false),
            Err(AttachmentError::CounterOverflow)
        );
        // The last index may still end the stream.
        let sealed = stream.encrypt_chunk(b"end", true);
        assert!(sealed.is_ok());
        assert_eq!(
            stream.encrypt_chunk(b"more", true),
            Err(AttachmentError::Finished)
        );
        let mut open = StreamDecryptor::new(&key);
        open.position = Position::Next(u32::MAX);
        assert_eq!(
            open.decrypt_chunk(&[0; CIPHERTEXT_CHUNK], false),
            Err(AttachmentError::CounterOverflow)
        );
        assert_eq!(
            open.decrypt_chunk(&sealed.unwrap_or_default(), true)
                .as_deref(),
            Ok(&b"end"[..])
        );
    }
}
