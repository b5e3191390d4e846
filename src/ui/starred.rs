//! "Starred messages": every message starred on this account (stars are synced to our other
//! devices), each opening its chat.

use hush_client::ChatMessage;
use leptos::prelude::*;

use super::time::clock;
use crate::command::{Command, Messenger};
use crate::state::Ui;
use crate::text;

/// The starred messages panel (non-modal, beside the chat list, like Settings); read when it
/// opens.
#[component]
pub(crate) fn Starred() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    messenger.tell(Command::LoadStarred);
    view! {
        <section class="devices starred" role="dialog" aria-labelledby="starred-title">
            <h3 id="starred-title">{text::STARRED_MESSAGES}</h3>
            <Show
                when=move || !ui.starred.with(Vec::is_empty)
                fallback=|| view! { <p class="settings-note">{text::NO_STARRED_MESSAGES_YET}</p> }
            >
                <ul class="starred-list" aria-label=text::STARRED>
                    <For each=move || ui.starred.get() key=|m| m.id let:message>
                        <StarredRow message />
                    </For>
                </ul>
            </Show>
        </section>
    }
}

/// One starred message: its chat, its text and time; activating it opens the chat.
#[component]
fn StarredRow(message: ChatMessage) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let chat = message.chat.clone();
    let name = ui.display(&chat);
    view! {
        <li>
            <button
                type="button"
                class="starred-message"
                on:click=move |_| messenger.tell(Command::Open(chat.clone()))
            >
                <span class="starred-chat">{name}</span>
                <span class="starred-body">{ui.text_of(&message)}</span>
                <time>{clock(message.sent_ms)}</time>
            </button>
        </li>
    }
}
