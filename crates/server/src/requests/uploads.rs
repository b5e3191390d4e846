//! Attachments: a one-time grant to upload one encrypted blob (see `crate::blobs`).

use hush_protocol::relay::{ErrorCode, ServerFrame};

use super::reply::{Refusal, Reply};
use crate::blobs::MAX_BLOB_BYTES;
use crate::AppState;

/// A grant for one upload of at most `size` bytes.
pub(super) fn request_upload(state: &AppState, request: u32, size: u32) -> Result<Reply, Refusal> {
    match state.blobs.grant(size) {
        Some(id) => Ok(Reply::Frames(vec![ServerFrame::UploadGranted {
            request,
            id,
        }])),
        None if size > MAX_BLOB_BYTES => Err((
            ErrorCode::Invalid,
            "attachments are limited to 25 MiB".to_owned(),
        )),
        None => Err((
            ErrorCode::RateLimited,
            "too many uploads pending; try again soon".to_owned(),
        )),
    }
}
