//! Searches served: every chat, or the open one, over the store's index; and showing a
//! result (its chat opened, read back to the page that holds it).

use hush_client::search::{Found, Query};
use hush_client::{ChatId, EngineError, MessageId, Output, Store};
use leptos::prelude::*;

use super::chat;
use super::tab::Tab;
use crate::search::{ChatMatches, Results, SearchCommand, MAX_CHAT_MATCHES, MAX_RESULTS};
use crate::text;

/// Serves one search command.
pub(super) async fn serve(tab: &mut Tab, command: SearchCommand) -> Result<Output, EngineError> {
    match command {
        SearchCommand::Everywhere(typed) => everywhere(tab, typed).await,
        SearchCommand::InChat(typed) => in_chat(tab, typed).await,
        SearchCommand::Reveal { chat, id, focus } => return reveal(tab, chat, id, focus).await,
    }
    Ok(Output::default())
}

/// Searches every chat; the results show unless a newer query was typed meanwhile.
async fn everywhere(tab: &Tab, typed: String) {
    let ui = tab.ui;
    // Typed over already: only the newest query is searched.
    if ui.search.query.get_untracked() != typed {
        return;
    }
    let query = Query::parse(&typed);
    let found = match query.is_empty() {
        true => Ok(Found {
            messages: Vec::new(),
            complete: true,
        }),
        false => tab.engine.store().search(&query, None, MAX_RESULTS).await,
    };
    if ui.search.query.get_untracked() != typed {
        return;
    }
    match found {
        Ok(found) => ui.search.results.set(Results {
            query: typed,
            messages: found.messages,
            complete: found.complete,
        }),
        Err(e) => ui.problem.set(Some(text::store_error(&e))),
    }
}

/// Searches the open chat and shows its newest match.
async fn in_chat(tab: &mut Tab, typed: String) {
    let ui = tab.ui;
    let (Some(chat), query) = (ui.current.get_untracked(), Query::parse(&typed)) else {
        return;
    };
    if ui.search.chat_query.get_untracked() != typed {
        return;
    }
    let found = match query.is_empty() {
        true => Ok(Found {
            messages: Vec::new(),
            complete: true,
        }),
        false => {
            (tab.engine.store())
                .search(&query, Some(&chat), MAX_CHAT_MATCHES)
                .await
        }
    };
    if ui.search.chat_query.get_untracked() != typed {
        return;
    }
    let (ids, complete): (Vec<MessageId>, bool) = match found {
        Ok(found) => (
            found.messages.iter().map(|m| m.id).collect(),
            found.complete,
        ),
        Err(e) => return ui.problem.set(Some(text::store_error(&e))),
    };
    let at = (!ids.is_empty()).then_some(0);
    let first = ids.first().copied();
    let query = typed;
    ui.search.matches.set(ChatMatches {
        query,
        ids,
        at,
        complete,
    });
    if let Some(id) = first {
        // Shown in the chat already open (no output to apply); the field keeps the focus.
        let _ = reveal(tab, chat, id, false).await;
    }
}

/// Opens `chat` if it is not open and asks the log to show message `id`: where it is if it is
/// on screen, else with the stretch around it (however far back; the newest a jump away).
async fn reveal(
    tab: &mut Tab,
    chat: ChatId,
    id: MessageId,
    focus: bool,
) -> Result<Output, EngineError> {
    let ui = tab.ui;
    let mut out = Output::default();
    if ui.current.get_untracked().as_ref() != Some(&chat) {
        out = super::open::open_chat(tab, chat.clone()).await?;
    }
    let shown = move || {
        ui.messages
            .with_untracked(|list| list.iter().any(|m| m.id == id))
    };
    if !shown() {
        chat::load_around(&tab.engine, ui, &chat, &id).await;
    }
    match shown() {
        true => ui.search.reveal.set(Some((id, focus))),
        false => ui.problem.set(Some(text::MESSAGE_GONE.to_owned())),
    }
    Ok(out)
}
