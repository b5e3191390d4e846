//! Prekeys: a device uploads its own, and a sender fetches a bundle per device of an account.

use hush_protocol::keys::{OneTimePreKey, SignedPreKey};
use hush_protocol::relay::{ErrorCode, ServerFrame, LOW_PREKEYS};
use hush_protocol::wire::PreKeyBundle;
use hush_protocol::{DeviceAddress, IdentityKey};
use x25519_dalek::PublicKey;

use super::devices::device_identity;
use super::reply::{internal, Refusal, Reply};
use super::store_calls::counted;
use crate::hub::DeviceKey;
use crate::AppState;

/// Signed prekeys are stored as id (u32 BE) ‖ public key ‖ signature.
fn encode_signed_prekey(key: &SignedPreKey) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(100);
    bytes.extend_from_slice(&key.id.to_be_bytes());
    bytes.extend_from_slice(key.public.as_bytes());
    bytes.extend_from_slice(&key.signature);
    bytes
}

fn decode_signed_prekey(bytes: &[u8]) -> Option<SignedPreKey> {
    if bytes.len() != 100 {
        return None;
    }
    let mut id = [0u8; 4];
    let mut public = [0u8; 32];
    let mut signature = [0u8; 64];
    id.copy_from_slice(&bytes[..4]);
    public.copy_from_slice(&bytes[4..36]);
    signature.copy_from_slice(&bytes[36..]);
    Some(SignedPreKey {
        id: u32::from_be_bytes(id),
        public: PublicKey::from(public),
        signature,
    })
}

/// Stores a new signed prekey and more one-time prekeys (asking for more if still low). The
/// device keeps at most `state.max_one_time_prekeys`: past it, the first ones up to the cap
/// are kept and the upload is answered `QuotaExceeded` (an honest client never gets there: it
/// uploads a batch only when it runs low).
pub(super) async fn upload_prekeys(
    state: &AppState,
    device: &DeviceKey,
    signed_prekey: SignedPreKey,
    one_time: Vec<OneTimePreKey>,
) -> Result<Reply, Refusal> {
    let identity = device_identity(state, device).await?;
    if !signed_prekey.verify(&identity) {
        return Err((
            ErrorCode::Invalid,
            "the signed prekey is not signed by this device".to_owned(),
        ));
    }
    let (account, id) = (device.account.as_str(), device.device);
    let spk = encode_signed_prekey(&signed_prekey);
    let mut keys: Vec<(u32, [u8; 32])> = one_time
        .iter()
        .map(|k| (k.id, k.public.to_bytes()))
        .collect();
    let cap = state.max_one_time_prekeys;
    let s = &state.store;
    let (remaining, cut) = counted(state, async {
        s.set_signed_prekey(account, id, &spk).await?;
        // One device uploads on one connection at a time, so nothing adds in between.
        let room = cap.saturating_sub(s.one_time_prekey_count(account, id).await?) as usize;
        let cut = keys.len() > room;
        keys.truncate(room);
        Ok((s.add_one_time_prekeys(account, id, &keys).await?, cut))
    })
    .await
    .map_err(internal)?;
    if cut {
        state.metrics.prekeys_refused.inc();
        return Err((
            ErrorCode::QuotaExceeded,
            format!("the relay keeps {cap} one-time prekeys per device; the rest were not stored"),
        ));
    }
    Ok(if remaining < LOW_PREKEYS {
        Reply::Frames(vec![ServerFrame::PreKeysLow { remaining }])
    } else {
        Reply::None
    })
}

/// A bundle per device of `account` (each takes one of its one-time prekeys), with the
/// account key and signed device list to check them with.
pub(super) async fn fetch_bundles(
    state: &AppState,
    from: &DeviceKey,
    request: u32,
    account: String,
) -> Result<Reply, Refusal> {
    let name = account.as_str();
    // A device asking for its own account's bundles (to reach its other devices) gets none
    // of its own.
    let except = (from.account == account).then_some(from.device);
    let s = &state.store;
    let (list, stored) = counted(state, async {
        // An unknown account is an answer (NotFound below), not a store failure.
        match (s.account(name).await?, s.device_list(name).await?) {
            (Some(account), Some(list)) => Ok((
                Some((account.account_key, list)),
                s.take_bundles_except(name, except).await?,
            )),
            _ => Ok((None, Vec::new())),
        }
    })
    .await
    .map_err(internal)?;
    let (account_key, list) = list.ok_or((ErrorCode::NotFound, "no such account".to_owned()))?;
    let mut bundles = Vec::with_capacity(stored.len());
    for b in stored {
        let (Ok(identity), Some(signed_prekey), Ok(address)) = (
            IdentityKey::from_bytes(&b.device.identity),
            decode_signed_prekey(&b.signed_prekey),
            DeviceAddress::new(account.clone(), b.device.device_id),
        ) else {
            continue;
        };
        if b.one_time_remaining < LOW_PREKEYS {
            let key = DeviceKey {
                account: account.clone(),
                device: b.device.device_id,
            };
            state.hub.tell_device(
                &key,
                ServerFrame::PreKeysLow {
                    remaining: b.one_time_remaining,
                },
            );
        }
        if b.one_time_prekey.is_none() {
            state.metrics.bundles_without_one_time_prekey.inc();
        }
        bundles.push(PreKeyBundle {
            identity,
            address,
            signed_prekey,
            one_time_prekey: b.one_time_prekey.map(|(id, public)| OneTimePreKey {
                id,
                public: PublicKey::from(public),
            }),
        });
    }
    Ok(Reply::Frames(vec![ServerFrame::Bundles {
        request,
        account_key,
        device_list: list.bytes,
        bundles,
    }]))
}

/// One-time prekeys the device has left (0 when the store cannot say).
pub(crate) async fn one_time_prekey_count(state: &AppState, device: &DeviceKey) -> u32 {
    let read = (state.store).one_time_prekey_count(&device.account, device.device);
    counted(state, read).await.unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_prekeys_round_trip_through_storage() {
        let key = SignedPreKey {
            id: 7,
            public: PublicKey::from([9u8; 32]),
            signature: [3u8; 64],
        };
        assert_eq!(decode_signed_prekey(&encode_signed_prekey(&key)), Some(key));
        assert_eq!(decode_signed_prekey(&[0; 99]), None);
    }
}
