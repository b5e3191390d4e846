//! The frames that set and tell an account's presence visibility, kept apart from the type so
//! that the frame modules and the type do not import each other.

use super::client_frames::ClientFrame;
use super::presence_visibility::PresenceVisibility;
use super::server_frames::ServerFrame;
use crate::codec::{DecodeError, Reader, Writer};

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
