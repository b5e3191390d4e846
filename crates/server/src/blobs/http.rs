//! `PUT` and `GET /blobs/<id>`, streamed: an upload is checked against its grant before a byte
//! of its body is read and goes to disk chunk by chunk; a download is read from disk the same
//! way. Memory stays constant whatever the size.

use std::path::Path;

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use super::{parse_id, BLOB_LIFETIME};
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
    if declared_length(&headers).is_some_and(|len| len > u64::from(grant.size)) {
        state.metrics.blob_refusals.inc();
        return (StatusCode::PAYLOAD_TOO_LARGE, "larger than granted").into_response();
    }
    let path = state.blobs.path(&id);
    let size = match receive(body, &path, u64::from(grant.size)).await {
        Ok(size) => size,
        Err(Failed::TooLarge) => {
            state.metrics.blob_refusals.inc();
            return (StatusCode::PAYLOAD_TOO_LARGE, "larger than granted").into_response();
        }
        Err(Failed::Io) => return stored_nothing(),
    };
    let record = BlobRecord {
        id,
        account: grant.owner.account,
        device: grant.owner.device,
        size,
        expires_ms: now_ms().saturating_add(BLOB_LIFETIME.as_millis() as u64),
    };
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || store.add_blob(&record)).await {
        Ok(Ok(())) => StatusCode::CREATED.into_response(),
        _ => {
            // Unrecorded, it would count against no quota: it goes.
            let _ = tokio::fs::remove_file(&path).await;
            stored_nothing()
        }
    }
}

fn stored_nothing() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "could not store the blob",
    )
        .into_response()
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// A file removed when dropped unless kept: an upload whose client goes away mid-body drops
/// the handler, and its partial file must not stay behind, counted against no quota.
struct Unkept {
    path: std::path::PathBuf,
    kept: bool,
}

impl Drop for Unkept {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Streams `body` into `path` (through a temporary file, synced, renamed, the directory
/// synced), refusing past `limit` bytes; returns the size. On any failure, or if the request
/// is dropped, nothing is left on disk.
async fn receive(body: Body, path: &Path, limit: u64) -> Result<u64, Failed> {
    let part = path.with_extension("part");
    let mut part_guard = Unkept {
        path: part.clone(),
        kept: false,
    };
    let size = write_part(body, &part, limit).await?;
    tokio::fs::rename(&part, path)
        .await
        .map_err(|_| Failed::Io)?;
    part_guard.kept = true;
    // Renamed: from here the blob itself goes unless its directory entry is durable.
    let mut blob_guard = Unkept {
        path: path.to_path_buf(),
        kept: false,
    };
    sync_dir(path).await.map_err(|_| Failed::Io)?;
    blob_guard.kept = true;
    Ok(size)
}

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
async fn sync_dir(path: &Path) -> std::io::Result<()> {
    let Some(dir) = path.parent().map(Path::to_path_buf) else {
        return Ok(());
    };
    tokio::task::spawn_blocking(move || std::fs::File::open(dir)?.sync_all())
        .await
        .map_err(std::io::Error::other)?
}

/// `GET /blobs/<id>`: the ciphertext, streamed from disk, cacheable forever (an id never
/// changes content).
pub(crate) async fn fetch(State(state): State<AppState>, UrlPath(id): UrlPath<String>) -> Response {
    let Some(id) = parse_id(&id) else {
        return (StatusCode::NOT_FOUND, "no such blob").into_response();
    };
    let Ok(file) = tokio::fs::File::open(state.blobs.path(&id)).await else {
        return (StatusCode::NOT_FOUND, "no such blob").into_response();
    };
    let Ok(metadata) = file.metadata().await else {
        return (StatusCode::NOT_FOUND, "no such blob").into_response();
    };
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".to_owned(),
            ),
            (header::CONTENT_LENGTH, metadata.len().to_string()),
        ],
        body,
    )
        .into_response()
}
