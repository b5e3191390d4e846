//! `PUT /blobs/<id>`, streamed: an upload is checked against its grant before a byte of its
//! body is read and goes to disk chunk by chunk, in constant memory whatever the size. Making
//! a complete partial file a blob ([`keep`]) is shared with uploads in pieces.

use std::path::Path;

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use super::parse_id;
use crate::hub::DeviceKey;
use crate::store::BlobRecord;
use crate::{now_ms, AppState};

/// Why a streamed upload did not become a blob.
enum Failed {
    /// More bytes came than were granted.
    TooLarge,
    /// The body broke off, or the disk refused.
    Io,
}

/// `PUT /blobs/<id>`: the one upload a grant allows.
pub(crate) async fn upload(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return (StatusCode::NOT_FOUND, "no such upload").into_response();
    };
    // The grant first: without one, the body is never read.
    let Some(grant) = state.blobs.take_grant(&id) else {
        state.metrics.blob_refusals.inc();
        return (
            StatusCode::FORBIDDEN,
            "no valid grant for this id (ask for one over the WebSocket)",
        )
            .into_response();
    };
    if header_bytes(&headers, header::CONTENT_LENGTH).is_some_and(|len| len > u64::from(grant.size))
    {
        state.metrics.blob_refusals.inc();
        return (StatusCode::PAYLOAD_TOO_LARGE, "larger than granted").into_response();
    }
    let part = state.blobs.path(&id).with_extension("part");
    let mut part_guard = Unkept {
        path: part.clone(),
        kept: false,
    };
    let size = match write_part(body, &part, u64::from(grant.size)).await {
        Ok(size) => size,
        Err(Failed::TooLarge) => {
            state.metrics.blob_refusals.inc();
            return (StatusCode::PAYLOAD_TOO_LARGE, "larger than granted").into_response();
        }
        Err(Failed::Io) => return stored_nothing(),
    };
    part_guard.kept = true;
    keep(&state, &id, &part, grant.owner, size).await
}

/// Makes the complete, synced partial file `part` the blob `id` of `owner`: renamed, its
/// directory synced, recorded in the store. On any failure nothing of it is left.
pub(super) async fn keep(
    state: &AppState,
    id: &[u8; 32],
    part: &Path,
    owner: DeviceKey,
    size: u64,
) -> Response {
    let path = state.blobs.path(id);
    let mut part_guard = Unkept {
        path: part.to_path_buf(),
        kept: false,
    };
    if tokio::fs::rename(part, &path).await.is_err() {
        return stored_nothing();
    }
    part_guard.kept = true;
    // Renamed: from here the blob itself goes unless it is durable and recorded.
    let mut blob_guard = Unkept {
        path: path.clone(),
        kept: false,
    };
    if sync_dir(&path).await.is_err() {
        return stored_nothing();
    }
    let record = BlobRecord {
        id: *id,
        account: owner.account,
        device: owner.device,
        size,
        expires_ms: state.blobs.expiry_from(now_ms()),
    };
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || store.add_blob(&record)).await {
        Ok(Ok(())) => {
            blob_guard.kept = true;
            StatusCode::CREATED.into_response()
        }
        // Unrecorded, it would count against no quota: it goes.
        _ => stored_nothing(),
    }
}

pub(super) fn stored_nothing() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "could not store the blob",
    )
        .into_response()
}

/// A header's value as a number of bytes.
pub(super) fn header_bytes(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.parse().ok()
}

/// A file removed when dropped unless kept: an upload whose client goes away mid-body drops
/// the handler, and its partial file must not stay behind, counted against no quota.
pub(super) struct Unkept {
    pub(super) path: std::path::PathBuf,
    pub(super) kept: bool,
}

impl Drop for Unkept {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Streams `body` into `part`, refusing past `limit` bytes, and syncs it; returns the size.
async fn write_part(body: Body, part: &Path, limit: u64) -> Result<u64, Failed> {
    let mut file = tokio::fs::File::create(part)
        .await
        .map_err(|_| Failed::Io)?;
    let mut chunks = body.into_data_stream();
    let mut size = 0u64;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|_| Failed::Io)?;
        size = size.saturating_add(chunk.len() as u64);
        if size > limit {
            return Err(Failed::TooLarge);
        }
        file.write_all(&chunk).await.map_err(|_| Failed::Io)?;
    }
    file.sync_all().await.map_err(|_| Failed::Io)?;
    Ok(size)
}

/// Syncs the directory holding `path`, so the rename survives a power cut.
pub(super) async fn sync_dir(path: &Path) -> std::io::Result<()> {
    let Some(dir) = path.parent().map(Path::to_path_buf) else {
        return Ok(());
    };
    tokio::task::spawn_blocking(move || std::fs::File::open(dir)?.sync_all())
        .await
        .map_err(std::io::Error::other)?
}
