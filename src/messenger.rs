//! The engine in the page: one task owns it and serves commands one at a time (frames from the
//! relay, the user's actions), so nothing ever runs two engine steps at once. What a step
//! produces goes out on the WebSocket and into the UI's signals.

use std::rc::Rc;

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::StreamExt;
use hush_client::store::add_to_chats;
use hush_client::{ChatMessage, ChatSummary, Engine, EngineError, Event, Output, Status, Store};
use hush_protocol::relay::{ClientFrame, ServerFrame};
use hush_protocol::Rng;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rand_core::OsRng;
use wasm_bindgen::JsValue;

use crate::backoff::Backoff;
use crate::groups::{self, GroupCommand};
use crate::linking::{self, DeviceRow, Link};
use crate::owner;
use crate::push::{self, Notifications, Subscription};
use crate::relay::Relay;
use crate::status::ConnectionStatus;
use crate::store::{IdbStore, DATABASE};

/// Messages shown when a chat opens (the newest).
const PAGE: usize = 200;
/// The most relay frames handled as one batch.
const MAX_BATCH: usize = 500;

/// What the engine task is asked to do.
pub(crate) enum Command {
    Connected,
    Disconnected,
    Frame(Vec<u8>),
    CreateAccount {
        name: String,
        /// How contacts will see us named (may be blank).
        display_name: String,
    },
    Send {
        to: String,
        body: String,
    },
    Open(String),
    /// Back to the chat list (phones show one or the other).
    Close,
    /// We started (or stopped) typing in the open chat.
    Typing {
        to: String,
        typing: bool,
    },
    /// Show the open chat's page of messages before the oldest shown.
    LoadEarlier,
    /// Send a failed message again.
    Retry(hush_client::MessageId),
    /// Take Hush over from the tab that has it.
    UseHere,
    /// Show the open chat's safety number.
    ContactInfo(String),
    /// The user compared safety numbers with this contact and they matched.
    MarkVerified(String),
    /// Mute (or unmute) a chat's notifications on this device.
    Mute {
        chat: String,
        muted: bool,
    },
    /// Give the relay this device's push subscription (or take it back).
    Push(Option<Subscription>),
    /// Show a link code on this browser and wait to be linked.
    StartLink,
    /// Stop linking (either side).
    CancelLink,
    /// Look up the browser waiting behind a link code.
    FetchLink(String),
    /// The user allowed the browser asking to be linked.
    AllowLink,
    /// The history for the new device was uploaded (or the upload failed).
    HistoryUploaded(bool),
    /// This browser was linked; here is the history's blob (None if it could not be fetched).
    ImportHistory {
        history: hush_protocol::linking::HistoryBlob,
        blob: Option<Vec<u8>>,
    },
    /// This browser was linked (and any history imported): on to the chats.
    Linked,
    /// Remove a device from the account.
    Unlink(u32),
    /// Make or change a group, or look at one.
    Group(GroupCommand),
    /// Rename a device of the account.
    RenameDevice {
        id: u32,
        name: String,
    },
}

/// Where the app is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Loading,
    Onboarding,
    Ready,
    /// Storage cannot be used (private mode without IndexedDB, a damaged profile).
    Broken,
    /// Hush is open in another tab of this browser, which owns it.
    Elsewhere,
}

