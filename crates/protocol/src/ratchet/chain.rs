//! Walking a receiving chain on a copy: the keys skipped on the way, the key wanted, and the
//! chain after it, to be committed only once the message decrypts.

use super::{DecryptError, MAX_SKIP};
use crate::keys::{ChainKey, MessageKey};

pub(super) fn check_skip(next: u32, target: u32) -> Result<(), DecryptError> {
    if target.saturating_sub(next) > MAX_SKIP {
        Err(DecryptError::TooFarAhead)
    } else {
        Ok(())
    }
}

/// The result of advancing a chain copy from `from` to `to`.
pub(super) struct Walk {
    /// Keys for `from..to`, to keep for late messages.
    pub(super) skipped: Vec<(u32, MessageKey)>,
    /// The key at `to`.
    pub(super) key: MessageKey,
    /// The chain key after `to`.
    pub(super) next_chain: ChainKey,
}

/// The message keys for indices `from..to` and the chain key at `to` (callers check
/// `to - from <= MAX_SKIP`).
pub(super) fn chain_keys(
    chain: &ChainKey,
    from: u32,
    to: u32,
) -> (Vec<(u32, MessageKey)>, ChainKey) {
    let mut keys = Vec::with_capacity(to.saturating_sub(from) as usize);
    let mut current = chain.clone();
    for index in from..to {
        let (next, key) = current.step();
        keys.push((index, key));
        current = next;
    }
    (keys, current)
}

/// Walks from index `from` to `to`: keys skipped on the way, the key at `to`, and the chain after.
pub(super) fn walk_chain(chain: &ChainKey, from: u32, to: u32) -> Walk {
    let (skipped, current) = chain_keys(chain, from, to);
    let (next_chain, key) = current.step();
    Walk {
        skipped,
        key,
        next_chain,
    }
}
