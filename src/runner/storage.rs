//! Settings' Storage per chat: what this browser keeps for each chat (its messages, and the
//! media kept for them), and clearing one chat's media.

use hush_client::ChatId;
use leptos::prelude::*;

use super::tab::Tab;
use crate::platform::media;
use crate::state::ChatStorage;
use crate::text;

/// Measures every chat's messages and kept media, largest first (and the total kept media).
pub(super) async fn measure(tab: &Tab) {
    let ui = tab.ui;
    let usage = match tab.engine.store().usage_by_chat().await {
        Ok(usage) => usage,
        Err(e) => {
            ui.problem.set(Some(text::store_error(&e)));
            return;
        }
    };
    let sizes: std::collections::HashMap<String, u64> = media::sizes().await.into_iter().collect();
    let mut chats: Vec<ChatStorage> = usage
        .into_iter()
        .map(|(chat, usage)| {
            let kept: Vec<String> = usage
                .ids
                .into_iter()
                .filter(|id| sizes.contains_key(id))
                .collect();
            ChatStorage {
                media_bytes: kept.iter().filter_map(|id| sizes.get(id)).sum(),
                media: kept,
                chat,
                messages: usage.messages,
                bytes: usage.bytes,
            }
        })
        .collect();
    chats.sort_by_key(|c| std::cmp::Reverse(c.bytes + c.media_bytes));
    ui.storage.set(chats);
    ui.media_bytes.set(media::size().await);
}

/// Forgets the media kept for `chat`'s messages (they download again when opened).
pub(super) async fn clear_chat_media(tab: &Tab, chat: &ChatId) {
    let kept = tab.ui.storage.with_untracked(|chats| {
        chats
            .iter()
            .find(|c| c.chat == *chat)
            .map(|c| c.media.clone())
            .unwrap_or_default()
    });
    media::forget_all(&kept).await;
    measure(tab).await;
}
