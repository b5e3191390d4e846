//! Reading content from a peer's plaintext (or an older build's outbox): every field bounded,
//! anything malformed an error.

use super::*;

impl Content {
    /// Decodes a peer's plaintext; anything malformed is an error, and another wire version
    /// than ours is [`DecodeError::Outdated`].
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let kind = bytes.get(1).copied().ok_or(DecodeError::Truncated)?;
        r.header(kind)?;
        Self::read(r, kind)
    }

    /// Content an earlier build stored (in the outbox) in this build's encoding, so a peer on
    /// this version reads it; bytes that do not decode stay as they are (the outbox must still
    /// load). A sender key keeps its old form inside: peers ignore it, and the group record's
    /// migration makes a new key.
    pub fn upgrade(bytes: &[u8]) -> Vec<u8> {
        let mut r = Reader::new(bytes);
        let Some(kind) = bytes.get(1).copied() else {
            return bytes.to_vec();
        };
        match r.stored_header(kind) {
            Ok(v) if v < hush_protocol::WIRE_VERSION => match Self::read(r, kind) {
                Ok(content) => content.encode(),
                Err(_) => bytes.to_vec(),
            },
            _ => bytes.to_vec(),
        }
    }

    fn read(mut r: Reader<'_>, kind: u8) -> Result<Self, DecodeError> {
        let content = match kind {
            TEXT => Self::Text {
                id: r.array()?,
                sent_ms: r.u64()?,
                body: r.string("text", MAX_TEXT)?,
            },
            RECEIPT => {
                let kind = match r.u8()? {
                    0 => ReceiptKind::Delivered,
                    1 => ReceiptKind::Read,
                    _ => return Err(DecodeError::Invalid("receipt kind")),
                };
                let n = r.count("receipt ids", MAX_RECEIPT_IDS, 16)?;
                let ids = (0..n).map(|_| r.array()).collect::<Result<_, _>>()?;
                Self::Receipt { kind, ids }
            }
            PROFILE => Self::Profile {
                display_name: r.string("display name", MAX_DISPLAY_NAME_BYTES)?,
                about: String::new(),
                photo: None,
            },
            PROFILE_V2 => Self::Profile {
                display_name: r.string("display name", MAX_DISPLAY_NAME_BYTES)?,
                about: r.string("about", crate::model::MAX_ABOUT_BYTES)?,
                photo: AttachmentPointer::read_optional(&mut r, "profile photo flag")?
                    .map(Box::new),
            },
            SENT => Self::Sent {
                to: r.string("chat", MAX_CHAT_NAME)?,
                id: r.array()?,
                sent_ms: r.u64()?,
                body: r.string("text", MAX_TEXT)?,
            },
            ATTACHMENT => Self::Attachment {
                id: r.array()?,
                sent_ms: r.u64()?,
                pointer: AttachmentPointer::read(&mut r)?,
            },
            SENT_ATTACHMENT => Self::SentAttachment {
                to: r.string("chat", MAX_CHAT_NAME)?,
                id: r.array()?,
                sent_ms: r.u64()?,
                pointer: AttachmentPointer::read(&mut r)?,
            },
            ATTESTED => Self::Attested {
                account_key: r.array()?,
                device_list: r
                    .var("device list", hush_protocol::relay::MAX_DEVICE_LIST)?
                    .to_vec(),
                inner: Secret(zeroize::Zeroizing::new(
                    r.var("content", hush_protocol::limits::MAX_CONTENT)?
                        .to_vec(),
                )),
            },
            REACTION => {
                let (target, emoji, sent_ms) = read_reaction(&mut r)?;
                Self::Reaction {
                    target,
                    emoji,
                    sent_ms,
                }
            }
            SENT_REACTION => {
                let to = r.string("chat", MAX_CHAT_NAME)?;
                let (target, emoji, sent_ms) = read_reaction(&mut r)?;
                Self::SentReaction {
                    to,
                    target,
                    emoji,
                    sent_ms,
                }
            }
            RICH => Self::Rich(Box::new(Rich::read(&mut r)?)),
            MENTIONED | MENTIONED_FIRST => Self::Mentioned(Box::new(Mentioned::read(&mut r)?)),
            AMEND => {
                let (id, amend, sent_ms) = rich::read_amend(&mut r)?;
                Self::Amend { id, amend, sent_ms }
            }
            MIRROR => {
                let to = r.string("chat", MAX_CHAT_NAME)?;
                let inner = Self::decode(r.var("mirrored", hush_protocol::limits::MAX_CONTENT)?)?;
                if !matches!(
                    inner,
                    Self::Rich(_) | Self::Amend { .. } | Self::Timer { .. }
                ) {
                    return Err(DecodeError::Invalid("mirrored content"));
                }
                Self::Mirror {
                    to,
                    inner: Box::new(inner),
                }
            }
            TIMER => {
                let (id, sent_ms, timer_ms) = (r.array()?, r.u64()?, r.u64()?);
                if !crate::model::is_timer_choice(timer_ms) {
                    return Err(DecodeError::Invalid("timer"));
                }
                Self::Timer {
                    id,
                    sent_ms,
                    timer_ms,
                }
            }
            MARKS => {
                let mark = rich::read_mark(&mut r)?;
                let n = r.count("marked ids", MAX_RECEIPT_IDS, 16)?;
                let ids = (0..n).map(|_| r.array()).collect::<Result<_, _>>()?;
                Self::Marks { mark, ids }
            }
            CHAT_STATE => Self::ChatState {
                chat: r.string("chat", MAX_CHAT_NAME)?,
                state: crate::model::ChatState::read(&mut r)?,
            },
            READ_SYNC => {
                let chat = r.string("chat", MAX_CHAT_NAME)?;
                let n = r.count("read ids", MAX_RECEIPT_IDS, 16)?;
                let ids = (0..n).map(|_| r.array()).collect::<Result<_, _>>()?;
                Self::ReadSync { chat, ids }
            }
            GROUP_UPDATE => {
                let limit = hush_protocol::groups::MAX_CHANGE;
                let n = r.count("changes", MAX_UPDATE_CHANGES, 1)?;
                let changes = (0..n)
                    .map(|_| r.var("change", limit).map(<[u8]>::to_vec))
                    .collect::<Result<_, _>>()?;
                let state = match r.bool("state flag")? {
                    true => Some(r.var("group state", limit + 64)?.to_vec()),
                    false => None,
                };
                Self::GroupUpdate { changes, state }
            }
            SENDER_KEY => Self::SenderKey {
                distribution: Secret(zeroize::Zeroizing::new(r.var("sender key", 256)?.to_vec())),
            },
            kind if SHOWN_KINDS_AHEAD.contains(&kind) => {
                // The rest is the later build's; only what every such kind starts with is read.
                return Ok(Self::Unknown {
                    kind,
                    id: r.array()?,
                    sent_ms: r.u64()?,
                });
            }
            other => return Err(DecodeError::UnexpectedType(other)),
        };
        r.finish()?;
        Ok(content)
    }
}

/// A reaction's target, emoji and time; an emoji that is no reaction is refused here.
fn read_reaction(r: &mut Reader<'_>) -> Result<(MessageRef, String, u64), DecodeError> {
    let target = MessageRef {
        author: Username::new(r.string("author", MAX_CHAT_NAME)?)?,
        id: r.array()?,
    };
    let emoji = r.string("reaction", MAX_REACTION)?;
    if !is_reaction(&emoji) {
        return Err(DecodeError::Invalid("reaction"));
    }
    Ok((target, emoji, r.u64()?))
}
