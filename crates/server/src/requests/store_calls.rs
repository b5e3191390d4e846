//! Store calls on the blocking pool, and the device lists the relay keeps in memory.

use std::sync::Arc;

use crate::store::{SignedDeviceList, Store, StoreError};
use crate::AppState;

/// Runs `f` on the store in the blocking pool (a backend failure is counted and logged).
pub(super) async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let store = state.store.clone();
    let result = tokio::task::spawn_blocking(move || f(store.as_ref()))
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))
        .and_then(|r| r);
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
    let name = account.to_owned();
    let Some(list) = blocking(state, move |s| s.device_list(&name)).await? else {
        return Ok(None);
    };
    let list = Arc::new(list);
    state.device_lists.read(account, list.clone(), epoch);
    Ok(Some(list))
}
