//! What the engine keeps, behind one narrow trait so the browser (IndexedDB) and native code
//! (memory) share the engine. Reads are by key; every write goes through
//! [`Store::commit`], one [`Changes`] batch in one transaction: all of it or none of it.
//!
//! Methods are `async` for IndexedDB and not `Send` (the browser is single-threaded).

#[cfg(any(test, feature = "testing"))]
pub mod conformance;
pub mod encoding;
#[cfg(any(test, feature = "testing"))]
pub mod memory;
mod mentions;
mod notices;

use hush_protocol::keys::OneTimePreKeyPair;
use hush_protocol::record::SessionRecord;
use hush_protocol::{DeviceAddress, Username};

use crate::account::LocalAccount;
use crate::model::{
    Amendment, ChatId, ChatMessage, ChatSummary, ChatTimer, GroupRecord, MessageId, OutboxEntry,
    PinnedDevices, Reaction, Status,
};
use crate::search::{Found, Query};

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
    /// Reactions put on stored messages ([`crate::model::add_reaction`]: an older one than the
    /// reactor's is ignored), applied inside the transaction after the messages above.
    pub reactions: Vec<(MessageId, Reaction)>,
    /// Edits, deletes and stars of stored messages ([`crate::model::amend`]), applied inside
    /// the transaction after the reactions.
    pub amendments: Vec<(MessageId, Amendment)>,
    /// Chats' disappearing-message timers, replaced whole.
    pub timers: Vec<(ChatId, ChatTimer)>,
    /// Outbox entries, inserted or replaced by id.
    pub outbox: Vec<OutboxEntry>,
    /// Outbox entries done with.
    pub outbox_done: Vec<MessageId>,
    /// Contacts' verified identity keys: set when the user compared safety numbers, cleared
    /// (`None`) when the key changed.
    pub verified: Vec<(Username, Option<[u8; 64]>)>,
    /// Contacts' display names as they last sent them, replaced whole.
    pub names: Vec<(Username, String)>,
    /// Contacts' About lines and photos as they last sent them, replaced whole.
    pub profiles: Vec<(Username, crate::model::ContactProfile)>,
    /// Chats muted (true) or unmuted on this device: a muted chat never notifies.
    pub muted: Vec<(ChatId, bool)>,
    /// Contacts' verified device lists, replaced whole (by `list.account`).
    pub pinned_devices: Vec<PinnedDevices>,
    /// Groups, replaced whole (by id).
    pub groups: Vec<GroupRecord>,
    /// Chats' places in the chat list, replaced whole (by chat).
    pub chat_states: Vec<(ChatId, crate::model::ChatState)>,
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
            .field("reactions", &self.reactions.len())
            .field("amendments", &self.amendments.len())
            .field("timers", &self.timers.len())
            .field("outbox", &self.outbox.len())
            .field("outbox_done", &self.outbox_done.len())
            .field("verified", &self.verified.len())
            .field("names", &self.names.len())
            .field("profiles", &self.profiles.len())
            .field("muted", &self.muted.len())
            .field("pinned_devices", &self.pinned_devices.len())
            .field("groups", &self.groups.len())
            .field("chat_states", &self.chat_states.len())
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
            && self.reactions.is_empty()
            && self.amendments.is_empty()
            && self.timers.is_empty()
            && self.outbox.is_empty()
            && self.outbox_done.is_empty()
            && self.verified.is_empty()
            && self.names.is_empty()
            && self.profiles.is_empty()
            && self.muted.is_empty()
            && self.pinned_devices.is_empty()
            && self.groups.is_empty()
            && self.chat_states.is_empty()
    }
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
        chat: &ChatId,
        before: Option<&MessageId>,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError>;
    /// Up to `limit` messages of a chat that arrived just after message `after`, oldest first
    /// (a page forward again, from a search result far back). An `after` that is not a message
    /// of this chat gives none.
    async fn messages_after(
        &self,
        chat: &ChatId,
        after: &MessageId,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError>;
    /// The chat's received texts not read yet ([`crate::model::is_unread`]), in no particular order.
    async fn unread(&self, chat: &ChatId) -> Result<Vec<MessageId>, StoreError>;
    /// The identity key the user verified for `account`, if they did (and it has not changed).
    async fn verified(&self, account: &Username) -> Result<Option<[u8; 64]>, StoreError>;
    /// Contacts' display names (account, name), by account.
    async fn names(&self) -> Result<Vec<(Username, String)>, StoreError>;
    /// Contacts' About lines and photos, by account.
    async fn profiles(&self) -> Result<Vec<(Username, crate::model::ContactProfile)>, StoreError>;
    /// Every chat's disappearing-message timer that was ever set.
    async fn timers(&self) -> Result<Vec<(ChatId, ChatTimer)>, StoreError>;
    /// Up to `limit` messages whose time ran out by `now_ms` (not those gone already).
    async fn expired(&self, now_ms: u64, limit: usize) -> Result<Vec<MessageId>, StoreError>;
    /// The `limit` newest starred messages (by their time), newest first.
    async fn starred(&self, limit: usize) -> Result<Vec<ChatMessage>, StoreError>;
    /// Up to `limit` messages matching `query`, newest first, in `chat` or in every chat
    /// ([`crate::search::run`] over an index kept in the same transaction as the messages).
    async fn search(
        &self,
        query: &Query,
        chat: Option<&ChatId>,
        limit: usize,
    ) -> Result<Found, StoreError>;
    /// The chats muted on this device, sorted.
    async fn muted(&self) -> Result<Vec<ChatId>, StoreError>;
    /// A contact's pinned account key and newest verified device list, if fetched before.
    async fn pinned_devices(&self, account: &str) -> Result<Option<PinnedDevices>, StoreError>;
    /// One group, if this device is or was in it.
    async fn group(&self, id: &[u8; 16]) -> Result<Option<GroupRecord>, StoreError>;
    /// Every group this device is or was in.
    async fn groups(&self) -> Result<Vec<GroupRecord>, StoreError>;
    /// Every chat with at least one message, the most recently active first. Cheap however
    /// long the chats are (read at every start).
    async fn chats(&self) -> Result<Vec<ChatSummary>, StoreError>;
    /// Every chat's place in the chat list that was ever set (pinned, archived, ...).
    async fn chat_states(&self) -> Result<Vec<(ChatId, crate::model::ChatState)>, StoreError>;
    /// Everything in the outbox, oldest first.
    async fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError>;
    /// One outbox entry, if it is still there.
    async fn outbox_entry(&self, id: &MessageId) -> Result<Option<OutboxEntry>, StoreError>;
    /// Writes `changes` in one transaction.
    async fn commit(&self, changes: Changes) -> Result<(), StoreError>;
}
