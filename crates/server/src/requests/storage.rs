//! Refusals that keep what the relay stores bounded (issue 19, findings 1 and 2): a disk under
//! its floor, a full device queue, a sender at its quota. Each is `QuotaExceeded` with words a
//! client can show, and counted.

use hush_protocol::relay::ErrorCode;

use super::reply::Refusal;
use crate::store::Quota;
use crate::AppState;

/// Why a device's attachments may take no more room, for a grant or a renewal alike.
pub(super) const BLOBS_AT_QUOTA: &str =
    "storage quota reached: older attachments must expire first";

/// Refuses new sends and uploads while free disk is under the floor.
pub(super) fn require_free_disk(state: &AppState) -> Result<(), Refusal> {
    if !state.disk.low() {
        return Ok(());
    }
    state.metrics.low_disk_refusals.inc();
    Err((
        ErrorCode::QuotaExceeded,
        "storage quota reached: the relay is low on storage; try again later".to_owned(),
    ))
}

/// A send the store refused for `quota` (nothing of it was stored).
pub(super) fn over_quota(state: &AppState, quota: Quota) -> Refusal {
    state.metrics.queue_quota_refusals.inc();
    let message = match quota {
        Quota::Device => {
            "storage quota reached: a recipient has too much waiting; try again once they are online"
        }
        Quota::Sender => {
            "storage quota reached: too many of your messages are waiting on the relay; try again once some are delivered"
        }
        Quota::Blobs => BLOBS_AT_QUOTA,
    };
    (ErrorCode::QuotaExceeded, message.to_owned())
}
