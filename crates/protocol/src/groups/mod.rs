//! Group membership authorised end to end (`docs/protocol.md`, "Groups"): a group is a chain of
//! changes, each signed by its author's account key and checked by every member against the
//! state before it (who is admin, what the settings allow). The relay carries changes but
//! cannot make one: it has no member's account key.
//!
//! Concurrent changes (two admins acting on the same state) fork the chain; every member picks
//! the same branch (one that removes or demotes an author of the other wins, else the smaller
//! hash), so every member converges on the same chain. The loser comes back in
//! [`Accepted::Replaced`] or [`Taken::undone`]: its author issues it again on top.
//!
//! - `change`: the ops and the signed change.
//! - `state`: the group a chain of changes made.
//! - `rules`: what each change may do to a state, and who may make it.
//! - `log`: the recent chain a member holds, and taking other members' changes.
//! - `forks`: which of two concurrent branches wins.

mod change;
mod error;
mod forks;
mod limits;
mod log;
mod rules;
mod state;

pub use change::{Change, Op};
pub use error::GroupError;
pub use limits::{MAX_CHANGE, MAX_MEMBERS};
pub use log::{Accepted, GroupLog, Taken};
pub use state::{GroupState, Member, Role};

pub use crate::text::{MAX_DESCRIPTION, MAX_GROUP_NAME};
