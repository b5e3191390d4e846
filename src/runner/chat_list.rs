//! The chat list's actions (pin, archive, mark unread, clear, delete), and what follows from
//! them on screen: the list read again, and the open chat too when its messages went.

use hush_client::{ChatAction, ChatId, EngineError, MessageId, Output};
use leptos::prelude::*;

use super::chat;
use super::tab::Tab;
use crate::platform::{clock, push};

/// Serves one chat action. A deleted chat that is open closes.
pub(super) async fn serve(
    tab: &mut Tab,
    chat: ChatId,
    action: ChatAction,
) -> Result<Output, EngineError> {
    let out = tab
        .engine
        .chat_action(&chat, action, clock::now_ms())
        .await?;
    let ui = tab.ui;
    if action == ChatAction::Delete && ui.current.get_untracked().as_ref() == Some(&chat) {
        ui.current.set(None);
    }
    Ok(out)
}

/// A chat's state changed (here or on another of our devices): the list is read again, and
/// the chat if it is open. Clearing took its messages: their kept files and notifications go.
pub(super) async fn changed(tab: &Tab, changed: &ChatId, cleared: Option<Vec<MessageId>>) {
    let ui = tab.ui;
    if let Some(files) = cleared {
        for id in &files {
            crate::platform::media::forget(id).await;
        }
        push::read(changed);
    }
    chat::refresh_chats(&tab.engine, ui).await;
    if ui.current.get_untracked().as_ref() == Some(changed) {
        chat::load_chat(&tab.engine, ui, changed).await;
    }
}
