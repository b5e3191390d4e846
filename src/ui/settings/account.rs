//! Account: `Delete my account`, behind a confirmation that names the account. Deleting is for
//! every device and for good: the relay keeps only the name, so nobody can take it.

use leptos::html::Dialog;
use leptos::prelude::*;

use crate::command::{Command, Messenger};
use crate::state::Ui;
use crate::text;

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
        <button type="button" class="danger" on:click=open>{text::DELETE_MY_ACCOUNT}</button>
        <p class="settings-note">
            {text::DELETE_ACCOUNT_NOTE}
        </p>
        <dialog class="confirm" aria-labelledby="delete-account-title" node_ref=dialog>
            <h2 id="delete-account-title">{move || text::delete_the_account(&name())}</h2>
            <p>
                {text::DELETE_ACCOUNT_WARNING}
            </p>
            <p role="alert">{refused}</p>
            <div class="dialog-actions">
                <button type="button" on:click=close>{text::CANCEL}</button>
                <button type="button" class="danger" disabled=working on:click=confirm>
                    {move || if working() { text::DELETING } else { text::DELETE_ACCOUNT }}
                </button>
            </div>
        </dialog>
    }
}
