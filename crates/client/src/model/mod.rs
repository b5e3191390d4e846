//! The engine's domain: messages and where they stand, chats, the outbox, contacts' pinned
//! device lists and groups. Stores keep these ([`crate::store`]); the engine and the UI read
//! them.

use hush_protocol::attachment::AttachmentPointer;
use hush_protocol::devices::DeviceList;
use hush_protocol::groups::{Change, GroupLog};
use hush_protocol::sender_key::{OwnSenderKey, SenderKeyRecord};
use hush_protocol::{DeviceAddress, Username};

mod amend;
mod chat_id;
mod chat_state;
mod notice;
mod profile;
mod reactions;
mod timer;

pub use amend::{
    amend, next_hop, preview, within, Amendment, MessageMeta, Quote, CLOCK_MARGIN_MS, DELETED,
    DELETE_WINDOW_MS, EDIT_WINDOW_MS, FORWARDED_MANY, MAX_PREVIEW, MAX_PREVIEW_CHARS,
};
pub use chat_id::{ChatId, GroupId};
pub use chat_state::{ChatState, Flag, MAX_PINNED};
pub use notice::{GroupNotice, Notice};
pub use profile::{
    clean_about, photo_fits, ContactProfile, MAX_ABOUT, MAX_ABOUT_BYTES, MAX_PHOTO_BLOB,
};
pub use reactions::{
    add_reaction, is_reaction, tally, MessageRef, Reaction, MAX_REACTION, MAX_REACTIONS,
};
pub use timer::{expiry, is_timer_choice, timer_label, timer_notice, ChatTimer, TIMER_CHOICES};

/// A message's id: chosen by its sender, the relay's client id for its envelopes.
pub type MessageId = [u8; 16];

/// Where a message stands. Ours move forward only: Sending → Sent → Delivered → Read, or
/// Failed (retry puts it back to Sending): refused by the relay, or accepted but dropped by it
/// before any device took it (its expiry notice).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Stored here, not yet accepted by the relay.
    Sending,
    /// Stored by the relay.
    Sent,
    /// Stored on the recipient's device (for received messages: stored here).
    Delivered,
    /// Shown on the recipient's screen (for received messages: shown here).
    Read,
    /// Gave up; the user may retry.
    Failed,
}

impl Status {
    /// Whether `next` may replace `self`: receipts arrive out of order and never move back.
    pub fn can_become(self, next: Status) -> bool {
        match (self, next) {
            // A message the relay never accepted, or accepted but gave up on before any
            // device took it (an expiry notice), can fail; a delivered one cannot.
            (Status::Sending | Status::Sent, Status::Failed) => true,
            (_, Status::Failed) => false,
            // A retry, or an earlier attempt that got through after all.
            (Status::Failed, _) => true,
            _ => next > self,
        }
    }
}

/// What a chat line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A text someone wrote.
    Text,
    /// A notice from this device: the contact's security code (identity key) changed.
    SecurityCodeChanged,
    /// A notice from this device: the contact's account signed a new device into its list.
    DeviceLinked,
    /// A group's membership, roles or info changed: its notice ([`Notice::Group`]) says how,
    /// its body says so in English ("alice added carol"; all that rows stored before notices
    /// have).
    GroupChange,
    /// A notice from this device: a message came in a wire version this build does not read
    /// (the sender runs an older or newer Hush); the notice is [`Notice::UpdateNeeded`] or
    /// [`Notice::UpdateToSee`], the body [`UPDATE_NEEDED`] or [`UPDATE_TO_SEE`].
    UpdateNeeded,
    /// A photo, video, file or voice note ([`ChatMessage::attachment`]); the body is its
    /// caption.
    Attachment,
    /// A text or attachment its author deleted for everyone; the body is [`DELETED`] (the app
    /// shows its own text for the kind).
    Deleted,
    /// A message deleted for this account only, or expired: not shown, kept only as a mark
    /// that it came.
    Hidden,
    /// The chat's disappearing-messages timer changed: its notice ([`Notice::Timer`]) says
    /// how, its body says so in English.
    TimerChanged,
    /// A notice from this device: the contact deleted their account (its key signed a list
    /// naming no device); nothing can be sent to it any more.
    AccountDeleted,
}

/// The text of a [`Kind::UpdateNeeded`] line.
pub const UPDATE_NEEDED: &str = "Update Hush to read this message";
/// The text of a [`Kind::UpdateNeeded`] line for a kind of message a later build added.
pub const UPDATE_TO_SEE: &str = "Update Hush to see this message";

/// What a group chat's message adds: who wrote it and, for ours, how far it got with each
/// member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupLine {
    /// The account that wrote it (ours for our own).
    pub author: Username,
    /// For ours: each member that confirmed it, delivered or read.
    pub receipts: Vec<(Username, Status)>,
}

/// One message of a 1:1 chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatMessage {
    /// The sender's id for it.
    pub id: MessageId,
    /// A text, or a notice.
    pub kind: Kind,
    /// The chat it belongs to.
    pub chat: ChatId,
    /// In a group chat: the author and the members' receipts.
    pub group: Option<GroupLine>,
    /// Written on this account (else received).
    pub from_me: bool,
    /// The text.
    pub body: String,
    /// When it was written (the sender's clock).
    pub sent_ms: u64,
    /// Where it stands.
    pub status: Status,
    /// For [`Kind::Attachment`]: the blob, its key and how to show it.
    pub attachment: Option<Box<AttachmentPointer>>,
    /// Reactions to it, one per account ([`add_reaction`]).
    pub reactions: Vec<Reaction>,
    /// Its quote, forwards, edit and star ([`amend`]).
    pub meta: MessageMeta,
}

