//! What a step hands back: frames for the relay and events for the UI.

use hush_protocol::relay::{ClientFrame, PresenceVisibility};

use hush_protocol::Username;

use crate::model::{ChatId, ChatMessage, MessageId, Status};

/// What the UI hears about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The relay accepted the new account.
    Registered,
    /// The username is taken: choose another and call [`crate::Engine::create_account`] again.
    NameTaken,
    /// The device is connected and authenticated.
    Authenticated,
    /// A message arrived and is stored.
    Message(ChatMessage),
    /// One of our messages moved on.
    Status(MessageId, Status),
    /// The reactions to a message changed (read it again to show them).
    Reacted {
        /// Its chat.
        chat: ChatId,
        /// The message.
        id: MessageId,
    },
    /// A message was edited, deleted (for everyone, or for us), starred or unstarred (read it
    /// again to show it).
    Amended {
        /// Its chat.
        chat: ChatId,
        /// The message.
        id: MessageId,
    },
    /// No account has this name (a chat with it cannot start; what was sent to it failed).
    UnknownUser(Username),
    /// A message from this account could not be decrypted (it was dropped).
    Undecryptable {
        /// The sender account.
        from: Username,
    },
    /// The relay refused something.
    RelayError(String),
    /// Someone started or stopped typing to us.
    Typing {
        /// Who.
        from: Username,
        /// Started (true) or stopped.
        typing: bool,
    },
    /// A contact told us their profile.
    Profile {
        /// Which account.
        account: Username,
        /// The name to show for it (empty: unchanged).
        display_name: String,
        /// Their About line and photo.
        profile: crate::model::ContactProfile,
    },
    /// The relay served devices of `account` that its account did not sign (or an older list):
    /// they get nothing, and what could only go to them fails.
    DevicesRefused {
        /// Which account.
        account: Username,
        /// What was wrong.
        reason: crate::devices::Refusal,
    },
    /// A session with this device started from a bundle without a one-time prekey (the device
    /// ran out): its first message rests on the signed prekey alone, which is replaced weekly.
    /// Nothing for a user to do; the relay counts these for its operator, and a tool may log it.
    NoOneTimePreKey {
        /// The device.
        device: hush_protocol::DeviceAddress,
    },
    /// This device was removed from the account (by a list our account key signed): the
    /// caller wipes its data and returns to onboarding.
    Unlinked,
    /// This account was deleted (a list naming no device, signed by our account key): as for
    /// [`Event::Unlinked`], the caller wipes its data and returns to onboarding.
    AccountDeleted,
    /// Another of our devices changed the account's profile (display name, About line,
    /// photo): read it from [`crate::Engine::account`].
    OwnProfile,
    /// The account's own device list, or when its devices were last connected, changed.
    OwnDevicesChanged,
    /// A chat's place in the chat list changed (pinned, archived, marked unread, cleared or
    /// deleted, here or on another of our devices): read the chat list, and the chat if it is
    /// open, again.
    ChatState {
        /// The chat.
        chat: ChatId,
        /// If it was cleared (or deleted): its attachments that went, whose kept files go too.
        cleared: Option<Vec<MessageId>>,
    },
    /// Another of our devices read messages of this chat.
    ReadElsewhere {
        /// The chat.
        chat: ChatId,
    },
    /// The new browser's link address is open (the code works for this long).
    LinkOpened {
        /// Seconds left.
        expires_in_s: u32,
    },
    /// This browser is now a device of the account; its history, if sent, is to be fetched
    /// (`GET /blobs/<id>`) and given to [`crate::Engine::import_history`].
    Linked {
        /// Where the history is, and its key.
        history: Option<hush_protocol::linking::HistoryBlob>,
    },
    /// A browser waits to be linked: show its name and ask ([`crate::Engine::allow_link`]).
    LinkRequest {
        /// The name it gave ("Chrome on Linux").
        device_name: String,
    },
    /// The relay granted the upload asked with [`crate::Engine::request_upload`]: upload the
    /// encrypted file as blob `id` (`PUT /blobs/<id>`, or in pieces on `/uploads/<id>`), then
    /// send its pointer with [`crate::Engine::send_attachment`].
    UploadGranted {
        /// The request id `request_upload` returned.
        request: u32,
        /// The blob id to upload to.
        id: [u8; 32],
    },
    /// The relay refused the upload asked with [`crate::Engine::request_upload`] (too large,
    /// too many uploads waiting, storage quota reached).
    UploadRefused {
        /// The request id `request_upload` returned.
        request: u32,
        /// The relay's words, to show.
        reason: String,
    },
    /// The relay keeps the blob named in [`crate::Engine::renew_blob`] for another life.
    BlobRenewed {
        /// The request id `renew_blob` returned.
        request: u32,
    },
    /// The relay did not renew the blob named in [`crate::Engine::renew_blob`] (not this
    /// device's upload, or gone): to forward it, upload the file again.
    RenewRefused {
        /// The request id `renew_blob` returned.
        request: u32,
    },
    /// Upload `blob` with `PUT /blobs/<id>`, then call [`crate::Engine::history_uploaded`].
    UploadHistory {
        /// The blob id the relay granted.
        id: [u8; 32],
        /// The encrypted history.
        blob: Vec<u8>,
    },
    /// The new device has everything it needs.
    LinkDone {
        /// Its name.
        device_name: String,
    },
    /// Linking stopped (the reason is for the user).
    LinkFailed(String),
    /// A group's members, roles or info changed (or we joined or left it).
    GroupChanged {
        /// The group's chat.
        chat: ChatId,
    },
    /// A member started or stopped typing in a group.
    GroupTyping {
        /// The group's chat.
        chat: ChatId,
        /// Who.
        from: Username,
        /// Started (true) or stopped.
        typing: bool,
    },
    /// A watched account came online or went offline.
    Presence {
        /// Which account.
        account: Username,
        /// Whether any of its devices is connected.
        online: bool,
        /// When it was last connected (ms since the epoch; 0 if unknown).
        last_seen_ms: u64,
    },
    /// Who may see our presence changed (chosen here, or on another of our devices).
    PresenceVisibility(PresenceVisibility),
}

/// What one step produced: frames for the relay, in order, and events for the UI.
#[derive(Debug, Default)]
pub struct Output {
    /// To send, in this order.
    pub frames: Vec<ClientFrame>,
    /// For the UI.
    pub events: Vec<Event>,
}
