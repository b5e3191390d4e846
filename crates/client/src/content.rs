//! What travels inside an end-to-end encrypted message: a text, or a receipt for texts. The
//! relay never sees any of it.

use hush_protocol::codec::{Reader, Writer};
use hush_protocol::DecodeError;

use crate::store::MessageId;

/// The longest text (bytes of UTF-8).
pub const MAX_TEXT: usize = 64 * 1024;
/// The most messages one receipt covers.
pub const MAX_RECEIPT_IDS: usize = 1000;

const TEXT: u8 = 0x10;
const RECEIPT: u8 = 0x11;

/// Which receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiptKind {
    /// Stored on the recipient's device.
    Delivered,
    /// Shown on the recipient's screen.
    Read,
}

/// The plaintext of one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// A text message.
    Text {
        /// Chosen by the sender; the same on every device and in receipts.
        id: MessageId,
        /// When it was written (the sender's clock, ms since the epoch).
        sent_ms: u64,
        /// The text.
        body: String,
    },
    /// Receipts for earlier texts of the recipient.
    Receipt {
        /// Delivered or read.
        kind: ReceiptKind,
        /// The texts' ids.
        ids: Vec<MessageId>,
    },
}

impl Content {
    /// The plaintext bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        match self {
            Self::Text { id, sent_ms, body } => {
                w.header(TEXT).raw(id).u64(*sent_ms).var(body.as_bytes());
            }
            Self::Receipt { kind, ids } => {
                let kind = match kind {
                    ReceiptKind::Delivered => 0,
                    ReceiptKind::Read => 1,
                };
                w.header(RECEIPT).u8(kind).u32(ids.len() as u32);
                for id in ids {
                    w.raw(id);
                }
            }
        }
        w.into_bytes()
    }

    /// Decodes a peer's plaintext; anything malformed is an error.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let kind = bytes.get(1).copied().ok_or(DecodeError::Truncated)?;
        r.header(kind)?;
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
            other => return Err(DecodeError::UnexpectedType(other)),
        };
        r.finish()?;
        Ok(content)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_round_trip_and_garbage_is_an_error() {
        for content in [
            Content::Text {
                id: [1; 16],
                sent_ms: 42,
                body: "héllo".into(),
            },
            Content::Receipt {
                kind: ReceiptKind::Read,
                ids: vec![[2; 16], [3; 16]],
            },
        ] {
            let bytes = content.encode();
            assert_eq!(Content::decode(&bytes), Ok(content));
            for cut in 0..bytes.len() {
                assert!(Content::decode(&bytes[..cut]).is_err());
            }
        }
        assert!(Content::decode(&[1, 0x11, 7, 0, 0, 0, 0]).is_err());
        assert!(Content::decode(&[1, 0x99]).is_err());
    }
}
