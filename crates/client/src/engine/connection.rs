//! One connection to the relay: its challenge, authentication, the prekey stock, and what this
//! connection has asked for and sent. A new connection starts from [`Connection::default`].

use hush_protocol::relay::{ClientFrame, LOW_PREKEYS};
use hush_protocol::{Rng, Username};

use super::{Engine, Event, Output};
use crate::account::{LocalAccount, Rotation};
use crate::error::{EngineError, InputError};
use crate::model::{ChatId, MessageId};
use crate::store::{Changes, Store};

/// Accounts whose presence is followed (the relay's limit).
pub(super) const MAX_WATCHED: usize = hush_protocol::relay::MAX_SUBSCRIPTIONS;

/// What the current connection has said and asked.
#[derive(Default)]
pub(super) struct Connection {
    /// The challenge, until it is answered.
    pub(super) challenge: Option<[u8; 32]>,
    /// Whether the relay accepted our answer.
    pub(super) authenticated: bool,
    /// Bundle requests in flight: request → account.
    pub(super) fetching: Vec<(u32, Username)>,
    /// Accounts whose presence this connection follows (the relay keeps at most 256).
    pub(super) watched: Vec<Username>,
    /// Outbox entries sent on this connection and not yet answered: not sent again until the
    /// next connection.
    pub(super) in_flight: Vec<MessageId>,
    /// Group members whose devices were fetched on this connection for a group send (not
    /// fetched again if some still have no session).
    pub(super) group_asked: Vec<Username>,
    /// Groups whose member devices do not have our key yet, though nothing waits to be sent
    /// (a newly linked browser): it goes to them now, so that they notice this device and
    /// give it theirs before their next message (see `groups::send::announce_groups`).
    pub(super) announcing: Vec<[u8; 16]>,
    /// Upload grants asked for attachments, not answered yet (at most
    /// [`super::attachments::MAX_UPLOADS_ASKED`]).
    pub(super) uploads_asked: Vec<u32>,
    /// Blob renewals asked, not answered yet (at most
    /// [`super::forward_media::MAX_RENEWALS_ASKED`]).
    pub(super) renewals_asked: Vec<u32>,
}

impl Connection {
    /// Whether bundles for `account` are being fetched.
    pub(super) fn is_fetching(&self, account: &Username) -> bool {
        self.fetching.iter().any(|(_, a)| a == account)
    }

    /// The frame that follows every watched account's presence.
    pub(super) fn subscribe(&self) -> ClientFrame {
        ClientFrame::Subscribe {
            accounts: self.watched.clone(),
        }
    }

    /// Whether `request` was a renewal waiting for its answer (it waits no more).
    pub(super) fn renewal_answered(&mut self, request: u32) -> bool {
        let Some(at) = self.renewals_asked.iter().position(|&r| r == request) else {
            return false;
        };
        self.renewals_asked.swap_remove(at);
        true
    }

    /// Notes that `frames` (`Send`, `GroupSend`) are on their way: not sent again on this
    /// connection.
    pub(super) fn sending(&mut self, frames: &[ClientFrame]) {
        self.in_flight.extend(sent_ids(frames));
    }
}

/// The client ids of the `Send` and `GroupSend` frames among `frames`.
fn sent_ids(frames: &[ClientFrame]) -> impl Iterator<Item = MessageId> + '_ {
    frames.iter().filter_map(|frame| match frame {
        ClientFrame::Send { client_id, .. } | ClientFrame::GroupSend { client_id, .. } => {
            Some(*client_id)
        }
        _ => None,
    })
}

/// Ids for relay requests, never 0 (the relay's "no request").
pub(super) struct RequestIds(u32);

impl Default for RequestIds {
    fn default() -> Self {
        Self(1)
    }
}

impl RequestIds {
    /// A new request id.
    pub(super) fn next(&mut self) -> u32 {
        let request = self.0;
        self.0 = self.0.wrapping_add(1).max(1);
        request
    }
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// A new connection is open: until its challenge is answered nothing is sent, and what the
    /// last one asked will not be answered.
    pub fn reset_connection(&mut self) {
        self.linking.connection_lost();
        self.connection = Connection::default();
    }

    /// Makes a new account's keys and stores them; it is registered over the connection (now,
    /// if one is waiting, else on the next). A name the relay refused may be replaced.
    pub async fn create_account(&mut self, name: &Username) -> Result<Output, EngineError> {
        if self.account.as_ref().is_some_and(|a| a.registered) {
            return Err(EngineError::AlreadyRegistered);
        }
        let account =
            crate::account::LocalAccount::generate(name, &self.device_name, &mut self.rng);
        self.store
            .commit(Changes {
                account: Some(account.clone()),
                ..Changes::default()
            })
            .await?;
        self.account = Some(account);
        self.registering = true;
        self.linking.stop_joining();
        let mut out = Output::default();
        self.answer_challenge(&mut out)?;
        Ok(out)
    }

