//! Web Push subscriptions: how the relay wakes a device while it is offline.

use hush_protocol::relay::{ErrorCode, ServerFrame};

use super::reply::{internal, Refusal, Reply};
use super::store_calls::counted;
use crate::hub::DeviceKey;
use crate::store::{PushSubscription, StoreError};
use crate::AppState;

/// Sets (or with `None` drops) the device's push subscription.
pub(super) async fn push_subscribe(
    state: &AppState,
    device: &DeviceKey,
    subscription: Option<PushSubscription>,
) -> Result<Reply, Refusal> {
    if let Some(sub) = &subscription {
        if !state.push_allow_private && !crate::push::is_public_endpoint(&sub.endpoint) {
            state.metrics.push_endpoints_refused.inc();
            return Err((
                ErrorCode::Invalid,
                "push endpoints must be public https URLs".to_owned(),
            ));
        }
    }
    let (account, id) = (device.account.as_str(), device.device);
    let s = &state.store;
    let result = counted(state, async {
        match &subscription {
            Some(sub) => s.set_push_subscription(account, id, sub).await,
            None => s.delete_push_subscription(account, id).await,
        }
    })
    .await;
    match result {
        Ok(()) => {
            state.push.forget(device);
            Ok(Reply::Frames(vec![ServerFrame::PushSubscribed]))
        }
        Err(StoreError::NotFound(_)) => Err((
            ErrorCode::NotFound,
            "this device is no longer listed".to_owned(),
        )),
        Err(e) => Err(internal(e)),
    }
}
