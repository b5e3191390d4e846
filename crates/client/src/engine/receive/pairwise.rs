//! One pairwise envelope: decrypted on a copy of the batch's session with its device, and
//! taken (the copy replaces the session) only once the sender is a device its account signed
//! (`senders`): listed already, or shown by the signed list a new session's messages carry.

use hush_protocol::crypto::Plaintext;
use hush_protocol::keys::OneTimePreKeyPair;
use hush_protocol::ratchet::DecryptError;
use hush_protocol::record::SessionRecord;
use hush_protocol::wire::Message;
use hush_protocol::x3dh::X3dhError;
use hush_protocol::{DecodeError, DeviceAddress, IdentityKey, Rng};

use super::Batch;
use crate::account::LocalAccount;
use crate::content::Content;
use crate::devices::Refusal;
use crate::engine::{Engine, Event};
use crate::error::{Broken, EngineError};
use crate::model::ChatId;
use crate::store::Store;

/// A pairwise message that decrypted and whose sender is accepted.
pub(super) struct Opened {
    /// What it carried (`Err` if it does not decode).
    pub(super) content: Result<Content, DecodeError>,
    /// The device's identity key before (of the session that was current).
    pub(super) before: Option<IdentityKey>,
    /// The identity key of the session that decrypted it.
    pub(super) after: Option<IdentityKey>,
}

/// Content, and the account key and list it was attested with, if it was.
type Unwrapped = (Result<Content, DecodeError>, Option<([u8; 32], Vec<u8>)>);

/// The content a plaintext carries, unwrapped from its attestation if it has one (once: an
/// attestation inside an attestation is refused).
fn unwrap_attested(plaintext: &[u8]) -> Unwrapped {
    match Content::decode(plaintext) {
        Ok(Content::Attested {
            account_key,
            device_list,
            inner,
        }) => (
            Content::decode(&inner.0).and_then(|c| match c {
                Content::Attested { .. } => Err(DecodeError::Invalid(
                    "attested content inside attested content",
                )),
                c => Ok(c),
            }),
            Some((account_key, device_list)),
        ),
        other => (other, None),
    }
}

/// Whether `message` is a first message naming another sender than the address it was
/// delivered from (the relay re-addressed it): refused unread and reported, before any key or
/// session is touched.
fn misaddressed(batch: &mut Batch, from: &DeviceAddress, message: &Message) -> bool {
    let Message::PreKey(prekey) = message else {
        return false;
    };
    if prekey.sender == *from {
        return false;
    }
    batch.events.push(Event::DevicesRefused {
        account: from.username(),
        reason: Refusal::Misaddressed(prekey.sender.clone()),
    });
    true
}

/// A copy of a session to decrypt on, with what our side of it needs.
struct SessionCopy<'a> {
    account: &'a LocalAccount,
    local: &'a DeviceAddress,
    record: SessionRecord,
}

