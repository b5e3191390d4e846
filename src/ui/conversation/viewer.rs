//! The photo viewer: a photo of the open chat, large, in a modal `dialog` named `Photo viewer`;
//! the arrow keys (or `Previous`/`Next`) go through the chat's photos, Escape (or `Close`)
//! closes it, `Download` saves the photo.

use hush_client::{ChatMessage, MessageId};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::command::{Command, Messenger};
use crate::platform::files;
use crate::state::Ui;
use crate::text;

/// The photo the viewer shows (None: closed). The conversation provides it; a photo in the
/// log opens it.
#[derive(Clone, Copy)]
pub(super) struct Viewing(pub(super) RwSignal<Option<MessageId>>);

/// A photo of the chat: its message, its text alternative, its name as a download.
#[derive(Clone)]
struct Shown {
    id: MessageId,
    alt: String,
    file_name: String,
}

/// The open chat's photos on screen, oldest first.
fn photos(messages: &[ChatMessage]) -> Vec<Shown> {
    messages
        .iter()
        .filter_map(|m| {
            let pointer = m.attachment.as_ref().filter(|p| p.mime.is_image())?;
            Some(Shown {
                id: m.id,
                alt: if m.body.is_empty() {
                    text::PHOTO.to_owned()
                } else {
                    m.body.clone()
                },
                file_name: match pointer.file_name.as_str() {
                    "" => "photo.jpg".to_owned(),
                    name => name.to_owned(),
                },
            })
        })
        .collect()
}

#[component]
pub(super) fn Viewer() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let Viewing(viewing) = expect_context::<Viewing>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    // Where the shown photo is among the chat's, and the chat's photos.
    let place = move || {
        // Opened from "Media, links and docs": the chat's photos found there (oldest first),
        // else those of the log.
        let id = viewing.get();
        let in_gallery = ui.gallery.with(|g| g.iter().any(|m| Some(m.id) == id));
        let all = if in_gallery {
            ui.gallery.with(|g| {
                let mut found = photos(g);
                found.reverse();
                found
            })
        } else {
            ui.messages.with(|m| photos(m))
        };
        let at = viewing
            .get()
            .and_then(|id| all.iter().position(|p| p.id == id));
        (at, all)
    };
    let step = move |by: isize| {
        let (Some(at), all) = place() else {
            return;
        };
        let Some(next) = at.checked_add_signed(by).and_then(|n| all.get(n)) else {
            return;
        };
        if ui.media_url(next.id).is_none() {
            messenger.tell(Command::ShowMedia(next.id));
        }
        viewing.set(Some(next.id));
    };
    open_as_modal(viewing, dialog);
    let shown = move || {
        let (at, all) = place();
        at.and_then(|at| all.get(at).cloned())
    };
    let on_key = move |ev: KeyboardEvent| match ev.key().as_str() {
        "ArrowLeft" => step(-1),
        "ArrowRight" => step(1),
        _ => {}
    };
    let download = move |_| {
        if let Some(photo) = shown() {
            if let Some(url) = ui.media_url(photo.id) {
                files::save_url(&url, &photo.file_name);
            }
        }
    };
    let at_start = move || place().0.is_none_or(|at| at == 0);
    let at_end = move || {
        let (at, all) = place();
        at.is_none_or(|at| at + 1 >= all.len())
    };
    view! {
        <dialog
            class="viewer"
            aria-label=text::PHOTO_VIEWER
            node_ref=dialog
            on:close=move |_| viewing.set(None)
            on:keydown=on_key
        >
            {move || shown().map(|photo| {
                let src = ui.media_url(photo.id);
                view! {
                    <figure>
                        {src.map(|src| view! { <img src=src alt=photo.alt.clone() /> })}
                        <figcaption>{(photo.alt != text::PHOTO).then(|| photo.alt.clone())}</figcaption>
                    </figure>
                }
            })}
            <div class="viewer-bar">
                <button type="button" prop:disabled=at_start on:click=move |_| step(-1)>{text::PREVIOUS}</button>
                <button type="button" prop:disabled=at_end on:click=move |_| step(1)>{text::NEXT}</button>
                <button type="button" on:click=download>{text::DOWNLOAD}</button>
                <button type="button" on:click=move |_| viewing.set(None)>{text::CLOSE}</button>
            </div>
        </dialog>
    }
}

/// Shows the dialog as a modal (the page behind inert, Escape closes it) while a photo is
/// viewed, and closes it when none is.
pub(super) fn open_as_modal(
    viewing: RwSignal<Option<MessageId>>,
    dialog: NodeRef<leptos::html::Dialog>,
) {
    Effect::new(move |_| {
        let open = viewing.get().is_some();
        let Some(dialog) = dialog.get() else {
            return;
        };
        if open && !dialog.open() {
            let _ = dialog.show_modal();
        } else if !open && dialog.open() {
            dialog.close();
        }
    });
}
