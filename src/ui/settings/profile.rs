//! Profile: the name contacts see (blank: the username), told to every contact when saved.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::command::{Command, Messenger, PHOTO_INPUT};
use crate::platform::files;
use crate::state::Ui;
use crate::text;
use crate::ui::avatar::Avatar;

/// The `Display name` field and `Save name`.
#[component]
pub(super) fn DisplayName() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let typed = RwSignal::new(ui.my_name.get_untracked());
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        messenger.tell(Command::SetDisplayName(typed.get_untracked()));
    };
    let unchanged = move || typed.get().trim() == ui.my_name.get().trim();
    view! {
        <form class="display-name" on:submit=save>
            <label for="settings-display-name">{text::DISPLAY_NAME}</label>
            <input
                id="settings-display-name"
                dir="auto"
                maxlength="64"
                placeholder=move || ui.me.get().map(|me| me.to_string())
                prop:value=typed
                on:input=move |ev| typed.set(event_target_value(&ev))
            />
            <button type="submit" disabled=unchanged>{text::SAVE_NAME}</button>
        </form>
        <p class="settings-note">{text::DISPLAY_NAME_NOTE}</p>
    }
}

/// The `About` field and `Save about`.
#[component]
pub(super) fn About() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let typed = RwSignal::new(ui.my_about.get_untracked());
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        messenger.tell(Command::SetAbout(typed.get_untracked()));
    };
    let unchanged = move || typed.get().trim() == ui.my_about.get().trim();
    view! {
        <form class="display-name" on:submit=save>
            <label for="settings-about">{text::ABOUT}</label>
            <input
                id="settings-about"
                dir="auto"
                maxlength="139"
                placeholder=text::ABOUT_PLACEHOLDER
                prop:value=typed
                on:input=move |ev| typed.set(event_target_value(&ev))
            />
            <button type="submit" disabled=unchanged>{text::SAVE_ABOUT}</button>
        </form>
    }
}

/// Our photo, `Change photo` and its file input `Photo file`.
#[component]
pub(super) fn Photo() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let initial = Signal::derive(move || ui.me.get().map(|me| me.to_string()).unwrap_or_default());
    view! {
        <div class="profile-photo">
            <Avatar account=ui.me initial />
            <button type="button" on:click=move |_| files::choose(PHOTO_INPUT)>
                {text::CHANGE_PHOTO}
            </button>
            <Show when=move || ui.me.get().is_some_and(|me| ui.photos.with(|p| p.contains_key(&me)))>
                <button type="button" on:click=move |_| messenger.tell(Command::RemovePhoto)>
                    {text::REMOVE_PHOTO}
                </button>
            </Show>
            <input
                id=PHOTO_INPUT
                type="file"
                accept="image/*"
                aria-label=text::PHOTO_FILE
                hidden
                on:change=move |_| messenger.tell(Command::ChangePhoto)
            />
        </div>
        <p class="settings-note">{text::PHOTO_NOTE}</p>
    }
}
