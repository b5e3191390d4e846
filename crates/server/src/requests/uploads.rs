//! Attachments: a one-time grant to upload one encrypted blob, and its renewal by a device of
//! the uploading account (see `crate::blobs`).

use hush_protocol::relay::{ErrorCode, ServerFrame};

use super::reply::{internal, Refusal, Reply};
use super::storage::{require_free_disk, BLOBS_AT_QUOTA};
use super::store_calls::counted;
use crate::blobs::Refused;
use crate::hub::DeviceKey;
use crate::store::StoreError;
use crate::{now_ms, AppState};

/// A grant for one upload of at most `size` bytes, within the device's grants and quota.
pub(super) async fn request_upload(
    state: &AppState,
    device: &DeviceKey,
    request: u32,
    size: u32,
) -> Result<Reply, Refusal> {
    require_free_disk(state)?;
    let read = (state.store).blob_bytes(&device.account, device.device, now_ms());
    let stored = counted(state, read).await.map_err(internal)?;
    let refused = match state.blobs.grant(device, size, stored) {
        Ok(id) => {
            return Ok(Reply::Frames(vec![ServerFrame::UploadGranted {
                request,
                id,
            }]))
        }
        Err(refused) => refused,
    };
    state.metrics.blob_refusals.inc();
    Err(match refused {
        Refused::TooLarge => (
            ErrorCode::Invalid,
            format!(
                "attachments are limited to {} MiB",
                state.blobs.limits().max_bytes / (1024 * 1024)
            ),
        ),
        Refused::TooManyGrants => (
            ErrorCode::RateLimited,
            "too many uploads pending; try again soon".to_owned(),
        ),
        Refused::Quota => (ErrorCode::QuotaExceeded, BLOBS_AT_QUOTA.to_owned()),
    })
}

/// Keeps a blob this account uploaded for another lifetime from now; one another of its
/// devices uploaded now counts against this device's quota.
pub(super) async fn renew_blob(
    state: &AppState,
    device: &DeviceKey,
    request: u32,
    blob: [u8; 32],
) -> Result<Reply, Refusal> {
    let renewer = (device.account.as_str(), device.device);
    let now = now_ms();
    let expires = state.blobs.expiry_from(now);
    // Unused grants count against the quota as stored blobs do.
    let quota = (state.blobs.limits().quota).saturating_sub(state.blobs.granted_bytes(device));
    let renewed = counted(
        state,
        (state.store).renew_blob(&blob, renewer, now, expires, quota),
    )
    .await;
    match renewed {
        Ok(true) => {}
        Ok(false) => {
            return Err((
                ErrorCode::NotFound,
                "no such blob of this account (or it expired)".to_owned(),
            ))
        }
        Err(StoreError::Quota(_)) => {
            return Err((ErrorCode::QuotaExceeded, BLOBS_AT_QUOTA.to_owned()))
        }
        Err(e) => return Err(internal(e)),
    }
    state.blobs.touch(&blob);
    Ok(Reply::Frames(vec![ServerFrame::BlobRenewed { request }]))
}
