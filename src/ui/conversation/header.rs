//! The conversation's header: back, who it is with and what they are doing, Contact or Group
//! info, and Mute.

use hush_client::ChatId;
use leptos::prelude::*;

use super::side_panel::{close_panel, panel_open};
use crate::command::{Command, Messenger};
use crate::state::Ui;
use crate::text;
use crate::ui::avatar::Avatar;
use crate::ui::focus_back::return_focus;
use crate::ui::time::clock;

/// The header of the open chat.
#[component]
pub(super) fn ChatHeader() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let muted = move || {
        let chat = ui.current.get();
        ui.muted
            .with(|list| chat.is_some_and(|c| list.contains(&c)))
    };
    // Closing the panel (Close, Escape) gives the focus back here.
    let info = NodeRef::new();
    return_focus(move || panel_open(ui), info);
    view! {
        <header class="conversation-head">
            <button
                type="button"
                class="back"
                aria-label=text::BACK_TO_CHATS
                on:click=move |_| messenger.tell(Command::Close)
            >
                "‹"
            </button>
            <Avatar
                account=Signal::derive(move || ui.current.get().and_then(|c| c.account().cloned()))
                initial=Signal::derive(move || {
                    ui.current.get().map(|chat| ui.display(&chat)).unwrap_or_default()
                })
            />
            <div class="who">
                <h2>
                    <bdi>{move || ui.current.get().map(|chat| ui.display(&chat))}</bdi>
                    <span class="handle">
                        {move || {
                            // A contact's username; a group has no handle to show.
                            let chat = ui.current.get()?;
                            let spelled = chat.account()?.to_string();
                            (ui.display(&chat) != spelled).then_some(spelled)
                        }}
                    </span>
                </h2>
                <p class="about" aria-live="polite">{move || about(ui)}</p>
            </div>
            <super::find::FindButton />
            <button
                type="button"
                class="info"
                node_ref=info
                aria-expanded=move || panel_open(ui).to_string()
                on:click=move |_| {
                    if panel_open(ui) {
                        close_panel(ui);
                    } else if ui.group_open() {
                        ui.group_info.set(true);
                    } else if let Some(ChatId::Direct(contact)) = ui.current.get_untracked() {
                        messenger.tell(Command::ContactInfo(contact));
                    }
                }
            >
                {move || if ui.group_open() { text::GROUP_INFO } else { text::CONTACT_INFO }}
            </button>
            <button
                type="button"
                class="mute"
                aria-pressed=move || muted().to_string()
                on:click=move |_| {
                    if let Some(chat) = ui.current.get_untracked() {
                        messenger.tell(Command::Mute { chat, muted: !muted() });
                    }
                }
            >
                {text::MUTE}
            </button>
        </header>
    }
}

/// The header's second line: typing, online, or last seen (in a group: who is typing, or how
/// many members).
fn about(ui: Ui) -> Option<String> {
    let chat = ui.current.get()?;
    if let Some(group) = ui.group(&chat) {
        let typists: Vec<String> = ui.typing.with(|list| {
            list.iter()
                .filter(|(typist, _)| typist.chat == chat)
                .map(|(typist, _)| ui.name_of(&typist.who))
                .collect()
        });
        return Some(match typists.is_empty() {
            true => text::member_count(group.members.len()),
            false => text::typing_in_group(&typists.join(", ")),
        });
    }
    if ui
        .typing
        .get()
        .iter()
        .any(|(typist, _)| typist.chat == chat)
    {
        return Some(text::TYPING.to_owned());
    }
    let presence = ui.presence.get();
    let (_, online, seen) = presence.iter().find(|(who, _, _)| chat.is_with(who))?;
    if *online {
        Some(text::ONLINE.to_owned())
    } else if *seen > 0 {
        Some(text::last_seen(&clock(*seen)))
    } else {
        None
    }
}
