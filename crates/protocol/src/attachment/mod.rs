//! Attachments: a file is encrypted once under a fresh [`AttachmentKey`], as a padded STREAM of
//! ChaCha20-Poly1305 chunks, uploaded to the relay as one blob, and sent as an
//! [`AttachmentPointer`] inside an end-to-end encrypted message (pairwise, or once per group
//! with the sender key). Forwarding sends the same pointer again: same blob, same key.
//!
//! - [`key`]: the file's key and nonce prefix.
//! - [`stream`]: STREAM, chunk by chunk in constant memory; any chunk can be checked alone.
//! - [`padding`]: the framing and Padmé padding the stream seals.
//! - [`pointer`]: what the message carries, with strict limits.
//!
//! [`seal`] and [`open`] do a whole small file; [`Sealer`] and [`Opener`] stream a large one.
//! Whatever a file is opened with, its SHA-256 is checked before any of it may be shown or
//! saved: [`open`] returns nothing else, and [`Opener::finish`] must succeed before what the
//! opener passed on is used (each chunk was authenticated already; the hash ties the file to
//! the pointer the sender signed off).

pub mod key;
pub mod padding;
pub mod pointer;
pub mod stream;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub use key::AttachmentKey;
pub use pointer::{AttachmentPointer, Dimensions, Mime};

use crate::limits::MAX_ATTACHMENT;
use padding::HEADER_LEN;
use stream::{StreamDecryptor, StreamEncryptor, CHUNK_SIZE, CIPHERTEXT_CHUNK};

/// Why an attachment could not be sealed or opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachmentError {
    /// A chunk of the wrong size for its place (every chunk but the last is full).
    ChunkSize,
    /// A chunk after the last one.
    Finished,
    /// More chunks than the u32 counter can number.
    CounterOverflow,
    /// A chunk failed authentication: another key, changed bytes, another place in the stream,
    /// or a stream cut short (its new last chunk was not sealed as the last).
    Corrupt,
    /// A ciphertext length no stream has, or more or fewer bytes than announced.
    Length,
    /// Larger than [`MAX_ATTACHMENT`].
    TooLarge,
    /// The stream ended before its last chunk.
    Truncated,
    /// The framing is wrong: a length that does not pad to the stream's, or non-zero padding.
    Padding,
    /// The file's SHA-256 is not the one the pointer names.
    Hash,
}

impl core::fmt::Display for AttachmentError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::ChunkSize => "attachment chunk of the wrong size",
            Self::Finished => "attachment chunk after the last",
            Self::CounterOverflow => "attachment has too many chunks",
            Self::Corrupt => "attachment chunk failed authentication",
            Self::Length => "attachment has the wrong length",
            Self::TooLarge => "attachment is too large",
            Self::Truncated => "attachment ends early",
            Self::Padding => "attachment padding is invalid",
            Self::Hash => "attachment does not match its SHA-256",
        })
    }
}

impl std::error::Error for AttachmentError {}

/// A file sealed whole by [`seal`].
pub struct Sealed {
    /// Its fresh key.
    pub key: AttachmentKey,
    /// The blob to upload (padded).
    pub ciphertext: Vec<u8>,
    /// The file's SHA-256.
    pub sha256: [u8; 32],
    /// The file's length.
    pub plaintext_len: u64,
}

/// Seals a whole file under a fresh key from `rng`.
pub fn seal(rng: &mut impl crate::Rng, plaintext: &[u8]) -> Result<Sealed, AttachmentError> {
    let key = AttachmentKey::generate(rng);
    let plaintext_len = plaintext.len() as u64;
    let mut sealer = Sealer::new(&key, plaintext_len)?;
    let capacity = usize::try_from(sealer.ciphertext_len()).unwrap_or(0);
    let mut ciphertext = Vec::with_capacity(capacity);
    let mut sink = |chunk: &[u8]| ciphertext.extend_from_slice(chunk);
    sealer.push(plaintext, &mut sink)?;
    let sha256 = sealer.finish(&mut sink)?;
    Ok(Sealed {
        key,
        ciphertext,
        sha256,
        plaintext_len,
    })
}

