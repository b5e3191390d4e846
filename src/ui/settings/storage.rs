//! Settings: notifications on this device, who may see this account's last seen and online (an account setting the relay
//! enforces for all its devices; hiding ours hides everyone's from us too), the timer new chats
//! start with, and this device's media: what downloads by itself, and "Clear media".

use hush_client::model::{timer_label, TIMER_CHOICES};
use hush_protocol::relay::PresenceVisibility;
use leptos::prelude::*;

use super::notify_switch::NotificationSwitch;
use crate::command::{Command, Messenger};
use crate::size::readable;
use crate::state::{AutoDownload, Ui};

/// The Settings dialog (non-modal, beside the chat list, like Linked devices).
#[component]
pub(crate) fn Settings() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    // Applied at once: the runner stores it and tells the relay.
    let change = move |ev| {
        let visibility = match event_target_value(&ev).as_str() {
            "nobody" => PresenceVisibility::Nobody,
            _ => PresenceVisibility::Everyone,
        };
        messenger.tell(Command::SetPresenceVisibility(visibility));
    };
    let chosen = move || match ui.presence_visibility.get() {
        PresenceVisibility::Everyone => "everyone",
        PresenceVisibility::Nobody => "nobody",
    };
    view! {
        <section class="devices settings" role="dialog" aria-labelledby="settings-title">
            <h3 id="settings-title">"Settings"</h3>
            <NotificationSwitch />
            <label for="presence-visibility">"Last seen and online"</label>
            <select id="presence-visibility" prop:value=chosen on:change=change>
                <option value="everyone" selected=move || chosen() == "everyone">"Everyone"</option>
                <option value="nobody" selected=move || chosen() == "nobody">"Nobody"</option>
            </select>
            <p class="settings-note">"Nobody: no one sees yours, and you see no one's."</p>
            <DefaultTimer />
            <MediaSettings />
        </section>
    }
}

/// The disappearing-message timer new chats start with, on this device.
#[component]
fn DefaultTimer() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let change = move |ev| {
        if let Ok(timer_ms) = event_target_value(&ev).parse::<u64>() {
            messenger.tell(Command::SetDefaultTimer(timer_ms));
        }
    };
    view! {
        <label for="default-timer">"Default message timer"</label>
        <select
            id="default-timer"
            prop:value=move || ui.default_timer.get().to_string()
            on:change=change
        >
            {TIMER_CHOICES
                .iter()
                .map(|ms| {
                    view! {
                        <option value=ms.to_string() selected=move || ui.default_timer.get() == *ms>
                            {timer_label(*ms)}
                        </option>
                    }
                })
                .collect_view()}
        </select>
        <p class="settings-note">"New chats you start get this timer."</p>
    }
}

/// What downloads by itself on this device, and the media it keeps.
#[component]
fn MediaSettings() -> impl IntoView {
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
        Some(bytes) => format!("Media on this device: {}", readable(bytes)),
        None => "Media on this device: unknown".to_owned(),
    };
    view! {
        <fieldset class="auto-download">
            <legend>"Download automatically"</legend>
            <label>
                <input type="checkbox" prop:checked=move || choice.get().photos
                    on:change=toggle(|c, on| c.photos = on) />
                "Photos"
            </label>
            <label>
                <input type="checkbox" prop:checked=move || choice.get().voice_notes
                    on:change=toggle(|c, on| c.voice_notes = on) />
                "Voice notes"
            </label>
            <label>
                <input type="checkbox" prop:checked=move || choice.get().videos_and_files
                    on:change=toggle(|c, on| c.videos_and_files = on) />
                "Videos and files up to 16 MB"
            </label>
        </fieldset>
        <p class="settings-note">{kept}</p>
        <button type="button" on:click=move |_| messenger.tell(Command::ClearMedia)>
            "Clear media"
        </button>
    }
}
