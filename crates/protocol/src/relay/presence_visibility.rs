//! Who may see an account's presence (online, last seen): a setting of the account, kept and
//! enforced by the relay for all its devices. An account that hides its presence is shown as
//! "unknown" to everyone, and sees everyone's as unknown in turn.

use super::client_frames::ClientFrame;
use super::server_frames::ServerFrame;
use crate::codec::{DecodeError, Reader, Writer};

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

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Self::from_byte(r.u8()?)
    }
}

impl ClientFrame {
    pub(super) fn write_presence_visibility(&self, w: &mut Writer) {
        if let Self::SetPresenceVisibility {
            request,
            visibility,
        } = self
        {
            w.u8(0x35).u32(*request).u8(visibility.to_byte());
        }
    }

    pub(super) fn read_presence_visibility(
        kind: u8,
        r: &mut Reader<'_>,
    ) -> Result<Self, DecodeError> {
        match kind {
            0x35 => Ok(Self::SetPresenceVisibility {
                request: r.u32()?,
                visibility: PresenceVisibility::read(r)?,
            }),
            other => Err(DecodeError::UnexpectedType(other)),
        }
    }
}

impl ServerFrame {
    pub(super) fn write_presence_visibility(&self, w: &mut Writer) {
        if let Self::PresenceVisibility {
            request,
            visibility,
        } = self
        {
            w.u8(0x58).u32(*request).u8(visibility.to_byte());
        }
    }

    pub(super) fn read_presence_visibility(
        kind: u8,
        r: &mut Reader<'_>,
    ) -> Result<Self, DecodeError> {
        match kind {
            0x58 => Ok(Self::PresenceVisibility {
                request: r.u32()?,
                visibility: PresenceVisibility::read(r)?,
            }),
            other => Err(DecodeError::UnexpectedType(other)),
        }
    }
}