/// Opens a whole blob and checks the file's SHA-256 against `expected_sha256`: nothing is
/// returned unless every chunk authenticates, the padding is right and the hash matches.
pub fn open(
    key: &AttachmentKey,
    ciphertext: &[u8],
    expected_sha256: &[u8; 32],
) -> Result<Vec<u8>, AttachmentError> {
    let mut opener = Opener::new(key, ciphertext.len() as u64)?;
    let mut plaintext = Vec::with_capacity(ciphertext.len());
    opener.push(ciphertext, &mut |data: &[u8]| {
        plaintext.extend_from_slice(data)
    })?;
    opener.finish(expected_sha256)?;
    Ok(plaintext)
}

/// The blob's length (padding included) for a file of `data_len` bytes; None if it would be
/// larger than [`MAX_ATTACHMENT`].
pub fn sealed_len(data_len: u64) -> Option<u64> {
    let framed = padding::framed_len(data_len)?;
    stream::ciphertext_len(framed).filter(|len| *len <= MAX_ATTACHMENT)
}

/// The largest file whose blob takes at most `max_blob` bytes (and at most
/// [`MAX_ATTACHMENT`]); None if not even an empty file fits.
pub fn max_sealable(max_blob: u64) -> Option<u64> {
    let fits = |len: u64| sealed_len(len).is_some_and(|sealed| sealed <= max_blob);
    if !fits(0) {
        return None;
    }
    // The blob's length grows with the file's: the last length that fits, by bisection.
    let (mut fitting, mut too_big) = (0u64, max_blob.saturating_add(1));
    while too_big - fitting > 1 {
        let middle = fitting + (too_big - fitting) / 2;
        if fits(middle) {
            fitting = middle;
        } else {
            too_big = middle;
        }
    }
    Some(fitting)
}

/// Zero bytes to pad with, a slice at a time.
const ZEROS: [u8; 4096] = [0; 4096];

/// Seals a file as it is read, in constant memory (one chunk): [`Sealer::push`] its bytes in
/// pieces of any size, then [`Sealer::finish`]. Each ciphertext chunk goes to `sink` as soon as
/// it is sealed, in order; together they are the blob.
pub struct Sealer {
    stream: StreamEncryptor,
    /// The framed bytes of the chunk being filled.
    chunk: Vec<u8>,
    sha: Sha256,
    data_len: u64,
    pushed: u64,
    framed_len: u64,
    /// Framed bytes taken so far (header, file, padding).
    filled: u64,
    /// Chunks before this index are hashed over but neither sealed nor passed on.
    skip: u32,
}

impl Sealer {
    /// A file of `data_len` bytes (known before its first byte: it is framed first).
    pub fn new(key: &AttachmentKey, data_len: u64) -> Result<Self, AttachmentError> {
        let framed_len = padding::framed_len(data_len).ok_or(AttachmentError::TooLarge)?;
        match stream::ciphertext_len(framed_len) {
            Some(len) if len <= MAX_ATTACHMENT => {}
            _ => return Err(AttachmentError::TooLarge),
        }
        // Room for the tag too: each chunk is sealed where it lies.
        let mut chunk = Vec::with_capacity(CIPHERTEXT_CHUNK);
        chunk.extend_from_slice(&data_len.to_be_bytes());
        Ok(Self {
            stream: StreamEncryptor::new(key),
            chunk,
            sha: Sha256::new(),
            data_len,
            pushed: 0,
            framed_len,
            filled: HEADER_LEN as u64,
            skip: 0,
        })
    }

