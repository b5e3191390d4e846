//! A picked file sealed and uploaded as it is read, in bounded memory: a slice of the file is
//! read ([`file_slices`]) while the previous piece is on its way, sealed chunk by chunk with
//! the protocol's [`Sealer`] (which also hashes it), and appended at its offset of the relay's
//! resumable upload. A failed piece is sent again from what the relay says it holds; an upload
//! the relay holds part of already (after a reload) goes on from there
//! ([`Sealer::resuming`]).

use hush_protocol::attachment::stream::{resume_point, CHUNK_SIZE, TAG_LEN};
use hush_protocol::attachment::{sealed_len, AttachmentError, AttachmentKey, Sealer};

use crate::platform::blobs::{self, InFlight};
use crate::platform::file_slices::{self, SLICE};
use crate::platform::files::FileBlob;
use crate::platform::timer;

/// Failures in a row (no byte gained) after which the upload stops.
const MAX_FAILURES: u32 = 6;

/// Why an upload stopped before its end.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Stopped {
    Cancelled,
    Failed,
}

/// What is uploaded: `file` (of `data_len` bytes) sealed under `key` as upload `id`.
pub(super) struct Source<'a> {
    pub(super) id: &'a [u8; 32],
    pub(super) key: &'a AttachmentKey,
    pub(super) file: &'a FileBlob,
    pub(super) data_len: u64,
}

/// A sealed piece of the blob, from ciphertext offset `at`.
struct Piece {
    at: u64,
    bytes: Vec<u8>,
}

impl Piece {
    fn end(&self) -> u64 {
        self.at + self.bytes.len() as u64
    }
}

/// Uploads `source` (the relay holding its first `held` bytes already) and commits it; the
/// file's SHA-256. `progress` hears how many bytes the relay holds after each piece;
/// `cancelled` is asked before each.
pub(super) async fn upload(
    source: Source<'_>,
    held: u64,
    progress: impl Fn(u64),
    cancelled: impl Fn() -> bool,
) -> Result<[u8; 32], Stopped> {
    let total = sealed_len(source.data_len).ok_or(Stopped::Failed)?;
    let (skip, mut at) = resume_point(total, held).ok_or(Stopped::Failed)?;
    let sealer = Sealer::resuming(source.key, source.data_len, skip);
    let mut sealer = Some(sealer.map_err(|_| Stopped::Failed)?);
    let mut relay_at = held.min(total);
    let mut plain = Vec::with_capacity(SLICE as usize);
    let mut read_at = 0u64;
    let mut reading = Some(read_from(&source, 0));
    let mut in_flight: Option<(Option<InFlight>, Piece)> = None;
    let mut sha256 = None;
    while let Some(slice) = reading.take() {
        if cancelled() {
            return Err(Stopped::Cancelled);
        }
        if !slice.into(&mut plain).await || plain.is_empty() && read_at < source.data_len {
            return Err(Stopped::Failed);
        }
        read_at += plain.len() as u64;
        // The next slice is read while this one is sealed and the last piece is sent.
        if read_at < source.data_len {
            reading = Some(read_from(&source, read_at));
        }
        let mut bytes = Vec::with_capacity(sealed_capacity(plain.len()));
        let mut sink = |chunk: &[u8]| bytes.extend_from_slice(chunk);
        let pushed = match sealer.as_mut() {
            Some(sealer) => sealer.push(&plain, &mut sink),
            None => Err(AttachmentError::Finished),
        };
        pushed.map_err(|_| Stopped::Failed)?;
        if reading.is_none() {
            let finished = sealer.take().map(|sealer| sealer.finish(&mut sink));
            sha256 = Some(
                finished
                    .ok_or(Stopped::Failed)?
                    .map_err(|_| Stopped::Failed)?,
            );
        }
        let piece = Piece { at, bytes };
        at = piece.end();
        if let Some((flight, sent)) = in_flight.take() {
            relay_at = settle(source.id, flight, &sent, relay_at, &cancelled).await?;
            progress(relay_at);
        }
        in_flight = Some((send(source.id, &piece, relay_at), piece));
    }
    if let Some((flight, sent)) = in_flight.take() {
        relay_at = settle(source.id, flight, &sent, relay_at, &cancelled).await?;
        progress(relay_at);
    }
    let sha256 = sha256.ok_or(Stopped::Failed)?;
    if cancelled() {
        return Err(Stopped::Cancelled);
    }
    if relay_at != total {
        return Err(Stopped::Failed);
    }
    match blobs::commit(source.id, total).await {
        true => Ok(sha256),
        false => Err(Stopped::Failed),
    }
}

/// Starts reading the slice of `source` from plaintext offset `start`.
fn read_from(source: &Source<'_>, start: u64) -> file_slices::Reading {
    let end = start.saturating_add(SLICE).min(source.data_len);
    file_slices::start(source.file, start, end)
}

/// Room for a slice of `plain` bytes sealed: its tags, and a chunk held over from before.
fn sealed_capacity(plain: usize) -> usize {
    plain + (plain / CHUNK_SIZE + 2) * TAG_LEN + CHUNK_SIZE
}

/// Starts sending what the relay does not hold of `piece` (None: it holds it all).
fn send(id: &[u8; 32], piece: &Piece, relay_at: u64) -> Option<InFlight> {
    if relay_at >= piece.end() || relay_at < piece.at {
        return None;
    }
    let from = (relay_at - piece.at) as usize;
    Some(blobs::append(id, relay_at, &piece.bytes[from..]))
}

/// Waits for `piece`'s request and sends it again from what the relay holds until the relay
/// holds all of it; the relay's offset then.
async fn settle(
    id: &[u8; 32],
    mut flight: Option<InFlight>,
    piece: &Piece,
    mut relay_at: u64,
    cancelled: &impl Fn() -> bool,
) -> Result<u64, Stopped> {
    let mut failures = 0u32;
    loop {
        let answer = match flight.take() {
            Some(request) => request.offset().await,
            None => Some(relay_at),
        };
        if let Some(held) = answer.filter(|held| *held >= piece.end()) {
            return Ok(held);
        }
        failures += 1;
        if failures >= MAX_FAILURES {
            return Err(Stopped::Failed);
        }
        if cancelled() {
            return Err(Stopped::Cancelled);
        }
        timer::sleep(250 << failures).await;
        // Where to go on from: what the relay holds (a 409 said so too); unknown, the last
        // offset it said.
        let held = match answer {
            Some(held) => Some(held),
            None => blobs::held(id).await,
        };
        relay_at = held.unwrap_or(relay_at);
        if relay_at >= piece.end() {
            return Ok(relay_at);
        }
        // Bytes before this piece lost by the relay were sealed before and are gone from
        // memory: the upload stops (a reload resumes it from what the relay holds).
        if relay_at < piece.at {
            return Err(Stopped::Failed);
        }
        flight = send(id, piece, relay_at);
    }
}
