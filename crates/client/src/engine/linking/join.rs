//! The new browser's side of a link: a code and an open provisioning address, then the
//! provisioning message that makes it a device of the account, and the history it brought.

use hush_protocol::keys::SignedPreKeyPair;
use hush_protocol::linking::{self, Announcement, HistoryBlob, LinkCode, LinkKey, Provisioning};
use hush_protocol::relay::ClientFrame;
use hush_protocol::sender_key::OwnSenderKey;
use hush_protocol::{IdentityKeyPair, Rng};
use zeroize::Zeroizing;

use super::Joining;
use crate::account::LocalAccount;
use crate::devices::check_list;
use crate::engine::{Engine, Event, Output};
use crate::error::{DeviceActionError, EngineError};
use crate::history::History;
use crate::model::{is_timer_choice, ChatId, ChatState, ChatTimer};
use crate::store::{Changes, Store};

impl<S: Store, R: Rng> Engine<S, R> {
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
        self.linking.joining = Some(joining);
        self.open_link(&mut out)?;
        Ok((text, out))
    }

    /// Opens (or, on a new connection, opens again) the waiting link's address.
    pub(in crate::engine) fn open_link(&mut self, out: &mut Output) -> Result<(), EngineError> {
        let Some(joining) = &self.linking.joining else {
            return Ok(());
        };
        let announcement = Announcement::new(
            &joining.code,
            &joining.link_key,
            joining.identity.public(),
            &self.device_name,
        )
        .map_err(|_| DeviceActionError::BrowserName)?;
        out.frames.push(ClientFrame::OpenLink {
            address: joining.code.address,
            announcement: announcement.encode(),
        });
        Ok(())
    }

    /// Stops waiting to be linked.
    pub fn cancel_link(&mut self) {
        self.linking.joining = None;
        self.linking.approving = None;
    }

    /// authenticates as it on this connection.
    pub(in crate::engine) async fn provisioned(
        &mut self,
        sealed: &[u8],
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let Some(joining) = &self.linking.joining else {
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
        let Some(joining) = self.linking.joining.take() else {
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
            name: address.username(),
            device_id: address.device(),
            account_key,
            identity: joining.identity,
            signed_prekey,
            signed_prekey_since_ms: None,
            retired_prekeys: Vec::new(),
            registered: true,
            next_prekey_id: 1,
            display_name,
            device_name: self.device_name.clone(),
            // The relay tells the account's setting on the first authentication.
            presence: Default::default(),
            presence_unsent: false,
            // This device's own choice, as on a new account.
            read_receipts: true,
            about: String::new(),
            photo: None,
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

    /// `announce_groups`).
    pub async fn import_history(
        &mut self,
        history: &HistoryBlob,
        blob: &[u8],
    ) -> Result<(usize, Output), EngineError> {
        let history = History::open(&history.key, blob).map_err(|_| DeviceActionError::History)?;
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
                groups.push(crate::model::GroupRecord {
                    log,
                    own_key: member.then(|| OwnSenderKey::generate(id, &mut self.rng)),
                    shared_with: Vec::new(),
                    senders: Vec::new(),
                    pending: Vec::new(),
                    proposed: Vec::new(),
                });
            }
        }
        let timers = self.newer_timers(history.timers).await?;
        let chat_states = self.merged_chat_states(history.chat_states).await?;
        self.store
            .commit(Changes {
                timers,
                chat_states,
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
        if self.connection.authenticated {
            let _ = self.announce_groups(&mut out).await;
        }
        Ok((count, out))
    }

    /// The history's chat states merged into what this device holds (the newest setting of
    /// each field wins), where they change it.
    async fn merged_chat_states(
        &self,
        theirs: Vec<(ChatId, ChatState)>,
    ) -> Result<Vec<(ChatId, ChatState)>, EngineError> {
        let here = self.store.chat_states().await?;
        // Merged into a running list, so a chat named twice keeps the newest of each field.
        let mut merged: Vec<(ChatId, ChatState)> = Vec::new();
        for (chat, state) in theirs {
            if self.is_own(&chat.to_string()) {
                continue;
            }
            let at = match merged.iter().position(|(c, _)| *c == chat) {
                Some(at) => at,
                None => {
                    let found = here.iter().find(|(c, _)| *c == chat);
                    merged.push((chat, found.map(|(_, s)| *s).unwrap_or_default()));
                    merged.len() - 1
                }
            };
            if let Some((_, ours)) = merged.get_mut(at) {
                ours.merge(&state);
            }
        }
        Ok(merged)
    }

    /// The history's timers that are valid choices and newer than what this device holds.
    async fn newer_timers(
        &self,
        timers: Vec<(ChatId, ChatTimer)>,
    ) -> Result<Vec<(ChatId, ChatTimer)>, EngineError> {
        let here = self.store.timers().await?;
        let held = |chat: &ChatId| here.iter().find(|(c, _)| c == chat).map(|(_, t)| t.set_ms);
        Ok(timers
            .into_iter()
            .filter(|(chat, timer)| {
                is_timer_choice(timer.timer_ms) && held(chat).is_none_or(|set| set < timer.set_ms)
            })
            .collect())
    }
}
