//! "Search messages": a search field always above the chat list that finds chats by name and messages by
//! their words in every chat (the local index, nothing leaves the device); activating a result
//! opens its chat at that message.

use hush_client::search::folded;
use hush_client::{ChatMessage, ChatSummary};
use leptos::prelude::*;

use super::time::clock;
use crate::command::{Command, Messenger};
use crate::search::SearchCommand;
use crate::state::Ui;
use crate::text;

/// The field, always above the chat list (Escape empties it), and what it found.
#[component]
pub(crate) fn Search() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let clear = move || {
        ui.search.query.set(String::new());
        ui.search.results.set(Default::default());
    };
    let typed = move |ev| {
        let text = event_target_value(&ev);
        ui.search.query.set(text.clone());
        messenger.tell(Command::Search(SearchCommand::Everywhere(text)));
    };
    view! {
        <div class="search" role="search" aria-label=text::ALL_CHATS>
            <input
                type="search"
                id="search-messages"
                aria-label=text::SEARCH_MESSAGES
                placeholder=text::SEARCH_MESSAGES
                autocomplete="off"
                dir="auto"
                prop:value=move || ui.search.query.get()
                on:input=typed
                on:keydown=move |ev| if ev.key() == "Escape" { clear() }
            />
            <Show when=move || !ui.search.query.with(|q| q.trim().is_empty())>
                <SearchResults />
            </Show>
        </div>
    }
}

/// The chats whose name matches, then the messages, newest first.
#[component]
fn SearchResults() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let chats = move || {
        let typed = folded(ui.search.query.get().trim());
        let chats = ui.chats.get();
        let named = |c: &ChatSummary| folded(&ui.display(&c.chat)).contains(&typed);
        chats.into_iter().filter(named).take(10).collect::<Vec<_>>()
    };
    // Only the results of what is typed now (an older query's are being replaced).
    let messages = move || {
        let typed = ui.search.query.get();
        ui.search.results.with(|r| match r.query == typed {
            true => r.messages.clone(),
            false => Vec::new(),
        })
    };
    let answered = move || ui.search.results.with(|r| r.query == ui.search.query.get());
    let nothing = move || answered() && chats().is_empty() && messages().is_empty();
    view! {
        <ul class="search-results" aria-label=text::SEARCH_RESULTS>
            <For each=chats key=|c| c.chat.clone() let:chat>
                <ChatResult chat />
            </For>
            <For each=messages key=|m| m.id let:message>
                <MessageResult message />
            </For>
        </ul>
        <p class="settings-note" aria-live="polite">
            {move || match (nothing(), ui.search.results.with(|r| r.complete)) {
                (true, _) => text::NOTHING_FOUND,
                (false, false) => text::MORE_RESULTS_HINT,
                (false, true) => "",
            }}
        </p>
    }
}

/// A chat whose name matches: activating it opens the chat.
#[component]
fn ChatResult(chat: ChatSummary) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let name = ui.display(&chat.chat);
    let target = chat.chat.clone();
    view! {
        <li>
            <button
                type="button"
                class="starred-message"
                on:click=move |_| messenger.tell(Command::Open(target.clone()))
            >
                <span class="starred-chat">{name}</span>
                <span class="starred-body">{text::CHAT}</span>
            </button>
        </li>
    }
}

/// A message found: its chat, its text and time; activating it opens the chat at it.
#[component]
fn MessageResult(message: ChatMessage) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let (chat, id) = (message.chat.clone(), message.id);
    let name = ui.display(&chat);
    let show = move |_| {
        let (chat, id, focus) = (chat.clone(), id, true);
        messenger.tell(Command::Search(SearchCommand::Reveal { chat, id, focus }));
    };
    // A file found by its name alone shows the name.
    let text = match (message.body.is_empty(), &message.attachment) {
        (true, Some(attachment)) => attachment.file_name.clone(),
        _ => ui.text_of(&message),
    };
    view! {
        <li>
            <button type="button" class="starred-message" on:click=show>
                <span class="starred-chat">{name}</span>
                <span class="starred-body">{text}</span>
                <time>{clock(message.sent_ms)}</time>
            </button>
        </li>
    }
}
