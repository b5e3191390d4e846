//! What is kept of contacts: verified keys, display names, muted chats, pinned lists.

use hush_protocol::devices::{AccountKey, DeviceList, ListedDevice};
use hush_protocol::{IdentityKeyPair, Rng, Username};

use super::{chat, ensure, store_error, user, Outcome};
use crate::model::{ContactProfile, PinnedDevices};
use crate::store::{Changes, Store};
use hush_protocol::attachment::{
    padding, stream, AttachmentKey, AttachmentPointer, Dimensions, Mime,
};

/// Verified keys are kept per contact until cleared.
pub async fn verified(store: &impl Store) -> Outcome {
    let (bob, carol) = (user("bob")?, user("carol")?);
    ensure(
        store.verified(&bob).await.map_err(store_error)?.is_none(),
        "nobody is verified in a fresh store",
    )?;
    let set = |account: &Username, key: Option<[u8; 64]>| Changes {
        verified: vec![(account.clone(), key)],
        ..Changes::default()
    };
    store
        .commit(set(&bob, Some([7; 64])))
        .await
        .map_err(store_error)?;
    store
        .commit(set(&carol, Some([8; 64])))
        .await
        .map_err(store_error)?;
    ensure(
        store.verified(&bob).await.map_err(store_error)? == Some([7; 64]),
        "a verified key comes back",
    )?;
    store.commit(set(&bob, None)).await.map_err(store_error)?;
    ensure(
        store.verified(&bob).await.map_err(store_error)?.is_none()
            && store.verified(&carol).await.map_err(store_error)? == Some([8; 64]),
        "clearing one contact's key leaves the others",
    )
}

/// Contacts' display names: kept per account, the latest one holding.
pub async fn names(store: &impl Store) -> Outcome {
    ensure(
        store.names().await.map_err(store_error)?.is_empty(),
        "a fresh store knows no names",
    )?;
    let named = |pairs: &[(&str, &str)]| -> Result<Changes, String> {
        let names = pairs
            .iter()
            .map(|(a, n)| Ok((user(a)?, (*n).to_owned())))
            .collect::<Result<_, String>>()?;
        Ok(Changes {
            names,
            ..Changes::default()
        })
    };
    store
        .commit(named(&[("carol", "Carol C."), ("bob", "Bob")])?)
        .await
        .map_err(store_error)?;
    store
        .commit(named(&[("bob", "Bobby B.")])?)
        .await
        .map_err(store_error)?;
    let names = store.names().await.map_err(store_error)?;
    ensure(
        names
            == [
                (user("bob")?, "Bobby B.".to_owned()),
                (user("carol")?, "Carol C.".to_owned()),
            ],
        "names are listed by account, the latest kept",
    )
}

/// Contacts' About lines and photos: kept per account, the latest one holding.
pub async fn profiles(store: &impl Store) -> Outcome {
    ensure(
        store.profiles().await.map_err(store_error)?.is_empty(),
        "a fresh store knows no profiles",
    )?;
    let photo = AttachmentPointer {
        blob: [9; 32],
        key: AttachmentKey::from_bytes(&[8; AttachmentKey::LEN]),
        sha256: [7; 32],
        ciphertext_len: padding::framed_len(40_000)
            .and_then(stream::ciphertext_len)
            .ok_or_else(|| "no padded length".to_owned())?,
        mime: Mime::Jpeg,
        file_name: String::new(),
        dimensions: Some(Dimensions {
            width: 512,
            height: 512,
        }),
        duration_ms: None,
        thumbnail: Vec::new(),
        waveform: Vec::new(),
        caption: String::new(),
    };
    let profile = |about: &str, photo: Option<AttachmentPointer>| ContactProfile {
        about: about.to_owned(),
        photo,
    };
    store
        .commit(Changes {
            profiles: vec![
                (user("carol")?, profile("مرحبا", None)),
                (user("bob")?, profile("Out hiking", Some(photo.clone()))),
            ],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    store
        .commit(Changes {
            profiles: vec![(user("carol")?, profile("", Some(photo.clone())))],
            ..Changes::default()
        })
        .await
        .map_err(store_error)?;
    let profiles = store.profiles().await.map_err(store_error)?;
    ensure(
        profiles
            == [
                (user("bob")?, profile("Out hiking", Some(photo.clone()))),
                (user("carol")?, profile("", Some(photo))),
            ],
        "profiles are listed by account, the latest kept, photos whole",
    )
}

/// Muted chats: listed sorted, the last change for a chat holding, unmuting removes.
pub async fn muted(store: &impl Store) -> Outcome {
    ensure(
        store.muted().await.map_err(store_error)?.is_empty(),
        "a fresh store has no muted chat",
    )?;
    let change = |pairs: &[(&str, bool)]| -> Result<Changes, String> {
        let muted = pairs
            .iter()
            .map(|(c, m)| Ok((chat(c)?, *m)))
            .collect::<Result<_, String>>()?;
        Ok(Changes {
            muted,
            ..Changes::default()
        })
    };
    store
        .commit(change(&[("dave", true), ("bob", true), ("carol", true)])?)
        .await
        .map_err(store_error)?;
    store
        .commit(change(&[
            ("carol", false),
            ("erin", true),
            ("erin", false),
        ])?)
        .await
        .map_err(store_error)?;
    ensure(
        store.muted().await.map_err(store_error)? == [chat("bob")?, chat("dave")?],
        "muted chats are listed sorted (as spelled), unmuted ones gone",
    )
}

/// Contacts' pinned account keys and device lists: kept per account, the latest one holding.
pub async fn pinned_devices(store: &impl Store, rng: &mut impl Rng) -> Outcome {
    let key = AccountKey::generate(rng);
    let mut device = |id| {
        let identity = IdentityKeyPair::generate(rng).public();
        ListedDevice::certify("bob", id, identity, "Chrome on Linux", 0, &key)
    };
    let (one, two) = (
        device(1).map_err(|e| e.to_string())?,
        device(2).map_err(|e| e.to_string())?,
    );
    let first = DeviceList::sign("bob", 1, vec![one.clone()], &key).map_err(|e| e.to_string())?;
    let second = DeviceList::sign("bob", 2, vec![one, two], &key).map_err(|e| e.to_string())?;
    let pinned = |list: &DeviceList| PinnedDevices {
        account_key: key.public(),
        list: list.clone(),
    };
    ensure(
        store
            .pinned_devices("bob")
            .await
            .map_err(store_error)?
            .is_none(),
        "a fresh store has pinned no devices",
    )?;
    for list in [&first, &second] {
        store
            .commit(Changes {
                pinned_devices: vec![pinned(list)],
                ..Changes::default()
            })
            .await
            .map_err(store_error)?;
    }
    ensure(
        store.pinned_devices("bob").await.map_err(store_error)? == Some(pinned(&second)),
        "the newest pinned list is kept whole",
    )?;
    ensure(
        store
            .pinned_devices("carol")
            .await
            .map_err(store_error)?
            .is_none(),
        "pinned lists are per account",
    )
}
