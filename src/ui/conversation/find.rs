//! "Search in chat": a bar under the header that finds the open chat's messages by their
//! words, shows the newest match, and steps through the rest with `Next result` (older) and
//! `Previous result` (newer), loading the pages they are on.

use leptos::prelude::*;

use crate::command::{Command, Messenger};
use crate::search::SearchCommand;
use crate::state::Ui;
use crate::text;

/// The header's `Search in chat` button: opens or closes the bar.
#[component]
pub(super) fn FindButton() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let search = ui.search;
    let button = NodeRef::new();
    super::super::focus_back::return_focus(move || search.in_chat.get(), button);
    view! {
        <button
            type="button"
            class="info"
            node_ref=button
            aria-expanded=move || search.in_chat.get().to_string()
            on:click=move |_| match search.in_chat.get_untracked() {
                true => search.close_in_chat(),
                false => search.in_chat.set(true),
            }
        >
            {text::SEARCH_IN_CHAT}
        </button>
    }
}

/// The bar: the field, where the shown match is, and the steps.
#[component]
pub(super) fn FindBar() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let search = ui.search;
    // Another chat has other matches.
    Effect::new(move |_| {
        ui.current.track();
        search.close_in_chat();
    });
    let field = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let (true, Some(field)) = (search.in_chat.get(), field.get()) {
            let _ = field.focus();
        }
    });
    let step = move |by: isize| {
        let matches = search.matches.get_untracked();
        let Some(at) = matches.at else { return };
        let Some(next) = at.checked_add_signed(by).filter(|n| *n < matches.ids.len()) else {
            return;
        };
        search.matches.update(|m| m.at = Some(next));
        if let Some(chat) = ui.current.get_untracked() {
            let id = matches.ids[next];
            let focus = false;
            messenger.tell(Command::Search(SearchCommand::Reveal { chat, id, focus }));
        }
    };
    let typed = move |ev| {
        let text = event_target_value(&ev);
        search.chat_query.set(text.clone());
        messenger.tell(Command::Search(SearchCommand::InChat(text)));
    };
    let keys = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            step(if ev.shift_key() { -1 } else { 1 });
        }
        "Escape" => search.close_in_chat(),
        _ => {}
    };
    let count = move || search.matches.with(|m| m.ids.len());
    let at = move || search.matches.with(|m| m.at);
    view! {
        <Show when=move || search.in_chat.get()>
            <div class="find" role="search" aria-label=text::IN_THIS_CHAT>
                <input
                    type="search"
                    aria-label=text::SEARCH_IN_CHAT
                    placeholder=text::SEARCH_IN_CHAT
                    autocomplete="off"
                    node_ref=field
                    prop:value=move || search.chat_query.get()
                    on:input=typed
                    on:keydown=keys
                />
                <p class="find-status" aria-live="polite">{move || status(search.chat_query.get(), at(), count(), search.matches.with(|m| m.complete))}</p>
                <button
                    type="button"
                    disabled=move || at().is_none_or(|at| at == 0)
                    on:click=move |_| step(-1)
                >
                    {text::PREVIOUS_RESULT}
                </button>
                <button
                    type="button"
                    disabled=move || at().is_none_or(|at| at + 1 >= count())
                    on:click=move |_| step(1)
                >
                    {text::NEXT_RESULT}
                </button>
            </div>
        </Show>
    }
}

/// "2 of 5" ("2 of 5+" when only the newest were read), "No results", or nothing before
/// anything is typed.
fn status(typed: String, at: Option<usize>, count: usize, complete: bool) -> String {
    match (typed.trim().is_empty(), at) {
        (true, _) => String::new(),
        (false, Some(at)) => text::result_of(at + 1, count, complete),
        (false, None) => text::NO_RESULTS.to_owned(),
    }
}
