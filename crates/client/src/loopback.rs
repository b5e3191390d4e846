//! Engines wired together without a relay, for tests and benchmarks: the caller plays the
//! relay by turning one engine's frames into the other's (the engine is sans-IO, so this is
//! all a relay is to it).

use hush_protocol::devices::{DeviceList, ListedDevice};
use hush_protocol::relay::{ClientFrame, ServerFrame};
use hush_protocol::wire::PreKeyBundle;
use hush_protocol::{DeviceAddress, Rng, Username};

use crate::error::{Broken, EngineError, InputError};
use crate::{ChatId, Engine, Store};

/// What a relay would serve others for a registered account: its key, its signed device list
/// and a bundle.
#[derive(Clone, Debug)]
pub struct Published {
    /// The account key.
    pub account_key: [u8; 32],
    /// The encoded, signed device list.
    pub device_list: Vec<u8>,
    /// The bundle of its one device.
    pub bundle: PreKeyBundle,
}

/// Opens an engine on `store`, registers `name` as if a relay accepted it, and returns it with
/// what others start sessions from.
pub async fn registered<S: Store, R: Rng>(
    store: S,
    rng: R,
    name: &str,
    now_ms: u64,
) -> Result<(Engine<S, R>, Published), EngineError> {
    let mut engine = Engine::open(store, rng).await?;
    engine
        .handle(ServerFrame::Challenge { nonce: [7; 32] }, now_ms)
        .await?;
    let username = Username::parse(name).map_err(|_| InputError::Username)?;
    engine.create_account(&username).await?;
    let out = engine
        .handle(
            ServerFrame::Authenticated {
                one_time_prekeys: 0,
            },
            now_ms,
        )
        .await?;
    let upload = out.frames.into_iter().find_map(|frame| match frame {
        ClientFrame::UploadPreKeys {
            signed_prekey,
            one_time,
        } => Some((signed_prekey, one_time)),
        _ => None,
    });
    let (Some((signed_prekey, one_time)), Some(account)) = (upload, engine.account()) else {
        return Err(Broken::NoPrekeyUpload.into());
    };
    let address = DeviceAddress::new(name, account.device_id).map_err(|_| InputError::Username)?;
    let bundle = PreKeyBundle {
        identity: account.identity.public(),
        address,
        signed_prekey,
        one_time_prekey: one_time.first().copied(),
    };
    let device = ListedDevice::certify(
        name,
        account.device_id,
        account.identity.public(),
        &account.device_name,
        0,
        &account.account_key,
    )
    .map_err(|_| Broken::Certificate)?;
    let list = DeviceList::sign(name, 1, vec![device], &account.account_key)
        .map_err(|_| Broken::ListSigning)?;
    let published = Published {
        account_key: account.account_key.public(),
        device_list: list.encode(),
        bundle,
    };
    // As a relay would: the engine learns its own list (it shows it in new sessions).
    engine
        .handle(
            ServerFrame::OwnDevices {
                device_list: published.device_list.clone(),
                last_active: Vec::new(),
            },
            now_ms,
        )
        .await?;
    Ok((engine, published))
}

/// `from` writes `count` texts to the owner of `to` (a session starts from the bundle); returns
/// them as the envelopes a relay would deliver, ids from 1.
pub async fn texts<S: Store, R: Rng>(
    from: &mut Engine<S, R>,
    to: &Published,
    count: usize,
    now_ms: u64,
) -> Result<Vec<ServerFrame>, EngineError> {
    let bodies = (0..count).map(|n| format!("text {n}")).collect();
    texts_saying(from, to, bodies, now_ms).await
}

/// As [`texts`], with these bodies.
pub async fn texts_saying<S: Store, R: Rng>(
    from: &mut Engine<S, R>,
    to: &Published,
    bodies: Vec<String>,
    now_ms: u64,
) -> Result<Vec<ServerFrame>, EngineError> {
    let count = bodies.len();
    let sender = from
        .account()
        .map(|a| (a.name.clone(), a.device_id))
        .ok_or(EngineError::NoAccount)?;
    let recipient = ChatId::Direct(to.bundle.address.username());
    let mut sends = Vec::with_capacity(count);
    for body in bodies {
        let (_, out) = from.send_text(&recipient, &body, now_ms).await?;
        for frame in out.frames {
            match frame {
                ClientFrame::FetchBundles { request, .. } => {
                    let bundles = ServerFrame::Bundles {
                        request,
                        account_key: to.account_key,
                        device_list: to.device_list.clone(),
                        bundles: vec![to.bundle.clone()],
                    };
                    sends.extend(from.handle(bundles, now_ms).await?.frames);
                }
                other => sends.push(other),
            }
        }
    }
    let mut envelopes = Vec::with_capacity(sends.len());
    for frame in sends {
        if let ClientFrame::Send {
            envelopes: mut e, ..
        } = frame
        {
            if let Some(envelope) = e.pop() {
                envelopes.push(ServerFrame::Envelope {
                    id: envelopes.len() as u64 + 1,
                    sender: sender.0.clone(),
                    sender_device: sender.1,
                    received_ms: now_ms,
                    payload: envelope.payload,
                });
            }
        }
    }
    Ok(envelopes)
}
