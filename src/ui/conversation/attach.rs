//! Sending files: `Attach` opens the browser's file picker (the file input `Files to send`);
//! the files picked wait in the dialog `Send files`, with a `Caption`, until sent or dropped.

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;

use hush_protocol::attachment::Mime;

use crate::command::{Command, Messenger};
use crate::platform::files::{self, PickedFile};
use crate::platform::video;
use crate::state::Ui;
use crate::text;

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
    // Photos go scaled and without their metadata unless the user sends them as files.
    let has_photo = RwSignal::new(false);
    let as_files = RwSignal::new(false);
    let on_change = move |_| {
        spawn_local(async move {
            let files = files::read(INPUT_ID).await;
            names.set(files.iter().map(|f| f.name.clone()).collect());
            has_photo.set(files.iter().any(is_photo));
            picked.set_value(files);
        });
    };
    let drop_picked = move || {
        picked.set_value(Vec::new());
        names.set(Vec::new());
        caption.set(String::new());
        as_files.set(false);
    };
    let on_send = move |ev: SubmitEvent| {
        ev.prevent_default();
        let files = picked.try_update_value(std::mem::take).unwrap_or_default();
        let caption_text = caption.get_untracked();
        let keep_as_files = as_files.get_untracked();
        drop_picked();
        let Some(to) = ui.current.get_untracked().filter(|_| !files.is_empty()) else {
            return;
        };
        spawn_local(async move {
            let files = made_ready(files, keep_as_files).await;
            messenger.tell(Command::SendFiles {
                to,
                files,
                caption: caption_text,
            });
        });
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
            {text::ATTACH}
        </label>
        <input
            type="file"
            id=INPUT_ID
            multiple
            aria-label=text::FILES_TO_SEND
            class="visually-hidden"
            on:change=on_change
        />
        <Show when=move || !names.get().is_empty()>
            <section class="send-files" role="dialog" aria-labelledby="send-files-title">
                <h2 id="send-files-title">{text::SEND_FILES}</h2>
                <ul class="picked">
                    {move || names.get().into_iter().map(|name| view! { <li>{name}</li> }).collect_view()}
                </ul>
                <form on:submit=on_send>
                    <label for="caption">{text::CAPTION}</label>
                    <textarea
                        id="caption"
                        rows="2"
                        dir="auto"
                        prop:value=caption
                        on:input=move |ev| caption.set(event_target_value(&ev))
                    ></textarea>
                    <Show when=move || has_photo.get()>
                        <label class="as-files">
                            <input
                                type="checkbox"
                                prop:checked=as_files
                                on:change=move |ev| as_files.set(event_target_checked(&ev))
                            />
                            {text::SEND_PHOTOS_AS_FILES}
                        </label>
                    </Show>
                    <button type="submit">{text::SEND_FILES}</button>
                    <button type="button" on:click=move |_| drop_picked()>{text::CANCEL}</button>
                </form>
            </section>
        </Show>
    }
}

/// A picture sent as a photo (an animated GIF stays as it is).
fn is_photo(file: &PickedFile) -> bool {
    let mime = Mime::parse(&file.mime);
    mime.is_image() && mime != Mime::Gif
}

/// `files` made ready to send: each photo as one ([`files::as_photo`]) unless they go as
/// files, each video with its thumbnail ([`video::with_poster`]).
async fn made_ready(files: Vec<PickedFile>, keep_as_files: bool) -> Vec<PickedFile> {
    let mut ready = Vec::with_capacity(files.len());
    for file in files {
        ready.push(if is_photo(&file) && !keep_as_files {
            files::as_photo(file).await
        } else if Mime::parse(&file.mime).is_video() {
            video::with_poster(file).await
        } else {
            file
        });
    }
    ready
}
