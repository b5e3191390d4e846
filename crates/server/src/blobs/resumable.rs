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

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};

use super::http::{header_bytes, keep, stored_nothing, too_large, write_body, Failed};
use super::{parse_id, Held, Unwritable};
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
    let held = state.blobs.files().held(&id).await;
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
    let (id, held, offset) = match hold_at(&state, &id, &headers, UPLOAD_OFFSET).await {
        Ok(at) => at,
        Err(refusal) => return refusal,
    };
    let limit = u64::from(held.grant().size);
    let declared = header_bytes(&headers, header::CONTENT_LENGTH);
    if declared.is_some_and(|len| offset.saturating_add(len) > limit) {
        return too_large(&state);
    }
    let Ok(writer) = state.blobs.files().writer(&id, offset).await else {
        return stored_nothing();
    };
    match write_body(body, writer, offset, limit).await {
        Ok(now) => (StatusCode::NO_CONTENT, [(UPLOAD_OFFSET, now.to_string())]).into_response(),
        Err(Failed::TooLarge) => too_large(&state),
        // What arrived is kept: the client asks `HEAD` where to go on from.
        Err(Failed::Io) => stored_nothing(),
    }
}

/// `POST /uploads/<id>/commit`.
pub(crate) async fn commit_upload(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let (id, held, length) = match hold_at(&state, &id, &headers, UPLOAD_LENGTH).await {
        Ok(at) => at,
        Err(refusal) => return refusal,
    };
    let owner = held.grant().owner.clone();
    let response = keep(&state, &id, owner, length).await;
    if response.status() == StatusCode::CREATED {
        held.finish();
    }
    response
}

/// The upload `id` names with its grant held (checked before a byte of a body is read), and
/// the byte count the header `name` gives, which must be what the relay holds of it.
async fn hold_at(
    state: &AppState,
    id: &str,
    headers: &HeaderMap,
    name: HeaderName,
) -> Result<([u8; 32], Held, u64), Response> {
    let id = parse_id(id).ok_or_else(|| refused(state, Unwritable::NoGrant))?;
    let held = state
        .blobs
        .hold_grant(&id)
        .map_err(|why| refused(state, why))?;
    let Some(at) = header_bytes(headers, name.clone()) else {
        let required = format!("{name} is required");
        return Err((StatusCode::BAD_REQUEST, required).into_response());
    };
    let have = state.blobs.files().held(&id).await;
    if at != have {
        return Err(conflict(have));
    }
    Ok((id, held, at))
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
