//! The wire forms of what issue 21 added: a message with a quote or forwards ([`Rich`]), its
//! author's edit or delete ([`Amend`]), a transcript of either for our other devices, and
//! stars and deletes-for-me shared between our devices ([`Mark`]).

use hush_protocol::attachment::AttachmentPointer;
use hush_protocol::codec::{Reader, Writer};
use hush_protocol::{DecodeError, Username};

use super::{MAX_CHAT_NAME, MAX_TEXT};
use crate::model::{MessageId, MessageRef, Quote, MAX_PREVIEW};

/// A text or attachment with what a plain one lacks: the message it replies to, and how often
/// it was forwarded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rich {
    /// Chosen by the sender, as a text's.
    pub id: MessageId,
    /// When it was sent (the sender's clock).
    pub sent_ms: u64,
    /// The text (for an attachment, its caption; the pointer holds it too).
    pub body: String,
    /// The file, if it is one.
    pub attachment: Option<AttachmentPointer>,
    /// The message it replies to, with a preview.
    pub quote: Option<Quote>,
    /// How many times it was forwarded before (1 for a forward of a message written here).
    pub forwards: u8,
}

/// An author's change to one of their own messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Amend {
    /// The new text (or caption), and the group members it mentions (none outside groups).
    Edit {
        /// The new text.
        body: String,
        /// Whom it mentions now (replacing whom the message mentioned).
        mentions: Vec<Username>,
    },
    /// Deleted for everyone.
    Delete,
}

/// What our own devices tell each other about messages of ours to see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Starred.
    Star,
    /// Unstarred.
    Unstar,
    /// Deleted for me.
    Forget,
}

impl Amend {
    /// An edit to `body` mentioning no one.
    pub fn edit(body: impl Into<String>) -> Self {
        Self::Edit {
            body: body.into(),
            mentions: Vec::new(),
        }
    }
}

impl Rich {
    /// The bytes it takes after its type (so the writer is sized up front: a growing buffer
    /// leaves copies of an attachment key behind).
    pub(super) fn encoded_len(&self) -> usize {
        let pointer = self.attachment.as_ref().map_or(0, |p| p.encoded_len());
        let quote = self.quote.as_ref().map_or(0, |q| {
            4 + q.target.author.as_str().len() + 16 + 4 + q.preview.len()
        });
        16 + 8 + 4 + self.body.len() + 1 + pointer + 1 + quote + 1
    }

    pub(super) fn write(&self, w: &mut Writer) {
        w.raw(&self.id).u64(self.sent_ms).var(self.body.as_bytes());
        AttachmentPointer::write_optional(self.attachment.as_ref(), w);
        match &self.quote {
            Some(quote) => w
                .u8(1)
                .var(quote.target.author.as_bytes())
                .raw(&quote.target.id)
                .var(quote.preview.as_bytes()),
            None => w.u8(0),
        };
        w.u8(self.forwards);
    }

    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let rich = Self::read_fields(r)?;
        if rich.quote.is_none() && rich.forwards == 0 {
            // A plain one travels as a text or attachment.
            return Err(DecodeError::Invalid("rich message"));
        }
        Ok(rich)
    }

    /// Its fields, checked for what any form needs (a caption said once, some text or a
    /// file), a plain one allowed.
    pub(super) fn read_fields(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let id = r.array()?;
        let sent_ms = r.u64()?;
        let body = r.string("text", MAX_TEXT)?;
        let attachment = AttachmentPointer::read_optional(r, "attachment flag")?;
        let quote = match r.bool("quote flag")? {
            true => Some(Quote {
                target: MessageRef {
                    author: Username::new(r.string("quoted author", MAX_CHAT_NAME)?)?,
                    id: r.array()?,
                },
                preview: crate::model::preview(&r.string("quote", MAX_PREVIEW)?),
            }),
            false => None,
        };
        let forwards = r.u8()?;
        let caption_differs = attachment.as_ref().is_some_and(|p| p.caption != body);
        if caption_differs || (attachment.is_none() && body.trim().is_empty()) {
            // A caption is said once.
            return Err(DecodeError::Invalid("rich message"));
        }
        Ok(Self {
            id,
            sent_ms,
            body,
            attachment,
            quote,
            forwards,
        })
    }
}

pub(super) fn write_amend(w: &mut Writer, id: &MessageId, amend: &Amend, sent_ms: u64) {
    w.raw(id).u64(sent_ms);
    match amend {
        // Without mentions in its first form, so builds before mentions still take it.
        Amend::Edit { body, mentions } if mentions.is_empty() => {
            w.u8(0).var(body.as_bytes());
        }
        Amend::Delete => {
            w.u8(1);
        }
        Amend::Edit { body, mentions } => {
            w.u8(2).var(body.as_bytes());
            super::mention::write_mentions(w, mentions);
        }
    }
}

pub(super) fn read_amend(r: &mut Reader<'_>) -> Result<(MessageId, Amend, u64), DecodeError> {
    let id = r.array()?;
    let sent_ms = r.u64()?;
    let amend = match r.u8()? {
        0 => Amend::edit(r.string("text", MAX_TEXT)?),
        1 => Amend::Delete,
        2 => Amend::Edit {
            body: r.string("text", MAX_TEXT)?,
            mentions: super::mention::read_mentions(r)?,
        },
        _ => return Err(DecodeError::Invalid("amendment")),
    };
    if matches!(&amend, Amend::Edit { body, .. } if body.trim().is_empty()) {
        return Err(DecodeError::Invalid("empty edit"));
    }
    Ok((id, amend, sent_ms))
}

pub(super) fn mark_byte(mark: Mark) -> u8 {
    match mark {
        Mark::Star => 0,
        Mark::Unstar => 1,
        Mark::Forget => 2,
    }
}

pub(super) fn read_mark(r: &mut Reader<'_>) -> Result<Mark, DecodeError> {
    Ok(match r.u8()? {
        0 => Mark::Star,
        1 => Mark::Unstar,
        2 => Mark::Forget,
        _ => return Err(DecodeError::Invalid("mark")),
    })
}
