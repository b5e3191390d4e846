//! What is done to a message: replies, edits, deletes, stars and forwards, each an engine
//! call whose events redraw the rows they touch.

use hush_client::{ChatId, EngineError, Output};
use leptos::prelude::*;

use super::tab::Tab;
use super::{chat, events};
use crate::command::MessageCommand;
use crate::platform::clock;

/// Serves one message command.
pub(super) async fn serve(tab: &mut Tab, command: MessageCommand) -> Result<Output, EngineError> {
    let now = clock::now_ms();
    let engine = &mut tab.engine;
    match command {
        MessageCommand::Reply {
            quoted,
            body,
            mentions,
        } => {
            let (message, out) = engine
                .reply_mentioning(&quoted, &body, &mentions, now)
                .await?;
            events::apply(tab, out).await;
            chat::show_sent(tab, message).await;
            Ok(Output::default())
        }
        MessageCommand::Mention { to, body, mentions } => {
            let (message, out) = engine.send_mentioning(&to, &body, &mentions, now).await?;
            events::apply(tab, out).await;
            chat::show_sent(tab, message).await;
            Ok(Output::default())
        }
        MessageCommand::Edit { id, body, mentions } => {
            engine.edit_mentioning(&id, &body, &mentions, now).await
        }
        MessageCommand::DeleteForEveryone(id) => engine.delete_for_everyone(&id, now).await,
        MessageCommand::DeleteForMe(id) => engine.delete_for_me(&[id]).await,
        MessageCommand::Star { id, starred } => engine.star(&id, starred).await,
        MessageCommand::Forward { id, chats } => {
            let (done, out) = engine.forward(&id, &chats, now).await?;
            events::apply(tab, out).await;
            let ui = tab.ui;
            if let Some(problem) = forward_problem(&ui, &done.failed) {
                ui.problem.set(Some(problem));
            }
            let open = ui.current.get_untracked();
            for message in done.sent {
                ui.chats
                    .update(|list| hush_client::model::add_to_chats(list, &message));
                if open.as_ref() == Some(&message.chat) {
                    ui.show_in_chat(&message);
                }
            }
            Ok(Output::default())
        }
    }
}

/// What to tell the user of the chats a forward could not reach, if any: their names and the
/// first reason.
fn forward_problem(ui: &crate::state::Ui, failed: &[(ChatId, EngineError)]) -> Option<String> {
    let (_, first) = failed.first()?;
    let names: Vec<String> = failed.iter().map(|(chat, _)| ui.display(chat)).collect();
    Some(format!(
        "Could not forward to {}: {first}",
        names.join(", ")
    ))
}
