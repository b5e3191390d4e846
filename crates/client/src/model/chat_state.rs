//! A chat's place in the chat list (issue 21): pinned, archived, marked unread, cleared or
//! deleted. Ours alone: our devices keep it in step with `Content::ChatState`, each field with
//! when it was set, and the newest setting of each field wins whatever order they arrive in.

use hush_protocol::codec::{Reader, Writer};
use hush_protocol::DecodeError;

use super::{ChatMessage, Kind};

/// The most chats pinned to the top of the list.
pub const MAX_PINNED: usize = 3;

/// One on/off setting and when it was made (ms, the setting device's clock).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flag {
    /// On or off.
    pub on: bool,
    /// When it was set: a newer setting replaces it, an older one is ignored.
    pub set_ms: u64,
}

impl Flag {
    /// Takes `other` if it is newer; true if it did.
    fn merge(&mut self, other: Flag) -> bool {
        let newer = other.set_ms > self.set_ms;
        if newer {
            *self = other;
        }
        newer
    }
}

/// A chat's state in the list. The default is a chat as it starts: in the list, not pinned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ChatState {
    /// Shown at the top of the list.
    pub pinned: Flag,
    /// Shown under "Archived" instead of the list.
    pub archived: Flag,
    /// Shown as unread (by the user's choice) until opened.
    pub unread: Flag,
    /// Gone from the list until a new message comes.
    pub deleted: Flag,
    /// Messages sent up to then (ms) are removed; 0 if never cleared.
    pub cleared_ms: u64,
}

impl ChatState {
    /// Takes each of `other`'s fields that is newer; true if any was.
    pub fn merge(&mut self, other: &ChatState) -> bool {
        let pinned = self.pinned.merge(other.pinned);
        let archived = self.archived.merge(other.archived);
        let unread = self.unread.merge(other.unread);
        let deleted = self.deleted.merge(other.deleted);
        let cleared = other.cleared_ms > self.cleared_ms;
        if cleared {
            self.cleared_ms = other.cleared_ms;
        }
        pinned || archived || unread || deleted || cleared
    }

    /// Whether the chat shows in the list with `last` its newest message: a deleted chat only
    /// once a new message came.
    pub fn is_listed(&self, last: &ChatMessage) -> bool {
        !(self.deleted.on && last.kind == Kind::Hidden)
    }

    /// The newest time any field was set (a new setting is stamped after it).
    pub fn newest_ms(&self) -> u64 {
        let flags = [self.pinned, self.archived, self.unread, self.deleted];
        let newest = flags.iter().map(|f| f.set_ms).max().unwrap_or(0);
        newest.max(self.cleared_ms)
    }

    /// Writes the state (after a header the caller wrote).
    pub fn write(&self, w: &mut Writer) {
        for flag in [self.pinned, self.archived, self.unread, self.deleted] {
            w.u8(u8::from(flag.on)).u64(flag.set_ms);
        }
        w.u64(self.cleared_ms);
    }

    /// Reads what [`ChatState::write`] wrote.
    pub fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut flag = || -> Result<Flag, DecodeError> {
            Ok(Flag {
                on: r.bool("chat flag")?,
                set_ms: r.u64()?,
            })
        };
        let (pinned, archived, unread, deleted) = (flag()?, flag()?, flag()?, flag()?);
        Ok(Self {
            pinned,
            archived,
            unread,
            deleted,
            cleared_ms: r.u64()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(set_ms: u64) -> Flag {
        Flag { on: true, set_ms }
    }

    #[test]
    fn the_newest_setting_of_each_field_wins_in_any_order() {
        let pin = ChatState {
            pinned: on(10),
            ..ChatState::default()
        };
        let unpin_archive = ChatState {
            pinned: Flag {
                on: false,
                set_ms: 20,
            },
            archived: on(5),
            cleared_ms: 7,
            ..ChatState::default()
        };
        let mut a = pin;
        assert!(a.merge(&unpin_archive));
        let mut b = unpin_archive;
        assert!(!b.merge(&pin));
        assert_eq!(a, b);
        assert!(!a.pinned.on && a.archived.on && a.cleared_ms == 7);
        assert_eq!(a.newest_ms(), 20);
    }

    #[test]
    fn encodes_and_refuses_bad_flags() {
        let state = ChatState {
            pinned: on(1),
            deleted: on(u64::MAX),
            cleared_ms: 3,
            ..ChatState::default()
        };
        let mut w = Writer::default();
        state.write(&mut w);
        let mut bytes = w.into_bytes();
        let mut r = Reader::new(&bytes);
        assert_eq!(ChatState::read(&mut r), Ok(state));
        bytes[0] = 2;
        let mut r = Reader::new(&bytes);
        assert!(ChatState::read(&mut r).is_err());
    }
}
