//! X3DH (Signal's spec, rev. 1): a session from a published prekey bundle, with no round trip.

use crate::crypto::{self, NonContributory, Plaintext};
use crate::kdf;
use crate::keys::{
    DeviceAddress, IdentityKeyPair, OneTimePreKeyPair, RatchetKeyPair, SignedPreKeyPair,
};
use crate::ratchet::{DecryptError, Parties, PreKeyIds, Session};
use crate::wire::{PreKeyBundle, PreKeyMessage};
use crate::Rng;

/// Why X3DH failed. Nothing is created or changed when it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum X3dhError {
    /// The bundle's signed prekey is not signed by the bundle's identity.
    BadSignature,
    /// A key in the bundle or message gives a non-contributory DH (a low-order point).
    NonContributory,
    /// The prekey message is addressed to another device.
    WrongRecipient,
    /// The prekey message names a signed prekey other than the one supplied.
    SignedPreKeyMismatch,
    /// The prekey message names a one-time prekey that was not supplied (used or never existed).
    OneTimePreKeyMissing,
    /// The first message names an older signed prekey than one the same device already
    /// started a session on: it was made before that session (a replay), so it never starts a
    /// new current session.
    Stale,
    /// The first message did not decrypt.
    Decrypt(DecryptError),
}

impl From<NonContributory> for X3dhError {
    fn from(_: NonContributory) -> Self {
        Self::NonContributory
    }
}

impl core::fmt::Display for X3dhError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::BadSignature => f.write_str("signed prekey signature does not verify"),
            Self::NonContributory => f.write_str("non-contributory key agreement"),
            Self::WrongRecipient => f.write_str("prekey message addressed to another device"),
            Self::SignedPreKeyMismatch => f.write_str("unknown signed prekey"),
            Self::OneTimePreKeyMissing => f.write_str("unknown or used one-time prekey"),
            Self::Stale => f.write_str("first message older than the current session"),
            Self::Decrypt(e) => write!(f, "first message: {e}"),
        }
    }
}

impl std::error::Error for X3dhError {}

/// Alice's side: checks the bundle, agrees on a secret and returns a session whose messages
/// carry the X3DH header until Bob replies.
pub fn initiate(
    local: &IdentityKeyPair,
    local_address: &DeviceAddress,
    bundle: &PreKeyBundle,
    rng: &mut impl Rng,
) -> Result<Session, X3dhError> {
    if !bundle.signed_prekey.verify(&bundle.identity) {
        return Err(X3dhError::BadSignature);
    }
    let spk = &bundle.signed_prekey.public;
    let ephemeral = RatchetKeyPair::generate(rng);
    let dh1 = crypto::dh(local.dh_secret(), spk)?;
    let dh2 = crypto::dh(&ephemeral.secret, &bundle.identity.dh)?;
    let dh3 = crypto::dh(&ephemeral.secret, spk)?;
    let secret = match &bundle.one_time_prekey {
        Some(otk) => {
            let dh4 = crypto::dh(&ephemeral.secret, &otk.public)?;
            kdf::x3dh_secret(&[&dh1, &dh2, &dh3, &dh4])
        }
        None => kdf::x3dh_secret(&[&dh1, &dh2, &dh3]),
    };
    let parties = Parties {
        initiator: true,
        local_identity: local.public(),
        remote_identity: bundle.identity,
        local: local_address.clone(),
        remote: bundle.address.clone(),
        base_key: ephemeral.public,
        prekeys: PreKeyIds {
            signed: bundle.signed_prekey.id,
            one_time: bundle.one_time_prekey.map(|k| k.id),
        },
    };
    Ok(Session::new_initiator(parties, secret, *spk, rng)?)
}

/// Bob's side: agrees on the same secret from the prekey message and decrypts its first
/// message. The caller looked up the prekeys the message names, and deletes the one-time prekey
/// only after storing the returned session.
pub fn respond(
    local: &IdentityKeyPair,
    local_address: &DeviceAddress,
    signed_prekey: &SignedPreKeyPair,
    one_time_prekey: Option<&OneTimePreKeyPair>,
    message: &PreKeyMessage,
    rng: &mut impl Rng,
) -> Result<(Session, Plaintext), X3dhError> {
    if &message.recipient != local_address {
        return Err(X3dhError::WrongRecipient);
    }
    if message.signed_prekey_id != signed_prekey.id() {
        return Err(X3dhError::SignedPreKeyMismatch);
    }
    let one_time_prekey = match (message.one_time_prekey_id, one_time_prekey) {
        (None, _) => None,
        (Some(id), Some(key)) if key.id() == id => Some(key),
        (Some(_), _) => return Err(X3dhError::OneTimePreKeyMissing),
    };
    let base = &message.base_key;
    let dh1 = crypto::dh(signed_prekey.secret(), &message.sender_identity.dh)?;
    let dh2 = crypto::dh(local.dh_secret(), base)?;
    let dh3 = crypto::dh(signed_prekey.secret(), base)?;
    let secret = match one_time_prekey {
        Some(otk) => {
            let dh4 = crypto::dh(otk.secret(), base)?;
            kdf::x3dh_secret(&[&dh1, &dh2, &dh3, &dh4])
        }
        None => kdf::x3dh_secret(&[&dh1, &dh2, &dh3]),
    };
    let parties = Parties {
        initiator: false,
        local_identity: local.public(),
        remote_identity: message.sender_identity,
        local: local_address.clone(),
        remote: message.sender.clone(),
        base_key: message.base_key,
        prekeys: PreKeyIds {
            signed: message.signed_prekey_id,
            one_time: message.one_time_prekey_id,
        },
    };
    let ratchet_key = RatchetKeyPair {
        secret: signed_prekey.secret().clone(),
        public: signed_prekey.public_key(),
    };
    let mut session = Session::new_responder(parties, secret, ratchet_key);
    let plaintext = session
        .decrypt(&message.message, rng)
        .map_err(X3dhError::Decrypt)?;
    Ok((session, plaintext))
}
