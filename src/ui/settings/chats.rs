//! Chats: the theme, whether Enter sends, and the timer new chats start with (all this
//! device's own).

use hush_client::model::TIMER_CHOICES;
use leptos::prelude::*;

use crate::choices::Theme;
use crate::command::{Command, Messenger};
use crate::state::Ui;
use crate::text;
use crate::ui::switch::Switch;

/// The `Theme` select: the system's, light or dark.
#[component]
pub(super) fn ThemeChoice() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let change = move |ev| {
        let theme = Theme::from_name(&event_target_value(&ev));
        messenger.tell(Command::SetTheme(theme));
    };
    let label = |theme: Theme| match theme {
        Theme::System => text::SYSTEM,
        Theme::Light => text::LIGHT,
        Theme::Dark => text::DARK,
    };
    view! {
        <label for="theme">{text::THEME}</label>
        <select id="theme" prop:value=move || ui.theme.get().name() on:change=change>
            {Theme::ALL
                .into_iter()
                .map(|theme| {
                    view! {
                        <option value=theme.name() selected=move || ui.theme.get() == theme>
                            {label(theme)}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}

/// The `Enter sends` switch.
#[component]
pub(super) fn EnterSends() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    view! {
        <Switch
            name=text::ENTER_SENDS
            on=ui.enter_sends
            set=move |on| messenger.tell(Command::SetEnterSends(on))
            note=text::ENTER_SENDS_OFF_NOTE
        />
    }
}

/// The disappearing-message timer new chats start with, on this device.
#[component]
pub(super) fn DefaultTimer() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let change = move |ev| {
        if let Ok(timer_ms) = event_target_value(&ev).parse::<u64>() {
            messenger.tell(Command::SetDefaultTimer(timer_ms));
        }
    };
    view! {
        <label for="default-timer">{text::DEFAULT_MESSAGE_TIMER}</label>
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
                            {text::timer_choice(*ms)}
                        </option>
                    }
                })
                .collect_view()}
        </select>
        <p class="settings-note">{text::DEFAULT_TIMER_NOTE}</p>
    }
}
