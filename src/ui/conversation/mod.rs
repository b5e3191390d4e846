//! One conversation: its header, the messages (a live log) and the composer. Text is always
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
mod linked;
mod log;
mod media;
mod mention;
pub(crate) mod menu_keys;
mod message_action;
pub(crate) mod press;
mod reactions;
mod record;
mod row;
mod timer;
mod transfer;
mod viewer;
mod voice;

use leptos::prelude::*;

use super::groups::GroupInfo;
use crate::state::Ui;
use attach::Attach;
use composer::{Composer, SendingNote};
use contact_info::ContactInfo;
use gallery::Gallery;
use header::ChatHeader;
use log::MessageLog;
use viewer::{Viewer, Viewing};

/// The open chat, or a hint to choose one.
#[component]
pub(crate) fn Conversation() -> impl IntoView {
    let ui = expect_context::<Ui>();
    provide_context(Viewing(RwSignal::new(None)));
    view! {
        <section class="conversation" aria-label="Conversation">
            <Show
                when=move || ui.current.get().is_some()
                fallback=|| view! { <p class="empty">"Choose a chat, or start a new one."</p> }
            >
                <ChatHeader />
                <find::FindBar />
                <ContactInfo />
                <Show when=move || ui.group_open() && ui.group_info.get()>
                    <GroupInfo>
                        <timer::DisappearingMessages />
                        <Gallery />
                    </GroupInfo>
                </Show>
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
            </Show>
        </section>
    }
}
