//! `PUT /blobs/<id>`, streamed: an upload is checked against its grant before a byte of its
//! body is read and goes to storage chunk by chunk, in constant memory whatever the size.
//! Making a complete upload a blob ([`keep`]) is shared with uploads in pieces.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use super::files::{BlobFiles, Writer};
use super::parse_id;
use crate::hub::DeviceKey;
use crate::store::BlobRecord;
use crate::{now_ms, AppState};

/// Why a streamed body did not all go to storage.
pub(super) enum Failed {
    /// More bytes came than were granted (what came before is written).
    TooLarge,
    /// The body broke off, or the storage refused (what arrived is written).
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
    // The grant first: without one, the body is never read. It stays in the table, counted
    // against the device's grants and quota, while the body arrives; then it is used up,
    // whatever the outcome (a whole upload is tried once).
    let Ok(held) = state.blobs.hold_grant(&id) else {
        state.metrics.blob_refusals.inc();
        return (
            StatusCode::FORBIDDEN,
            "no valid grant for this id (ask for one over the WebSocket)",
        )
            .into_response();
    };
    let grant = held.grant().clone();
    let response = put_body(&state, id, grant, &headers, body).await;
    held.finish();
    response
}

/// The body of a whole upload under `grant`, kept as blob `id` if it fits.
async fn put_body(
    state: &AppState,
    id: [u8; 32],
    grant: super::Grant,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    let limit = u64::from(grant.size);
    if header_bytes(headers, header::CONTENT_LENGTH).is_some_and(|len| len > limit) {
        return too_large(state);
    }
    let files = state.blobs.files().clone();
    // Tried once: if the request ends before its blob is kept (refused, cut off, dropped),
    // what it wrote goes.
    let _upload = Discarded(files.clone(), id);
    let Ok(writer) = files.writer(&id, 0).await else {
        return stored_nothing();
    };
    let size = match write_body(body, writer, 0, limit).await {
        Ok(size) => size,
        Err(Failed::TooLarge) => return too_large(state),
        Err(Failed::Io) => return stored_nothing(),
    };
    keep(state, &id, grant.owner, size).await
}

/// Discards an upload's bytes when dropped (a committed upload has none left to discard).
struct Discarded(Arc<dyn BlobFiles>, [u8; 32]);

impl Drop for Discarded {
    fn drop(&mut self) {
        self.0.discard(&self.1);
    }
}

/// Appends `body` to `writer`, which holds `offset` bytes, refusing past `limit` in all;
/// returns the size in all. What was written is flushed, whatever the outcome.
pub(super) async fn write_body(
    body: Body,
    mut writer: Writer,
    offset: u64,
    limit: u64,
) -> Result<u64, Failed> {
    let mut chunks = body.into_data_stream();
    let mut size = offset;
    let mut outcome = Ok(());
    while let Some(chunk) = chunks.next().await {
        let Ok(chunk) = chunk else {
            outcome = Err(Failed::Io);
            break;
        };
        size = size.saturating_add(chunk.len() as u64);
        if size > limit {
            outcome = Err(Failed::TooLarge);
            break;
        }
        if writer.write_all(&chunk).await.is_err() {
            outcome = Err(Failed::Io);
            break;
        }
    }
    // Made durable by the commit; flushed here so the next `HEAD` counts these bytes.
    let flushed = writer.flush().await.map_err(|_| Failed::Io);
    outcome.and(flushed).map(|()| size)
}

/// Makes `id`'s complete upload the blob of `owner`: durable, then recorded in the store. On
/// any failure nothing of it is left.
pub(super) async fn keep(state: &AppState, id: &[u8; 32], owner: DeviceKey, size: u64) -> Response {
    let files = state.blobs.files().clone();
    if files.commit(id).await.is_err() {
        return stored_nothing();
    }
    let record = BlobRecord {
        id: *id,
        account: owner.account,
        device: owner.device,
        size,
        expires_ms: state.blobs.expiry_from(now_ms()),
    };
    match state.store.add_blob(&record).await {
        Ok(()) => StatusCode::CREATED.into_response(),
        _ => {
            // Unrecorded, it would count against no quota: it goes.
            files.remove(id);
            stored_nothing()
        }
    }
}

/// A body past its grant: refused, and counted.
pub(super) fn too_large(state: &AppState) -> Response {
    state.metrics.blob_refusals.inc();
    (StatusCode::PAYLOAD_TOO_LARGE, "larger than granted").into_response()
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