/// The UI's state, written only by the engine task.
#[derive(Clone, Copy)]
pub(crate) struct Ui {
    pub(crate) phase: RwSignal<Phase>,
    pub(crate) me: RwSignal<Option<String>>,
    /// The last problem to show (a taken name, a storage failure).
    pub(crate) problem: RwSignal<Option<String>>,
    pub(crate) chats: RwSignal<Vec<ChatSummary>>,
    /// Contacts' display names, by account.
    /// (Lists, not maps: each map type costs the wasm a copy of the hash table code.)
    pub(crate) names: RwSignal<Vec<(String, String)>>,
    pub(crate) current: RwSignal<Option<String>>,
    pub(crate) messages: RwSignal<Vec<ChatMessage>>,
    /// The open chat may have messages older than those shown.
    pub(crate) earlier: RwSignal<bool>,
    pub(crate) connection: RwSignal<ConnectionStatus>,
    /// Who is typing to us, each until when (ms since the epoch).
    pub(crate) typing: RwSignal<Vec<(String, f64)>>,
    /// Presence of the people we chat with: online, last seen (ms since the epoch).
    pub(crate) presence: RwSignal<Vec<(String, bool, u64)>>,
    /// Whether the browser promised to keep Hush's data (None until it answers).
    pub(crate) persisted: RwSignal<Option<bool>>,
    /// The open contact's safety number, when Contact info is open.
    pub(crate) safety: RwSignal<Option<Safety>>,
    /// The status of each message on screen, one signal per row (see [`Ui::status_of`]).
    ticks: StoredValue<Vec<(hush_client::MessageId, RwSignal<Status>)>>,
    /// Chats that never notify on this device.
    pub(crate) muted: RwSignal<Vec<String>>,
    pub(crate) notifications: RwSignal<Notifications>,
    /// A link in progress, on either side.
    pub(crate) link: RwSignal<Link>,
    /// The account's devices.
    pub(crate) devices: RwSignal<Vec<DeviceRow>>,
    /// Every group's state as this device holds it.
    pub(crate) groups: RwSignal<Vec<hush_protocol::groups::GroupState>>,
    /// Group info is open (for the open group chat).
    pub(crate) group_info: RwSignal<bool>,
    /// One of our group messages and the members' receipts for it, while its info is open.
    pub(crate) message_info: RwSignal<Option<groups::MessageReceipts>>,
}

impl Ui {
    /// What to call an account: its display name if it told us one, else its username.
    pub(crate) fn display(&self, account: &str) -> String {
        if let Some(group) = groups::state(self, account) {
            return group.name;
        }
        self.names
            .with(|names| {
                names
                    .iter()
                    .find(|(a, _)| a == account)
                    .map(|(_, n)| n.clone())
            })
            .unwrap_or_else(|| account.to_owned())
    }

    /// The status signal of a message's row, made when the row is: a status change sets it
    /// and redraws that tick alone.
    pub(crate) fn status_of(&self, message: &ChatMessage) -> RwSignal<Status> {
        let status = RwSignal::new(message.status);
        self.ticks.update_value(|ticks| {
            ticks.retain(|(id, _)| *id != message.id);
            ticks.push((message.id, status));
        });
        status
    }

    pub(crate) fn new() -> Self {
        Self {
            phase: RwSignal::new(Phase::Loading),
            me: RwSignal::new(None),
            problem: RwSignal::new(None),
            chats: RwSignal::new(Vec::new()),
            names: RwSignal::new(Vec::new()),
            current: RwSignal::new(None),
            messages: RwSignal::new(Vec::new()),
            earlier: RwSignal::new(false),
            connection: RwSignal::new(ConnectionStatus::Connecting),
            typing: RwSignal::new(Vec::new()),
            presence: RwSignal::new(Vec::new()),
            persisted: RwSignal::new(None),
            safety: RwSignal::new(None),
            ticks: StoredValue::new(Vec::new()),
            muted: RwSignal::new(Vec::new()),
            notifications: RwSignal::new(push::state()),
            link: RwSignal::new(Link::Idle),
            devices: RwSignal::new(Vec::new()),
            groups: RwSignal::new(Vec::new()),
            group_info: RwSignal::new(false),
            message_info: RwSignal::new(None),
        }
    }
}

/// A safety number as Contact info shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Safety {
    /// Twelve groups of five digits.
    pub(crate) groups: Vec<String>,
    /// The same as a QR code: width in modules and the SVG path of the dark ones.
    pub(crate) qr: Option<(i32, String)>,
    /// The user marked this contact verified (and its key has not changed since).
    pub(crate) verified: bool,
}

/// The handle components use to ask for things (`Copy`, so closures just take it).
#[derive(Clone, Copy)]
pub(crate) struct Messenger {
    commands: StoredValue<UnboundedSender<Command>>,
}

impl Messenger {
    pub(crate) fn tell(&self, command: Command) {
        // The task lives as long as the page; a send can only fail while the page unloads.
        self.commands.with_value(|commands| {
            let _ = commands.unbounded_send(command);
        });
    }
}

