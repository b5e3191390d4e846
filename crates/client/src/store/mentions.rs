//! A stored message's mentions (the tail of its sixth form): a count, then each username.

use hush_protocol::codec::{Reader, Writer};
use hush_protocol::{DecodeError, Username};

use crate::content::MAX_MENTIONS;

/// Writes `mentions` (at most [`MAX_MENTIONS`] of them).
pub(super) fn write_mentions(w: &mut Writer, mentions: &[Username]) {
    let kept = &mentions[..mentions.len().min(MAX_MENTIONS)];
    w.u8(u8::try_from(kept.len()).unwrap_or(u8::MAX));
    for mention in kept {
        w.var(mention.as_bytes());
    }
}

/// Reads what [`write_mentions`] wrote.
pub(super) fn read_mentions(r: &mut Reader<'_>) -> Result<Vec<Username>, DecodeError> {
    let n = usize::from(r.u8()?);
    if n > MAX_MENTIONS {
        return Err(DecodeError::Invalid("mentions"));
    }
    (0..n)
        .map(|_| Username::new(r.string("mention", 64)?))
        .collect()
}
