//! Groups: what the group screens ask for, handed to the engine, and the groups' states kept
//! for the screens (names in the chat list, members in Group info).

use hush_client::error::InputError;
use hush_client::{ChatId, EngineError, MessageId, Output, Store, Username};
use leptos::prelude::*;

use super::tab::AppEngine;
use crate::command::GroupCommand;
use crate::state::Ui;
use crate::text;

/// Carries out a group command; a group just made is returned, to open.
pub(super) async fn run(
    engine: &mut AppEngine,
    ui: Ui,
    command: GroupCommand,
    now_ms: u64,
) -> Result<(Output, Option<ChatId>), EngineError> {
    let out = match command {
        GroupCommand::Create { name, members } => {
            let members = members
                .iter()
                .map(|m| Username::parse(m.trim()).map_err(|_| InputError::MemberUsername))
                .collect::<Result<Vec<_>, _>>()?;
            let (chat, out) = engine.create_group(&name, "", &members, now_ms).await?;
            return Ok((out, Some(chat)));
        }
        GroupCommand::Add { chat, member } => {
            let member = Username::parse(&member.trim().to_ascii_lowercase())
                .map_err(|_| InputError::Username)?;
            engine.add_member(&chat, &member, now_ms).await?
        }
        GroupCommand::Remove { chat, member } => {
            engine.remove_member(&chat, &member, now_ms).await?
        }
        GroupCommand::SetAdmin {
            chat,
            member,
            admin,
        } => engine.set_admin(&chat, &member, admin, now_ms).await?,
        GroupCommand::Rename {
            chat,
            name,
            description,
        } => {
            engine
                .edit_group(&chat, &name, &description, now_ms)
                .await?
        }
        GroupCommand::Permissions {
            chat,
            only_admins_send,
            only_admins_edit,
        } => {
            engine
                .set_group_permissions(&chat, only_admins_send, only_admins_edit, now_ms)
                .await?
        }
        GroupCommand::Leave(chat) => engine.leave_group(&chat, now_ms).await?,
        GroupCommand::MessageInfo(id) => {
            ui.message_info.set(Some((id, Vec::new())));
            refresh_info(engine, ui, id).await;
            Output::default()
        }
    };
    Ok((out, None))
}

/// A receipt came for `id`: its info, if open, shows it.
pub(super) async fn refresh_info(engine: &AppEngine, ui: Ui, id: MessageId) {
    let open = ui
        .message_info
        .with_untracked(|info| info.as_ref().is_some_and(|(i, _)| *i == id));
    if !open {
        return;
    }
    if let Ok(Some(message)) = engine.store().message(&id).await {
        let receipts = message.group.map(|g| g.receipts).unwrap_or_default();
        ui.message_info.set(Some((id, receipts)));
    }
}

/// Every group's state, for the screens (read at start).
pub(super) async fn load(engine: &AppEngine, ui: Ui) {
    match engine.store().groups().await {
        Ok(groups) => ui
            .groups
            .set(groups.iter().map(|g| g.log.state().clone()).collect()),
        Err(e) => ui.problem.set(Some(text::store_error(&e))),
    }
}

/// A group changed: its state is read again.
pub(super) async fn refresh(engine: &AppEngine, ui: Ui, chat: &ChatId) {
    let Ok(Some(state)) = engine.group(chat).await else {
        return;
    };
    ui.groups.update(|groups| {
        groups.retain(|g| g.group != state.group);
        groups.push(state);
    });
}
