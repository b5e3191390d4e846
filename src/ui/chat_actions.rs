//! A chat's `Chat actions` button in the chat list and its `menu` (also opened by right-click
//! on the row): pin, archive, mark unread or read, clear and delete, each offered as the chat's
//! state allows. Clearing and deleting ask first, in a dialog whose confirming button has the
//! item's name. The menu is a popover, as a message's is: the browser closes it (Escape, a
//! click outside) and gives focus back to the button; arrow keys move through the items.

use hush_client::model::ChatState;
use hush_client::{ChatAction, ChatId};
use leptos::prelude::*;

use super::conversation::menu_keys;
use super::conversation::press::Opener;
use crate::command::{Command, Messenger};
use crate::state::Ui;
use crate::text;

/// One item of a chat's menu.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ChatItem {
    Pin,
    Unpin,
    Archive,
    Unarchive,
    MarkUnread,
    MarkRead,
    Clear,
    Delete,
}

impl ChatItem {
    /// The menu item's accessible name (and text).
    fn label(self) -> &'static str {
        match self {
            Self::Pin => text::PIN_CHAT,
            Self::Unpin => text::UNPIN_CHAT,
            Self::Archive => text::ARCHIVE_CHAT,
            Self::Unarchive => text::UNARCHIVE_CHAT,
            Self::MarkUnread => text::MARK_AS_UNREAD,
            Self::MarkRead => text::MARK_AS_READ,
            Self::Clear => text::CLEAR_CHAT,
            Self::Delete => text::DELETE_CHAT,
        }
    }

    /// What a chat in `state` with `unread` unread messages offers, in order (an archived
    /// chat is not pinned: archiving unpins, and it is not offered there).
    fn offered(state: &ChatState, unread: u32) -> Vec<Self> {
        let mut items = Vec::with_capacity(5);
        match (state.archived.on, state.pinned.on) {
            (true, _) => {}
            (false, true) => items.push(Self::Unpin),
            (false, false) => items.push(Self::Pin),
        }
        items.push(match state.archived.on {
            true => Self::Unarchive,
            false => Self::Archive,
        });
        items.push(match state.unread.on || unread > 0 {
            true => Self::MarkRead,
            false => Self::MarkUnread,
        });
        items.extend([Self::Clear, Self::Delete]);
        items
    }
}

/// An element id for chat `chat`'s menu.
fn menu_id(chat: &ChatId) -> String {
    format!("chat-menu-{}", chat.to_string().replace('#', "g"))
}

/// The `Chat actions` button and its menu; `opener` is the row's, so right-click opens it too.
#[component]
pub(super) fn ChatActions(
    chat: ChatId,
    state: ChatState,
    unread: u32,
    opener: Opener,
) -> impl IntoView {
    let id = menu_id(&chat);
    let items = ChatItem::offered(&state, unread)
        .into_iter()
        .map(|item| chat_item(item, chat.clone(), opener))
        .collect_view();
    let menu = opener.menu;
    view! {
        <button
            type="button"
            class="chat-actions"
            aria-label=text::CHAT_ACTIONS
            aria-haspopup="menu"
            popovertarget=id.clone()
            node_ref=opener.button
        >
            <span aria-hidden="true">"⋯"</span>
        </button>
        <div
            popover="auto"
            id=id
            role="menu"
            aria-label=text::CHAT_ACTIONS
            class="menu"
            node_ref=menu
            on:keydown=move |event| menu_keys::keydown(menu, &event)
            on:toggle=move |_| menu_keys::opened(menu)
        >
            {items}
        </div>
    }
}

/// The menu item of `item` for `chat`.
fn chat_item(item: ChatItem, chat: ChatId, opener: Opener) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let run = move |_| {
        opener.close();
        let chat = chat.clone();
        let action = match item {
            ChatItem::Pin => ChatAction::Pin(true),
            ChatItem::Unpin => ChatAction::Pin(false),
            ChatItem::Archive => ChatAction::Archive(true),
            ChatItem::Unarchive => ChatAction::Archive(false),
            ChatItem::MarkUnread => ChatAction::MarkUnread(true),
            ChatItem::MarkRead => {
                // Opening the chat reads it (and takes a mark away).
                messenger.tell(Command::Open(chat));
                return;
            }
            ChatItem::Clear | ChatItem::Delete => {
                ui.chat_confirm.set(Some((chat, item == ChatItem::Delete)));
                return;
            }
        };
        messenger.tell(Command::ChatAction { chat, action });
    };
    view! {
        <button type="button" role="menuitem" tabindex="-1" on:click=run>
            {item.label()}
        </button>
    }
}

/// Asks before a chat is cleared or deleted ([`Ui::chat_confirm`]): a modal dialog whose
/// confirming button is named as the menu item was.
#[component]
pub(super) fn ChatConfirm() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        let open = ui.chat_confirm.with(Option::is_some);
        let Some(dialog) = dialog.get() else {
            return;
        };
        if open && !dialog.open() {
            let _ = dialog.show_modal();
        } else if !open && dialog.open() {
            dialog.close();
        }
    });
    let deleting = move || {
        ui.chat_confirm
            .with(|c| c.as_ref().is_some_and(|(_, d)| *d))
    };
    let confirm = move |_| {
        if let Some((chat, delete)) = ui.chat_confirm.get_untracked() {
            let action = if delete {
                ChatAction::Delete
            } else {
                ChatAction::Clear
            };
            messenger.tell(Command::ChatAction { chat, action });
        }
        ui.chat_confirm.set(None);
    };
    view! {
        <dialog
            class="confirm"
            aria-labelledby="chat-confirm-title"
            node_ref=dialog
            on:close=move |_| ui.chat_confirm.set(None)
        >
            <h2 id="chat-confirm-title">
                {move || if deleting() { text::DELETE_THIS_CHAT } else { text::CLEAR_THIS_CHAT }}
            </h2>
            <p>
                {move || if deleting() {
                    text::DELETE_CHAT_EXPLAINED
                } else {
                    text::CLEAR_CHAT_EXPLAINED
                }}
            </p>
            <div class="dialog-actions">
                <button type="button" on:click=move |_| ui.chat_confirm.set(None)>{text::CANCEL}</button>
                <button type="button" class="danger" on:click=confirm>
                    {move || if deleting() { text::DELETE_CHAT } else { text::CLEAR_CHAT }}
                </button>
            </div>
        </dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hush_client::model::Flag;

    fn labels(state: &ChatState, unread: u32) -> Vec<&'static str> {
        let offered = ChatItem::offered(state, unread);
        offered.into_iter().map(ChatItem::label).collect()
    }

    #[test]
    fn the_menu_follows_the_chat_state() {
        let fresh = ChatState::default();
        assert_eq!(
            labels(&fresh, 0),
            [
                "Pin chat",
                "Archive chat",
                "Mark as unread",
                "Clear chat",
                "Delete chat"
            ]
        );
        let on = Flag {
            on: true,
            set_ms: 1,
        };
        let pinned = ChatState {
            pinned: on,
            unread: on,
            ..ChatState::default()
        };
        assert_eq!(
            labels(&pinned, 0)[..3],
            ["Unpin chat", "Archive chat", "Mark as read"]
        );
        let archived = ChatState {
            archived: on,
            ..ChatState::default()
        };
        assert_eq!(
            labels(&archived, 2),
            [
                "Unarchive chat",
                "Mark as read",
                "Clear chat",
                "Delete chat"
            ]
        );
    }
}
