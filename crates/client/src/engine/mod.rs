//! The engine: relay frames and user actions in, frames to send and events for the UI out.
//!
//! Ordering rules it keeps:
//! - a ratchet step is committed before the ciphertext it made is handed out (a crash can never
//!   make a message key be used twice);
//! - a received envelope is decrypted on a copy of the session, committed with the message it
//!   carried, and only then acknowledged;
//! - a message is in the outbox (stored) before it is sent, and leaves it on the relay's `Sent`;
//!   after a reconnect everything left is sent again with the same id, which the relay stores
//!   once.
//!
//! Rooms: `connection` (challenge, authentication, prekeys, what one connection has asked),
//! `send` (the outbox, sealing, the relay's `Sent`), `receive` (a batch of envelopes: decrypt,
//! apply, commit, ack), `bundles` (sessions from fetched devices), `contacts` (safety numbers,
//! verification, profiles, presence), `senders` (who may send to us), `own_devices` (our own
//! list, transcripts, read sync), `presence_setting` (who may see our presence), what is done to
//! messages (`actions`, `reactions`, `amend` for edits and deletes, `marks` for stars and
//! deletes for me, `rich` for replies and forwards, `timers` for disappearing messages, `held` for actions that came before their
//! message), `groups` and `linking`.

mod actions;
mod amend;
mod apply_held;
mod attachments;
mod bundles;
mod chat_list;
mod connection;
mod contacts;
mod event;
mod expired;
mod forward;
mod forward_media;
mod groups;
mod held;
mod linking;
mod marks;
mod mentions;
mod own_devices;
mod presence_setting;
mod reactions;
mod read_receipts;
mod receive;
mod rich;
mod send;
mod senders;
mod timer_rights;
mod timers;

use hush_protocol::relay::{ErrorCode, ServerFrame};
use hush_protocol::{Rng, Username};

pub use chat_list::ChatAction;
pub use event::{Event, Output};
pub use forward::{Forwarded, MAX_FORWARD_CHATS};
pub use forward_media::{forward_media, ForwardMedia, FORWARD_AS_IS_MS};

use crate::account::LocalAccount;
use crate::error::EngineError;
use crate::model::{ChatId, ChatMessage, PinnedDevices};
use crate::store::Store;
use connection::{Connection, RequestIds};
use groups::{HeldMessages, Ordering, OrphanKeys};
use linking::Linking;
use receive::Incoming;

/// What [`Engine::preview_received`] calls.
type Preview = Box<dyn FnMut(&ChatMessage)>;

/// The engine over a store and a random number generator (both passed in: sans-IO).
pub struct Engine<S, R> {
    store: S,
    rng: R,
    account: Option<LocalAccount>,
    /// A registration was asked for by this instance (a stored, unregistered account is not
    /// registered on its own: its name may have been refused). Not per connection: an account
    /// made while offline registers on the next one.
    registering: bool,
    /// Not per connection either: a link step of an earlier connection keeps its request id,
    /// which a new request must never take.
    requests: RequestIds,
    /// What the current connection has said and asked; a new connection starts afresh.
    connection: Connection,
    /// Linking, on either side.
    linking: Linking,
    /// Our account's device list as last verified.
    own: Option<PinnedDevices>,
    /// When each of our devices was last connected, as the relay last said.
    own_active: Vec<(u32, u64)>,
    /// Sender keys that came before the change making their sender a member.
    orphan_keys: OrphanKeys,
    /// Group changes waiting for the relay's order.
    ordering: Ordering,
    /// Group messages waiting for their group's changes.
    held_messages: HeldMessages,
    /// Reactions, edits and deletes that came before their message.
    held: held::Held,
    /// Shown each received message once decrypted, before its commit (see
    /// [`Engine::preview_received`]).
    preview: Option<Preview>,
    /// What a new account's first device is called (see [`Engine::set_device_name`]).
    device_name: String,
    /// A service worker's short connection, woken by a push: it receives, and starts no
    /// more than what waits in the outbox (answers would come after it closed).
    brief: bool,
}

impl<S: Store, R: Rng> Engine<S, R> {
    /// Opens the engine on what `store` holds.
    pub async fn open(store: S, rng: R) -> Result<Self, EngineError> {
        let account = store.account().await?;
        let own = match &account {
            Some(a) => store.pinned_devices(&a.name).await?,
            None => None,
        };
        Ok(Self {
            store,
            rng,
            account,
            registering: false,
            requests: RequestIds::default(),
            connection: Connection::default(),
            linking: Linking::default(),
            own,
            own_active: Vec::new(),
            orphan_keys: OrphanKeys::default(),
            ordering: Ordering::default(),
            held_messages: HeldMessages::default(),
            held: held::Held::default(),
            preview: None,
            device_name: crate::account::DEFAULT_DEVICE_NAME.to_owned(),
            brief: false,
        })
    }

