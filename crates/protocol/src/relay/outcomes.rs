//! What became of a send, and the error codes of the relay's refusals.

use super::fields::{read_ids, read_str, truncate, write_ids, write_str};
use super::limits::MAX_ERROR_TEXT;
use crate::codec::{DecodeError, Reader, Writer};

/// What became of a send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// Durably stored for every device (and delivered to those online).
    Stored,
    /// Nothing was stored: the envelopes do not match the recipient's current device list.
    Mismatch {
        /// Listed devices with no envelope.
        missing: Vec<u32>,
        /// Envelopes for devices not listed.
        extra: Vec<u32>,
    },
    /// No such account.
    UnknownRecipient,
    /// Nothing was stored: the relay refused the send (too many requests, an invalid send, or
    /// its own failure). `RateLimited` and `Internal` may be sent again later.
    Refused {
        /// Why.
        code: ErrorCode,
        /// For logs and developers.
        message: String,
    },
}

/// Error codes of [`ServerFrame::Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum ErrorCode {
    /// The frame could not be decoded.
    Malformed = 1,
    /// The connection must authenticate first.
    Unauthenticated = 2,
    /// Authentication failed.
    AuthFailed = 3,
    /// The username is taken.
    NameTaken = 4,
    /// The request is invalid (a bad signature, a bad list...).
    Invalid = 5,
    /// Too many requests: slow down.
    RateLimited = 6,
    /// No such account or device.
    NotFound = 7,
    /// The relay failed; try again later.
    Internal = 8,
    /// Storage on the relay is used up for this request: the device's unexpired blobs, a
    /// recipient device's queue, the sender's undelivered messages, or the relay's free disk.
    /// Not retried by itself: the user can try again later.
    QuotaExceeded = 9,
}

impl ErrorCode {
    pub(super) fn from_u16(v: u16) -> Result<Self, DecodeError> {
        Ok(match v {
            1 => Self::Malformed,
            2 => Self::Unauthenticated,
            3 => Self::AuthFailed,
            4 => Self::NameTaken,
            5 => Self::Invalid,
            6 => Self::RateLimited,
            7 => Self::NotFound,
            8 => Self::Internal,
            9 => Self::QuotaExceeded,
            _ => return Err(DecodeError::Invalid("error code")),
        })
    }
}

impl SendOutcome {
    pub(super) fn write(&self, w: &mut Writer) {
        match self {
            Self::Stored => {
                w.u8(0);
            }
            Self::Mismatch { missing, extra } => {
                w.u8(1);
                write_ids(w, missing);
                write_ids(w, extra);
            }
            Self::UnknownRecipient => {
                w.u8(2);
            }
            Self::Refused { code, message } => {
                w.u8(3).raw(&(*code as u16).to_be_bytes());
                write_str(w, truncate(message, MAX_ERROR_TEXT));
            }
        }
    }

    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match r.u8()? {
            0 => Self::Stored,
            1 => Self::Mismatch {
                missing: read_ids(r)?,
                extra: read_ids(r)?,
            },
            2 => Self::UnknownRecipient,
            3 => Self::Refused {
                code: ErrorCode::from_u16(u16::from_be_bytes(r.array()?))?,
                message: read_str(r, "error text", MAX_ERROR_TEXT)?,
            },
            _ => return Err(DecodeError::Invalid("send outcome")),
        })
    }
}
