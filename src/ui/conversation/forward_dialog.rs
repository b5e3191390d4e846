//! `Forward to`: a checkbox per chat (at most five chosen) and `Forward`, which sends the
//! message to each chosen chat again, encrypted for each, marked forwarded.

use hush_client::ChatId;
use leptos::prelude::*;

use super::viewer::open_as_modal;
use crate::command::{Command, MessageCommand, Messenger};
use crate::state::Ui;
use crate::text;

/// The most chats one forward goes to (the engine's own limit).
const MAX_CHATS: usize = 5;

/// Open while [`Ui::forwarding`] names a message.
#[component]
pub(super) fn ForwardDialog() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let chosen = RwSignal::new(Vec::<ChatId>::new());
    open_as_modal(ui.forwarding, dialog);
    Effect::new(move |_| {
        if ui.forwarding.get().is_none() {
            chosen.set(Vec::new());
        }
    });
    let forward = move |_| {
        let chats = chosen.get_untracked();
        if let (Some(id), false) = (ui.forwarding.get_untracked(), chats.is_empty()) {
            messenger.tell(Command::Message(MessageCommand::Forward { id, chats }));
        }
        ui.forwarding.set(None);
    };
    let chats = move || {
        ui.chats
            .get()
            .into_iter()
            .map(|summary| summary.chat)
            .collect::<Vec<_>>()
    };
    view! {
        <dialog
            class="forward"
            aria-labelledby="forward-title"
            node_ref=dialog
            on:close=move |_| ui.forwarding.set(None)
        >
            <h2 id="forward-title">{text::FORWARD_TO}</h2>
            <ul class="forward-chats">
                <For each=chats key=|chat| chat.to_string() let:chat>
                    <ChatChoice chat chosen />
                </For>
            </ul>
            <div class="dialog-actions">
                <button type="button" on:click=move |_| ui.forwarding.set(None)>{text::CANCEL}</button>
                <button
                    type="button"
                    prop:disabled=move || chosen.with(Vec::is_empty)
                    on:click=forward
                >
                    {text::FORWARD}
                </button>
            </div>
        </dialog>
    }
}

/// One chat to tick; no more can be ticked once five are.
#[component]
fn ChatChoice(chat: ChatId, chosen: RwSignal<Vec<ChatId>>) -> impl IntoView {
    let ui = expect_context::<Ui>();
    // Two contacts may choose the same display name: their usernames tell them apart.
    let name = match &chat {
        ChatId::Direct(account) if ui.display(&chat) != account.as_str() => {
            format!("{} ({account})", ui.display(&chat))
        }
        _ => ui.display(&chat),
    };
    let this = chat.clone();
    let ticked = move || chosen.with(|list| list.contains(&this));
    let this = chat.clone();
    let full = move || chosen.with(|list| list.len() >= MAX_CHATS && !list.contains(&this));
    let toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        chosen.update(|list| {
            list.retain(|c| *c != chat);
            if on {
                list.push(chat.clone());
            }
        });
    };
    view! {
        <li>
            <label>
                <input type="checkbox" prop:checked=ticked prop:disabled=full on:change=toggle />
                {name}
            </label>
        </li>
    }
}
