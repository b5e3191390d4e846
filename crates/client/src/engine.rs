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

mod groups;
mod linking;
mod own_devices;
mod senders;

use hush_protocol::fingerprint::SafetyNumber;
use hush_protocol::ratchet::DecryptError;
use hush_protocol::record::SessionRecord;
use hush_protocol::relay::{
    ClientFrame, ErrorCode, OutgoingEnvelope, SendOutcome, ServerFrame, LOW_PREKEYS,
};
use hush_protocol::wire::{Message, PreKeyBundle};
use hush_protocol::x3dh::{self, X3dhError};
use hush_protocol::{DeviceAddress, Rng};

use crate::account::LocalAccount;
use crate::content::{clean_display_name, Content, ReceiptKind};
use crate::devices::{listed, Refusal};
use crate::store::{
    group_chat, group_id, Changes, ChatMessage, Kind, MessageId, OutboxEntry, PinnedDevices,
    Status, Store, StoreError,
};

/// Sends of one message before it is marked failed (the user can retry).
const MAX_ATTEMPTS: u32 = 5;
/// Accounts whose presence is followed (the relay's limit).
const MAX_WATCHED: usize = hush_protocol::relay::MAX_SUBSCRIPTIONS;

/// The client ids of `Send` frames.
/// Outbox entries encrypted for sending: to be committed (entries with their attempt counted,
/// the sessions advanced) before the frames leave.
struct Sealed {
    entries: Vec<OutboxEntry>,
    sessions: Vec<(DeviceAddress, SessionRecord)>,
    frames: Vec<ClientFrame>,
}

/// A batch's working copies of sessions, by device. A few devices per sender: a list, not a
/// map (each map type costs the wasm a copy of the hash table code).
#[derive(Default)]
struct Working(Vec<(DeviceAddress, SessionRecord)>);

impl Working {
    fn get_mut(&mut self, address: &DeviceAddress) -> Option<&mut SessionRecord> {
        self.0
            .iter_mut()
            .find(|(a, _)| a == address)
            .map(|(_, r)| r)
    }

    fn insert(&mut self, address: DeviceAddress, record: SessionRecord) {
        match self.get_mut(&address) {
            Some(slot) => *slot = record,
            None => self.0.push((address, record)),
        }
    }

    fn take(&mut self, address: &DeviceAddress) -> Option<(DeviceAddress, SessionRecord)> {
        let i = self.0.iter().position(|(a, _)| a == address)?;
        Some(self.0.swap_remove(i))
    }
}

/// The sessions with every device of `account` in a batch's working copies that can send,
/// by device.
fn sessions_of(account: &str, working: &Working) -> Vec<(DeviceAddress, SessionRecord)> {
    let mut found: Vec<(DeviceAddress, SessionRecord)> = working
        .0
        .iter()
        .filter(|(address, record)| address.account() == account && !record.is_empty())
        .map(|(address, record)| (address.clone(), record.clone()))
        .collect();
    found.sort_unstable_by_key(|(address, _)| address.device());
    found
}

/// How a verified account key is stored (the record holds 64 bytes: the key, then zeros).
fn verified_form(key: [u8; 32]) -> [u8; 64] {
    let mut stored = [0u8; 64];
    stored[..32].copy_from_slice(&key);
    stored
}

fn sent_ids(frames: &[ClientFrame]) -> Vec<MessageId> {
    frames
        .iter()
        .filter_map(|frame| match frame {
            ClientFrame::Send { client_id, .. } | ClientFrame::GroupSend { client_id, .. } => {
                Some(*client_id)
            }
            _ => None,
        })
        .collect()
}

/// One envelope from the relay.
struct Incoming {
    id: u64,
    sender: String,
    sender_device: u32,
    payload: Vec<u8>,
}

impl Incoming {
    /// The envelope in `frame`; any other frame is handed back.
    fn from_frame(frame: ServerFrame) -> Result<Self, ServerFrame> {
        match frame {
            ServerFrame::Envelope {
                id,
                sender,
                sender_device,
                payload,
                ..
            } => Ok(Self {
                id,
                sender,
                sender_device,
                payload,
            }),
            other => Err(other),
        }
    }
}

/// What the UI hears about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The relay accepted the new account.
    Registered,
    /// The username is taken: choose another and call [`Engine::create_account`] again.
    NameTaken,
    /// The device is connected and authenticated.
    Authenticated,
    /// A message arrived and is stored.
    Message(ChatMessage),
    /// One of our messages moved on.
    Status(MessageId, Status),
    /// No account has this name (a chat with it cannot start; what was sent to it failed).
    UnknownUser(String),
    /// A message from this account could not be decrypted (it was dropped).
    Undecryptable {
        /// The sender account.
        from: String,
    },
    /// The relay refused something.
    RelayError(String),
    /// Someone started or stopped typing to us.
    Typing {
        /// Who.
        from: String,
        /// Started (true) or stopped.
        typing: bool,
    },
    /// A contact told us their display name.
    Profile {
        /// Which account.
        account: String,
        /// The name to show for it.
        display_name: String,
    },
    /// The relay served devices of `account` that its account did not sign (or an older list):
    /// they get nothing, and what could only go to them fails.
    DevicesRefused {
        /// Which account.
        account: String,
        /// What was wrong.
        reason: crate::devices::Refusal,
    },
    /// This device was removed from the account (by a list our account key signed): the
    /// caller wipes its data and returns to onboarding.
    Unlinked,
    /// The account's own device list, or when its devices were last connected, changed.
    OwnDevicesChanged,
    /// Another of our devices read messages of this chat.
    ReadElsewhere {
        /// The chat.
        chat: String,
    },
    /// The new browser's link address is open (the code works for this long).
    LinkOpened {
        /// Seconds left.
        expires_in_s: u32,
    },
    /// This browser is now a device of the account; its history, if sent, is to be fetched
    /// (`GET /blobs/<id>`) and given to [`Engine::import_history`].
    Linked {
        /// Where the history is, and its key.
        history: Option<hush_protocol::linking::HistoryBlob>,
    },
    /// A browser waits to be linked: show its name and ask ([`Engine::allow_link`]).
    LinkRequest {
        /// The name it gave ("Chrome on Linux").
        device_name: String,
    },
    /// Upload `blob` with `PUT /blobs/<id>`, then call [`Engine::history_uploaded`].
    UploadHistory {
        /// The blob id the relay granted.
        id: [u8; 32],
        /// The encrypted history.
        blob: Vec<u8>,
    },
    /// The new device has everything it needs.
    LinkDone {
        /// Its name.
        device_name: String,
    },
    /// Linking stopped (the reason is for the user).
    LinkFailed(String),
    /// A group's members, roles or info changed (or we joined or left it).
    GroupChanged {
        /// The group's chat.
        chat: String,
    },
    /// A member started or stopped typing in a group.
    GroupTyping {
        /// The group's chat.
        chat: String,
        /// Who.
        from: String,
        /// Started (true) or stopped.
        typing: bool,
    },
    /// A watched account came online or went offline.
    Presence {
        /// Which account.
        account: String,
        /// Whether any of its devices is connected.
        online: bool,
        /// When it was last connected (ms since the epoch; 0 if unknown).
        last_seen_ms: u64,
    },
}

