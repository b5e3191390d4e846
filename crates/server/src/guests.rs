//! Connections that have not authenticated yet ("guests"), counted per IP address. Anyone can
//! open a WebSocket, and an unauthenticated one may legitimately idle (a browser on the sign-up
//! screen), so one address may only hold so many at once; past that the upgrade is refused
//! with 429. Authenticated connections are bounded by accounts and devices instead.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// The per-address count of unauthenticated connections; cheap to share (`Arc`).
pub(crate) struct Guests {
    limit: u32,
    counts: Mutex<HashMap<IpAddr, u32>>,
}

/// One admitted guest; dropping it (on authentication or close) frees its place.
pub(crate) struct GuestPass {
    guests: Arc<Guests>,
    ip: IpAddr,
}

impl Guests {
    pub(crate) fn new(limit: u32) -> Self {
        Self {
            limit,
            counts: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<IpAddr, u32>> {
        // Each update is one map operation: a panic cannot leave it half done.
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A place for one more unauthenticated connection from `ip`, if it has one left.
    pub(crate) fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<GuestPass> {
        let mut counts = self.lock();
        let count = counts.entry(ip).or_insert(0);
        if *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(GuestPass {
            guests: self.clone(),
            ip,
        })
    }
}

impl Drop for GuestPass {
    fn drop(&mut self) {
        let mut counts = self.guests.lock();
        if let Some(count) = counts.get_mut(&self.ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_per_address_and_freed_on_drop() {
        let guests = Arc::new(Guests::new(2));
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let first = guests.admit(a).unwrap();
        let _second = guests.admit(a).unwrap();
        assert!(guests.admit(a).is_none());
        assert!(guests.admit(b).is_some());
        drop(first);
        assert!(guests.admit(a).is_some());
    }
}
