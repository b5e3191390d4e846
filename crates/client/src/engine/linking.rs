//! Linking a browser to an account (`docs/protocol.md`, "Linked devices"), both sides:
//! - the new browser shows a link code and waits at its provisioning address
//!   ([`Engine::start_link`]), then becomes a device of the account;
//! - a device of the account takes the code ([`Engine::fetch_link`]), shows who asks, and on
//!   [`Engine::allow_link`] uploads the history, publishes a list naming the new device and
//!   sends it the provisioning message.

use hush_protocol::devices::{DeviceList, ListedDevice, MAX_ACCOUNT_DEVICES};
use hush_protocol::keys::SignedPreKeyPair;
use hush_protocol::linking::{self, Announcement, HistoryBlob, LinkCode, LinkKey, Provisioning};
use hush_protocol::relay::ClientFrame;
use hush_protocol::sender_key::OwnSenderKey;
use hush_protocol::{DeviceAddress, IdentityKeyPair, Rng};
use zeroize::Zeroizing;

use super::{Engine, EngineError, Event, Output};
use crate::account::LocalAccount;
use crate::devices::check_list;
use crate::history::History;
use crate::store::{Changes, Store};

/// The new browser's side of a link: what its code and announcement were made of.
pub(super) struct Joining {
    code: LinkCode,
    link_key: LinkKey,
    identity: IdentityKeyPair,
}

/// The approving device's side of a link, step by step.
pub(super) enum Approving {
    /// The announcement was asked for.
    Fetching { request: u32, code: LinkCode },
    /// Shown to the user, waiting for "Allow".
    Confirm {
        code: LinkCode,
        announcement: Announcement,
    },
    /// The history is encrypted; an upload was asked for.
    Uploading {
        request: u32,
        code: LinkCode,
        announcement: Announcement,
        key: Zeroizing<[u8; 32]>,
        size: u32,
    },
    /// The caller is uploading the history to the blob `id`.
    Uploaded {
        code: LinkCode,
        announcement: Announcement,
        history: HistoryBlob,
    },
    /// The list naming the new device was sent to the relay.
    Publishing {
        request: u32,
        code: LinkCode,
        announcement: Announcement,
        list: DeviceList,
        device_id: u32,
        history: Option<HistoryBlob>,
    },
    /// The provisioning message was sent (to the device listed as `device_id`).
    Provisioning {
        request: u32,
        name: String,
        device_id: u32,
    },
}

impl Approving {
    /// The relay request this step waits for.
    fn request(&self) -> Option<u32> {
        match self {
            Self::Fetching { request, .. }
            | Self::Uploading { request, .. }
            | Self::Publishing { request, .. }
            | Self::Provisioning { request, .. } => Some(*request),
            Self::Confirm { .. } | Self::Uploaded { .. } => None,
        }
    }
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// The step waiting for `request`, taken out; any other step stays as it is.
    fn take_step(&mut self, request: u32) -> Option<Approving> {
        let waiting = self.approving.as_ref().and_then(Approving::request);
        (waiting == Some(request))
            .then(|| self.approving.take())
            .flatten()
    }

    /// The connection dropped: answers to a link step will not come. A device listed for a
    /// link whose provisioning message was not sent yet comes off the list on the next
    /// connection.
    pub(super) fn link_disconnected(&mut self) {
        if let Some(Approving::Publishing { device_id, .. }) = self.approving.take() {
            self.unfinished = Some(device_id);
        }
        self.publishing = None;
    }

