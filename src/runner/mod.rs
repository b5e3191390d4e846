//! The engine in the page: one task owns it and serves commands one at a time (frames from the
//! relay, the user's actions), so nothing ever runs two engine steps at once. What a step
//! produces goes out on the WebSocket and into the UI's signals.
//!
//! `commands` serves a command, `events` applies what a step put out; `chat`, `groups` and
//! `linking` hold what each kind of screen needs; `tab` is what they all work with.

mod chat;
mod chat_list;
mod commands;
mod downloads;
mod events;
mod forwarding;
mod gallery;
mod groups;
mod linking;
mod message_actions;
mod open;
mod profile;
mod resume;
mod search;
mod settings;
mod storage;
mod stream_download;
mod stream_upload;
mod tab;
mod uploads;
mod voice;
mod waiting;

use futures::channel::mpsc::{unbounded, UnboundedReceiver};
use futures::StreamExt;
use hush_client::{Engine, EngineError, Event, Output, Store};
use leptos::prelude::*;
use leptos::task::spawn_local;
use rand_core::OsRng;

use crate::command::{Command, Messenger};
use crate::inbox;
use crate::platform::backoff::Backoff;
use crate::platform::relay::Relay;
use crate::platform::{clock, owner, page, preferences};
use crate::state::{Phase, Ui};
use crate::status::ConnectionStatus;
use crate::store::{IdbStore, DATABASE};
use crate::text;
use tab::Tab;
pub(crate) use voice::{MAX_VOICE_BYTES, MAX_VOICE_MS};

/// The most relay frames handled as one batch.
const MAX_BATCH: usize = 500;

/// Connects to the relay and starts the engine task.
pub(crate) fn start(ui: Ui) -> Messenger {
    let (commands, mut queue) = unbounded();
    let messenger = Messenger::new(commands);
    spawn_local(async move {
        if !owner::claim(false).await && !wait_to_own(ui, &mut queue).await {
            return;
        }
        own(ui, messenger, queue).await;
    });
    messenger
}

/// Another tab has Hush: waits until the user asks to use it here, then takes over. False if
/// the page goes first.
async fn wait_to_own(ui: Ui, queue: &mut UnboundedReceiver<Command>) -> bool {
    ui.phase.set(Phase::Elsewhere);
    ui.connection.set(ConnectionStatus::Offline);
    loop {
        match queue.next().await {
            Some(Command::UseHere) => {
                if owner::claim(true).await {
                    break;
                }
                ui.problem.set(Some(text::TAKE_OVER_FAILED.to_owned()));
            }
            Some(_) => {}
            None => return false,
        }
    }
    ui.problem.set(None);
    ui.phase.set(Phase::Loading);
    true
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
    if let Some(tab) = open(ui, messenger, relay).await {
        serve(tab, queue).await;
    }
}

/// Opens the database and the engine, and shows what they hold. None if this browser's
/// storage cannot be used (the page says why).
async fn open(ui: Ui, messenger: Messenger, relay: Option<Relay>) -> Option<Tab> {
    let engine = match IdbStore::open(DATABASE).await {
        Ok(store) => Engine::open(store, OsRng).await,
        Err(e) => Err(EngineError::Store(e.into())),
    };
    spawn_local(async move { ui.persisted.set(page::ask_to_persist().await) });
    let engine = match engine {
        Ok(engine) => engine,
        Err(e) => {
            ui.problem.set(Some(text::cannot_use_storage(e)));
            ui.phase.set(Phase::Broken);
            return None;
        }
    };
    let mut tab = Tab {
        engine,
        ui,
        messenger,
        relay,
        uploads: Default::default(),
        turns: Default::default(),
        asked: Default::default(),
        renewing: Default::default(),
        photo_upload: Default::default(),
    };
    tab.ui.auto_download.set(preferences::auto_download());
    tab.ui.default_timer.set(preferences::default_timer());
    tab.ui.theme.set(preferences::theme());
    tab.ui.enter_sends.set(preferences::enter_sends());
    tab.ui.notice_style.set(preferences::notice_style());
    preferences::keep_notice_texts();
    show_account(&tab).await;
    tab.engine.set_device_name(&page::browser_name());
    ui.devices.set(linking::devices(&tab.engine));
    // A message into the open chat is drawn while it is being stored (the commit is the
    // slowest part of receiving); if storing fails, the chat is read back from storage.
    tab.engine
        .preview_received(move |message| ui.show_in_chat(message));
    spawn_local(expire_every_minute(messenger));
    Some(tab)
}

