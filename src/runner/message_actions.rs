//! What is done to a message: replies, edits, deletes, stars and forwards, each an engine
//! call whose events redraw the rows they touch.

use hush_client::{EngineError, Output};

use super::tab::Tab;
use super::{chat, events};
use crate::command::{Forwarding, MessageCommand};
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
            super::forwarding::start(tab, Forwarding { id, chats }).await
        }
    }
}
