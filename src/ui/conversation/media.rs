//! A message's attachment in its bubble: a photo (its thumbnail first, opening the viewer), a
//! video (its first frame and length first) or audio file playing in the page, a voice note in its own player, and for every
//! file `Download <name>`, which saves it as an ordinary download (a `progressbar`
//! `Downloading <name>` shows while it comes). Drawing it asks the runner for its media (kept on this device,
//! or downloaded if the setting says so).

use hush_client::MessageId;
use hush_protocol::attachment::{AttachmentPointer, Dimensions};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use super::media_names::{is_voice_note, shown_name, LogMedia};
use super::viewer::Viewing;
use super::voice::VoiceNote;
use crate::command::{Command, Messenger};
use crate::platform::files;
use crate::state::Ui;
use crate::text;
use crate::ui::time::duration;

/// Message `id`'s attachment; `caption` is the message's text.
#[component]
pub(super) fn Attachment(
    id: MessageId,
    pointer: AttachmentPointer,
    caption: String,
) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    if ui.media_url(id).is_none() {
        messenger.tell(Command::ShowMedia(id));
    }
    // Several files of one name in the log are numbered, so no two controls of one role share
    // a name.
    let named = use_context::<LogMedia>().map(|LogMedia(names)| names);
    let shown = shown_name(&pointer, &caption).to_owned();
    let told = move || match named {
        Some(names) => names.with(|names| names.file_name(&id, &shown)),
        None => shown.clone(),
    };
    let label = {
        let told = told.clone();
        move || text::download_file(&told())
    };
    let arriving = move || text::downloading_file(&told());
    let mime = pointer.mime;
    let shown = if mime.is_image() {
        let alt = if caption.is_empty() {
            text::PHOTO.to_owned()
        } else {
            caption
        };
        let (thumbnail, dimensions) = (pointer.thumbnail, pointer.dimensions);
        view! { <Photo id alt thumbnail dimensions /> }.into_any()
    } else if is_voice_note(&pointer) {
        let duration_ms = pointer.duration_ms.unwrap_or(0);
        let waveform = pointer.waveform;
        view! { <VoiceNote id duration_ms waveform /> }.into_any()
    } else if mime.is_video() {
        let alt = if caption.is_empty() {
            text::VIDEO.to_owned()
        } else {
            caption
        };
        let (thumbnail, dimensions, duration_ms) =
            (pointer.thumbnail, pointer.dimensions, pointer.duration_ms);
        view! { <Video id alt thumbnail dimensions duration_ms /> }.into_any()
    } else if mime.is_audio() {
        view! { <Player id /> }.into_any()
    } else {
        ().into_any()
    };
    // How much of it arrived, while it downloads.
    let progress = move || {
        ui.download_of(id).map(|percent| {
            view! {
                <progress
                    class="download-progress"
                    max="100"
                    value=move || percent.get()
                    aria-label=arriving.clone()
                ></progress>
            }
        })
    };
    view! {
        {shown}
        {progress}
        <button
            type="button"
            class="download"
            on:click=move |_| messenger.tell(Command::Download(id))
        >
            {label}
        </button>
    }
}

/// An audio file, playing in the page with the browser's own controls once it is here.
#[component]
fn Player(id: MessageId) -> impl IntoView {
    let ui = expect_context::<Ui>();
    move || {
        let src = ui.media_url(id)?;
        Some(view! { <audio class="audio" controls preload="metadata" src=src></audio> })
    }
}

/// A video: its first frame (if it came with one) and its length at once, then the video
/// itself, playing in the page with the browser's own controls once it is here. Named by its
/// caption, or "Video".
#[component]
fn Video(
    id: MessageId,
    alt: String,
    thumbnail: Vec<u8>,
    dimensions: Option<Dimensions>,
    duration_ms: Option<u32>,
) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let poster = preview_url(&thumbnail);
    let (width, height) = dimensions.map_or((None, None), |d| (Some(d.width), Some(d.height)));
    let length = duration_ms.map(|ms| duration(u64::from(ms / 1000)));
    let shown = move || {
        match ui.media_url(id) {
        Some(src) => view! {
            <video
                class="video"
                controls
                preload="metadata"
                src=src
                poster=poster.clone()
                width=width
                height=height
                aria-label=alt.clone()
            ></video>
        }
        .into_any(),
        None => poster
            .clone()
            .map(|src| {
                view! { <img class="photo preview" src=src alt=alt.clone() width=width height=height /> }
            })
            .into_any(),
    }
    };
    view! {
        {shown}
        {length.map(|length| view! { <span class="video-time">{length}</span> })}
    }
}

/// A `blob:` URL for a thumbnail that came in its message (freed with the bubble), if any.
fn preview_url(thumbnail: &[u8]) -> Option<String> {
    let url = (!thumbnail.is_empty())
        .then(|| files::object_url("image/jpeg", thumbnail))
        .flatten()?;
    let freed = url.clone();
    on_cleanup(move || files::revoke_url(&freed));
    Some(url)
}

/// A photo in its bubble: its thumbnail at once (if it came with one), the photo itself once
/// kept or downloaded and checked, drawn at its own aspect ratio. Its
/// text alternative is its caption, or "Photo".
#[component]
fn Photo(
    id: MessageId,
    alt: String,
    thumbnail: Vec<u8>,
    dimensions: Option<Dimensions>,
) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let Viewing(viewing) = expect_context::<Viewing>();
    let full = move || ui.media_url(id);
    let preview = preview_url(&thumbnail);
    let (width, height) = dimensions.map_or((None, None), |d| (Some(d.width), Some(d.height)));
    move || {
        let (src, class) = match full() {
            Some(url) => (url, "photo"),
            // Classes, not words: no catalogue entry.
            None => (preview.clone()?, "photo preview"),
        };
        // Opens the viewer by click or, focused, by Enter or Space (an image, not a button:
        // its name is its caption, which several photos may share).
        Some(view! {
            <img
                class=class
                src=src
                alt=alt.clone()
                width=width
                height=height
                tabindex="0"
                on:click=move |_| viewing.set(Some(id))
                on:keydown=move |ev: KeyboardEvent| {
                    if ev.key() == "Enter" || ev.key() == " " {
                        ev.prevent_default();
                        viewing.set(Some(id));
                    }
                }
            />
        })
    }
}
