//! Sessions from an account's fetched devices: its signed list is checked against what is
//! pinned (`crate::devices`), each listed device's bundle starts a session (X3DH), and what
//! waited in the outbox for that account goes.

use hush_protocol::wire::PreKeyBundle;
use hush_protocol::x3dh;
use hush_protocol::{Rng, Username};

use super::{Engine, Event, Output};
use crate::devices::{listed, Refusal};
use crate::error::{Broken, EngineError};
use crate::model::{ChatId, Kind, PinnedDevices};
use crate::store::{Changes, Store};

/// What the relay served for one account.
pub(super) struct Fetched {
    /// The account key the relay says signed the list.
    pub(super) account_key: [u8; 32],
    /// The encoded, signed list.
    pub(super) device_list: Vec<u8>,
    /// One bundle per device with prekeys.
    pub(super) bundles: Vec<PreKeyBundle>,
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// `account`'s devices arrived: sessions with the ones its pinned key signed, or (a list
    /// that does not verify) nothing, and what waited for them fails.
    pub(super) async fn bundles_fetched(
        &mut self,
        account: &Username,
        fetched: Fetched,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let before = self.store.pinned_devices(account).await?;
        // Our own account's list must be signed by the key we hold.
        let own = self.is_own(account);
        let checked = self.check_sender_list(
            account,
            fetched.account_key,
            &fetched.device_list,
            before.as_ref(),
        );
        let closed_before = before.as_ref().is_some_and(|b| b.list.is_closed());
        match checked {
            Ok(pinned) if pinned.list.is_closed() && !own => {
                self.contact_deleted(account, pinned, closed_before, now_ms, out)
                    .await?;
                self.dispatch_waiting_groups(out).await
            }
            Ok(pinned) => {
                // A device the account signed since the list seen before.
                let linked = !own
                    && before.is_some_and(|old| {
                        pinned
                            .list
                            .devices
                            .iter()
                            .any(|d| old.list.device(d.device_id).is_none())
                    });
                self.start_sessions(account, pinned, linked, &fetched.bundles, now_ms, out)
                    .await?;
                // A group change by this account may have waited for its key.
                self.ask_waiting(out).await
            }
            Err(reason) => {
                out.events.push(Event::DevicesRefused {
                    account: account.clone(),
                    reason,
                });
                self.fail_outbox(account, out).await?;
                self.dispatch_waiting_groups(out).await
            }
        }
    }

    /// `account` deleted itself (its key signed a list naming no device): its sessions go, the
    /// chat says so once, and what waited for it fails.
    async fn contact_deleted(
        &mut self,
        account: &Username,
        pinned: PinnedDevices,
        said_before: bool,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let mut changes = Changes::default();
        self.drop_unlisted(account, &pinned, &mut changes).await?;
        changes.pinned_devices.push(pinned);
        let chat = ChatId::Direct(account.clone());
        // Said once, and only in a chat with them (not a new chat for a group's member).
        let chatted = self.store.chats().await?.iter().any(|c| c.chat == chat);
        if !said_before && chatted {
            let notice = self.notice(&chat, Kind::AccountDeleted, now_ms, &mut changes);
            out.events.push(Event::Message(notice));
        }
        self.store.commit(changes).await?;
        self.fail_outbox(account, out).await
    }

    /// New sessions from fresh bundles (replacing any with those devices), then the outbox.
    async fn start_sessions(
        &mut self,
        to: &Username,
        pinned: PinnedDevices,
        linked: bool,
        bundles: &[PreKeyBundle],
        now_ms: u64,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let mut changes = Changes::default();
        let (changed, reachable) = self
            .sessions_from(to, &pinned, bundles, &mut changes, out)
            .await?;
        let fresh = !changes.sessions.is_empty();
        let own = self.is_own(to);
        if (changed || linked) && !own {
            if let Some(notice) = self.device_replaced(to, now_ms, &mut changes) {
                out.events.push(Event::Message(notice));
            }
        }
        // Devices the new list no longer names lose their sessions with it.
        self.drop_unlisted(to, &pinned, &mut changes).await?;
        changes.pinned_devices.push(pinned.clone());
        // A new session: they get our profile with what we send (our own new device, the
        // account's About line and photo, which linking does not carry).
        if fresh && !own {
            changes.outbox.extend(self.profile_for(to));
        }
        if fresh && own {
            self.profile_for_own_devices(&mut changes);
        }
        self.store.commit(changes).await?;
        if own {
            self.own = Some(pinned);
        }
        if !reachable {
            // Nobody to send to: the account has no (signed) device with prekeys.
            self.fail_outbox(to, out).await?;
        } else {
            self.dispatch_direct(to, out).await?;
        }
        // Group messages may have waited for these sessions.
        self.dispatch_waiting_groups(out).await
    }

    /// A session with each device of `to` that `pinned` lists and we hold none with (with that
    /// identity), put in `changes`; an unlisted one is reported. Returns whether a device's
    /// identity key changed, and whether any listed device can be sent to.
    async fn sessions_from(
        &mut self,
        to: &Username,
        pinned: &PinnedDevices,
        bundles: &[PreKeyBundle],
        changes: &mut Changes,
        out: &mut Output,
    ) -> Result<(bool, bool), EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let local = account.address().map_err(|_| Broken::AccountName)?;
        let (mut changed, mut reachable) = (false, false);
        for bundle in bundles {
            if bundle.address.account() != to.as_str() {
                continue;
            }
            if !listed(pinned, bundle) {
                out.events.push(Event::DevicesRefused {
                    account: to.clone(),
                    reason: Refusal::Unlisted(bundle.address.device()),
                });
                continue;
            }
            let mut record = self
                .store
                .session(&bundle.address)
                .await?
                .unwrap_or_default();
            let before = record.current().map(|s| *s.remote_identity());
            // A session with this device and identity goes on: a fetch the relay caused (a
            // `Mismatch`) cannot replace it, and replays of older first messages stay old.
            if before == Some(bundle.identity) {
                reachable = true;
                continue;
            }
            // A bundle whose signature does not verify is skipped: that device gets nothing.
            let Ok(session) = x3dh::initiate(&account.identity, &local, bundle, &mut self.rng)
            else {
                continue;
            };
            reachable = true;
            if bundle.one_time_prekey.is_none() {
                out.events.push(Event::NoOneTimePreKey {
                    device: bundle.address.clone(),
                });
            }
            record.promote(session);
            changes.sessions.push((bundle.address.clone(), record));
            if before.is_some_and(|key| key != bundle.identity) {
                changed = true;
            }
        }
        Ok((changed, reachable))
    }
}
