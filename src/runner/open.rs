//! Opening a chat: its newest page, watching the contact, its session prepared, a new chat's
//! default timer, and its messages marked read (for the chat list, a search result or a
//! notification alike).

use hush_client::{ChatAction, ChatId, EngineError, Output};
use leptos::prelude::*;

use super::tab::Tab;
use super::{chat, events};
use crate::platform::clock;
use crate::platform::push;
use crate::text;
use crate::unread;

/// How many pages further back a chat opened with unread messages reads to find the oldest.
const UNREAD_PAGES: usize = 4;

/// Opens `chat`: its newest page, the engine told to watch it (typing, presence), its session
/// prepared, and its messages marked read.
pub(super) async fn open_chat(tab: &mut Tab, chat: ChatId) -> Result<Output, EngineError> {
    let ui = tab.ui;
    ui.safety.set(None);
    ui.group_info.set(false);
    ui.message_info.set(None);
    // The last chat's divider goes first, never drawn against this chat's messages.
    ui.unread_from.set(None);
    ui.current.set(Some(chat.clone()));
    let unread = ui.chats.with_untracked(|chats| {
        let summary = chats.iter().find(|summary| summary.chat == chat);
        summary.map_or(0, |summary| summary.unread)
    });
    chat::load_chat(&tab.engine, ui, &chat).await;
    load_to_first_unread(tab, unread).await;
    let divider = ui
        .messages
        .with_untracked(|page| unread::divider(page, unread));
    ui.unread_from.set(divider);
    ui.problem.set(None);
    if let ChatId::Direct(account) = &chat {
        let watch = tab.engine.watch(account);
        events::apply(tab, watch).await;
        match tab.engine.prepare_chat(account).await {
            Ok(out) => {
                events::apply(tab, out).await;
            }
            Err(e) => ui.problem.set(Some(text::engine_error(&e))),
        }
    }
    start_with_default_timer(tab, &chat).await;
    opened(tab, &chat).await;
    let read = tab.engine.mark_read(&chat).await;
    ui.read_in_list(&chat);
    push::read(&chat);
    read
}

/// Pages further back are read (at most [`UNREAD_PAGES`] more) until the oldest of the
/// chat's `unread` messages is among them, so that the divider stands where they begin.
async fn load_to_first_unread(tab: &Tab, unread: u32) {
    let ui = tab.ui;
    for _ in 0..UNREAD_PAGES {
        let shown = ui.messages.with_untracked(|page| unread::count(page));
        if shown >= unread || !ui.earlier.get_untracked() {
            return;
        }
        chat::load_earlier(&tab.engine, ui).await;
    }
}

/// A new 1:1 chat (nothing in it, no timer ever set) starts with this device's default timer.
async fn start_with_default_timer(tab: &mut Tab, chat: &ChatId) {
    let (ui, default) = (tab.ui, tab.ui.default_timer.get_untracked());
    let new = matches!(chat, ChatId::Direct(_)) && ui.messages.with_untracked(Vec::is_empty);
    if default == 0 || !new || !matches!(tab.engine.timer_of(chat).await, Ok(None)) {
        return;
    }
    match tab.engine.set_timer(chat, default, clock::now_ms()).await {
        Ok((notice, out)) => {
            ui.timer.set(default);
            chat::show_sent(tab, notice).await;
            events::apply(tab, out).await;
        }
        Err(e) => ui.problem.set(Some(text::engine_error(&e))),
    }
}

/// A chat opened: a chat marked unread is unread no more (here and on our other devices).
async fn opened(tab: &mut Tab, chat: &ChatId) {
    let marked = tab
        .ui
        .chat_states
        .with_untracked(|states| states.iter().any(|(c, s)| c == chat && s.unread.on));
    if !marked {
        return;
    }
    let unmark = ChatAction::MarkUnread(false);
    match tab.engine.chat_action(chat, unmark, clock::now_ms()).await {
        Ok(out) => {
            events::apply(tab, out).await;
        }
        Err(e) => tab.ui.problem.set(Some(text::engine_error(&e))),
    }
}