impl SessionCopy<'_> {
    /// Decrypts `message`, handing back the copy as it is after.
    fn decrypt(
        mut self,
        message: &Message,
        one_time: Option<&OneTimePreKeyPair>,
        rng: &mut impl Rng,
    ) -> Result<(SessionRecord, Plaintext), X3dhError> {
        let plaintext = match message {
            Message::PreKey(prekey) => {
                // The current signed prekey or one replaced less than two weeks ago.
                let signed = self.account.signed_prekey_by_id(prekey.signed_prekey_id);
                self.record.decrypt_prekey(
                    prekey,
                    &self.account.identity,
                    self.local,
                    signed,
                    one_time,
                    rng,
                )
            }
            Message::Ratchet(ratchet) => self
                .record
                .decrypt(ratchet, rng)
                .map_err(X3dhError::Decrypt),
        }?;
        Ok((self.record, plaintext))
    }
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// A pairwise envelope from `from` into the batch.
    pub(super) async fn receive_pairwise(
        &mut self,
        batch: &mut Batch,
        from: &DeviceAddress,
        payload: &[u8],
    ) -> Result<(), EngineError> {
        let decoded = Message::decode(payload);
        if super::is_outdated(&decoded) {
            self.update_needed(batch, ChatId::Direct(from.username()));
            return Ok(());
        }
        let Ok(message) = decoded else {
            batch.undecryptable(from);
            return Ok(());
        };
        match self.open_pairwise(batch, from, &message).await? {
            Some(opened) => self.apply_pairwise(batch, from, opened).await,
            None => Ok(()),
        }
    }

    /// Decrypts `message` on a copy of the session and checks its sender; `None` if it is not
    /// taken (a repeat, undecryptable, or from a device its account did not sign: as if it
    /// never came).
    async fn open_pairwise(
        &mut self,
        batch: &mut Batch,
        from: &DeviceAddress,
        message: &Message,
    ) -> Result<Option<Opened>, EngineError> {
        if misaddressed(batch, from, message) {
            return Ok(None);
        }
        let one_time = match message {
            Message::PreKey(prekey) => match prekey.one_time_prekey_id {
                Some(id) if !batch.used_prekeys.contains(&id) => self.store.prekey(id).await?,
                _ => None,
            },
            Message::Ratchet(_) => None,
        };
        self.load_pin(&mut batch.pins, from.account()).await?;
        let record = match batch.sessions.get_mut(from) {
            Some(record) => record.clone(),
            None => SessionRecord::default(),
        };
        let before = record.current().map(|s| *s.remote_identity());
        // Only a device the account signed may send: one already listed with this identity,
        // or (a new session) one whose message shows a list naming it. Until that is
        // checked, the session is changed on a copy.
        let claimed = match message {
            Message::PreKey(prekey) => Some(prekey.sender_identity),
            Message::Ratchet(_) => before,
        };
        if !batch.pins.lists(from, claimed.as_ref()) && matches!(message, Message::Ratchet(_)) {
            self.refuse_unlisted(batch, from);
            return Ok(None);
        }
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let local = account.address().map_err(|_| Broken::AccountName)?;
        let copy = SessionCopy {
            account,
            local: &local,
            record,
        };
        let (working, plaintext) = match copy.decrypt(message, one_time.as_ref(), &mut self.rng) {
            Ok(decrypted) => decrypted,
            // Seen before, or a first message older than the session it would replace (a
            // replay): nothing new.
            Err(X3dhError::Decrypt(DecryptError::Duplicate) | X3dhError::Stale) => return Ok(None),
            Err(_) => {
                batch.undecryptable(from);
                return Ok(None);
            }
        };
        let (content, attested) = unwrap_attested(&plaintext);
        if super::is_outdated(&content) {
            // Another version inside: shown, and the session copy is dropped (no step taken).
            self.update_needed(batch, ChatId::Direct(from.username()));
            return Ok(None);
        }
        let vouched = match attested {
            Some((key, list)) => self.attest(batch, from, key, &list),
            None => true,
        };
        // The identity of the session that decrypted it (an older one may have).
        let after = working.current().map(|s| *s.remote_identity());
        if !(vouched && batch.pins.lists(from, after.as_ref())) {
            // Not a device its account signed: as if it never came.
            if vouched {
                self.refuse_unlisted(batch, from);
            }
            return Ok(None);
        }
        // Accepted: the one-time prekey it used is gone with the session it started.
        if let Message::PreKey(prekey) = message {
            batch.used_prekeys.extend(prekey.one_time_prekey_id);
        }
        batch.session_changed(from.clone(), working);
        Ok(Some(Opened {
            content,
            before,
            after,
        }))
    }

    /// A message from a device its account's pinned list does not name (with that identity).
    fn refuse_unlisted(&self, batch: &mut Batch, from: &DeviceAddress) {
        batch.events.push(Event::DevicesRefused {
            account: from.username(),
            reason: Refusal::Unlisted(from.device()),
        });
    }

    /// What an accepted message carried, from one of our own devices or from a contact.
    async fn apply_pairwise(
        &mut self,
        batch: &mut Batch,
        from: &DeviceAddress,
        opened: Opened,
    ) -> Result<(), EngineError> {
        let sender = from.username();
        if self.is_own(&sender) {
            // One of our other devices: transcripts, read state and groups, no receipts.
            return self.apply_own(batch, from, opened.content).await;
        }
        let (before, after) = (opened.before, opened.after);
        if before.is_some() && after != before {
            if let Some(notice) = self.device_replaced(&sender, batch.now_ms, &mut batch.changes) {
                batch.events.push(Event::Message(notice));
            }
        }
        // A new session (a new contact, or a new key): they get our profile.
        if after != before && !batch.introduce.contains(&sender) {
            batch.introduce.push(sender);
        }
        match opened.content {
            Ok(content) => self.apply_content(batch, from, content).await,
            Err(_) => {
                batch.undecryptable(from);
                Ok(())
            }
        }
    }
}
