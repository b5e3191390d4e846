//! Encrypted attachments: a device asks for a grant over its authenticated WebSocket, uploads
//! the ciphertext once with `PUT /blobs/<id>`, and anyone holding the unguessable id (sent
//! inside an end-to-end encrypted message) fetches it with `GET /blobs/<id>` until it expires.
//! Blobs are files under `HUSH_DATA/blobs`, written to a temporary file, synced, then renamed.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use hush_protocol::hex;
use rand_core::{OsRng, RngCore};

use crate::AppState;

/// The largest attachment.
pub const MAX_BLOB_BYTES: u32 = 25 * 1024 * 1024;
/// How long a grant may wait for its upload.
const GRANT_LIFETIME: Duration = Duration::from_secs(600);
/// Grants outstanding at once (across all devices), so grants cannot eat memory.
const MAX_GRANTS: usize = 10_000;
/// How long a blob is kept.
pub(crate) const BLOB_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

/// Outstanding grants and the blob directory.
pub(crate) struct Blobs {
    dir: PathBuf,
    grants: Mutex<HashMap<[u8; 32], (u32, Instant)>>,
}

impl Blobs {
    pub(crate) fn open(data: &Path) -> std::io::Result<Self> {
        let dir = data.join("blobs");
        std::fs::create_dir_all(&dir)?;
        Ok(Self {
            dir,
            grants: Mutex::new(HashMap::new()),
        })
    }

    /// A fresh id that may be uploaded once with at most `size` bytes; `None` when the size is
    /// too large or too many grants are outstanding.
    pub(crate) fn grant(&self, size: u32) -> Option<[u8; 32]> {
        if size > MAX_BLOB_BYTES {
            return None;
        }
        let mut grants = self.grants.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        grants.retain(|_, (_, at)| now.duration_since(*at) < GRANT_LIFETIME);
        if grants.len() >= MAX_GRANTS {
            return None;
        }
        let mut id = [0u8; 32];
        OsRng.fill_bytes(&mut id);
        grants.insert(id, (size, now));
        Some(id)
    }

    fn take_grant(&self, id: &[u8; 32]) -> Option<u32> {
        let mut grants = self.grants.lock().unwrap_or_else(|p| p.into_inner());
        let (size, at) = grants.remove(id)?;
        (at.elapsed() < GRANT_LIFETIME).then_some(size)
    }

    fn path(&self, id: &[u8; 32]) -> PathBuf {
        self.dir.join(hex::encode(id))
    }

    /// Deletes blobs older than [`BLOB_LIFETIME`]; returns how many.
    pub(crate) fn expire(&self) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let cutoff = SystemTime::now().checked_sub(BLOB_LIFETIME);
        let mut removed = 0;
        for entry in entries.flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|modified| cutoff.is_some_and(|c| modified < c));
            if old && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        removed
    }
}

/// A blob id as its URL spells it: 64 lower-case hex digits (the one spelling).
fn parse_id(text: &str) -> Option<[u8; 32]> {
    hex::decode(text)
}

/// `PUT /blobs/<id>`: the one upload a grant allows.
pub(crate) async fn upload(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    body: Bytes,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return (StatusCode::NOT_FOUND, "no such upload").into_response();
    };
    let Some(size) = state.blobs.take_grant(&id) else {
        return (
            StatusCode::FORBIDDEN,
            "no valid grant for this id (ask for one over the WebSocket)",
        )
            .into_response();
    };
    if body.len() > size as usize {
        return (StatusCode::PAYLOAD_TOO_LARGE, "larger than granted").into_response();
    }
    let path = state.blobs.path(&id);
    let written = tokio::task::spawn_blocking(move || write_atomically(&path, &body)).await;
    match written {
        Ok(Ok(())) => StatusCode::CREATED.into_response(),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not store the blob",
        )
            .into_response(),
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("part");
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// `GET /blobs/<id>`: the ciphertext, cacheable forever (an id never changes content).
pub(crate) async fn fetch(State(state): State<AppState>, UrlPath(id): UrlPath<String>) -> Response {
    let Some(id) = parse_id(&id) else {
        return (StatusCode::NOT_FOUND, "no such blob").into_response();
    };
    match tokio::fs::read(state.blobs.path(&id)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/octet-stream"),
                (
                    header::CACHE_CONTROL,
                    "private, max-age=31536000, immutable",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "no such blob").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_as_hex_and_junk_is_refused() {
        let id = [0xabu8; 32];
        assert_eq!(parse_id(&hex::encode(&id)), Some(id));
        for junk in [
            "",
            "zz",
            &"g".repeat(64),
            &"a".repeat(63),
            &"AB".repeat(32),
            "../../etc/passwd",
        ] {
            assert_eq!(parse_id(junk), None, "{junk}");
        }
    }

    #[test]
    fn a_grant_works_once_and_only_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::open(dir.path()).unwrap();
        assert!(blobs.grant(MAX_BLOB_BYTES + 1).is_none());
        let id = blobs.grant(10).unwrap();
        assert_eq!(blobs.take_grant(&id), Some(10));
        assert_eq!(blobs.take_grant(&id), None);
    }
}