    /// Answers the connection's challenge (registering or signing in), if there is one and an
    /// account to answer with.
    pub(super) fn answer_challenge(&mut self, out: &mut Output) -> Result<(), EngineError> {
        let (Some(account), Some(nonce)) = (&self.account, self.connection.challenge) else {
            return Ok(());
        };
        if !account.registered && !self.registering {
            return Ok(());
        }
        let frame = account
            .answer_challenge(&nonce)
            .map_err(|_| InputError::Username)?;
        self.connection.challenge = None;
        out.frames.push(frame);
        Ok(())
    }

    /// The relay accepted us: prekeys topped up (the signed one replaced when due), presence
    /// followed, and everything left in the outbox sent again.
    pub(super) async fn authenticated(
        &mut self,
        remaining: u32,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        self.connection.authenticated = true;
        // Changed on a copy: the engine takes it once it is stored.
        let mut account = self.account.clone().ok_or(EngineError::NoAccount)?;
        let rotation = account.rotate_signed_prekey(now_ms, &mut self.rng);
        if !account.registered {
            account.registered = true;
            out.events.push(Event::Registered);
            self.upload_prekeys_for(account, out).await?;
        } else if remaining < LOW_PREKEYS {
            self.upload_prekeys_for(account, out).await?;
        } else if rotation != Rotation::Unchanged {
            self.store_rotation(account, rotation, out).await?;
        }
        out.events.push(Event::Authenticated);
        self.finish_unfinished(out)?;
        // Before the subscriptions: the relay answers them as the setting allows.
        self.send_presence_visibility(out);
        self.watch_chats(out).await?;
        self.resend_outbox(out).await?;
        self.resume_ordering(out).await?;
        if self.brief {
            return Ok(());
        }
        self.announce_groups(out).await
    }

    /// Follows the presence of everyone we chat with, most recent first.
    async fn watch_chats(&mut self, out: &mut Output) -> Result<(), EngineError> {
        self.connection.watched = self
            .store
            .chats()
            .await?
            .into_iter()
            .filter_map(|c| match c.chat {
                ChatId::Direct(account) => Some(account),
                ChatId::Group(_) => None,
            })
            .take(MAX_WATCHED)
            .collect();
        if !self.connection.watched.is_empty() {
            out.frames.push(self.connection.subscribe());
        }
        Ok(())
    }

    /// Whatever was left unsent (a reconnect, a restart) goes again with the same ids.
    async fn resend_outbox(&mut self, out: &mut Output) -> Result<(), EngineError> {
        let mut recipients: Vec<ChatId> = Vec::new();
        for entry in self.store.outbox().await? {
            if !recipients.contains(&entry.to) {
                recipients.push(entry.to.clone());
            }
        }
        // Accounts first: a sender key waiting in a pairwise message goes ahead of the group
        // messages it opens.
        recipients.sort_by_key(|to| to.group().is_some());
        for to in recipients {
            self.dispatch(&to, out).await?;
        }
        Ok(())
    }

    /// The account after a signed prekey rotation, stored before the new key is uploaded
    /// (alone: the relay's one-time stock is not low).
    async fn store_rotation(
        &mut self,
        account: LocalAccount,
        rotation: Rotation,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let signed_prekey = account.signed_prekey.public();
        self.store
            .commit(Changes {
                account: Some(account.clone()),
                ..Changes::default()
            })
            .await?;
        self.account = Some(account);
        if rotation == Rotation::Replaced {
            out.frames.push(ClientFrame::UploadPreKeys {
                signed_prekey,
                one_time: Vec::new(),
            });
        }
        Ok(())
    }

    /// A new batch of one-time prekeys, stored (with the account's counter) before upload.
    pub(super) async fn upload_prekeys(&mut self, out: &mut Output) -> Result<(), EngineError> {
        let account = self.account.clone().ok_or(EngineError::NoAccount)?;
        self.upload_prekeys_for(account, out).await
    }

    /// [`Self::upload_prekeys`] from `account` (changed, not yet stored): the engine takes it
    /// once it is stored with the new prekeys.
    async fn upload_prekeys_for(
        &mut self,
        mut account: LocalAccount,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let prekeys = account.new_prekeys(&mut self.rng);
        let one_time = prekeys.iter().map(|k| k.public()).collect();
        let signed_prekey = account.signed_prekey.public();
        self.store
            .commit(Changes {
                account: Some(account.clone()),
                new_prekeys: prekeys,
                ..Changes::default()
            })
            .await?;
        self.account = Some(account);
        out.frames.push(ClientFrame::UploadPreKeys {
            signed_prekey,
            one_time,
        });
        Ok(())
    }

    /// Asks for `account`'s bundles, unless they are being fetched already.
    pub(super) fn fetch_bundles(&mut self, account: &Username, out: &mut Output) {
        if self.connection.is_fetching(account) || !self.connection.authenticated {
            return;
        }
        let request = self.requests.next();
        self.connection.fetching.push((request, account.clone()));
        out.frames.push(ClientFrame::FetchBundles {
            request,
            account: account.clone(),
        });
    }

    /// The account whose bundles request `request` asked for, no longer waited for.
    pub(super) fn fetched(&mut self, request: u32) -> Option<Username> {
        let fetching = &mut self.connection.fetching;
        let i = fetching.iter().position(|(r, _)| *r == request)?;
        Some(fetching.swap_remove(i).1)
    }
}