    /// Marks this engine as a service worker's short wake-up (see `brief`): it does not give
    /// out unused group keys, whose bundle fetches would be answered after it closed.
    pub fn set_brief(&mut self) {
        self.brief = true;
    }

    /// Our account's name.
    fn account_name(&self) -> Result<Username, EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        Ok(account.name.clone())
    }

    /// What this browser is called in its account's device list ("Chrome on Linux") when it
    /// makes a new account or is linked to one.
    pub fn set_device_name(&mut self, name: &str) {
        if let Some(name) = hush_protocol::devices::clean_device_name(name) {
            self.device_name = name;
        }
    }

    /// Has `show` called with every message received, as soon as it is decrypted and while
    /// its commit is still running: a screen can draw it a commit sooner. Nothing else waits:
    /// the relay's ack and the receipts still leave only after the commit, and if the commit
    /// fails the step returns the error (the message was not stored and comes again).
    pub fn preview_received(&mut self, show: impl FnMut(&ChatMessage) + 'static) {
        self.preview = Some(Box::new(show));
    }

    /// This device's account, if it has one.
    pub fn account(&self) -> Option<&LocalAccount> {
        self.account.as_ref()
    }

    /// The store (for reading chats).
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Ends the engine, handing back its store (to close it, or to wipe it after an unlink).
    pub fn into_store(self) -> S {
        self.store
    }

    /// Handles one frame from the relay (`now_ms`: the device's clock).
    pub async fn handle(&mut self, frame: ServerFrame, now_ms: u64) -> Result<Output, EngineError> {
        let mut out = Output::default();
        match frame {
            ServerFrame::Challenge { nonce } => {
                self.connection.challenge = Some(nonce);
                self.answer_challenge(&mut out)?;
                // A link code on screen stays good across a reconnect.
                self.open_link(&mut out)?;
            }
            ServerFrame::Authenticated { one_time_prekeys } => {
                self.authenticated(one_time_prekeys, now_ms, &mut out)
                    .await?;
            }
            ServerFrame::Error {
                request,
                code,
                message,
            } => {
                self.relay_error(request, code, message, now_ms, &mut out)
                    .await?
            }
            ServerFrame::PreKeysLow { .. } => self.upload_prekeys(&mut out).await?,
            envelope @ ServerFrame::Envelope { .. } => {
                let batch = Incoming::from_frame(envelope).into_iter().collect();
                self.receive_batch(batch, now_ms, &mut out).await?;
            }
            ServerFrame::Bundles {
                request,
                account_key,
                device_list,
                bundles,
            } => {
                if let Some(account) = self.fetched(request) {
                    let fetched = bundles::Fetched {
                        account_key,
                        device_list,
                        bundles,
                    };
                    self.bundles_fetched(&account, fetched, now_ms, &mut out)
                        .await?;
                }
            }
            ServerFrame::Sent { client_id, outcome } => {
                self.sent(client_id, outcome, &mut out).await?;
            }
            ServerFrame::GroupCommitted { group, hash, .. } => {
                self.group_committed(group, hash, now_ms, &mut out).await?;
            }
            ServerFrame::GroupCommitRefused { group, epoch, head } => {
                self.group_commit_refused(group, epoch, head, &mut out)
                    .await?;
            }
            ServerFrame::GroupOrder { group, entries } => {
                self.group_order(group, entries, now_ms, &mut out).await?;
            }
            other => self.handle_notice(other, &mut out).await?,
        }
        Ok(out)
    }

    /// Frames that change little or nothing here: typing, presence, our own devices and the
    /// link steps' answers.
    async fn handle_notice(
        &mut self,
        frame: ServerFrame,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        match frame {
            ServerFrame::Typing { from, typing } => out.events.push(Event::Typing { from, typing }),
            ServerFrame::GroupTyping {
                group,
                from,
                typing,
            } => {
                // Only a member's typing shows.
                let record = self.store.group(&group).await?;
                let member = record.is_some_and(|r| r.log.state().member(&from).is_some());
                if member {
                    out.events.push(Event::GroupTyping {
                        chat: ChatId::Group(group),
                        from,
                        typing,
                    });
                }
            }
            ServerFrame::OwnDevices {
                device_list,
                last_active,
            } => {
                self.own_active = last_active;
                self.own_list(&device_list, out).await?
            }
            ServerFrame::LinkOpened { expires_in_s } => {
                out.events.push(Event::LinkOpened { expires_in_s });
            }
            frame @ ServerFrame::Expired { .. } => {
                let notices = expired::ExpiryNotice::from_frame(frame)
                    .into_iter()
                    .collect();
                self.envelopes_expired(notices, out).await?;
            }
            ServerFrame::Provisioning { sealed } => self.provisioned(&sealed, out).await?,
            ServerFrame::LinkAnnouncement {
                request,
                announcement,
            } => self.link_announcement(request, &announcement, out),
            ServerFrame::UploadGranted { request, id }
                if !self.attachment_granted(request, id, out) =>
            {
                self.upload_granted(request, id, out);
            }
            ServerFrame::UploadGranted { .. } => {}
            ServerFrame::BlobRenewed { request } => {
                self.blob_renewed(request, out);
            }
            ServerFrame::DeviceListPublished { request, .. } => {
                self.list_published(request, out).await?;
            }
            ServerFrame::Provisioned { request } => self.provision_delivered(request, out),
            ServerFrame::Presence {
                account,
                online,
                last_seen_ms,
            } => out.events.push(Event::Presence {
                account,
                online,
                last_seen_ms,
            }),
            ServerFrame::PresenceVisibility {
                request,
                visibility,
            } => {
                self.presence_visibility_told(request, visibility, out)
                    .await?
            }
            _ => {}
        }
        Ok(())
    }

    /// The relay refused something: a link step, a bundle fetch, our name, or a request of
    /// no step (reported as it is).
    async fn relay_error(
        &mut self,
        request: u32,
        code: ErrorCode,
        message: String,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        if request != 0 && self.link_refused(request, &message, now_ms, out)? {
            return Ok(());
        }
        if request != 0 && self.attachment_refused(request, &message, out) {
            return Ok(());
        }
        if request != 0 && self.renewal_refused(request, out) {
            return Ok(());
        }
        match (code, self.fetched(request)) {
            (ErrorCode::NotFound, None) if request == 0 && self.linking.is_joining() => {
                self.linking.stop_joining();
                out.events.push(Event::LinkFailed(message));
            }
            (ErrorCode::NameTaken, _) => {
                // The relay closes this connection; the next one waits for another name.
                self.registering = false;
                out.events.push(Event::NameTaken);
            }
            (ErrorCode::NotFound, Some(account)) => {
                self.fail_outbox(&account, out).await?;
                out.events.push(Event::UnknownUser(account));
                self.dispatch_waiting_groups(out).await?;
            }
            (_, fetched) => {
                out.events.push(Event::RelayError(message));
                // A member's devices could not be fetched: groups waiting for them go on
                // without (they are not asked for again on this connection).
                if fetched.is_some() {
                    self.dispatch_waiting_groups(out).await?;
                }
            }
        }
        Ok(())
    }

    /// Handles frames that arrived together: envelopes in a row are received as one batch (one
    /// transaction, one ack), everything else in order.
    pub async fn handle_all(
        &mut self,
        frames: Vec<ServerFrame>,
        now_ms: u64,
    ) -> Result<Output, EngineError> {
        let mut out = Output::default();
        let mut batch = Vec::new();
        // Up to a thousand come on connecting: one commit and one acknowledgement for all.
        let mut notices = Vec::new();
        for frame in frames {
            let frame = match expired::ExpiryNotice::from_frame(frame) {
                Ok(notice) => {
                    notices.push(notice);
                    continue;
                }
                Err(frame) => frame,
            };
            match Incoming::from_frame(frame) {
                Ok(envelope) => batch.push(envelope),
                Err(other) => {
                    if !batch.is_empty() {
                        self.receive_batch(std::mem::take(&mut batch), now_ms, &mut out)
                            .await?;
                    }
                    let more = self.handle(other, now_ms).await?;
                    out.frames.extend(more.frames);
                    out.events.extend(more.events);
                }
            }
        }
        if !batch.is_empty() {
            self.receive_batch(batch, now_ms, &mut out).await?;
        }
        if !notices.is_empty() {
            self.envelopes_expired(notices, &mut out).await?;
        }
        Ok(out)
    }
}
