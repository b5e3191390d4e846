//! What a step of the engine produced, applied: its frames sent, its events shown.

use hush_client::model::add_to_chats;
use hush_client::{ChatId, ChatMessage, Event, Kind, Output, Store, Username};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::tab::Tab;
use super::{groups, linking, uploads};
use crate::command::{Command, Messenger};
use crate::platform::push::{self, Notifications};
use crate::platform::{clock, page};
use crate::state::{Typist, Ui};
use crate::text;

/// A typing notice lasts a few seconds unless renewed (the sender repeats it while typing).
const TYPING_SHOWN_MS: f64 = 6000.0;

/// Sends the step's frames and shows its events; returns the open chat if a message arrived
/// in it.
pub(super) async fn apply(tab: &Tab, out: Output) -> Option<ChatId> {
    tab.send(&out.frames);
    notify(tab.ui, &out.events);
    let mut shown = None;
    for event in out.events {
        if let Some(chat) = show(tab, event).await {
            shown = Some(chat);
        }
    }
    shown
}

/// Shows one event; returns the open chat if it is a message that arrived in it.
async fn show(tab: &Tab, event: Event) -> Option<ChatId> {
    let ui = tab.ui;
    match event {
        Event::Registered => {
            ui.me.set(tab.engine.account().map(|a| a.name.clone()));
            ui.phase.set(crate::state::Phase::Ready);
        }
        Event::NameTaken => {
            ui.problem.set(Some(text::USERNAME_TAKEN.to_owned()));
        }
        Event::Message(message) => {
            let open = ui.current.get_untracked().as_ref() == Some(&message.chat);
            if open && message.kind == Kind::TimerChanged {
                super::chat::load_timer(&tab.engine, ui, &message.chat).await;
            }
            return show_message(ui, message);
        }
        Event::Status(id, status) => {
            ui.set_status(id, status);
            groups::refresh_info(&tab.engine, ui, id).await;
        }
        Event::Reacted { chat, id } | Event::Amended { chat, id } => {
            let Ok(Some(message)) = tab.engine.store().message(&id).await else {
                return None;
            };
            // Deleted (for everyone or for us) or expired: its file goes too.
            if matches!(message.kind, Kind::Deleted | Kind::Hidden) {
                crate::platform::withdraw::withdraw(&chat, &[id]);
                crate::platform::media::forget(&id).await;
                ui.chats.update(|chats| {
                    for summary in chats.iter_mut().filter(|s| s.last.id == id) {
                        summary.last = message.clone();
                    }
                });
            }
            // An open Starred list follows: a message gone or unstarred leaves it.
            ui.starred.update(|list| {
                list.retain(|m| m.id != id || message.meta.starred);
                for kept in list.iter_mut().filter(|m| m.id == id) {
                    *kept = message.clone();
                }
            });
            if ui.current.get_untracked().as_ref() == Some(&chat) {
                ui.replace_in_chat(message);
            }
        }
        Event::Undecryptable { from } => {
            ui.problem.set(Some(text::could_not_decrypt(from)));
        }
        Event::RelayError(message) => ui.problem.set(Some(message)),
        Event::DevicesRefused { account, reason } => {
            let why = text::list_refusal(&reason);
            ui.problem.set(Some(text::devices_refused(account, why)));
        }
        Event::Authenticated => {}
        Event::UnknownUser(name) => {
            ui.problem.set(Some(text::no_one_called(name)));
        }
        Event::Typing { from, typing } => {
            let chat = ChatId::Direct(from.clone());
            show_typing(ui, Typist { chat, who: from }, typing);
        }
        Event::GroupTyping { chat, from, typing } => {
            show_typing(ui, Typist { chat, who: from }, typing);
        }
        Event::GroupChanged { chat } => groups::refresh(&tab.engine, ui, &chat).await,
        Event::Profile {
            account,
            display_name,
            profile,
        } => {
            if !display_name.is_empty() {
                ui.names.update(|names| {
                    names.retain(|(a, _)| *a != account);
                    names.push((account.clone(), display_name));
                });
            }
            super::profile::shown(ui, account, profile);
        }
        Event::Presence {
            account,
            online,
            last_seen_ms,
        } => ui.presence.update(|list| {
            list.retain(|(a, _, _)| *a != account);
            list.push((account, online, last_seen_ms));
        }),
        Event::OwnDevicesChanged => ui.devices.set(linking::devices(&tab.engine)),
        Event::OwnProfile => super::profile::own_changed(&tab.engine, ui),
        Event::PresenceVisibility(visibility) => ui.presence_visibility.set(visibility),
        Event::ChatState { chat, cleared } => {
            super::chat_list::changed(tab, &chat, cleared).await;
        }
        Event::ReadElsewhere { chat } => {
            ui.read_in_list(&chat);
            push::read(&chat);
        }
        // Nothing a user can act on: the relay's operator sees these in its metrics.
        Event::NoOneTimePreKey { .. } => {}
        Event::UploadGranted { request, id } => {
            if !super::profile::granted(tab, request, id) {
                uploads::granted(tab, request, id);
            }
        }
        Event::UploadRefused { request, reason } => uploads::refused(tab, request, reason),
        Event::BlobRenewed { request } => tab.messenger.tell(Command::Renewed {
            request,
            renewed: true,
        }),
        Event::RenewRefused { request } => tab.messenger.tell(Command::Renewed {
            request,
            renewed: false,
        }),
        // Shown by `linking::show`; `Unlinked` and `AccountDeleted` end the runner.
        Event::Unlinked
        | Event::AccountDeleted
        | Event::LinkOpened { .. }
        | Event::Linked { .. }
        | Event::LinkRequest { .. }
        | Event::UploadHistory { .. }
        | Event::LinkDone { .. }
        | Event::LinkFailed(_) => {}
    }
    None
}

