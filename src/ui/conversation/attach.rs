//! Sending files: `Attach` opens the browser's file picker (the file input `Files to send`);
//! the files picked wait in the dialog `Send files`, with a `Caption`, until sent or dropped.

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::command::{Command, Messenger};
use crate::platform::files::{self, PickedFile};
use crate::state::Ui;

/// The file input's element id (the glue opens and reads it).
const INPUT_ID: &str = "files-to-send";

/// The `Attach` button, its file input, and the `Send files` dialog while files are picked.
#[component]
pub(super) fn Attach() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    // The files themselves stay out of the reactive graph: only their names are shown.
    let picked = StoredValue::new(Vec::<PickedFile>::new());
    let names = RwSignal::new(Vec::<String>::new());
    let caption = RwSignal::new(String::new());
    let on_change = move |_| {
        spawn_local(async move {
            let files = files::read(INPUT_ID).await;
            names.set(files.iter().map(|f| f.name.clone()).collect());
            picked.set_value(files);
        });
    };
    let drop_picked = move || {
        picked.set_value(Vec::new());
        names.set(Vec::new());
        caption.set(String::new());
    };
    let on_send = move |ev: SubmitEvent| {
        ev.prevent_default();
        let files = picked.try_update_value(std::mem::take).unwrap_or_default();
        let caption_text = caption.get_untracked();
        drop_picked();
        if let Some(to) = ui.current.get_untracked().filter(|_| !files.is_empty()) {
            messenger.tell(Command::SendFiles {
                to,
                files,
                caption: caption_text,
            });
        }
    };
    view! {
        // A label opens its file input's picker by itself when clicked (no script, so the
        // browser sees the user's own click); from the keyboard it asks the glue to.
        <label
            for=INPUT_ID
            class="attach"
            role="button"
            tabindex="0"
            on:keydown=move |ev: KeyboardEvent| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    files::choose(INPUT_ID);
                }
            }
        >
            "Attach"
        </label>
        <input
            type="file"
            id=INPUT_ID
            multiple
            aria-label="Files to send"
            class="visually-hidden"
            on:change=on_change
        />
        <Show when=move || !names.get().is_empty()>
            <section class="send-files" role="dialog" aria-labelledby="send-files-title">
                <h2 id="send-files-title">"Send files"</h2>
                <ul class="picked">
                    {move || names.get().into_iter().map(|name| view! { <li>{name}</li> }).collect_view()}
                </ul>
                <form on:submit=on_send>
                    <label for="caption">"Caption"</label>
                    <textarea
                        id="caption"
                        rows="2"
                        prop:value=caption
                        on:input=move |ev| caption.set(event_target_value(&ev))
                    ></textarea>
                    <button type="submit">"Send files"</button>
                    <button type="button" on:click=move |_| drop_picked()>"Cancel"</button>
                </form>
            </section>
        </Show>
    }
}
