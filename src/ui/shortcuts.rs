//! Keyboard shortcuts on the signed-in screen (what each does is in `crate::shortcuts`), and
//! the `Keyboard shortcuts` dialog that lists them.

use hush_client::{ChatAction, ChatId};
use leptos::ev::{self, KeyboardEvent};
use leptos::prelude::*;

use super::shell::Panels;
use crate::command::{Command, Messenger};
use crate::platform::page;
use crate::shortcuts::{neighbour, shortcut, Keys, Shortcut, LIST};
use crate::state::Ui;
use crate::text;

/// Listens for the shortcuts while the screen is up; `listed` gives the chats in list order.
pub(crate) fn listen(panels: Panels, listed: impl Fn() -> Vec<ChatId> + 'static) {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let handle = window_event_listener(ev::keydown, move |event: KeyboardEvent| {
        if event.is_composing() || event.default_prevented() {
            return;
        }
        let Some(shortcut) = shortcut_of(&event) else {
            return;
        };
        // Alt+↑/↓ opens a select or a list in a field: theirs there, not ours.
        let moving = matches!(shortcut, Shortcut::PreviousChat | Shortcut::NextChat);
        if moving && page::in_choice_field(&event) {
            return;
        }
        event.prevent_default();
        // On a phone the open chat hides the list these act on: back to the list first.
        let in_list = matches!(
            shortcut,
            Shortcut::Search | Shortcut::NewChat | Shortcut::Help
        );
        if in_list && page::chat_list_hidden() {
            messenger.tell(Command::Close);
        }
        act(shortcut, panels, ui, messenger, &listed);
    });
    on_cleanup(move || handle.remove());
}

/// The shortcut a keydown makes, if any.
fn shortcut_of(event: &KeyboardEvent) -> Option<Shortcut> {
    let (key, code) = (event.key(), event.code());
    shortcut(&Keys {
        key: &key,
        code: &code,
        ctrl: event.ctrl_key() || event.meta_key(),
        alt: event.alt_key(),
        shift: event.shift_key(),
        alt_graph: event.get_modifier_state("AltGraph"),
    })
}

/// Does what `shortcut` says.
fn act(
    shortcut: Shortcut,
    panels: Panels,
    ui: Ui,
    messenger: Messenger,
    listed: &impl Fn() -> Vec<ChatId>,
) {
    match shortcut {
        Shortcut::Search => page::focus_by_id("search-messages"),
        Shortcut::NewChat => {
            panels.adding.set(true);
            page::focus_by_id("new-chat");
        }
        Shortcut::Help => {
            panels.shortcuts.set(true);
            page::focus_by_id("shortcuts-title");
        }
        Shortcut::PreviousChat | Shortcut::NextChat => {
            let current = ui.current.get_untracked();
            if let Some(chat) = neighbour(&listed(), current.as_ref(), shortcut) {
                messenger.tell(Command::Open(chat));
                page::focus_composer();
            }
        }
        // Closed too: an open chat reads what arrives, which would take the mark away.
        Shortcut::MarkUnread => {
            if let Some(chat) = ui.current.get_untracked() {
                let action = ChatAction::MarkUnread(true);
                messenger.tell(Command::ChatAction { chat, action });
                messenger.tell(Command::Close);
            }
        }
    }
}

/// The `Keyboard shortcuts` dialog (non-modal, beside the chat list, like Settings).
#[component]
pub(crate) fn KeyboardShortcuts(open: RwSignal<bool>) -> impl IntoView {
    let escape = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.stop_propagation();
            open.set(false);
        }
    };
    view! {
        <section
            class="devices shortcuts"
            role="dialog"
            aria-labelledby="shortcuts-title"
            on:keydown=escape
        >
            <h3 id="shortcuts-title" tabindex="-1">{text::KEYBOARD_SHORTCUTS}</h3>
            <table>
                <thead>
                    <tr><th scope="col">{text::KEYS}</th><th scope="col">{text::DOES}</th></tr>
                </thead>
                <tbody>
                    {LIST
                        .iter()
                        .map(|(_, keys, does)| view! {
                            <tr><td><kbd>{*keys}</kbd></td><td>{*does}</td></tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
            // Not `Close`: the side panel's may be on screen too.
            <button type="button" on:click=move |_| open.set(false)>{text::CLOSE_SHORTCUTS}</button>
        </section>
    }
}