    /// [`Sealer::new`] for an upload the relay holds the first `skip` chunks of (see
    /// [`stream::resume_point`]): the whole file is pushed again from its first byte (its
    /// SHA-256 needs every byte) but those chunks are not sealed again nor passed on; the
    /// sink's first bytes are chunk `skip`'s. The last chunk is always sealed.
    pub fn resuming(
        key: &AttachmentKey,
        data_len: u64,
        skip: u32,
    ) -> Result<Self, AttachmentError> {
        let mut sealer = Self::new(key, data_len)?;
        sealer.skip = skip;
        Ok(sealer)
    }

    /// The blob's length, padding included: what to ask the relay for, and the pointer's.
    pub fn ciphertext_len(&self) -> u64 {
        stream::ciphertext_len(self.framed_len).unwrap_or(u64::MAX)
    }

    /// The file's next bytes. More bytes in all than announced is [`AttachmentError::Length`].
    pub fn push(
        &mut self,
        data: &[u8],
        sink: &mut impl FnMut(&[u8]),
    ) -> Result<(), AttachmentError> {
        let pushed = self.pushed.saturating_add(data.len() as u64);
        if pushed > self.data_len {
            return Err(AttachmentError::Length);
        }
        self.pushed = pushed;
        self.sha.update(data);
        self.feed(data, sink)
    }

    /// Pads, seals the last chunk, and returns the file's SHA-256. Fewer bytes pushed than
    /// announced is [`AttachmentError::Length`].
    pub fn finish(mut self, sink: &mut impl FnMut(&[u8])) -> Result<[u8; 32], AttachmentError> {
        if self.pushed != self.data_len {
            return Err(AttachmentError::Length);
        }
        while self.filled < self.framed_len {
            let n = (self.framed_len - self.filled).min(ZEROS.len() as u64) as usize;
            self.feed(&ZEROS[..n], sink)?;
        }
        self.stream.encrypt_chunk_in_place(&mut self.chunk, true)?;
        sink(&self.chunk);
        Ok(self.sha.finalize().into())
    }

    /// Framed bytes into the chunk; a full chunk that is not the last is sealed at once (the
    /// last one waits for `finish`).
    fn feed(
        &mut self,
        mut bytes: &[u8],
        sink: &mut impl FnMut(&[u8]),
    ) -> Result<(), AttachmentError> {
        while !bytes.is_empty() {
            let n = (CHUNK_SIZE - self.chunk.len()).min(bytes.len());
            let (head, rest) = bytes.split_at(n);
            self.chunk.extend_from_slice(head);
            self.filled += n as u64;
            bytes = rest;
            if self.chunk.len() == CHUNK_SIZE && self.filled < self.framed_len {
                if self.stream.next_index().is_some_and(|at| at < self.skip) {
                    self.stream.skip_chunk()?;
                } else {
                    self.stream.encrypt_chunk_in_place(&mut self.chunk, false)?;
                    sink(&self.chunk);
                }
                self.chunk.clear();
            }
        }
        Ok(())
    }
}

/// Opens a blob as it arrives, in constant memory (one chunk): [`Opener::push`] its bytes in
/// pieces of any size; the file's bytes go to `sink` once their chunk authenticates; then
/// [`Opener::finish`] checks the stream was whole and the SHA-256. Until `finish` succeeds,
/// what went to the sink must not be shown or saved as the file. After an error the opener
/// refuses everything with that error.
pub struct Opener {
    stream: StreamDecryptor,
    /// The ciphertext of the chunk being received.
    chunk: Vec<u8>,
    sha: Sha256,
    ciphertext_len: u64,
    received: u64,
    framed_len: u64,
    /// Framed bytes opened so far.
    opened: u64,
    /// The file's length, from the first chunk.
    data_len: Option<u64>,
    failed: Option<AttachmentError>,
}