impl ChatMessage {
    /// The account that wrote it, `me` being this device's.
    pub fn author(&self, me: &Username) -> Username {
        match (&self.group, &self.chat) {
            (Some(line), _) => line.author.clone(),
            _ if self.from_me => me.clone(),
            (None, ChatId::Direct(contact)) => contact.clone(),
            (None, ChatId::Group(_)) => me.clone(),
        }
    }

    /// Whether [`crate::Engine::retry`] can send it again as it was: a failed plain text of
    /// ours. A failed attachment, reply, forward or mention is not (retry sends text only, and
    /// an attachment's blob may have expired with it): it is sent again by writing it again.
    pub fn can_retry(&self) -> bool {
        self.status == Status::Failed && self.is_plain_text_of_ours()
    }

    /// Ours, and text alone: no attachment, quote, forward or mention.
    pub fn is_plain_text_of_ours(&self) -> bool {
        self.from_me
            && self.kind == Kind::Text
            && self.attachment.is_none()
            && self.meta.quote.is_none()
            && self.meta.forwards == 0
            && self.meta.mentions.is_empty()
    }

    /// Whether people can react to it (or reply to it, forward or star it): a text or an
    /// attachment, not a notice or a deleted message.
    pub fn is_reactable(&self) -> bool {
        matches!(self.kind, Kind::Text | Kind::Attachment)
    }

    /// Its reference, as a reaction, reply, edit or delete names it.
    pub fn reference(&self, me: &Username) -> MessageRef {
        MessageRef {
            author: self.author(me),
            id: self.id,
        }
    }
}

/// One chat in the chat list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatSummary {
    /// The chat.
    pub chat: ChatId,
    /// Its newest message.
    pub last: ChatMessage,
    /// Received messages not read yet.
    pub unread: u32,
}

/// A message waiting for the relay's `Sent`, kept across restarts and resent with the same id.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The message id (the relay's client id: a resend is not stored twice).
    pub id: MessageId,
    /// The recipient: an account (every device of it), or a group (every member).
    pub to: ChatId,
    /// The encoded [`crate::content::Content`].
    pub content: Vec<u8>,
    /// How many times it has been sent without a `Sent`.
    pub attempts: u32,
}

// A queued sender key (`Content::SenderKey`) is a chain key: every copy of an entry is wiped
// when it goes, like the key types themselves.
impl Drop for OutboxEntry {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.content);
    }
}

impl core::fmt::Debug for OutboxEntry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Not the content: texts are private, sender keys secret.
        f.debug_struct("OutboxEntry")
            .field("to", &self.to)
            .field("content_len", &self.content.len())
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// A contact's devices as its account last signed them, with the account key pinned the first
/// time a list was fetched (comparing safety numbers confirms it). Lists that do not verify
/// under the key, or are older, are refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinnedDevices {
    /// The contact's account key.
    pub account_key: [u8; 32],
    /// The newest verified list (its `account` names the contact).
    pub list: DeviceList,
}

/// A group as this device keeps it: its membership log, our sender key and who has it, and
/// every member device's sender key.
#[derive(Clone)]
pub struct GroupRecord {
    /// The signed changes and the state they make.
    pub log: GroupLog,
    /// Our sender key for it (a new one after anyone leaves).
    pub own_key: Option<OwnSenderKey>,
    /// The devices our current sender key was sent to.
    pub shared_with: Vec<DeviceAddress>,
    /// Member devices' sender keys, by device.
    pub senders: Vec<(DeviceAddress, SenderKeyRecord)>,
    /// Members' changes held until the relay's order says which apply (see
    /// `docs/protocol.md`, "Groups").
    pub pending: Vec<Change>,
    /// Changes of ours submitted to the relay and not accepted yet (kept, so a change the
    /// relay accepted is sent to the members even if the app closed meanwhile).
    pub proposed: Vec<Change>,
}

impl GroupRecord {
    /// The group's id.
    pub fn id(&self) -> [u8; 16] {
        self.log.state().group
    }
}

impl core::fmt::Debug for GroupRecord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never the keys.
        f.debug_struct("GroupRecord")
            .field("epoch", &self.log.state().epoch)
            .field("members", &self.log.state().members.len())
            .field("shared_with", &self.shared_with.len())
            .field("senders", &self.senders.len())
            .finish_non_exhaustive()
    }
}

/// The chat list from messages in arrival order (for stores that keep no summary of their own).
pub fn summarize<'a>(messages: impl Iterator<Item = &'a ChatMessage>) -> Vec<ChatSummary> {
    let mut chats = Vec::new();
    for message in messages {
        add_to_chats(&mut chats, message);
    }
    chats
}

/// Whether a message counts as unread: someone else's text not shown here yet.
pub fn is_unread(message: &ChatMessage) -> bool {
    !message.from_me && message.kind == Kind::Text && message.status != Status::Read
}

/// Puts a newer message into a chat list (most recently active first): its chat moves to the
/// top with it as the last message, one more unread if it is someone's text not read yet.
pub fn add_to_chats(chats: &mut Vec<ChatSummary>, message: &ChatMessage) {
    let unread = u32::from(is_unread(message));
    let summary = match chats.iter().position(|c| c.chat == message.chat) {
        Some(i) => {
            let mut chat = chats.remove(i);
            chat.last = message.clone();
            chat.unread += unread;
            chat
        }
        None => ChatSummary {
            chat: message.chat.clone(),
            last: message.clone(),
            unread,
        },
    };
    chats.insert(0, summary);
}
