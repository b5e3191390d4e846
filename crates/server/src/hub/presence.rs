//! Presence: which devices follow which accounts, and what they are told. An account whose
//! setting is `Nobody` is shown to no one (its followers see it offline, last seen unknown),
//! and its own devices see everyone that way too, as WhatsApp does: hiding is mutual.

use hush_protocol::relay::{PresenceVisibility, ServerFrame};
use hush_protocol::Username;

use super::{encoded, DeviceKey, Hub, Inner, Notice};

impl Hub {
    /// Notes `account`'s setting as the store had it when one of its devices connects, unless
    /// this hub already knows it (a change made meanwhile is newer than that read). Returns
    /// the setting the hub holds.
    pub(crate) fn learn_visibility(
        &self,
        account: &str,
        visibility: PresenceVisibility,
    ) -> PresenceVisibility {
        let mut inner = self.lock();
        let hidden = *inner
            .hidden
            .entry(account.to_owned())
            .or_insert(visibility == PresenceVisibility::Nobody);
        if hidden {
            PresenceVisibility::Nobody
        } else {
            PresenceVisibility::Everyone
        }
    }

    /// `account` changed its setting (already stored): its followers, and the accounts its own
    /// devices follow, are shown again as they now may be.
    pub(crate) fn set_visibility(&self, account: &str, visibility: PresenceVisibility) {
        let mut inner = self.lock();
        let hidden = visibility == PresenceVisibility::Nobody;
        if inner.hidden.insert(account.to_owned(), hidden) == Some(hidden) {
            return;
        }
        if let Some(watchers) = inner.watchers.get(account) {
            for watcher in watchers {
                tell(&inner, watcher, account);
            }
        }
        // Rare (a user changing a setting), so a walk over every subscription is affordable.
        for (watched, watchers) in &inner.watchers {
            for watcher in watchers.iter().filter(|w| w.account == account) {
                tell(&inner, watcher, watched);
            }
        }
    }

    /// Stops `watcher`'s presence subscriptions (when it disconnects).
    pub(crate) fn unwatch(&self, watcher: &DeviceKey, accounts: &[String]) {
        let mut inner = self.lock();
        for account in accounts {
            if let Some(watchers) = inner.watchers.get_mut(account) {
                watchers.remove(watcher);
                if watchers.is_empty() {
                    inner.watchers.remove(account);
                }
            }
        }
    }

    /// Subscribes `watcher` to the presence of `accounts`; returns their presence as the
    /// watcher may see it now. Hidden ones stay subscribed: they show when they may.
    pub(crate) fn watch(&self, watcher: &DeviceKey, accounts: &[Username]) -> Vec<ServerFrame> {
        let mut inner = self.lock();
        let mut now = Vec::with_capacity(accounts.len());
        for account in accounts {
            inner
                .watchers
                .entry(account.to_string())
                .or_default()
                .insert(watcher.clone());
            now.push(shown(&inner, account.clone(), watcher));
        }
        now
    }
}

pub(super) fn account_online(inner: &Inner, account: &str) -> bool {
    inner.accounts.contains_key(account)
}

fn hides(inner: &Inner, account: &str) -> bool {
    inner.hidden.get(account).copied().unwrap_or(false)
}

/// `account`'s presence as `watcher` may see it: offline and never seen (what the relay says
/// of an account it knows nothing of) if either hides its own.
fn shown(inner: &Inner, account: Username, watcher: &DeviceKey) -> ServerFrame {
    if hides(inner, &account) || hides(inner, &watcher.account) {
        return ServerFrame::Presence {
            account,
            online: false,
            last_seen_ms: 0,
        };
    }
    ServerFrame::Presence {
        online: account_online(inner, &account),
        last_seen_ms: inner.last_seen.get(account.as_str()).copied().unwrap_or(0),
        account,
    }
}

/// Tells one watcher `account`'s presence as it may see it now.
fn tell(inner: &Inner, watcher: &DeviceKey, account: &str) {
    let Some(account) = crate::names::stored(account) else {
        return;
    };
    if let Some(c) = inner.online.get(watcher) {
        let frame = shown(inner, account, watcher);
        let _ = c.notices.try_send(Notice::Frame(encoded(&frame)));
    }
}

/// `account` came online or went offline: its followers hear it, unless it hides its
/// presence or they hide theirs.
pub(super) fn announce(inner: &Inner, account: &str, online: bool, last_seen_ms: u64) {
    if hides(inner, account) {
        return;
    }
    let Some(watchers) = inner.watchers.get(account) else {
        return;
    };
    let Some(account) = crate::names::stored(account) else {
        return;
    };
    let bytes = encoded(&ServerFrame::Presence {
        account,
        online,
        last_seen_ms,
    });
    for watcher in watchers.iter().filter(|w| !hides(inner, &w.account)) {
        if let Some(c) = inner.online.get(watcher) {
            let _ = c.notices.try_send(Notice::Frame(bytes.clone()));
        }
    }
}
