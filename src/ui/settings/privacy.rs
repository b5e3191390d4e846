//! Privacy: who sees this account's last seen and online (an account setting the relay
//! enforces for all its devices; hiding ours hides everyone's from us too), and read receipts
//! (mutual, as in WhatsApp).

use hush_protocol::relay::PresenceVisibility;
use leptos::prelude::*;

use crate::command::{Command, Messenger};
use crate::state::Ui;
use crate::text;
use crate::ui::switch::Switch;

/// The `Last seen and online` select.
#[component]
pub(super) fn LastSeen() -> impl IntoView {
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
        <label for="presence-visibility">{text::LAST_SEEN_AND_ONLINE}</label>
        <select id="presence-visibility" prop:value=chosen on:change=change>
            <option value="everyone" selected=move || chosen() == "everyone">{text::EVERYONE}</option>
            <option value="nobody" selected=move || chosen() == "nobody">{text::NOBODY}</option>
        </select>
        <p class="settings-note">{text::LAST_SEEN_NOBODY_NOTE}</p>
    }
}

/// The `Read receipts` switch.
#[component]
pub(super) fn ReadReceipts() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    view! {
        <Switch
            name=text::READ_RECEIPTS
            on=ui.read_receipts
            set=move |on| messenger.tell(Command::SetReadReceipts(on))
            note=text::READ_RECEIPTS_OFF_NOTE
        />
    }
}
