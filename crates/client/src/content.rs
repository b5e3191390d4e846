//! What travels inside an end-to-end encrypted message: a text, an attachment, a receipt for
//! texts, the sender's profile, or (between an account's own devices) a transcript of a sent
//! text or attachment and the chats read. The relay never sees any of it.

use hush_protocol::attachment::AttachmentPointer;
use hush_protocol::codec::{Reader, Writer};
use hush_protocol::text::MAX_DISPLAY_NAME_BYTES;
use hush_protocol::DecodeError;

use crate::model::{is_reaction, MessageId, MessageRef, MAX_REACTION};
use hush_protocol::Username;

mod decode;
mod mention;
mod rich;

pub use mention::{Mentioned, MAX_MENTIONS};
pub use rich::{Amend, Mark, Rich};

/// The longest text (bytes of UTF-8): `hush_protocol::limits` holds every size limit.
pub use hush_protocol::limits::MAX_TEXT;
/// The most messages one receipt covers.
pub const MAX_RECEIPT_IDS: usize = 1000;

/// The longest chat (account) name in a transcript.
const MAX_CHAT_NAME: usize = 64;

/// Display names are cleaned by the protocol's one rule for names people see.
pub use hush_protocol::text::{clean_display_name, MAX_DISPLAY_NAME};

const TEXT: u8 = 0x10;
const RECEIPT: u8 = 0x11;
const PROFILE: u8 = 0x12;
const SENT: u8 = 0x13;
const READ_SYNC: u8 = 0x14;
const ATTESTED: u8 = 0x15;
const GROUP_UPDATE: u8 = 0x16;
const SENDER_KEY: u8 = 0x17;
const ATTACHMENT: u8 = 0x18;
const SENT_ATTACHMENT: u8 = 0x19;
const REACTION: u8 = 0x1A;
const SENT_REACTION: u8 = 0x1B;
const RICH: u8 = 0x1C;
const AMEND: u8 = 0x1D;
const MIRROR: u8 = 0x1E;
const MARKS: u8 = 0x1F;
const TIMER: u8 = 0x20;
/// A group text mentioning members ([`Content::Mentioned`]), in [`SHOWN_KINDS_AHEAD`] so a
/// build without mentions still shows that it came.
const MENTIONED: u8 = 0x40;
/// What builds sent mentions as before they moved into [`SHOWN_KINDS_AHEAD`]: still read.
const MENTIONED_FIRST: u8 = 0x22;
/// Chat-list state between our own devices (issue 21).
const CHAT_STATE: u8 = 0x21;
/// A profile with an About line and a photo (issue 22); one with neither still goes as
/// [`PROFILE`], which older builds read.
const PROFILE_V2: u8 = 0x23;
/// Types in this range are messages people see, of kinds later builds add: each starts with
/// its id (16) and when it was sent (u64), so a build that does not know one still shows that
/// a message came ("Update Hush to see this message") and confirms it ([`Content::Unknown`]).
pub const SHOWN_KINDS_AHEAD: std::ops::RangeInclusive<u8> = 0x40..=0x7F;
/// The type byte of [`Content::SenderKey`] (the outbox looks for it).
pub const SENDER_KEY_CONTENT: u8 = SENDER_KEY;

/// The most changes one group update carries (what a member keeps).
const MAX_UPDATE_CHANGES: usize = hush_protocol::groups::MAX_CHAIN;