/// A message into its chat in the list, and into the log if that chat is open (then returns
/// it).
fn show_message(ui: Ui, message: ChatMessage) -> Option<ChatId> {
    // The chat list follows from the events; it is read from storage only at start.
    ui.chats.update(|chats| add_to_chats(chats, &message));
    if message.kind == Kind::SecurityCodeChanged {
        ui.safety.set(None);
    }
    // Whoever sent a message has stopped typing it.
    let who = match (&message.group, &message.chat) {
        (Some(line), _) => Some(line.author.clone()),
        (None, ChatId::Direct(account)) => Some(account.clone()),
        (None, ChatId::Group(_)) => None,
    };
    if let Some(who) = who {
        let chat = message.chat.clone();
        show_typing(ui, Typist { chat, who }, false);
    }
    if ui.current.get_untracked().as_ref() != Some(&message.chat) {
        return None;
    }
    ui.show_in_chat(&message);
    Some(message.chat)
}

/// The relay wakes this device by push only if it has the subscription: it gets the current
/// one on every connection (the browser may have renewed it).
pub(super) fn resubscribe(ui: Ui, messenger: Messenger) {
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
    let open = if page::hidden() {
        None
    } else {
        ui.current.get_untracked()
    };
    let names: Vec<(Username, String)> = ui.names.with_untracked(|names| names.clone());
    let me = ui.me.get_untracked();
    let notices = ui.muted.with_untracked(|muted| {
        hush_client::notices::notices(events, &names, muted, open.as_ref(), me.as_ref())
    });
    push::notify(&notices);
}

/// Shows (or stops showing) that `from` is typing; the notice fades unless renewed.
fn show_typing(ui: Ui, from: Typist, typing: bool) {
    let until = clock::now() + TYPING_SHOWN_MS;
    ui.typing.update(|list| {
        list.retain(|(who, _)| *who != from);
        if typing {
            list.push((from, until));
        }
    });
    if typing {
        set_timeout(
            move || {
                let now = clock::now();
                ui.typing
                    .update(|list| list.retain(|(_, until)| *until > now));
            },
            std::time::Duration::from_millis(TYPING_SHOWN_MS as u64 + 50),
        );
    }
}