/// Connects to the relay and starts the engine task.
pub(crate) fn start(ui: Ui) -> Messenger {
    let (commands, mut queue) = unbounded();
    let messenger = Messenger {
        commands: StoredValue::new(commands),
    };
    spawn_local(async move {
        if !owner::claim(false).await {
            // Another tab has Hush: wait until the user asks to use it here, then take over.
            ui.phase.set(Phase::Elsewhere);
            ui.connection.set(ConnectionStatus::Offline);
            loop {
                match queue.next().await {
                    Some(Command::UseHere) => {
                        if owner::claim(true).await {
                            break;
                        }
                        ui.problem.set(Some(
                            "Hush could not take over from the other tab.".to_owned(),
                        ));
                    }
                    Some(_) => {}
                    None => return,
                }
            }
            ui.problem.set(None);
            ui.phase.set(Phase::Loading);
        }
        own(ui, messenger, queue).await;
    });
    messenger
}

/// The owner's life: connect, open the engine, serve commands.
async fn own(ui: Ui, messenger: Messenger, queue: UnboundedReceiver<Command>) {
    let relay = Relay::same_origin_url().map(|url| {
        Relay::connect_with_frames(
            url,
            Backoff::RELAY,
            move |status| {
                ui.connection.set(status);
                messenger.tell(match status {
                    ConnectionStatus::Connected => Command::Connected,
                    _ => Command::Disconnected,
                });
            },
            move |bytes| messenger.tell(Command::Frame(bytes)),
        )
    });
    if relay.is_none() {
        ui.connection.set(ConnectionStatus::Offline);
    }
    run(ui, messenger, relay.map(Rc::new), queue).await;
}

