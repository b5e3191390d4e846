//! One recipient account (one device) per thread, so acks are per device as in the relay.

use hush_bench::Failure;
use hush_server::store::{AccountRecord, DeviceRecord, SignedDeviceList, Store};

/// The account thread `thread` sends to and acks for.
pub fn recipient(thread: usize) -> String {
    format!("recipient{thread}")
}

/// Creates the recipients of `threads` threads.
pub fn create(store: &impl Store, threads: usize) -> Result<(), Failure> {
    for thread in 0..threads {
        let name = recipient(thread);
        let device = DeviceRecord {
            device_id: 1,
            identity: [1; 64],
        };
        store.create_account(
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
        )?;
    }
    Ok(())
}
