//! One conversation: the messages (a live log) and the composer. Text is always rendered as
//! text: a message holding HTML shows the HTML.

use hush_client::Status;
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;

use super::time::clock;
use crate::messenger::{Command, Messenger, Ui};

/// What a tick says, to the eye and to screen readers.
fn tick(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Sending => ("🕓", "Sending"),
        Status::Sent => ("✓", "Sent"),
        Status::Delivered => ("✓✓", "Delivered"),
        Status::Read => ("✓✓", "Read"),
        Status::Failed => ("!", "Failed"),
    }
}

#[component]
pub(crate) fn Conversation() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let draft = RwSignal::new(String::new());
    let send = move || {
        let body = draft.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        if let Some(to) = ui.current.get_untracked() {
            messenger.tell(Command::Send { to, body });
            draft.set(String::new());
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        send();
    };
    // Enter sends; Shift+Enter is a new line.
    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    view! {
        <section class="conversation" aria-label="Conversation">
            <Show
                when=move || ui.current.get().is_some()
                fallback=|| view! { <p class="empty">"Choose a chat, or start a new one."</p> }
            >
                <header class="conversation-head">
                    <button
                        type="button"
                        class="back"
                        aria-label="Back to chats"
                        on:click=move |_| messenger.tell(Command::Close)
                    >
                        "‹"
                    </button>
                    <h2>{move || ui.current.get()}</h2>
                </header>
                <ol role="log" aria-label="Messages" class="messages">
                    <For
                        each=move || ui.messages.get()
                        key=|m| (m.id, m.status)
                        let:message
                    >
                        {
                            let (glyph, label) = tick(message.status);
                            let mine = message.from_me;
                            view! {
                                <li class=if mine { "bubble mine" } else { "bubble theirs" }>
                                    <p class="body">{message.body.clone()}</p>
                                    <p class="meta">
                                        <time>{clock(message.sent_ms)}</time>
                                        {mine.then(|| view! {
                                            <span class="tick" data-status=label>
                                                <span aria-hidden="true">{glyph}</span>
                                                <span class="visually-hidden">{label}</span>
                                            </span>
                                        })}
                                    </p>
                                </li>
                            }
                        }
                    </For>
                </ol>
                <form class="composer" on:submit=on_submit>
                    <label for="composer" class="visually-hidden">"Message"</label>
                    <textarea
                        id="composer"
                        rows="1"
                        placeholder="Message"
                        prop:value=draft
                        on:input=move |ev| draft.set(event_target_value(&ev))
                        on:keydown=on_key
                    ></textarea>
                    <button type="submit">"Send"</button>
                </form>
            </Show>
        </section>
    }
}
