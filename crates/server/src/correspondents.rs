//! Which accounts have exchanged an envelope, so typing reaches an account only from accounts
//! it has a chat with (issue 19, finding 11). In memory only, never stored: the relay sees who
//! sends to whom as envelopes pass anyway, and keeps no record of it on disk. Bounded: the
//! pairs used least recently are forgotten first. After a restart a pair is known again once
//! either side sends.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// Pairs of accounts remembered (about 150 bytes each).
pub(crate) const MAX_PAIRS: usize = 100_000;

/// Two accounts, in order: the pair is the same whoever sent.
type Pair = (Arc<str>, Arc<str>);

/// The pairs of accounts that exchanged an envelope since the relay started.
pub(crate) struct Correspondents {
    inner: Mutex<Recent>,
    capacity: usize,
}

#[derive(Default)]
struct Recent {
    next: u64,
    /// Pair → when it was last used.
    used: HashMap<Pair, u64>,
    /// When → pair, oldest first, to forget the least recently used.
    order: BTreeMap<u64, Pair>,
}

impl Default for Correspondents {
    fn default() -> Self {
        Self::with_capacity(MAX_PAIRS)
    }
}

impl Correspondents {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: Mutex::default(),
            capacity,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recent> {
        // Every update leaves both maps consistent before anything can panic.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `sender` stored an envelope for `recipient`.
    pub(crate) fn exchanged(&self, sender: &str, recipient: &str) {
        if sender == recipient || self.capacity == 0 {
            return;
        }
        let pair = pair(sender, recipient);
        let mut recent = self.lock();
        recent.next += 1;
        let now = recent.next;
        if let Some(then) = recent.used.insert(pair.clone(), now) {
            recent.order.remove(&then);
        }
        recent.order.insert(now, pair);
        while recent.used.len() > self.capacity {
            let Some((_, oldest)) = recent.order.pop_first() else {
                break;
            };
            recent.used.remove(&oldest);
        }
    }

    /// Whether `a` and `b` exchanged an envelope (either way) among the pairs remembered.
    pub(crate) fn known(&self, a: &str, b: &str) -> bool {
        a == b || self.lock().used.contains_key(&pair(a, b))
    }
}

fn pair(a: &str, b: &str) -> Pair {
    if a <= b {
        (a.into(), b.into())
    } else {
        (b.into(), a.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_is_known_both_ways_and_the_least_recently_used_is_forgotten() {
        let c = Correspondents::with_capacity(2);
        assert!(!c.known("alice", "bob"));
        c.exchanged("bob", "alice");
        assert!(c.known("alice", "bob") && c.known("bob", "alice"));
        c.exchanged("carol", "alice");
        c.exchanged("alice", "bob");
        c.exchanged("dave", "alice");
        assert!(!c.known("carol", "alice"), "the least recently used went");
        assert!(c.known("alice", "bob") && c.known("alice", "dave"));
    }
}
