//! The stored form of this device's account (secrets included), every form it had.

use hush_protocol::attachment::AttachmentPointer;
use hush_protocol::codec::{Reader, Writer};
use hush_protocol::devices::{AccountKey, MAX_DEVICE_NAME};
use hush_protocol::keys::SignedPreKeyPair;
use hush_protocol::relay::PresenceVisibility;
use hush_protocol::{DecodeError, IdentityKeyPair, Username};
use zeroize::Zeroizing;

use super::MAX_NAME;
use crate::account::{LocalAccount, RetiredPreKey, MAX_RETIRED_PREKEYS};
use crate::content::MAX_DISPLAY_NAME;

/// An account as first stored (no display name).
pub(super) const ACCOUNT_V1: u8 = 0xA0;
/// An account with its display name at the end.
pub(super) const ACCOUNT_V2: u8 = 0xA3;
/// An account with its display name, then this device's name.
pub(super) const ACCOUNT_V3: u8 = 0xA5;
/// An account with when its signed prekey was handed out and the replaced ones still kept.
pub(super) const ACCOUNT_V4: u8 = 0xA9;
/// An account with its presence setting at the end (and whether the relay has it yet).
pub(super) const ACCOUNT_V5: u8 = 0xAA;
/// An account with whether it sends read receipts at the end.
pub(super) const ACCOUNT_V6: u8 = 0xB7;
/// An account with its About line and profile photo at the end.
pub(super) const ACCOUNT: u8 = 0xB8;

/// The account, secrets included (zeroized when dropped).
pub fn encode_account(account: &LocalAccount) -> Zeroizing<Vec<u8>> {
    let mut w = Writer::default();
    w.header(ACCOUNT)
        .var(account.name.as_bytes())
        .u32(account.device_id)
        .raw(account.account_key.to_bytes().as_slice())
        .raw(account.identity.to_bytes().as_slice())
        .var(&account.signed_prekey.to_bytes())
        .u8(u8::from(account.registered))
        .u32(account.next_prekey_id)
        .var(account.display_name.as_bytes())
        .var(account.device_name.as_bytes());
    match account.signed_prekey_since_ms {
        Some(since) => w.u8(1).u64(since),
        None => w.u8(0),
    };
    // At most MAX_RETIRED_PREKEYS (3), so the count fits a byte.
    w.u8(account.retired_prekeys.len().min(MAX_RETIRED_PREKEYS) as u8);
    for retired in account.retired_prekeys.iter().take(MAX_RETIRED_PREKEYS) {
        w.var(&retired.key.to_bytes()).u64(retired.retired_ms);
    }
    w.u8(account.presence.to_byte())
        .u8(u8::from(account.presence_unsent))
        .u8(u8::from(account.read_receipts))
        .var(account.about.as_bytes());
    AttachmentPointer::write_optional(account.photo.as_ref(), &mut w);
    Zeroizing::new(w.into_bytes())
}

/// When the signed prekey was handed out and the replaced ones kept. An account stored before
/// rotation existed has had its key since (at least) it was made: time 0, replaced at once.
fn decode_rotation(
    r: &mut Reader<'_>,
    kind: u8,
) -> Result<(Option<u64>, Vec<RetiredPreKey>), DecodeError> {
    if !matches!(kind, ACCOUNT | ACCOUNT_V6 | ACCOUNT_V5 | ACCOUNT_V4) {
        return Ok((Some(0), Vec::new()));
    }
    let since = match r.u8()? {
        0 => None,
        1 => Some(r.u64()?),
        _ => return Err(DecodeError::Invalid("signed prekey age")),
    };
    let count = usize::from(r.u8()?);
    if count > MAX_RETIRED_PREKEYS {
        return Err(DecodeError::Invalid("too many replaced signed prekeys"));
    }
    let mut retired = Vec::with_capacity(count);
    for _ in 0..count {
        let key = SignedPreKeyPair::from_bytes(r.var("replaced signed prekey", 128)?)?;
        let retired_ms = r.u64()?;
        retired.push(RetiredPreKey { key, retired_ms });
    }
    Ok((since, retired))
}

/// Restores [`encode_account`]'s bytes.
pub fn decode_account(bytes: &[u8]) -> Result<LocalAccount, DecodeError> {
    let mut r = Reader::new(bytes);
    let kind = bytes.get(1).copied().ok_or(DecodeError::Truncated)?;
    match kind {
        ACCOUNT_V1 | ACCOUNT_V2 | ACCOUNT_V3 | ACCOUNT_V4 | ACCOUNT_V5 | ACCOUNT_V6 => {
            r.stored_header(kind)?
        }
        _ => r.stored_header(ACCOUNT)?,
    };
    let name = Username::new(r.string("account name", MAX_NAME)?)?;
    let device_id = r.u32()?;
    let account_key = AccountKey::from_bytes(&Zeroizing::new(r.array::<32>()?));
    let identity = IdentityKeyPair::from_bytes(&Zeroizing::new(r.array::<64>()?));
    let signed_prekey = SignedPreKeyPair::from_bytes(r.var("signed prekey", 128)?)?;
    let registered = r.bool("registered flag")?;
    let next_prekey_id = r.u32()?;
    let display_name = match kind {
        ACCOUNT_V1 => String::new(),
        _ => r.string("display name", MAX_DISPLAY_NAME * 4)?,
    };
    let device_name = match kind {
        ACCOUNT | ACCOUNT_V6 | ACCOUNT_V5 | ACCOUNT_V4 | ACCOUNT_V3 => {
            r.string("device name", MAX_DEVICE_NAME)?
        }
        _ => crate::account::DEFAULT_DEVICE_NAME.to_owned(),
    };
    let (signed_prekey_since_ms, retired_prekeys) = decode_rotation(&mut r, kind)?;
    // Stored before the setting existed: the relay's default, which it tells on connecting.
    let (presence, presence_unsent) = match kind {
        ACCOUNT | ACCOUNT_V6 | ACCOUNT_V5 => (
            PresenceVisibility::from_byte(r.u8()?)?,
            r.bool("presence unsent flag")?,
        ),
        _ => (PresenceVisibility::Everyone, false),
    };
    // Stored before the setting existed: on, as every account was.
    let read_receipts = match kind {
        ACCOUNT | ACCOUNT_V6 => r.bool("read receipts flag")?,
        _ => true,
    };
    let (about, photo) = match kind {
        ACCOUNT => (
            r.string("about", crate::model::MAX_ABOUT_BYTES)?,
            AttachmentPointer::read_optional(&mut r, "profile photo flag")?,
        ),
        _ => (String::new(), None),
    };
    r.finish()?;
    Ok(LocalAccount {
        name,
        device_id,
        account_key,
        identity,
        signed_prekey,
        signed_prekey_since_ms,
        retired_prekeys,
        registered,
        next_prekey_id,
        display_name,
        device_name,
        presence,
        presence_unsent,
        read_receipts,
        about,
        photo,
    })
}
