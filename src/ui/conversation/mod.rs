//! One conversation: its header, the messages (a live log) and the composer, with Contact
//! or Group info beside them. Text is always
//! rendered as text: a message holding HTML shows the HTML.

mod actions;
mod attach;
mod composer;
mod contact_info;
mod delete_dialog;
mod extras;
mod find;
mod forward_dialog;
mod gallery;
mod header;
mod hold;
mod jump;
mod linked;
mod log;
mod media;
mod media_names;
mod mention;
pub(crate) mod menu_keys;
mod message_action;
pub(crate) mod press;
mod reactions;
mod record;
mod row;
mod side_panel;
mod timer;
mod transfer;
mod viewer;
mod voice;

use leptos::prelude::*;

use crate::state::Ui;
use crate::text;
use attach::Attach;
use composer::{Composer, SendingNote};
use header::ChatHeader;
use log::MessageLog;
use side_panel::SidePanel;
use viewer::{Viewer, Viewing};

/// The open chat, or (none open) a friendly word in the empty pane.
#[component]
pub(crate) fn Conversation() -> impl IntoView {
    let ui = expect_context::<Ui>();
    provide_context(Viewing(RwSignal::new(None)));
    view! {
        <section class="conversation" aria-label=text::CONVERSATION>
            <Show
                when=move || ui.current.get().is_some()
                fallback=EmptyState
            >
                <div class="conversation-main">
                    <ChatHeader />
                    <find::FindBar />
                    <p role="alert" class="problem">{move || ui.problem.get()}</p>
                    <MessageLog />
                    <Viewer />
                    <delete_dialog::DeleteDialog />
                    <forward_dialog::ForwardDialog />
                    <SendingNote />
                    <div class="compose">
                        <Attach />
                        <Composer />
                    </div>
                </div>
                <SidePanel />
            </Show>
        </section>
    }
}

/// What the main pane shows while no chat is open.
#[component]
fn EmptyState() -> impl IntoView {
    view! {
        <div class="empty-state">
            <p class="empty-title">{text::NO_CHAT_OPEN}</p>
            <p class="empty">
                {text::NO_CHAT_OPEN_HINT}
            </p>
        </div>
    }
}
