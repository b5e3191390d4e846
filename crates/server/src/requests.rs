//! What the relay does for each request of an authenticated device (and for authentication
//! itself). Store calls run on the blocking pool, except envelope and ack writes: those are
//! submitted to the group-commit queue and answered later, so a connection never waits for an
//! fsync before reading its next frame. Nothing here holds a lock across an await.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use futures::future::BoxFuture;
use futures::FutureExt;

use hush_protocol::devices::DeviceList;
use hush_protocol::keys::{OneTimePreKey, SignedPreKey};
use hush_protocol::relay::{
    auth_message, ClientFrame, ErrorCode, OutgoingEnvelope, SendOutcome, ServerFrame, LOW_PREKEYS,
};
use hush_protocol::wire::PreKeyBundle;
use hush_protocol::{DeviceAddress, IdentityKey};
use x25519_dalek::PublicKey;

use crate::hub::DeviceKey;
use crate::store::{
    AccountRecord, DeviceRecord, ExpiryNotice, NewEnvelope, PushSubscription, SignedDeviceList,
    Store, StoreError, StoredEnvelope,
};
use crate::{now_ms, AppState};

/// What goes back to the client.
pub(crate) enum Reply {
    None,
    Frames(Vec<ServerFrame>),
    Error(u32, ErrorCode, String),
    /// The answer once a submitted write has committed (replies keep the requests' order).
    Later(BoxFuture<'static, Reply>),
}

type Refusal = (ErrorCode, String);

async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let store = state.store.clone();
    let result = tokio::task::spawn_blocking(move || f(store.as_ref()))
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))
        .and_then(|r| r);
    if let Err(e) = &result {
        store_failed(state, e);
    }
    result
}

/// Counts and logs a backend failure (refusals like `Conflict` are answers, not failures).
fn store_failed(state: &AppState, error: &StoreError) {
    if matches!(error, StoreError::Backend(_)) {
        state.metrics.store_errors.inc();
        tracing::warn!(%error, "store operation failed");
    }
}

/// The account's current device list, from memory when it can be.
async fn device_list(
    state: &AppState,
    account: &str,
) -> Result<Option<Arc<SignedDeviceList>>, StoreError> {
    let epoch = match state.device_lists.get(account) {
        Ok(list) => return Ok(Some(list)),
        Err(epoch) => epoch,
    };
    let name = account.to_owned();
    let Some(list) = blocking(state, move |s| s.device_list(&name)).await? else {
        return Ok(None);
    };
    let list = Arc::new(list);
    state.device_lists.read(account, list.clone(), epoch);
    Ok(Some(list))
}

fn internal(_: StoreError) -> Refusal {
    (
        ErrorCode::Internal,
        "the relay could not complete the request; try again".to_owned(),
    )
}

/// Usernames: 3 to 32 characters, a lowercase letter first, then lowercase letters, digits,
/// `.`, `_` or `-`.
pub(crate) fn valid_username(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=32).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes.iter().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

/// The account's signed list, for one of its devices, with when each was last connected.
pub(crate) async fn own_devices(state: &AppState, account: &str) -> Option<ServerFrame> {
    let list = device_list(state, account).await.ok()??;
    Some(own_devices_frame(state, account, list.bytes.clone()).await)
}

/// `OwnDevices` with `bytes` and the account's devices' activity (now for a connected one).
async fn own_devices_frame(state: &AppState, account: &str, bytes: Vec<u8>) -> ServerFrame {
    let name = account.to_owned();
    let now = now_ms();
    let last_active = blocking(state, move |s| s.last_active(&name))
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(device, ms)| {
            let key = DeviceKey {
                account: account.to_owned(),
                device,
            };
            (device, if state.hub.is_online(&key) { now } else { ms })
        })
        .collect();
    ServerFrame::OwnDevices {
        device_list: bytes,
        last_active,
    }
}

