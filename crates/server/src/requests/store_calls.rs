//! Store calls with their failures counted, and the device lists the relay keeps in memory.

use std::future::Future;
use std::sync::Arc;

use crate::store::{SignedDeviceList, StoreError};
use crate::AppState;

/// Awaits a store call (or several, in one `async` block); a backend failure is counted and
/// logged.
pub(super) async fn counted<T>(
    state: &AppState,
    call: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    let result = call.await;
    if let Err(e) = &result {
        store_failed(state, e);
    }
    result
}

/// Counts and logs a backend failure (refusals like `Conflict` are answers, not failures).
pub(super) fn store_failed(state: &AppState, error: &StoreError) {
    if matches!(error, StoreError::Backend(_)) {
        state.metrics.store_errors.inc();
        tracing::warn!(%error, "store operation failed");
    }
}

/// The account's current device list, from memory when it can be.
pub(super) async fn device_list(
    state: &AppState,
    account: &str,
) -> Result<Option<Arc<SignedDeviceList>>, StoreError> {
    let epoch = match state.device_lists.get(account) {
        Ok(list) => return Ok(Some(list)),
        Err(epoch) => epoch,
    };
    let Some(list) = counted(state, state.store.device_list(account)).await? else {
        return Ok(None);
    };
    let list = Arc::new(list);
    state.device_lists.read(account, list.clone(), epoch);
    Ok(Some(list))
}
