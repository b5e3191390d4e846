//! Uploads in pieces, which survive a lost connection, a reload and a relay restart (the
//! grant is kept on disk beside the partial file):
//! - `HEAD /uploads/<id>`: how many bytes the relay holds (`Upload-Offset`) of how many the
//!   grant allows (`Upload-Length`).
//! - `PATCH /uploads/<id>` with `Upload-Offset: N`: the body is appended at N, which must be
//!   what the relay holds (409 with the right `Upload-Offset` otherwise); answers the new
//!   `Upload-Offset`. A body cut off keeps what arrived.
//! - `POST /uploads/<id>/commit` with `Upload-Length: N`, the final size: the N bytes held
//!   become the blob (synced, renamed, recorded), and the grant is used up.
//!
//! The grant is checked before a byte of a body is read, one request at a time writes an
//! upload, and nothing is ever held in memory but the piece in flight.

use std::path::Path;

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use super::http::{header_bytes, keep, stored_nothing};
use super::{parse_id, Unwritable};
use crate::AppState;

const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");

/// `HEAD /uploads/<id>`.
pub(crate) async fn upload_offset(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let Some(grant) = parse_id(&id).and_then(|id| state.blobs.grant_of(&id).map(|g| (id, g)))
    else {
        return refused(&state, Unwritable::NoGrant);
    };
    let (id, grant) = grant;
    let held = part_len(&state.blobs.path(&id).with_extension("part")).await;
    (
        StatusCode::NO_CONTENT,
        [
            (UPLOAD_OFFSET, held.to_string()),
            (UPLOAD_LENGTH, grant.size.to_string()),
        ],
    )
        .into_response()
}

/// `PATCH /uploads/<id>`.
pub(crate) async fn continue_upload(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return refused(&state, Unwritable::NoGrant);
    };
    // The grant first: without one, the body is never read.
    let held = match state.blobs.hold_grant(&id) {
        Ok(held) => held,
        Err(why) => return refused(&state, why),
    };
    let Some(offset) = header_bytes(&headers, UPLOAD_OFFSET) else {
        return (StatusCode::BAD_REQUEST, "Upload-Offset is required").into_response();
    };
    let part = held.part_path();
    let have = part_len(&part).await;
    if offset != have {
        return conflict(have);
    }
    let limit = u64::from(held.grant().size);
    let declared = header_bytes(&headers, header::CONTENT_LENGTH);
    if declared.is_some_and(|len| offset.saturating_add(len) > limit) {
        state.metrics.blob_refusals.inc();
        return (StatusCode::PAYLOAD_TOO_LARGE, "larger than granted").into_response();
    }
    match append(body, &part, offset, limit).await {
        Appended::Done(now) => {
            (StatusCode::NO_CONTENT, [(UPLOAD_OFFSET, now.to_string())]).into_response()
        }
        Appended::TooLarge => {
            state.metrics.blob_refusals.inc();
            (StatusCode::PAYLOAD_TOO_LARGE, "larger than granted").into_response()
        }
        // The client asks `HEAD` where to go on from.
        Appended::Broken => stored_nothing(),
    }
}

/// `POST /uploads/<id>/commit`.
pub(crate) async fn commit_upload(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return refused(&state, Unwritable::NoGrant);
    };
    let held = match state.blobs.hold_grant(&id) {
        Ok(held) => held,
        Err(why) => return refused(&state, why),
    };
    let Some(length) = header_bytes(&headers, UPLOAD_LENGTH) else {
        return (StatusCode::BAD_REQUEST, "Upload-Length is required").into_response();
    };
    let part = held.part_path();
    let have = part_len(&part).await;
    if length != have {
        return conflict(have);
    }
    if sync_file(&part).await.is_err() {
        return stored_nothing();
    }
    let owner = held.grant().owner.clone();
    let response = keep(&state, &id, &part, owner, length).await;
    if response.status() == StatusCode::CREATED {
        held.finish();
    }
    response
}

/// How a piece's body went.
enum Appended {
    /// All of it is held: the new offset.
    Done(u64),
    /// It would pass the grant (what came before the excess is held).
    TooLarge,
    /// The body broke off or the disk refused (what arrived is held).
    Broken,
}

async fn append(body: Body, part: &Path, offset: u64, limit: u64) -> Appended {
    let file = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(part)
        .await;
    let Ok(mut file) = file else {
        return Appended::Broken;
    };
    let mut chunks = body.into_data_stream();
    let mut size = offset;
    let mut outcome = None;
    while let Some(chunk) = chunks.next().await {
        let Ok(chunk) = chunk else {
            outcome = Some(Appended::Broken);
            break;
        };
        size = size.saturating_add(chunk.len() as u64);
        if size > limit {
            outcome = Some(Appended::TooLarge);
            break;
        }
        if file.write_all(&chunk).await.is_err() {
            outcome = Some(Appended::Broken);
            break;
        }
    }
    // Synced at the commit; flushed here so the next piece's `HEAD` counts these bytes.
    if file.flush().await.is_err() {
        return Appended::Broken;
    }
    outcome.unwrap_or(Appended::Done(size))
}

/// Bytes of the partial upload on disk (0 before the first piece).
async fn part_len(part: &Path) -> u64 {
    tokio::fs::metadata(part).await.map_or(0, |m| m.len())
}

async fn sync_file(part: &Path) -> std::io::Result<()> {
    tokio::fs::File::open(part).await?.sync_all().await
}

fn conflict(have: u64) -> Response {
    (
        StatusCode::CONFLICT,
        [(UPLOAD_OFFSET, have.to_string())],
        "the relay holds another offset of this upload",
    )
        .into_response()
}

fn refused(state: &AppState, why: Unwritable) -> Response {
    state.metrics.blob_refusals.inc();
    match why {
        Unwritable::NoGrant => (
            StatusCode::FORBIDDEN,
            "no valid grant for this id (ask for one over the WebSocket)",
        )
            .into_response(),
        Unwritable::Busy => (
            StatusCode::CONFLICT,
            "another request is writing this upload; try again",
        )
            .into_response(),
    }
}
