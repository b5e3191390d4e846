//! Authentication: registering a new account, or signing in as a listed device, against the
//! connection's challenge. Registrations are limited per client address.

use std::net::IpAddr;

use hush_protocol::devices::DeviceList;
use hush_protocol::relay::{auth_message, ClientFrame, ErrorCode, ServerFrame};
use hush_protocol::IdentityKey;

use super::devices::stored_list;
use super::reply::{internal, Refusal};
use super::store_calls::{counted, device_list};
use crate::hub::DeviceKey;
use crate::store::{AccountRecord, StoreError};
use crate::{now_ms, AppState};

/// Usernames: 3 to 32 characters, a lowercase letter first, then lowercase letters, digits,
/// `.`, `_` or `-`.
fn valid_username(name: &str) -> bool {
    hush_protocol::username::is_valid(name)
}

/// The account's current signed list, for a failed `Authenticate` whose signature verifies
/// under an identity key an earlier list gave that device number: only the removed device
/// itself learns the list (and so that it was unlinked). Anyone else learns nothing.
pub(crate) async fn unlinked(
    state: &AppState,
    frame: &ClientFrame,
    nonce: &[u8; 32],
) -> Option<ServerFrame> {
    let ClientFrame::Authenticate {
        account,
        device,
        signature,
    } = frame
    else {
        return None;
    };
    let name = account.to_string();
    let removed = counted(state, state.store.removed_identities(&name, *device))
        .await
        .ok()?;
    let message = auth_message(nonce, account, *device);
    let proven = removed
        .iter()
        .filter_map(|key| IdentityKey::from_bytes(key).ok())
        .any(|key| key.verify(&message, signature));
    if !proven {
        return None;
    }
    let list = device_list(state, account).await.ok()??;
    // Not authenticated: the list, not when its devices were seen.
    Some(ServerFrame::OwnDevices {
        device_list: list.bytes.clone(),
        last_active: Vec::new(),
    })
}

/// Checks `Register` or `Authenticate` against the connection's challenge; `client` is the
/// address a registration counts against.
pub(crate) async fn authenticate(
    state: &AppState,
    frame: ClientFrame,
    nonce: &[u8; 32],
    client: IpAddr,
) -> Result<DeviceKey, Refusal> {
    match frame {
        ClientFrame::Register {
            account_key,
            device_list,
            device,
            signature,
        } => {
            let registration = Registration {
                account_key,
                device_list,
                device,
                signature,
            };
            register(state, nonce, registration, client).await
        }
        ClientFrame::Authenticate {
            account,
            device,
            signature,
        } => sign_in(state, nonce, account.into_string(), device, signature).await,
        _ => Err((ErrorCode::Unauthenticated, "authenticate first".to_owned())),
    }
}

/// What `Register` carries.
struct Registration {
    account_key: [u8; 32],
    device_list: Vec<u8>,
    device: u32,
    signature: [u8; 64],
}

/// Told to a client whose address registered all the accounts it may this minute.
const TOO_MANY_REGISTRATIONS: &str =
    "too many accounts were made from your network; try again in a minute";

/// A new account: its first device list, signed by `account_key`, and the first device's
/// signature over the challenge. Only a valid one takes one of `client`'s registrations, and
/// gets it back if the name is taken.
async fn register(
    state: &AppState,
    nonce: &[u8; 32],
    registration: Registration,
    client: IpAddr,
) -> Result<DeviceKey, Refusal> {
    let Registration {
        account_key,
        device_list,
        device,
        signature,
    } = registration;
    let list = DeviceList::decode(&device_list).map_err(|e| (ErrorCode::Invalid, e.to_string()))?;
    if !valid_username(&list.account) {
        return Err((
            ErrorCode::Invalid,
            "usernames are 3-32 characters: a-z first, then a-z, 0-9, '.', '_' or '-'".to_owned(),
        ));
    }
    list.verify(&account_key)
        .map_err(|e| (ErrorCode::Invalid, e.to_string()))?;
    let listed = list.device(device).ok_or((
        ErrorCode::Invalid,
        "the device is not in the device list".to_owned(),
    ))?;
    if !listed
        .identity
        .verify(&auth_message(nonce, &list.account, device), &signature)
    {
        return Err(auth_failed(state));
    }
    let account = AccountRecord {
        name: list.account.clone(),
        account_key,
        created_ms: now_ms(),
    };
    if !state.limits.register(client) {
        state.metrics.registrations_refused.inc();
        return Err((ErrorCode::RateLimited, TOO_MANY_REGISTRATIONS.to_owned()));
    }
    let signed = stored_list(&list, device_list);
    let committed = signed.clone();
    let created = counted(state, state.store.create_account(&account, &signed)).await;
    if created.is_err() {
        state.limits.registration_failed(client);
    }
    match created {
        Ok(()) => {
            state.device_lists.written(&list.account, committed);
            Ok(DeviceKey {
                account: list.account,
                device,
            })
        }
        Err(StoreError::Conflict(_)) => {
            Err((ErrorCode::NameTaken, "that username is taken".to_owned()))
        }
        Err(e) => Err(internal(e)),
    }
}

/// A listed device of an existing account, by its signature over the challenge.
async fn sign_in(
    state: &AppState,
    nonce: &[u8; 32],
    account: String,
    device: u32,
    signature: [u8; 64],
) -> Result<DeviceKey, Refusal> {
    let list = device_list(state, &account).await.map_err(internal)?;
    let identity = list
        .and_then(|l| l.devices.iter().find(|d| d.device_id == device).cloned())
        .and_then(|d| IdentityKey::from_bytes(&d.identity).ok());
    match identity {
        Some(identity) if identity.verify(&auth_message(nonce, &account, device), &signature) => {
            Ok(DeviceKey { account, device })
        }
        // The same answer for an unknown account, device or a bad signature.
        _ => Err(auth_failed(state)),
    }
}

/// The one refusal of a failed authentication, counted.
fn auth_failed(state: &AppState) -> Refusal {
    state.metrics.auth_failures.inc();
    (ErrorCode::AuthFailed, "authentication failed".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_validated() {
        for good in [
            "bob",
            "alice.smith",
            "a-b_c.9",
            "abcdefghijklmnopqrstuvwxyz012345",
        ] {
            assert!(valid_username(good), "{good}");
        }
        for bad in [
            "",
            "ab",
            "Bob",
            "9lives",
            "_x",
            "with space",
            "émile",
            "abcdefghijklmnopqrstuvwxyz0123456",
        ] {
            assert!(!valid_username(bad), "{bad}");
        }
    }
}
