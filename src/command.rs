//! What the screens ask the runner for, and the handle they ask through.

use futures::channel::mpsc::UnboundedSender;
use hush_client::{ChatId, MessageId, Username};
use hush_protocol::attachment::AttachmentPointer;
use hush_protocol::linking::HistoryBlob;
use hush_protocol::relay::PresenceVisibility;
use leptos::prelude::*;

use crate::choices::{AutoDownload, NoticeStyle, Theme};
use crate::platform::files::PickedFile;
use crate::platform::push::Subscription;
use crate::platform::voice::Recording;

/// A forward waiting for its file (renewed, or uploaded again): message `id` to `chats`.
#[derive(Clone)]
pub(crate) struct Forwarding {
    pub(crate) id: MessageId,
    pub(crate) chats: Vec<ChatId>,
}

/// The file input (`Photo file`) that Settings' `Change photo` opens.
pub(crate) const PHOTO_INPUT: &str = "profile-photo-file";

/// What the runner is asked to do: the user's actions, and what the relay and the browser
/// report.
pub(crate) enum Command {
    /// The WebSocket to the relay opened.
    Connected,
    /// The WebSocket to the relay closed.
    Disconnected,
    /// A binary frame from the relay.
    Frame(Vec<u8>),
    CreateAccount {
        name: String,
        /// How contacts will see us named (may be blank).
        display_name: String,
    },
    Send {
        to: ChatId,
        body: String,
    },
    /// Encrypt, upload and send these files to `to` (the caption goes with the first).
    SendFiles {
        to: ChatId,
        files: Vec<PickedFile>,
        caption: String,
    },
    /// Encrypt, upload and send this voice note to `to`.
    SendVoice {
        to: ChatId,
        recording: Recording,
    },
    /// A file of ours is uploaded: send its pointer to `to`, or (a copy of an older file
    /// uploaded again to be forwarded) forward that message to its chats.
    Uploaded {
        to: ChatId,
        pointer: Box<AttachmentPointer>,
        forward: Option<Forwarding>,
    },
    /// The relay answered the renewal of a blob a forward waits for (whether it renewed it).
    Renewed {
        request: u32,
        renewed: bool,
    },
    /// An older file to forward, here again: upload it as a new blob, then forward.
    Reupload {
        forwarding: Forwarding,
        file: PickedFile,
        caption: String,
    },
    /// Stop sending the file whose grant was asked with this request id.
    CancelUpload(u32),
    /// Save the file message `id` carries as a download (downloading and checking it first
    /// unless kept).
    Download(MessageId),
    /// The bubble of file message `id` is drawn: show its media if kept, download it if the
    /// setting says so.
    ShowMedia(MessageId),
    /// What downloads by itself from now on.
    SetAutoDownload(AutoDownload),
    /// Forget every kept media file.
    ClearMedia,
    /// Settings' `Clear media of <chat>`: forget the media kept for one chat.
    ClearChatMedia(ChatId),
    /// Say how much media is kept.
    MeasureMedia,
    /// Find the open chat's files, for its info's "Media, links and docs".
    LoadGallery,
    /// Read the starred messages, for "Starred messages".
    LoadStarred,
    /// Search, or show what a search found.
    Search(crate::search::SearchCommand),
    /// Open a chat (starting it if new).
    Open(ChatId),
    /// Back to the chat list (phones show one or the other).
    Close,
    /// We started (or stopped) typing in the open chat.
    Typing {
        to: ChatId,
        typing: bool,
    },
    /// Show the open chat's page of messages before the oldest shown.
    LoadEarlier,
    /// Show the page after the newest message shown (when the log shows a stretch further back).
    LoadLater,
    /// Show the open chat's newest page again.
    JumpToNewest,
    /// Send a failed message again.
    Retry(MessageId),
    /// React to message `id` with `emoji` (an empty one takes ours back).
    React {
        id: MessageId,
        emoji: String,
    },
    /// Take Hush over from the tab that has it.
    UseHere,
    /// Show the open chat's safety number.
    ContactInfo(Username),
    /// The user compared safety numbers with this contact and they matched.
    MarkVerified(Username),
    /// Set a chat's disappearing-message timer (ms, 0: off), for everyone in it.
    SetTimer {
        chat: ChatId,
        timer_ms: u64,
    },
    /// The timer new chats start with on this device (ms, 0: off).
    SetDefaultTimer(u64),
    /// Read receipts on or off (this device sends them, and sees others', only when on).
    SetReadReceipts(bool),
    /// How contacts see us named (blank: by our username); every contact is told.
    SetDisplayName(String),
    /// Set the About line contacts see (blank: none).
    SetAbout(String),
    /// Use the photo picked in `Photo file` as the profile photo.
    ChangePhoto,
    /// No profile photo any more (contacts are told).
    RemovePhoto,
    /// The profile photo was uploaded (its pointer), or could not be (None).
    PhotoUploaded(Option<Box<hush_protocol::attachment::AttachmentPointer>>),
    /// This device's theme.
    SetTheme(Theme),
    /// Whether Enter sends on this device.
    SetEnterSends(bool),
    /// How notifications look on this device.
    SetNoticeStyle(NoticeStyle),
    /// Remove the messages whose time ran out (at start and every minute).
    Expire,
    /// Mute (or unmute) a chat's notifications on this device.
    Mute {
        chat: ChatId,
        muted: bool,
    },
    /// Give the relay this device's push subscription (or take it back).
    Push(Option<Subscription>),
    /// Show a link code on this browser and wait to be linked.
    StartLink,
    /// Stop linking (either side).
    CancelLink,
    /// Look up the browser waiting behind a link code.
    FetchLink(String),
    /// The user allowed the browser asking to be linked.
    AllowLink,
    /// The history for the new device was uploaded (or the upload failed).
    HistoryUploaded(bool),
    /// This browser was linked; here is the history's blob (None if it could not be fetched).
    ImportHistory {
        history: HistoryBlob,
        blob: Option<Vec<u8>>,
    },
    /// This browser was linked (and any history imported): on to the chats.
    Linked,
    /// Remove a device from the account.
    Unlink(u32),
    /// Delete the account, on every device (Settings' `Delete my account`, confirmed).
    DeleteAccount,
    /// Make or change a group, or look at one.
    Group(GroupCommand),
    /// Do something to a message.
    Message(MessageCommand),
    /// Pin, archive, mark unread, clear or delete a chat (its `Chat actions`).
    ChatAction {
        chat: ChatId,
        action: hush_client::ChatAction,
    },
    /// Who may see the account's last seen and online (applied at once).
    SetPresenceVisibility(PresenceVisibility),
    /// Rename a device of the account.
    RenameDevice {
        id: u32,
        name: String,
    },
}

