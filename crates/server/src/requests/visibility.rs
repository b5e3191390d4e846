//! Who may see an account's presence: stored for the account (so every device and every relay
//! restart agree), then enforced by the hub.

use hush_protocol::relay::{PresenceVisibility, ServerFrame};

use super::reply::{internal, Refusal, Reply};
use super::store_calls::counted;
use crate::hub::DeviceKey;
use crate::AppState;

/// Sets the account's setting: stored, enforced, told to its other connected devices, and
/// answered.
pub(super) async fn set_visibility(
    state: &AppState,
    device: &DeviceKey,
    request: u32,
    visibility: PresenceVisibility,
) -> Result<Reply, Refusal> {
    // Store and hub change together, so two devices changing it at once leave them agreeing.
    let _writing = state.hub.visibility_writes.lock().await;
    let stored = state
        .store
        .set_presence_visibility(&device.account, visibility);
    counted(state, stored).await.map_err(internal)?;
    state.hub.set_visibility(&device.account, visibility);
    let others = ServerFrame::PresenceVisibility {
        request: 0,
        visibility,
    };
    state
        .hub
        .tell_others(&device.account, Some(device.device), &others);
    Ok(Reply::Frames(vec![ServerFrame::PresenceVisibility {
        request,
        visibility,
    }]))
}

/// The account's setting as the hub enforces it, learned from the store when a device
/// connects. A store failure hides presence (until the account sets it again or the relay
/// restarts): a failure must not show what the user chose to hide.
pub(crate) async fn learn_visibility(state: &AppState, account: &str) -> PresenceVisibility {
    let stored = counted(state, state.store.presence_visibility(account))
        .await
        .unwrap_or(PresenceVisibility::Nobody);
    state.hub.learn_visibility(account, stored)
}
