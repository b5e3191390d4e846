//! Provisioning addresses for linking a browser to an account (`docs/protocol.md`, "Linked
//! devices"). The browser to be linked, not yet authenticated, opens an address with its
//! announcement; a device of the account fetches the announcement and sends one provisioning
//! message, which goes to the waiting connection. An address lives a few minutes and carries one
//! message. Kept in memory only: a restart just makes the code fail, and the user makes a new
//! one. The relay sees public keys, a device name and ciphertext, never the linking secret.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
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
    /// The client address that opened it.
    owner: IpAddr,
    /// Tells this opening from a later one of the same address.
    id: u64,
}

impl Open {
    /// Expired, or its browser went away.
    fn is_dead(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.opened) >= LINK_LIFETIME || self.deliver.is_closed()
    }
}

/// Why an address could not be opened.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum OpenRefused {
    /// Another browser waits there (a fresh code picks another address).
    Taken,
    /// The client's address holds as many as it may.
    TooManyFromAddress,
    /// Too many are open.
    Full,
}

/// The open addresses, and how many each client address holds. Every operation touches one
/// entry: an address closes when its waiting connection drops its [`LinkHold`] (on expiry, on
/// provisioning or when the browser leaves), so nothing is ever scanned.
pub(crate) struct Links {
    per_client: usize,
    table: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    open: HashMap<Address, Open>,
    per_client: HashMap<IpAddr, usize>,
    next_id: u64,
}

impl Table {
    fn remove(&mut self, address: &Address) -> Option<Open> {
        let open = self.open.remove(address)?;
        if let Some(count) = self.per_client.get_mut(&open.owner) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.per_client.remove(&open.owner);
            }
        }
        Some(open)
    }

    /// The live opening at `address`; a dead one is removed.
    fn live(&mut self, address: &Address, now: Instant) -> Option<&Open> {
        if self.open.get(address).is_some_and(|o| o.is_dead(now)) {
            self.remove(address);
        }
        self.open.get(address)
    }
}

/// Held by the connection waiting at an address: dropping it closes the address.
pub(crate) struct LinkHold {
    links: Arc<Links>,
    address: Address,
    id: u64,
}

impl Drop for LinkHold {
    fn drop(&mut self) {
        let mut table = self.links.lock();
        if table
            .open
            .get(&self.address)
            .is_some_and(|o| o.id == self.id)
        {
            table.remove(&self.address);
        }
    }
}

/// The message for a closed address: expired, used, or never opened look the same.
pub(crate) const GONE: &str = "that link code has expired or was already used: make a new one";

impl Links {
    /// At most `per_client` addresses open per client address.
    pub(crate) fn new(per_client: usize) -> Self {
        Self {
            per_client,
            table: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        // Each update leaves the table whole between statements that can panic.
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens `address` with `announcement` for a browser at client address `owner`; the
    /// receiver gets the provisioning message, and the address stays open while the hold is.
    pub(crate) fn open(
        self: &Arc<Self>,
        address: Address,
        announcement: Vec<u8>,
        owner: IpAddr,
        now: Instant,
    ) -> Result<(oneshot::Receiver<Vec<u8>>, LinkHold), OpenRefused> {
        let mut table = self.lock();
        if table.live(&address, now).is_some() {
            return Err(OpenRefused::Taken);
        }
        if table.per_client.get(&owner).copied().unwrap_or(0) >= self.per_client {
            return Err(OpenRefused::TooManyFromAddress);
        }
        if table.open.len() >= MAX_OPEN {
            return Err(OpenRefused::Full);
        }
        let (deliver, receiver) = oneshot::channel();
        table.next_id += 1;
        let id = table.next_id;
        *table.per_client.entry(owner).or_insert(0) += 1;
        table.open.insert(
            address,
            Open {
                announcement,
                deliver,
                opened: now,
                owner,
                id,
            },
        );
        let hold = LinkHold {
            links: self.clone(),
            address,
            id,
        };
        Ok((receiver, hold))
    }

    /// The announcement waiting at `address`, if it is open.
    pub(crate) fn announcement(&self, address: &Address, now: Instant) -> Option<Vec<u8>> {
        self.lock()
            .live(address, now)
            .map(|o| o.announcement.clone())
    }

    /// Hands `sealed` to the browser waiting at `address` and closes it; false if it is not
    /// open (or its browser just left).
    pub(crate) fn provision(&self, address: &Address, sealed: Vec<u8>, now: Instant) -> bool {
        let mut table = self.lock();
        if table.live(address, now).is_none() {
            return false;
        }
        match table.remove(address) {
            Some(open) => open.deliver.send(sealed).is_ok(),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

    fn links(per_client: usize) -> Arc<Links> {
        Arc::new(Links::new(per_client))
    }

    #[test]
    fn an_address_carries_one_message_within_its_lifetime() {
        let links = links(8);
        let now = Instant::now();
        let (mut waiting, _hold) = links.open([1; 6], vec![7], HOME, now).unwrap();
        assert_eq!(
            links.open([1; 6], vec![8], HOME, now).err(),
            Some(OpenRefused::Taken)
        );
        assert_eq!(links.announcement(&[1; 6], now), Some(vec![7]));
        assert_eq!(links.announcement(&[2; 6], now), None);
        assert!(links.provision(&[1; 6], vec![9], now));
        assert_eq!(waiting.try_recv().unwrap(), vec![9]);
        // Used: closed.
        assert!(!links.provision(&[1; 6], vec![9], now));
        assert_eq!(links.announcement(&[1; 6], now), None);

        let _late = links.open([3; 6], vec![7], HOME, now).unwrap();
        let later = now + LINK_LIFETIME;
        assert_eq!(links.announcement(&[3; 6], later), None, "expired");
        assert!(!links.provision(&[3; 6], vec![9], later));
    }

    #[test]
    fn an_address_closes_when_its_browser_leaves() {
        let links = links(1);
        let now = Instant::now();
        let (receiver, hold) = links.open([4; 6], vec![7], HOME, now).unwrap();
        drop(receiver);
        assert_eq!(links.announcement(&[4; 6], now), None);
        drop(hold);
        // Its owner's place is back.
        assert!(links.open([5; 6], vec![7], HOME, now).is_ok());
    }

    #[test]
    fn each_client_address_holds_only_so_many() {
        let links = links(2);
        let now = Instant::now();
        let other: IpAddr = "198.51.100.1".parse().unwrap();
        let first = links.open([1; 6], vec![], HOME, now).unwrap();
        let _second = links.open([2; 6], vec![], HOME, now).unwrap();
        assert_eq!(
            links.open([3; 6], vec![], HOME, now).err(),
            Some(OpenRefused::TooManyFromAddress)
        );
        assert!(links.open([4; 6], vec![], other, now).is_ok());
        drop(first);
        assert!(links.open([3; 6], vec![], HOME, now).is_ok());
        // A provisioned address frees its place, and its hold then closes nothing else.
        let (_r, hold) = links.open([5; 6], vec![], other, now).unwrap();
        assert!(links.provision(&[5; 6], vec![1], now));
        let _again = links.open([5; 6], vec![], other, now).unwrap();
        drop(hold);
        assert!(links.announcement(&[5; 6], now).is_some());
    }
}
