//! Byte encodings of the records a persistent store keeps (IndexedDB stores these bytes), each
//! versioned and bounded like the wire formats: stored bytes are untrusted input too (a damaged
//! profile, a newer build), so decoding never panics and says what is wrong.

use hush_protocol::codec::{Reader, Writer};
use hush_protocol::devices::{AccountKey, DeviceList, MAX_DEVICE_NAME};
use hush_protocol::keys::SignedPreKeyPair;
use hush_protocol::{DecodeError, IdentityKeyPair};
use zeroize::Zeroizing;

use hush_protocol::relay::MAX_DEVICE_LIST;

use super::{ChatMessage, Kind, OutboxEntry, PinnedDevices, Status};
use crate::account::LocalAccount;
use crate::content::{MAX_DISPLAY_NAME, MAX_TEXT};

/// An account as first stored (no display name).
const ACCOUNT_V1: u8 = 0xA0;
const MESSAGE: u8 = 0xA1;
const OUTBOX: u8 = 0xA2;
/// An account with its display name at the end.
const ACCOUNT_V2: u8 = 0xA3;
const PINNED_DEVICES: u8 = 0xA4;
/// An account with its display name, then this device's name.
const ACCOUNT: u8 = 0xA5;
/// An account name is at most 64 bytes (the relay allows 32).
const MAX_NAME: usize = 64;
/// The largest encoded content an outbox entry holds.
const MAX_CONTENT: usize = MAX_TEXT + 1024;

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
    Zeroizing::new(w.into_bytes())
}

/// Restores [`encode_account`]'s bytes.
pub fn decode_account(bytes: &[u8]) -> Result<LocalAccount, DecodeError> {
    let mut r = Reader::new(bytes);
    let kind = bytes.get(1).copied().ok_or(DecodeError::Truncated)?;
    match kind {
        ACCOUNT_V1 | ACCOUNT_V2 => r.header(kind)?,
        _ => r.header(ACCOUNT)?,
    }
    let name = r.string("account name", MAX_NAME)?;
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
        ACCOUNT => r.string("device name", MAX_DEVICE_NAME)?,
        _ => crate::account::DEFAULT_DEVICE_NAME.to_owned(),
    };
    r.finish()?;
    Ok(LocalAccount {
        name,
        device_id,
        account_key,
        identity,
        signed_prekey,
        registered,
        next_prekey_id,
        display_name,
        device_name,
    })
}

fn status_byte(status: Status) -> u8 {
    match status {
        Status::Sending => 0,
        Status::Sent => 1,
        Status::Delivered => 2,
        Status::Read => 3,
        Status::Failed => 4,
    }
}

/// A status from its stored byte.
pub fn status_from_byte(byte: u8) -> Result<Status, DecodeError> {
    Ok(match byte {
        0 => Status::Sending,
        1 => Status::Sent,
        2 => Status::Delivered,
        3 => Status::Read,
        4 => Status::Failed,
        _ => return Err(DecodeError::Invalid("status")),
    })
}

/// One message.
pub fn encode_message(message: &ChatMessage) -> Vec<u8> {
    let mut w = Writer::default();
    w.header(MESSAGE)
        .raw(&message.id)
        .u8(match message.kind {
            Kind::Text => 0,
            Kind::SecurityCodeChanged => 1,
            Kind::DeviceLinked => 2,
        })
        .var(message.chat.as_bytes())
        .u8(u8::from(message.from_me))
        .var(message.body.as_bytes())
        .u64(message.sent_ms)
        .u8(status_byte(message.status));
    w.into_bytes()
}

/// Restores [`encode_message`]'s bytes.
pub fn decode_message(bytes: &[u8]) -> Result<ChatMessage, DecodeError> {
    let mut r = Reader::new(bytes);
    r.header(MESSAGE)?;
    let message = ChatMessage {
        id: r.array()?,
        kind: match r.u8()? {
            0 => Kind::Text,
            1 => Kind::SecurityCodeChanged,
            2 => Kind::DeviceLinked,
            _ => return Err(DecodeError::Invalid("message kind")),
        },
        chat: r.string("chat", MAX_NAME)?,
        from_me: r.bool("from-me flag")?,
        body: r.string("text", MAX_TEXT)?,
        sent_ms: r.u64()?,
        status: status_from_byte(r.u8()?)?,
    };
    r.finish()?;
    Ok(message)
}

