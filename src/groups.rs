//! Groups in the browser: what the screens ask for, handed to the engine, and the groups'
//! states kept for the screens (names in the chat list, members in Group info).

use hush_client::{group_id, Engine, EngineError, MessageId, Output, Status, Store};
use hush_protocol::groups::GroupState;
use hush_protocol::Rng;
use leptos::prelude::*;

use crate::messenger::Ui;

/// One of our group messages and each member's receipt for it.
pub(crate) type MessageReceipts = (MessageId, Vec<(String, Status)>);

/// What the group screens ask for.
pub(crate) enum GroupCommand {
    Create {
        name: String,
        members: Vec<String>,
    },
    Add {
        chat: String,
        member: String,
    },
    Remove {
        chat: String,
        member: String,
    },
    SetAdmin {
        chat: String,
        member: String,
        admin: bool,
    },
    Rename {
        chat: String,
        name: String,
        description: String,
    },
    Permissions {
        chat: String,
        only_admins_send: bool,
        only_admins_edit: bool,
    },
    Leave(String),
    /// Show who got one of our messages and who read it.
    MessageInfo(MessageId),
}

/// Carries out a group command; a new group opens.
pub(crate) async fn run<S: Store, R: Rng>(
    engine: &mut Engine<S, R>,
    ui: Ui,
    command: GroupCommand,
    now_ms: u64,
) -> Result<(Output, Option<String>), EngineError> {
    let out = match command {
        GroupCommand::Create { name, members } => {
            let (chat, out) = engine.create_group(&name, "", &members, now_ms).await?;
            return Ok((out, Some(chat)));
        }
        GroupCommand::Add { chat, member } => {
            let member = member.trim().to_ascii_lowercase();
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
pub(crate) async fn refresh_info<S: Store, R: Rng>(engine: &Engine<S, R>, ui: Ui, id: MessageId) {
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
pub(crate) async fn load<S: Store, R: Rng>(engine: &Engine<S, R>, ui: Ui) {
    match engine.store().groups().await {
        Ok(groups) => ui
            .groups
            .set(groups.iter().map(|g| g.log.state().clone()).collect()),
        Err(e) => ui.problem.set(Some(e.to_string())),
    }
}

/// A group changed: its state is read again.
pub(crate) async fn refresh<S: Store, R: Rng>(engine: &Engine<S, R>, ui: Ui, chat: &str) {
    let Ok(Some(state)) = engine.group(chat).await else {
        return;
    };
    ui.groups.update(|groups| {
        groups.retain(|g| g.group != state.group);
        groups.push(state);
    });
}

/// The state of the group `chat`, if it is one.
pub(crate) fn state(ui: &Ui, chat: &str) -> Option<GroupState> {
    let id = group_id(chat)?;
    ui.groups
        .with(|groups| groups.iter().find(|g| g.group == id).cloned())
}

/// How far a message got with each member, for its info: read by, then delivered to.
pub(crate) fn receipts_by_status(receipts: &[(String, Status)], wanted: Status) -> Vec<String> {
    receipts
        .iter()
        .filter(|(_, s)| *s == wanted)
        .map(|(m, _)| m.clone())
        .collect()
}
