//! Who may see an account's presence (online, last seen): a setting of the account, kept and
//! enforced by the relay for all its devices. An account that hides its presence is shown as
//! "unknown" to everyone, and sees everyone's as unknown in turn.

use crate::codec::{DecodeError, Reader};

/// Who sees an account's presence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PresenceVisibility {
    /// Everyone who follows it (the default).
    #[default]
    Everyone,
    /// Nobody; and the account sees nobody's.
    Nobody,
}

impl PresenceVisibility {
    /// The encoding: one byte.
    pub fn to_byte(self) -> u8 {
        match self {
            Self::Everyone => 0,
            Self::Nobody => 1,
        }
    }

    /// Decodes [`Self::to_byte`]; any other value is refused.
    pub fn from_byte(byte: u8) -> Result<Self, DecodeError> {
        match byte {
            0 => Ok(Self::Everyone),
            1 => Ok(Self::Nobody),
            _ => Err(DecodeError::Invalid("presence visibility")),
        }
    }

    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Self::from_byte(r.u8()?)
    }
}
