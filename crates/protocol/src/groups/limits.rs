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