/// Records that `device` is connected now (at authentication and when it leaves).
pub(crate) async fn touch(state: &AppState, device: &DeviceKey) {
    let (name, id, now) = (device.account.clone(), device.device, now_ms());
    let _ = blocking(state, move |s| s.set_last_active(&name, id, now)).await;
}

/// The account's list, if `device` tried to authenticate with it and is not listed (anyone
/// may fetch a list, so this tells nothing new; the device verifies it before acting on it).
pub(crate) async fn unlisted(state: &AppState, frame: &ClientFrame) -> Option<ServerFrame> {
    let ClientFrame::Authenticate {
        account, device, ..
    } = frame
    else {
        return None;
    };
    let list = device_list(state, account).await.ok()??;
    if list.devices.iter().any(|d| d.device_id == *device) {
        return None;
    }
    // Not authenticated: the list (which anyone may fetch), not when its devices were seen.
    Some(ServerFrame::OwnDevices {
        device_list: list.bytes.clone(),
        last_active: Vec::new(),
    })
}

/// Checks `Register` or `Authenticate` against the connection's challenge.
pub(crate) async fn authenticate(
    state: &AppState,
    frame: ClientFrame,
    nonce: &[u8; 32],
) -> Result<DeviceKey, Refusal> {
    match frame {
        ClientFrame::Register {
            account_key,
            device_list,
            device,
            signature,
        } => {
            let list = DeviceList::decode(&device_list)
                .map_err(|e| (ErrorCode::Invalid, e.to_string()))?;
            if !valid_username(&list.account) {
                return Err((
                    ErrorCode::Invalid,
                    "usernames are 3-32 characters: a-z first, then a-z, 0-9, '.', '_' or '-'"
                        .to_owned(),
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
                return Err((ErrorCode::AuthFailed, "authentication failed".to_owned()));
            }
            let account = AccountRecord {
                name: list.account.clone(),
                account_key,
                created_ms: now_ms(),
            };
            let signed = stored_list(&list, device_list);
            let committed = signed.clone();
            match blocking(state, move |s| s.create_account(&account, &signed)).await {
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
        ClientFrame::Authenticate {
            account,
            device,
            signature,
        } => {
            let list = device_list(state, &account).await.map_err(internal)?;
            let identity = list
                .and_then(|l| l.devices.iter().find(|d| d.device_id == device).cloned())
                .and_then(|d| IdentityKey::from_bytes(&d.identity).ok());
            match identity {
                Some(identity)
                    if identity.verify(&auth_message(nonce, &account, device), &signature) =>
                {
                    Ok(DeviceKey { account, device })
                }
                // The same answer for an unknown account, device or a bad signature.
                _ => Err((ErrorCode::AuthFailed, "authentication failed".to_owned())),
            }
        }
        _ => Err((ErrorCode::Unauthenticated, "authenticate first".to_owned())),
    }
}

fn stored_list(list: &DeviceList, bytes: Vec<u8>) -> SignedDeviceList {
    SignedDeviceList {
        version: list.version,
        bytes,
        devices: list
            .devices
            .iter()
            .map(|d| DeviceRecord {
                device_id: d.device_id,
                identity: d.identity.to_bytes(),
            })
            .collect(),
    }
}

/// A request of an authenticated device.
pub(crate) async fn handle(state: &AppState, device: &DeviceKey, frame: ClientFrame) -> Reply {
    let result = match frame {
        ClientFrame::Register { .. }
        | ClientFrame::Authenticate { .. }
        | ClientFrame::OpenLink { .. } => {
            Err((0, (ErrorCode::Invalid, "already authenticated".to_owned())))
        }
        ClientFrame::FetchLink { request, address } => {
            match state
                .links
                .announcement(&address, std::time::Instant::now())
            {
                Some(announcement) => Ok(Reply::Frames(vec![ServerFrame::LinkAnnouncement {
                    request,
                    announcement,
                }])),
                None => Err((
                    request,
                    (ErrorCode::NotFound, crate::links::GONE.to_owned()),
                )),
            }
        }
        ClientFrame::Provision {
            request,
            address,
            sealed,
        } => {
            if state
                .links
                .provision(&address, sealed, std::time::Instant::now())
            {
                Ok(Reply::Frames(vec![ServerFrame::Provisioned { request }]))
            } else {
                Err((
                    request,
                    (ErrorCode::NotFound, crate::links::GONE.to_owned()),
                ))
            }
        }
        ClientFrame::UploadPreKeys {
            signed_prekey,
            one_time,
        } => upload_prekeys(state, device, signed_prekey, one_time)
            .await
            .map_err(|r| (0, r)),
        ClientFrame::FetchBundles { request, account } => {
            fetch_bundles(state, device, request, account)
                .await
                .map_err(|r| (request, r))
        }
        ClientFrame::Send {
            client_id,
            recipient,
            envelopes,
        } => send(state, device, client_id, recipient, envelopes)
            .await
            .map_err(|r| (0, r)),
        ClientFrame::GroupSend {
            client_id,
            members,
            payload,
        } => group_send(state, device, client_id, members, payload)
            .await
            .map_err(|r| (0, r)),
        ClientFrame::Ack { ids } => Ok(ack(state, device, ids)),
        ClientFrame::AckExpired { ids } => {
            let (account, id) = (device.account.clone(), device.device);
            blocking(state, move |s| s.ack_expiry_notices(&account, id, &ids))
                .await
                .map(|_| Reply::None)
                .map_err(|e| (0, internal(e)))
        }
        ClientFrame::Typing { to, typing } => {
            let frame = ServerFrame::Typing {
                from: device.account.clone(),
                typing,
            };
            state.hub.tell_account(&to, &frame);
            Ok(Reply::None)
        }
        ClientFrame::GroupTyping {
            group,
            members,
            typing,
        } => {
            let frame = ServerFrame::GroupTyping {
                group,
                from: device.account.clone(),
                typing,
            };
            for member in members.iter().filter(|m| **m != device.account) {
                state.hub.tell_account(member, &frame);
            }
            Ok(Reply::None)
        }
        // Presence subscriptions are per connection; the connection loop handles them.
        ClientFrame::Subscribe { .. } => Ok(Reply::None),
        ClientFrame::PushSubscribe {
            endpoint,
            p256dh,
            auth,
        } => push_subscribe(
            state,
            device,
            Some(PushSubscription {
                endpoint,
                p256dh,
                auth,
            }),
        )
        .await
        .map_err(|r| (0, r)),
        ClientFrame::PushUnsubscribe => push_subscribe(state, device, None)
            .await
            .map_err(|r| (0, r)),
        ClientFrame::PublishDeviceList {
            request,
            device_list,
        } => publish_device_list(state, device, request, device_list)
            .await
            .map_err(|r| (request, r)),
        ClientFrame::RequestUpload { request, size } => match state.blobs.grant(size) {
            Some(id) => Ok(Reply::Frames(vec![ServerFrame::UploadGranted {
                request,
                id,
            }])),
            None if size > crate::blobs::MAX_BLOB_BYTES => Err((
                request,
                (
                    ErrorCode::Invalid,
                    "attachments are limited to 25 MiB".to_owned(),
                ),
            )),
            None => Err((
                request,
                (
                    ErrorCode::RateLimited,
                    "too many uploads pending; try again soon".to_owned(),
                ),
            )),
        },
    };
    result.unwrap_or_else(|(request, (code, message))| Reply::Error(request, code, message))
}

/// A newer device list for the device's own account, verified with the stored account key: the
/// relay stores what the account signed and cannot add a device itself.
async fn publish_device_list(
    state: &AppState,
    device: &DeviceKey,
    request: u32,
    bytes: Vec<u8>,
) -> Result<Reply, Refusal> {
    let list = DeviceList::decode(&bytes).map_err(|e| (ErrorCode::Invalid, e.to_string()))?;
    if list.account != device.account {
        return Err((ErrorCode::Invalid, "a list for another account".to_owned()));
    }
    let name = device.account.clone();
    let account = blocking(state, move |s| s.account(&name))
        .await
        .map_err(internal)?
        .ok_or((ErrorCode::NotFound, "no such account".to_owned()))?;
    list.verify(&account.account_key)
        .map_err(|e| (ErrorCode::Invalid, e.to_string()))?;
    let version = list.version;
    let before = device_list(state, &device.account)
        .await
        .map_err(internal)?;
    let signed = stored_list(&list, bytes.clone());
    let committed = signed.clone();
    let name = device.account.clone();
    match blocking(state, move |s| s.replace_device_list(&name, &signed)).await {
        Ok(()) => {
            state.device_lists.written(&device.account, committed);
            // Every device of the account hears of it; one no longer listed is told (it checks
            // the signature itself) and disconnected.
            let frame = own_devices_frame(state, &device.account, bytes).await;
            for old in before.iter().flat_map(|l| l.devices.iter()) {
                if !list.devices.iter().any(|d| d.device_id == old.device_id) {
                    let key = DeviceKey {
                        account: device.account.clone(),
                        device: old.device_id,
                    };
                    state.hub.unlinked(&key, frame.clone());
                }
            }
            state.hub.tell_account(&device.account, &frame);
            Ok(Reply::Frames(vec![ServerFrame::DeviceListPublished {
                request,
                version,
            }]))
        }
        Err(StoreError::Stale) => Err((
            ErrorCode::Invalid,
            "an equal or newer device list is already published".to_owned(),
        )),
        Err(e) => Err(internal(e)),
    }
}

/// Sets (or with `None` drops) the device's push subscription.
async fn push_subscribe(
    state: &AppState,
    device: &DeviceKey,
    subscription: Option<PushSubscription>,
) -> Result<Reply, Refusal> {
    if let Some(sub) = &subscription {
        if !state.push_allow_private && !crate::push::is_public_endpoint(&sub.endpoint) {
            return Err((
                ErrorCode::Invalid,
                "push endpoints must be public https URLs".to_owned(),
            ));
        }
    }
    let (account, id) = (device.account.clone(), device.device);
    let result = blocking(state, move |s| match &subscription {
        Some(sub) => s.set_push_subscription(&account, id, sub),
        None => s.delete_push_subscription(&account, id),
    })
    .await;
    match result {
        Ok(()) => {
            state.push.forget(device);
            Ok(Reply::Frames(vec![ServerFrame::PushSubscribed]))
        }
        Err(StoreError::NotFound(_)) => Err((
            ErrorCode::NotFound,
            "this device is no longer listed".to_owned(),
        )),
        Err(e) => Err(internal(e)),
    }
}

async fn device_identity(state: &AppState, device: &DeviceKey) -> Result<IdentityKey, Refusal> {
    let list = device_list(state, &device.account)
        .await
        .map_err(internal)?;
    list.and_then(|l| {
        l.devices
            .iter()
            .find(|d| d.device_id == device.device)
            .cloned()
    })
    .and_then(|d| IdentityKey::from_bytes(&d.identity).ok())
    .ok_or((
        ErrorCode::NotFound,
        "this device is no longer listed".to_owned(),
    ))
}

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

async fn upload_prekeys(
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
    let (account, id) = (device.account.clone(), device.device);
    let spk = encode_signed_prekey(&signed_prekey);
    let keys: Vec<(u32, [u8; 32])> = one_time
        .iter()
        .map(|k| (k.id, k.public.to_bytes()))
        .collect();
    let remaining = blocking(state, move |s| {
        s.set_signed_prekey(&account, id, &spk)?;
        s.add_one_time_prekeys(&account, id, &keys)
    })
    .await
    .map_err(internal)?;
    Ok(if remaining < LOW_PREKEYS {
        Reply::Frames(vec![ServerFrame::PreKeysLow { remaining }])
    } else {
        Reply::None
    })
}

async fn fetch_bundles(
    state: &AppState,
    from: &DeviceKey,
    request: u32,
    account: String,
) -> Result<Reply, Refusal> {
    let name = account.clone();
    // A device asking for its own account's bundles (to reach its other devices) gets none
    // of its own.
    let except = (from.account == account).then_some(from.device);
    let (list, stored) = blocking(state, move |s| {
        // An unknown account is an answer (NotFound below), not a store failure.
        match (s.account(&name)?, s.device_list(&name)?) {
            (Some(account), Some(list)) => Ok((
                Some((account.account_key, list)),
                s.take_bundles_except(&name, except)?,
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

async fn send(
    state: &AppState,
    from: &DeviceKey,
    client_id: [u8; 16],
    recipient: String,
    envelopes: Vec<OutgoingEnvelope>,
) -> Result<Reply, Refusal> {
    let sent = move |outcome| Reply::Frames(vec![ServerFrame::Sent { client_id, outcome }]);
    // A device unlinked while connected sends nothing more (its connection is closing).
    let own = device_list(state, &from.account).await.map_err(internal)?;
    if !own.is_some_and(|l| l.devices.iter().any(|d| d.device_id == from.device)) {
        return Err((
            ErrorCode::NotFound,
            "this device is no longer listed".to_owned(),
        ));
    }
    let Some(list) = device_list(state, &recipient).await.map_err(internal)? else {
        return Ok(sent(SendOutcome::UnknownRecipient));
    };
    let given: BTreeSet<u32> = envelopes.iter().map(|e| e.device).collect();
    if given.len() != envelopes.len() {
        return Err((ErrorCode::Invalid, "one envelope per device".to_owned()));
    }
    // A message to the sender's own account goes to its other devices.
    let own = recipient == from.account;
    let listed: BTreeSet<u32> = list
        .devices
        .iter()
        .map(|d| d.device_id)
        .filter(|d| !own || *d != from.device)
        .collect();
    let mut missing: Vec<u32> = listed.difference(&given).copied().collect();
    let extra: Vec<u32> = given.difference(&listed).copied().collect();
    if !missing.is_empty() {
        // A device listed but not set up yet (no signed prekey: a link in progress, or one
        // that never finished) cannot be sent to, and must not block everyone else.
        let name = recipient.clone();
        let reachable = blocking(state, move |s| s.reachable_devices(&name))
            .await
            .map_err(internal)?;
        missing.retain(|d| reachable.contains(d));
    }
    if !missing.is_empty() || !extra.is_empty() {
        return Ok(sent(SendOutcome::Mismatch { missing, extra }));
    }
    let received_ms = now_ms();
    let rows: Vec<NewEnvelope> = envelopes
        .into_iter()
        .map(|e| NewEnvelope {
            recipient: recipient.clone(),
            recipient_device: e.device,
            sender: from.account.clone(),
            sender_device: from.device,
            client_id,
            payload: e.payload,
            received_ms,
        })
        .collect();
    Ok(commit_envelopes(state, client_id, rows))
}

/// Stores envelopes (one group commit) and answers `Sent` once they are on disk; devices not
/// online are woken by push.
fn commit_envelopes(state: &AppState, client_id: [u8; 16], rows: Vec<NewEnvelope>) -> Reply {
    let count = rows.len() as u64;
    let targets: Vec<DeviceKey> = rows
        .iter()
        .map(|r| DeviceKey {
            account: r.recipient.clone(),
            device: r.recipient_device,
        })
        .collect();
    let started = Instant::now();
    let committed = state.store.submit_envelopes(rows);
    let state = state.clone();
    Reply::Later(
        async move {
            if let Err(e) = committed.await {
                store_failed(&state, &e);
                let (code, message) = internal(e);
                return Reply::Error(0, code, message);
            }
            let metrics = &state.metrics;
            metrics
                .send_commit_us_sum
                .add(started.elapsed().as_micros() as u64);
            metrics.send_commit_count.inc();
            metrics.envelopes_in.add(count);
            for key in targets {
                // Online devices got it from the commit itself (see `hub`).
                if !state.hub.is_online(&key) {
                    // Not online: a content-free Web Push, if the device subscribed.
                    crate::push::wake_offline(&state, key);
                }
            }
            Reply::Frames(vec![ServerFrame::Sent {
                client_id,
                outcome: SendOutcome::Stored,
            }])
        }
        .boxed(),
    )
}

/// A group message: the same payload for every listed device of every named member (the
/// sender's own device left out). Members that are not accounts are skipped: the relay does
/// not know groups, and cannot tell a departed account from a typo.
async fn group_send(
    state: &AppState,
    from: &DeviceKey,
    client_id: [u8; 16],
    members: Vec<String>,
    payload: Vec<u8>,
) -> Result<Reply, Refusal> {
    let distinct: BTreeSet<&String> = members.iter().collect();
    if distinct.len() != members.len() {
        return Err((ErrorCode::Invalid, "each member once".to_owned()));
    }
    let own = device_list(state, &from.account).await.map_err(internal)?;
    if !own.is_some_and(|l| l.devices.iter().any(|d| d.device_id == from.device)) {
        return Err((
            ErrorCode::NotFound,
            "this device is no longer listed".to_owned(),
        ));
    }
    let received_ms = now_ms();
    let mut rows = Vec::new();
    for member in members {
        let Some(list) = device_list(state, &member).await.map_err(internal)? else {
            continue;
        };
        for device in &list.devices {
            if member == from.account && device.device_id == from.device {
                continue;
            }
            rows.push(NewEnvelope {
                recipient: member.clone(),
                recipient_device: device.device_id,
                sender: from.account.clone(),
                sender_device: from.device,
                client_id,
                payload: payload.clone(),
                received_ms,
            });
        }
    }
    Ok(commit_envelopes(state, client_id, rows))
}

fn ack(state: &AppState, device: &DeviceKey, ids: Vec<u64>) -> Reply {
    let committed = state.store.submit_ack(&device.account, device.device, ids);
    let state = state.clone();
    Reply::Later(
        async move {
            match committed.await {
                Ok(n) => {
                    state.metrics.acks.add(n as u64);
                    Reply::None
                }
                Err(e) => {
                    store_failed(&state, &e);
                    let (code, message) = internal(e);
                    Reply::Error(0, code, message)
                }
            }
        }
        .boxed(),
    )
}

/// A device's queue after `after`.
pub(crate) async fn pending(
    state: &AppState,
    device: &DeviceKey,
    after: u64,
    limit: usize,
) -> Result<Vec<StoredEnvelope>, StoreError> {
    let (account, id) = (device.account.clone(), device.device);
    blocking(state, move |s| s.pending(&account, id, after, limit)).await
}

/// The device's expiry notices not yet acknowledged, as frames.
pub(crate) async fn expiry_notices(
    state: &AppState,
    device: &DeviceKey,
) -> Result<Vec<ServerFrame>, StoreError> {
    let (account, id) = (device.account.clone(), device.device);
    let notices = blocking(state, move |s| {
        s.expiry_notices(&account, id, EXPIRY_NOTICES_PER_CONNECTION)
    })
    .await?;
    Ok(notices.into_iter().map(expired_frame).collect())
}

/// Expiry notices sent when a device connects; acknowledging them makes room for the rest.
const EXPIRY_NOTICES_PER_CONNECTION: usize = 1000;

pub(crate) fn expired_frame(notice: ExpiryNotice) -> ServerFrame {
    ServerFrame::Expired {
        id: notice.id,
        client_id: notice.client_id,
        recipient: notice.recipient,
        device: notice.recipient_device,
    }
}

/// One-time prekeys the device has left (0 when the store cannot say).
pub(crate) async fn one_time_prekey_count(state: &AppState, device: &DeviceKey) -> u32 {
    let (account, id) = (device.account.clone(), device.device);
    blocking(state, move |s| s.one_time_prekey_count(&account, id))
        .await
        .unwrap_or(0)
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
