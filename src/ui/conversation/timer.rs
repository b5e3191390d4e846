//! The `Disappearing messages` choice of Contact info and Group info: Off, 24 hours, 7 days or
//! 90 days, for everyone in the chat (the change shows as a notice in it).

use hush_client::model::{timer_label, TIMER_CHOICES};
use leptos::prelude::*;

use crate::command::{Command, Messenger};
use crate::state::Ui;

/// The open chat's timer, to change.
#[component]
pub(crate) fn DisappearingMessages() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let choose = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev).parse::<u64>();
        let (Ok(timer_ms), Some(chat)) = (chosen, ui.current.get_untracked()) else {
            return;
        };
        if timer_ms != ui.timer.get_untracked() {
            messenger.tell(Command::SetTimer { chat, timer_ms });
        }
    };
    view! {
        <label class="timer">
            "Disappearing messages"
            <select on:change=choose prop:value=move || ui.timer.get().to_string()>
                {TIMER_CHOICES
                    .iter()
                    .map(|ms| {
                        let value = ms.to_string();
                        view! {
                            <option value=value.clone() selected=move || ui.timer.get() == *ms>
                                {timer_label(*ms)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