/// Asks for what ran out to be removed now (also what ran out while the app was closed) and
/// every minute after.
async fn expire_every_minute(messenger: Messenger) {
    loop {
        messenger.tell(Command::Expire);
        crate::platform::timer::sleep(60_000).await;
    }
}

/// A registered account goes to its chats (as stored), anything else to onboarding.
async fn show_account(tab: &Tab) {
    let (engine, ui) = (&tab.engine, tab.ui);
    match engine.account() {
        Some(account) if account.registered => {
            ui.me.set(Some(account.name.clone()));
            ui.presence_visibility.set(engine.presence_visibility());
            ui.read_receipts.set(engine.read_receipts());
            ui.my_name.set(account.display_name.clone());
            ui.phase.set(Phase::Ready);
            groups::load(engine, ui).await;
            chat::refresh_chats(engine, ui).await;
            match engine.store().names().await {
                Ok(names) => ui.names.set(names),
                Err(e) => ui.problem.set(Some(text::store_error(&e))),
            }
            profile::load(engine, ui).await;
            match engine.store().muted().await {
                Ok(muted) => ui.muted.set(muted),
                Err(e) => ui.problem.set(Some(text::store_error(&e))),
            }
        }
        _ => ui.phase.set(Phase::Onboarding),
    }
}

/// Serves commands until the page goes (or another device unlinks this one).
async fn serve(mut tab: Tab, mut queue: UnboundedReceiver<Command>) {
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
            Command::Frame(bytes) => {
                let batch = gather(bytes, &mut queue, &mut next);
                inbox::receive(&mut tab.engine, &batch, clock::now_ms())
                    .await
                    .map(|received| received.out)
            }
            command => commands::serve(&mut tab, command).await,
        };
        let mut out = match step {
            Ok(out) => out,
            Err(e) => {
                tab.ui.problem.set(Some(text::engine_error(&e)));
                // What the screen drew ahead of a failed commit goes (it will come again).
                if let Some(chat) = tab.ui.current.get_untracked() {
                    chat::load_chat(&tab.engine, tab.ui, &chat).await;
                }
                continue;
            }
        };
        if out.events.contains(&Event::Authenticated) {
            events::resubscribe(tab.ui, tab.messenger);
            out.frames
                .extend(profile::renew_photo(&mut tab.engine).frames);
        }
        if out.events.contains(&Event::Unlinked) || out.events.contains(&Event::AccountDeleted) {
            // Another device of the account removed this one, or the account was deleted (the
            // list says so, signed by the account key): its data goes, and it starts over.
            linking::wipe(tab).await;
            return;
        }
        finish(&mut tab, out).await;
    }
}

/// The frames already waiting behind `first`, to handle together (at most [`MAX_BATCH`]); a
/// command other than a frame found meanwhile goes to `next`.
fn gather(
    first: Vec<u8>,
    queue: &mut UnboundedReceiver<Command>,
    next: &mut Option<Command>,
) -> Vec<Vec<u8>> {
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match queue.try_recv() {
            Ok(Command::Frame(bytes)) => batch.push(bytes),
            Ok(other) => {
                *next = Some(other);
                break;
            }
            Err(_) => break,
        }
    }
    batch
}

/// Shows what a step put out and sends it; messages that arrived in the open chat are read.
async fn finish(tab: &mut Tab, out: Output) {
    for event in &out.events {
        linking::show(tab.ui, tab.messenger, event.clone());
    }
    if let Some(chat) = events::apply(tab, out).await {
        read_arrivals(tab, &chat).await;
    }
}

/// Messages that arrived in the open chat are on screen: they are read, unless the page is
/// hidden (then the chat shows unread, and `pwa.js` reopens it when the page shows).
async fn read_arrivals(tab: &mut Tab, chat: &hush_client::ChatId) {
    if page::hidden() {
        return;
    }
    match tab.engine.mark_read(chat).await {
        Ok(out) => {
            events::apply(tab, out).await;
            tab.ui.read_in_list(chat);
        }
        Err(e) => tab.ui.problem.set(Some(text::engine_error(&e))),
    }
}
