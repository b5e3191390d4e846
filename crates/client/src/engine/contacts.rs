//! The people we chat with: safety numbers and verification (over account keys), display
//! names both ways, muting, presence and typing, and the notices a chat shows about them.

use hush_protocol::attachment::AttachmentPointer;
use hush_protocol::fingerprint::SafetyNumber;
use hush_protocol::relay::ClientFrame;
use hush_protocol::{Rng, Username};

use super::connection::MAX_WATCHED;
use super::{Engine, Output};
use crate::account::LocalAccount;
use crate::content::{clean_display_name, Content};
use crate::error::{EngineError, InputError};
use crate::model::{clean_about, photo_fits, ChatId, ChatMessage, Kind, OutboxEntry, Status};
use crate::store::{Changes, Store};

/// How a verified account key is stored (the record holds 64 bytes: the key, then zeros).
fn verified_form(key: [u8; 32]) -> [u8; 64] {
    let mut stored = [0u8; 64];
    stored[..32].copy_from_slice(&key);
    stored
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// `chat`'s account key as pinned: what safety numbers and "Verified" are about (the same
    /// for all its devices).
    pub async fn contact_key(&self, chat: &Username) -> Result<Option<[u8; 32]>, EngineError> {
        Ok(self
            .store
            .pinned_devices(chat)
            .await?
            .map(|p| p.account_key))
    }

    /// The safety number to compare with `chat` (in person, or by scanning its QR code): over
    /// both account keys, so every device of either account shows the same one.
    pub async fn safety_number(
        &self,
        chat: &Username,
    ) -> Result<Option<SafetyNumber>, EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let ours = account.account_key.public();
        Ok(self
            .contact_key(chat)
            .await?
            .map(|theirs| SafetyNumber::of_accounts(&account.name, &ours, chat, &theirs)))
    }

    /// Whether the user verified `chat`'s current account key.
    pub async fn is_verified(&self, chat: &Username) -> Result<bool, EngineError> {
        let current = self.contact_key(chat).await?;
        let verified = self.store.verified(chat).await?;
        Ok(current.is_some() && current.map(verified_form) == verified)
    }

    /// Records that the user compared safety numbers with `chat` and they matched.
    pub async fn mark_verified(&mut self, chat: &Username) -> Result<bool, EngineError> {
        let Some(key) = self.contact_key(chat).await? else {
            return Ok(false);
        };
        self.store
            .commit(Changes {
                verified: vec![(chat.clone(), Some(verified_form(key)))],
                ..Changes::default()
            })
            .await?;
        Ok(true)
    }

    /// Mutes (or unmutes) `chat` on this device: a muted chat never notifies.
    pub async fn set_muted(&self, chat: &ChatId, muted: bool) -> Result<(), EngineError> {
        self.store
            .commit(Changes {
                muted: vec![(chat.clone(), muted)],
                ..Changes::default()
            })
            .await?;
        Ok(())
    }

    /// Our profile for `to` (display name, About line, photo), if we have any of it (what a
    /// new session starts with).
    pub(super) fn profile_for(&mut self, to: &Username) -> Option<OutboxEntry> {
        let account = self.account.as_ref()?;
        let said = !account.display_name.is_empty()
            || !account.about.is_empty()
            || account.photo.is_some();
        said.then(|| self.profile_entry(to)).flatten()
    }

    /// Our profile for `to`, as it is now (a change: also when it says nothing any more).
    fn profile_entry(&mut self, to: &Username) -> Option<OutboxEntry> {
        let profile = self.own_profile()?;
        Some(self.entry(to, profile))
    }

    /// Our profile as content.
    fn own_profile(&self) -> Option<Content> {
        let account = self.account.as_ref()?;
        Some(Content::Profile {
            display_name: account.display_name.clone(),
            about: account.about.clone(),
            photo: account.photo.clone().map(Box::new),
        })
    }

    /// Our profile to our own other devices (a change, or a device we just started a session
    /// with): each device keeps the account's profile, and tells it to contacts it meets.
    pub(super) fn profile_for_own_devices(&mut self, changes: &mut Changes) {
        if let Some(profile) = self.own_profile() {
            self.queue_for_own_devices(profile, changes);
        }
    }

    /// Sets how contacts see this account named (blank: by its username). Everyone we chat
    /// with alone is told now; new contacts when their session starts.
    pub async fn set_display_name(&mut self, name: &str) -> Result<Output, EngineError> {
        let display_name = if name.trim().is_empty() {
            String::new()
        } else {
            clean_display_name(name).ok_or(InputError::DisplayName)?
        };
        let mut account = self.account.clone().ok_or(EngineError::NoAccount)?;
        account.display_name = display_name;
        self.tell_profile(account).await
    }

    /// Sets the About line contacts see (blank: none); told as the display name is.
    pub async fn set_about(&mut self, about: &str) -> Result<Output, EngineError> {
        let about = clean_about(about).ok_or(InputError::About)?;
        let mut account = self.account.clone().ok_or(EngineError::NoAccount)?;
        account.about = about;
        self.tell_profile(account).await
    }

    /// Sets the profile photo (uploaded encrypted under `photo`'s key; None: no photo); its
    /// pointer, key included, goes only to contacts, inside their sessions.
    pub async fn set_photo(
        &mut self,
        photo: Option<AttachmentPointer>,
    ) -> Result<Output, EngineError> {
        if photo.as_ref().is_some_and(|p| !photo_fits(p)) {
            return Err(InputError::Photo.into());
        }
        let mut account = self.account.clone().ok_or(EngineError::NoAccount)?;
        account.photo = photo;
        self.tell_profile(account).await
    }

    /// Stores `account` with its new profile and tells everyone we chat with alone.
    async fn tell_profile(&mut self, account: LocalAccount) -> Result<Output, EngineError> {
        let previous = self.account.replace(account.clone());
        // Not group chats: a group message carries texts only.
        let contacts: Vec<Username> = (self.store.chats().await?.into_iter())
            .filter_map(|chat| chat.chat.account().cloned())
            .collect();
        let mut changes = Changes {
            account: Some(account),
            ..Changes::default()
        };
        for contact in &contacts {
            changes.outbox.extend(self.profile_entry(contact));
        }
        self.profile_for_own_devices(&mut changes);
        if let Err(e) = self.store.commit(changes).await {
            self.account = previous;
            return Err(e.into());
        }
        let mut out = Output::default();
        if self.connection.authenticated {
            for contact in contacts {
                self.dispatch_direct(&contact, &mut out).await?;
            }
            self.dispatch_own(&mut out).await?;
        }
        Ok(out)
    }

    /// Gets ready to chat with `with`: without a session yet, fetches its bundles now (an
    /// unknown name is reported at once, and the first message needs no round trip).
    pub async fn prepare_chat(&mut self, with: &Username) -> Result<Output, EngineError> {
        let mut out = Output::default();
        if self.is_own(with) {
            return Ok(out);
        }
        let sessions = self.store.sessions_with(with).await?;
        if sessions.iter().all(|(_, record)| record.is_empty()) {
            self.fetch_bundles(with, &mut out);
        }
        Ok(out)
    }

    /// Tells `to` that we started or stopped typing (not stored, not encrypted: the relay
    /// already knows who talks to whom; the UI throttles it).
    pub fn typing(&self, to: &Username, typing: bool) -> Output {
        let mut out = Output::default();
        if self.connection.authenticated {
            out.frames.push(ClientFrame::Typing {
                to: to.clone(),
                typing,
            });
        }
        out
    }

    /// Follows `account`'s presence too (when a chat with it opens).
    pub fn watch(&mut self, account: &Username) -> Output {
        let mut out = Output::default();
        let watched = &mut self.connection.watched;
        if watched.contains(account) {
            return out;
        }
        watched.insert(0, account.clone());
        watched.truncate(MAX_WATCHED);
        if self.connection.authenticated {
            out.frames.push(self.connection.subscribe());
        }
        out
    }

    /// A device of `chat` has a new identity key, under a list its (pinned) account key
    /// signed: the account set that device up again. The safety number (over the account key)
    /// stays; the chat says a device was linked, once per batch.
    pub(super) fn device_replaced(
        &mut self,
        chat: &Username,
        now_ms: u64,
        changes: &mut Changes,
    ) -> Option<ChatMessage> {
        let said = changes
            .messages
            .iter()
            .any(|m| m.chat.is_with(chat) && m.kind == Kind::DeviceLinked);
        let chat = ChatId::Direct(chat.clone());
        (!said).then(|| self.notice(&chat, Kind::DeviceLinked, now_ms, changes))
    }

    /// A line in `chat` written by this device (not a message anyone sent).
    pub(super) fn notice(
        &mut self,
        chat: &ChatId,
        kind: Kind,
        now_ms: u64,
        changes: &mut Changes,
    ) -> ChatMessage {
        let mut id = [0u8; 16];
        self.rng.fill_bytes(&mut id);
        let notice = ChatMessage {
            id,
            group: None,
            kind,
            chat: chat.clone(),
            from_me: false,
            body: String::new(),
            sent_ms: now_ms,
            status: Status::Read,
            attachment: None,
            reactions: Vec::new(),
            meta: Default::default(),
        };
        changes.messages.push(notice.clone());
        notice
    }
}
