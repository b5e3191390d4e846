//! The account's own other devices: its signed list as the relay last showed it (verified
//! with our own account key), transcripts of what this device sends, and read state, so every
//! device of the account shows the same chats; and our own list changes (unlink, rename).

use hush_protocol::devices::{DeviceList, ListedDevice};
use hush_protocol::relay::ClientFrame;
use hush_protocol::Rng;

use super::attachments::attachment_message;
use super::receive::Batch;
use super::{Engine, Event, Output};
use crate::content::Content;
use crate::devices::{check_list, Refusal};
use crate::error::{Broken, DeviceActionError, EngineError, InputError};
use crate::model::{ChatId, ChatMessage, Kind, MessageId, PinnedDevices, Reaction, Status};
use crate::store::{Changes, Store};

impl<S: Store, R: Rng> Engine<S, R> {
    /// The account's devices as last verified (for the device list screen).
    pub fn own_devices(&self) -> Option<&hush_protocol::devices::DeviceList> {
        self.own.as_ref().map(|pinned| &pinned.list)
    }

    /// When `device` was last connected, as the relay last said (ms; 0 if unknown).
    pub fn last_active(&self, device: u32) -> u64 {
        self.own_active
            .iter()
            .find(|(d, _)| *d == device)
            .map_or(0, |(_, ms)| *ms)
    }

    /// Whether the account has devices besides this one (they get transcripts).
    pub(super) fn has_other_devices(&self) -> bool {
        self.own.as_ref().is_some_and(|p| p.list.devices.len() > 1)
    }

    /// Whether `account` is this device's own account.
    pub(super) fn is_own(&self, account: &str) -> bool {
        self.account.as_ref().is_some_and(|a| a.name == account)
    }

    /// The relay showed us our account's list: verified with our own key, never older than the
    /// one we hold. A list without this device means it was unlinked.
    pub(super) async fn own_list(
        &mut self,
        bytes: &[u8],
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let Some(account) = self.account.clone() else {
            return Ok(());
        };
        let key = account.account_key.public();
        let pinned = match check_list(&account.name, key, bytes, self.own.as_ref()) {
            Ok(pinned) => pinned,
            // Older than what we hold: the relay is behind or replaying; nothing changes.
            Err(Refusal::RolledBack) => return Ok(()),
            Err(reason) => {
                out.events.push(Event::DevicesRefused {
                    account: account.name,
                    reason,
                });
                return Ok(());
            }
        };
        let me = pinned.list.device(account.device_id);
        if pinned.list.is_closed() && account.registered && self.own.is_some() {
            out.events.push(Event::AccountDeleted);
            return Ok(());
        }
        if me.is_none_or(|d| d.identity != account.identity.public()) {
            // Only a device that held a list naming it can have been unlinked, by a newer one
            // (check_list refused older ones): the relay cannot show a list from before this
            // device was linked to make it wipe itself.
            if account.registered && self.own.is_some() {
                out.events.push(Event::Unlinked);
            }
            return Ok(());
        }
        if self.own.as_ref() == Some(&pinned) {
            // The same list; when its devices were last seen may be news.
            out.events.push(Event::OwnDevicesChanged);
            return Ok(());
        }
        self.hold_own(pinned, out).await
    }

    /// Stores `pinned` as our own list and holds it from now on.
    pub(super) async fn hold_own(
        &mut self,
        pinned: PinnedDevices,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let mut changes = Changes {
            pinned_devices: vec![pinned.clone()],
            ..Changes::default()
        };
        // Our devices the list no longer names (unlinked, re-keyed) get no more transcripts.
        if let Some(account) = self.account.as_ref().map(|a| a.name.clone()) {
            self.drop_unlisted(&account, &pinned, &mut changes).await?;
        }
        self.store.commit(changes).await?;
        self.own = Some(pinned);
        out.events.push(Event::OwnDevicesChanged);
        Ok(())
    }

    /// Queues `content` for the account's other devices (none if it has no other device).
    pub(super) fn queue_for_own_devices(&mut self, content: Content, changes: &mut Changes) {
        if !self.has_other_devices() {
            return;
        }
        if let Some(own) = self.account.as_ref().map(|a| a.name.clone()) {
            changes.outbox.push(self.entry(&own, content));
        }
    }

    /// Tells the account's other devices that `ids` of `chat` were read here.
    pub(super) fn read_sync(&mut self, chat: &ChatId, ids: &[MessageId], changes: &mut Changes) {
        for chunk in ids.chunks(crate::content::MAX_RECEIPT_IDS) {
            let content = Content::ReadSync {
                chat: chat.to_string(),
                ids: chunk.to_vec(),
            };
            self.queue_for_own_devices(content, changes);
        }
    }

    /// Sends what waits for the account's other devices.
    pub(super) async fn dispatch_own(&mut self, out: &mut Output) -> Result<(), EngineError> {
        if !self.connection.authenticated || !self.has_other_devices() {
            return Ok(());
        }
        if let Some(own) = self.account.as_ref().map(|a| a.name.clone()) {
            self.dispatch_direct(&own, out).await?;
        }
        Ok(())
    }

