//! A message's `Message actions` button and, while open, its `menu` of what the message
//! offers ([`MessageAction`]); `React` turns it into the quick reactions (`React 👍` ...).
//! Arrow keys, Home and End move through the items; Escape closes it and returns to the
//! button; focus moving anywhere else (a click outside) closes it.

use hush_client::{ChatMessage, MessageId};
use leptos::ev::{FocusEvent, KeyboardEvent};
use leptos::prelude::*;

use super::menu_keys::{self, MenuRef};
use super::message_action::MessageAction;
use crate::command::{Command, Messenger};
use crate::platform::clipboard;
use crate::state::Ui;
use crate::ui::groups::toggle_message_info;

/// The quick reactions, in the order WhatsApp offers them.
const QUICK_REACTIONS: [&str; 6] = ["👍", "❤️", "😂", "😮", "😢", "🙏"];

/// Which face of a message's menu shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Face {
    Closed,
    Actions,
    Reactions,
}

/// The message whose `Message actions` button takes focus when its row is drawn again: our
/// reaction redraws the row, and the keyboard should stay where it was.
#[derive(Clone, Copy)]
pub(super) struct Refocus(pub(super) StoredValue<Option<MessageId>>);

/// The button and, while `face` is not closed, the menu. `face` is the row's, so the message
/// itself (right-click, long-press, Shift+F10) can open it too.
#[component]
pub(super) fn MessageActions(message: ChatMessage, face: RwSignal<Face>) -> impl IntoView {
    let refocus = expect_context::<Refocus>();
    let button = NodeRef::<leptos::html::Button>::new();
    let menu = MenuRef::new();
    let id = message.id;
    let items = Items {
        ui: expect_context::<Ui>(),
        messenger: expect_context::<Messenger>(),
        refocus,
        message: StoredValue::new(message),
        face,
        menu,
        button,
    };
    // The first item takes focus whenever a face shows; the button, after our redraw.
    Effect::new(move |_| {
        if face.get() != Face::Closed {
            request_animation_frame(move || menu_keys::focus_item(menu, 0));
        }
    });
    Effect::new(move |_| {
        if let Some(button) = button.get().filter(|_| refocus.0.get_value() == Some(id)) {
            refocus.0.set_value(None);
            let _ = button.focus();
        }
    });
    let on_keydown = move |event: KeyboardEvent| {
        if event.key() == "Escape" {
            event.prevent_default();
            event.stop_propagation();
            items.close();
        } else if menu_keys::move_focus(menu, &event) {
            event.prevent_default();
        }
    };
    let on_focusout = move |event: FocusEvent| {
        let left = button
            .get_untracked()
            .is_some_and(|button| menu_keys::left(menu, &button, &event));
        if left {
            face.set(Face::Closed);
        }
    };
    view! {
        <button
            type="button"
            class="message-actions"
            aria-label="Message actions"
            aria-haspopup="menu"
            aria-expanded=move || (face.get() != Face::Closed).to_string()
            node_ref=button
            on:click=move |_| face.update(|f| {
                *f = if *f == Face::Closed { Face::Actions } else { Face::Closed }
            })
        >
            <span aria-hidden="true">"⋯"</span>
        </button>
        <Show when=move || face.get() != Face::Closed>
            <div
                role="menu"
                aria-label=move || if face.get() == Face::Reactions { "Reactions to choose" } else { "Message actions" }
                class="menu"
                tabindex="-1"
                node_ref=menu
                on:keydown=on_keydown
                on:focusout=on_focusout
            >
                {move || match face.get() {
                    Face::Reactions => items.reactions().into_any(),
                    _ => items.actions().into_any(),
                }}
            </div>
        </Show>
    }
}

/// What the menu's items need.
#[derive(Clone, Copy)]
struct Items {
    ui: Ui,
    messenger: Messenger,
    refocus: Refocus,
    message: StoredValue<ChatMessage>,
    face: RwSignal<Face>,
    menu: MenuRef,
    button: NodeRef<leptos::html::Button>,
}

impl Items {
    /// Closes the menu; focus goes back to the button first, so nothing focused goes with it.
    fn close(self) {
        if let Some(button) = self.button.get_untracked() {
            let _ = button.focus();
        }
        self.face.set(Face::Closed);
    }

    /// One item per action the message offers.
    fn actions(self) -> impl IntoView {
        let offered = self.message.with_value(MessageAction::offered_for);
        offered
            .into_iter()
            .map(|action| {
                view! {
                    <button type="button" role="menuitem" tabindex="-1" on:click=move |_| self.run(action)>
                        {action.label()}
                    </button>
                }
            })
            .collect_view()
    }

    /// Does what `action` says.
    fn run(self, action: MessageAction) {
        let ui = self.ui;
        let id = self.message.with_value(|m| m.id);
        match action {
            MessageAction::React => {
                // The menu keeps focus while its items change, so it stays open.
                if let Some(menu) = self.menu.get_untracked() {
                    let _ = menu.focus();
                }
                self.face.set(Face::Reactions);
            }
            MessageAction::Copy => {
                let text = self.message.with_value(|m| m.body.clone());
                leptos::task::spawn_local(async move {
                    if !clipboard::copy(&text).await {
                        ui.problem
                            .set(Some("Could not copy the message.".to_owned()));
                    }
                });
                self.close();
            }
            MessageAction::Info => {
                toggle_message_info(ui, self.messenger, id);
                self.close();
            }
        }
    }

    /// The quick reactions; ours is marked, and choosing it again takes it back.
    fn reactions(self) -> impl IntoView {
        let (ui, messenger, refocus) = (self.ui, self.messenger, self.refocus);
        let (id, own) = self.message.with_value(|m| (m.id, own_reaction(ui, m)));
        QUICK_REACTIONS
            .map(|emoji| {
                let chosen = own.as_deref() == Some(emoji);
                let react = move |_| {
                    let emoji = if chosen { "" } else { emoji };
                    refocus.0.set_value(Some(id));
                    messenger.tell(Command::React {
                        id,
                        emoji: emoji.to_owned(),
                    });
                    self.close();
                };
                view! {
                    <button
                        type="button"
                        role="menuitem"
                        tabindex="-1"
                        class=if chosen { "quick-reaction chosen" } else { "quick-reaction" }
                        aria-label=format!("React {emoji}")
                        on:click=react
                    >
                        {emoji}
                    </button>
                }
            })
            .collect_view()
    }
}

/// Our own reaction to `message`, if we have one.
fn own_reaction(ui: Ui, message: &ChatMessage) -> Option<String> {
    let me = ui.me.get_untracked()?;
    (message.reactions.iter())
        .find(|r| r.by == me && !r.emoji.is_empty())
        .map(|r| r.emoji.clone())
}
