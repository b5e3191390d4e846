//! Opening a chat: its newest page, watching the contact, its session prepared, a new chat's
//! default timer, and its messages marked read (for the chat list, a search result or a
//! notification alike).

use hush_client::{ChatAction, ChatId, EngineError, Output};
use leptos::prelude::*;

use super::tab::Tab;
use super::{chat, events};
use crate::platform::clock;
use crate::platform::push;

/// Opens `chat`: its newest page, the engine told to watch it (typing, presence), its session
/// prepared, and its messages marked read.
pub(super) async fn open_chat(tab: &mut Tab, chat: ChatId) -> Result<Output, EngineError> {
    let ui = tab.ui;
    ui.safety.set(None);
    ui.group_info.set(false);
    ui.message_info.set(None);
    ui.current.set(Some(chat.clone()));
    chat::load_chat(&tab.engine, ui, &chat).await;
    ui.problem.set(None);
    if let ChatId::Direct(account) = &chat {
        let watch = tab.engine.watch(account);
        events::apply(tab, watch).await;
        match tab.engine.prepare_chat(account).await {
            Ok(out) => {
                events::apply(tab, out).await;
            }
            Err(e) => ui.problem.set(Some(e.to_string())),
        }
    }
    start_with_default_timer(tab, &chat).await;
    opened(tab, &chat).await;
    let read = tab.engine.mark_read(&chat).await;
    ui.read_in_list(&chat);
    push::read(&chat);
    read
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
        Err(e) => ui.problem.set(Some(e.to_string())),
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
        Err(e) => tab.ui.problem.set(Some(e.to_string())),
    }
}
