//! Settings: who may see this account's last seen and online (an account setting the relay
//! enforces for all its devices; hiding ours hides everyone's from us too).

use hush_protocol::relay::PresenceVisibility;
use leptos::prelude::*;

use crate::command::{Command, Messenger};
use crate::state::Ui;

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
            <label for="presence-visibility">"Last seen and online"</label>
            <select id="presence-visibility" prop:value=chosen on:change=change>
                <option value="everyone" selected=move || chosen() == "everyone">"Everyone"</option>
                <option value="nobody" selected=move || chosen() == "nobody">"Nobody"</option>
            </select>
            <p class="settings-note">"Nobody: no one sees yours, and you see no one's."</p>
        </section>
    }
}
