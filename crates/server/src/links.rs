//! Provisioning addresses for linking a browser to an account (`docs/protocol.md`, "Linked
//! devices"). The browser to be linked, not yet authenticated, opens an address with its
//! announcement; a device of the account fetches the announcement and sends one provisioning
//! message, which goes to the waiting connection. An address lives a few minutes and carries one
//! message. Kept in memory only: a restart just makes the code fail, and the user makes a new
//! one. The relay sees public keys, a device name and ciphertext, never the linking secret.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hush_protocol::linking::ADDRESS_LEN;
use tokio::sync::oneshot;

/// How long an address waits for its provisioning message.
pub(crate) const LINK_LIFETIME: Duration = Duration::from_secs(300);
/// Addresses open at once (across all connections), so they cannot eat memory.
const MAX_OPEN: usize = 10_000;

type Address = [u8; ADDRESS_LEN];

struct Open {
    announcement: Vec<u8>,
    deliver: oneshot::Sender<Vec<u8>>,
    opened: Instant,
}

/// Why an address could not be opened.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum OpenRefused {
    /// Another browser waits there (a fresh code picks another address).
    Taken,
    /// Too many are open.
    Full,
}

/// The open addresses.
#[derive(Default)]
pub(crate) struct Links {
    open: Mutex<HashMap<Address, Open>>,
}

/// The message for a closed address: expired, used, or never opened look the same.
pub(crate) const GONE: &str = "that link code has expired or was already used: make a new one";

impl Links {
    fn locked(&self, now: Instant) -> std::sync::MutexGuard<'_, HashMap<Address, Open>> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        // Expired addresses, and those whose browser went away, close.
        open.retain(|_, o| now.duration_since(o.opened) < LINK_LIFETIME && !o.deliver.is_closed());
        open
    }

    /// Opens `address` with `announcement`; the receiver gets the provisioning message.
    pub(crate) fn open(
        &self,
        address: Address,
        announcement: Vec<u8>,
        now: Instant,
    ) -> Result<oneshot::Receiver<Vec<u8>>, OpenRefused> {
        let mut open = self.locked(now);
        if open.contains_key(&address) {
            return Err(OpenRefused::Taken);
        }
        if open.len() >= MAX_OPEN {
            return Err(OpenRefused::Full);
        }
        let (deliver, receiver) = oneshot::channel();
        open.insert(
            address,
            Open {
                announcement,
                deliver,
                opened: now,
            },
        );
        Ok(receiver)
    }

    /// The announcement waiting at `address`, if it is open.
    pub(crate) fn announcement(&self, address: &Address, now: Instant) -> Option<Vec<u8>> {
        self.locked(now)
            .get(address)
            .map(|o| o.announcement.clone())
    }

    /// Hands `sealed` to the browser waiting at `address` and closes it; false if it is not
    /// open (or its browser just left).
    pub(crate) fn provision(&self, address: &Address, sealed: Vec<u8>, now: Instant) -> bool {
        match self.locked(now).remove(address) {
            Some(open) => open.deliver.send(sealed).is_ok(),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_carries_one_message_within_its_lifetime() {
        let links = Links::default();
        let now = Instant::now();
        let mut waiting = links.open([1; 6], vec![7], now).unwrap();
        assert_eq!(
            links.open([1; 6], vec![8], now).unwrap_err(),
            OpenRefused::Taken
        );
        assert_eq!(links.announcement(&[1; 6], now), Some(vec![7]));
        assert_eq!(links.announcement(&[2; 6], now), None);
        assert!(links.provision(&[1; 6], vec![9], now));
        assert_eq!(waiting.try_recv().unwrap(), vec![9]);
        // Used: closed.
        assert!(!links.provision(&[1; 6], vec![9], now));
        assert_eq!(links.announcement(&[1; 6], now), None);

        let _late = links.open([3; 6], vec![7], now).unwrap();
        let later = now + LINK_LIFETIME;
        assert_eq!(links.announcement(&[3; 6], later), None, "expired");
        assert!(!links.provision(&[3; 6], vec![9], later));
    }

    #[test]
    fn an_address_closes_when_its_browser_leaves() {
        let links = Links::default();
        let now = Instant::now();
        drop(links.open([4; 6], vec![7], now).unwrap());
        assert_eq!(links.announcement(&[4; 6], now), None);
        assert!(links.open([4; 6], vec![7], now).is_ok());
    }
}
