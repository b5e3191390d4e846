//! Asks before a message is deleted for everyone (it cannot be undone): a modal dialog whose
//! confirming button is also named `Delete for everyone`.

use leptos::prelude::*;

use super::viewer::open_as_modal;
use crate::command::{Command, MessageCommand, Messenger};
use crate::state::Ui;
use crate::text;

/// Open while [`Ui::deleting`] names a message.
#[component]
pub(super) fn DeleteDialog() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    open_as_modal(ui.deleting, dialog);
    let confirm = move |_| {
        if let Some(id) = ui.deleting.get_untracked() {
            messenger.tell(Command::Message(MessageCommand::DeleteForEveryone(id)));
        }
        ui.deleting.set(None);
    };
    view! {
        <dialog
            class="confirm"
            aria-labelledby="delete-title"
            node_ref=dialog
            on:close=move |_| ui.deleting.set(None)
        >
            <h2 id="delete-title">{text::DELETE_MESSAGE}</h2>
            <p>{text::DELETE_FOR_EVERYONE_EXPLAINED}</p>
            <div class="dialog-actions">
                <button type="button" on:click=move |_| ui.deleting.set(None)>{text::CANCEL}</button>
                <button type="button" class="danger" on:click=confirm>{text::DELETE_FOR_EVERYONE}</button>
            </div>
        </dialog>
    }
}
