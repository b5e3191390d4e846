//! One message in the log: a notice (a changed security code, a linked device, a group change)
//! or a bubble with its time, and on ours a tick, Retry and Info.

use hush_client::{ChatMessage, Kind, MessageId, Status};
use hush_protocol::attachment::Dimensions;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use super::viewer::Viewing;
use crate::command::{Command, Messenger};
use crate::platform::files;
use crate::state::Ui;
use crate::ui::groups::MessageInfo;
use crate::ui::time::clock;

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

/// The notice a message of another kind than text shows instead of a bubble.
fn notice(ui: Ui, message: &ChatMessage) -> Option<String> {
    match message.kind {
        Kind::Text | Kind::Attachment => None,
        Kind::SecurityCodeChanged => Some(format!(
            "{}'s security code changed. Compare safety numbers to be sure it is still them.",
            message.chat,
        )),
        Kind::DeviceLinked => Some(format!(
            "{} linked a new device.",
            ui.display(&message.chat)
        )),
        Kind::GroupChange | Kind::UpdateNeeded => Some(message.body.clone()),
    }
}

/// A message's row.
#[component]
pub(super) fn MessageRow(message: ChatMessage) -> impl IntoView {
    let ui = expect_context::<Ui>();
    if let Some(text) = notice(ui, &message) {
        return view! { <li class="notice">{text}</li> }.into_any();
    }
    view! { <Bubble message /> }.into_any()
}

/// A text message: who wrote it (in a group), what, when, and how far ours got.
#[component]
fn Bubble(message: ChatMessage) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let status = ui.status_of(&message);
    let mine = message.from_me;
    let author = message
        .group
        .as_ref()
        .filter(|_| !mine)
        .map(|g| ui.name_of(&g.author));
    let info = (mine && message.group.is_some()).then_some(message.id);
    let id = message.id;
    let photo = message
        .attachment
        .as_ref()
        .filter(|pointer| pointer.mime.is_image())
        .map(|pointer| (pointer.thumbnail.clone(), pointer.dimensions));
    // A file: saved on click, as an ordinary download, once checked.
    let file = message
        .attachment
        .as_ref()
        .map(|pointer| match pointer.file_name.as_str() {
            "" => format!("Download {}", message.body),
            name => format!("Download {name}"),
        });
    view! {
        <li class=if mine { "bubble mine" } else { "bubble theirs" }>
            {author.map(|name| view! { <p class="author">{name}</p> })}
            {photo.map(|(thumbnail, dimensions)| view! {
                <Photo id alt=message.body.clone() thumbnail dimensions />
            })}
            <p class="body">{message.body.clone()}</p>
            {file.map(|label| view! {
                <button
                    type="button"
                    class="download"
                    on:click=move |_| messenger.tell(Command::Download(id))
                >
                    {label}
                </button>
            })}
            <p class="meta">
                <time>{clock(message.sent_ms)}</time>
                {mine.then(|| view! { <Tick status /> })}
                {move || (mine && status.get() == Status::Failed).then(|| view! {
                    <button
                        type="button"
                        class="retry"
                        on:click=move |_| messenger.tell(Command::Retry(id))
                    >
                        "Retry"
                    </button>
                })}
                {info.map(|id| view! { <MessageInfo id /> })}
            </p>
        </li>
    }
}

/// A photo in its bubble: its thumbnail at once (if it came with one), the photo itself once
/// downloaded and checked (asked for when first drawn), drawn at its own aspect ratio. Its
/// text alternative is its caption, or "Photo".
#[component]
fn Photo(
    id: MessageId,
    alt: String,
    thumbnail: Vec<u8>,
    dimensions: Option<Dimensions>,
) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let Viewing(viewing) = expect_context::<Viewing>();
    let full = move || {
        ui.photos.with(|photos| {
            photos
                .iter()
                .find(|(m, _)| *m == id)
                .map(|(_, url)| url.clone())
        })
    };
    if full().is_none() {
        messenger.tell(Command::ShowPhoto(id));
    }
    let preview = (!thumbnail.is_empty())
        .then(|| files::object_url("image/jpeg", &thumbnail))
        .flatten();
    if let Some(url) = preview.clone() {
        on_cleanup(move || files::revoke_url(&url));
    }
    let (width, height) = dimensions.map_or((None, None), |d| (Some(d.width), Some(d.height)));
    move || {
        let (src, class) = match full() {
            Some(url) => (url, "photo"),
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

/// Our message's status, redrawn alone when it moves on.
#[component]
fn Tick(status: RwSignal<Status>) -> impl IntoView {
    move || {
        let (glyph, label) = tick(status.get());
        view! {
            <span class="tick" data-status=label>
                <span aria-hidden="true">{glyph}</span>
                <span class="visually-hidden">{label}</span>
            </span>
        }
    }
}
