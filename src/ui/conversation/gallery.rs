//! "Media, links and docs" in Contact info and Group info: the chat's photos and videos as a
//! grid (a photo opens the viewer) and its other files as a list, newest first. Links come
//! with the messages that carry them (the rich-messaging issue).

use hush_client::ChatMessage;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use super::viewer::Viewing;
use crate::command::{Command, Messenger};
use crate::platform::files;
use crate::size::readable;
use crate::state::Ui;
use crate::text;

/// The section, asking for the chat's files when drawn.
#[component]
pub(super) fn Gallery() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    messenger.tell(Command::LoadGallery);
    let visual = move || {
        ui.gallery.with(|all| {
            all.iter()
                .filter(|m| is_visual(m))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let docs = move || {
        ui.gallery.with(|all| {
            all.iter()
                .filter(|m| !is_visual(m))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="gallery" aria-labelledby="gallery-title">
            <h4 id="gallery-title">{text::MEDIA_LINKS_AND_DOCS}</h4>
            <Show
                when=move || !ui.gallery.with(Vec::is_empty)
                fallback=|| view! { <p class="settings-note">{text::NO_MEDIA_YET}</p> }
            >
                <ul class="gallery-grid" aria-label=text::MEDIA>
                    <For each=visual key=|m| m.id let:message>
                        <Tile message />
                    </For>
                </ul>
                <ul class="gallery-docs" aria-label=text::DOCS>
                    <For each=docs key=|m| m.id let:message>
                        <li>{doc_line(&message)}</li>
                    </For>
                </ul>
            </Show>
        </section>
    }
}

fn is_visual(message: &ChatMessage) -> bool {
    message
        .attachment
        .as_ref()
        .is_some_and(|p| p.mime.is_image() || p.mime.is_video())
}

/// "report.pdf, 1.2 MB".
fn doc_line(message: &ChatMessage) -> String {
    let Some(pointer) = message.attachment.as_ref() else {
        return String::new();
    };
    let name = match pointer.file_name.as_str() {
        "" => text::UNNAMED_FILE,
        name => name,
    };
    format!("{name}, {}", readable(pointer.ciphertext_len))
}

/// A photo or video as a thumbnail; a photo opens the viewer.
#[component]
fn Tile(message: ChatMessage) -> impl IntoView {
    let Viewing(viewing) = expect_context::<Viewing>();
    let Some(pointer) = message.attachment else {
        return ().into_any();
    };
    let alt = match (message.body.is_empty(), pointer.mime.is_video()) {
        (false, _) => message.body.clone(),
        (true, true) => text::VIDEO.to_owned(),
        (true, false) => text::PHOTO.to_owned(),
    };
    let url = (!pointer.thumbnail.is_empty())
        .then(|| files::object_url("image/jpeg", &pointer.thumbnail))
        .flatten();
    if let Some(url) = url.clone() {
        on_cleanup(move || files::revoke_url(&url));
    }
    let id = message.id;
    let photo = pointer.mime.is_image();
    let open = move || {
        if photo {
            viewing.set(Some(id));
        }
    };
    let tile = match url {
        Some(src) => view! { <img src=src alt=alt /> }.into_any(),
        None => view! { <span class="tile-name">{alt}</span> }.into_any(),
    };
    view! {
        <li
            class="tile"
            tabindex=photo.then_some("0")
            on:click=move |_| open()
            on:keydown=move |ev: KeyboardEvent| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    open();
                }
            }
        >
            {tile}
        </li>
    }
    .into_any()
}
