//! The account's device list: publishing a newer one, and telling its devices about it.

use hush_protocol::devices::DeviceList;
use hush_protocol::relay::{ErrorCode, ServerFrame};
use hush_protocol::IdentityKey;

use super::reply::{internal, Refusal, Reply};
use super::store_calls::{counted, device_list};
use crate::hub::DeviceKey;
use crate::store::{Closed, DeviceRecord, ExpiryNotice, SignedDeviceList, StoreError};
use crate::{now_ms, AppState};

/// The account's signed list, for one of its devices, with when each was last connected.
pub(crate) async fn own_devices(state: &AppState, account: &str) -> Option<ServerFrame> {
    let list = device_list(state, account).await.ok()??;
    Some(own_devices_frame(state, account, list.bytes.clone()).await)
}

/// `OwnDevices` with `bytes` and the account's devices' activity (now for a connected one).
async fn own_devices_frame(state: &AppState, account: &str, bytes: Vec<u8>) -> ServerFrame {
    let now = now_ms();
    let last_active = counted(state, state.store.last_active(account))
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(device, ms)| {
            let key = DeviceKey {
                account: account.to_owned(),
                device,
            };
            (device, if state.hub.is_online(&key) { now } else { ms })
        })
        .collect();
    ServerFrame::OwnDevices {
        device_list: bytes,
        last_active,
    }
}

/// Records that `device` is connected now (at authentication and when it leaves).
pub(crate) async fn touch(state: &AppState, device: &DeviceKey) {
    let touched = (state.store).set_last_active(&device.account, device.device, now_ms());
    let _ = counted(state, touched).await;
}

/// The list as the store keeps it: its bytes, version and devices.
pub(super) fn stored_list(list: &DeviceList, bytes: Vec<u8>) -> SignedDeviceList {
    SignedDeviceList {
        version: list.version,
        bytes,
        devices: list
            .devices
            .iter()
            .map(|d| DeviceRecord {
                device_id: d.device_id,
                identity: d.identity.to_bytes(),
            })
            .collect(),
    }
}

/// A newer device list for the device's own account, verified with the stored account key: the
/// relay stores what the account signed and cannot add a device itself. A list naming no
/// device deletes the account (`docs/protocol.md`, "Deleting an account").
pub(super) async fn publish_device_list(
    state: &AppState,
    device: &DeviceKey,
    request: u32,
    bytes: Vec<u8>,
) -> Result<Reply, Refusal> {
    let list = DeviceList::decode(&bytes).map_err(|e| (ErrorCode::Invalid, e.to_string()))?;
    if list.account != device.account {
        return Err((ErrorCode::Invalid, "a list for another account".to_owned()));
    }
    let account = counted(state, state.store.account(&device.account))
        .await
        .map_err(internal)?
        .ok_or((ErrorCode::NotFound, "no such account".to_owned()))?;
    list.verify(&account.account_key)
        .map_err(|e| (ErrorCode::Invalid, e.to_string()))?;
    let version = list.version;
    let before = device_list(state, &device.account)
        .await
        .map_err(internal)?;
    let signed = stored_list(&list, bytes.clone());
    let name = &device.account;
    let stored = counted(state, async {
        match list.is_closed() {
            true => state.store.close_account(name, &signed).await,
            false => {
                (state.store.replace_device_list(name, &signed).await).map(|()| Closed::default())
            }
        }
    })
    .await;
    let committed = signed;
    match stored {
        Ok(Closed { blobs, notices }) => {
            tell_senders(state, notices);
            if !blobs.is_empty() {
                // The account was deleted: its blobs' bytes go after their records.
                let files = state.blobs.files().clone();
                let removed = tokio::task::spawn_blocking(move || {
                    for id in &blobs {
                        files.remove(id);
                    }
                });
                // The records are gone: a file left over is swept once its lifetime is over.
                let _ = removed.await;
            }
            state.device_lists.written(&device.account, committed);
            // Every device of the account hears of it; one no longer listed is told (it checks
            // the signature itself) and disconnected.
            let frame = own_devices_frame(state, &device.account, bytes).await;
            for old in before.iter().flat_map(|l| l.devices.iter()) {
                if !list.devices.iter().any(|d| d.device_id == old.device_id) {
                    let key = DeviceKey {
                        account: device.account.clone(),
                        device: old.device_id,
                    };
                    state.hub.unlinked(&key, frame.clone());
                }
            }
            state.hub.tell_account(&device.account, &frame);
            Ok(Reply::Frames(vec![ServerFrame::DeviceListPublished {
                request,
                version,
            }]))
        }
        Err(StoreError::Stale) => Err((
            ErrorCode::Invalid,
            "an equal or newer device list is already published".to_owned(),
        )),
        Err(StoreError::NotFound(_)) => {
            Err((ErrorCode::NotFound, "this account was deleted".to_owned()))
        }
        Err(e) => Err(internal(e)),
    }
}

/// Each online sender hears at once that an envelope of theirs was given up (the others on
/// connecting: the notices are stored).
fn tell_senders(state: &AppState, notices: Vec<ExpiryNotice>) {
    for notice in notices {
        let sender = DeviceKey {
            account: notice.account.clone(),
            device: notice.device,
        };
        if let Some(frame) = super::expired_frame(notice) {
            state.hub.tell_device(&sender, frame);
        }
    }
}

/// The identity key this device has in its account's current list.
pub(super) async fn device_identity(
    state: &AppState,
    device: &DeviceKey,
) -> Result<IdentityKey, Refusal> {
    let list = device_list(state, &device.account)
        .await
        .map_err(internal)?;
    list.and_then(|l| {
        l.devices
            .iter()
            .find(|d| d.device_id == device.device)
            .cloned()
    })
    .and_then(|d| IdentityKey::from_bytes(&d.identity).ok())
    .ok_or((
        ErrorCode::NotFound,
        "this device is no longer listed".to_owned(),
    ))
}
