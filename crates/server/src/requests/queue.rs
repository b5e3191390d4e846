//! A device's queue: reading it, acknowledging envelopes, and the expiry notices of sends that
//! were never delivered.

use futures::FutureExt;
use hush_protocol::relay::ServerFrame;

use super::reply::{internal, Refusal, Reply};
use super::store_calls::{counted, store_failed};
use crate::hub::DeviceKey;
use crate::store::{ExpiryNotice, StoreError, StoredEnvelope};
use crate::AppState;

/// The envelopes are committed on the device: they leave the store (one group commit).
pub(super) fn ack(state: &AppState, device: &DeviceKey, ids: Vec<u64>) -> Reply {
    let committed = state.store.submit_ack(&device.account, device.device, ids);
    let state = state.clone();
    Reply::Later(
        async move {
            match committed.await {
                Ok(n) => {
                    state.metrics.acks.add(n as u64);
                    Reply::None
                }
                Err(e) => {
                    store_failed(&state, &e);
                    let (code, message) = internal(e);
                    Reply::Error(0, code, message)
                }
            }
        }
        .boxed(),
    )
}

/// The expiry notices are recorded on the device: they leave the store.
pub(super) async fn ack_expired(
    state: &AppState,
    device: &DeviceKey,
    ids: Vec<u64>,
) -> Result<Reply, Refusal> {
    let acked = (state.store).ack_expiry_notices(&device.account, device.device, &ids);
    counted(state, acked)
        .await
        .map(|_| Reply::None)
        .map_err(internal)
}

/// A device's queue after `after`: at most `limit` envelopes, ending with the one that brings
/// their payloads to `max_bytes`.
pub(crate) async fn pending(
    state: &AppState,
    device: &DeviceKey,
    after: u64,
    (limit, max_bytes): (usize, usize),
) -> Result<Vec<StoredEnvelope>, StoreError> {
    let (account, id) = (&device.account, device.device);
    let read = (state.store).pending_within(account, id, after, limit, max_bytes);
    counted(state, read).await
}

/// The device's expiry notices not yet acknowledged, as frames.
pub(crate) async fn expiry_notices(
    state: &AppState,
    device: &DeviceKey,
) -> Result<Vec<ServerFrame>, StoreError> {
    let (account, id) = (&device.account, device.device);
    let read = (state.store).expiry_notices(account, id, EXPIRY_NOTICES_PER_CONNECTION);
    let notices = counted(state, read).await?;
    Ok(notices.into_iter().filter_map(expired_frame).collect())
}

/// Expiry notices sent when a device connects; acknowledging them makes room for the rest.
const EXPIRY_NOTICES_PER_CONNECTION: usize = 1000;

/// An expiry notice as the device hears it.
pub(crate) fn expired_frame(notice: ExpiryNotice) -> Option<ServerFrame> {
    Some(ServerFrame::Expired {
        id: notice.id,
        client_id: notice.client_id,
        recipient: crate::names::stored(&notice.recipient)?,
        device: notice.recipient_device,
    })
}
