//! The chat list (most recent first) with "New chat", beside the open conversation.

use hush_client::model::ChatState;
use hush_client::{ChatId, ChatSummary, Username};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::chat_actions::{ChatActions, ChatConfirm};
use super::conversation::press::Opener;
use super::conversation::Conversation;
use super::devices::LinkedDevices;
use super::groups::NewGroup;
use super::settings::Settings;
use super::starred::Starred;
use super::time::clock;
use crate::command::{Command, Messenger};
use crate::platform::page;
use crate::platform::push::{self, Notifications};
use crate::state::Ui;

/// The signed-in screen: the chat list beside the open conversation.
#[component]
pub(crate) fn Chats() -> impl IntoView {
    view! {
        <div class="layout">
            <ChatList />
            <Conversation />
        </div>
    }
}

/// The chat list and what sits above it: New chat, New group, notifications, linked devices,
/// settings.
#[component]
fn ChatList() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let adding = RwSignal::new(false);
    let grouping = RwSignal::new(false);
    // A link code in the URL (a scanned QR code) opens Linked devices with it.
    let code = page::link_code_in_url();
    let devices = RwSignal::new(code.is_some());
    let settings = RwSignal::new(false);
    let starred = RwSignal::new(false);
    // The archived chats are shown instead of the others.
    let archived = RwSignal::new(false);
    let any_archived = move || !listed(ui, true).is_empty();
    view! {
        <nav class="chatlist" aria-label="Chats">
            <div class="chatlist-head">
                <p class="me">{move || ui.me.get().map(|me| me.to_string())}</p>
                <button type="button" on:click=move |_| adding.set(true)>"New chat"</button>
                <button type="button" on:click=move |_| grouping.update(|o| *o = !*o)>
                    "New group"
                </button>
            </div>
            <Show when=move || grouping.get()>
                <NewGroup open=grouping />
            </Show>
            <NotificationSetting />
            <button
                type="button"
                class="notify"
                aria-expanded=move || devices.get().to_string()
                on:click=move |_| devices.update(|open| *open = !*open)
            >
                "Linked devices"
            </button>
            <button
                type="button"
                class="notify"
                aria-expanded=move || settings.get().to_string()
                on:click=move |_| settings.update(|open| *open = !*open)
            >
                "Settings"
            </button>
            <button
                type="button"
                class="notify"
                aria-expanded=move || starred.get().to_string()
                on:click=move |_| starred.update(|open| *open = !*open)
            >
                "Starred messages"
            </button>
            <super::search::Search />
            <Show when=move || devices.get()>
                <LinkedDevices code=code.clone() />
            </Show>
            <Show when=move || settings.get()>
                <Settings />
            </Show>
            <Show when=move || starred.get()>
                <Starred />
            </Show>
            <Show when=move || adding.get()>
                <NewChat adding />
            </Show>
            <Show when=move || archived.get() || any_archived()>
                <button
                    type="button"
                    class="archived"
                    on:click=move |_| archived.update(|a| *a = !*a)
                >
                    {move || if archived.get() { "Back to chats" } else { "Archived" }}
                </button>
            </Show>
            <ul class="chats" aria-label=move || archived.get().then_some("Archived chats")>
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
                    Some(false) => "This browser may clear Hush's data when space runs low. Installing Hush or allowing storage keeps it.",
                    _ => "",
                }}
            </p>
        </nav>
    }
}

/// The chats to list, archived or not, with their states: pinned first, then the most
/// recently active (a deleted chat only once a new message came).
fn listed(ui: Ui, archived: bool) -> Vec<(ChatSummary, ChatState)> {
    let states = ui.chat_states.get();
    let state_of = |chat: &ChatId| {
        let found = states.iter().find(|(c, _)| c == chat);
        found.map(|(_, s)| *s).unwrap_or_default()
    };
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
            <label for="new-chat">"Username"</label>
            <input
                id="new-chat"
                autocapitalize="none"
                spellcheck="false"
                required
                prop:value=new_name
                on:input=move |ev| new_name.set(event_target_value(&ev))
            />
            <button type="submit">"Start chat"</button>
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
        move || {
            let spelled = name.to_string();
            (ui.display(&name) != spelled).then_some(spelled)
        }
    };
    let initial = {
        let shown = shown.clone();
        // Capitalised by the stylesheet: no case tables in the app.
        move || shown().chars().next().unwrap_or('?').to_string()
    };
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
                <span class="avatar" aria-hidden="true">{initial}</span>
                <span class="name">
                    {shown}
                    <span class="handle">{handle}</span>
                    {state.pinned.on.then(|| view! {
                        <span class="pinned" role="img" aria-label="Pinned">"📌"</span>
                    })}
                </span>
                <span class="preview">{chat.last.body.clone()}</span>
                <time class="when">{clock(chat.last.sent_ms)}</time>
                {(chat.unread > 0).then(|| view! {
                    <span class="unread" aria-label=format!("{} unread", chat.unread)>
                        {chat.unread}
                    </span>
                })}
                {marked.then(|| view! {
                    <span class="unread marked" role="img" aria-label="Marked unread"></span>
                })}
            </button>
            <ChatActions chat=chat.chat.clone() state unread=chat.unread opener />
        </li>
    }
}

/// Notifications on this device: on or off, or why they cannot be.
#[component]
fn NotificationSetting() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    // From the click: browsers ask for permission only while a user gesture is fresh.
    let toggle = move |_| {
        let on = ui.notifications.get_untracked() == Notifications::On;
        leptos::task::spawn_local(async move {
            if on {
                push::disable().await;
                ui.notifications.set(Notifications::Off);
                messenger.tell(Command::Push(None));
            } else {
                match push::enable().await {
                    Ok(subscription) => {
                        ui.notifications.set(Notifications::On);
                        messenger.tell(Command::Push(Some(subscription)));
                    }
                    Err(why) => ui.notifications.set(Notifications::Unavailable(why)),
                }
            }
        });
    };
    move || match ui.notifications.get() {
        Notifications::Unavailable(why) => view! { <p class="note">{why}</p> }.into_any(),
        state => {
            let on = state == Notifications::On;
            view! {
                <button type="button" class="notify" aria-pressed=on.to_string() on:click=toggle>
                    "Notifications"
                </button>
            }
            .into_any()
        }
    }
}