    /// The chat of a transcript to `to` of message `id`, unless it is not one to show: to our
    /// own account, not a chat, or held already (sent again after its `Sent` was lost: never
    /// shown twice).
    async fn new_transcript(
        &self,
        changes: &Changes,
        to: &str,
        id: &MessageId,
    ) -> Result<Option<ChatId>, EngineError> {
        let Ok(chat) = ChatId::parse(to) else {
            return Ok(None);
        };
        let held =
            changes.received.iter().any(|m| m.id == *id) || self.store.message(id).await?.is_some();
        Ok((!self.is_own(to) && !held).then_some(chat))
    }

    /// What one of our other devices sent us: a transcript or read state (anything else from
    /// our own account is ignored).
    pub(super) async fn receive_from_own_device(
        &mut self,
        batch: &mut Batch,
        content: Content,
    ) -> Result<(), EngineError> {
        if let Content::SentReaction {
            to,
            target,
            emoji,
            sent_ms,
        } = content
        {
            let Ok(chat) = ChatId::parse(&to) else {
                return Ok(());
            };
            let by = self.account_name()?;
            let reaction = Reaction { by, emoji, sent_ms };
            return self.receive_reaction(batch, chat, target, reaction).await;
        }
        let content = match content {
            Content::Mirror { to, inner } => return self.receive_mirror(batch, &to, *inner).await,
            Content::Marks { mark, ids } => return self.receive_marks(batch, mark, ids).await,
            Content::ChatState { chat, state } => {
                return self.receive_chat_state(batch, &chat, state).await
            }
            Content::Profile {
                display_name,
                about,
                photo,
            } => return self.receive_own_profile(batch, &display_name, &about, photo),
            content => content,
        };
        let (changes, events) = (&mut batch.changes, &mut batch.events);
        match content {
            Content::Sent {
                to,
                id,
                sent_ms,
                body,
            } => {
                let Some(chat) = self.new_transcript(changes, &to, &id).await? else {
                    return Ok(());
                };
                let message = ChatMessage {
                    id,
                    group: None,
                    kind: Kind::Text,
                    chat,
                    from_me: true,
                    body,
                    sent_ms,
                    status: Status::Sent,
                    attachment: None,
                    reactions: Vec::new(),
                    meta: Default::default(),
                };
                changes.received.push(message.clone());
                events.push(Event::Message(message));
            }
            Content::ReadSync { chat, ids } => {
                let Ok(chat) = ChatId::parse(&chat) else {
                    return Ok(());
                };
                for id in ids {
                    let theirs = self.store.message(&id).await?;
                    let unread = theirs.is_some_and(|m| {
                        !m.from_me && m.chat == chat && m.status.can_become(Status::Read)
                    });
                    if unread {
                        changes.statuses.push((id, Status::Read));
                    }
                }
                events.push(Event::ReadElsewhere { chat });
            }
            Content::SentAttachment {
                to,
                id,
                sent_ms,
                pointer,
            } => {
                let Some(chat) = self.new_transcript(changes, &to, &id).await? else {
                    return Ok(());
                };
                let mut message = attachment_message(id, chat, true, sent_ms, pointer);
                message.status = Status::Sent;
                changes.received.push(message.clone());
                events.push(Event::Message(message));
            }
            Content::Text { .. }
            | Content::Rich(_)
            | Content::Mentioned(_)
            | Content::Amend { .. }
            | Content::Timer { .. }
            | Content::Mirror { .. }
            | Content::Marks { .. }
            | Content::ChatState { .. }
            | Content::Reaction { .. }
            | Content::SentReaction { .. }
            | Content::Unknown { .. }
            | Content::Attachment { .. }
            | Content::Receipt { .. }
            | Content::Profile { .. }
            | Content::Attested { .. }
            | Content::GroupUpdate { .. }
            | Content::SenderKey { .. } => {}
        }
        Ok(())
    }

    /// The account's profile as another of our devices set it: kept here too (what cannot be
    /// shown safely is left out, as from a contact).
    fn receive_own_profile(
        &mut self,
        batch: &mut Batch,
        display_name: &str,
        about: &str,
        photo: Option<Box<hush_protocol::attachment::AttachmentPointer>>,
    ) -> Result<(), EngineError> {
        let held = batch
            .changes
            .account
            .clone()
            .or_else(|| self.account.clone());
        let mut account = held.ok_or(EngineError::NoAccount)?;
        account.display_name = crate::content::clean_display_name(display_name).unwrap_or_default();
        account.about = crate::model::clean_about(about).unwrap_or_default();
        account.photo = photo.map(|p| *p).filter(crate::model::photo_fits);
        batch.changes.account = Some(account);
        batch.events.push(Event::OwnProfile);
        Ok(())
    }