/// Asks the browser not to evict Hush's storage under pressure (`navigator.storage.persist()`,
/// in `pwa.js`): without it, a full disk can silently take the keys and history.
async fn ask_to_persist() -> Option<bool> {
    crate::glue::call_async("hushStorage", "persist", &JsValue::UNDEFINED)
        .await
        .ok()?
        .as_bool()
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

async fn run(
    ui: Ui,
    messenger: Messenger,
    relay: Option<Rc<Relay>>,
    mut queue: UnboundedReceiver<Command>,
) {
    let engine = match IdbStore::open(DATABASE).await {
        Ok(store) => Engine::open(store, OsRng).await,
        Err(e) => Err(EngineError::Store(e)),
    };
    spawn_local(async move { ui.persisted.set(ask_to_persist().await) });
    let mut engine = match engine {
        Ok(engine) => engine,
        Err(e) => {
            ui.problem
                .set(Some(format!("Hush cannot use this browser's storage: {e}")));
            ui.phase.set(Phase::Broken);
            return;
        }
    };
    match engine.account() {
        Some(account) if account.registered => {
            ui.me.set(Some(account.name.clone()));
            ui.phase.set(Phase::Ready);
            groups::load(&engine, ui).await;
            refresh_chats(&engine, ui).await;
            match engine.store().names().await {
                Ok(names) => ui.names.set(names),
                Err(e) => ui.problem.set(Some(e.to_string())),
            }
            match engine.store().muted().await {
                Ok(muted) => ui.muted.set(muted),
                Err(e) => ui.problem.set(Some(e.to_string())),
            }
        }
        _ => ui.phase.set(Phase::Onboarding),
    }
    engine.set_device_name(&linking::browser_name());
    ui.devices.set(linking::devices(&engine));
    // A message into the open chat is drawn while it is being stored (the commit is the
    // slowest part of receiving); if storing fails, the chat is read back from storage.
    engine.preview_received(move |message| show_in_chat(ui, message));
    // A command taken off the queue while gathering frames, to serve next.
    let mut next: Option<Command> = None;
    loop {
        let command = match next.take() {
            Some(command) => command,
            None => match queue.next().await {
                Some(command) => command,
                None => break,
            },
        };
        let step = match command {
            Command::Connected | Command::Disconnected => {
                engine.disconnected();
                // A link being approved waited for answers that will not come.
                let approving = matches!(
                    ui.link.get_untracked(),
                    Link::Asking { .. } | Link::Working(_)
                );
                if approving && ui.phase.get_untracked() == Phase::Ready {
                    ui.link.set(Link::Failed(
                        "The connection dropped. Link the device again.".to_owned(),
                    ));
                }
                Ok(Output::default())
            }
            Command::Frame(bytes) => {
                // Frames that are already waiting are handled together: a catch-up of many
                // envelopes is one transaction and one ack, not one per message.
                let mut frames = Vec::new();
                frames.extend(ServerFrame::decode(&bytes).ok());
                while frames.len() < MAX_BATCH {
                    match queue.try_recv() {
                        Ok(Command::Frame(bytes)) => {
                            // Nothing the relay sends may break the app: an unreadable frame
                            // is skipped.
                            frames.extend(ServerFrame::decode(&bytes).ok());
                        }
                        Ok(other) => {
                            next = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                engine.handle_all(frames, now_ms()).await
            }
            Command::CreateAccount { name, display_name } => {
                ui.problem.set(None);
                match engine.create_account(&name).await {
                    Ok(mut out) => match engine.set_display_name(&display_name).await {
                        Ok(more) => {
                            out.frames.extend(more.frames);
                            out.events.extend(more.events);
                            Ok(out)
                        }
                        Err(e) => Err(e),
                    },
                    Err(e) => Err(e),
                }
            }
            Command::Send { to, body } => {
                match engine.send_text(&to, &body, now_ms()).await {
                    Ok((message, out)) => {
                        // On its way first, then on screen (as "Sending" until the relay
                        // answers).
                        apply(&engine, ui, relay.as_deref(), out).await;
                        show_sent(&engine, ui, message).await;
                        Ok(Output::default())
                    }
                    Err(e) => Err(e),
                }
            }
            Command::Open(chat) => {
                ui.safety.set(None);
                ui.group_info.set(false);
                ui.message_info.set(None);
                ui.current.set(Some(chat.clone()));
                load_chat(&engine, ui, &chat).await;
                ui.problem.set(None);
                let watch = engine.watch(&chat);
                apply(&engine, ui, relay.as_deref(), watch).await;
                match engine.prepare_chat(&chat).await {
                    Ok(out) => {
                        apply(&engine, ui, relay.as_deref(), out).await;
                    }
                    Err(e) => ui.problem.set(Some(e.to_string())),
                }
                let read = engine.mark_read(&chat).await;
                read_in_list(ui, &chat);
                push::read(&chat);
                read
            }
            Command::LoadEarlier => {
                load_earlier(&engine, ui).await;
                Ok(Output::default())
            }
            Command::Typing { to, typing } if hush_client::group_id(&to).is_some() => {
                Ok(engine.group_typing(&to, typing).await)
            }
            Command::Typing { to, typing } => Ok(engine.typing(&to, typing)),
            Command::Group(command) => {
                match groups::run(&mut engine, ui, command, now_ms()).await {
                    Ok((out, open)) => {
                        if let Some(chat) = open {
                            messenger.tell(Command::Open(chat));
                        }
                        Ok(out)
                    }
                    Err(e) => Err(e),
                }
            }
            Command::Retry(id) => engine.retry(id).await,
            Command::UseHere => Ok(Output::default()),
            Command::ContactInfo(chat) => {
                show_safety(&engine, ui, &chat).await;
                Ok(Output::default())
            }
            Command::MarkVerified(chat) => {
                if let Err(e) = engine.mark_verified(&chat).await {
                    ui.problem.set(Some(e.to_string()));
                }
                show_safety(&engine, ui, &chat).await;
                Ok(Output::default())
            }
            Command::Close => {
                ui.current.set(None);
                Ok(Output::default())
            }
            Command::Mute { chat, muted } => match engine.set_muted(&chat, muted).await {
                Ok(()) => {
                    ui.muted.update(|list| {
                        list.retain(|c| *c != chat);
                        if muted {
                            list.push(chat);
                        }
                    });
                    Ok(Output::default())
                }
                Err(e) => Err(e),
            },
            Command::StartLink => match engine.start_link() {
                Ok((code, out)) => {
                    ui.link.set(linking::showing(&code));
                    Ok(out)
                }
                Err(e) => Err(e),
            },
            Command::CancelLink => {
                engine.cancel_link();
                ui.link.set(Link::Idle);
                Ok(Output::default())
            }
            Command::FetchLink(code) => {
                ui.link
                    .set(Link::Working("Looking up the code…".to_owned()));
                engine.fetch_link(&code)
            }
            Command::AllowLink => {
                ui.link
                    .set(Link::Working("Encrypting your recent history…".to_owned()));
                engine.allow_link(now_ms()).await
            }
            Command::HistoryUploaded(ok) => {
                ui.link.set(Link::Working("Adding the device…".to_owned()));
                engine.history_uploaded(ok, now_ms())
            }
            Command::ImportHistory { history, blob } => {
                let imported = match blob {
                    Some(blob) => engine.import_history(&history, &blob).await,
                    None => Err(EngineError::Invalid("the history could not be fetched")),
                };
                messenger.tell(Command::Linked);
                match imported {
                    Ok((_, out)) => Ok(out),
                    Err(e) => {
                        ui.problem
                            .set(Some(format!("Linked, but without history: {e}")));
                        Ok(Output::default())
                    }
                }
            }
            Command::Linked => {
                ui.link.set(Link::Idle);
                ui.me.set(engine.account().map(|a| a.name.clone()));
                groups::load(&engine, ui).await;
                refresh_chats(&engine, ui).await;
                if let Ok(names) = engine.store().names().await {
                    ui.names.set(names);
                }
                ui.phase.set(Phase::Ready);
                Ok(Output::default())
            }
            Command::Unlink(id) => engine.unlink(id),
            Command::RenameDevice { id, name } => engine.rename_device(id, &name),
            Command::Push(subscription) => Ok(Output {
                frames: vec![match subscription {
                    Some(s) => ClientFrame::PushSubscribe {
                        endpoint: s.endpoint,
                        p256dh: s.p256dh,
                        auth: s.auth,
                    },
                    None => ClientFrame::PushUnsubscribe,
                }],
                events: Vec::new(),
            }),
        };
        let out = match step {
            Ok(out) => out,
            Err(e) => {
                ui.problem.set(Some(e.to_string()));
                // What the screen drew ahead of a failed commit goes (it will come again).
                if let Some(chat) = ui.current.get_untracked() {
                    load_chat(&engine, ui, &chat).await;
                }
                continue;
            }
        };
        if out.events.contains(&Event::Authenticated) {
            resubscribe(ui, messenger);
        }
        if out.events.contains(&Event::Unlinked) {
            // Another device of the account removed this one (the list says so, signed by
            // the account key): its data goes, and it starts over.
            wipe(engine, ui).await;
            return;
        }
        for event in &out.events {
            linking::show(ui, messenger, event.clone());
        }
        let shown = apply(&engine, ui, relay.as_deref(), out).await;
        // Messages that arrived in the open chat are on screen: they are read, unless the page
        // is hidden (then the chat shows unread, and `pwa.js` reopens it when the page shows).
        if let Some(chat) = shown.filter(|_| !page_hidden()) {
            match engine.mark_read(&chat).await {
                Ok(out) => {
                    apply(&engine, ui, relay.as_deref(), out).await;
                    read_in_list(ui, &chat);
                }
                Err(e) => ui.problem.set(Some(e.to_string())),
            }
        }
    }
}

/// Sends the step's frames and shows its events; returns the open chat if a message arrived
/// in it.
async fn apply<S: Store, R: Rng>(
    engine: &Engine<S, R>,
    ui: Ui,
    relay: Option<&Relay>,
    out: Output,
) -> Option<String> {
    if let Some(relay) = relay {
        for frame in &out.frames {
            // A closed socket drops the frame: the outbox sends it again after reconnecting.
            relay.send(&frame.encode());
        }
    }
    notify(ui, &out.events);
    let mut shown = None;
    for event in out.events {
        match event {
            Event::Registered => {
                ui.me.set(engine.account().map(|a| a.name.clone()));
                ui.phase.set(Phase::Ready);
            }
            Event::NameTaken => {
                ui.problem
                    .set(Some("That username is taken. Try another one.".to_owned()));
            }
            Event::Message(message) => {
                // The chat list follows from the events; it is read from storage only at start.
                ui.chats.update(|chats| add_to_chats(chats, &message));
                if message.kind == hush_client::Kind::SecurityCodeChanged {
                    ui.safety.set(None);
                }
                // Whoever sent a message has stopped typing it.
                let typist = match &message.group {
                    Some(line) => format!("{} {}", message.chat, line.author),
                    None => message.chat.clone(),
                };
                show_typing(ui, typist, false);
                if ui.current.get_untracked().as_deref() == Some(message.chat.as_str()) {
                    shown = Some(message.chat.clone());
                    show_in_chat(ui, &message);
                }
            }
            Event::Status(id, status) => {
                set_status(ui, id, status);
                groups::refresh_info(engine, ui, id).await;
            }
            Event::Undecryptable { from } => {
                ui.problem.set(Some(format!(
                    "A message from {from} could not be decrypted."
                )));
            }
            Event::RelayError(message) => ui.problem.set(Some(message)),
            Event::DevicesRefused { account, reason } => {
                ui.problem.set(Some(format!("{account}: {reason}")));
            }
            Event::Authenticated => {}
            Event::UnknownUser(name) => {
                ui.problem
                    .set(Some(format!("There is no one called {name} on Hush.")));
            }
            Event::Typing { from, typing } => show_typing(ui, from, typing),
            // Kept as "<group chat> <member>".
            Event::GroupTyping { chat, from, typing } => {
                show_typing(ui, format!("{chat} {from}"), typing);
            }
            Event::GroupChanged { chat } => groups::refresh(engine, ui, &chat).await,
            Event::Profile {
                account,
                display_name,
            } => ui.names.update(|names| {
                names.retain(|(a, _)| *a != account);
                names.push((account, display_name));
            }),
            Event::Presence {
                account,
                online,
                last_seen_ms,
            } => ui.presence.update(|list| {
                list.retain(|(a, _, _)| *a != account);
                list.push((account, online, last_seen_ms));
            }),
            Event::OwnDevicesChanged => ui.devices.set(linking::devices(engine)),
            Event::ReadElsewhere { chat } => {
                read_in_list(ui, &chat);
                push::read(&chat);
            }
            // Shown by `linking::show`; `Unlinked` ends the run loop.
            Event::Unlinked
            | Event::LinkOpened { .. }
            | Event::Linked { .. }
            | Event::LinkRequest { .. }
            | Event::UploadHistory { .. }
            | Event::LinkDone { .. }
            | Event::LinkFailed(_) => {}
        }
    }
    shown
}

/// Wipes this browser's Hush data after it was unlinked, and starts over at onboarding.
async fn wipe(engine: Engine<IdbStore, OsRng>, ui: Ui) {
    engine.into_store().close();
    push::disable().await;
    if let Err(e) = IdbStore::delete(DATABASE).await {
        ui.problem
            .set(Some(format!("Hush could not clear its data: {e}")));
        ui.phase.set(Phase::Broken);
        return;
    }
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace("/?unlinked");
    }
}

/// Adds a message to the open chat's log, unless it is not that chat's or already there (drawn
/// before its commit).
fn show_in_chat(ui: Ui, message: &ChatMessage) {
    if ui.current.get_untracked().as_deref() != Some(message.chat.as_str())
        || ui
            .messages
            .with_untracked(|list| list.iter().rev().any(|m| m.id == message.id))
    {
        return;
    }
    ui.messages.update(|list| list.push(message.clone()));
}

/// The relay wakes this device by push only if it has the subscription: it gets the current
/// one on every connection (the browser may have renewed it).
fn resubscribe(ui: Ui, messenger: Messenger) {
    if ui.notifications.get_untracked() == Notifications::On {
        spawn_local(async move {
            if let Some(subscription) = push::current().await {
                messenger.tell(Command::Push(Some(subscription)));
            }
        });
    }
}

/// Notifies of messages the user is not looking at: any chat while the page is hidden, else
/// every chat but the open one (muted chats never).
fn notify(ui: Ui, events: &[Event]) {
    if !events
        .iter()
        .any(|e| matches!(e, Event::Message(m) if !m.from_me))
    {
        return;
    }
    let open = if page_hidden() {
        None
    } else {
        ui.current.get_untracked()
    };
    let names: Vec<(String, String)> = ui.names.with_untracked(|names| names.clone());
    let notices = ui.muted.with_untracked(|muted| {
        hush_client::notices::notices(events, &names, muted, open.as_deref())
    });
    push::notify(&notices);
}

fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.hidden())
}

/// The chat's messages were just marked read: no unread count in the list.
fn read_in_list(ui: Ui, chat: &str) {
    ui.chats.update(|chats| {
        if let Some(summary) = chats.iter_mut().find(|c| c.chat == chat) {
            summary.unread = 0;
        }
    });
}

/// A typing notice lasts a few seconds unless renewed (the sender repeats it while typing).
const TYPING_SHOWN_MS: f64 = 6000.0;

fn show_typing(ui: Ui, from: String, typing: bool) {
    let until = js_sys::Date::now() + TYPING_SHOWN_MS;
    ui.typing.update(|list| {
        list.retain(|(who, _)| *who != from);
        if typing {
            list.push((from, until));
        }
    });
    if typing {
        set_timeout(
            move || {
                let now = js_sys::Date::now();
                ui.typing
                    .update(|list| list.retain(|(_, until)| *until > now));
            },
            std::time::Duration::from_millis(TYPING_SHOWN_MS as u64 + 50),
        );
    }
}

/// A message's status moves on: kept in the list without redrawing it (a later redraw shows
/// it), and shown by the row's own signal.
fn set_status(ui: Ui, id: hush_client::MessageId, status: Status) {
    let moved = ui.messages.try_update_untracked(|list| {
        let message = list.iter_mut().rev().find(|m| m.id == id)?;
        message
            .status
            .can_become(status)
            .then(|| message.status = status)
    });
    if moved.flatten().is_some() {
        ui.ticks.with_value(|ticks| {
            if let Some((_, signal)) = ticks.iter().find(|(i, _)| *i == id) {
                signal.try_set(status);
            }
        });
    }
}

async fn show_safety<S: Store, R: Rng>(engine: &Engine<S, R>, ui: Ui, chat: &str) {
    let number = engine.safety_number(chat).await;
    let verified = engine.is_verified(chat).await;
    match (number, verified) {
        (Ok(Some(number)), Ok(verified)) => {
            let groups = number
                .display_groups()
                .into_iter()
                .map(str::to_owned)
                .collect();
            ui.safety.set(Some(Safety {
                groups,
                qr: crate::ui::qr_svg_path(&number.qr_payload()),
                verified,
            }));
        }
        (Ok(None), _) => {
            ui.safety.set(None);
            ui.problem.set(Some(
                "There is no safety number yet: send or receive a message first.".to_owned(),
            ));
        }
        (Err(e), _) | (_, Err(e)) => ui.problem.set(Some(e.to_string())),
    }
}

async fn refresh_chats<S: Store, R: Rng>(engine: &Engine<S, R>, ui: Ui) {
    match engine.store().chats().await {
        Ok(chats) => ui.chats.set(chats),
        Err(e) => ui.problem.set(Some(e.to_string())),
    }
}

/// Shows a chat's newest page (however long the chat, only that page is read).
async fn load_chat<S: Store, R: Rng>(engine: &Engine<S, R>, ui: Ui, chat: &str) {
    match engine.store().messages(chat, None, PAGE).await {
        Ok(messages) => {
            // Rows gone with an earlier chat took their status signals with them. (Not all
            // are cleared: reopening the chat shown keeps its rows, and their signals.)
            ui.ticks
                .update_value(|ticks| ticks.retain(|(_, signal)| !signal.is_disposed()));
            ui.earlier.set(messages.len() == PAGE);
            ui.messages.set(messages);
        }
        Err(e) => ui.problem.set(Some(e.to_string())),
    }
}

/// Puts the page before the oldest message shown above it.
async fn load_earlier<S: Store, R: Rng>(engine: &Engine<S, R>, ui: Ui) {
    let Some(chat) = ui.current.get_untracked() else {
        return;
    };
    let Some(oldest) = ui
        .messages
        .with_untracked(|list| list.first().map(|m| m.id))
    else {
        return;
    };
    let mut page = match engine.store().messages(&chat, Some(&oldest), PAGE).await {
        Ok(page) => page,
        Err(e) => {
            ui.problem.set(Some(e.to_string()));
            Vec::new()
        }
    };
    ui.earlier.set(page.len() == PAGE);
    // Updated even when nothing came: the view waits for this to place its scroll position.
    ui.messages.update(|list| {
        page.append(list);
        *list = page;
    });
}

/// A message just written: into its chat (opened if it was not) and to the top of the list.
async fn show_sent<S: Store, R: Rng>(engine: &Engine<S, R>, ui: Ui, message: ChatMessage) {
    ui.chats.update(|chats| add_to_chats(chats, &message));
    if ui.current.get_untracked().as_deref() != Some(message.chat.as_str()) {
        ui.current.set(Some(message.chat.clone()));
        load_chat(engine, ui, &message.chat).await;
    } else {
        ui.messages.update(|list| list.push(message));
    }
}
