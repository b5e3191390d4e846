//! A message's `Message actions` button and its `menu` of what the message offers
//! ([`MessageAction`]), whose `React` opens the quick reactions (`React 👍` ...) as a submenu.
//! Both are popovers: the browser opens and closes them (Escape, a click outside), puts them
//! above everything and gives focus back to the button; arrow keys, Home and End move through
//! the items.

use hush_client::{ChatMessage, MessageId};
use leptos::prelude::*;

use super::menu_keys;
use super::message_action::MessageAction;
use super::press::Opener;
use crate::command::{Command, MessageCommand, Messenger};
use crate::platform::clipboard;
use crate::state::{Composing, Ui};
use crate::text;
use crate::ui::groups::toggle_message_info;

/// The quick reactions, in the order WhatsApp offers them.
const QUICK_REACTIONS: [&str; 6] = ["👍", "❤️", "😂", "😮", "😢", "🙏"];

/// The message whose `Message actions` button takes focus when its row is drawn again: our
/// reaction redraws the row, and the keyboard should stay where it was.
#[derive(Clone, Copy)]
pub(super) struct Refocus(pub(super) StoredValue<Option<MessageId>>);

/// An element id for a popover of message `id` (`kind` tells a message's popovers apart).
pub(super) fn popover_id(kind: &str, id: &MessageId) -> String {
    let mut out = String::with_capacity(kind.len() + 32);
    out.push_str(kind);
    for byte in id {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The button and its menu (and submenu). `opener` is the row's, so the message itself
/// (right-click, long press, Shift+F10) can open it too.
#[component]
pub(super) fn MessageActions(message: ChatMessage, opener: Opener) -> impl IntoView {
    let refocus = expect_context::<Refocus>();
    let id = message.id;
    if refocus.0.get_value() == Some(id) {
        refocus.0.set_value(None);
        request_animation_frame(move || opener.focus_button());
    }
    let menu_id = popover_id("m", &id);
    let reactions_id = popover_id("r", &id);
    let now_ms = crate::ui::time::now() as u64;
    let offered = MessageAction::offered_for(&message, now_ms);
    let reactions =
        (offered.contains(&MessageAction::React)).then(|| quick_reactions(&message, opener));
    let items = offered
        .into_iter()
        .map(|action| action_item(action, id, &reactions_id, opener))
        .collect_view();
    view! {
        <button
            type="button"
            class="message-actions"
            aria-label=text::MESSAGE_ACTIONS
            aria-haspopup="menu"
            popovertarget=menu_id.clone()
            node_ref=opener.button
        >
            <span aria-hidden="true">"⋯"</span>
        </button>
        {popover_menu(menu_id, text::MESSAGE_ACTIONS, opener.menu, items.into_any())}
        {reactions.map(|items| {
            let menu = menu_keys::MenuRef::new();
            popover_menu(reactions_id, text::REACTIONS_TO_CHOOSE, menu, items.into_any())
        })}
    }
}

/// A `menu` the browser shows as a popover (`id` for the button that opens it), its first item
/// focused when it opens, the arrow keys moving through its items.
fn popover_menu(
    id: String,
    label: &'static str,
    menu: menu_keys::MenuRef,
    items: AnyView,
) -> AnyView {
    view! {
        <div
            popover="auto"
            id=id
            role="menu"
            aria-label=label
            class="menu"
            node_ref=menu
            on:keydown=move |event| menu_keys::keydown(menu, &event)
            on:toggle=move |_| menu_keys::opened(menu)
        >
            {items}
        </div>
    }
    .into_any()
}

/// The menu item of `action`; `React`'s opens the quick reactions (`reactions_id`).
fn action_item(
    action: MessageAction,
    id: MessageId,
    reactions_id: &str,
    opener: Opener,
) -> AnyView {
    if action == MessageAction::React {
        return view! {
            <button
                type="button"
                role="menuitem"
                tabindex="-1"
                aria-haspopup="menu"
                popovertarget=reactions_id.to_owned()
            >
                {action.label()}
            </button>
        }
        .into_any();
    }
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let run = move |_| {
        opener.close();
        let tell = |command| messenger.tell(Command::Message(command));
        match action {
            MessageAction::Reply => compose(ui, id, Composing::Reply),
            MessageAction::Edit => compose(ui, id, Composing::Edit),
            MessageAction::DeleteForEveryone => ui.deleting.set(Some(id)),
            MessageAction::DeleteForMe => tell(MessageCommand::DeleteForMe(id)),
            MessageAction::Forward => ui.forwarding.set(Some(id)),
            MessageAction::Star => tell(MessageCommand::Star { id, starred: true }),
            MessageAction::Unstar => tell(MessageCommand::Star { id, starred: false }),
            MessageAction::Copy => copy(ui, id),
            MessageAction::Info => toggle_message_info(ui, messenger, id),
            MessageAction::React => {}
        }
    };
    view! {
        <button type="button" role="menuitem" tabindex="-1" on:click=run>
            {action.label()}
        </button>
    }
    .into_any()
}

/// Puts message `id` in the composer, to reply to or to edit, and the caret in the box.
fn compose(ui: Ui, id: MessageId, how: fn(Box<ChatMessage>) -> Composing) {
    let message = ui
        .messages
        .with_untracked(|list| list.iter().find(|m| m.id == id).cloned());
    if let Some(message) = message {
        ui.composing.set(how(Box::new(message)));
        crate::platform::page::focus_composer();
    }
}

/// Puts message `id`'s text (or caption) on the clipboard.
fn copy(ui: Ui, id: MessageId) {
    let text = ui
        .messages
        .with_untracked(|list| list.iter().find(|m| m.id == id).map(|m| m.body.clone()));
    let Some(text) = text else {
        return;
    };
    leptos::task::spawn_local(async move {
        if !clipboard::copy(&text).await {
            ui.problem.set(Some(text::COPY_FAILED.to_owned()));
        }
    });
}

/// The quick reactions; ours is marked, and choosing it again takes it back.
fn quick_reactions(message: &ChatMessage, opener: Opener) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let refocus = expect_context::<Refocus>();
    let id = message.id;
    let own = own_reaction(ui, message);
    QUICK_REACTIONS
        .map(|emoji| {
            let chosen = own.as_deref() == Some(emoji);
            let react = move |_| {
                refocus.0.set_value(Some(id));
                opener.close();
                let emoji = if chosen { "" } else { emoji };
                messenger.tell(Command::React {
                    id,
                    emoji: emoji.to_owned(),
                });
            };
            view! {
                <button
                    type="button"
                    role="menuitem"
                    tabindex="-1"
                    class=if chosen { "quick-reaction chosen" } else { "quick-reaction" }
                    aria-label=text::react_with(emoji)
                    on:click=react
                >
                    {emoji}
                </button>
            }
        })
        .collect_view()
}

/// Our own reaction to `message`, if we have one.
fn own_reaction(ui: Ui, message: &ChatMessage) -> Option<String> {
    let me = ui.me.get_untracked()?;
    (message.reactions.iter())
        .find(|r| r.by == me && !r.emoji.is_empty())
        .map(|r| r.emoji.clone())
}
