//! The approving device's side of a link, step by step: the announcement behind a code, the
//! user's "Allow", the history upload, the list naming the new device, and the provisioning
//! message.

use hush_protocol::devices::{DeviceList, ListedDevice, MAX_ACCOUNT_DEVICES};
use hush_protocol::linking::{self, Announcement, HistoryBlob, LinkCode, Provisioning};
use hush_protocol::relay::ClientFrame;
use hush_protocol::{DeviceAddress, Rng, Username};
use zeroize::Zeroizing;

use super::Approving;
use crate::engine::{Engine, Event, Output};
use crate::error::{Broken, DeviceActionError, EngineError, InputError};
use crate::history::History;
use crate::store::Store;

impl<S: Store, R: Rng> Engine<S, R> {
    /// scanned). [`Event::LinkRequest`] follows, or [`Event::LinkFailed`].
    pub fn fetch_link(&mut self, code: &str) -> Result<Output, EngineError> {
        if !self.connection.authenticated {
            return Err(EngineError::NotConnected);
        }
        if self.own_devices().map_or(0, |l| l.devices.len()) >= MAX_ACCOUNT_DEVICES {
            return Err(DeviceActionError::TooManyDevices.into());
        }
        let code = LinkCode::parse(code).map_err(|_| InputError::LinkCode)?;
        let request = self.requests.next();
        let mut out = Output::default();
        out.frames.push(ClientFrame::FetchLink {
            request,
            address: code.address,
        });
        self.linking.approving = Some(Approving::Fetching { request, code });
        Ok(out)
    }

    /// swap in a key of its own), then shown to the user.
    pub(in crate::engine) fn link_announcement(
        &mut self,
        request: u32,
        bytes: &[u8],
        out: &mut Output,
    ) {
        let Some(Approving::Fetching { code, .. }) = self.linking.take_step(request) else {
            return;
        };
        let announcement = Announcement::decode(bytes).and_then(|a| a.verify(&code).map(|()| a));
        match announcement {
            Ok(announcement) => {
                out.events.push(Event::LinkRequest {
                    device_name: announcement.name.clone(),
                });
                self.linking.approving = Some(Approving::Confirm { code, announcement });
            }
            Err(_) => out.events.push(Event::LinkFailed(
                "that code does not match the browser waiting for it: make a new code".into(),
            )),
        }
    }

    /// The user allowed the link: the last 30 days are encrypted and an upload asked for.
    pub async fn allow_link(&mut self, now_ms: u64) -> Result<Output, EngineError> {
        let Some(Approving::Confirm { code, announcement }) = self.linking.approving.take() else {
            return Err(DeviceActionError::NoLinkWaiting.into());
        };
        let mut messages = Vec::new();
        for chat in self.store.chats().await? {
            messages.extend(self.store.messages(&chat.chat, None, usize::MAX).await?);
        }
        let mut history = History::recent(messages, self.store.names().await?, now_ms);
        history.timers = self.store.timers().await?;
        history.chat_states = self.store.chat_states().await?;
        // Everyone we chat with, alone or in a group: what we trust of them goes along.
        let mut contacts: Vec<Username> = Vec::new();
        for chat in self.store.chats().await? {
            contacts.extend(chat.chat.account().cloned());
        }
        for group in self.store.groups().await? {
            history.groups.push(group.log.encode());
            let members = group.log.state().members.iter();
            contacts.extend(members.filter_map(|m| Username::parse(&m.account).ok()));
        }
        contacts.sort_unstable();
        contacts.dedup();
        for account in contacts.into_iter().filter(|c| !self.is_own(c)) {
            history
                .pins
                .extend(self.store.pinned_devices(&account).await?);
            if let Some(key) = self.store.verified(&account).await? {
                history.verified.push((account, key));
            }
        }
        let mut key = Zeroizing::new([0u8; 32]);
        self.rng.fill_bytes(key.as_mut());
        let blob = history.seal(&key);
        let size = u32::try_from(blob.len()).unwrap_or(u32::MAX);
        self.linking.history_upload = Some(blob);
        let request = self.requests.next();
        let mut out = Output::default();
        out.frames
            .push(ClientFrame::RequestUpload { request, size });
        self.linking.approving = Some(Approving::Uploading {
            request,
            code,
            announcement,
            key,
            size,
        });
        Ok(out)
    }

    /// [`Engine::history_uploaded`].
    pub(in crate::engine) fn upload_granted(
        &mut self,
        request: u32,
        id: [u8; 32],
        out: &mut Output,
    ) {
        let Some(Approving::Uploading {
            code,
            announcement,
            key,
            size,
            ..
        }) = self.linking.take_step(request)
        else {
            return;
        };
        let blob = self.linking.history_upload.take().unwrap_or_default();
        out.events.push(Event::UploadHistory { id, blob });
        let history = HistoryBlob {
            blob: id,
            key,
            size,
        };
        self.linking.approving = Some(Approving::Uploaded {
            code,
            announcement,
            history,
        });
    }

