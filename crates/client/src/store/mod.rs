//! What the engine keeps, behind one narrow trait so the browser (IndexedDB) and native code
//! (memory) share the engine. Reads are by key; every write goes through
//! [`Store::commit`], one [`Changes`] batch in one transaction: all of it or none of it.
//!
//! Methods are `async` for IndexedDB and not `Send` (the browser is single-threaded).

pub mod conformance;
pub mod encoding;
pub mod memory;

use hush_protocol::devices::DeviceList;
use hush_protocol::groups::{Change, GroupLog};
use hush_protocol::keys::OneTimePreKeyPair;
use hush_protocol::record::SessionRecord;
use hush_protocol::sender_key::{OwnSenderKey, SenderKeyRecord};
use hush_protocol::DeviceAddress;

use crate::account::LocalAccount;

/// A message's id: chosen by its sender, the relay's client id for its envelopes.
pub type MessageId = [u8; 16];

/// Where a message stands. Ours move forward only: Sending → Sent → Delivered → Read, or
/// Failed (retry puts it back to Sending).
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
            // Only a message the relay never accepted can fail.
            (Status::Sending, Status::Failed) => true,
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
    /// A group's membership, roles or info changed; the body says how ("alice added carol").
    GroupChange,
}

/// What a group chat's message adds: who wrote it and, for ours, how far it got with each
/// member.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupLine {
    /// The account that wrote it (ours for our own).
    pub author: String,
    /// For ours: each member that confirmed it, delivered or read.
    pub receipts: Vec<(String, Status)>,
}

/// One message of a 1:1 chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatMessage {
    /// The sender's id for it.
    pub id: MessageId,
    /// A text, or a notice.
    pub kind: Kind,
    /// The other account, or a group's [`group_chat`] name.
    pub chat: String,
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
}

/// One chat in the chat list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatSummary {
    /// The other account.
    pub chat: String,
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
    /// The recipient account.
    pub to: String,
    /// The encoded [`crate::content::Content`].
    pub content: Vec<u8>,
    /// How many times it has been sent without a `Sent`.
    pub attempts: u32,
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

/// A group chat's name in chats and the outbox: `#` and its id in hex (no account name has a
/// `#`).
pub fn group_chat(id: &[u8; 16]) -> String {
    let mut chat = String::with_capacity(33);
    chat.push('#');
    for byte in id {
        chat.push_str(&format!("{byte:02x}"));
    }
    chat
}

/// The group id in a [`group_chat`] name; `None` for an account's chat.
pub fn group_id(chat: &str) -> Option<[u8; 16]> {
    let hex = chat.strip_prefix('#')?;
    if hex.len() != 32 || !hex.is_ascii() {
        return None;
    }
    let mut id = [0u8; 16];
    for (i, byte) in id.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    // Only the one spelling `group_chat` writes (no upper case, no signs).
    (group_chat(&id) == chat).then_some(id)
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
    /// Changes that came before the ones they build on (from different members), held until
    /// those arrive.
    pub pending: Vec<Change>,
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

/// Everything one processing step changes, written in one transaction.
#[derive(Default)]
pub struct Changes {
    /// The account, replaced whole.
    pub account: Option<LocalAccount>,
    /// Session records, replaced whole.
    pub sessions: Vec<(DeviceAddress, SessionRecord)>,
    /// One-time prekeys to keep.
    pub new_prekeys: Vec<OneTimePreKeyPair>,
    /// One-time prekeys used up (deleted with the session they started).
    pub used_prekeys: Vec<u32>,
    /// Messages, inserted or replaced by id.
    pub messages: Vec<ChatMessage>,
    /// Received messages, inserted only where no message has that id yet (a sender's repeat
    /// never resets what is stored); checked inside the transaction, not read beforehand.
    pub received: Vec<ChatMessage>,
    /// Status changes; a change that would move a status back is ignored.
    pub statuses: Vec<(MessageId, Status)>,
    /// Outbox entries, inserted or replaced by id.
    pub outbox: Vec<OutboxEntry>,
    /// Outbox entries done with.
    pub outbox_done: Vec<MessageId>,
    /// Contacts' verified identity keys: set when the user compared safety numbers, cleared
    /// (`None`) when the key changed.
    pub verified: Vec<(String, Option<[u8; 64]>)>,
    /// Contacts' display names as they last sent them, replaced whole.
    pub names: Vec<(String, String)>,
    /// Chats muted (true) or unmuted on this device: a muted chat never notifies.
    pub muted: Vec<(String, bool)>,
    /// Contacts' verified device lists, replaced whole (by `list.account`).
    pub pinned_devices: Vec<PinnedDevices>,
    /// Groups, replaced whole (by id).
    pub groups: Vec<GroupRecord>,
}

impl core::fmt::Debug for Changes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Counts only: sessions and prekeys are secrets, messages are private.
        f.debug_struct("Changes")
            .field("account", &self.account.is_some())
            .field("sessions", &self.sessions.len())
            .field("new_prekeys", &self.new_prekeys.len())
            .field("used_prekeys", &self.used_prekeys.len())
            .field("messages", &self.messages.len())
            .field("received", &self.received.len())
            .field("statuses", &self.statuses.len())
            .field("outbox", &self.outbox.len())
            .field("outbox_done", &self.outbox_done.len())
            .field("verified", &self.verified.len())
            .field("names", &self.names.len())
            .field("muted", &self.muted.len())
            .field("pinned_devices", &self.pinned_devices.len())
            .field("groups", &self.groups.len())
            .finish()
    }
}