    /// After authentication: unlists a device a dropped connection left half linked.
    pub(super) fn finish_unfinished(&mut self, out: &mut Output) -> Result<(), EngineError> {
        let Some(device_id) = self.unfinished.take() else {
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

    /// On a browser with no account: a new link code (to show as text, QR and URL) and the
    /// frame that opens its provisioning address. The code works once, for 5 minutes; a new
    /// call replaces it.
    pub fn start_link(&mut self) -> Result<(Zeroizing<String>, Output), EngineError> {
        if self.account.as_ref().is_some_and(|a| a.registered) {
            return Err(EngineError::AlreadyRegistered);
        }
        let code = LinkCode::generate(&mut self.rng);
        let joining = Joining {
            code,
            link_key: LinkKey::generate(&mut self.rng),
            identity: IdentityKeyPair::generate(&mut self.rng),
        };
        let text = joining.code.to_text();
        let mut out = Output::default();
        self.joining = Some(joining);
        self.open_link(&mut out)?;
        Ok((text, out))
    }

    /// Opens (or, on a new connection, opens again) the waiting link's address.
    pub(super) fn open_link(&mut self, out: &mut Output) -> Result<(), EngineError> {
        let Some(joining) = &self.joining else {
            return Ok(());
        };
        let announcement = Announcement::new(
            &joining.code,
            &joining.link_key,
            joining.identity.public(),
            &self.device_name,
        )
        .map_err(|_| EngineError::Invalid("this browser's name cannot be used"))?;
        out.frames.push(ClientFrame::OpenLink {
            address: joining.code.address,
            announcement: announcement.encode(),
        });
        Ok(())
    }

    /// Stops waiting to be linked.
    pub fn cancel_link(&mut self) {
        self.joining = None;
        self.approving = None;
    }

    /// The provisioning message arrived: this browser becomes a device of the account, and
    /// authenticates as it on this connection.
    pub(super) async fn provisioned(
        &mut self,
        sealed: &[u8],
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let Some(joining) = &self.joining else {
            return Ok(());
        };
        // Anyone who knows the address could send something: only a message that opens, with
        // a list signed by the account key that names this browser, ends the wait.
        let opened = linking::open(&joining.code, &joining.link_key, sealed).and_then(|p| {
            let me = (p.address.device(), joining.identity.public());
            let pinned = check_list(
                p.address.account(),
                p.account_key.public(),
                &p.device_list,
                None,
            )
            .map_err(|_| linking::LinkError::NotSealed)?;
            let named = pinned.list.device(me.0).is_some_and(|d| d.identity == me.1);
            named
                .then_some((p, pinned))
                .ok_or(linking::LinkError::NotSealed)
        });
        let (provisioning, own) = match opened {
            Ok(opened) => opened,
            Err(e) => {
                out.events
                    .push(Event::LinkFailed(format!("the link failed: {e}")));
                return Ok(());
            }
        };
        let Some(joining) = self.joining.take() else {
            return Ok(());
        };
        let Provisioning {
            address,
            account_key,
            display_name,
            history,
            ..
        } = provisioning;
        let signed_prekey = SignedPreKeyPair::generate(1, &joining.identity, &mut self.rng);
        let account = LocalAccount {
            name: address.account().to_owned(),
            device_id: address.device(),
            account_key,
            identity: joining.identity,
            signed_prekey,
            registered: true,
            next_prekey_id: 1,
            display_name,
            device_name: self.device_name.clone(),
        };
        self.store
            .commit(Changes {
                account: Some(account.clone()),
                pinned_devices: vec![own.clone()],
                ..Changes::default()
            })
            .await?;
        self.account = Some(account);
        self.own = Some(own);
        out.events.push(Event::Linked { history });
        self.answer_challenge(out)
    }

    /// On a device of the account: asks the relay who waits behind `code` (typed, pasted or
    /// scanned). [`Event::LinkRequest`] follows, or [`Event::LinkFailed`].
    pub fn fetch_link(&mut self, code: &str) -> Result<Output, EngineError> {
        if !self.authenticated {
            return Err(EngineError::Invalid("not connected to the relay yet"));
        }
        if self.own_devices().map_or(0, |l| l.devices.len()) >= MAX_ACCOUNT_DEVICES {
            return Err(EngineError::Invalid(
                "an account has at most 5 linked devices: unlink one first",
            ));
        }
        let code = LinkCode::parse(code)
            .map_err(|_| EngineError::Invalid("that is not a link code: check it and retry"))?;
        let request = self.request_id();
        let mut out = Output::default();
        out.frames.push(ClientFrame::FetchLink {
            request,
            address: code.address,
        });
        self.approving = Some(Approving::Fetching { request, code });
        Ok(out)
    }

    /// The announcement behind the code: checked with the code's secret (the relay cannot
    /// swap in a key of its own), then shown to the user.
    pub(super) fn link_announcement(&mut self, request: u32, bytes: &[u8], out: &mut Output) {
        let Some(Approving::Fetching { code, .. }) = self.take_step(request) else {
            return;
        };
        let announcement = Announcement::decode(bytes).and_then(|a| a.verify(&code).map(|()| a));
        match announcement {
            Ok(announcement) => {
                out.events.push(Event::LinkRequest {
                    device_name: announcement.name.clone(),
                });
                self.approving = Some(Approving::Confirm { code, announcement });
            }
            Err(_) => out.events.push(Event::LinkFailed(
                "that code does not match the browser waiting for it: make a new code".into(),
            )),
        }
    }

    /// The user allowed the link: the last 30 days are encrypted and an upload asked for.
    pub async fn allow_link(&mut self, now_ms: u64) -> Result<Output, EngineError> {
        let Some(Approving::Confirm { code, announcement }) = self.approving.take() else {
            return Err(EngineError::Invalid("no link is waiting for confirmation"));
        };
        let mut messages = Vec::new();
        for chat in self.store.chats().await? {
            messages.extend(self.store.messages(&chat.chat, None, usize::MAX).await?);
        }
        let mut history = History::recent(messages, self.store.names().await?, now_ms);
        // Everyone we chat with, alone or in a group: what we trust of them goes along.
        let mut contacts: Vec<String> = Vec::new();
        for chat in self.store.chats().await? {
            contacts.push(chat.chat);
        }
        for group in self.store.groups().await? {
            history.groups.push(group.log.encode());
            let members = group.log.state().members.iter();
            contacts.extend(members.map(|m| m.account.clone()));
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
        self.history_upload = Some(blob);
        let request = self.request_id();
        let mut out = Output::default();
        out.frames
            .push(ClientFrame::RequestUpload { request, size });
        self.approving = Some(Approving::Uploading {
            request,
            code,
            announcement,
            key,
            size,
        });
        Ok(out)
    }

    /// The relay granted the upload: the caller puts the blob (`PUT /blobs/<id>`), then calls
    /// [`Engine::history_uploaded`].
    pub(super) fn upload_granted(&mut self, request: u32, id: [u8; 32], out: &mut Output) {
        let Some(Approving::Uploading {
            code,
            announcement,
            key,
            size,
            ..
        }) = self.take_step(request)
        else {
            return;
        };
        let blob = self.history_upload.take().unwrap_or_default();
        out.events.push(Event::UploadHistory { id, blob });
        let history = HistoryBlob {
            blob: id,
            key,
            size,
        };
        self.approving = Some(Approving::Uploaded {
            code,
            announcement,
            history,
        });
    }

    /// The history upload finished (`ok`) or failed (the link goes on without history): the
    /// list naming the new device is published.
    pub fn history_uploaded(&mut self, ok: bool, now_ms: u64) -> Result<Output, EngineError> {
        let Some(Approving::Uploaded {
            code,
            announcement,
            history,
        }) = self.approving.take()
        else {
            return Err(EngineError::Invalid("no history upload is waiting"));
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
        let list = self
            .own_devices()
            .ok_or(EngineError::Invalid("this device's list is not known yet"))?;
        let version = list.version + 1;
        // A new device's id is the list version that adds it: versions only grow, so an id is
        // never given twice (not even one an unlinked device had).
        let device_id = u32::try_from(version)
            .map_err(|_| EngineError::Invalid("this account cannot link more devices"))?;
        let device = ListedDevice::certify(
            &account.name,
            device_id,
            announcement.identity,
            &announcement.name,
            now_ms,
            &account.account_key,
        )
        .map_err(|_| EngineError::Invalid("the new device's name cannot be used"))?;
        let mut devices = list.devices.clone();
        devices.push(device);
        let signed = DeviceList::sign(&account.name, version, devices, &account.account_key)
            .map_err(|_| {
                EngineError::Invalid("an account has at most 5 linked devices: unlink one first")
            })?;
        let request = self.request_id();
        let mut out = Output::default();
        out.frames.push(ClientFrame::PublishDeviceList {
            request,
            device_list: signed.encode(),
        });
        self.approving = Some(Approving::Publishing {
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
        self.history_upload = None;
        let more = self.publish_with(code, announcement, None, now_ms)?;
        out.frames.extend(more.frames);
        Ok(())
    }

    /// A list we published is stored: we hold it from now on (not waiting for the relay's
    /// echo), and if it names a device being linked, that device gets its provisioning message.
    pub(super) async fn list_published(
        &mut self,
        request: u32,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        if let Some((_, list)) = self.publishing.take_if(|(r, _)| *r == request) {
            return self.pin_own(list, out).await;
        }
        let Some(Approving::Publishing {
            code,
            announcement,
            list,
            device_id,
            history,
            ..
        }) = self.take_step(request)
        else {
            return Ok(());
        };
        let device_list = list.encode();
        self.pin_own(list, out).await?;
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let address = DeviceAddress::new(account.name.clone(), device_id)
            .map_err(|_| EngineError::Invalid("the account name is not valid"))?;
        let provisioning = Provisioning {
            address,
            account_key: account.account_key.clone(),
            display_name: account.display_name.clone(),
            history,
            device_list,
        };
        let sealed = linking::seal(&code, &announcement, &provisioning, &mut self.rng)
            .map_err(|_| EngineError::Invalid("the provisioning message could not be sealed"))?;
        let request = self.request_id();
        out.frames.push(ClientFrame::Provision {
            request,
            address: code.address,
            sealed,
        });
        self.approving = Some(Approving::Provisioning {
            request,
            name: announcement.name,
            device_id,
        });
        Ok(())
    }

    /// The new device has its provisioning message.
    pub(super) fn provision_delivered(&mut self, request: u32, out: &mut Output) {
        if let Some(Approving::Provisioning { name, .. }) = self.take_step(request) {
            out.events.push(Event::LinkDone { device_name: name });
        }
    }

    /// The relay refused request `request`: if a link step waited for it, the link stops
    /// (or, for the history upload, goes on without history). True if it was ours.
    pub(super) fn link_refused(
        &mut self,
        request: u32,
        message: &str,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<bool, EngineError> {
        if self.publishing.take_if(|(r, _)| *r == request).is_some() {
            // Our own list change was refused: the message says why.
            out.events.push(Event::RelayError(message.to_owned()));
            return Ok(true);
        }
        let Some(step) = self.take_step(request) else {
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

    /// Imports the history the approving device sent (the blob fetched with `history.blob`):
    /// messages already here are kept as they are. Returns how many messages it held, and
    /// what to send: this device's sender key for each of its groups (see
    /// `announce_groups`).
    pub async fn import_history(
        &mut self,
        history: &HistoryBlob,
        blob: &[u8],
    ) -> Result<(usize, Output), EngineError> {
        let history = History::open(&history.key, blob).map_err(|_| {
            EngineError::Invalid("the history from the other device could not be read")
        })?;
        let count = history.messages.len();
        // What this device learnt itself meanwhile (a newer list) is kept.
        let mut pins = Vec::new();
        for pinned in history.pins {
            let here = self.store.pinned_devices(&pinned.list.account).await?;
            let signed = pinned.list.verify(&pinned.account_key).is_ok();
            let own = self.is_own(&pinned.list.account);
            // Our other device's trust wins over what this one met on its own so far (a key
            // the relay showed only this new device is replaced).
            let better = here.is_none_or(|h| {
                h.list.version < pinned.list.version || h.account_key != pinned.account_key
            });
            if signed && !own && better {
                pins.push(pinned);
            }
        }
        // Groups as the other device holds them (its own and everyone's sender keys stay
        // there). This device makes a key of its own where it is a member, given out once
        // connected; the others' come after that.
        let me = self.account_name()?;
        let mut groups = Vec::new();
        for bytes in &history.groups {
            let Ok(log) = hush_protocol::groups::GroupLog::decode(bytes) else {
                continue;
            };
            let id = log.state().group;
            let member = log.state().member(&me).is_some();
            if self.store.group(&id).await?.is_none() {
                groups.push(crate::store::GroupRecord {
                    log,
                    own_key: member.then(|| OwnSenderKey::generate(id, &mut self.rng)),
                    shared_with: Vec::new(),
                    senders: Vec::new(),
                    pending: Vec::new(),
                });
            }
        }
        self.store
            .commit(Changes {
                received: history.messages,
                names: history.names,
                pinned_devices: pins,
                groups,
                verified: history
                    .verified
                    .into_iter()
                    .map(|(account, key)| (account, Some(key)))
                    .collect(),
                ..Changes::default()
            })
            .await?;
        let mut out = Output::default();
        // Otherwise the connection does it once authenticated. The history is in either way:
        // a failure here is tried again on the next connection.
        if self.authenticated {
            let _ = self.announce_groups(&mut out).await;
        }
        Ok((count, out))
    }

    /// Removes `device_id` from the account (it is told, wipes itself and stops receiving).
    pub fn unlink(&mut self, device_id: u32) -> Result<Output, EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        if device_id == account.device_id {
            return Err(EngineError::Invalid("this device cannot unlink itself"));
        }
        self.republish(|devices| devices.retain(|d| d.device_id != device_id))
    }

    /// Renames `device_id` (a new certificate and list).
    pub fn rename_device(&mut self, device_id: u32, name: &str) -> Result<Output, EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let (account_name, key) = (account.name.clone(), account.account_key.clone());
        let list = self
            .own_devices()
            .ok_or(EngineError::Invalid("this device's list is not known yet"))?;
        let old = list
            .device(device_id)
            .ok_or(EngineError::Invalid("no such device"))?;
        let renamed = ListedDevice::certify(
            &account_name,
            device_id,
            old.identity,
            name,
            old.linked_ms,
            &key,
        )
        .map_err(|_| EngineError::Invalid("a device name is 1 to 64 characters, on one line"))?;
        self.republish(|devices| {
            for d in devices.iter_mut().filter(|d| d.device_id == device_id) {
                *d = renamed.clone();
            }
        })
    }

    /// Signs and publishes the next version of our list, changed by `change`; the relay's
    /// `OwnDevices` echo updates what we hold.
    fn republish(
        &mut self,
        change: impl FnOnce(&mut Vec<ListedDevice>),
    ) -> Result<Output, EngineError> {
        if !self.authenticated {
            return Err(EngineError::Invalid("not connected to the relay yet"));
        }
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let list = self
            .own_devices()
            .ok_or(EngineError::Invalid("this device's list is not known yet"))?;
        let mut devices = list.devices.clone();
        change(&mut devices);
        let signed = DeviceList::sign(
            &account.name,
            list.version + 1,
            devices,
            &account.account_key,
        )
        .map_err(|_| EngineError::Invalid("the device list could not be signed"))?;
        let request = self.request_id();
        let mut out = Output::default();
        out.frames.push(ClientFrame::PublishDeviceList {
            request,
            device_list: signed.encode(),
        });
        self.publishing = Some((request, signed));
        Ok(out)
    }

    /// Holds `list` as our own from now on, if it is newer than the one held.
    async fn pin_own(&mut self, list: DeviceList, out: &mut Output) -> Result<(), EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        if self
            .own
            .as_ref()
            .is_some_and(|o| o.list.version >= list.version)
        {
            return Ok(());
        }
        let pinned = crate::store::PinnedDevices {
            account_key: account.account_key.public(),
            list,
        };
        self.hold_own(pinned, out).await
    }
}