/// Secret bytes (a sender key): zeroized when dropped, never shown in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub zeroize::Zeroizing<Vec<u8>>);

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Secret(..)")
    }
}

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
    /// How the sender wants to be called and shown (sent when a session starts, and on a
    /// change).
    Profile {
        /// Their display name (empty: their username).
        display_name: String,
        /// Their About line (empty: none).
        about: String,
        /// Their photo, an encrypted blob (its key travels only here).
        photo: Option<Box<AttachmentPointer>>,
    },
    /// To the sender's own other devices: a text it sent to `to` (they show it as sent by me).
    Sent {
        /// The chat it was sent in.
        to: String,
        /// The text's id (the same as the recipient's).
        id: MessageId,
        /// When it was written.
        sent_ms: u64,
        /// The text.
        body: String,
    },
    /// A file: the pointer to its encrypted blob, with its key (in a group, sent once with the
    /// sender key; forwarding sends the same pointer again).
    Attachment {
        /// Chosen by the sender, as a text's.
        id: MessageId,
        /// When it was sent.
        sent_ms: u64,
        /// The blob, its key and SHA-256, and how to show it (secret: the key never shows in
        /// `Debug`).
        pointer: AttachmentPointer,
    },
    /// To the sender's own other devices: an attachment it sent to `to` (a sibling of
    /// [`Content::Sent`], whose encoding stays as it was).
    SentAttachment {
        /// The chat it was sent in.
        to: String,
        /// The message's id (the same as the recipient's).
        id: MessageId,
        /// When it was sent.
        sent_ms: u64,
        /// The attachment.
        pointer: AttachmentPointer,
    },
    /// A reaction to a message of the chat it is sent in (an empty emoji takes one back).
    Reaction {
        /// The message reacted to.
        target: MessageRef,
        /// The emoji ([`crate::model::is_reaction`]).
        emoji: String,
        /// When (the reactor's clock): their newest reaction wins.
        sent_ms: u64,
    },
    /// To the sender's own other devices: a reaction it sent in chat `to`.
    SentReaction {
        /// The chat it was sent in.
        to: String,
        /// The message reacted to.
        target: MessageRef,
        /// The emoji.
        emoji: String,
        /// When.
        sent_ms: u64,
    },
    /// A text or attachment that replies to another, or was forwarded.
    Rich(Box<Rich>),
    /// A group text that mentions members.
    Mentioned(Box<Mentioned>),
    /// Its author's edit or delete of message `id`, of the chat it is sent in.
    Amend {
        /// The message (the sender's own).
        id: MessageId,
        /// The change.
        amend: Amend,
        /// When (the author's clock): checked against the message's own time.
        sent_ms: u64,
    },
    /// The chat's disappearing-message timer, set by the sender: a message of its own, shown
    /// as a notice.
    Timer {
        /// Chosen by the sender, as a text's.
        id: MessageId,
        /// When it was set (the sender's clock): the newest setting wins.
        sent_ms: u64,
        /// How long messages last from now on, 0 for ever ([`crate::model::TIMER_CHOICES`]).
        timer_ms: u64,
    },
    /// To the sender's own other devices: a [`Content::Rich`], [`Content::Amend`] or
    /// [`Content::Timer`] it sent in the 1:1 chat `to` (a group's members' devices, ours too, get those directly).
    Mirror {
        /// The chat it was sent in.
        to: String,
        /// What was sent (never a mirror again).
        inner: Box<Content>,
    },
    /// To the sender's own other devices: messages it starred, unstarred or deleted for itself.
    Marks {
        /// What happened to them.
        mark: Mark,
        /// The messages.
        ids: Vec<MessageId>,
    },
    /// To the sender's own other devices: a chat's place in the chat list (pinned, archived,
    /// marked unread, cleared, deleted), each field with when it was set.
    ChatState {
        /// The chat.
        chat: String,
        /// Its state as the sender holds it.
        state: crate::model::ChatState,
    },
    /// To the sender's own other devices: these received messages of `chat` were read.
    ReadSync {
        /// The chat.
        chat: String,
        /// The messages read.
        ids: Vec<MessageId>,
    },
    /// Every message of a new session (until the other side replies) carries the sender's
    /// account key and signed device list, so the receiver can check the sending device is
    /// one the account signed before it accepts anything from it.
    Attested {
        /// The sender's account key.
        account_key: [u8; 32],
        /// The sender's signed device list (encoded).
        device_list: Vec<u8>,
        /// The content itself (encoded; never `Attested` again; it may be a sender key).
        inner: Secret,
    },
    /// A group's newest signed changes (oldest first, the new one last); for a member just
    /// added, the whole chain from the creation (it proves the group from it).
    GroupUpdate {
        /// Encoded [`hush_protocol::groups::Change`]s.
        changes: Vec<Vec<u8>>,
        /// A state the first version sent a new member; ignored (never taken from a peer),
        /// kept so the encoding stays the same.
        state: Option<Vec<u8>>,
    },
    /// The sender device's sender key for a group (its distribution id is the group id).
    SenderKey {
        /// An encoded [`hush_protocol::wire::SenderKeyDistribution`] (secret: never shown).
        distribution: Secret,
    },
    /// A message of a kind a later build added ([`SHOWN_KINDS_AHEAD`]): only its id and time
    /// are read, the rest is left as it is.
    Unknown {
        /// Its type byte.
        kind: u8,
        /// Chosen by the sender, as a text's.
        id: MessageId,
        /// When it was sent.
        sent_ms: u64,
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
            Self::Unknown { kind, id, sent_ms } => {
                w.header(*kind).raw(id).u64(*sent_ms);
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
            Self::Profile {
                display_name,
                about,
                photo: None,
            } if about.is_empty() => {
                w.header(PROFILE).var(display_name.as_bytes());
            }
            Self::Profile {
                display_name,
                about,
                photo,
            } => {
                w.header(PROFILE_V2)
                    .var(display_name.as_bytes())
                    .var(about.as_bytes());
                AttachmentPointer::write_optional(photo.as_deref(), &mut w);
            }
            Self::Sent {
                to,
                id,
                sent_ms,
                body,
            } => {
                w.header(SENT)
                    .var(to.as_bytes())
                    .raw(id)
                    .u64(*sent_ms)
                    .var(body.as_bytes());
            }
            Self::Attachment {
                id,
                sent_ms,
                pointer,
            } => {
                // Sized up front: a buffer that grows leaves copies of the key behind.
                w = Writer::with_capacity(2 + 16 + 8 + pointer.encoded_len());
                w.header(ATTACHMENT).raw(id).u64(*sent_ms);
                pointer.write(&mut w);
            }
            Self::SentAttachment {
                to,
                id,
                sent_ms,
                pointer,
            } => {
                let len = 2 + 4 + to.len() + 16 + 8 + pointer.encoded_len();
                w = Writer::with_capacity(len);
                w.header(SENT_ATTACHMENT)
                    .var(to.as_bytes())
                    .raw(id)
                    .u64(*sent_ms);
                pointer.write(&mut w);
            }
            Self::Attested {
                account_key,
                device_list,
                inner,
            } => {
                // Sized up front, as for a sender key: the inner content may be one.
                w = Writer::with_capacity(2 + 32 + 4 + device_list.len() + 4 + inner.0.len());
                w.header(ATTESTED)
                    .raw(account_key)
                    .var(device_list)
                    .var(&inner.0);
            }
            Self::GroupUpdate { changes, state } => {
                w.header(GROUP_UPDATE).u32(changes.len() as u32);
                for change in changes {
                    w.var(change);
                }
                match state {
                    Some(state) => w.u8(1).var(state),
                    None => w.u8(0),
                };
            }
            Self::SenderKey { distribution } => {
                // Sized up front: a buffer that grows leaves copies of the key behind.
                w = Writer::with_capacity(2 + 4 + distribution.0.len());
                w.header(SENDER_KEY).var(&distribution.0);
            }
            Self::Reaction {
                target,
                emoji,
                sent_ms,
            } => {
                w.header(REACTION);
                write_reaction(&mut w, target, emoji, *sent_ms);
            }
            Self::SentReaction {
                to,
                target,
                emoji,
                sent_ms,
            } => {
                w.header(SENT_REACTION).var(to.as_bytes());
                write_reaction(&mut w, target, emoji, *sent_ms);
            }
            Self::Rich(rich) => {
                // Sized up front: a buffer that grows leaves copies of the key behind.
                w = Writer::with_capacity(2 + rich.encoded_len());
                w.header(RICH);
                rich.write(&mut w);
            }
            Self::Mentioned(mentioned) => {
                w = Writer::with_capacity(2 + mentioned.encoded_len());
                w.header(MENTIONED);
                mentioned.write(&mut w);
            }
            Self::Timer {
                id,
                sent_ms,
                timer_ms,
            } => {
                w.header(TIMER).raw(id).u64(*sent_ms).u64(*timer_ms);
            }
            Self::Amend { id, amend, sent_ms } => {
                w.header(AMEND);
                rich::write_amend(&mut w, id, amend, *sent_ms);
            }
            Self::Mirror { to, inner } => {
                let inner = zeroize::Zeroizing::new(inner.encode());
                w = Writer::with_capacity(2 + 4 + to.len() + 4 + inner.len());
                w.header(MIRROR).var(to.as_bytes()).var(&inner);
            }
            Self::Marks { mark, ids } => {
                w.header(MARKS)
                    .u8(rich::mark_byte(*mark))
                    .u32(ids.len() as u32);
                for id in ids {
                    w.raw(id);
                }
            }
            Self::ChatState { chat, state } => {
                w.header(CHAT_STATE).var(chat.as_bytes());
                state.write(&mut w);
            }
            Self::ReadSync { chat, ids } => {
                w.header(READ_SYNC)
                    .var(chat.as_bytes())
                    .u32(ids.len() as u32);
                for id in ids {
                    w.raw(id);
                }
            }
        }
        w.into_bytes()
    }
}

fn write_reaction(w: &mut Writer, target: &MessageRef, emoji: &str, sent_ms: u64) {
    w.var(target.author.as_bytes())
        .raw(&target.id)
        .var(emoji.as_bytes())
        .u64(sent_ms);
}

#[cfg(test)]
#[path = "content_tests.rs"]
mod tests;
