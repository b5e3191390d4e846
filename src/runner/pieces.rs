//! An encrypted file uploaded in pieces (the relay's resumable uploads): after each piece the
//! progress is told and a cancel is heard; a failed piece is retried from what the relay says
//! it holds, so a lost connection costs one piece, not the file.

use crate::platform::{blobs, timer};

/// Bytes per request: small enough that progress moves and a retry costs little.
const PIECE: usize = 1024 * 1024;

/// Failures in a row (no byte gained) after which the upload stops.
const MAX_FAILURES: u32 = 6;

/// Why an upload stopped before its end.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Stopped {
    Cancelled,
    Failed,
}

/// Uploads `bytes` as blob `id` and commits it. `progress` hears how many bytes the relay
/// holds after each piece; `cancelled` is asked before each.
pub(super) async fn upload(
    id: &[u8; 32],
    bytes: &[u8],
    progress: impl Fn(u64),
    cancelled: impl Fn() -> bool,
) -> Result<(), Stopped> {
    let length = bytes.len() as u64;
    let mut offset = 0u64;
    let mut failures = 0u32;
    while offset < length {
        if cancelled() {
            return Err(Stopped::Cancelled);
        }
        let end = (offset as usize).saturating_add(PIECE).min(bytes.len());
        let held = blobs::append(id, offset, &bytes[offset as usize..end]).await;
        match held.filter(|&held| held > offset && held <= length) {
            Some(held) => {
                offset = held;
                failures = 0;
            }
            None => {
                failures += 1;
                if failures >= MAX_FAILURES {
                    return Err(Stopped::Failed);
                }
                timer::sleep(250 << failures).await;
                // Where to go on from: what the relay holds (a 409 said so too).
                let resume = match held {
                    Some(held) => Some(held),
                    None => blobs::held(id).await,
                };
                offset = resume.unwrap_or(offset).min(length);
            }
        }
        progress(offset);
    }
    if cancelled() {
        return Err(Stopped::Cancelled);
    }
    if blobs::commit(id, length).await {
        Ok(())
    } else {
        Err(Stopped::Failed)
    }
}