/// What is done to a message (its `Message actions`, the composer replying or editing).
pub(crate) enum MessageCommand {
    /// Send `body` in the open chat as a reply to `quoted`, mentioning `mentions`.
    Reply {
        quoted: MessageId,
        body: String,
        mentions: Vec<hush_client::Username>,
    },
    /// Replace the text of our message `id` with `body`, which mentions `mentions`.
    Edit {
        id: MessageId,
        body: String,
        mentions: Vec<hush_client::Username>,
    },
    /// Delete our message `id` for everyone in its chat.
    DeleteForEveryone(MessageId),
    /// Delete message `id` from this account's devices.
    DeleteForMe(MessageId),
    /// Star (or unstar) message `id`.
    Star { id: MessageId, starred: bool },
    /// Send message `id` again to each of `chats`, marked forwarded.
    Forward { id: MessageId, chats: Vec<ChatId> },
    /// Send `body` in group `to`, mentioning `mentions`.
    Mention {
        to: ChatId,
        body: String,
        mentions: Vec<hush_client::Username>,
    },
}

/// What the group screens ask for.
/// (Members typed by the user come as typed, and are checked by the runner.)
pub(crate) enum GroupCommand {
    Create {
        name: String,
        members: Vec<String>,
    },
    Add {
        chat: ChatId,
        member: String,
    },
    Remove {
        chat: ChatId,
        member: Username,
    },
    SetAdmin {
        chat: ChatId,
        member: Username,
        admin: bool,
    },
    Rename {
        chat: ChatId,
        name: String,
        description: String,
    },
    Permissions {
        chat: ChatId,
        only_admins_send: bool,
        only_admins_edit: bool,
    },
    Leave(ChatId),
    /// Show who got one of our messages and who read it.
    MessageInfo(MessageId),
}

/// The handle components use to ask for things (`Copy`, so closures just take it).
#[derive(Clone, Copy)]
pub(crate) struct Messenger {
    commands: StoredValue<UnboundedSender<Command>>,
}

impl Messenger {
    /// A handle sending to `commands`.
    pub(crate) fn new(commands: UnboundedSender<Command>) -> Self {
        Self {
            commands: StoredValue::new(commands),
        }
    }

    /// Queues `command` for the runner.
    pub(crate) fn tell(&self, command: Command) {
        // The runner lives as long as the page; a send can only fail while the page unloads.
        self.commands.with_value(|commands| {
            let _ = commands.unbounded_send(command);
        });
    }
}
