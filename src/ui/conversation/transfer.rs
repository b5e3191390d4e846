//! A file of ours on its way, in its chat's log until its message is sent: its thumbnail (a
//! photo's) or name, a `progressbar`, and on the one uploading now `Cancel upload` (the
//! others wait their turn, so one such button is on screen at a time).

use leptos::prelude::*;

use crate::command::{Command, Messenger};
use crate::state::{Transfer, Ui};
use crate::text;

/// The open chat's files on their way, oldest first.
#[component]
pub(super) fn Transfers() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let here = move || {
        let chat = ui.current.get();
        ui.transfers.with(|all| {
            all.iter()
                .filter(|t| Some(&t.chat) == chat.as_ref())
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <For each=here key=|transfer| transfer.request let:transfer>
            <TransferRow transfer />
        </For>
    }
}

#[component]
fn TransferRow(transfer: Transfer) -> impl IntoView {
    let messenger = expect_context::<Messenger>();
    let Transfer {
        request,
        name,
        thumbnail,
        percent,
        active,
        ..
    } = transfer;
    let label = text::uploading_file(&name);
    view! {
        <li class="bubble mine transfer">
            {thumbnail.map(|src| view! { <img class="photo" src=src alt="" /> })}
            <p class="body">{name}</p>
            <progress
                max="100"
                value=move || percent.get()
                aria-label=label
            ></progress>
            <p class="meta">
                {move || if active.get() {
                    view! {
                        <button
                            type="button"
                            class="cancel-upload"
                            on:click=move |_| messenger.tell(Command::CancelUpload(request))
                        >
                            {text::CANCEL_UPLOAD}
                        </button>
                    }
                        .into_any()
                } else {
                    view! { <span>{text::WAITING_TO_UPLOAD}</span> }.into_any()
                }}
            </p>
        </li>
    }
}
