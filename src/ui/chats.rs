//! The chat list (most recent first) with "New chat", beside the open conversation.

use hush_client::model::ChatState;
use hush_client::{ChatId, ChatSummary, Username};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::avatar::Avatar;
use super::chat_actions::{ChatActions, ChatConfirm};
use super::conversation::press::Opener;
use super::conversation::Conversation;
use super::devices::LinkedDevices;
use super::groups::NewGroup;
use super::settings::Settings;
use super::shell::{Panels, SidebarHead};
use super::shortcuts::KeyboardShortcuts;
use super::starred::Starred;
use super::time::clock;
use crate::command::{Command, Messenger};
use crate::platform::{badge, page};
use crate::state::Ui;
use crate::text;

/// The signed-in screen: the chat list beside the open conversation.
#[component]
pub(crate) fn Chats() -> impl IntoView {
    show_unread(expect_context::<Ui>());
    view! {
        <div class="layout">
            <ChatList />
            <Conversation />
        </div>
    }
}

/// The chat list and what sits above it: the header (Profile, New chat, Menu), the panels
/// they open, and the search field.
#[component]
fn ChatList() -> impl IntoView {
    let ui = expect_context::<Ui>();
    // A link code in the URL (a scanned QR code) opens Linked devices with it.
    let code = page::link_code_in_url();
    let panels = Panels::new(code.is_some());
    // The archived chats are shown instead of the others.
    let archived = RwSignal::new(false);
    let any_archived = move || !listed(ui, true).is_empty();
    super::shortcuts::listen(panels, move || {
        let chats = untrack(|| listed(ui, archived.get()));
        chats.into_iter().map(|(summary, _)| summary.chat).collect()
    });
    view! {
        <nav class="chatlist" aria-label=text::CHATS>
            <SidebarHead panels />
            <Show when=move || panels.adding.get()>
                <NewChat adding=panels.adding />
            </Show>
            <Show when=move || panels.grouping.get()>
                <NewGroup open=panels.grouping />
            </Show>
            <Show when=move || panels.devices.get()>
                <LinkedDevices code=code.clone() />
            </Show>
            <Show when=move || panels.settings.get()>
                <Settings />
            </Show>
            <Show when=move || panels.starred.get()>
                <Starred />
            </Show>
            <Show when=move || panels.shortcuts.get()>
                <KeyboardShortcuts open=panels.shortcuts />
            </Show>
            <super::search::Search />
            <Show when=move || archived.get() || any_archived()>
                <button
                    type="button"
                    class="archived"
                    on:click=move |_| archived.update(|a| *a = !*a)
                >
                    {move || if archived.get() { text::BACK_TO_CHATS } else { text::ARCHIVED }}
                </button>
            </Show>
            <ul class="chats" aria-label=move || archived.get().then_some(text::ARCHIVED_CHATS)>
                <For
                    each=move || listed(ui, archived.get())
                    key=|(c, s)| (c.chat.clone(), c.last.id, c.last.status, c.unread, *s)
                    let:chat
                >
                    <ChatRow chat=chat.0 state=chat.1 />
                </For>
            </ul>
            <ChatConfirm />
            // With no chat open, its problems (a fourth pin) show here.
            <Show when=move || ui.current.get().is_none()>
                <p role="alert" class="problem">{move || ui.problem.get()}</p>
            </Show>
            <p class="storage-note">
                {move || match ui.persisted.get() {
                    Some(false) => text::STORAGE_NOT_PERSISTENT,
                    _ => "",
                }}
            </p>
        </nav>
    }
}

/// The unread messages the chat list counts (archived chats too), in the tab's title and on
/// the app badge.
fn show_unread(ui: Ui) {
    // Every listed chat, archived or not: summed in place, nothing cloned or sorted.
    Effect::new(move |_| {
        let total = ui.chat_states.with(|states| {
            ui.chats.with(|chats| {
                (chats.iter())
                    .filter(|c| state_in(states, &c.chat).is_listed(&c.last))
                    .fold(0u32, |sum, c| sum.saturating_add(c.unread))
            })
        });
        badge::show(total);
    });
}