/// What one step produced: frames for the relay, in order, and events for the UI.
#[derive(Debug, Default)]
pub struct Output {
    /// To send, in this order.
    pub frames: Vec<ClientFrame>,
    /// For the UI.
    pub events: Vec<Event>,
}

/// Why a step failed; nothing it would have changed was stored.
#[derive(Debug)]
pub enum EngineError {
    /// The store failed.
    Store(StoreError),
    /// No account on this device yet.
    NoAccount,
    /// This device already has a registered account.
    AlreadyRegistered,
    /// The input was not acceptable (the reason is for the user).
    Invalid(&'static str),
}

impl core::fmt::Display for EngineError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Store(e) => e.fmt(f),
            Self::NoAccount => f.write_str("no account on this device yet"),
            Self::AlreadyRegistered => f.write_str("this device already has an account"),
            Self::Invalid(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for EngineError {}

impl From<StoreError> for EngineError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// What [`Engine::preview_received`] calls.
type Preview = Box<dyn FnMut(&ChatMessage)>;

/// The engine over a store and a random number generator (both passed in: sans-IO).
pub struct Engine<S, R> {
    store: S,
    rng: R,
    account: Option<LocalAccount>,
    /// The current connection's challenge, until it is answered.
    challenge: Option<[u8; 32]>,
    authenticated: bool,
    /// A registration was asked for by this instance (a stored, unregistered account is not
    /// registered on its own: its name may have been refused).
    registering: bool,
    next_request: u32,
    /// Bundle requests in flight: request → account.
    fetching: Vec<(u32, String)>,
    /// Accounts whose presence this connection follows (the relay keeps at most 256).
    watched: Vec<String>,
    /// Outbox entries sent on this connection and not yet answered: not sent again until the
    /// next connection.
    in_flight: Vec<MessageId>,
    /// Shown each received message once decrypted, before its commit (see
    /// [`Engine::preview_received`]).
    preview: Option<Preview>,
    /// What a new account's first device is called (see [`Engine::set_device_name`]).
    device_name: String,
    /// Our account's device list as last verified.
    own: Option<PinnedDevices>,
    /// When each of our devices was last connected, as the relay last said.
    own_active: Vec<(u32, u64)>,
    /// Waiting to be linked (a browser with no account).
    joining: Option<linking::Joining>,
    /// Linking another browser.
    approving: Option<linking::Approving>,
    /// The encrypted history of the link being approved, until its upload is granted.
    history_upload: Option<Vec<u8>>,
    /// Our own list change (unlink, rename) waiting for the relay: request and list.
    publishing: Option<(u32, hush_protocol::devices::DeviceList)>,
    /// A device listed for a link that a dropped connection interrupted before its
    /// provisioning message: unlisted on the next connection.
    unfinished: Option<u32>,
    /// Group members whose devices were fetched on this connection for a group send (not
    /// fetched again if some still have no session).
    group_asked: Vec<String>,
    /// Sender keys that came before the change making their sender a member (a few, kept
    /// until it comes; see `groups`).
    orphan_keys: Vec<(DeviceAddress, hush_protocol::wire::SenderKeyDistribution)>,
    /// Groups whose member devices do not have our key yet, though nothing waits to be sent
    /// (a newly linked browser): it goes to them now, so that they notice this device and
    /// give it theirs before their next message (see `groups::announce_groups`).
    announcing: Vec<[u8; 16]>,
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
            challenge: None,
            authenticated: false,
            registering: false,
            next_request: 1,
            fetching: Vec::new(),
            watched: Vec::new(),
            in_flight: Vec::new(),
            preview: None,
            device_name: crate::account::DEFAULT_DEVICE_NAME.to_owned(),
            own,
            own_active: Vec::new(),
            joining: None,
            approving: None,
            history_upload: None,
            publishing: None,
            unfinished: None,
            group_asked: Vec::new(),
            orphan_keys: Vec::new(),
            announcing: Vec::new(),
            brief: false,
        })
    }

    /// Marks this engine as a service worker's short wake-up (see `brief`): it does not give
    /// out unused group keys, whose bundle fetches would be answered after it closed.
    pub fn set_brief(&mut self) {
        self.brief = true;
    }

    /// Our account's name.
    fn account_name(&self) -> Result<String, EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        Ok(account.name.clone())
    }

    /// The account whose bundles request `request` asked for, no longer waited for.
    fn fetched(&mut self, request: u32) -> Option<String> {
        let i = self.fetching.iter().position(|(r, _)| *r == request)?;
        Some(self.fetching.swap_remove(i).1)
    }

    /// A new request id for the relay.
    fn request_id(&mut self) -> u32 {
        let request = self.next_request;
        self.next_request = self.next_request.wrapping_add(1).max(1);
        request
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

    /// Makes a new account's keys and stores them; it is registered over the connection (now,
    /// if one is waiting, else on the next). A name the relay refused may be replaced.
    pub async fn create_account(&mut self, name: &str) -> Result<Output, EngineError> {
        if self.account.as_ref().is_some_and(|a| a.registered) {
            return Err(EngineError::AlreadyRegistered);
        }
        if DeviceAddress::new(name, 1).is_err() {
            return Err(EngineError::Invalid("that username is not valid"));
        }
        let account = LocalAccount::generate(name, &self.device_name, &mut self.rng);
        self.store
            .commit(Changes {
                account: Some(account.clone()),
                ..Changes::default()
            })
            .await?;
        self.account = Some(account);
        self.registering = true;
        self.joining = None;
        let mut out = Output::default();
        self.answer_challenge(&mut out)?;
        Ok(out)
    }

    /// A new connection is open: until its challenge is answered nothing is sent.
    pub fn disconnected(&mut self) {
        self.link_disconnected();
        self.authenticated = false;
        self.challenge = None;
        self.fetching.clear();
        self.in_flight.clear();
        self.group_asked.clear();
        self.announcing.clear();
    }

    fn answer_challenge(&mut self, out: &mut Output) -> Result<(), EngineError> {
        let (Some(account), Some(nonce)) = (&self.account, self.challenge) else {
            return Ok(());
        };
        if !account.registered && !self.registering {
            return Ok(());
        }
        let frame = account
            .answer_challenge(&nonce)
            .map_err(|_| EngineError::Invalid("that username is not valid"))?;
        self.challenge = None;
        out.frames.push(frame);
        Ok(())
    }

    /// Handles one frame from the relay (`now_ms`: the device's clock).
    pub async fn handle(&mut self, frame: ServerFrame, now_ms: u64) -> Result<Output, EngineError> {
        let mut out = Output::default();
        match frame {
            ServerFrame::Challenge { nonce } => {
                self.challenge = Some(nonce);
                self.answer_challenge(&mut out)?;
                // A link code on screen stays good across a reconnect.
                self.open_link(&mut out)?;
            }
            ServerFrame::Authenticated { one_time_prekeys } => {
                self.authenticated(one_time_prekeys, &mut out).await?;
            }
            ServerFrame::Error {
                request, message, ..
            } if request != 0 && self.link_refused(request, &message, now_ms, &mut out)? => {}
            ServerFrame::Error {
                request,
                code,
                message,
            } => match (code, self.fetched(request)) {
                (ErrorCode::NotFound, None) if request == 0 && self.joining.is_some() => {
                    self.joining = None;
                    out.events.push(Event::LinkFailed(message));
                }
                (ErrorCode::NameTaken, _) => {
                    // The relay closes this connection; the next one waits for another name.
                    self.registering = false;
                    out.events.push(Event::NameTaken);
                }
                (ErrorCode::NotFound, Some(account)) => {
                    self.fail_outbox(&account, &mut out).await?;
                    out.events.push(Event::UnknownUser(account));
                    self.dispatch_waiting_groups(&mut out).await?;
                }
                (_, fetched) => {
                    out.events.push(Event::RelayError(message));
                    // A member's devices could not be fetched: groups waiting for them go on
                    // without (they are not asked for again on this connection).
                    if fetched.is_some() {
                        self.dispatch_waiting_groups(&mut out).await?;
                    }
                }
            },
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
                    let before = self.store.pinned_devices(&account).await?;
                    // Our own account's list must be signed by the key we hold.
                    let own = self.is_own(&account);
                    let checked = self.check_sender_list(
                        &account,
                        account_key,
                        &device_list,
                        before.as_ref(),
                    );
                    match checked {
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
                            self.start_sessions(
                                &account, pinned, linked, &bundles, now_ms, &mut out,
                            )
                            .await?;
                        }
                        Err(reason) => {
                            out.events.push(Event::DevicesRefused {
                                account: account.clone(),
                                reason,
                            });
                            self.fail_outbox(&account, &mut out).await?;
                            self.dispatch_waiting_groups(&mut out).await?;
                        }
                    }
                }
            }
            ServerFrame::Sent { client_id, outcome } => {
                self.sent(client_id, outcome, &mut out).await?;
            }
            ServerFrame::Typing { from, typing } => out.events.push(Event::Typing { from, typing }),
            ServerFrame::GroupTyping {
                group,
                from,
                typing,
            } => {
                // Only a member's typing shows.
                let record = self.store.group(&group).await?;
                if record.is_some_and(|r| r.log.state().member(&from).is_some()) {
                    out.events.push(Event::GroupTyping {
                        chat: group_chat(&group),
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
                self.own_list(&device_list, &mut out).await?
            }
            ServerFrame::LinkOpened { expires_in_s } => {
                out.events.push(Event::LinkOpened { expires_in_s });
            }
            ServerFrame::Provisioning { sealed } => self.provisioned(&sealed, &mut out).await?,
            ServerFrame::LinkAnnouncement {
                request,
                announcement,
            } => self.link_announcement(request, &announcement, &mut out),
            ServerFrame::UploadGranted { request, id } => {
                self.upload_granted(request, id, &mut out);
            }
            ServerFrame::DeviceListPublished { request, .. } => {
                self.list_published(request, &mut out).await?;
            }
            ServerFrame::Provisioned { request } => self.provision_delivered(request, &mut out),
            ServerFrame::Presence {
                account,
                online,
                last_seen_ms,
            } => out.events.push(Event::Presence {
                account,
                online,
                last_seen_ms,
            }),
            _ => {}
        }
        Ok(out)
    }

    async fn authenticated(&mut self, remaining: u32, out: &mut Output) -> Result<(), EngineError> {
        self.authenticated = true;
        let account = self.account.as_mut().ok_or(EngineError::NoAccount)?;
        if !account.registered {
            account.registered = true;
            out.events.push(Event::Registered);
            self.upload_prekeys(out).await?;
        } else if remaining < LOW_PREKEYS {
            self.upload_prekeys(out).await?;
        }
        out.events.push(Event::Authenticated);
        self.finish_unfinished(out)?;
        // Presence of everyone we chat with, most recent first.
        self.watched = self
            .store
            .chats()
            .await?
            .into_iter()
            .map(|c| c.chat)
            .filter(|chat| group_id(chat).is_none())
            .take(MAX_WATCHED)
            .collect();
        if !self.watched.is_empty() {
            out.frames.push(ClientFrame::Subscribe {
                accounts: self.watched.clone(),
            });
        }
        // Whatever was left unsent (a reconnect, a restart) goes again with the same ids.
        let mut recipients: Vec<String> = Vec::new();
        for entry in self.store.outbox().await? {
            if !recipients.contains(&entry.to) {
                recipients.push(entry.to);
            }
        }
        // Accounts first: a sender key waiting in a pairwise message goes ahead of the group
        // messages it opens.
        recipients.sort_by_key(|to| group_id(to).is_some());
        for to in recipients {
            self.dispatch(&to, out).await?;
        }
        if self.brief {
            return Ok(());
        }
        self.announce_groups(out).await
    }

    /// A new batch of one-time prekeys, stored (with the account's counter) before upload.
    async fn upload_prekeys(&mut self, out: &mut Output) -> Result<(), EngineError> {
        let mut account = self.account.clone().ok_or(EngineError::NoAccount)?;
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

    /// Stores a text in the chat with `to` and the outbox, and sends it if connected.
    pub async fn send_text(
        &mut self,
        to: &str,
        body: &str,
        now_ms: u64,
    ) -> Result<(ChatMessage, Output), EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        if to == account.name {
            return Err(EngineError::Invalid("notes to self are not supported yet"));
        }
        let is_group = group_id(to).is_some();
        if !is_group && DeviceAddress::new(to, 1).is_err() {
            return Err(EngineError::Invalid("that username is not valid"));
        }
        if body.trim().is_empty() || body.len() > crate::content::MAX_TEXT {
            return Err(EngineError::Invalid(
                "a message is 1 to 65,536 bytes of text",
            ));
        }
        if is_group {
            return self.send_group_text(to, body, now_ms).await;
        }
        let mut id = [0u8; 16];
        self.rng.fill_bytes(&mut id);
        let content = Content::Text {
            id,
            sent_ms: now_ms,
            body: body.to_owned(),
        };
        let message = ChatMessage {
            id,
            group: None,
            kind: Kind::Text,
            chat: to.to_owned(),
            from_me: true,
            body: body.to_owned(),
            sent_ms: now_ms,
            status: Status::Sending,
        };
        let entry = OutboxEntry {
            id,
            to: to.to_owned(),
            content: content.encode(),
            attempts: 0,
        };
        let mut changes = Changes {
            messages: vec![message.clone()],
            ..Changes::default()
        };
        self.transcript(&message, &mut changes);
        let mut out = Output::default();
        // With sessions ready and nothing else waiting for `to`, the message is encrypted now
        // and stored with its ratchet step in one transaction; otherwise it waits in the
        // outbox behind the others.
        let ready = self.authenticated && !self.fetching.iter().any(|(_, a)| a == to);
        let sealed = if ready {
            let mut sessions = self.store.sessions_with(to).await?;
            sessions.retain(|(_, record)| !record.is_empty());
            self.seal(to, vec![entry.clone()], &sessions)
        } else {
            None
        };
        match sealed {
            Some(sealed) => {
                changes.outbox.extend(sealed.entries);
                changes.sessions = sealed.sessions;
                self.store.commit(changes).await?;
                self.in_flight.extend(sent_ids(&sealed.frames));
                out.frames.extend(sealed.frames);
            }
            None => {
                changes.outbox.push(entry);
                self.store.commit(changes).await?;
                if self.authenticated {
                    self.dispatch(to, &mut out).await?;
                }
            }
        }
        self.dispatch_own(&mut out).await?;
        Ok((message, out))
    }

    /// Encrypts everything in the outbox for `to` to each of its devices and sends it; without
    /// sessions, asks for bundles first.
    async fn dispatch(&mut self, to: &str, out: &mut Output) -> Result<(), EngineError> {
        if let Some(id) = group_id(to) {
            return self.dispatch_group(id, out).await;
        }
        let entries: Vec<OutboxEntry> = self
            .store
            .outbox()
            .await?
            .into_iter()
            .filter(|e| e.to == to && !self.in_flight.contains(&e.id))
            .collect();
        if entries.is_empty() {
            return Ok(());
        }
        let mut sessions = self.store.sessions_with(to).await?;
        sessions.retain(|(_, record)| !record.is_empty());
        let Some(sealed) = self.seal(to, entries, &sessions) else {
            self.fetch_bundles(to, out);
            return Ok(());
        };
        // The ratchet steps are stored before any ciphertext leaves.
        self.store
            .commit(Changes {
                outbox: sealed.entries,
                sessions: sealed.sessions,
                ..Changes::default()
            })
            .await?;
        self.in_flight.extend(sent_ids(&sealed.frames));
        out.frames.extend(sealed.frames);
        Ok(())
    }

    /// Encrypts outbox entries for every device of `to`, on copies of `sessions`. `None` when
    /// there is no session or one cannot send (not started on our side): new bundles are
    /// needed, and nothing was encrypted.
    fn seal(
        &self,
        to: &str,
        entries: Vec<OutboxEntry>,
        sessions: &[(DeviceAddress, SessionRecord)],
    ) -> Option<Sealed> {
        if sessions.is_empty() {
            return None;
        }
        let mut sealed = Sealed {
            entries: Vec::with_capacity(entries.len()),
            sessions: sessions.to_vec(),
            frames: Vec::with_capacity(entries.len()),
        };
        for mut entry in entries {
            let mut envelopes = Vec::with_capacity(sealed.sessions.len());
            let mut attested = None;
            for (address, record) in &mut sealed.sessions {
                // Until the other side replies, it is shown which devices our account signed.
                let new = record.current().is_some_and(|s| !s.is_confirmed());
                let plaintext = match self.own.as_ref().filter(|_| new) {
                    Some(own) => attested.get_or_insert_with(|| {
                        Content::Attested {
                            account_key: own.account_key,
                            device_list: own.list.encode(),
                            inner: entry.content.clone(),
                        }
                        .encode()
                    }),
                    None => &entry.content,
                };
                let message = record.encrypt(plaintext).ok()?;
                envelopes.push(OutgoingEnvelope {
                    device: address.device(),
                    payload: message.encode(),
                });
            }
            entry.attempts += 1;
            sealed.frames.push(ClientFrame::Send {
                client_id: entry.id,
                recipient: to.to_owned(),
                envelopes,
            });
            sealed.entries.push(entry);
        }
        Some(sealed)
    }

    fn fetch_bundles(&mut self, account: &str, out: &mut Output) {
        if self.fetching.iter().any(|(_, a)| a == account) || !self.authenticated {
            return;
        }
        let request = self.request_id();
        self.fetching.push((request, account.to_owned()));
        out.frames.push(ClientFrame::FetchBundles {
            request,
            account: account.to_owned(),
        });
    }

    /// New sessions from fresh bundles (replacing any with those devices), then the outbox.
    async fn start_sessions(
        &mut self,
        to: &str,
        pinned: PinnedDevices,
        linked: bool,
        bundles: &[PreKeyBundle],
        now_ms: u64,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let local = account
            .address()
            .map_err(|_| EngineError::Invalid("the account name is not valid"))?;
        let mut changes = Changes::default();
        let mut changed = false;
        for bundle in bundles {
            if bundle.address.account() != to {
                continue;
            }
            if !listed(&pinned, bundle) {
                out.events.push(Event::DevicesRefused {
                    account: to.to_owned(),
                    reason: Refusal::Unlisted(bundle.address.device()),
                });
                continue;
            }
            // A bundle whose signature does not verify is skipped: that device gets nothing.
            let Ok(session) = x3dh::initiate(&account.identity, &local, bundle, &mut self.rng)
            else {
                continue;
            };
            let mut record = self
                .store
                .session(&bundle.address)
                .await?
                .unwrap_or_default();
            let before = record.current().map(|s| *s.remote_identity());
            record.promote(session);
            changes.sessions.push((bundle.address.clone(), record));
            if before.is_some_and(|key| key != bundle.identity) {
                changed = true;
            }
        }
        let own = self.is_own(to);
        if (changed || linked) && !own {
            if let Some(notice) = self.device_replaced(to, now_ms, &mut changes) {
                out.events.push(Event::Message(notice));
            }
        }
        changes.pinned_devices.push(pinned.clone());
        let reachable = !changes.sessions.is_empty();
        // A new session: they get our profile with what we send.
        if reachable && !own {
            changes.outbox.extend(self.profile_for(to));
        }
        self.store.commit(changes).await?;
        if own {
            self.own = Some(pinned);
        }
        if !reachable {
            // Nobody to send to: the account has no (signed) device with prekeys.
            self.fail_outbox(to, out).await?;
        } else {
            self.dispatch(to, out).await?;
        }
        // Group messages may have waited for these sessions.
        self.dispatch_waiting_groups(out).await
    }

    /// Everything in the outbox for `to` fails (the account cannot be reached).
    async fn fail_outbox(&mut self, to: &str, out: &mut Output) -> Result<(), EngineError> {
        let ids: Vec<MessageId> = self
            .store
            .outbox()
            .await?
            .into_iter()
            .filter(|e| e.to == to)
            .map(|e| e.id)
            .collect();
        self.fail(ids, out).await
    }

    /// Marks outbox entries failed and drops them from the outbox; the chat's messages among
    /// them are reported (receipts are not).
    async fn fail(&mut self, ids: Vec<MessageId>, out: &mut Output) -> Result<(), EngineError> {
        let mut changes = Changes {
            statuses: ids.iter().map(|id| (*id, Status::Failed)).collect(),
            outbox_done: ids.clone(),
            ..Changes::default()
        };
        let mut given_up = Vec::new();
        for id in &ids {
            given_up.extend(self.store.outbox_entry(id).await?);
        }
        self.unshare(&given_up, &mut changes).await?;
        self.store.commit(changes).await?;
        for id in ids {
            if self.store.message(&id).await?.is_some() {
                out.events.push(Event::Status(id, Status::Failed));
            }
        }
        Ok(())
    }

    async fn sent(
        &mut self,
        id: MessageId,
        outcome: SendOutcome,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        self.in_flight.retain(|i| *i != id);
        let Some(entry) = self.store.outbox_entry(&id).await? else {
            return Ok(());
        };
        match outcome {
            SendOutcome::Stored => {
                self.store
                    .commit(Changes {
                        statuses: vec![(id, Status::Sent)],
                        outbox_done: vec![id],
                        ..Changes::default()
                    })
                    .await?;
                if self.store.message(&id).await?.is_some() {
                    out.events.push(Event::Status(id, Status::Sent));
                }
                // A sender key stored: the group messages it opens may go.
                if groups::sender_key_group(&entry.content).is_some() {
                    self.dispatch_waiting_groups(out).await?;
                }
            }
            // The recipient's devices changed: new bundles, new sessions, send again.
            SendOutcome::Mismatch { extra, .. } => {
                if entry.attempts >= MAX_ATTEMPTS {
                    return self.fail(vec![entry.id], out).await;
                }
                let mut changes = Changes::default();
                for device in extra {
                    if let Ok(address) = DeviceAddress::new(entry.to.clone(), device) {
                        changes.sessions.push((address, SessionRecord::new()));
                    }
                }
                self.store.commit(changes).await?;
                self.fetch_bundles(&entry.to, out);
            }
            SendOutcome::UnknownRecipient => self.fail(vec![entry.id], out).await?,
        }
        Ok(())
    }

    /// Envelopes in a row: each decrypted on the batch's working copy of its session, then
    /// everything (sessions, messages, used prekeys, receipts to send) committed in one
    /// transaction, and only then acked, all at once.
    async fn receive_batch(
        &mut self,
        envelopes: Vec<Incoming>,
        now_ms: u64,
        out: &mut Output,
    ) -> Result<(), EngineError> {
        let account = self.account.clone().ok_or(EngineError::NoAccount)?;
        let local = account
            .address()
            .map_err(|_| EngineError::Invalid("the account name is not valid"))?;
        let mut sessions = Working::default();
        let mut loaded: Vec<String> = Vec::new();
        // Senders with a new session here, to be sent our profile.
        let mut introduce: Vec<String> = Vec::new();
        let mut changed: Vec<DeviceAddress> = Vec::new();
        let mut used_prekeys: Vec<u32> = Vec::new();
        let mut new_ids: Vec<MessageId> = Vec::new();
        let mut delivered: Vec<(String, Vec<MessageId>)> = Vec::new();
        let mut changes = Changes::default();
        let mut events = Vec::new();
        let mut acks = Vec::with_capacity(envelopes.len());
        let mut pins = senders::Pins::default();
        let mut groups = groups::Groups::default();
        let mut reissue = groups::Reissue::default();
        for envelope in envelopes {
            acks.push(envelope.id);
            let sender = envelope.sender.as_str();
            let Ok(from) = DeviceAddress::new(sender, envelope.sender_device) else {
                continue;
            };
            // Every session with the sender's account at once: the receipt goes to all its
            // devices, on the same working copies.
            if !loaded.iter().any(|a| a == sender) {
                loaded.push(sender.to_owned());
                for (address, record) in self.store.sessions_with(sender).await? {
                    sessions.insert(address, record);
                }
            }
            if groups::is_group_message(&envelope.payload) {
                self.receive_group_message(
                    &mut groups,
                    &mut pins,
                    &from,
                    &envelope.payload,
                    &mut changes,
                    &mut events,
                    &mut new_ids,
                    &mut delivered,
                )
                .await?;
                continue;
            }
            let Ok(message) = Message::decode(&envelope.payload) else {
                events.push(Event::Undecryptable {
                    from: sender.to_owned(),
                });
                continue;
            };
            if sessions.get_mut(&from).is_none() {
                sessions.insert(from.clone(), SessionRecord::default());
            }
            let one_time = match &message {
                Message::PreKey(prekey) => match prekey.one_time_prekey_id {
                    Some(id) if !used_prekeys.contains(&id) => self.store.prekey(id).await?,
                    _ => None,
                },
                Message::Ratchet(_) => None,
            };
            self.load_pin(&mut pins, sender).await?;
            let Some(record) = sessions.get_mut(&from) else {
                continue;
            };
            let before = record.current().map(|s| *s.remote_identity());
            // Only a device the account signed may send: one already listed with this identity,
            // or (a new session) one whose message shows a list naming it. Until that is
            // checked, the session is changed on a copy.
            let claimed = match &message {
                Message::PreKey(prekey) => Some(prekey.sender_identity),
                Message::Ratchet(_) => before,
            };
            let listed = pins.lists(&from, claimed.as_ref());
            if !listed && matches!(message, Message::Ratchet(_)) {
                events.push(Event::DevicesRefused {
                    account: sender.to_owned(),
                    reason: Refusal::Unlisted(from.device()),
                });
                continue;
            }
            // Decrypted on a copy: it replaces the record only once the sender is accepted.
            let mut working = record.clone();
            let decrypted = match &message {
                Message::PreKey(prekey) => {
                    let signed = (prekey.signed_prekey_id == account.signed_prekey.id())
                        .then_some(&account.signed_prekey);
                    working.decrypt_prekey(
                        prekey,
                        &account.identity,
                        &local,
                        signed,
                        one_time.as_ref(),
                        &mut self.rng,
                    )
                }
                Message::Ratchet(ratchet) => working
                    .decrypt(ratchet, &mut self.rng)
                    .map_err(X3dhError::Decrypt),
            };
            let plaintext = match decrypted {
                Ok(plaintext) => plaintext,
                // Seen before (the ack was lost): nothing new.
                Err(X3dhError::Decrypt(DecryptError::Duplicate)) => continue,
                Err(_) => {
                    events.push(Event::Undecryptable {
                        from: sender.to_owned(),
                    });
                    continue;
                }
            };
            let (content, attested) = match Content::decode(&plaintext) {
                Ok(Content::Attested {
                    account_key,
                    device_list,
                    inner,
                }) => (
                    Content::decode(&inner).and_then(|c| match c {
                        Content::Attested { .. } => Err(hush_protocol::DecodeError::Invalid(
                            "attested content inside attested content",
                        )),
                        c => Ok(c),
                    }),
                    Some((account_key, device_list)),
                ),
                other => (other, None),
            };
            let vouched = match attested {
                Some((key, list)) => self.attest(
                    &mut pins,
                    &from,
                    key,
                    &list,
                    now_ms,
                    &mut changes,
                    &mut events,
                ),
                None => true,
            };
            // The identity of the session that decrypted it (an older one may have).
            let after = working.current().map(|s| *s.remote_identity());
            if !(vouched && pins.lists(&from, after.as_ref())) {
                // Not a device its account signed: as if it never came.
                if vouched {
                    events.push(Event::DevicesRefused {
                        account: sender.to_owned(),
                        reason: Refusal::Unlisted(from.device()),
                    });
                }
                continue;
            }
            // Accepted: the one-time prekey it used is gone with the session it started.
            if let Message::PreKey(prekey) = &message {
                used_prekeys.extend(prekey.one_time_prekey_id);
            }
            sessions.insert(from.clone(), working);
            if !changed.contains(&from) {
                changed.push(from.clone());
            }
            if sender == account.name {
                // One of our other devices: transcripts, read state and groups, no receipts.
                match content {
                    Ok(group @ (Content::GroupUpdate { .. } | Content::SenderKey { .. })) => {
                        let key = Some(account.account_key.public());
                        self.receive_group_content(
                            &group,
                            &from,
                            key,
                            &mut groups,
                            now_ms,
                            &mut changes,
                            &mut events,
                            &mut reissue,
                        )
                        .await?;
                    }
                    Ok(content) => {
                        self.receive_from_own_device(content, &mut changes, &mut events)
                            .await?;
                    }
                    Err(_) => events.push(Event::Undecryptable {
                        from: sender.to_owned(),
                    }),
                }
                continue;
            }
            if before.is_some() && after != before {
                if let Some(notice) = self.device_replaced(sender, now_ms, &mut changes) {
                    events.push(Event::Message(notice));
                }
            }
            // A new session (a new contact, or a new key): they get our profile.
            if after != before && !introduce.iter().any(|a| a == sender) {
                introduce.push(sender.to_owned());
            }
            match content {
                Ok(Content::Text { id, sent_ms, body }) => {
                    // A repeat of a stored id is dropped by the store, in the same transaction.
                    if !new_ids.contains(&id) {
                        new_ids.push(id);
                        let message = ChatMessage {
                            id,
                            group: None,
                            kind: Kind::Text,
                            chat: sender.to_owned(),
                            from_me: false,
                            body,
                            sent_ms,
                            status: Status::Delivered,
                        };
                        changes.received.push(message.clone());
                        events.push(Event::Message(message));
                        match delivered.iter_mut().find(|(who, _)| who == sender) {
                            Some((_, ids)) => ids.push(id),
                            None => delivered.push((sender.to_owned(), vec![id])),
                        }
                    }
                }
                Ok(Content::Receipt { kind, ids }) => {
                    let status = match kind {
                        ReceiptKind::Delivered => Status::Delivered,
                        ReceiptKind::Read => Status::Read,
                    };
                    for id in ids {
                        // Only the chat's own messages: a peer cannot mark others' messages.
                        let Some(ours) = self.store.message(&id).await?.filter(|m| m.from_me)
                        else {
                            continue;
                        };
                        if group_id(&ours.chat).is_some() {
                            // A member's receipt (checked against the group there).
                            self.member_receipt(ours, sender, kind, &mut changes, &mut events)?;
                        } else if ours.chat == sender && ours.status.can_become(status) {
                            changes.statuses.push((id, status));
                            events.push(Event::Status(id, status));
                        }
                    }
                }
                Ok(group @ (Content::GroupUpdate { .. } | Content::SenderKey { .. })) => {
                    let key = pins.key(sender);
                    self.receive_group_content(
                        &group,
                        &from,
                        key,
                        &mut groups,
                        now_ms,
                        &mut changes,
                        &mut events,
                        &mut reissue,
                    )
                    .await?;
                }
                Ok(Content::Profile { display_name }) => {
                    // A name that cannot be shown safely is ignored.
                    if let Some(name) = clean_display_name(&display_name) {
                        changes.names.retain(|(account, _)| account != sender);
                        changes.names.push((sender.to_owned(), name.clone()));
                        events.push(Event::Profile {
                            account: sender.to_owned(),
                            display_name: name,
                        });
                    }
                }
                // Only our own devices send these; attested content was unwrapped above.
                Ok(Content::Sent { .. } | Content::ReadSync { .. } | Content::Attested { .. }) => {}
                Err(_) => events.push(Event::Undecryptable {
                    from: sender.to_owned(),
                }),
            }
        }
        changes.used_prekeys = used_prekeys;
        groups.into_changes(&mut changes);
        let own_list = pins.into_changes(&account.name, &mut changes);
        // The delivery receipts are encrypted messages like any other, one per sender, sealed
        // on the batch's sessions and stored in the same transaction as what they confirm.
        let mut receipt_frames = Vec::new();
        let mut unsealed = Vec::new();
        for sender in &introduce {
            if !delivered.iter().any(|(who, _)| who == sender) {
                delivered.push((sender.clone(), Vec::new()));
            }
        }
        for (sender, ids) in &delivered {
            let mut receipts: Vec<OutboxEntry> = ids
                .chunks(crate::content::MAX_RECEIPT_IDS)
                .map(|chunk| self.receipt(sender, ReceiptKind::Delivered, chunk.to_vec()))
                .collect();
            if introduce.contains(sender) {
                receipts.extend(self.profile_for(sender));
            }
            let sealed = if self.authenticated {
                self.seal(sender, receipts.clone(), &sessions_of(sender, &sessions))
            } else {
                None
            };
            match sealed {
                Some(sealed) => {
                    for (address, record) in sealed.sessions {
                        if !changed.contains(&address) {
                            changed.push(address.clone());
                        }
                        sessions.insert(address, record);
                    }
                    changes.outbox.extend(sealed.entries);
                    receipt_frames.extend(sealed.frames);
                }
                None => {
                    changes.outbox.extend(receipts);
                    unsealed.push(sender.clone());
                }
            }
        }
        changes.sessions = changed
            .iter()
            .filter_map(|address| sessions.take(address))
            .collect();
        if let Some(show) = self.preview.as_mut() {
            for event in &events {
                if let Event::Message(message) = event {
                    show(message);
                }
            }
        }
        self.store.commit(changes).await?;
        if let Some(list) = own_list {
            self.own = Some(list);
        }
        out.events.extend(events);
        for chunk in acks.chunks(hush_protocol::relay::MAX_ACKS) {
            out.frames.push(ClientFrame::Ack {
                ids: chunk.to_vec(),
            });
        }
        self.in_flight.extend(sent_ids(&receipt_frames));
        out.frames.extend(receipt_frames);
        if self.authenticated {
            for sender in unsealed {
                self.dispatch(&sender, out).await?;
            }
        }
        self.reissue(reissue, now_ms, out).await
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
        for frame in frames {
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
        Ok(out)
    }

    /// A device of `chat` has a new identity key, under a list its (pinned) account key
    /// signed: the account set that device up again. The safety number (over the account key)
    /// stays; the chat says a device was linked, once per batch.
    fn device_replaced(
        &mut self,
        chat: &str,
        now_ms: u64,
        changes: &mut Changes,
    ) -> Option<ChatMessage> {
        let said = changes
            .messages
            .iter()
            .any(|m| m.chat == chat && m.kind == Kind::DeviceLinked);
        (!said).then(|| self.notice(chat, Kind::DeviceLinked, now_ms, changes))
    }

    /// A line in `chat` written by this device (not a message anyone sent).
    fn notice(
        &mut self,
        chat: &str,
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
            chat: chat.to_owned(),
            from_me: false,
            body: String::new(),
            sent_ms: now_ms,
            status: Status::Read,
        };
        changes.messages.push(notice.clone());
        notice
    }

    /// `chat`'s account key as pinned: what safety numbers and "Verified" are about (the same
    /// for all its devices).
    pub async fn contact_key(&self, chat: &str) -> Result<Option<[u8; 32]>, EngineError> {
        Ok(self
            .store
            .pinned_devices(chat)
            .await?
            .map(|p| p.account_key))
    }

    /// The safety number to compare with `chat` (in person, or by scanning its QR code): over
    /// both account keys, so every device of either account shows the same one.
    pub async fn safety_number(&self, chat: &str) -> Result<Option<SafetyNumber>, EngineError> {
        let account = self.account.as_ref().ok_or(EngineError::NoAccount)?;
        let ours = account.account_key.public();
        Ok(self
            .contact_key(chat)
            .await?
            .map(|theirs| SafetyNumber::of_accounts(&account.name, &ours, chat, &theirs)))
    }

    /// Whether the user verified `chat`'s current account key.
    pub async fn is_verified(&self, chat: &str) -> Result<bool, EngineError> {
        let current = self.contact_key(chat).await?;
        let verified = self.store.verified(chat).await?;
        Ok(current.is_some() && current.map(verified_form) == verified)
    }

    /// Records that the user compared safety numbers with `chat` and they matched.
    pub async fn mark_verified(&mut self, chat: &str) -> Result<bool, EngineError> {
        let Some(key) = self.contact_key(chat).await? else {
            return Ok(false);
        };
        self.store
            .commit(Changes {
                verified: vec![(chat.to_owned(), Some(verified_form(key)))],
                ..Changes::default()
            })
            .await?;
        Ok(true)
    }

    /// Mutes (or unmutes) `chat` on this device: a muted chat never notifies.
    pub async fn set_muted(&self, chat: &str, muted: bool) -> Result<(), EngineError> {
        self.store
            .commit(Changes {
                muted: vec![(chat.to_owned(), muted)],
                ..Changes::default()
            })
            .await?;
        Ok(())
    }

    fn receipt(&mut self, to: &str, kind: ReceiptKind, ids: Vec<MessageId>) -> OutboxEntry {
        self.entry(to, Content::Receipt { kind, ids })
    }

    /// An outbox entry (a new id) for content the chat does not show.
    fn entry(&mut self, to: &str, content: Content) -> OutboxEntry {
        let mut id = [0u8; 16];
        self.rng.fill_bytes(&mut id);
        OutboxEntry {
            id,
            to: to.to_owned(),
            content: content.encode(),
            attempts: 0,
        }
    }

    /// Our display name for `to`, if we have one.
    fn profile_for(&mut self, to: &str) -> Option<OutboxEntry> {
        let display_name = self.account.as_ref()?.display_name.clone();
        (!display_name.is_empty()).then(|| self.entry(to, Content::Profile { display_name }))
    }

    /// Sets how contacts see this account named (blank: by its username). Everyone we chat
    /// with is told now; new contacts when their session starts.
    pub async fn set_display_name(&mut self, name: &str) -> Result<Output, EngineError> {
        let display_name = if name.trim().is_empty() {
            String::new()
        } else {
            clean_display_name(name).ok_or(EngineError::Invalid(
                "a display name is 1 to 64 characters, on one line",
            ))?
        };
        let mut account = self.account.clone().ok_or(EngineError::NoAccount)?;
        account.display_name = display_name;
        let previous = self.account.replace(account.clone());
        let chats = self.store.chats().await?;
        let mut changes = Changes {
            account: Some(account),
            ..Changes::default()
        };
        for chat in &chats {
            changes.outbox.extend(self.profile_for(&chat.chat));
        }
        if let Err(e) = self.store.commit(changes).await {
            self.account = previous;
            return Err(e.into());
        }
        let mut out = Output::default();
        if self.authenticated {
            for chat in chats {
                self.dispatch(&chat.chat, &mut out).await?;
            }
        }
        Ok(out)
    }

    /// Gets ready to chat with `with`: without a session yet, fetches its bundles now (an
    /// unknown name is reported at once, and the first message needs no round trip).
    pub async fn prepare_chat(&mut self, with: &str) -> Result<Output, EngineError> {
        let mut out = Output::default();
        let mine = self.account.as_ref().is_some_and(|a| a.name == with);
        if mine || DeviceAddress::new(with, 1).is_err() {
            return Ok(out);
        }
        let sessions = self.store.sessions_with(with).await?;
        if sessions.iter().all(|(_, record)| record.is_empty()) {
            self.fetch_bundles(with, &mut out);
        }
        Ok(out)
    }

    /// Sends a failed message again (same id: if an earlier attempt did arrive, the relay
    /// and the recipient keep one copy).
    pub async fn retry(&mut self, id: MessageId) -> Result<Output, EngineError> {
        let mut out = Output::default();
        let Some(message) = self.store.message(&id).await? else {
            return Ok(out);
        };
        if !message.from_me || message.status != Status::Failed {
            return Ok(out);
        }
        let content = Content::Text {
            id,
            sent_ms: message.sent_ms,
            body: message.body,
        };
        self.store
            .commit(Changes {
                statuses: vec![(id, Status::Sending)],
                outbox: vec![OutboxEntry {
                    id,
                    to: message.chat.clone(),
                    content: content.encode(),
                    attempts: 0,
                }],
                ..Changes::default()
            })
            .await?;
        out.events.push(Event::Status(id, Status::Sending));
        if self.authenticated {
            self.dispatch(&message.chat, &mut out).await?;
        }
        Ok(out)
    }

    /// Tells `to` that we started or stopped typing (not stored, not encrypted: the relay
    /// already knows who talks to whom; the UI throttles it).
    pub fn typing(&self, to: &str, typing: bool) -> Output {
        let mut out = Output::default();
        if self.authenticated && DeviceAddress::new(to, 1).is_ok() {
            out.frames.push(ClientFrame::Typing {
                to: to.to_owned(),
                typing,
            });
        }
        out
    }

    /// Follows `account`'s presence too (when a chat with it opens).
    pub fn watch(&mut self, account: &str) -> Output {
        let mut out = Output::default();
        if self.watched.iter().any(|a| a == account) || DeviceAddress::new(account, 1).is_err() {
            return out;
        }
        self.watched.insert(0, account.to_owned());
        self.watched.truncate(MAX_WATCHED);
        if self.authenticated {
            out.frames.push(ClientFrame::Subscribe {
                accounts: self.watched.clone(),
            });
        }
        out
    }

    /// Marks a chat's received messages read and tells their sender.
    pub async fn mark_read(&mut self, chat: &str) -> Result<Output, EngineError> {
        let unread = self.store.unread(chat).await?;
        let mut out = Output::default();
        if unread.is_empty() {
            return Ok(out);
        }
        if group_id(chat).is_some() {
            return self.mark_group_read(chat, unread).await;
        }
        let receipt = self.receipt(chat, ReceiptKind::Read, unread.clone());
        let mut changes = Changes {
            statuses: unread.iter().map(|id| (*id, Status::Read)).collect(),
            outbox: vec![receipt],
            ..Changes::default()
        };
        self.read_sync(chat, &unread, &mut changes);
        self.store.commit(changes).await?;
        if self.authenticated {
            self.dispatch(chat, &mut out).await?;
        }
        self.dispatch_own(&mut out).await?;
        Ok(out)
    }
}
