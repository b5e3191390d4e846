//! Which of two concurrent branches of a group's chain wins: the same answer on every member.

use super::change::{Change, Op};

/// Whether a branch removes or demotes an author of the other.
fn hits(branch: &[&Change], other: &[&Change]) -> bool {
    branch.iter().any(|c| match &c.op {
        Op::Remove(a) | Op::Demote(a) => other.iter().any(|o| o.author == *a),
        _ => false,
    })
}

/// Whether `theirs` replaces `ours` (two branches from the same state): a branch that removes
/// or demotes an author of the other wins, so a removed or demoted member cannot undo that by
/// racing a change of its own; otherwise (both or neither do) the smaller hash of the first
/// change, the same on every member.
pub(super) fn wins(theirs: &[&Change], ours: &[&Change]) -> bool {
    let (they_hit, we_hit) = (hits(theirs, ours), hits(ours, theirs));
    if they_hit != we_hit {
        return they_hit;
    }
    match (theirs.first(), ours.first()) {
        (Some(t), Some(o)) => t.hash() < o.hash(),
        _ => false,
    }
}
