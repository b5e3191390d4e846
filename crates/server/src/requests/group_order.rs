//! Ordering group changes: the relay accepts the first change hash submitted for a group's next
//! epoch and refuses the others, and tells members which hashes it accepted. It sees the group
//! id, the epoch and an opaque hash, never the change (members check every change themselves).

use hush_protocol::groups::Ordered;
use hush_protocol::relay::ServerFrame;

use super::reply::{internal, Refusal, Reply};
use super::store_calls::counted;
use crate::store::GroupCommit;
use crate::AppState;

/// A member submits a change's hash for `epoch` of `group`.
pub(super) async fn commit(
    state: &AppState,
    group: [u8; 16],
    epoch: u64,
    hash: [u8; 32],
) -> Result<Reply, Refusal> {
    let outcome = counted(state, state.store.commit_group_change(group, epoch, hash))
        .await
        .map_err(internal)?;
    let frame = match outcome {
        GroupCommit::Accepted => ServerFrame::GroupCommitted { group, epoch, hash },
        GroupCommit::Refused { head } => ServerFrame::GroupCommitRefused { group, epoch, head },
    };
    Ok(Reply::Frames(vec![frame]))
}

/// A member asks for the hashes ordered after `after`.
pub(super) async fn order(state: &AppState, group: [u8; 16], after: u64) -> Result<Reply, Refusal> {
    let entries = counted(state, state.store.group_order(&group, after))
        .await
        .map_err(internal)?;
    let entries = entries
        .into_iter()
        .map(|(epoch, hash)| Ordered { epoch, hash })
        .collect();
    Ok(Reply::Frames(vec![ServerFrame::GroupOrder {
        group,
        entries,
    }]))
}
