//! One recipient account (one device) per caller, so acks are per device as in the relay.

use hush_bench::Failure;
use hush_server::store::{AccountRecord, DeviceRecord, SignedDeviceList, Store};

/// The account caller `caller` sends to and acks for.
pub fn recipient(caller: usize) -> String {
    format!("recipient{caller}")
}

/// Creates the recipients of `callers` callers.
pub async fn create(store: &impl Store, callers: usize) -> Result<(), Failure> {
    for caller in 0..callers {
        let name = recipient(caller);
        let device = DeviceRecord {
            device_id: 1,
            identity: [1; 64],
        };
        store
            .create_account(
                &AccountRecord {
                    name: name.clone(),
                    account_key: [2; 32],
                    created_ms: 0,
                },
                &SignedDeviceList {
                    version: 1,
                    bytes: name.into_bytes(),
                    devices: vec![device],
                },
            )
            .await?;
    }
    Ok(())
}
