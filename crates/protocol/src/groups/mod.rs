//! Group membership authorised end to end (`docs/protocol.md`, "Groups"): a group is a chain of
//! changes, each signed by its author's account key and checked by every member against the
//! state before it (who is admin, what the settings allow). The relay carries changes but
//! cannot make one: it has no member's account key.
//!
//! The relay orders the chain (the delivery-service model of MLS): it accepts one change per
//! epoch, the first submitted, and members apply only the change it ordered for each epoch, in
//! order. Concurrent changes never fork the chain: the one the relay refused is signed again by
//! its author on the new head. A group's id is derived from its creation, so a chain can be
//! checked from scratch by a new member.
//!
//! - `change`: the ops, the signed change and the group id.
//! - `state`: the group a chain of changes made.
//! - `rules`: what each change may do to a state, and who may make it.
//! - `log`: the chain a member holds, taking changes in the relay's order, proving a chain.

mod change;
mod error;
mod limits;
mod log;
mod rules;
mod state;

pub use change::{group_id, Change, Op};
pub use error::GroupError;
pub use limits::{MAX_CHAIN, MAX_CHANGE, MAX_LATER_CHANGE, MAX_LOG, MAX_MEMBERS};
pub use log::{GroupLog, Ordered, Taken};
pub use state::{GroupState, Member, Role};

pub use crate::text::{MAX_DESCRIPTION, MAX_GROUP_NAME};
