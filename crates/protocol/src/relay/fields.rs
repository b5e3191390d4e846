//! The field encodings both directions share, and the frame header.

use super::limits::{MAX_ACKS, MAX_FRAME, MAX_PUSH_ENDPOINT};
use crate::codec::{DecodeError, Reader, Writer};
use crate::devices::MAX_DEVICES;
use crate::groups::MAX_MEMBERS;
use crate::keys::MAX_ACCOUNT_LEN;
use crate::Username;

/// Checks a frame's size and version; returns a reader past them and the type byte.
pub(super) fn open_frame(bytes: &[u8]) -> Result<(Reader<'_>, u8), DecodeError> {
    if bytes.len() > MAX_FRAME {
        return Err(DecodeError::TooLong {
            field: "frame",
            limit: MAX_FRAME,
        });
    }
    let mut r = Reader::new(bytes);
    let version = r.u8()?;
    if version != crate::WIRE_VERSION {
        return Err(DecodeError::UnsupportedVersion(version));
    }
    let kind = r.u8()?;
    Ok((r, kind))
}

pub(super) fn write_str(w: &mut Writer, s: &str) {
    w.var(s.as_bytes());
}

pub(super) fn read_str(
    r: &mut Reader<'_>,
    field: &'static str,
    limit: usize,
) -> Result<String, DecodeError> {
    let bytes = r.var(field, limit)?;
    core::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| DecodeError::Invalid(field))
}

/// An account name: a [`Username`].
pub(super) fn read_account(r: &mut Reader<'_>) -> Result<Username, DecodeError> {
    Username::new(read_str(r, "account name", MAX_ACCOUNT_LEN)?)
}

/// A group's member list (as `GroupSend` and `GroupTyping` name it).
pub(super) fn write_members(w: &mut Writer, members: &[Username]) {
    w.u32(members.len() as u32);
    for member in members {
        write_str(w, member);
    }
}

pub(super) fn read_members(r: &mut Reader<'_>) -> Result<Vec<Username>, DecodeError> {
    let n = r.count("members", MAX_MEMBERS, 5)?;
    (0..n).map(|_| read_account(r)).collect()
}

/// Device ids (as a send's mismatch names them).
pub(super) fn write_ids(w: &mut Writer, ids: &[u32]) {
    w.u32(ids.len() as u32);
    for id in ids {
        w.u32(*id);
    }
}

pub(super) fn read_ids(r: &mut Reader<'_>) -> Result<Vec<u32>, DecodeError> {
    let n = r.count("device ids", MAX_DEVICES, 4)?;
    (0..n).map(|_| r.u32()).collect()
}

/// Envelope or notice ids being acknowledged.
pub(super) fn write_acks(w: &mut Writer, ids: &[u64]) {
    w.u32(ids.len() as u32);
    for id in ids {
        w.raw(&id.to_be_bytes());
    }
}

pub(super) fn read_acks(r: &mut Reader<'_>) -> Result<Vec<u64>, DecodeError> {
    let n = r.count("acks", MAX_ACKS, 8)?;
    (0..n).map(|_| r.array().map(u64::from_be_bytes)).collect()
}

/// A push endpoint: `https://` or `http://` then a host, printable ASCII only.
pub(super) fn read_endpoint(r: &mut Reader<'_>) -> Result<String, DecodeError> {
    let url = read_str(r, "push endpoint", MAX_PUSH_ENDPOINT)?;
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or(DecodeError::Invalid("push endpoint"))?;
    if rest.is_empty() || rest.starts_with('/') || !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(DecodeError::Invalid("push endpoint"));
    }
    Ok(url)
}

/// At most `limit` bytes, cut on a character boundary.
pub(super) fn truncate(s: &str, limit: usize) -> &str {
    if s.len() <= limit {
        return s;
    }
    let mut end = limit;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