impl Changes {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.account.is_none()
            && self.sessions.is_empty()
            && self.new_prekeys.is_empty()
            && self.used_prekeys.is_empty()
            && self.messages.is_empty()
            && self.received.is_empty()
            && self.statuses.is_empty()
            && self.outbox.is_empty()
            && self.outbox_done.is_empty()
            && self.verified.is_empty()
            && self.names.is_empty()
            && self.muted.is_empty()
            && self.pinned_devices.is_empty()
            && self.groups.is_empty()
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

/// Why the store failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The storage itself failed (quota, I/O, a closed database); nothing was written.
    Backend(String),
    /// Stored bytes do not decode: the store was damaged or written by a newer build.
    Corrupt(String),
}

impl core::fmt::Display for StoreError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Backend(why) => write!(f, "storage failed: {why}"),
            Self::Corrupt(why) => write!(f, "stored data is damaged: {why}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// The engine's storage. A backend passes [`conformance`] to be used.
#[allow(async_fn_in_trait)]
pub trait Store {
    /// This device's account, if one was created here.
    async fn account(&self) -> Result<Option<LocalAccount>, StoreError>;
    /// The sessions with one device of another account.
    async fn session(&self, peer: &DeviceAddress) -> Result<Option<SessionRecord>, StoreError>;
    /// The sessions with every device of `account` that has one, by device number.
    async fn sessions_with(
        &self,
        account: &str,
    ) -> Result<Vec<(DeviceAddress, SessionRecord)>, StoreError>;
    /// A one-time prekey not used up yet.
    async fn prekey(&self, id: u32) -> Result<Option<OneTimePreKeyPair>, StoreError>;
    /// One message.
    async fn message(&self, id: &MessageId) -> Result<Option<ChatMessage>, StoreError>;
    /// Up to `limit` messages of a chat, oldest first: the newest, or with `before` the ones
    /// that arrived just before that message (a page further back). A `before` that is not a
    /// message of this chat gives none.
    async fn messages(
        &self,
        chat: &str,
        before: Option<&MessageId>,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError>;
    /// The chat's received texts not read yet ([`is_unread`]), in no particular order.
    async fn unread(&self, chat: &str) -> Result<Vec<MessageId>, StoreError>;
    /// The identity key the user verified for `account`, if they did (and it has not changed).
    async fn verified(&self, account: &str) -> Result<Option<[u8; 64]>, StoreError>;
    /// Contacts' display names (account, name), by account.
    async fn names(&self) -> Result<Vec<(String, String)>, StoreError>;
    /// The chats muted on this device, sorted.
    async fn muted(&self) -> Result<Vec<String>, StoreError>;
    /// A contact's pinned account key and newest verified device list, if fetched before.
    async fn pinned_devices(&self, account: &str) -> Result<Option<PinnedDevices>, StoreError>;
    /// One group, if this device is or was in it.
    async fn group(&self, id: &[u8; 16]) -> Result<Option<GroupRecord>, StoreError>;
    /// Every group this device is or was in.
    async fn groups(&self) -> Result<Vec<GroupRecord>, StoreError>;
    /// Every chat with at least one message, the most recently active first. Cheap however
    /// long the chats are (read at every start).
    async fn chats(&self) -> Result<Vec<ChatSummary>, StoreError>;
    /// Everything in the outbox, oldest first.
    async fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError>;
    /// One outbox entry, if it is still there.
    async fn outbox_entry(&self, id: &MessageId) -> Result<Option<OutboxEntry>, StoreError>;
    /// Writes `changes` in one transaction.
    async fn commit(&self, changes: Changes) -> Result<(), StoreError>;
}
