//! The open chat's pages of messages (however long the chat, a page at a time), the chat list
//! as stored, and the open contact's safety number.

use hush_client::model::add_to_chats;
use hush_client::{ChatId, ChatMessage, EngineError, MessageId, Output, Store, Username};
use leptos::prelude::*;

use super::tab::{AppEngine, Tab};
use crate::platform::clock;
use crate::state::{Safety, Ui};
use crate::text;

/// Messages shown when a chat opens (the newest).
const PAGE: usize = 200;

/// Shows the contact's safety number (Contact info).
pub(super) async fn show_safety(engine: &AppEngine, ui: Ui, chat: &Username) {
    let number = engine.safety_number(chat).await;
    let verified = engine.is_verified(chat).await;
    match (number, verified) {
        (Ok(Some(number)), Ok(verified)) => {
            let groups = number
                .display_groups()
                .into_iter()
                .map(str::to_owned)
                .collect();
            ui.safety.set(Some(Safety {
                groups,
                qr: crate::qr::svg_path(&number.qr_payload()),
                verified,
            }));
        }
        (Ok(None), _) => {
            ui.safety.set(None);
            ui.problem.set(Some(text::NO_SAFETY_NUMBER_YET.to_owned()));
        }
        (Err(e), _) | (_, Err(e)) => ui.problem.set(Some(text::engine_error(&e))),
    }
}

/// The chat list, read from storage (at start; then it follows from the events).
pub(super) async fn refresh_chats(engine: &AppEngine, ui: Ui) {
    match engine.chat_states().await {
        Ok(states) => ui.chat_states.set(states),
        Err(e) => ui.problem.set(Some(text::engine_error(&e))),
    }
    match engine.store().chats().await {
        Ok(chats) => ui.chats.set(chats),
        Err(e) => ui.problem.set(Some(text::store_error(&e))),
    }
}

/// Removes every message whose time ran out; what it removes comes back as events.
pub(super) async fn expire(engine: &mut AppEngine) -> Result<Output, EngineError> {
    let mut out = Output::default();
    loop {
        let step = engine.expire(clock::now_ms()).await?;
        if step.events.is_empty() {
            return Ok(out);
        }
        out.events.extend(step.events);
    }
}

/// The most starred messages listed.
const MAX_STARRED: usize = 500;

/// Reads the starred messages, newest first.
pub(super) async fn load_starred(engine: &AppEngine, ui: Ui) {
    match engine.store().starred(MAX_STARRED).await {
        Ok(mut starred) => {
            starred.sort_by_key(|m| std::cmp::Reverse(m.sent_ms));
            ui.starred.set(starred);
        }
        Err(e) => ui.problem.set(Some(text::store_error(&e))),
    }
}

/// Reads the open chat's timer for its info.
pub(super) async fn load_timer(engine: &AppEngine, ui: Ui, chat: &ChatId) {
    match engine.timer_of(chat).await {
        Ok(timer) => ui.timer.set(timer.map_or(0, |t| t.timer_ms)),
        Err(e) => ui.problem.set(Some(text::engine_error(&e))),
    }
}

/// Shows a chat's newest page (however long the chat, only that page is read).
pub(super) async fn load_chat(engine: &AppEngine, ui: Ui, chat: &ChatId) {
    load_timer(engine, ui, chat).await;
    match engine.store().messages(chat, None, PAGE).await {
        Ok(messages) => {
            ui.forget_gone_rows();
            ui.earlier.set(messages.len() == PAGE);
            ui.later.set(false);
            ui.messages.set(messages);
        }
        Err(e) => ui.problem.set(Some(text::store_error(&e))),
    }
}

/// Puts the page before the oldest message shown above it.
pub(super) async fn load_earlier(engine: &AppEngine, ui: Ui) {
    let Some(chat) = ui.current.get_untracked() else {
        return;
    };
    let Some(oldest) = ui
        .messages
        .with_untracked(|list| list.first().map(|m| m.id))
    else {
        return;
    };
    let mut page = match engine.store().messages(&chat, Some(&oldest), PAGE).await {
        Ok(page) => page,
        Err(e) => {
            ui.problem.set(Some(text::store_error(&e)));
            Vec::new()
        }
    };
    ui.earlier.set(page.len() == PAGE);
    // Updated even when nothing came: the view waits for this to place its scroll position.
    ui.messages.update(|list| {
        page.append(list);
        *list = page;
    });
}

/// Puts the page after the newest message shown below it (the log shows a stretch further
/// back, as a search result far back left it).
pub(super) async fn load_later(engine: &AppEngine, ui: Ui) {
    let (Some(chat), true) = (ui.current.get_untracked(), ui.later.get_untracked()) else {
        return;
    };
    let Some(newest) = ui.messages.with_untracked(|list| list.last().map(|m| m.id)) else {
        return;
    };
    let page = match engine.store().messages_after(&chat, &newest, PAGE).await {
        Ok(page) => page,
        Err(e) => return ui.problem.set(Some(text::store_error(&e))),
    };
    ui.later.set(page.len() == PAGE);
    ui.messages.update(|list| list.extend(page));
}

/// Shows the stretch of a chat around message `id` (half a page each side), for a search
/// result further back than the pages shown.
pub(super) async fn load_around(engine: &AppEngine, ui: Ui, chat: &ChatId, id: &MessageId) {
    let store = engine.store();
    let (target, before, after) = futures::join!(
        store.message(id),
        store.messages(chat, Some(id), PAGE / 2),
        store.messages_after(chat, id, PAGE / 2),
    );
    match (target, before, after) {
        (Ok(Some(target)), Ok(mut list), Ok(after)) if target.chat == *chat => {
            ui.forget_gone_rows();
            ui.earlier.set(list.len() == PAGE / 2);
            ui.later.set(after.len() == PAGE / 2);
            list.push(target);
            list.extend(after);
            ui.messages.set(list);
        }
        (Ok(_), Ok(_), Ok(_)) => {}
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            ui.problem.set(Some(text::store_error(&e)))
        }
    }
}

/// A message just written: into its chat (opened if it was not) and to the top of the list.
pub(super) async fn show_sent(tab: &Tab, message: ChatMessage) {
    let ui = tab.ui;
    ui.chats.update(|chats| add_to_chats(chats, &message));
    // Written while a stretch further back was shown: back to the newest, where it is.
    if ui.current.get_untracked().as_ref() == Some(&message.chat) && ui.later.get_untracked() {
        load_chat(&tab.engine, ui, &message.chat).await;
        return;
    }
    if ui.current.get_untracked().as_ref() != Some(&message.chat) {
        ui.current.set(Some(message.chat.clone()));
        load_chat(&tab.engine, ui, &message.chat).await;
    } else {
        ui.messages.update(|list| list.push(message));
    }
}
