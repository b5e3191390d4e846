//! Rate limits, kept across connections so reconnecting resets nothing: per device (frames,
//! bundle fetches, prekey uploads, fetches of one account) and per client address (IPv6: one
//! /64; registrations, fetches of one account whichever devices ask). A request over a limit
//! is answered with a `RateLimited` error and not carried out; the connection stays up.
//! Entries are forgotten once idle long enough that they equal new ones.
//!
//! - `bucket`: token buckets.
//! - `window`: fetches of each account within the last minute.
//! - `device`, `address`: the limits of one device, of one address.

mod address;
mod bucket;
mod device;
mod window;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hush_protocol::relay::ClientFrame;

use crate::hub::DeviceKey;
use address::AddressLimits;
pub(crate) use device::DeviceLimits;

/// How often idle entries are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// One device's limits, shared by its connections (one at a time).
pub(crate) type SharedDeviceLimits = Arc<Mutex<DeviceLimits>>;

/// Every device's and address's limits; cheap to share (`Arc`).
pub(crate) struct Limits {
    frames_per_second: f64,
    registrations_per_minute: u32,
    fetches_per_account_per_address: u32,
    devices: Mutex<Swept<DeviceKey, SharedDeviceLimits>>,
    addresses: Mutex<Swept<IpAddr, AddressLimits>>,
}

/// A map with the time of its last sweep.
struct Swept<K, V> {
    entries: HashMap<K, V>,
    last_sweep: Instant,
}

impl<K, V> Default for Swept<K, V> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
            last_sweep: Instant::now(),
        }
    }
}

impl Limits {
    pub(crate) fn new(
        frames_per_second: f64,
        registrations_per_minute: u32,
        fetches_per_account_per_address: u32,
    ) -> Self {
        Self {
            frames_per_second,
            registrations_per_minute,
            fetches_per_account_per_address,
            devices: Mutex::new(Swept::default()),
            addresses: Mutex::new(Swept::default()),
        }
    }

    /// The limits of `device`, as its last connection left them.
    pub(crate) fn device(&self, device: &DeviceKey) -> SharedDeviceLimits {
        let now = Instant::now();
        let mut devices = lock(&self.devices);
        if now.saturating_duration_since(devices.last_sweep) >= SWEEP_EVERY {
            devices.last_sweep = now;
            // A device whose connection holds its limits is kept, idle or not.
            devices
                .entries
                .retain(|_, limits| Arc::strong_count(limits) > 1 || !lock(limits).idle(now));
        }
        let fps = self.frames_per_second;
        devices
            .entries
            .entry(device.clone())
            .or_insert_with(|| Arc::new(Mutex::new(DeviceLimits::new(fps, now))))
            .clone()
    }

    /// Charges `frame` from `own`'s device (`limits`) on `client`: false, refuse it. Another
    /// account's bundles count against the address too.
    pub(crate) fn allow(
        &self,
        limits: &SharedDeviceLimits,
        client: IpAddr,
        own: &str,
        frame: &ClientFrame,
    ) -> bool {
        let now = Instant::now();
        let other = match frame {
            ClientFrame::FetchBundles { account, .. } if account != own => Some(account.as_str()),
            _ => None,
        };
        if let Some(account) = other {
            if !self.address(client, now, |a| a.may_fetch(account, now)) {
                return false;
            }
        }
        if !lock(limits).allow(own, frame, now) {
            return false;
        }
        if let Some(account) = other {
            self.address(client, now, |a| a.fetched(account, now));
        }
        true
    }

    /// Takes one of `client`'s registrations: false when it has none left this minute.
    pub(crate) fn register(&self, client: IpAddr) -> bool {
        let now = Instant::now();
        self.address(client, now, |a| a.register(now))
    }

    /// Gives back `client`'s registration that did not happen.
    pub(crate) fn registration_failed(&self, client: IpAddr) {
        self.address(client, Instant::now(), AddressLimits::registration_failed);
    }

    /// Runs `f` on `client`'s limits (made if new).
    fn address<T>(
        &self,
        client: IpAddr,
        now: Instant,
        f: impl FnOnce(&mut AddressLimits) -> T,
    ) -> T {
        let mut addresses = lock(&self.addresses);
        if now.saturating_duration_since(addresses.last_sweep) >= SWEEP_EVERY {
            addresses.last_sweep = now;
            addresses.entries.retain(|_, limits| !limits.idle(now));
        }
        let (registrations, fetches) = (
            self.registrations_per_minute,
            self.fetches_per_account_per_address,
        );
        let limits = addresses
            .entries
            .entry(client)
            .or_insert_with(|| AddressLimits::new(registrations, fetches, now));
        f(limits)
    }
}

/// Charges a group message for the rows it stores beyond the one per member its frame paid
/// (`paid`): false, refuse it (see [`DeviceLimits::charge_rows`]).
pub(crate) fn charge_rows(limits: &SharedDeviceLimits, paid: usize, rows: usize) -> bool {
    lock(limits).charge_rows(paid, rows, Instant::now())
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Each update is a few arithmetic operations and map edits: a panic cannot leave one half
    // done in a way that matters.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> DeviceKey {
        DeviceKey {
            account: "alice".to_owned(),
            device: 1,
        }
    }

    #[test]
    fn a_device_gets_back_the_limits_its_last_connection_left() {
        let limits = Limits::new(500.0, 20, 10);
        let first = limits.device(&alice());
        let again = limits.device(&alice());
        assert!(Arc::ptr_eq(&first, &again));
    }

    #[test]
    fn registrations_are_counted_per_address_and_given_back_on_failure() {
        let limits = Limits::new(500.0, 2, 10);
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        assert!(limits.register(a) && limits.register(a));
        assert!(!limits.register(a));
        assert!(limits.register(b));
        limits.registration_failed(a);
        assert!(limits.register(a));
    }
}
