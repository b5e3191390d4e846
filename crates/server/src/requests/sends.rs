//! Sends: one message to every device of one account, or one group message to every device of
//! every member. Envelopes go to the store's group commit; `Sent` answers once they are on disk.

use std::collections::BTreeSet;
use std::time::Instant;

use futures::FutureExt;
use hush_protocol::relay::{ErrorCode, OutgoingEnvelope, SendOutcome, ServerFrame};

use super::reply::{internal, Named, Refusal, Reply};
use super::storage::{over_quota, require_free_disk};
use super::store_calls::{counted, device_list, store_failed};
use crate::hub::DeviceKey;
use crate::limits::SharedDeviceLimits;
use crate::store::{NewEnvelope, StoreError};
use crate::{now_ms, AppState};

/// One message to every device of `recipient` (the sender's other devices, for its own
/// account): nothing is stored unless the envelopes match the recipient's device list.
pub(super) async fn send(
    state: &AppState,
    from: &DeviceKey,
    client_id: [u8; 16],
    recipient: String,
    envelopes: Vec<OutgoingEnvelope>,
) -> Result<Reply, Refusal> {
    let sent = move |outcome| Reply::Frames(vec![ServerFrame::Sent { client_id, outcome }]);
    require_listed(state, from).await?;
    require_free_disk(state)?;
    let Some(list) = device_list(state, &recipient).await.map_err(internal)? else {
        return Ok(sent(SendOutcome::UnknownRecipient));
    };
    let given: BTreeSet<u32> = envelopes.iter().map(|e| e.device).collect();
    if given.len() != envelopes.len() {
        return Err((ErrorCode::Invalid, "one envelope per device".to_owned()));
    }
    // A message to the sender's own account goes to its other devices.
    let own = recipient == from.account;
    let listed: BTreeSet<u32> = list
        .devices
        .iter()
        .map(|d| d.device_id)
        .filter(|d| !own || *d != from.device)
        .collect();
    let mut missing: Vec<u32> = listed.difference(&given).copied().collect();
    let extra: Vec<u32> = given.difference(&listed).copied().collect();
    if !missing.is_empty() {
        // A device listed but not set up yet (no signed prekey: a link in progress, or one
        // that never finished) cannot be sent to, and must not block everyone else.
        let reachable = counted(state, state.store.reachable_devices(&recipient))
            .await
            .map_err(internal)?;
        missing.retain(|d| reachable.contains(d));
    }
    if !missing.is_empty() || !extra.is_empty() {
        return Ok(sent(SendOutcome::Mismatch { missing, extra }));
    }
    let received_ms = now_ms();
    let rows: Vec<NewEnvelope> = envelopes
        .into_iter()
        .map(|e| NewEnvelope {
            recipient: recipient.clone(),
            recipient_device: e.device,
            sender: from.account.clone(),
            sender_device: from.device,
            client_id,
            payload: e.payload.into(),
            received_ms,
        })
        .collect();
    Ok(commit_envelopes(state, client_id, rows))
}

/// Stores envelopes (one group commit, within the queue quotas) and answers `Sent` once they
/// are on disk; devices not online are woken by push.
fn commit_envelopes(state: &AppState, client_id: [u8; 16], rows: Vec<NewEnvelope>) -> Reply {
    let count = rows.len() as u64;
    let targets: Vec<DeviceKey> = rows
        .iter()
        .map(|r| DeviceKey {
            account: r.recipient.clone(),
            device: r.recipient_device,
        })
        .collect();
    let started = Instant::now();
    let committed = state
        .store
        .submit_envelopes_within(rows, state.queue_limits);
    let state = state.clone();
    Reply::Later(
        async move {
            match committed.await {
                Ok(_) => {}
                Err(StoreError::Quota(quota)) => {
                    return Named::Send(client_id).refused(over_quota(&state, quota));
                }
                Err(e) => {
                    store_failed(&state, &e);
                    return Named::Send(client_id).refused(internal(e));
                }
            }
            let metrics = &state.metrics;
            metrics
                .send_commit_us_sum
                .add(started.elapsed().as_micros() as u64);
            metrics.send_commit_count.inc();
            metrics.envelopes_in.add(count);
            for key in targets {
                // Online devices got it from the commit itself (see `hub`).
                if !state.hub.is_online(&key) {
                    // Not online: a content-free Web Push, if the device subscribed.
                    crate::push::wake_offline(&state, key);
                }
            }
            Reply::Frames(vec![ServerFrame::Sent {
                client_id,
                outcome: SendOutcome::Stored,
            }])
        }
        .boxed(),
    )
}

/// A group message: the same payload for every listed device of every named member (the
/// sender's own device left out), stored once. Members that are not accounts are skipped: the
/// relay does not know groups, and cannot tell a departed account from a typo. It pays one
/// token per stored row: the frame paid one per member, `limits` takes the rest.
pub(super) async fn group_send(
    state: &AppState,
    from: &DeviceKey,
    limits: &SharedDeviceLimits,
    client_id: [u8; 16],
    members: Vec<String>,
    payload: Vec<u8>,
) -> Result<Reply, Refusal> {
    let distinct: BTreeSet<&String> = members.iter().collect();
    if distinct.len() != members.len() {
        return Err((ErrorCode::Invalid, "each member once".to_owned()));
    }
    require_listed(state, from).await?;
    require_free_disk(state)?;
    let paid = members.len();
    let received_ms = now_ms();
    // One allocation for every row: the store keeps it as one payload.
    let payload: std::sync::Arc<[u8]> = payload.into();
    let mut rows = Vec::new();
    for member in members {
        let Some(list) = device_list(state, &member).await.map_err(internal)? else {
            continue;
        };
        for device in &list.devices {
            if member == from.account && device.device_id == from.device {
                continue;
            }
            rows.push(NewEnvelope {
                recipient: member.clone(),
                recipient_device: device.device_id,
                sender: from.account.clone(),
                sender_device: from.device,
                client_id,
                payload: payload.clone(),
                received_ms,
            });
        }
    }
    if !crate::limits::charge_rows(limits, paid, rows.len()) {
        state.metrics.rate_limited.inc();
        return Err((
            ErrorCode::RateLimited,
            "too many requests; slow down".to_owned(),
        ));
    }
    Ok(commit_envelopes(state, client_id, rows))
}

/// Refuses a device unlinked while connected: it sends nothing more (its connection is closing).
async fn require_listed(state: &AppState, from: &DeviceKey) -> Result<(), Refusal> {
    let own = device_list(state, &from.account).await.map_err(internal)?;
    if !own.is_some_and(|l| l.devices.iter().any(|d| d.device_id == from.device)) {
        return Err((
            ErrorCode::NotFound,
            "this device is no longer listed".to_owned(),
        ));
    }
    Ok(())
}
