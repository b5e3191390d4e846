//! The frames by which the relay orders group changes (`docs/protocol.md`, "Groups"): a member
//! submits the hash of a signed change for its group's next epoch, the relay accepts the first
//! for each epoch and refuses the others, and members ask which hashes it accepted. The relay
//! sees the group id, the epoch and an opaque hash: never the change.

use super::client_frames::ClientFrame;
use super::server_frames::ServerFrame;
use crate::codec::{DecodeError, Reader, Writer};
use crate::groups::Ordered;

/// The most epochs the relay keeps (and answers with) per group: the newest.
pub const MAX_ORDERED: usize = 256;

impl ClientFrame {
    pub(super) fn write_group_order(&self, w: &mut Writer) {
        match self {
            Self::GroupCommit { group, epoch, hash } => {
                w.u8(0x32).raw(group).u64(*epoch).raw(hash);
            }
            Self::GroupOrder { group, after } => {
                w.u8(0x33).raw(group).u64(*after);
            }
            _ => {}
        }
    }

    pub(super) fn read_group_order(kind: u8, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match kind {
            0x32 => Self::GroupCommit {
                group: r.array()?,
                epoch: r.u64()?,
                hash: r.array()?,
            },
            0x33 => Self::GroupOrder {
                group: r.array()?,
                after: r.u64()?,
            },
            other => return Err(DecodeError::UnexpectedType(other)),
        })
    }
}

impl ServerFrame {
    pub(super) fn write_group_order(&self, w: &mut Writer) {
        match self {
            Self::GroupCommitted { group, epoch, hash } => {
                w.u8(0x54).raw(group).u64(*epoch).raw(hash);
            }
            Self::GroupCommitRefused { group, epoch, head } => {
                w.u8(0x55).raw(group).u64(*epoch).u64(*head);
            }
            Self::GroupOrder { group, entries } => {
                w.u8(0x56).raw(group).u32(entries.len() as u32);
                for entry in entries {
                    w.u64(entry.epoch).raw(&entry.hash);
                }
            }
            _ => {}
        }
    }

    pub(super) fn read_group_order(kind: u8, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match kind {
            0x54 => Self::GroupCommitted {
                group: r.array()?,
                epoch: r.u64()?,
                hash: r.array()?,
            },
            0x55 => Self::GroupCommitRefused {
                group: r.array()?,
                epoch: r.u64()?,
                head: r.u64()?,
            },
            0x56 => {
                let group = r.array()?;
                let n = r.count("ordered epochs", MAX_ORDERED, 40)?;
                let mut entries = Vec::with_capacity(n);
                for _ in 0..n {
                    entries.push(Ordered {
                        epoch: r.u64()?,
                        hash: r.array()?,
                    });
                }
                Self::GroupOrder { group, entries }
            }
            other => return Err(DecodeError::UnexpectedType(other)),
        })
    }
}