/// `chat`'s state among `states` (the default where it has none).
fn state_in(states: &[(ChatId, ChatState)], chat: &ChatId) -> ChatState {
    let found = states.iter().find(|(c, _)| c == chat);
    found.map(|(_, s)| *s).unwrap_or_default()
}

/// The chats to list, archived or not, with their states: pinned first, then the most
/// recently active (a deleted chat only once a new message came).
fn listed(ui: Ui, archived: bool) -> Vec<(ChatSummary, ChatState)> {
    let states = ui.chat_states.get();
    let state_of = |chat: &ChatId| state_in(&states, chat);
    let mut chats: Vec<(ChatSummary, ChatState)> = ui.chats.with(|chats| {
        (chats.iter())
            .map(|c| (c.clone(), state_of(&c.chat)))
            .filter(|(c, s)| s.is_listed(&c.last) && s.archived.on == archived)
            .collect()
    });
    // Stable: the pinned keep their order of activity among themselves.
    chats.sort_by_key(|(_, s)| !s.pinned.on);
    chats
}

/// "New chat": a username to start a chat with (`adding` closes it).
#[component]
fn NewChat(adding: RwSignal<bool>) -> impl IntoView {
    let messenger = expect_context::<Messenger>();
    let new_name = RwSignal::new(String::new());
    let start = move |ev: SubmitEvent| {
        ev.prevent_default();
        let name = new_name.get_untracked().trim().to_ascii_lowercase();
        // `required` keeps it from being empty; a name no account can have opens nothing.
        if let Ok(name) = Username::parse(&name) {
            messenger.tell(Command::Open(ChatId::Direct(name)));
            new_name.set(String::new());
            adding.set(false);
        }
    };
    view! {
        <form class="new-chat" on:submit=start>
            <label for="new-chat">{text::USERNAME}</label>
            <input
                id="new-chat"
                autocapitalize="none"
                spellcheck="false"
                required
                prop:value=new_name
                on:input=move |ev| new_name.set(event_target_value(&ev))
            />
            <button type="submit">{text::START_CHAT}</button>
        </form>
    }
}

/// One chat in the list: who, the newest message, when, how many are unread (or a mark if
/// marked unread), pinned or not, and its `Chat actions`.
#[component]
fn ChatRow(chat: ChatSummary, state: ChatState) -> impl IntoView {
    let opener = Opener::new();
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let name = chat.chat.clone();
    let open = {
        let name = name.clone();
        move |_| messenger.tell(Command::Open(name.clone()))
    };
    let current = {
        let name = name.clone();
        move || ui.current.get().as_ref() == Some(&name)
    };
    let shown = {
        let name = name.clone();
        move || ui.display(&name)
    };
    let handle = {
        let name = name.clone();
        // A contact's username beside their chosen name; a group has no handle to show.
        move || {
            let spelled = name.account()?.to_string();
            (ui.display(&name) != spelled).then_some(spelled)
        }
    };
    let initial = Signal::derive({
        let shown = shown.clone();
        move || shown()
    });
    let account = Signal::derive({
        let name = name.clone();
        move || name.account().cloned()
    });
    let marked = state.unread.on && chat.unread == 0;
    view! {
        <li
            class="chat-row"
            on:contextmenu=move |event| opener.context_menu(event)
            on:keydown=move |event| opener.key(event)
        >
            <button
                type="button"
                class="chat"
                data-chat=name.to_string()
                aria-current=move || current().then_some("true")
                on:click=open
            >
                <Avatar account initial />
                <span class="name">
                    <bdi>{shown}</bdi>
                    <span class="handle">{handle}</span>
                    {state.pinned.on.then(|| view! {
                        <span class="pinned" role="img" aria-label=text::PINNED>"📌"</span>
                    })}
                </span>
                <span class="preview" dir="auto">{ui.text_of(&chat.last)}</span>
                <time class="when">{clock(chat.last.sent_ms)}</time>
                {(chat.unread > 0).then(|| view! {
                    <span class="unread" aria-label=text::unread_in_chat(chat.unread)>
                        {chat.unread}
                    </span>
                })}
                {marked.then(|| view! {
                    <span class="unread marked" role="img" aria-label=text::MARKED_UNREAD></span>
                })}
            </button>
            <ChatActions chat=chat.chat.clone() state unread=chat.unread opener />
        </li>
    }
}
