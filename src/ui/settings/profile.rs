//! Profile: the name contacts see (blank: the username), told to every contact when saved.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::command::{Command, Messenger};
use crate::state::Ui;

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
            <label for="settings-display-name">"Display name"</label>
            <input
                id="settings-display-name"
                dir="auto"
                maxlength="64"
                placeholder=move || ui.me.get().map(|me| me.to_string())
                prop:value=typed
                on:input=move |ev| typed.set(event_target_value(&ev))
            />
            <button type="submit" disabled=unchanged>"Save name"</button>
        </form>
        <p class="settings-note">"Contacts see this name; left empty, your username."</p>
    }
}
