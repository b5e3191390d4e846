//! What the relay does for each request of an authenticated device (and for authentication
//! itself). Store calls are awaited in the request, except envelope and ack writes: those are
//! submitted to the group-commit queue and answered later, so a connection never waits for an
//! fsync before reading its next frame. Nothing here holds a lock across an await.
//!
//! - `auth`: registering and signing in.
//! - `devices`: the account's device list and its devices' activity.
//! - `prekeys`: uploading prekeys and fetching bundles.
//! - `sends`, `queue`: storing envelopes; reading and acknowledging a device's queue.
//! - `presence`, `push`, `uploads`, `linking`: typing, push subscriptions, attachment grants
//!   and linking a new browser.
//! - `group_order`: ordering group changes.
//! - `visibility`: who may see the account's presence.
//! - `storage`: the refusals that bound what the relay stores (quotas, free disk).
//! - `reply`, `store_calls`: what every request shares.

mod auth;
mod devices;
mod group_order;
mod linking;
mod prekeys;
mod presence;
mod push;
mod queue;
mod reply;
mod sends;
mod storage;
mod store_calls;
mod uploads;
mod visibility;

use hush_protocol::relay::{ClientFrame, ErrorCode};
use hush_protocol::Username;

use crate::hub::DeviceKey;
use crate::limits::SharedDeviceLimits;
use crate::store::PushSubscription;
use crate::AppState;

pub(crate) use auth::{authenticate, unlinked};
pub(crate) use devices::{own_devices, touch};
pub(crate) use prekeys::one_time_prekey_count;
pub(crate) use queue::{expired_frame, expiry_notices, pending};
use reply::answer;
use reply::Named;
pub(crate) use reply::{refuse, Refusal, Reply};
pub(crate) use visibility::learn_visibility;

/// A request of an authenticated device (`limits`: its connection's, already charged for the
/// frame; a group message pays there for the rows it stores).
pub(crate) async fn handle(
    state: &AppState,
    device: &DeviceKey,
    limits: &SharedDeviceLimits,
    frame: ClientFrame,
) -> Reply {
    let named = Named::of(&frame);
    answer(named, respond(state, device, limits, frame).await)
}

async fn respond(
    state: &AppState,
    device: &DeviceKey,
    limits: &SharedDeviceLimits,
    frame: ClientFrame,
) -> Result<Reply, Refusal> {
    match frame {
        ClientFrame::Register { .. }
        | ClientFrame::Authenticate { .. }
        | ClientFrame::OpenLink { .. } => {
            Err((ErrorCode::Invalid, "already authenticated".to_owned()))
        }
        ClientFrame::FetchLink { request, address } => {
            linking::fetch_link(state, request, &address)
        }
        ClientFrame::Provision {
            request,
            address,
            sealed,
        } => linking::provision(state, request, &address, sealed),
        ClientFrame::UploadPreKeys {
            signed_prekey,
            one_time,
        } => prekeys::upload_prekeys(state, device, signed_prekey, one_time).await,
        ClientFrame::FetchBundles { request, account } => {
            prekeys::fetch_bundles(state, device, request, account.into_string()).await
        }
        ClientFrame::Send {
            client_id,
            recipient,
            envelopes,
        } => sends::send(state, device, client_id, recipient.into_string(), envelopes).await,
        ClientFrame::GroupSend {
            client_id,
            members,
            payload,
        } => {
            let members = members.into_iter().map(Username::into_string).collect();
            sends::group_send(state, device, limits, client_id, members, payload).await
        }
        ClientFrame::Ack { ids } => Ok(queue::ack(state, device, ids)),
        ClientFrame::AckExpired { ids } => queue::ack_expired(state, device, ids).await,
        ClientFrame::Typing { to, typing } => Ok(presence::typing(state, device, &to, typing)),
        ClientFrame::GroupTyping {
            group,
            members,
            typing,
        } => Ok(presence::group_typing(
            state, device, group, &members, typing,
        )),
        // Presence subscriptions are per connection; the connection loop handles them.
        ClientFrame::Subscribe { .. } => Ok(Reply::None),
        ClientFrame::PushSubscribe {
            endpoint,
            p256dh,
            auth,
        } => {
            let subscription = PushSubscription {
                endpoint,
                p256dh,
                auth,
            };
            push::push_subscribe(state, device, Some(subscription)).await
        }
        ClientFrame::PushUnsubscribe => push::push_subscribe(state, device, None).await,
        ClientFrame::PublishDeviceList {
            request,
            device_list,
        } => devices::publish_device_list(state, device, request, device_list).await,
        ClientFrame::RequestUpload { request, size } => {
            uploads::request_upload(state, device, request, size).await
        }
        ClientFrame::RenewBlob { request, id } => {
            uploads::renew_blob(state, device, request, id).await
        }
        ClientFrame::GroupCommit { group, epoch, hash } => {
            group_order::commit(state, group, epoch, hash).await
        }
        ClientFrame::GroupOrder { group, after } => group_order::order(state, group, after).await,
        ClientFrame::SetPresenceVisibility {
            request,
            visibility,
        } => visibility::set_visibility(state, device, request, visibility).await,
    }
}
