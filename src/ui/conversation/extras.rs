//! What a bubble shows besides its text: the message it replies to (activating the quote
//! brings the original into view), "Forwarded" (or "Forwarded many times"), "Edited", and the
//! star.

use hush_client::model::{MessageMeta, Quote, FORWARDED_MANY};
use leptos::prelude::*;

use crate::command::{Command, Messenger};
use crate::platform::reveal::reveal_message;
use crate::search::SearchCommand;
use crate::state::Ui;
use crate::text;

/// The key a row carries as `data-message`, for a quote to find it.
pub(super) fn message_key(id: &[u8; 16]) -> String {
    hush_protocol::hex::encode(id)
}

/// "Forwarded", above the text.
#[component]
pub(super) fn Forwarded(forwards: u8) -> impl IntoView {
    (forwards > 0).then(|| {
        let label = match forwards >= FORWARDED_MANY {
            true => text::FORWARDED_MANY_TIMES,
            false => text::FORWARDED,
        };
        view! { <p class="forwarded">{label}</p> }
    })
}

/// The quoted message: who wrote it and its first words; activating it shows the original
/// (read from storage with the stretch around it when it is further back than the log).
#[component]
pub(super) fn QuoteView(quote: Quote) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let mine = ui
        .me
        .get_untracked()
        .is_some_and(|me| me == quote.target.author);
    let author = match mine {
        true => text::YOU.to_owned(),
        false => ui.name_of(&quote.target.author),
    };
    let (id, key) = (quote.target.id, message_key(&quote.target.id));
    let preview = quote.preview.clone();
    let label = text::quote_of(&author, &preview);
    view! {
        <button
            type="button"
            class="quote"
            aria-label=label
            on:click=move |_| {
                match (reveal_message(&key, true), ui.current.get_untracked()) {
                    (true, _) | (false, None) => {}
                    (false, Some(chat)) => {
                        messenger.tell(Command::Search(SearchCommand::Reveal { chat, id, focus: true }));
                    }
                }
            }
        >
            <span class="quote-author" dir="auto">{author}</span>
            <span class="quote-preview" dir="auto">{preview}</span>
        </button>
    }
}

/// "Edited" and the star, beside the time.
#[component]
pub(super) fn Marks(meta: MessageMeta) -> impl IntoView {
    view! {
        {meta.edited_ms.is_some().then(|| view! { <span class="edited">{text::EDITED}</span> })}
        {meta.starred.then(|| view! {
            <span class="star" title=text::STARRED>
                <span aria-hidden="true">"★"</span>
                <span class="visually-hidden">{text::STARRED}</span>
            </span>
        })}
    }
}
