//! How big a group and its encodings may get.

use crate::keys::MAX_ACCOUNT_LEN;
use crate::text::{MAX_DESCRIPTION, MAX_GROUP_NAME};

/// The most members of one group.
pub const MAX_MEMBERS: usize = 1024;
/// The longest encoded change (a creation naming every member).
pub const MAX_CHANGE: usize =
    256 + MAX_GROUP_NAME + MAX_DESCRIPTION + MAX_MEMBERS * (MAX_ACCOUNT_LEN + 4);
/// The longest encoded state.
pub(super) const MAX_STATE: usize = MAX_CHANGE + 64;
/// The most changes a member keeps of a group's chain (from its creation while it has no
/// more; beyond, the oldest go and the member can no longer prove the chain to a new member).
pub const MAX_CHAIN: usize = 1024;
/// The longest change other than a creation.
pub const MAX_LATER_CHANGE: usize = 256 + MAX_GROUP_NAME + MAX_DESCRIPTION;
/// The longest encoded log: a creation, the rest of a full chain, the head's state.
pub const MAX_LOG: usize = 64 + MAX_CHANGE + MAX_CHAIN * (MAX_LATER_CHANGE + 4) + MAX_STATE;
