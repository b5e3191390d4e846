//! The `Disappearing messages` choice of Contact info and Group info: Off, 24 hours, 7 days or
//! 90 days, for everyone in the chat (the change shows as a notice in it). In a group where
//! only admins may edit its settings, only they may change it.

use hush_client::model::TIMER_CHOICES;
use leptos::prelude::*;

use crate::command::{Command, Messenger};
use crate::state::Ui;
use crate::text;

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
            {text::DISAPPEARING_MESSAGES}
            <select
                on:change=choose
                prop:value=move || ui.timer.get().to_string()
                // Where only admins may edit a group's settings, members see it but cannot change it.
                prop:disabled=move || !may_change(ui)
            >
                {TIMER_CHOICES
                    .iter()
                    .map(|ms| {
                        let value = ms.to_string();
                        view! {
                            <option value=value.clone() selected=move || ui.timer.get() == *ms>
                                {text::timer_choice(*ms)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// Whether we may change the open chat's timer: anyone in a 1:1 chat; in a group where only
/// admins may edit its settings, its admins.
fn may_change(ui: Ui) -> bool {
    let Some(chat) = ui.current.get() else {
        return false;
    };
    let me = ui.me.get().map(|me| me.to_string()).unwrap_or_default();
    ui.group(&chat)
        .is_none_or(|g| !g.only_admins_edit || g.is_admin(&me))
}
