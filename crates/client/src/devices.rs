//! What a sender checks before encrypting to a contact's devices (`docs/protocol.md`, "Linked
//! devices"): the device list the relay serves must be signed by the contact's account key,
//! pinned the first time it is seen, and must not be older than the newest one seen. The relay
//! stores and serves lists, but cannot add a device of its own or roll a list back.

use hush_protocol::devices::DeviceList;
use hush_protocol::record::SessionRecord;
use hush_protocol::wire::PreKeyBundle;
use hush_protocol::DeviceAddress;

use crate::model::PinnedDevices;

/// Why a contact's devices were refused (nothing is encrypted to them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The list does not decode, names another account, or its signature does not verify.
    Unsigned,
    /// The account key is not the one pinned for this contact.
    KeyChanged,
    /// Older than a list already seen (or the same version with other devices).
    RolledBack,
    /// The relay offered a device the account did not sign (or with another identity key).
    Unlisted(u32),
    /// A first message naming this sender came from another address (the relay re-addressed
    /// it): refused unread, nothing changed.
    Misaddressed(DeviceAddress),
    /// A list after the one that closed (deleted) the account: an account is never reopened.
    Reopened,
}

impl core::fmt::Display for Refusal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Unsigned => {
                f.write_str("the relay served a device list the account did not sign")
            }
            Self::KeyChanged => f.write_str(
                "the relay served a different account key than before: messages are held",
            ),
            Self::RolledBack => f.write_str("the relay served an older device list than before"),
            Self::Unlisted(device) => write!(
                f,
                "the relay offered device {device}, which the account did not sign: it gets nothing"
            ),
            Self::Reopened => {
                f.write_str("the relay served a list for an account that was deleted: refused")
            }
            Self::Misaddressed(claimed) => write!(
                f,
                "the relay delivered a message of {}'s device {} as another's: it was not read",
                claimed.account(),
                claimed.device()
            ),
        }
    }
}

/// Verifies the list the relay served for `account` against what is pinned; the result is what
/// to pin now.
pub fn check_list(
    account: &str,
    account_key: [u8; 32],
    bytes: &[u8],
    pinned: Option<&PinnedDevices>,
) -> Result<PinnedDevices, Refusal> {
    let list = DeviceList::decode(bytes).map_err(|_| Refusal::Unsigned)?;
    if list.account != account || list.verify(&account_key).is_err() {
        return Err(Refusal::Unsigned);
    }
    if let Some(pinned) = pinned {
        if pinned.account_key != account_key {
            return Err(Refusal::KeyChanged);
        }
        let forked = list.version == pinned.list.version && list != pinned.list;
        if list.version < pinned.list.version || forked {
            return Err(Refusal::RolledBack);
        }
        if pinned.list.is_closed() && list != pinned.list {
            return Err(Refusal::Reopened);
        }
    }
    Ok(PinnedDevices { account_key, list })
}

/// Whether `bundle` is for a device the list names, with the identity key it names.
pub fn listed(pinned: &PinnedDevices, bundle: &PreKeyBundle) -> bool {
    pinned
        .list
        .device(bundle.address.device())
        .is_some_and(|d| d.identity == bundle.identity)
}

/// Whether `pinned` names `address`'s device with the identity key of `record`'s current
/// session: only such a session may be encrypted to.
pub fn names_session(
    pinned: &PinnedDevices,
    address: &DeviceAddress,
    record: &SessionRecord,
) -> bool {
    let Some(session) = record.current() else {
        return false;
    };
    address.account() == pinned.list.account
        && (pinned.list.device(address.device()))
            .is_some_and(|d| d.identity == *session.remote_identity())
}

/// An account's sessions split by its pinned list: the ones with a device it names with that
/// identity (kept), and the addresses of the others (a device unlinked or with a new identity:
/// dropped). Empty records are in neither. Without a pinned list nothing is kept, and nothing
/// dropped: the list is fetched first.
pub fn split_listed(
    pinned: Option<&PinnedDevices>,
    sessions: Vec<(DeviceAddress, SessionRecord)>,
) -> (Vec<(DeviceAddress, SessionRecord)>, Vec<DeviceAddress>) {
    let Some(pinned) = pinned else {
        return (Vec::new(), Vec::new());
    };
    let mut dropped = Vec::new();
    let mut kept = Vec::with_capacity(sessions.len());
    for (address, record) in sessions {
        if record.is_empty() {
            continue;
        }
        if names_session(pinned, &address, &record) {
            kept.push((address, record));
        } else {
            dropped.push(address);
        }
    }
    (kept, dropped)
}

#[cfg(test)]
mod tests {
    use hush_protocol::devices::{AccountKey, ListedDevice};
    use hush_protocol::IdentityKeyPair;
    use rand_chacha::rand_core::SeedableRng;

    use super::*;

    #[test]
    fn lists_must_be_signed_by_the_pinned_key_and_never_go_back() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let key = AccountKey::generate(&mut rng);
        let mut device = |id| {
            let identity = IdentityKeyPair::generate(&mut rng).public();
            ListedDevice::certify("bob", id, identity, "Chrome on Linux", 0, &key).unwrap()
        };
        let (one, two) = (device(1), device(2));
        let v1 = DeviceList::sign("bob", 1, vec![one.clone()], &key).unwrap();
        let v2 = DeviceList::sign("bob", 2, vec![one.clone(), two.clone()], &key).unwrap();
        let k = key.public();

        let first = check_list("bob", k, &v1.encode(), None).unwrap();
        assert_eq!(first.list, v1);
        let second = check_list("bob", k, &v2.encode(), Some(&first)).unwrap();
        assert_eq!(
            check_list("bob", k, &v1.encode(), Some(&second)),
            Err(Refusal::RolledBack)
        );
        let fork = DeviceList::sign("bob", 2, vec![two.clone()], &key).unwrap();
        assert_eq!(
            check_list("bob", k, &fork.encode(), Some(&second)),
            Err(Refusal::RolledBack)
        );
        assert!(check_list("bob", k, &v2.encode(), Some(&second)).is_ok());

        let other = AccountKey::generate(&mut rng);
        let identity = two.identity;
        let two = ListedDevice::certify("bob", 2, identity, "Chrome on Linux", 0, &other).unwrap();
        let forged = DeviceList::sign("bob", 3, vec![two], &other).unwrap();
        assert_eq!(
            check_list("bob", k, &forged.encode(), Some(&second)),
            Err(Refusal::Unsigned)
        );
        assert_eq!(
            check_list("bob", other.public(), &forged.encode(), Some(&second)),
            Err(Refusal::KeyChanged)
        );
        assert_eq!(
            check_list("carol", k, &v2.encode(), None),
            Err(Refusal::Unsigned)
        );
        assert_eq!(check_list("bob", k, &[], None), Err(Refusal::Unsigned));

        // Deleted (a closing list, signed): no later list reopens it, even one the key signed
        // (a stolen device keeps the key), and the closing list itself still checks.
        let closed = DeviceList::close("bob", 3, &key).unwrap();
        let gone = check_list("bob", k, &closed.encode(), Some(&second)).unwrap();
        assert!(gone.list.is_closed());
        assert!(check_list("bob", k, &closed.encode(), Some(&gone)).is_ok());
        let reopened = DeviceList::sign("bob", 4, vec![one], &key).unwrap();
        assert_eq!(
            check_list("bob", k, &reopened.encode(), Some(&gone)),
            Err(Refusal::Reopened)
        );
    }
}