impl Opener {
    /// A blob of `ciphertext_len` bytes (the pointer's) under `key`.
    pub fn new(key: &AttachmentKey, ciphertext_len: u64) -> Result<Self, AttachmentError> {
        if ciphertext_len > MAX_ATTACHMENT {
            return Err(AttachmentError::TooLarge);
        }
        let framed_len = stream::plaintext_len(ciphertext_len).ok_or(AttachmentError::Length)?;
        if framed_len < HEADER_LEN as u64 {
            return Err(AttachmentError::Length);
        }
        Ok(Self {
            stream: StreamDecryptor::new(key),
            chunk: Vec::with_capacity(CIPHERTEXT_CHUNK),
            sha: Sha256::new(),
            ciphertext_len,
            received: 0,
            framed_len,
            opened: 0,
            data_len: None,
            failed: None,
        })
    }

    /// The blob's next bytes. More in all than its length is [`AttachmentError::Length`].
    pub fn push(
        &mut self,
        ciphertext: &[u8],
        sink: &mut impl FnMut(&[u8]),
    ) -> Result<(), AttachmentError> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        let result = self.take(ciphertext, sink);
        if let Err(error) = result {
            self.failed = Some(error);
        }
        result
    }

    /// Checks the whole blob arrived and the file's SHA-256 is `expected_sha256`.
    pub fn finish(self, expected_sha256: &[u8; 32]) -> Result<(), AttachmentError> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        if !self.stream.is_finished() {
            return Err(AttachmentError::Truncated);
        }
        let sha256: [u8; 32] = self.sha.finalize().into();
        match bool::from(sha256.ct_eq(expected_sha256)) {
            true => Ok(()),
            false => Err(AttachmentError::Hash),
        }
    }

    fn take(
        &mut self,
        mut ciphertext: &[u8],
        sink: &mut impl FnMut(&[u8]),
    ) -> Result<(), AttachmentError> {
        let received = self.received.saturating_add(ciphertext.len() as u64);
        if received > self.ciphertext_len {
            return Err(AttachmentError::Length);
        }
        self.received = received;
        while !ciphertext.is_empty() {
            // This chunk's ciphertext: a full one, or what is left of the blob.
            let start = self.received - ciphertext.len() as u64 - self.chunk.len() as u64;
            let size = (self.ciphertext_len - start).min(CIPHERTEXT_CHUNK as u64) as usize;
            let n = (size - self.chunk.len()).min(ciphertext.len());
            let (head, rest) = ciphertext.split_at(n);
            self.chunk.extend_from_slice(head);
            ciphertext = rest;
            if self.chunk.len() == size {
                let last = start + size as u64 == self.ciphertext_len;
                // Opened where it lies; the buffer comes back for the next chunk.
                let mut framed = core::mem::take(&mut self.chunk);
                let opened = self.stream.decrypt_chunk_in_place(&mut framed, last);
                let unframed = opened.and_then(|()| self.unframe(&framed, sink));
                framed.clear();
                self.chunk = framed;
                unframed?;
            }
        }
        Ok(())
    }

    /// Passes on the file's bytes of one opened chunk and checks its padding is zero.
    fn unframe(
        &mut self,
        mut framed: &[u8],
        sink: &mut impl FnMut(&[u8]),
    ) -> Result<(), AttachmentError> {
        let data_len = match self.data_len {
            Some(len) => len,
            None => {
                // The first chunk holds the whole header: it is full, or the whole stream.
                let (header, rest) = framed
                    .split_first_chunk::<HEADER_LEN>()
                    .ok_or(AttachmentError::Padding)?;
                let len = padding::data_len(*header, self.framed_len)?;
                self.data_len = Some(len);
                self.opened = HEADER_LEN as u64;
                framed = rest;
                len
            }
        };
        let data_end = HEADER_LEN as u64 + data_len;
        let data = (data_end.saturating_sub(self.opened)).min(framed.len() as u64) as usize;
        let (file, pad) = framed.split_at(data);
        if pad.iter().any(|&b| b != 0) {
            return Err(AttachmentError::Padding);
        }
        self.opened += framed.len() as u64;
        if !file.is_empty() {
            self.sha.update(file);
            sink(file);
        }
        Ok(())
    }
}
