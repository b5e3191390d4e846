//! Every session with one remote device. When both sides start a session at the same time each
//! ends up with two; the one that last decrypted a message becomes current, so both converge on
//! the same session as soon as either replies (as libsignal does).

use zeroize::Zeroizing;

use crate::codec::{DecodeError, Reader, Writer};
use crate::crypto::Plaintext;
use crate::keys::{DeviceAddress, IdentityKeyPair, OneTimePreKeyPair, SignedPreKeyPair};
use crate::ratchet::{DecryptError, EncryptError, Session};
use crate::wire::{Message, PreKeyMessage, RatchetMessage};
use crate::x3dh::{self, X3dhError};
use crate::Rng;

/// How many sessions are kept besides the current one.
pub const MAX_ARCHIVED_SESSIONS: usize = 4;
const RECORD_TYPE: u8 = 0x82;
/// A stored session is at least this long (bounds the item count before allocating).
const MIN_SESSION_BYTES: usize = 200;
const MAX_SESSION_BYTES: usize = 256 * 1024;

/// The sessions with one remote device, current first.
#[derive(Clone, Debug, Default)]
pub struct SessionRecord {
    sessions: Vec<Session>,
}

impl SessionRecord {
    /// No session yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The session new messages are encrypted with.
    pub fn current(&self) -> Option<&Session> {
        self.sessions.first()
    }

    /// How many sessions are kept (current included).
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Whether there is no session.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// Makes `session` current, archiving the others.
    pub fn promote(&mut self, session: Session) {
        self.sessions.insert(0, session);
        self.sessions.truncate(MAX_ARCHIVED_SESSIONS + 1);
    }

    /// Encrypts with the current session.
    pub fn encrypt(&mut self, plaintext: &[u8]) -> Result<Message, EncryptError> {
        self.sessions
            .first_mut()
            .ok_or(EncryptError::NoSession)?
            .encrypt(plaintext)
    }

    /// Decrypts an ordinary message with whichever session it belongs to; that session becomes
    /// current. On failure nothing changes.
    pub fn decrypt(
        &mut self,
        message: &RatchetMessage,
        rng: &mut impl Rng,
    ) -> Result<Plaintext, DecryptError> {
        let mut first_error = None;
        for i in 0..self.sessions.len() {
            match self.sessions[i].decrypt(message, rng) {
                Ok(plaintext) => {
                    let session = self.sessions.remove(i);
                    self.sessions.insert(0, session);
                    return Ok(plaintext);
                }
                // A duplicate is the most useful answer: the message did belong here.
                Err(DecryptError::Duplicate) => return Err(DecryptError::Duplicate),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or(DecryptError::BadMessage))
    }

    /// Decrypts a prekey message: with the session it started, if that exists (the initiator
    /// repeats the X3DH header until it hears back), else through X3DH with the prekeys the
    /// caller looked up by the ids in the message.
    pub fn decrypt_prekey(
        &mut self,
        message: &PreKeyMessage,
        local: &IdentityKeyPair,
        local_address: &DeviceAddress,
        signed_prekey: Option<&SignedPreKeyPair>,
        one_time_prekey: Option<&OneTimePreKeyPair>,
        rng: &mut impl Rng,
    ) -> Result<Plaintext, X3dhError> {
        let base_key = message.base_key.as_bytes();
        if let Some(i) = self
            .sessions
            .iter()
            .position(|s| s.base_key().as_bytes() == base_key)
        {
            // A repeat of the header that started this session: every field must be the same.
            let session = &self.sessions[i];
            if !session.matches_prekey_message(message) || session.local_address() != local_address
            {
                return Err(X3dhError::Decrypt(DecryptError::BadMessage));
            }
            let plaintext = self.sessions[i]
                .decrypt(&message.message, rng)
                .map_err(X3dhError::Decrypt)?;
            let session = self.sessions.remove(i);
            self.sessions.insert(0, session);
            return Ok(plaintext);
        }
        // Signed prekey ids only grow: a first message on an older one than a session the
        // same device already started here was made before it (a replay).
        let newest = (self.sessions.iter())
            .filter_map(Session::started_on_signed_prekey)
            .max();
        if newest.is_some_and(|id| id > message.signed_prekey_id) {
            return Err(X3dhError::Stale);
        }
        let signed_prekey = signed_prekey.ok_or(X3dhError::SignedPreKeyMismatch)?;
        let (session, plaintext) = x3dh::respond(
            local,
            local_address,
            signed_prekey,
            one_time_prekey,
            message,
            rng,
        )?;
        self.promote(session);
        Ok(plaintext)
    }

    /// For storage; zeroized when dropped.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::default();
        w.u8(crate::WIRE_VERSION)
            .u8(RECORD_TYPE)
            .u32(self.sessions.len() as u32);
        for session in &self.sessions {
            w.var(&session.to_bytes());
        }
        Zeroizing::new(core::mem::take(&mut w.buf))
    }

    /// Restores a stored record; anything malformed is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let version = r.stored_header(RECORD_TYPE)?;
        let n = r.count("sessions", MAX_ARCHIVED_SESSIONS + 1, MIN_SESSION_BYTES)?;
        let mut sessions = Vec::with_capacity(n);
        for _ in 0..n {
            let session = r.var("session", MAX_SESSION_BYTES)?;
            // This build writes a record and its sessions in one version: only an earlier
            // build's record may hold earlier sessions (migrated as they load).
            if version == crate::WIRE_VERSION && session.first() != Some(&crate::WIRE_VERSION) {
                return Err(DecodeError::Invalid("session of an earlier version"));
            }
            sessions.push(Session::from_bytes(session)?);
        }
        r.finish()?;
        Ok(Self { sessions })
    }
}
