//! Connections that have not authenticated yet ("guests"), counted per client address (IPv6
//! per /64, the forwarded address behind a trusted proxy) and in total. Anyone can open a
//! WebSocket, so one address may only hold so many at once, and all of them together so many;
//! past that the socket is told why (`RateLimited`) and closed. A guest also has a deadline
//! to authenticate or open a link (see `connection::guest`). Authenticated connections are
//! bounded by accounts and devices instead.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// The per-address and total counts of unauthenticated connections; cheap to share (`Arc`).
pub(crate) struct Guests {
    per_client: u32,
    total: u32,
    counts: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    per_client: HashMap<IpAddr, u32>,
    total: u32,
}

/// One admitted guest; dropping it (on authentication or close) frees its place.
pub(crate) struct GuestPass {
    guests: Arc<Guests>,
    client: IpAddr,
}

/// Why a guest was refused: what the client is told.
pub(crate) const TOO_MANY_FROM_ADDRESS: &str =
    "too many connections from your network are waiting to sign in; try again soon";
/// The relay as a whole holds all the waiting connections it may.
pub(crate) const TOO_MANY: &str = "the relay is busy with too many sign-ins; try again soon";

impl Guests {
    /// `per_client` places per client address, `total` in all.
    pub(crate) fn new(per_client: u32, total: u32) -> Self {
        Self {
            per_client,
            total,
            counts: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Counts> {
        // Each update is a few integer operations: a panic cannot leave it half done.
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A place for one more unauthenticated connection from `client` (an address as
    /// [`crate::client_addr::client_key`] makes it), or why there is none.
    pub(crate) fn admit(self: &Arc<Self>, client: IpAddr) -> Result<GuestPass, &'static str> {
        let mut counts = self.lock();
        if counts.total >= self.total {
            return Err(TOO_MANY);
        }
        let count = counts.per_client.entry(client).or_insert(0);
        if *count >= self.per_client {
            return Err(TOO_MANY_FROM_ADDRESS);
        }
        *count += 1;
        counts.total += 1;
        Ok(GuestPass {
            guests: self.clone(),
            client,
        })
    }
}

impl Drop for GuestPass {
    fn drop(&mut self) {
        let mut counts = self.guests.lock();
        counts.total = counts.total.saturating_sub(1);
        if let Some(count) = counts.per_client.get_mut(&self.client) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.per_client.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_per_address_and_freed_on_drop() {
        let guests = Arc::new(Guests::new(2, 100));
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let first = guests.admit(a).ok().unwrap();
        let _second = guests.admit(a).ok().unwrap();
        assert_eq!(guests.admit(a).err(), Some(TOO_MANY_FROM_ADDRESS));
        assert!(guests.admit(b).is_ok());
        drop(first);
        assert!(guests.admit(a).is_ok());
    }

    #[test]
    fn places_are_limited_in_total() {
        let guests = Arc::new(Guests::new(2, 2));
        let ip = |n: u8| IpAddr::from([10, 0, 0, n]);
        let first = guests.admit(ip(1)).ok().unwrap();
        let _second = guests.admit(ip(2)).ok().unwrap();
        assert_eq!(guests.admit(ip(3)).err(), Some(TOO_MANY));
        drop(first);
        assert!(guests.admit(ip(3)).is_ok());
    }
}
