//! Storage: what downloads by itself on this device, and what it keeps, in all ("Clear media")
//! and per chat.

use leptos::prelude::*;

use crate::choices::AutoDownload;
use crate::command::{Command, Messenger};
use crate::names::told_apart;
use crate::size::readable;
use crate::state::{ChatStorage, Ui};
use crate::text;

/// What downloads by itself on this device, and the media it keeps.
#[component]
pub(super) fn MediaSettings() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    messenger.tell(Command::MeasureMedia);
    let choice = ui.auto_download;
    let toggle = move |change: fn(&mut AutoDownload, bool)| {
        move |ev| {
            let mut next = choice.get_untracked();
            change(&mut next, event_target_checked(&ev));
            messenger.tell(Command::SetAutoDownload(next));
        }
    };
    let kept = move || match ui.media_bytes.get() {
        Some(bytes) => text::media_on_this_device(&readable(bytes)),
        None => text::MEDIA_SIZE_UNKNOWN.to_owned(),
    };
    view! {
        <fieldset class="auto-download">
            <legend>{text::DOWNLOAD_AUTOMATICALLY}</legend>
            <label>
                <input type="checkbox" prop:checked=move || choice.get().photos
                    on:change=toggle(|c, on| c.photos = on) />
                {text::PHOTOS}
            </label>
            <label>
                <input type="checkbox" prop:checked=move || choice.get().voice_notes
                    on:change=toggle(|c, on| c.voice_notes = on) />
                {text::VOICE_NOTES}
            </label>
            <label>
                <input type="checkbox" prop:checked=move || choice.get().videos_and_files
                    on:change=toggle(|c, on| c.videos_and_files = on) />
                {text::VIDEOS_AND_FILES}
            </label>
        </fieldset>
        <p class="settings-note">{kept}</p>
        <button type="button" on:click=move |_| messenger.tell(Command::ClearMedia)>
            {text::CLEAR_MEDIA}
        </button>
        <PerChat />
    }
}

/// What this browser keeps for each chat, largest first, each with its own `Clear media of …`.
#[component]
fn PerChat() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    view! {
        <table class="storage-per-chat" aria-label=text::STORAGE_PER_CHAT>
            <thead>
                <tr>
                    <th scope="col">{text::CHAT}</th>
                    <th scope="col">{text::MESSAGES}</th>
                    <th scope="col">{text::MEDIA}</th>
                    <th scope="col"><span class="visually-hidden">{text::CLEAR}</span></th>
                </tr>
            </thead>
            <tbody>
                <For
                    each=move || labelled(ui, ui.storage.get())
                    key=|(c, label)| (c.chat.to_string(), c.messages, c.bytes, c.media_bytes, label.clone())
                    let:((chat, label))
                >
                    {
                        let name = ui.display(&chat.chat);
                        let target = chat.chat.clone();
                        view! {
                            <tr>
                                <th scope="row"><bdi>{name}</bdi></th>
                                <td>{format!("{} ({})", chat.messages, readable(chat.bytes))}</td>
                                <td>{readable(chat.media_bytes)}</td>
                                <td>
                                    <button
                                        type="button"
                                        aria-label=label.clone()
                                        title=label
                                        disabled=chat.media.is_empty()
                                        on:click=move |_| {
                                            messenger.tell(Command::ClearChatMedia(target.clone()))
                                        }
                                    >
                                        {text::CLEAR}
                                    </button>
                                </td>
                            </tr>
                        }
                    }
                </For>
            </tbody>
        </table>
    }
}

/// Each chat with its `Clear media of …` name, no two the same: a contact's username tells it
/// from a chat of the same name, and two groups of one name are numbered.
fn labelled(ui: Ui, chats: Vec<ChatStorage>) -> Vec<(ChatStorage, String)> {
    let labels = chats
        .iter()
        .map(|chat| {
            let name = ui.display(&chat.chat);
            match chat.chat.account() {
                Some(account) if name != account.as_str() => {
                    text::clear_media_of_account(&name, account.as_str())
                }
                _ => text::clear_media_of(&name),
            }
        })
        .collect();
    chats.into_iter().zip(told_apart(labels)).collect()
}
