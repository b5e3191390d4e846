//! Typing notices: told to the connected devices of the other account, or of a group's
//! members (the sender names them; the relay does not know groups), only if the two accounts
//! exchanged an envelope: a stranger's typing is dropped and counted. Typing carries no
//! request id and is ephemeral, so the sender is not told.

use hush_protocol::relay::ServerFrame;
use hush_protocol::Username;

use super::reply::Reply;
use crate::hub::DeviceKey;
use crate::AppState;

/// Typing started or stopped in the chat with `to`.
pub(super) fn typing(state: &AppState, device: &DeviceKey, to: &str, typing: bool) -> Reply {
    let Some(from) = crate::names::stored(&device.account) else {
        return Reply::None;
    };
    if corresponded(state, &device.account, to) {
        state
            .hub
            .tell_account(to, &ServerFrame::Typing { from, typing });
    }
    Reply::None
}

/// Typing started or stopped in `group`: every named member but the sender hears it.
pub(super) fn group_typing(
    state: &AppState,
    device: &DeviceKey,
    group: [u8; 16],
    members: &[Username],
    typing: bool,
) -> Reply {
    let Some(from) = crate::names::stored(&device.account) else {
        return Reply::None;
    };
    let frame = ServerFrame::GroupTyping {
        group,
        from,
        typing,
    };
    for member in members.iter().filter(|m| m.as_str() != device.account) {
        if corresponded(state, &device.account, member) {
            state.hub.tell_account(member, &frame);
        }
    }
    Reply::None
}

/// Whether `to` may hear `from` typing; a refusal is counted.
fn corresponded(state: &AppState, from: &str, to: &str) -> bool {
    let known = state.hub.corresponded(from, to);
    if !known {
        state.metrics.typing_dropped.inc();
    }
    known
}
