//! Account: `Delete my account`, behind a confirmation that names the account. Deleting is for
//! every device and for good: the relay keeps only the name, so nobody can take it.

use leptos::html::Dialog;
use leptos::prelude::*;

use crate::command::{Command, Messenger};
use crate::state::Ui;

/// The `Delete my account` button and its confirmation.
#[component]
pub(super) fn DeleteAccount() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let dialog = NodeRef::<Dialog>::new();
    let asked = RwSignal::new(false);
    let name = move || ui.me.get().map(|me| me.to_string()).unwrap_or_default();
    let open = move |_| {
        asked.set(false);
        if let Some(dialog) = dialog.get() {
            let _ = dialog.show_modal();
        }
    };
    let close = move |_| {
        if let Some(dialog) = dialog.get() {
            dialog.close();
        }
    };
    // The page starts over once the relay has taken the account's last list (or shows why not).
    let confirm = move |_| {
        ui.problem.set(None);
        asked.set(true);
        messenger.tell(Command::DeleteAccount);
    };
    // Refused (offline, say): the reason shows here, above the page, and it can be tried again.
    let refused = move || ui.problem.get().filter(|_| asked.get());
    let working = move || asked.get() && refused().is_none();
    view! {
        <button type="button" class="danger" on:click=open>"Delete my account"</button>
        <p class="settings-note">
            "Deletes the account on every device, with its messages here. Nobody can take its name."
        </p>
        <dialog class="confirm" aria-labelledby="delete-account-title" node_ref=dialog>
            <h2 id="delete-account-title">{move || format!("Delete the account {}?", name())}</h2>
            <p>
                "Your contacts will see it was deleted. Your linked devices, chats and media on \
                 this relay and in this browser go, for good."
            </p>
            <p role="alert">{refused}</p>
            <div class="dialog-actions">
                <button type="button" on:click=close>"Cancel"</button>
                <button type="button" class="danger" disabled=working on:click=confirm>
                    {move || if working() { "Deleting…" } else { "Delete account" }}
                </button>
            </div>
        </dialog>
    }
}