    /// A reply, forward, edit or delete one of our other devices sent in the 1:1 chat `to`.
    async fn receive_mirror(
        &mut self,
        batch: &mut Batch,
        to: &str,
        inner: Content,
    ) -> Result<(), EngineError> {
        match inner {
            Content::Rich(rich) => {
                let Some(chat) = self.new_transcript(&batch.changes, to, &rich.id).await? else {
                    return Ok(());
                };
                let mut message = super::rich::rich_message(*rich, chat, true);
                self.check_quote(batch, &mut message).await?;
                message.status = Status::Sent;
                batch.changes.received.push(message.clone());
                batch.events.push(Event::Message(message));
            }
            Content::Timer {
                id,
                sent_ms,
                timer_ms,
            } => {
                let Some(chat) = self.new_transcript(&batch.changes, to, &id).await? else {
                    return Ok(());
                };
                let setting = (id, sent_ms, timer_ms);
                let me = self.account_name()?;
                let mut notice = (self.receive_timer(batch, &chat, setting, me)).await?;
                notice.status = Status::Sent;
                batch.changes.received.push(notice.clone());
                batch.events.push(Event::Message(notice));
            }
            Content::Amend { id, amend, sent_ms } => {
                let Ok(chat) = ChatId::parse(to) else {
                    return Ok(());
                };
                let me = self.account_name()?;
                (self.receive_amend(batch, (chat, me), id, amend, sent_ms)).await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// After authentication: unlists a device a dropped connection left half linked.
    pub(super) fn finish_unfinished(&mut self, out: &mut Output) -> Result<(), EngineError> {
        let Some(device_id) = self.linking.unfinished.take() else {
            return Ok(());
        };
        if self
            .own_devices()
            .is_some_and(|l| l.device(device_id).is_some())
        {
            out.frames.extend(self.unlink(device_id)?.frames);
        }
        Ok(())
    }

    /// Removes `device_id` from the account (it is told, wipes itself and stops receiving).
    pub fn unlink(&mut self, device_id: u32) -> Result<Output, EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        if device_id == account.device_id {
            return Err(DeviceActionError::UnlinkSelf.into());
        }
        self.republish(|devices| devices.retain(|d| d.device_id != device_id))
    }

    /// Renames `device_id` (a new certificate and list).
    pub fn rename_device(&mut self, device_id: u32, name: &str) -> Result<Output, EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let (account_name, key) = (account.name.clone(), account.account_key.clone());
        let list = self.own_devices().ok_or(DeviceActionError::ListUnknown)?;
        let old = list
            .device(device_id)
            .ok_or(DeviceActionError::NoSuchDevice)?;
        let renamed = ListedDevice::certify(
            &account_name,
            device_id,
            old.identity,
            name,
            old.linked_ms,
            &key,
        )
        .map_err(|_| InputError::DeviceName)?;
        self.republish(|devices| {
            for d in devices.iter_mut().filter(|d| d.device_id == device_id) {
                *d = renamed.clone();
            }
        })
    }

    /// Deletes the account, on every device: publishes its last list, naming no device and
    /// signed by the account key (the relay cannot sign one). The relay then deletes the
    /// account's devices, prekeys, queues, push subscriptions and blobs, keeps the name
    /// reserved, and serves that list to contacts; [`Event::AccountDeleted`] follows.
    pub fn delete_account(&mut self) -> Result<Output, EngineError> {
        if !self.connection.authenticated {
            return Err(EngineError::NotConnected);
        }
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let list = self.own_devices().ok_or(DeviceActionError::ListUnknown)?;
        let version = list
            .version
            .checked_add(1)
            .ok_or(DeviceActionError::NoDeviceNumberLeft)?;
        let closed = DeviceList::close(&account.name, version, &account.account_key)
            .map_err(|_| Broken::ListSigning)?;
        Ok(self.publish(closed))
    }

    /// `OwnDevices` echo updates what we hold.
    fn republish(
        &mut self,
        change: impl FnOnce(&mut Vec<ListedDevice>),
    ) -> Result<Output, EngineError> {
        if !self.connection.authenticated {
            return Err(EngineError::NotConnected);
        }
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let list = self.own_devices().ok_or(DeviceActionError::ListUnknown)?;
        let mut devices = list.devices.clone();
        change(&mut devices);
        let signed = DeviceList::sign(
            &account.name,
            list.version
                .checked_add(1)
                .ok_or(DeviceActionError::NoDeviceNumberLeft)?,
            devices,
            &account.account_key,
        )
        .map_err(|_| Broken::ListSigning)?;
        Ok(self.publish(signed))
    }

    /// Sends `signed` to the relay; its answer makes it the list we hold.
    fn publish(&mut self, signed: DeviceList) -> Output {
        let request = self.requests.next();
        let mut out = Output::default();
        out.frames.push(ClientFrame::PublishDeviceList {
            request,
            device_list: signed.encode(),
        });
        self.linking.publishing = Some((request, signed));
        out
    }

    /// Holds `list` as our own from now on, if it is newer than the one held.
    pub(super) async fn pin_own(
        &mut self,
        list: DeviceList,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        if self
            .own
            .as_ref()
            .is_some_and(|o| o.list.version >= list.version)
        {
            return Ok(());
        }
        let pinned = crate::model::PinnedDevices {
            account_key: account.account_key.public(),
            list,
        };
        self.hold_own(pinned, out).await
    }
}