/// One outbox entry.
pub fn encode_outbox(entry: &OutboxEntry) -> Vec<u8> {
    let mut w = Writer::default();
    w.header(OUTBOX)
        .raw(&entry.id)
        .var(entry.to.as_bytes())
        .var(&entry.content)
        .u32(entry.attempts);
    w.into_bytes()
}

/// Restores [`encode_outbox`]'s bytes.
pub fn decode_outbox(bytes: &[u8]) -> Result<OutboxEntry, DecodeError> {
    let mut r = Reader::new(bytes);
    r.header(OUTBOX)?;
    let entry = OutboxEntry {
        id: r.array()?,
        to: r.string("recipient", MAX_NAME)?,
        content: r.var("content", MAX_CONTENT)?.to_vec(),
        attempts: r.u32()?,
    };
    r.finish()?;
    Ok(entry)
}

/// A contact's pinned account key and device list.
pub fn encode_pinned(pinned: &PinnedDevices) -> Vec<u8> {
    let mut w = Writer::default();
    w.header(PINNED_DEVICES)
        .raw(&pinned.account_key)
        .var(&pinned.list.encode());
    w.into_bytes()
}

/// Restores [`encode_pinned`]'s bytes (the list is decoded, not verified again).
pub fn decode_pinned(bytes: &[u8]) -> Result<PinnedDevices, DecodeError> {
    let mut r = Reader::new(bytes);
    r.header(PINNED_DEVICES)?;
    let account_key = r.array()?;
    let list = DeviceList::decode(r.var("device list", MAX_DEVICE_LIST)?)
        .map_err(|_| DecodeError::Invalid("device list"))?;
    r.finish()?;
    Ok(PinnedDevices { account_key, list })
}

#[cfg(test)]
mod tests {
    use rand_chacha::rand_core::SeedableRng;

    use super::*;

    #[test]
    fn records_round_trip_and_damage_is_an_error() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let mut account = LocalAccount::generate("alice", "Firefox on Linux", &mut rng);
        account.registered = true;
        account.next_prekey_id = 101;
        account.display_name = "Alice A.".into();
        let bytes = encode_account(&account);
        let back = decode_account(&bytes).unwrap();
        assert_eq!(encode_account(&back), bytes);
        assert_eq!(back.identity.public(), account.identity.public());
        assert_eq!(back.display_name, "Alice A.");
        // An account stored before display names existed reads back without one.
        let mut v1 = Writer::default();
        v1.header(ACCOUNT_V1)
            .var(account.name.as_bytes())
            .u32(account.device_id)
            .raw(account.account_key.to_bytes().as_slice())
            .raw(account.identity.to_bytes().as_slice())
            .var(&account.signed_prekey.to_bytes())
            .u8(1)
            .u32(101);
        let old = decode_account(&v1.into_bytes()).unwrap();
        assert_eq!(
            (old.name.as_str(), old.display_name.as_str()),
            ("alice", "")
        );
        assert_eq!(old.identity.public(), account.identity.public());

        let message = ChatMessage {
            id: [7; 16],
            kind: Kind::SecurityCodeChanged,
            chat: "bob".into(),
            from_me: true,
            body: "hi".into(),
            sent_ms: 5,
            status: Status::Read,
        };
        assert_eq!(
            decode_message(&encode_message(&message)),
            Ok(message.clone())
        );
        let entry = OutboxEntry {
            id: [8; 16],
            to: "bob".into(),
            content: vec![1, 2, 3],
            attempts: 2,
        };
        assert_eq!(decode_outbox(&encode_outbox(&entry)), Ok(entry.clone()));

        for bytes in [
            bytes.to_vec(),
            encode_message(&message),
            encode_outbox(&entry),
        ] {
            for cut in 0..bytes.len() {
                assert!(decode_account(&bytes[..cut]).is_err());
                assert!(decode_message(&bytes[..cut]).is_err());
                assert!(decode_outbox(&bytes[..cut]).is_err());
            }
        }
        let mut bad = encode_message(&message);
        *bad.last_mut().unwrap() = 9;
        assert_eq!(decode_message(&bad), Err(DecodeError::Invalid("status")));
    }
}