    /// list naming the new device is published.
    pub fn history_uploaded(&mut self, ok: bool, now_ms: u64) -> Result<Output, EngineError> {
        let Some(Approving::Uploaded {
            code,
            announcement,
            history,
        }) = self.linking.approving.take()
        else {
            return Err(DeviceActionError::NoUploadWaiting.into());
        };
        self.publish_with(code, announcement, ok.then_some(history), now_ms)
    }

    /// Publishes our list with the announced device added.
    fn publish_with(
        &mut self,
        code: LinkCode,
        announcement: Announcement,
        history: Option<HistoryBlob>,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let list = self.own_devices().ok_or(DeviceActionError::ListUnknown)?;
        let version = list
            .version
            .checked_add(1)
            .ok_or(DeviceActionError::NoDeviceNumberLeft)?;
        // A new device's id is the list version that adds it: versions only grow, so an id is
        // never given twice (not even one an unlinked device had).
        let device_id =
            u32::try_from(version).map_err(|_| DeviceActionError::NoDeviceNumberLeft)?;
        let device = ListedDevice::certify(
            &account.name,
            device_id,
            announcement.identity,
            &announcement.name,
            now_ms,
            &account.account_key,
        )
        .map_err(|_| DeviceActionError::NewDeviceName)?;
        let mut devices = list.devices.clone();
        devices.push(device);
        let signed = DeviceList::sign(&account.name, version, devices, &account.account_key)
            .map_err(|_| DeviceActionError::TooManyDevices)?;
        let request = self.requests.next();
        let mut out = Output::default();
        out.frames.push(ClientFrame::PublishDeviceList {
            request,
            device_list: signed.encode(),
        });
        self.linking.approving = Some(Approving::Publishing {
            request,
            code,
            announcement,
            list: signed,
            device_id,
            history,
        });
        Ok(out)
    }

    /// The relay refused the upload (too large, too many pending): link without history.
    fn upload_refused(
        &mut self,
        code: LinkCode,
        announcement: Announcement,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        self.linking.history_upload = None;
        let more = self.publish_with(code, announcement, None, now_ms)?;
        out.frames.extend(more.frames);
        Ok(())
    }

    /// echo), and if it names a device being linked, that device gets its provisioning message.
    pub(in crate::engine) async fn list_published(
        &mut self,
        request: u32,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        if let Some((_, list)) = self.linking.publishing.take_if(|(r, _)| *r == request) {
            if list.is_closed() {
                // Nothing of the account is left to hold: this browser's data goes too.
                out.events.push(Event::AccountDeleted);
                return Ok(());
            }
            return self.pin_own(list, out).await;
        }
        let Some(Approving::Publishing {
            code,
            announcement,
            list,
            device_id,
            history,
            ..
        }) = self.linking.take_step(request)
        else {
            return Ok(());
        };
        let device_list = list.encode();
        self.pin_own(list, out).await?;
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let address =
            DeviceAddress::new(account.name.clone(), device_id).map_err(|_| Broken::AccountName)?;
        let provisioning = Provisioning {
            address,
            account_key: account.account_key.clone(),
            display_name: account.display_name.clone(),
            history,
            device_list,
        };
        let sealed = linking::seal(&code, &announcement, &provisioning, &mut self.rng)
            .map_err(|_| Broken::Provisioning)?;
        let request = self.requests.next();
        out.frames.push(ClientFrame::Provision {
            request,
            address: code.address,
            sealed,
        });
        self.linking.approving = Some(Approving::Provisioning {
            request,
            name: announcement.name,
            device_id,
        });
        Ok(())
    }

    /// The new device has its provisioning message.
    pub(in crate::engine) fn provision_delivered(&mut self, request: u32, out: &mut Output) {
        if let Some(Approving::Provisioning { name, .. }) = self.linking.take_step(request) {
            out.events.push(Event::LinkDone { device_name: name });
        }
    }

    /// (or, for the history upload, goes on without history). True if it was ours.
    pub(in crate::engine) fn link_refused(
        &mut self,
        request: u32,
        message: &str,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<bool, EngineError> {
        if self
            .linking
            .publishing
            .take_if(|(r, _)| *r == request)
            .is_some()
        {
            // Our own list change was refused: the message says why.
            out.events.push(Event::RelayError(message.to_owned()));
            return Ok(true);
        }
        let Some(step) = self.linking.take_step(request) else {
            return Ok(false);
        };
        match Some(step) {
            Some(Approving::Uploading {
                code, announcement, ..
            }) => self.upload_refused(code, announcement, now_ms, out)?,
            Some(Approving::Provisioning { device_id, .. }) => {
                out.events.push(Event::LinkFailed(message.to_owned()));
                // Listed but never told it was: it comes off the list again.
                out.frames.extend(self.unlink(device_id)?.frames);
            }
            _ => out.events.push(Event::LinkFailed(message.to_owned())),
        }
        Ok(true)
    }
}
